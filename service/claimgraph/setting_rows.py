"""Every setting, with its default and help, in one table (service/claimgraph/settings.py reads and
checks them; the README's Configuration table is held to this one by tests/test_settings.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: The prefix of a setting's environment variable: CLAIMGRAPH_QUERY_TIMEOUT for query_timeout.
ENV_PREFIX = "CLAIMGRAPH_"


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    parse: Callable[[str], Any]
    help: str


def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected true/false, got {text!r}")


def _optional_str(text: str) -> str | None:
    return text or None


#: The store backends there are (service/claimgraph/store/backends.py maps each to its factory).
STORE_BACKENDS = ("oxigraph", "sparql")
#: How the `sparql` backend authenticates, and how it sends data to the Graph Store.
SPARQL_AUTH = ("basic", "digest")
SPARQL_LOAD = ("quads", "graphs")
#: The units an engine's per-query time parameter (sparql_time_parameter) may take.
TIME_UNITS = ("ms", "s")

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "base_iri",
        None,
        _optional_str,
        "Canonical base of every minted IRI, for an operator's own dataset. Default: the base the"
        " dataset declares (`dataset: base:` in its context.yaml); never the host a request came in on.",
    ),
    Setting("host", "127.0.0.1", str, "Interface `claimgraph serve` binds to (IPv4 or IPv6)."),
    Setting("port", 5000, int, "Port `claimgraph serve` listens on."),
    Setting(
        "store_backend",
        "oxigraph",
        str,
        "Store backend: `oxigraph` (embedded) or `sparql` (a remote SPARQL 1.1 endpoint, e.g. Oxigraph"
        " server).",
    ),
    Setting(
        "store_path",
        None,
        _optional_str,
        "Directory of the on-disk Oxigraph store; empty means in memory.",
    ),
    Setting(
        "store_read_only",
        False,
        _bool,
        "Open the on-disk store read-only and never load data into it (production workers); "
        "build it first with `claimgraph build-store PATH`.",
    ),
    Setting(
        "store_memory_mb",
        0,
        int,
        "Serve the on-disk store from an in-memory copy, made when a process opens it, if its generation"
        " takes at most this many MB on disk (0: never). RAM: about 0.7-1x that size, in each process.",
    ),
    Setting("sparql_query_url", None, _optional_str, "`sparql` backend: the engine's SPARQL query endpoint."),
    Setting(
        "sparql_update_url",
        None,
        _optional_str,
        "`sparql` backend: its SPARQL Update endpoint; default: sparql_query_url.",
    ),
    Setting(
        "sparql_graph_store_url",
        None,
        _optional_str,
        "`sparql` backend: its SPARQL 1.1 Graph Store endpoint (loading); default: sparql_query_url.",
    ),
    Setting("sparql_user", None, _optional_str, "`sparql` backend: HTTP user, if the engine needs one."),
    Setting(
        "sparql_password",
        None,
        _optional_str,
        "`sparql` backend: HTTP password; set it in the environment, never in a file.",
    ),
    Setting(
        "sparql_auth",
        "basic",
        str,
        "`sparql` backend: how the user and password are sent: `basic` or `digest` (Virtuoso's"
        " /sparql-auth and /sparql-graph-crud-auth).",
    ),
    Setting(
        "sparql_load",
        "quads",
        str,
        "`sparql` backend: how data reaches the Graph Store: `quads` (one N-Quads POST, Oxigraph server,"
        " Fuseki) or `graphs` (each graph by `?graph=`: a PUT, then POSTs of 20,000 triples; Virtuoso).",
    ),
    Setting(
        "sparql_load_stream",
        False,
        _bool,
        "`sparql` backend, sparql_load=quads: send a load's N-Quads as one streamed request, not one"
        " request per 100,000 quads; for a Graph Store that loads without a transaction (Oxigraph"
        " server's `/store?no_transaction`: its bulk loader then runs once per load).",
    ),
    Setting(
        "sparql_read_timeout",
        0.0,
        float,
        "`sparql` backend: seconds one of the service's own reads may take (the read model it builds"
        " at start and after a load); 0: `query_timeout`. Whatever a request asks for keeps"
        " `query_timeout`. The engine's own time limit must allow as much (at 10M triples the read"
        " model's largest query took 142 s on Virtuoso).",
    ),
    Setting(
        "sparql_time_parameter",
        None,
        _optional_str,
        "`sparql` backend: the query parameter the engine reads as a time limit of its own for one query"
        " (`timeout` on Virtuoso). Set, every query carries the time the service gives it"
        " (`query_timeout`, or `sparql_read_timeout` for its own reads), so the engine stops a query the"
        " service has stopped waiting for (a 503) instead of running it on up to its global limit."
        " Unset: none is sent (Oxigraph server has no such parameter).",
    ),
    Setting(
        "sparql_time_unit",
        "ms",
        str,
        "`sparql` backend: the unit of sparql_time_parameter: `ms` (Virtuoso) or `s`.",
    ),
    Setting(
        "virtuoso_sql",
        None,
        _optional_str,
        "`sparql` backend on Virtuoso: its SQL port (`host:port`, e.g. `127.0.0.1:1111`). Set, a load into"
        " an engine holding nothing of ours goes through Virtuoso's bulk loader (`ld_dir`, run by"
        " `isql-vt` as sparql_user) instead of a Graph Store request per graph. Needs virtuoso_load_dir.",
    ),
    Setting(
        "virtuoso_load_dir",
        None,
        _optional_str,
        "`sparql` backend on Virtuoso: a folder this service writes and the engine reads at the same path"
        " (Virtuoso's documentation asks for it in `DirsAllowed`), for the bulk loader's file.",
    ),
    Setting(
        "virtuoso_isql", "isql-vt", str, "`sparql` backend on Virtuoso: the isql command for the bulk loader."
    ),
    Setting(
        "data_dir",
        None,
        _optional_str,
        "Folder with context.yaml and articles/<slug>/ (article.yaml, article.txt, claims.yaml);"
        " default: the bundled data.",
    ),
    Setting(
        "articles_dir",
        None,
        _optional_str,
        "Writable folder of added (ingested) article folders, each <slug>/ with article.yaml, its text and"
        " claims.yaml, served beside the data folder's articles; folders whose name starts with '.' are"
        " ignored (stage there, then rename). Default: none.",
    ),
    Setting(
        "union_default_graph",
        True,
        _bool,
        "Queries without GRAPH see the union of all named graphs.",
    ),
    Setting(
        "proxy_hops",
        0,
        int,
        "Reverse proxies in front of the server whose X-Forwarded-For/-Proto/-Host/-Prefix headers are"
        " trusted (werkzeug's ProxyFix); 0 trusts none. Only changes where HTML links point, never an IRI.",
    ),
    Setting("query_timeout", 10.0, float, "Seconds a public query may run before a 503."),
    Setting(
        "query_workers",
        2,
        int,
        "Sandbox processes per server process that run public queries (killed and replaced at the time"
        " limit), where the server does not run them itself.",
    ),
    Setting(
        "query_cache_bytes",
        33554432,
        int,
        "Memory per server process for the results of public queries, reused while the data is the same,"
        " and as much again for the answers a production worker gives from them; 0 turns the cache off.",
    ),
    Setting(
        "page_cache_bytes",
        33554432,
        int,
        "Memory per server process for rendered pages and read-route answers, reused while the data is"
        " the same; 0 turns the cache off.",
    ),
    Setting("max_query_bytes", 65536, int, "Largest query text or request body accepted (413)."),
    Setting("max_result_rows", 100000, int, "Most solutions or triples a query may return."),
    Setting(
        "max_result_bytes",
        134217728,
        int,
        "Largest serialised result a query may return; a query is stopped as soon as it passes this,"
        " which bounds a worker's memory.",
    ),
    Setting(
        "max_nesting_depth",
        64,
        int,
        "Deepest bracket nesting a query may have (the engine overflows its stack on deep ones).",
    ),
    Setting(
        "request_read_timeout",
        10.0,
        float,
        "Seconds a client has to send a whole request to a production worker; a slower connection is"
        " closed, having held no worker.",
    ),
    Setting(
        "max_pending_connections",
        64,
        int,
        "Incomplete requests one client address may keep open per production worker.",
    ),
    Setting(
        "query_slots",
        0,
        int,
        "Public queries that may run at once, all server processes together; 0: one per gunicorn sync"
        " worker, else `query_workers`.",
    ),
    Setting(
        "long_query_slots",
        1,
        int,
        "Of the query slots, how many may run a query for the whole `query_timeout`; the others stop"
        " theirs at `busy_query_timeout`.",
    ),
    Setting("client_max_queries", 2, int, "Public queries one client may run at once (429 past it)."),
    Setting(
        "client_query_seconds",
        30.0,
        float,
        "Query-seconds one client may use per `client_query_window` (429 with Retry-After past it).",
    ),
    Setting("client_query_window", 60.0, float, "Seconds over which a client's query time is counted."),
    Setting(
        "busy_query_timeout",
        0.5,
        float,
        "Seconds a query may run on a slot other than the long ones (and on the last free slot, which"
        " is kept for light clients).",
    ),
    Setting(
        "busy_query_cpu",
        0.02,
        float,
        "Processor seconds a query on a short slot may use while other requests wait for a production"
        " worker; past them it is stopped (503) and charged as stopped at the time limit. 0: never.",
    ),
    Setting(
        "overload_backlog",
        8,
        int,
        "Connections waiting to be accepted at which a production worker counts the server overloaded:"
        " it then answers clients past `light_client_seconds` 503 at once, before any work. 0: never.",
    ),
    Setting(
        "light_client_seconds",
        5.0,
        float,
        "Query-seconds per window under which a client may take a short query slot (heavier ones get"
        " only the long ones).",
    ),
    Setting(
        "query_queue_wait",
        2.0,
        float,
        "Seconds a query waits for a free slot (threaded servers) before a 503 with Retry-After.",
    ),
    Setting(
        "ingest_tokens",
        None,
        _optional_str,
        "Bearer tokens that may ingest, as `name:token` pairs (comma or new line between them); set it in"
        " the environment. Each token at least 16 characters; the audit trail records the name.",
    ),
    Setting(
        "ingest_tokens_file",
        None,
        _optional_str,
        "A file of `name:token` lines (`#` comments), read again on every write request (rotation without"
        " a restart); with `ingest_tokens`, both count.",
    ),
    Setting(
        "max_ingest_bytes",
        8388608,
        int,
        "Largest request body of an ingestion (an archive or a JSON document; 413 past it, refused from"
        " Content-Length before the body is read).",
    ),
    Setting(
        "max_ingest_unpacked_bytes",
        33554432,
        int,
        "Most bytes an uploaded archive may unpack to, all files together (413 past it: zip bombs).",
    ),
    Setting(
        "max_ingest_files",
        32,
        int,
        "Most files (and folders) an uploaded archive or document may hold (413 past it).",
    ),
    Setting(
        "trust_forwarded_for",
        False,
        _bool,
        "Identify clients by the first X-Forwarded-For hop (only behind a proxy that sets it), not the"
        " peer address.",
    ),
)
