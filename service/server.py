"""`claimgraph serve`: the zero-set-up server (werkzeug, threaded) on an embedded store."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from service.settings import Settings


def serve(settings: Settings) -> int:
    from werkzeug.serving import run_simple

    from service import create_app

    app = create_app(_as_config(settings))
    print(f"claimgraph: serving {settings.base} (SPARQL at {settings.base}sparql)", flush=True)
    run_simple(settings.host, settings.port, app, threaded=True, use_reloader=False)
    return 0


def _as_config(settings: Settings) -> dict[str, object]:
    from dataclasses import asdict

    return asdict(settings)
