"""The OpenAPI description of the write routes (web/ingest.py): the upload forms, the answers, the
errors, and the bearer token they need. web/openapi.py adds it to the one document."""

from __future__ import annotations

from typing import Any

from claimgraph.uploads import MEDIA_TYPES, TAR, TAR_GZ, ZIP

Schema = dict[str, Any]

STRING, INTEGER = {"type": "string"}, {"type": "integer"}
OPT_STRING, OPT_INTEGER = {"type": ["string", "null"]}, {"type": ["integer", "null"]}
TEXT_FILES = {"type": "object", "additionalProperties": STRING}

ARTICLE_DOCUMENT: Schema = {
    "description": "An article folder as JSON, in one of two forms. `files`: each file of the folder by"
    " name (article.yaml, the text file it names, claims.yaml), its text exactly as it is to be stored"
    " (the article's text byte for byte: every anchor's offsets point into it). Or the structured form:"
    " `article` (the content of article.yaml), `text` (the article's text, stored as the file"
    " article.yaml's `text_file` names, default article.txt) and `claims` (the list of claims.yaml's"
    " `claims:`). `slug` names the article (lower-case letters, digits and hyphens); a PUT takes it from"
    " the URL.",
    "oneOf": [
        {
            "type": "object",
            "required": ["files"],
            "properties": {"slug": STRING, "files": TEXT_FILES},
            "additionalProperties": False,
        },
        {
            "type": "object",
            "required": ["article", "text", "claims"],
            "properties": {
                "slug": STRING,
                "article": {"type": "object"},
                "text": STRING,
                "claims": {"type": "array", "items": {"type": "object"}},
            },
            "additionalProperties": False,
        },
    ],
}

SCHEMAS: dict[str, Schema] = {
    "ArticleDocument": ARTICLE_DOCUMENT,
    "Change": {
        "description": "One ingestion as the audit trail records it (PROV: who by token name, when, what).",
        "type": "object",
        "required": ["id", "action", "article", "by", "started", "ended"],
        "properties": {
            "id": STRING,
            "action": {"enum": ["added", "replaced", "deleted"]},
            "article": STRING,
            "articleIri": OPT_STRING,
            "by": STRING,
            "via": {"enum": ["http", "command line"]},
            "started": STRING,
            "ended": STRING,
            "claimsBefore": OPT_INTEGER,
            "claimsAfter": OPT_INTEGER,
            "dataVersionBefore": OPT_STRING,
            "dataVersionAfter": OPT_STRING,
        },
    },
    "ValidationReport": {
        "description": "A 422: the article fails the build (compile, checks, SHACL, anchors);"
        " nothing changed.",
        "type": "object",
        "required": ["title", "status", "detail", "problems"],
        "properties": {
            "title": STRING,
            "status": INTEGER,
            "detail": STRING,
            "problems": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["file", "line", "claim", "fault"],
                    "properties": {
                        "file": OPT_STRING,
                        "line": OPT_INTEGER,
                        "claim": OPT_STRING,
                        "article": OPT_STRING,
                        "fault": STRING,
                    },
                },
            },
        },
    },
}

ERRORS = {
    "400": "The upload cannot be read or is unsafe: a broken archive or JSON, a path outside the folder"
    " (absolute, `..`), a link, a sub-folder, a file name or slug that is not allowed.",
    "401": "No bearer token (WWW-Authenticate: Bearer).",
    "403": "A bearer token the server does not accept.",
    "404": "No ingested article with this slug.",
    "409": "POST: the slug is taken (ingested or shipped); PUT/DELETE: an article of the shipped data.",
    "413": "The body is over max_ingest_bytes (refused from Content-Length, unread), or the archive holds"
    " more than max_ingest_files members or unpacks to more than max_ingest_unpacked_bytes.",
    "415": "The body is not one of the media types listed.",
    "503": "Ingestion is not configured on this server (articles_dir, tokens).",
}


def _error(description: str) -> Schema:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _body() -> Schema:
    binary = {"type": "string", "contentMediaType": "application/octet-stream"}
    content: Schema = {
        media: {"schema": binary} for media, form in sorted(MEDIA_TYPES.items()) if form in (ZIP, TAR_GZ, TAR)
    }
    content["application/json"] = {"schema": {"$ref": "#/components/schemas/ArticleDocument"}}
    return {
        "required": True,
        "description": "The article folder: its files (article.yaml, its text, claims.yaml) at the top of"
        " the archive or in one folder named after the slug; regular files only, no sub-folders.",
        "content": content,
    }


def _write(summary: str, ok: str, *, body: bool, errors: tuple[str, ...]) -> Schema:
    change = {"application/json": {"schema": {"$ref": "#/components/schemas/Change"}}}
    responses: Schema = {ok: {"description": "The change, as the audit trail records it", "content": change}}
    responses |= {code: _error(ERRORS[code]) for code in errors}
    if body:
        report = {"application/json": {"schema": {"$ref": "#/components/schemas/ValidationReport"}}}
        responses["422"] = {
            "description": "The article fails validation: file, line, claim, fault",
            "content": report,
        }
    operation: Schema = {"summary": summary, "security": [{"bearer": []}], "responses": responses}
    if body:
        operation["requestBody"] = _body()
    return operation


SLUG = {"name": "id", "in": "path", "required": True, "description": "The article's slug", "schema": STRING}
COMMON = ("401", "403", "503")

PATHS: dict[str, Schema] = {
    "/api/articles": {
        "post": _write(
            "Ingest a new article (validated, then swapped in atomically; audited)",
            "201",
            body=True,
            errors=("400", *COMMON, "409", "413", "415"),
        )
        | {
            "parameters": [
                {
                    "name": "slug",
                    "in": "query",
                    "description": "The article's slug, where the upload does not name it",
                    "schema": STRING,
                }
            ]
        }
    },
    "/api/articles/{id}": {
        "put": _write(
            "Replace an ingested article",
            "200",
            body=True,
            errors=("400", *COMMON, "404", "409", "413", "415"),
        )
        | {"parameters": [SLUG]},
        "delete": _write(
            "Delete an ingested article", "200", body=False, errors=("400", *COMMON, "404", "409")
        )
        | {"parameters": [SLUG]},
    },
    "/api/audit": {
        "get": {
            "summary": "The audit trail of ingestions (token holders only; never served publicly)",
            "security": [{"bearer": []}],
            "responses": {
                "200": {
                    "description": "Every change, oldest first (or the PROV graphs, with"
                    " Accept: application/n-quads)",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["changes"],
                                "properties": {
                                    "changes": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Change"},
                                    }
                                },
                            }
                        },
                        "application/n-quads": {"schema": STRING},
                    },
                },
                **{code: _error(ERRORS[code]) for code in COMMON},
            },
        }
    },
}


def merged(paths: dict[str, Schema]) -> dict[str, Schema]:
    """``paths`` with the write operations added to their path items (GET /api/articles is a read)."""
    result = {path: dict(item) for path, item in paths.items()}
    for path, item in PATHS.items():
        result[path] = {**result.get(path, {}), **item}
    return result


SECURITY_SCHEMES: Schema = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "A token the operator configured (CLAIMGRAPH_INGEST_TOKENS or"
        " CLAIMGRAPH_INGEST_TOKENS_FILE)",
    }
}
