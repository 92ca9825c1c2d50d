"""`claimgraph serve`: the zero-set-up server (werkzeug, threaded); `build-store` for production."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from service.settings import Settings


def serve(settings: Settings) -> int:
    from werkzeug.serving import run_simple

    from service import create_app

    app = create_app(_as_config(settings))
    where = f"store {settings.store_path}" if settings.store_path else "in-memory store"
    print(f"claimgraph: serving {settings.base} (SPARQL at {settings.base}sparql, {where})", flush=True)
    run_simple(settings.host, settings.port, app, threaded=True, use_reloader=False)
    return 0


def build_store(settings: Settings) -> int:
    """Bring the on-disk store up to date with the data; a no-op when it already is."""
    from service.namespaces import Iris
    from service.store import open_store
    from service.store.loading import ensure_current

    store = open_store(settings.replace(query_workers=1))
    try:
        loaded = ensure_current(store, Iris(settings.base), settings.data_dir)
        stats = store.stats()
    finally:
        store.close()
    action = "built" if loaded else "already current:"
    print(
        f"claimgraph: {action} {settings.store_path} ({stats.quads} quads, {stats.named_graphs} named graphs,"
        f" data version {(stats.data_version or '?')[:12]})",
        flush=True,
    )
    return 0


def _as_config(settings: Settings) -> dict[str, object]:
    from dataclasses import asdict

    return asdict(settings)
