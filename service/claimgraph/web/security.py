"""Browser safety: the headers every answer carries (README, "Browser safety")."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Response
from werkzeug.datastructures import Headers

#: Sent with every answer (README, "Browser safety"). Pages load scripts and styles from /static
#: only; the JSON-LD block of a claim page is data (application/ld+json), which CSP never runs.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


_LOWER = {name: name.lower() for name in SECURITY_HEADERS}


def add_security_headers(response: Response) -> Response:
    """after_request: the browser-safety headers, on every answer (errors too), unless already set.

    What ``headers.setdefault`` does for each, with one pass over the headers for all four."""
    present = {key.lower() for key, _ in response.headers}
    for name, value in SECURITY_HEADERS.items():
        if _LOWER[name] not in present:
            response.headers.add(name, value)
    return response


def set_headers(headers: Headers, values: Iterable[tuple[str, str]]) -> None:
    """``headers[name] = value`` for each pair, with one pass over the headers for all of them (each
    assignment is a pass of its own): a name not present yet is added, one present is set.

    >>> headers = Headers([("ETag", '"old"'), ("Vary", "Accept")])
    >>> set_headers(headers, [("etag", '"new"'), ("Cache-Control", "no-store")])
    >>> list(headers)
    [('etag', '"new"'), ('Vary', 'Accept'), ('Cache-Control', 'no-store')]
    """
    present = {name.lower() for name, _ in headers}
    for name, value in values:
        if name.lower() in present:
            headers[name] = value
        else:
            headers.add(name, value)
