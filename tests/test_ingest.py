"""Ingestion over HTTP against real server processes (issue 12, item 3).

The README's production command (gunicorn with claimgraph's config, three sync workers opening the
on-disk store read-only, the access log on) with ingestion configured: every status of the write
routes, with requests, curl and a raw socket; a failed upload changes nothing; two uploads at once
both land; after a change every worker serves the new content; the audit trail records who by
token name and is not public; the shipped article's data is unchanged; `claimgraph ingest` changes
the running server's store; and `claimgraph serve --production` started on the same store serves
what was ingested, and a change made through it reaches every worker of both servers.

The test articles are tests/data/ingest/ (written for these tests; their headers say so).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from live_server import BIN, free_port, running

pytestmark = pytest.mark.integration

ARTICLES = Path(__file__).resolve().parent / "data" / "ingest"
TOKEN = "test-token-alice-0123456789abcdef"
OTHER_TOKEN = "test-token-bob-0123456789abcdefgh"
BASE = "https://w3id.org/claimgraph/"
SHIPPED = "russians-in-serbia"
#: The body limit the server runs with (small, so a 413 is cheap to provoke).
MAX_BYTES = 200_000


def auth(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def folder_files(slug: str, variant: str | None = None) -> dict[str, bytes]:
    folder = ARTICLES / (variant or slug)
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


def zipped(slug: str, files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(f"{slug}/{name}", data)
    return buffer.getvalue()


def tar_gz(slug: str, files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(f"{slug}/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


class Server:
    def __init__(self, base: str, folder: Path, env: dict[str, str]) -> None:
        self.base, self.folder, self.env = base, folder, env

    @property
    def articles_dir(self) -> Path:
        return self.folder / "articles"

    def version(self) -> str:
        return requests.get(self.base + "health", timeout=30).json()["data_version"]

    def claims_of(self, article_iri: str) -> int:
        query = (
            "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { GRAPH ?g { ?c a schema:Claim ;"
            f" schema:appearance <{article_iri}> }} }}"
        )
        answer = requests.get(
            self.base + "sparql",
            params={"query": query},
            headers={"Accept": "application/sparql-results+json", "Connection": "close"},
            timeout=30,
        )
        answer.raise_for_status()
        return int(answer.json()["results"]["bindings"][0]["n"]["value"])

    def post(self, body: bytes, content_type: str, token: str = TOKEN, **params: str) -> requests.Response:
        headers = {**auth(token), "Content-Type": content_type}
        return requests.post(
            self.base + "api/articles", data=body, headers=headers, params=params, timeout=300
        )


def environment(folder: Path, port: int) -> dict[str, str]:
    tokens = folder / "tokens"
    tokens.write_text(f"# written by tests/test_ingest.py\nbob:{OTHER_TOKEN}\n", encoding="utf-8")
    return {
        "CLAIMGRAPH_STORE_PATH": str(folder / "store"),
        "CLAIMGRAPH_ARTICLES_DIR": str(folder / "articles"),
        "CLAIMGRAPH_INGEST_TOKENS": f"alice:{TOKEN}",
        "CLAIMGRAPH_INGEST_TOKENS_FILE": str(tokens),
        "CLAIMGRAPH_MAX_INGEST_BYTES": str(MAX_BYTES),
        "CLAIMGRAPH_PORT": str(port),
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("ingest")
    port = free_port()
    env = environment(folder, port)
    built = subprocess.run(
        [str(BIN / "claimgraph"), "build-store", env["CLAIMGRAPH_STORE_PATH"]],
        env={**os.environ, **env},
        capture_output=True,
        timeout=600,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    command = [
        str(BIN / "gunicorn"),
        "--config",
        "python:claimgraph.gunicorn_conf",
        "--workers",
        "3",
        "--bind",
        f"127.0.0.1:{port}",
        "--access-logfile",
        str(folder / "access.log"),
        "claimgraph:create_app()",
    ]
    served = {**env, "CLAIMGRAPH_STORE_READ_ONLY": "true"}
    with running(command, served, port, folder / "gunicorn.log") as base:
        yield Server(base, folder, served)


ALPHA, BETA = "test-ingest-alpha", "test-ingest-beta"
ALPHA_CLAIMS, ALPHA_V2_CLAIMS, BETA_CLAIMS = 3, 2, 2
ALPHA_TITLE, ALPHA_WORD = "visits to an invented library", "Northbrook"
#: Breaks test-ingest-alpha: its percentage (c003) loses its population, which SHACL requires.
INVALID_QUOTE = ("          population: northbrook-library-visitors\n", "")


def article_iri(slug: str) -> str:
    return f"{BASE}articles/{slug}"


def raw_request(server: Server, head: str) -> str:
    """Send ``head`` (request line and headers, no body) on a socket; the status line of the answer."""
    port = int(server.base.rstrip("/").rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head.encode("latin-1"))
        answer = sock.recv(65536).decode("latin-1")
    return answer.split("\r\n", 1)[0]


def test_the_write_routes_need_a_token_they_accept(server: Server):
    body = zipped(ALPHA, folder_files(ALPHA))
    missing = requests.post(
        server.base + "api/articles", data=body, headers={"Content-Type": "application/zip"}
    )
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert missing.json()["title"] == "Unauthorized"
    wrong = server.post(body, "application/zip", token=TOKEN[:-1] + "X")
    assert wrong.status_code == 403
    assert TOKEN[:-1] not in wrong.text
    assert requests.get(server.base + "api/audit", timeout=30).status_code == 401
    for method in ("PUT", "DELETE"):
        basic = {"Authorization": "Basic eHl6"}  # another scheme is no bearer token
        answer = requests.request(method, server.base + f"api/articles/{ALPHA}", headers=basic)
        assert answer.status_code == 401
    # curl, as an operator would, with the token of the file's holder
    result = subprocess.run(
        ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", f"Authorization: Bearer {OTHER_TOKEN}",
         server.base + "api/audit"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert result.stdout == "200"
    assert "Access-Control-Allow-Origin" not in missing.headers  # never offered to other origins


def test_a_body_too_large_is_refused_before_it_is_read(server: Server):
    head = (
        "POST /api/articles HTTP/1.1\r\nHost: x\r\nContent-Type: application/zip\r\n"
        f"Authorization: Bearer {TOKEN}\r\nContent-Length: 1000000000\r\n\r\n"
    )
    assert raw_request(server, head).split()[1] == "413"  # answered with no byte of the body sent
    chunked = server.post(b"\0" * (MAX_BYTES + 1), "application/zip")
    assert chunked.status_code == 413


def test_wrong_types_unsafe_archives_and_bombs(server: Server):
    assert server.post(b"slug: x", "text/yaml").status_code == 415
    traversal = zipped(ALPHA, {"../../escape.yaml": b"x"})
    answer = server.post(traversal, "application/zip")
    assert answer.status_code == 400
    assert "outside the article folder" in answer.json()["detail"]
    link = io.BytesIO()
    with tarfile.open(fileobj=link, mode="w:gz") as archive:
        member = tarfile.TarInfo(f"{ALPHA}/article.yaml")
        member.type, member.linkname = tarfile.SYMTYPE, "/etc/passwd"
        archive.addfile(member)
    assert server.post(link.getvalue(), "application/gzip").status_code == 400
    bomb = zipped(ALPHA, {"article.txt": b"\0" * (64 << 20)})  # 64 MB of zeros in ~64 KB
    assert len(bomb) < MAX_BYTES
    assert server.post(bomb, "application/zip").status_code == 413
    assert not (server.articles_dir / ALPHA).exists()


def test_a_failed_upload_changes_nothing(server: Server):
    before = (server.version(), sorted(os.listdir(server.folder / "store")), _listing(server))
    files = folder_files(ALPHA)
    claims = files["claims.yaml"].decode()
    broken = claims.replace(INVALID_QUOTE[0], INVALID_QUOTE[1], 1)
    assert broken != claims
    answer = server.post(zipped(ALPHA, {**files, "claims.yaml": broken.encode()}), "application/zip")
    assert answer.status_code == 422, answer.text
    report = answer.json()
    assert report["status"] == 422
    [problem] = [p for p in report["problems"] if p["claim"] == "c003"]
    assert problem["file"] == f"{ALPHA}/claims.yaml"
    assert problem["line"] == claims.splitlines().index("  - id: c003") + 1
    assert "population" in problem["fault"]
    after = (server.version(), sorted(os.listdir(server.folder / "store")), _listing(server))
    assert after == before
    assert server.claims_of(article_iri(ALPHA)) == 0


def _listing(server: Server) -> list[str]:
    root = server.articles_dir
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if ".staging" not in p.parts)


SHIPPED_DUMP: dict[str, bytes] = {}


def shipped_quads(server: Server) -> tuple[set[str], bytes]:
    """The quads of the shipped article's claims (their graphs) in the server's dump, and its text."""
    dump = requests.get(server.base + "dataset.nq", timeout=120).text
    quads = {line for line in dump.splitlines() if f"<{BASE}claims/" in line.rsplit(" ", 2)[-2]}
    text = requests.get(server.base + f"articles/{SHIPPED}/text", timeout=30).content
    return quads, text


def test_an_ingested_article_is_served_by_every_worker(server: Server):
    SHIPPED_DUMP["before"] = repr(shipped_quads(server)).encode()
    before = server.version()
    answer = server.post(zipped(ALPHA, folder_files(ALPHA)), "application/zip")
    assert answer.status_code == 201, answer.text
    assert answer.headers["Location"].endswith(f"/articles/{ALPHA}")
    change = answer.json()
    assert (change["action"], change["article"], change["by"]) == ("added", ALPHA, "alice")
    assert change["dataVersionBefore"] == before
    assert change["claimsAfter"] == ALPHA_CLAIMS
    # Each request on a new connection goes to whichever of the three workers accepts it first.
    versions = {
        requests.get(server.base + "health", headers={"Connection": "close"}, timeout=30).json()[
            "data_version"
        ]
        for _ in range(30)
    }
    assert versions == {change["dataVersionAfter"]}
    counts = {server.claims_of(article_iri(ALPHA)) for _ in range(12)}
    assert counts == {ALPHA_CLAIMS}
    page = requests.get(server.base + f"articles/{ALPHA}", headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200
    assert ALPHA_TITLE in page.text
    listing = requests.get(server.base + "api/claims", params={"q": ALPHA_WORD}, timeout=30).json()
    assert listing["total"] >= 1


def test_a_taken_slug_is_409(server: Server):
    again = server.post(zipped(ALPHA, folder_files(ALPHA)), "application/zip")
    assert again.status_code == 409
    shipped = server.post(zipped(SHIPPED, folder_files(ALPHA)), "application/zip")
    assert shipped.status_code == 409
    assert "shipped" in shipped.json()["detail"]


def test_two_uploads_at_once_both_land(server: Server):
    files = {name: data.decode() for name, data in folder_files(BETA).items()}
    document = json.dumps({"slug": BETA, "files": files}).encode()
    second = "test-ingest-gamma"
    answers: dict[str, requests.Response] = {}

    def send(slug: str, body: bytes, media: str) -> None:
        answers[slug] = server.post(body, media)

    threads = [
        threading.Thread(target=send, args=(BETA, document, "application/json")),
        threading.Thread(
            target=send, args=(second, tar_gz(second, folder_files(BETA, BETA)), "application/gzip")
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {slug: a.status_code for slug, a in answers.items()} == {BETA: 201, second: 201}
    changes = sorted((a.json() for a in answers.values()), key=lambda c: str(c["started"]))
    first, then = sorted(changes, key=lambda c: str(c["ended"]))
    assert then["dataVersionBefore"] == first["dataVersionAfter"]  # one after the other, neither lost
    assert server.version() == then["dataVersionAfter"]
    assert server.claims_of(article_iri(BETA)) == BETA_CLAIMS
    assert server.claims_of(article_iri(second)) == BETA_CLAIMS
    assert server.claims_of(article_iri(ALPHA)) == ALPHA_CLAIMS


def test_replace_and_delete(server: Server):
    version = folder_files(ALPHA, ALPHA + "-v2")
    replaced = requests.put(
        server.base + f"api/articles/{ALPHA}",
        data=tar_gz(ALPHA, version),
        headers={**auth(OTHER_TOKEN), "Content-Type": "application/gzip"},
        timeout=300,
    )
    assert replaced.status_code == 200, replaced.text
    change = replaced.json()
    assert (change["action"], change["by"], change["claimsBefore"]) == ("replaced", "bob", ALPHA_CLAIMS)
    assert change["claimsAfter"] == server.claims_of(article_iri(ALPHA)) == ALPHA_V2_CLAIMS
    missing = requests.put(
        server.base + "api/articles/no-such-article",
        data=tar_gz("no-such-article", version),
        headers={**auth(), "Content-Type": "application/gzip"},
        timeout=60,
    )
    assert missing.status_code == 404
    assert (
        requests.delete(server.base + f"api/articles/{SHIPPED}", headers=auth(), timeout=60).status_code
        == 409
    )
    deleted = requests.delete(server.base + "api/articles/test-ingest-gamma", headers=auth(), timeout=300)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["action"] == "deleted"
    assert server.claims_of(article_iri("test-ingest-gamma")) == 0
    again = requests.delete(server.base + "api/articles/test-ingest-gamma", headers=auth(), timeout=60)
    assert again.status_code == 404


def test_the_audit_trail_is_for_token_holders_only(server: Server):
    answer = requests.get(server.base + "api/audit", headers=auth(), timeout=30)
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    records = answer.json()["changes"]
    assert [(r["action"], r["article"]) for r in records][:1] == [("added", ALPHA)]
    assert {r["by"] for r in records} == {"alice", "bob"}
    trail = requests.get(
        server.base + "api/audit", headers={**auth(), "Accept": "application/n-quads"}, timeout=30
    )
    assert "http://www.w3.org/ns/prov#wasAssociatedWith" in trail.text
    assert "http://schema.org/ReplaceAction" in trail.text
    for secret in (TOKEN, OTHER_TOKEN):
        assert secret not in trail.text
        assert secret not in answer.text
    # Not public: neither the endpoint nor the dump reaches it.
    query = "ASK { GRAPH ?g { ?a a prov:Activity ; schema:agent ?who } }"
    asked = requests.get(
        server.base + "sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert asked.json()["boolean"] is False
    assert "urn:uuid:" not in requests.get(server.base + "dataset.nq", timeout=120).text


def test_the_public_endpoint_stays_read_only(server: Server):
    update = f"INSERT DATA {{ GRAPH <{BASE}x> {{ <{BASE}a> <{BASE}b> <{BASE}c> }} }}"
    for answer in (
        requests.post(server.base + "sparql", data={"update": update}, timeout=30),
        requests.post(
            server.base + "sparql",
            data=update,
            headers={"Content-Type": "application/sparql-update", **auth()},
            timeout=30,
        ),
        requests.post(server.base + "sparql", data={"query": update}, headers=auth(), timeout=30),
    ):
        assert answer.status_code == 403


def test_the_shipped_article_is_unchanged(server: Server):
    assert repr(shipped_quads(server)).encode() == SHIPPED_DUMP["before"]


def test_claimgraph_ingest_changes_the_running_servers_store(server: Server, tmp_path: Path):
    folder = tmp_path / "test-ingest-delta"
    shutil.copytree(ARTICLES / BETA, folder)
    env = {**os.environ, **server.env}
    env.pop("CLAIMGRAPH_INGEST_TOKENS")  # the command line needs no token: it is the operator's
    done = subprocess.run(
        [str(BIN / "claimgraph"), "ingest", str(folder)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["via"] == "command line"
    assert server.claims_of(article_iri("test-ingest-delta")) == BETA_CLAIMS
    remote = subprocess.run(
        [str(BIN / "claimgraph"), "ingest", "--delete", "test-ingest-delta", "--url", server.base],
        env={**os.environ, "CLAIMGRAPH_TOKEN": TOKEN},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert remote.returncode == 0, remote.stderr
    assert server.claims_of(article_iri("test-ingest-delta")) == 0
    invalid = subprocess.run(
        [str(BIN / "claimgraph"), "ingest", str(ARTICLES / BETA)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert invalid.returncode == 1
    assert "exists already" in invalid.stderr


def test_no_token_is_ever_logged(server: Server):
    logs = (server.folder / "access.log").read_text() + (server.folder / "gunicorn.log").read_text()
    assert "POST /api/articles" in logs  # the access log is on
    for secret in (TOKEN, OTHER_TOKEN, TOKEN[:12]):
        assert secret not in logs


def test_serve_production_on_the_same_store_serves_what_was_ingested_and_every_worker_follows(server: Server):
    """`claimgraph serve --production` started on the store and articles folder: what was ingested is
    served (the start computes the data version over the ingested folders too, so the store is found
    current); a change made through it reaches all of its workers, and the other server's too."""
    port = free_port()
    env = {**server.env, "CLAIMGRAPH_PORT": str(port)}
    env.pop("CLAIMGRAPH_STORE_READ_ONLY")  # the production command builds (here: finds current) first
    command = [str(BIN / "claimgraph"), "serve", "--production", "--workers", "3", "--port", str(port)]
    with running(command, env, port, server.folder / "production.log") as base:
        restarted = Server(base, server.folder, env)
        assert restarted.version() == server.version()
        assert restarted.claims_of(article_iri(ALPHA)) == ALPHA_V2_CLAIMS
        assert restarted.claims_of(article_iri(BETA)) == BETA_CLAIMS
        deleted = requests.delete(base + f"api/articles/{BETA}", headers=auth(), timeout=600)
        assert deleted.status_code == 200, deleted.text
        after = deleted.json()["dataVersionAfter"]
        for served in (restarted, server):
            versions = {
                requests.get(served.base + "health", headers={"Connection": "close"}, timeout=30).json()[
                    "data_version"
                ]
                for _ in range(20)
            }
            assert versions == {after}
            assert served.claims_of(article_iri(BETA)) == 0
    assert "Booting worker" in (server.folder / "production.log").read_text()
