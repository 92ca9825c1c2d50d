"""The 503 a gunicorn worker writes itself at the time limit is the app's own answer, byte for byte."""

from __future__ import annotations

from claimgraph.errors import QueryTimeout
from claimgraph.limits.runner import runs_queries_itself, timeout_response
from werkzeug.test import EnvironBuilder

MESSAGE = b"Service Unavailable: the query did not finish within 2 s (query_timeout); it was stopped\n"


def split(raw: bytes) -> tuple[str, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    return status, dict(line.split(": ", 1) for line in lines), body


def environ(method: str = "GET", **kwargs: object) -> dict[str, object]:
    return EnvironBuilder(path="/sparql", method=method, **kwargs).get_environ()  # type: ignore[arg-type]


def test_the_answer_is_the_apps_503_with_its_protocol_headers(data_client):
    query = {"query": "SELECT * WHERE { ?s ?p ?o }"}
    answer = timeout_response(data_client.application, environ(query_string=query), QueryTimeout.after(2))
    status, headers, body = split(answer)
    assert status == "HTTP/1.1 503 SERVICE UNAVAILABLE"
    assert body == MESSAGE
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert headers["Content-Length"] == str(len(MESSAGE))
    assert headers["Access-Control-Allow-Origin"] == "*"  # CORS, from the app's after-request hook
    assert headers["Vary"] == "Accept"
    assert headers["Connection"] == "close"  # the worker ends: the client must not wait for more
    assert headers["Date"].endswith(" GMT")


def test_the_answer_matches_what_the_sandbox_path_answers(loaded_store, iris):
    from claimgraph import create_app
    from live_server import slow_query

    app = create_app({"base_iri": iris.base, "query_timeout": 0.5}, store=loaded_store)
    query = {"query": slow_query()}
    through_flask = app.test_client().get("/sparql", query_string=query)
    assert through_flask.status_code == 503
    status, headers, body = split(timeout_response(app, environ(query_string=query), QueryTimeout.after(0.5)))
    assert status == "HTTP/1.1 " + through_flask.status
    assert body == through_flask.data
    assert {name: headers[name] for name, _ in through_flask.headers} == dict(through_flask.headers)


def test_a_post_query_gets_the_same_answer(data_client):
    form = environ("POST", data={"query": "ASK {}"})
    _, headers, body = split(timeout_response(data_client.application, form, QueryTimeout.after(2)))
    assert body == MESSAGE
    assert headers["Access-Control-Allow-Origin"] == "*"


def test_a_head_request_gets_the_headers_without_the_body(data_client):
    head = environ("HEAD", query_string={"query": "ASK {}"})
    status, headers, body = split(timeout_response(data_client.application, head, QueryTimeout.after(2)))
    assert status == "HTTP/1.1 503 SERVICE UNAVAILABLE"
    assert body == b""
    assert headers["Content-Length"] == str(len(MESSAGE))


def test_outside_gunicorn_queries_are_not_run_in_the_serving_process():
    # The test process is no gunicorn worker: public queries go to the sandbox here.
    assert runs_queries_itself() is False
