"""A second article's whole way in (issue 12): `claimgraph draft` on a text it has never seen ->
the fact-checker's edit -> `claimgraph validate` -> POST /api/articles against a real server ->
its pages, a query and the checks across articles, on both articles' claim pages.

The text is written here, a test fixture and no journalism: one figure agrees with the shipped
article (24,704 applications in 2023, c018) and one disagrees with it (250 rejections, c070 says 245).
"""

from __future__ import annotations

import io
import os
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml
from live_server import BIN, free_port, running

pytestmark = pytest.mark.integration

SLUG = "test-chain-note"
TOKEN = "test-token-chain-0123456789abcdef"
BASE = "https://w3id.org/claimgraph/"
TEXT = (
    "Test fixture, not journalism: an invented note written for claimgraph's tests.\n\n"
    "According to data from the Serbian Border Police Administration, Russian citizens submitted"
    " 24,704 applications for temporary residence permits in 2023. The same data show that 250"
    " applications were rejected in 2023.\n"
)
SOURCES = ["bpa-response-2024-08-05", "bpa-response-2025-02-12"]
#: What the reviewer gives each drafted figure (the shipped article's c018 and c070 as models).
REVIEWED = {
    24704: {
        "measure": "residence-permit-applications",
        "unit": "application",
        "population": "russian-immigrants-serbia",
    },
    250: {"measure": "residence-permit-denials", "unit": "denial", "population": "russian-citizens"},
}


def claimgraph(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "claimgraph"), *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def review(folder: Path) -> None:
    """The fact-checker's edit: each figure gets its measure, unit, period, place and population,
    each claim its sources; `status: draft` goes."""
    path = folder / "claims.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    for claim in document["claims"]:
        assert claim.pop("status") == "draft"
        claim["note"] = "Reviewed for the test: both figures come from the responses the sentence names."
        claim["sources"] = SOURCES
        claim["about"] = ["serbia", "russia"]
        for item in claim["assertion"]:
            figure = item["figure"]
            figure.pop("found", None)
            figure.update(REVIEWED[figure["value"]], period=2023, place="serbia", approximate=False)
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("chain")
    text = work / "note.txt"
    text.write_text(TEXT, encoding="utf-8")
    folder = work / SLUG
    made = claimgraph("draft", str(text), "-o", str(folder))
    assert made.returncode == 0, made.stderr
    assert "left out:                  0" in made.stdout
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("chain-server")
    port = free_port()
    env = {
        "CLAIMGRAPH_STORE_PATH": str(folder / "store"),
        "CLAIMGRAPH_ARTICLES_DIR": str(folder / "articles"),
        "CLAIMGRAPH_INGEST_TOKENS": f"chain:{TOKEN}",
    }
    built = claimgraph("build-store", env["CLAIMGRAPH_STORE_PATH"], env=env)
    assert built.returncode == 0, built.stderr
    command = [
        str(BIN / "gunicorn"),
        "--config",
        "python:claimgraph.gunicorn_conf",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "claimgraph:create_app()",
    ]
    with running(
        command, {**env, "CLAIMGRAPH_STORE_READ_ONLY": "true"}, port, folder / "gunicorn.log"
    ) as base:
        yield base


def zipped(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.writestr(f"{SLUG}/{path.name}", path.read_bytes())
    return buffer.getvalue()


def test_a_draft_is_reviewed_validated_ingested_and_checked_against_the_shipped_article(drafted, server):
    drafts = yaml.safe_load((drafted / "claims.yaml").read_text(encoding="utf-8"))["claims"]
    assert [c["assertion"][0]["figure"]["value"] for c in drafts] == [24704, 250]
    review(drafted)
    checked = claimgraph("validate", str(drafted))
    assert checked.returncode == 0, checked.stdout + checked.stderr

    answer = requests.post(
        server + "api/articles",
        data=zipped(drafted),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/zip"},
        timeout=600,
    )
    assert answer.status_code == 201, answer.text

    html = {"Accept": "text/html"}
    page = requests.get(f"{server}articles/{SLUG}/claims/c002", headers=html, timeout=60)
    assert page.status_code == 200
    assert "Draft — not reviewed" not in page.text
    assert "The same figure stated by two articles" in page.text
    assert 'href="/claims/c070">c070</a>' in page.text
    shipped = requests.get(f"{server}claims/c070", headers=html, timeout=60).text
    assert f'href="/articles/{SLUG}/claims/c002">{SLUG}/c002</a>' in shipped

    reviews = requests.get(f"{server}api/articles/{SLUG}/claims/c001", timeout=60).json()["reviews"]
    verdicts = {r["rule"]["id"]: r["verdict"]["id"] for r in reviews}
    assert verdicts["same-figure-across-articles"] == "consistent"  # 24,704 = c018's 24,704
    reviews = requests.get(f"{server}api/articles/{SLUG}/claims/c002", timeout=60).json()["reviews"]
    verdicts = {r["rule"]["id"]: r["verdict"]["id"] for r in reviews}
    assert verdicts["same-figure-across-articles"] == "inconsistent"  # 250 against c070's 245

    query = (
        "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a <http://schema.org/Claim> ;"
        f" <http://schema.org/appearance> <{BASE}articles/{SLUG}> }}"
    )
    counted = requests.get(
        server + "sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    ).json()
    assert counted["results"]["bindings"][0]["n"]["value"] == "2"
    listing = requests.get(f"{server}articles", headers={"Accept": "application/json"}, timeout=60).text
    assert SLUG in listing
