"""Every setting, with its default and help, in one table.

Precedence: defaults, then ``CLAIMGRAPH_*`` environment variables, then the
mapping passed to ``create_app(config=...)``. Validated once, at start: a bad
value fails fast with a message naming the setting.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from claimgraph import paths


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
STORE_BACKENDS = ("oxigraph",)

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
    Setting("store_backend", "oxigraph", str, "Store backend: `oxigraph` (embedded)."),
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
        "data_dir",
        None,
        _optional_str,
        "Folder with article.txt, context.yaml and claims.yaml; default: the bundled data.",
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
)

_BY_NAME = {s.name: s for s in SETTINGS}
ENV_PREFIX = "CLAIMGRAPH_"


@dataclass(frozen=True)
class Settings:
    base_iri: str | None
    host: str
    port: int
    store_backend: str
    store_path: str | None
    store_read_only: bool
    data_dir: str | None
    union_default_graph: bool
    proxy_hops: int
    query_timeout: float
    query_workers: int
    max_query_bytes: int
    max_result_rows: int
    max_result_bytes: int
    max_nesting_depth: int

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
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        if not self.base.startswith(("http://", "https://")):
            raise ValueError(f"base_iri must be an http(s) IRI, got {self.base!r}")
        if self.proxy_hops < 0:
            raise ValueError("proxy_hops must be 0 or more")
        if self.store_read_only and not self.store_path:
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
