"""A gunicorn worker signals its arbiter while its app starts (the read model of a large store takes
longer than gunicorn's 30 s timeout at 10M triples), while a request builds the read model again
(the store's content changed: another front end's load, another worker's ingestion) and while an
ingestion runs; nowhere else."""

from __future__ import annotations

import time

import pytest
from claimgraph import create_app
from claimgraph.limits import heartbeat
from claimgraph.store.oxigraph import OxigraphStore
from live_server import protocol_nquads

BASE = "http://claimgraph.test/"


class SlowStore(OxigraphStore):
    """Each query the read model asks takes a little longer, as on a large store."""

    def select(self, query: str) -> list:  # type: ignore[override]
        time.sleep(0.02)
        return super().select(query)


@pytest.fixture
def beats(monkeypatch) -> list[float]:
    signalled: list[float] = []
    monkeypatch.setattr(heartbeat, "INTERVAL", 0.01)
    monkeypatch.setattr(heartbeat, "_notify", lambda: signalled.append(time.monotonic()))
    return signalled


def test_the_worker_signals_while_its_app_builds_the_read_model(beats):
    store = SlowStore(base_iri=BASE)
    store.replace_all(protocol_nquads(BASE))
    started = time.monotonic()
    app = create_app({"base_iri": BASE}, store=store)
    built = time.monotonic()
    assert app.test_client().get("/claims").status_code == 200
    during = [t for t in beats if started <= t <= built]
    assert len(during) >= 2
    after = len(beats)
    time.sleep(0.05)
    assert len(beats) == after  # the signalling stopped with the start


def test_the_worker_signals_while_a_request_builds_the_read_model_again(beats):
    """Another front end loaded new data: the next request in each worker builds the model again,
    which took longer than gunicorn's 30 s at 1M triples on a remote engine, and the arbiter killed
    the worker mid-request."""
    store = SlowStore(base_iri=BASE)
    store.replace_all(protocol_nquads(BASE))
    app = create_app({"base_iri": BASE}, store=store)
    client = app.test_client()
    assert client.get("/claims").status_code == 200
    time.sleep(0.05)
    before = len(beats)
    extra = b'<http://claimgraph.test/x> <http://claimgraph.test/p> "o" <http://claimgraph.test/graphs/x> .\n'
    store.replace_all(protocol_nquads(BASE) + extra)
    started = time.monotonic()
    assert client.get("/claims").status_code == 200
    answered = time.monotonic()
    assert len([t for t in beats[before:] if started <= t <= answered]) >= 2
    after = len(beats)
    assert client.get("/claims").status_code == 200  # the model is current again: no build, no signal
    time.sleep(0.05)
    assert len(beats) == after
