"""Writing the draft's YAML by hand, so that it keeps comments a reviewer reads: scalars quoted so
that any text (quotes, colons, line breaks, invisible characters) reads back exactly as written."""

from __future__ import annotations

from decimal import Decimal


def scalar(value: object) -> str:
    """A YAML scalar for ``value``: numbers and booleans bare, every string double-quoted.

    >>> scalar(True), scalar(Decimal("83.40")), scalar(Decimal("1500000.0")), scalar("a: b")
    ('true', '"83.40"', '1500000', '"a: b"')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral_value() else f'"{value}"'
    if isinstance(value, int):
        return str(value)
    return quoted(str(value))


def quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar; characters that are not printable are escaped.

    >>> quoted("a\\u2028b\\tc")
    '"a\\\\u2028b\\\\tc"'
    """
    out = ['"']
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\n":
            out.append("\\n")
        elif ch == " " or ch.isprintable():
            out.append(ch)
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)


def flow_list(values: list[str]) -> str:
    return "[" + ", ".join(scalar(v) for v in values) + "]"


def comment(text: str, width: int = 100) -> list[str]:
    """``text`` as ``#`` comment lines of at most ``width`` characters."""
    lines: list[str] = []
    line = "#"
    for word in text.split():
        if len(line) + 1 + len(word) > width and line != "#":
            lines.append(line)
            line = "#"
        line += " " + word
    lines.append(line)
    return lines
