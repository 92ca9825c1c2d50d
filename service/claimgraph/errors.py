"""Domain exceptions. The web layer maps them to statuses in one table (web/errors.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class ClaimgraphError(Exception):
    """Base of every error the service raises on purpose."""


class DataError(ClaimgraphError):
    """The source data cannot be compiled: syntax error, dangling reference, bad value.

    Carries the file and line so the author can find it.
    """

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None) -> None:
        self.file = file
        self.line = line
        where = f"{file}:{line}: " if file and line else (f"{file}: " if file else "")
        super().__init__(f"{where}{message}")


class ValidationFailed(ClaimgraphError):
    """The dataset violates the shapes or the anchor check; nothing was loaded."""

    def __init__(self, report: object) -> None:
        self.report = report
        super().__init__(str(report))


class QueryRejected(ClaimgraphError):
    """A query that is malformed, or that the public endpoint refuses to run (400)."""


class QueryForbidden(ClaimgraphError):
    """An update sent to the read-only public endpoint (403)."""


class QueryTimeout(ClaimgraphError):
    """A query ran past the configured time limit (503)."""

    @classmethod
    def after(cls, seconds: float, setting: str = "query_timeout") -> QueryTimeout:
        """The error for a query stopped at the time limit of ``seconds`` (the setting that gave it)."""
        return cls(f"the query did not finish within {seconds:g} s ({setting}); it was stopped")


class QueryPreempted(QueryTimeout):
    """A query on a short slot stopped early because others waited (503, with Retry-After); charged
    as a query stopped at the time limit."""

    def __init__(self, message: str, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class ResultTooLarge(ClaimgraphError):
    """A result exceeded the configured size limit."""


class StoreUnavailable(ClaimgraphError):
    """The store cannot be reached or is not ready (503)."""


class EngineFailure(ClaimgraphError):
    """The query engine failed on a query it should have answered (a panic, a crash): 503.

    The failure is contained (the process that ran the query is replaced, the service goes on);
    the same query fails the same way, so clients should not simply retry it.
    """


class ReadOnlyStore(ClaimgraphError):
    """A write was attempted on a store that does not accept writes."""


class NotFound(ClaimgraphError):
    """No resource with this IRI (404)."""


class NotAcceptable(ClaimgraphError):
    """None of the representations on offer is acceptable to the client (406)."""

    def __init__(self, offers: Sequence[str]) -> None:
        self.offers = tuple(offers)
        super().__init__("this resource is available as " + ", ".join(self.offers))


class TooManyQueries(ClaimgraphError):
    """A client past its fair share of query capacity (429, with Retry-After)."""

    def __init__(self, message: str, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class ServerBusy(ClaimgraphError):
    """No query slot came free in time (503, with Retry-After)."""

    def __init__(self, message: str, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class AuthenticationRequired(ClaimgraphError):
    """A write request without a bearer token (401, with WWW-Authenticate: Bearer)."""


class TokenRefused(ClaimgraphError):
    """A write request whose bearer token is not one the operator configured (403)."""


class UploadTooLarge(ClaimgraphError):
    """An upload over a configured limit: body, unpacked size or number of files (413)."""


class UnsupportedUpload(ClaimgraphError):
    """An upload in a media type ingestion does not read (415)."""


class BadUpload(ClaimgraphError):
    """An upload that cannot be read or is unsafe to unpack: broken archive, path traversal, link (400)."""


class ArticleExists(ClaimgraphError):
    """An article with this slug is served already, or belongs to the shipped data (409)."""


class IngestionUnavailable(ClaimgraphError):
    """Ingestion is not configured on this server (no articles_dir or no token), or not possible (503)."""


class ArticleInvalid(ClaimgraphError):
    """The ingested article fails the build: the problems, each with file, line, claim and fault (422)."""

    def __init__(self, problems: Sequence[Mapping[str, object]]) -> None:
        self.problems = tuple(dict(problem) for problem in problems)
        super().__init__(f"the article does not validate: {len(self.problems)} problem(s)")
