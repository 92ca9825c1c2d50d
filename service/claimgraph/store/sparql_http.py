"""The remote store's HTTP: credentials (Basic, or Digest as Virtuoso's /sparql-auth wants), the
requests that change the engine (updates, Graph Store loads), and what each failure means.

A Digest challenge is remembered: after the first 401, every request of this client carries the
answer (with a fresh nonce count), so a load of many graphs does not send each body twice.
"""

from __future__ import annotations

import http.client
import math
import re
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from base64 import b64encode
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from claimgraph.errors import QueryRejected, QueryTimeout, ResultTooLarge, StoreUnavailable
from claimgraph.setting_rows import TIME_UNITS
from claimgraph.store.virtuoso_bulk import VirtuosoBulk

T = TypeVar("T")
READ_CHUNK = 1 << 16
#: How much of an engine's error text is kept (Virtuoso repeats the whole request after it).
MESSAGE_CHARS = 1000
#: An xsd:boolean as Virtuoso writes it in SPARQL JSON results: "0" or "1" (its XML says false/true).
_JSON_BOOLEAN = re.compile(rb'("datatype": ?"http://www.w3.org/2001/XMLSchema#boolean", ?"value": ?")([01])"')


@dataclass(frozen=True)
class Endpoint:
    """Where the engine is and how to reach it."""

    query_url: str
    update_url: str
    graph_store_url: str
    user: str | None = None
    password: str | None = None
    timeout: float = 10.0
    auth: str = "basic"  # or "digest" (Virtuoso)
    load: str = "quads"  # one N-Quads POST; or "graphs": each graph by ?graph= (Virtuoso needs it)
    bulk: VirtuosoBulk | None = None  # Virtuoso's bulk loader, for an initial load (load="graphs")
    stream: bool = False  # load="quads": a load's documents as one streamed request
    #: Seconds one of the store's own reads may take (select, ask, construct: the read model, counts),
    #: where public queries (``sparql``) have ``timeout``; None: ``timeout``.
    read_timeout: float | None = None
    #: A query parameter the engine takes as a time limit of its own for one query, sent with each
    #: query as the time the store gives it (``timeout`` or ``read_timeout``), in ``time_unit``
    #: (``ms`` or ``s``): the engine then stops a query the store has stopped waiting for. None: none.
    time_parameter: str | None = None
    time_unit: str = "ms"

    @property
    def read_seconds(self) -> float:
        return self.read_timeout or self.timeout

    def time_limit(self, seconds: float) -> list[tuple[str, str]]:
        """The engine's own time limit for one query the store waits ``seconds`` for, as query
        parameters: the same time, rounded up to whole units. Virtuoso answers about a second after
        it (its incomplete answer, refused as a time-out), so the store has given up first; what
        matters is that the engine stops then, not at its global limit.

        >>> Endpoint("q", "u", "g", time_parameter="timeout").time_limit(2.5)
        [('timeout', '2500')]
        >>> Endpoint("q", "u", "g", time_parameter="timeout", time_unit="s").time_limit(2.5)
        [('timeout', '3')]
        >>> Endpoint("q", "u", "g").time_limit(2.5)
        []
        """
        if not self.time_parameter:
            return []
        amount = math.ceil(seconds * 1000) if self.time_unit == "ms" else math.ceil(seconds)
        return [(self.time_parameter, str(max(1, amount)))]

    def __post_init__(self) -> None:
        if self.stream and self.load != "quads":
            raise ValueError("a streamed load is N-Quads: load must be quads")
        if self.stream and self.auth == "digest":
            raise ValueError("a streamed load is sent once, so cannot answer a Digest challenge: use basic")
        if self.bulk is not None and self.load != "graphs":
            raise ValueError("Virtuoso's bulk loader keeps the union in a graph: load must be graphs")
        if self.time_unit not in TIME_UNITS:
            raise ValueError(f"the time parameter's unit must be one of {list(TIME_UNITS)}")


