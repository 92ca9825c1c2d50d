"""The settings a process runs with: defaults, then ``CLAIMGRAPH_*`` environment variables, then
the mapping passed to ``create_app(config=...)``, validated once, at start: a bad value fails fast
with a message naming the setting. What each setting is, its default and its help, is the table in
service/claimgraph/setting_rows.py; a setting is one row there and one field here.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from claimgraph import paths
from claimgraph.setting_rows import (
    ENV_PREFIX,
    SETTINGS,
    SPARQL_AUTH,
    SPARQL_LOAD,
    STORE_BACKENDS,
    TIME_UNITS,
    Setting,
)
from claimgraph.tokens import TokenConfigError, load_tokens

_BY_NAME = {s.name: s for s in SETTINGS}
#: What an engine's per-query time parameter may be called (sent as a form field, never formatted in).
PARAMETER_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,63}")


@dataclass(frozen=True)
class Settings:
    base_iri: str | None
    host: str
    port: int
    store_backend: str
    store_path: str | None
    store_read_only: bool
    store_memory_mb: int
    sparql_query_url: str | None
    sparql_update_url: str | None
    sparql_graph_store_url: str | None
    sparql_user: str | None
    sparql_password: str | None
    sparql_auth: str
    sparql_load: str
    sparql_load_stream: bool
    sparql_read_timeout: float
    sparql_time_parameter: str | None
    sparql_time_unit: str
    virtuoso_sql: str | None
    virtuoso_load_dir: str | None
    virtuoso_isql: str
    data_dir: str | None
    articles_dir: str | None
    union_default_graph: bool
    proxy_hops: int
    query_timeout: float
    query_workers: int
    query_cache_bytes: int
    page_cache_bytes: int
    max_query_bytes: int
    max_result_rows: int
    max_result_bytes: int
    max_nesting_depth: int
    request_read_timeout: float
    max_pending_connections: int
    query_slots: int
    long_query_slots: int
    client_max_queries: int
    client_query_seconds: float
    client_query_window: float
    busy_query_timeout: float
    busy_query_cpu: float
    overload_backlog: int
    light_client_seconds: float
    query_queue_wait: float
    ingest_tokens: str | None = field(repr=False)
    ingest_tokens_file: str | None
    max_ingest_bytes: int
    max_ingest_unpacked_bytes: int
    max_ingest_files: int
    trust_forwarded_for: bool

    @property
    def base(self) -> str:
        """The canonical base IRI, always ending with '/': ``base_iri``, else the dataset's own."""
        base = self.base_iri or declared_base(self.data_dir)
        return base if base.endswith("/") else base + "/"

    @classmethod
    def from_mapping(
        cls, config: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
    ) -> Settings:
        """Defaults, then CLAIMGRAPH_* variables, then ``config``; raises ValueError on a bad value."""
        values: dict[str, Any] = {s.name: s.default for s in SETTINGS}
        env = os.environ if environ is None else environ
        for setting in SETTINGS:
            raw = env.get(ENV_PREFIX + setting.name.upper())
            if raw is not None:
                values[setting.name] = _parse(setting, raw)
        for name, value in (config or {}).items():
            if name not in _BY_NAME:
                raise ValueError(f"unknown setting {name!r}")
            values[name] = _parse(_BY_NAME[name], value) if isinstance(value, str) else value
        settings = cls(**values)
        settings.check()
        return settings

    def check(self) -> None:
        if self.store_backend not in STORE_BACKENDS:
            raise ValueError(f"store_backend {self.store_backend!r} is not one of {sorted(STORE_BACKENDS)}")
        for name in (
            "query_timeout",
            "query_workers",
            "max_query_bytes",
            "max_result_rows",
            "max_result_bytes",
            "max_nesting_depth",
            "request_read_timeout",
            "max_pending_connections",
            "long_query_slots",
            "client_max_queries",
            "client_query_seconds",
            "client_query_window",
            "busy_query_timeout",
            "max_ingest_bytes",
            "max_ingest_unpacked_bytes",
            "max_ingest_files",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        for name in (
            "query_slots",
            "sparql_read_timeout",
            "query_queue_wait",
            "light_client_seconds",
            "busy_query_cpu",
            "overload_backlog",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.store_memory_mb < 0:
            raise ValueError("store_memory_mb must be 0 (never) or positive")
        if self.query_cache_bytes < 0 or self.page_cache_bytes < 0:
            raise ValueError("query_cache_bytes and page_cache_bytes must be 0 (off) or positive")
        if not self.base.startswith(("http://", "https://")):
            raise ValueError(f"base_iri must be an http(s) IRI, got {self.base!r}")
        if self.proxy_hops < 0:
            raise ValueError("proxy_hops must be 0 or more")
        if self.sparql_auth not in SPARQL_AUTH:
            raise ValueError(f"sparql_auth {self.sparql_auth!r} is not one of {list(SPARQL_AUTH)}")
        if self.sparql_time_unit not in TIME_UNITS:
            raise ValueError(f"sparql_time_unit {self.sparql_time_unit!r} is not one of {list(TIME_UNITS)}")
        if self.sparql_time_parameter is not None and not PARAMETER_NAME.fullmatch(
            self.sparql_time_parameter
        ):
            raise ValueError(
                f"sparql_time_parameter {self.sparql_time_parameter!r} is not a query parameter name"
            )
        if self.sparql_load not in SPARQL_LOAD:
            raise ValueError(f"sparql_load {self.sparql_load!r} is not one of {list(SPARQL_LOAD)}")
        if self.store_backend == "sparql" and not self.sparql_query_url:
            raise ValueError("store_backend sparql needs sparql_query_url")
        if self.virtuoso_sql and not (self.virtuoso_load_dir and self.sparql_user):
            raise ValueError("virtuoso_sql (the bulk loader) needs virtuoso_load_dir and sparql_user")
        if self.sparql_load_stream and self.sparql_load != "quads":
            raise ValueError("sparql_load_stream streams N-Quads: sparql_load must be quads")
        if self.sparql_load_stream and self.sparql_auth == "digest":
            raise ValueError("sparql_load_stream sends its body once, so cannot answer Digest: use basic")
        if self.virtuoso_sql and self.sparql_load != "graphs":
            raise ValueError("virtuoso_sql (the bulk loader) is for Virtuoso: sparql_load must be graphs")
        try:
            load_tokens(self.ingest_tokens, self.ingest_tokens_file)
        except TokenConfigError as exc:
            raise ValueError(f"ingestion tokens: {exc}") from None
        if self.store_read_only and not self.store_path and self.store_backend == "oxigraph":
            raise ValueError(
                "store_read_only needs store_path (an on-disk store built by `claimgraph build-store`)"
            )

    def replace(self, **changes: Any) -> Settings:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Settings(**values)


@functools.lru_cache(maxsize=8)
def declared_base(data_dir: str | None) -> str:
    """The canonical base IRI the dataset in ``data_dir`` declares (``dataset: base:`` in its
    context.yaml); raises ValueError when it declares none."""
    context = Path(data_dir) if data_dir else paths.data_dir()
    context = context / "context.yaml"
    try:
        with context.open(encoding="utf-8") as file:
            document = yaml.safe_load(file)
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"cannot read the dataset's base IRI from {context}: {exc}") from exc
    dataset = document.get("dataset") if isinstance(document, dict) else None
    base = dataset.get("base") if isinstance(dataset, dict) else None
    if not isinstance(base, str) or not base:
        raise ValueError(
            f"{context} declares no base IRI (`dataset: base:`); declare one, or set base_iri"
            " (CLAIMGRAPH_BASE_IRI, --base-iri)"
        )
    return base


def _parse(setting: Setting, raw: str) -> Any:
    try:
        return setting.parse(raw)
    except ValueError as exc:
        raise ValueError(f"setting {setting.name}: {exc}") from exc
