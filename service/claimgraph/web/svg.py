"""Small pieces for server-rendered SVG: escaping, wrapping text into lines, numbers for axes.

Every picture the pages draw (web/provenance_picture.py, web/charts.py) is plain SVG markup
written here, with no script: it reads without JavaScript, links are ``<a>`` elements a
keyboard reaches, and each picture has a ``<title>`` and ``<desc>`` and a text equivalent
next to it on the page.
"""

from __future__ import annotations

import math
from decimal import Decimal

from markupsafe import Markup, escape


def esc(text: object) -> str:
    """Text or an attribute value, escaped for SVG (XML)."""
    return str(escape(str(text)))


def wrap(text: str, width: int, lines: int) -> list[str]:
    """``text`` in at most ``lines`` lines of about ``width`` characters, an ellipsis if cut."""
    words, found, line = text.split(), [], ""
    for word in words:
        if len(word) > width:
            word = word[: width - 1] + "…"
        if line and len(line) + 1 + len(word) > width:
            found.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        found.append(line)
    if len(found) > lines:
        found = found[:lines]
        found[-1] = (found[-1][: width - 1].rstrip() + "…") if len(found[-1]) >= width else found[-1] + " …"
    return found


def number(value: int | float | Decimal) -> str:
    """A number as a reader writes it: 20,270; 57.5."""
    if isinstance(value, Decimal):
        value = float(value)
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (the axis starts at ``low``)."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks, tick = [], start
    while tick < high + step * 0.999:
        ticks.append(round(tick, 10))
        tick += step
    return ticks


def markup(parts: list[str]) -> Markup:
    """Join SVG pieces that were escaped as they were written."""
    return Markup("".join(parts))
