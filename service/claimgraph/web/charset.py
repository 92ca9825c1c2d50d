"""Every text answer says it is UTF-8: ``requests`` and browsers guess otherwise (ISO-8859-1
for ``text/*``), and "Russia’s" turns into mojibake."""

from __future__ import annotations

from flask import Response

from claimgraph.media import BY_MEDIA_TYPE


def add_charset(response: Response) -> Response:
    """after_request: ``charset=utf-8`` on a ``text/*`` answer, or one whose format takes a charset
    (SPARQL XML, RDF/XML, TriG), when it names none. Everything the service writes is UTF-8."""
    mimetype = response.mimetype
    if not mimetype:
        return response
    row = BY_MEDIA_TYPE.get(mimetype)
    if not (mimetype.startswith("text/") or (row is not None and row.charset)):
        return response  # decided without parsing the parameters (SPARQL JSON, most answers here)
    if "charset" not in response.mimetype_params:
        response.headers["Content-Type"] = f"{response.headers['Content-Type']}; charset=utf-8"
    return response