class Http:
    """Requests to one engine with one set of credentials (``auth``: ``basic`` or ``digest``)."""

    def __init__(self, user: str | None, password: str | None, auth: str, timeout: float) -> None:
        self.user, self.password, self.auth, self.timeout = user, password or "", auth, timeout
        self._challenge: dict[str, str] | None = None
        self._lock = threading.Lock()
        self._manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        self._digest = urllib.request.HTTPDigestAuthHandler(self._manager)

    def send(self, method: str, url: str, body: bytes, content_type: str, accept: str = "*/*") -> bytes:
        """The body of the engine's answer to one request; failures as the store's errors."""
        return translate(lambda: self._open(method, url, body, content_type, accept), self.timeout)

    def stream(self, method: str, url: str, chunks: Iterator[bytes], content_type: str) -> bytes:
        """One request whose body is ``chunks``, sent as they are made (chunked transfer coding)."""
        return translate(lambda: self._open(method, url, chunks, content_type, "*/*"), self.timeout)

    def get(self, url: str, accept: str) -> bytes:
        """A GET (a Graph Store read)."""
        return translate(lambda: self._open("GET", url, None, None, accept), self.timeout)

    def update(self, url: str, update: str) -> bytes:
        """A SPARQL 1.1 Update request (form-encoded POST)."""
        body = urllib.parse.urlencode({"update": update}).encode()
        return self.send("POST", url, body, "application/x-www-form-urlencoded", "text/plain, */*")

    def _open(
        self,
        method: str,
        url: str,
        body: bytes | Iterator[bytes] | None,
        content_type: str | None,
        accept: str,
    ) -> bytes:
        for attempt in range(2):
            request = urllib.request.Request(url, data=body, method=method)
            if content_type:
                request.add_header("Content-Type", content_type)
            request.add_header("Accept", accept)
            self._authorize(request)
            try:
                # A load may take longer than a query: it gets ten times the query limit.
                with urllib.request.urlopen(request, timeout=self.timeout * 10) as response:
                    return bytes(response.read())
            except urllib.error.HTTPError as exc:
                challenge = exc.headers.get("WWW-Authenticate", "")
                if exc.code != 401 or attempt or not self.user or not challenge.lower().startswith("digest"):
                    raise
                with self._lock:  # a new (or stale) nonce: answer it, once
                    self._challenge = parse_challenge(challenge)
        raise AssertionError("unreachable")  # pragma: no cover

    def _authorize(self, request: urllib.request.Request) -> None:
        if not self.user:
            return
        if self.auth == "basic":
            token = b64encode(f"{self.user}:{self.password}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
            return
        with self._lock:
            if self._challenge is None:
                return  # the first request learns the challenge from its 401
            self._manager.add_password(None, request.full_url, self.user, self.password)
            answer = self._digest.get_authorization(request, self._challenge)
        if answer:
            request.add_header("Authorization", f"Digest {answer}")


def read_capped(response: Any, max_bytes: int | None, timeout: float) -> bytes:
    """The body of ``response``, refused (ResultTooLarge) past ``max_bytes`` as it arrives."""
    chunks: list[bytes] = []
    size = 0
    while True:
        try:
            chunk = response.read(READ_CHUNK)
        except TimeoutError as exc:
            raise QueryTimeout(f"the SPARQL endpoint did not answer within {timeout} s") from exc
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if max_bytes is not None and size > max_bytes:
            response.close()
            raise ResultTooLarge(
                f"the result is larger than {max_bytes} bytes (max_result_bytes); add a LIMIT"
            )
        chunks.append(chunk)


def parse_challenge(header: str) -> dict[str, str]:
    """The fields of a ``WWW-Authenticate: Digest …`` header.

    >>> parse_challenge('Digest realm="SPARQL", nonce="abc", qop="auth"')["nonce"]
    'abc'
    """
    text = header.split(None, 1)[1] if " " in header else ""
    return urllib.request.parse_keqv_list(urllib.request.parse_http_list(text))


def translate(call: Callable[[], T], timeout: float) -> T:
    """``call()``, its failures as the store's errors: an engine's 400 QueryRejected with its text, a
    timeout QueryTimeout, anything else StoreUnavailable."""
    late = f"the SPARQL endpoint did not answer within {timeout} s"
    try:
        return call()
    except SPARQLWrapperException as exc:
        text = str(exc)
        if "400" in text or "QueryBadFormed" in type(exc).__name__:
            raise QueryRejected(upstream_text(text)) from exc
        if engine_timeout(text):
            raise QueryTimeout(
                f"the SPARQL engine stopped the query at its time limit: {upstream_text(text)}"
            ) from exc
        raise StoreUnavailable(f"the SPARQL endpoint failed: {upstream_text(text)}") from exc
    except urllib.error.HTTPError as exc:
        body = exc.read().decode("utf-8", "replace")
        if exc.code in (400, 406, 415):
            raise QueryRejected(body.strip()[:MESSAGE_CHARS] or exc.reason) from exc
        if engine_timeout(body):
            raise QueryTimeout(
                f"the SPARQL engine stopped the query at its time limit: {body.strip()}"
            ) from exc
        raise StoreUnavailable(
            f"the SPARQL endpoint answered {exc.code}: {body.strip()[:MESSAGE_CHARS]}"
        ) from exc
    except TimeoutError as exc:
        raise QueryTimeout(late) from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (TimeoutError, socket.timeout)):
            raise QueryTimeout(late) from exc
        raise StoreUnavailable(f"the SPARQL endpoint cannot be reached: {exc.reason}") from exc
    except OSError as exc:
        raise StoreUnavailable(f"the SPARQL endpoint cannot be reached: {exc}") from exc


