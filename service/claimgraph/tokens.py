"""Bearer tokens for the write routes: configured by the operator as ``name:token``, never shown.

Tokens come from the environment (``CLAIMGRAPH_INGEST_TOKENS``: ``name:token`` pairs separated by
commas or new lines) and from a file (``CLAIMGRAPH_INGEST_TOKENS_FILE``: one ``name:token`` a line,
``#`` starts a comment), both settings. The file is read again on every write request, so an
operator rotates a token by editing it, with no restart. A token is checked against every
configured one in constant time (``hmac.compare_digest`` of SHA-256 digests, so neither the
position of the first wrong character nor the length leaks); the caller learns only the NAME of
the holder, which is what the audit trail records. No message built here ever contains a token.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import re
from dataclasses import dataclass, field
from pathlib import Path

#: What a holder's name may be: it is written into the audit trail and shown to token holders.
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
#: A token shorter than this is refused at start: it could be guessed.
MIN_TOKEN_LENGTH = 16
#: Characters a token may hold: what fits in an Authorization header as RFC 6750's b64token does.
TOKEN = re.compile(r"^[A-Za-z0-9\-._~+/]+=*$")
#: The largest token file read (a few hundred holders at most).
MAX_FILE_BYTES = 1 << 20


@dataclass(frozen=True)
class Agent:
    """Who made a change: the NAME of a token's holder (``token``), or a local user (``local-user``)."""

    name: str
    kind: str = "token"

    @classmethod
    def local_user(cls) -> Agent:
        try:
            return cls(getpass.getuser(), "local-user")
        except (KeyError, OSError):
            return cls("unknown", "local-user")


class TokenConfigError(ValueError):
    """The token configuration cannot be used; the message names the line, never the token."""


@dataclass(frozen=True)
class Tokens:
    """The configured holders: name -> SHA-256 of the token (the tokens themselves are not kept)."""

    digests: tuple[tuple[str, bytes], ...] = field(default=(), repr=False)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.digests)

    def __bool__(self) -> bool:
        return bool(self.digests)

    def holder(self, presented: str) -> str | None:
        """The name of the holder of ``presented``, or None; every configured token is compared,
        each in constant time, whatever matches first."""
        digest = hashlib.sha256(presented.encode("utf-8", "surrogatepass")).digest()
        found: str | None = None
        for name, expected in self.digests:
            if hmac.compare_digest(digest, expected) and found is None:
                found = name
        return found


def parse_tokens(text: str, where: str) -> list[tuple[str, str]]:
    """``name:token`` entries, one per line or comma-separated; raises TokenConfigError naming
    ``where`` and the line (never the token).

    >>> parse_tokens("alice:0123456789abcdef0123 # the desk", "env")
    [('alice', '0123456789abcdef0123')]
    >>> parse_tokens("alice:short", "env")
    Traceback (most recent call last):
    ...
    claimgraph.tokens.TokenConfigError: env, entry 1: the token of 'alice' is shorter than 16 characters
    """
    entries: list[tuple[str, str]] = []
    pieces = [part for line in text.splitlines() for part in line.split("#", 1)[0].split(",")]
    for number, piece in enumerate((p.strip() for p in pieces if p.strip()), start=1):
        name, sep, token = piece.partition(":")
        name, token = name.strip(), token.strip()
        if not sep or not NAME.match(name):
            raise TokenConfigError(
                f"{where}, entry {number}: expected name:token, the name of letters, digits, _.@-"
            )
        if len(token) < MIN_TOKEN_LENGTH:
            raise TokenConfigError(
                f"{where}, entry {number}: the token of {name!r} is shorter than"
                f" {MIN_TOKEN_LENGTH} characters"
            )
        if not TOKEN.match(token):
            raise TokenConfigError(
                f"{where}, entry {number}: the token of {name!r} has characters a bearer token may not hold"
            )
        entries.append((name, token))
    return entries


def load_tokens(inline: str | None, file: str | None) -> Tokens:
    """The tokens of the settings ``ingest_tokens`` and ``ingest_tokens_file``; raises TokenConfigError
    on a bad entry, a name given twice, a token shared by two names, or an unreadable file."""
    entries = parse_tokens(inline, "ingest_tokens") if inline else []
    if file:
        path = Path(file)
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise TokenConfigError(f"{file}: larger than {MAX_FILE_BYTES} bytes")
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TokenConfigError(
                f"ingest_tokens_file {file}: cannot read it ({exc.__class__.__name__})"
            ) from exc
        entries += parse_tokens(text, str(file))
    names = [name for name, _ in entries]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise TokenConfigError(f"token names given more than once: {', '.join(twice)}")
    if len({token for _, token in entries}) < len(entries):
        raise TokenConfigError("two names share one token: give each holder a token of their own")
    return Tokens(tuple((name, hashlib.sha256(token.encode()).digest()) for name, token in entries))


def bearer(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (scheme case-insensitive), else None.

    >>> bearer("Bearer abc"), bearer("bearer  abc "), bearer("Basic abc"), bearer(None)
    ('abc', 'abc', None, None)
    """
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