def upstream_text(text: str) -> str:
    """The engine's own message out of a SPARQLWrapper exception's text (its start: MESSAGE_CHARS)."""
    marker = "Response:\n"
    return (text.split(marker, 1)[1].strip() if marker in text else text)[:MESSAGE_CHARS]


#: How Virtuoso says a query ran (or would run) past its limits: the transaction timed out (SR171),
#: or the estimated time exceeds MaxQueryCostEstimationTime (42000 ... "exceeds the limit").
_ENGINE_TIMEOUTS = ("SR171", "S1T00", "estimated execution time")


def engine_timeout(text: str) -> bool:
    """Whether an engine's error text says it stopped the query at its time limit."""
    return any(marker in text for marker in _ENGINE_TIMEOUTS)


def complete(response: Any) -> Any:
    """``response``, unless the engine says it cut the result short (Virtuoso answers 200 with the
    rows it had: ``X-SPARQL-MaxRows`` at its ResultSetMaxRows, ``X-SQL-State: S1TAT`` at its
    MaxQueryExecutionTime): a partial answer is never passed on as the answer."""
    headers = response.headers
    if headers.get("X-SQL-State", "").upper() == "S1TAT":
        response.close()
        raise QueryTimeout(
            f"the SPARQL engine stopped the query at its time limit: {headers.get('X-SQL-Message', '')}"
        )
    if headers.get("X-SPARQL-MaxRows"):
        response.close()
        raise ResultTooLarge(
            f"the result is larger than the SPARQL engine's own limit of {headers['X-SPARQL-MaxRows']} rows;"
            " add a LIMIT"
        )
    return response


def canonical_booleans(body: bytes) -> bytes:
    """SPARQL JSON results with each xsd:boolean in its canonical form, true or false (Virtuoso
    writes 1 and 0, valid forms of the same values, which rdflib's terms would tell apart).

    >>> canonical_booleans(b'{"datatype": "http://www.w3.org/2001/XMLSchema#boolean", "value": "0"}')
    b'{"datatype": "http://www.w3.org/2001/XMLSchema#boolean", "value": "false"}'
    """
    if b"XMLSchema#boolean" not in body:
        return body
    return _JSON_BOOLEAN.sub(lambda m: m.group(1) + (b'true"' if m.group(2) == b"1" else b'false"'), body)


def allow_headers(count: int) -> None:
    """Let a response carry ``count`` headers more than http.client's 100: Virtuoso echoes every
    graph of a request's dataset (X-SPARQL-default-graph, X-SPARQL-named-graph), one header each."""
    needed = 100 + count
    if needed > http.client._MAXHEADERS:  # type: ignore[attr-defined]
        http.client._MAXHEADERS = needed  # type: ignore[attr-defined]
