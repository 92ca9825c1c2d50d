"""Issue 11: every claim a nanopublication with a Trusty URI; releases that never rewrite history.

The `nanopub` library (PyPI, the nanopub ecosystem's own client) checks what we publish: every
Trusty URI and every signature. A copy of the data is changed (one figure, one source), released,
then a claim is removed and released again; a live server shows the old version unchanged, the new
one superseding it, the claim IRI pointing at the new one, and the removed claim retracted.
"""

from __future__ import annotations

import re
import subprocess
import warnings
from pathlib import Path

import pytest
import requests
from claimgraph.build.pipeline import build_dataset
from claimgraph.build.sources import read_sources
from claimgraph.build.versions import claim_graphs, same_content
from claimgraph.iris import Iris
from claimgraph.nanopubs import NPX, Nanopub, parse_nanopubs
from claimgraph.querylib import load_library
from claimgraph.releaselog import read_release_log, write_release_file
from claimgraph.store.oxigraph import OxigraphStore
from claimgraph.trusty import ra_artefact
from conftest import SHIPPED
from Crypto.PublicKey import RSA
from live_server import BIN, free_port, running
from rdflib import ConjunctiveGraph, Dataset, Literal, URIRef

ROOT = Path(__file__).resolve().parent.parent
CANONICAL = "https://w3id.org/claimgraph/"
IRIS = Iris(CANONICAL)
C013 = IRIS.claim("c013")
C082 = IRIS.claim("c082")


def claimgraph(*args: str, data: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {"CLAIMGRAPH_DATA_DIR": str(data), "PATH": str(BIN), **(env or {})}
    return subprocess.run(
        [str(BIN / "claimgraph"), *args], capture_output=True, text=True, env=environment, timeout=600
    )


def library_nanopubs(trig: str) -> list[tuple[str, ConjunctiveGraph]]:
    """Each nanopublication of a bundle as the `nanopub` library takes it: a ConjunctiveGraph of its own."""
    bundle = Dataset()
    bundle.parse(data=trig, format="trig")
    nanopubs, rest = parse_nanopubs((g, s, p, o) for s, p, o, g in bundle.quads((None, None, None, None)))
    assert not [q for q in rest if len(bundle.graph(q[0])) and str(q[0]).startswith(CANONICAL + "np/")]
    graphs = []
    for nanopub in nanopubs:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            graph = ConjunctiveGraph()
        graph.parse(data=nanopub.dataset().serialize(format="trig"), format="trig")
        graphs.append((str(nanopub.iri), graph))
    return graphs


def check_with_library(trig: str, *, signed: bool) -> int:
    from nanopub import Nanopub as LibraryNanopub

    checked = 0
    for iri, graph in library_nanopubs(trig):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            found = LibraryNanopub(rdf=graph)
            assert found.source_uri == iri
            assert found.is_valid
            assert found.has_valid_trusty
            if signed:
                assert found.has_valid_signature
        checked += 1
    return checked


def library_accepts(trig: str, iri: URIRef) -> bool:
    """Whether the `nanopub` library takes ``trig`` (one nanopublication, as served) as ``iri``."""
    from nanopub import Nanopub as LibraryNanopub

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        graph = ConjunctiveGraph()
        graph.parse(data=trig, format="trig")
        found = LibraryNanopub(rdf=graph)
        return found.source_uri == str(iri) and found.is_valid and found.has_valid_trusty


# -- the shipped release ----------------------------------------------------------------------------
def test_the_shipped_data_is_released_and_the_library_accepts_every_trusty_uri(tmp_path):
    log = read_release_log(ROOT / "data")
    assert not log.problems
    assert len(log.releases) >= 1
    built = build_dataset(read_sources(ROOT / "data"), IRIS)
    claims = claim_graphs(built.dataset)
    assert set(log.current()) == set(claims)  # every claim has a released version
    assert len(claims) == 82
    # ...and the shipped data is what was released: nothing is waiting for a release.
    assert all(same_content(graphs, log.current()[claim]) for claim, graphs in claims.items())
    out = tmp_path / "bundle.trig"
    result = claimgraph("export", "--nanopubs", "--format", "trig", "-o", str(out), data=ROOT / "data")
    assert result.returncode == 0, result.stderr
    assert check_with_library(out.read_text(encoding="utf-8"), signed=False) == len(log.nanopubs) >= 82


def test_a_version_iri_is_the_hash_of_its_content():
    log = read_release_log(ROOT / "data")
    nanopub = log.current()[C013]
    assert nanopub.verify()
    assert str(nanopub.iri) == f"{CANONICAL}np/{ra_artefact(nanopub.quads, str(nanopub.iri))}"
    # Its graphs are its own, never the current claim's.
    assert {g for g, *_ in nanopub.quads} == {
        nanopub.part(p) for p in ("Head", "assertion", "provenance", "pubinfo")
    }
    edited = Nanopub(
        nanopub.iri,
        frozenset((g, s, p, Literal(73198) if o == Literal(73197) else o) for g, s, p, o in nanopub.quads),
    )
    assert not edited.verify()


def test_publication_info_says_who_when_licence_software_and_ontology():
    nanopub = read_release_log(ROOT / "data").current()[C013]
    info = {p: o for s, p, o in nanopub.triples("pubinfo") if s == nanopub.iri}
    dcterms = "http://purl.org/dc/terms/"
    assert info[URIRef(dcterms + "creator")] == IRIS.entity("claimgraph-project")
    assert info[URIRef(dcterms + "license")] == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert info[URIRef(dcterms + "conformsTo")] == IRIS.ontology_version
    assert info[URIRef(dcterms + "isVersionOf")] == C013
    assert str(info[URIRef(dcterms + "created")]).startswith("20")
    software = info[URIRef("http://purl.org/pav/createdWith")]
    assert any(s == software and str(o) for s, _p, o in nanopub.triples("pubinfo"))


def test_export_bundle_in_nquads_holds_every_released_nanopub(tmp_path):
    out = tmp_path / "bundle.nq"
    assert (
        claimgraph(
            "export", "--nanopubs", "--format", "nquads", "-o", str(out), data=ROOT / "data"
        ).returncode
        == 0
    )
    nanopubs, _rest = parse_nanopubs(
        (g, s, p, o) for s, p, o, g in Dataset().parse(out, format="nquads").quads((None, None, None, None))
    )
    assert {n.iri for n in nanopubs} == set(read_release_log(ROOT / "data").nanopubs)
    assert all(n.verify() for n in nanopubs)
    refused = claimgraph("export", "--nanopubs", "--format", "turtle", data=ROOT / "data")
    assert refused.returncode == 2
    assert "trig or nquads" in refused.stderr


# -- releasing a changed copy -------------------------------------------------------------------------
def change_c013(data: Path) -> None:
    """One figure (73,197 -> 73,198) and one source (only the second response) of c013."""
    claims = data / SHIPPED / "claims.yaml"
    text = claims.read_text(encoding="utf-8")
    block = text.index("  - id: c013\n")
    head, tail = text[:block], text[block:]
    tail = tail.replace("value: 73197", "value: 73198", 1)
    tail = tail.replace(
        "sources: [bpa-response-2024-08-05, bpa-response-2025-02-12]", "sources: [bpa-response-2025-02-12]", 1
    )
    claims.write_text(head + tail, encoding="utf-8")


def remove_c082(data: Path) -> None:
    claims = data / SHIPPED / "claims.yaml"
    text = claims.read_text(encoding="utf-8")
    claims.write_text(text[: text.index("  - id: c082\n")], encoding="utf-8")


def test_dry_run_shows_the_diff_claim_by_claim_and_records_nothing(data_copy):
    change_c013(data_copy)
    before = sorted(p.name for p in (data_copy / "releases").iterdir())
    result = claimgraph("release", "--dry-run", data=data_copy)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"changed <{C013}>" in out
    assert "- figure figure-1, value: 73197" in out
    assert "+ figure figure-1, value: 73198" in out
    assert "- source: https://w3id.org/claimgraph/sources/bpa-response-2024-08-05" in out
    assert "1 change(s), 81 unchanged" in out
    assert sorted(p.name for p in (data_copy / "releases").iterdir()) == before


def test_a_release_over_invalid_data_is_refused_and_records_nothing(data_copy):
    claims = data_copy / SHIPPED / "claims.yaml"
    text = claims.read_text(encoding="utf-8")
    block = text.index("  - id: c013\n")
    # An inferred attribution needs a note (a SHACL shape): the data no longer validates.
    broken = text[block:].replace("attribution: stated", "attribution: inferred", 1)
    broken = re.sub(r"    note: >-\n(      .*\n)+", "", broken, count=1)
    claims.write_text(text[:block] + broken, encoding="utf-8")
    result = claimgraph("release", "-m", "broken", data=data_copy)
    assert result.returncode == 1
    assert "nothing was released" in result.stderr
    assert sorted(p.name for p in (data_copy / "releases").iterdir()) == ["release-0001.nq"]


def test_validate_reports_a_hand_edited_released_version(data_copy):
    released = data_copy / "releases" / "release-0001.nq"
    text = released.read_text(encoding="utf-8")
    version = read_release_log(data_copy).current()[C013]
    line = next(line for line in text.splitlines() if '"73197"' in line and str(version.iri) in line)
    released.write_text(text.replace(line, line.replace('"73197"', '"73196"')), encoding="utf-8")
    result = claimgraph("validate", data=data_copy)
    assert result.returncode == 1
    assert "release-0001.nq" in result.stdout
    assert f"nanopub <{version.iri}>" in result.stdout
    assert "Trusty URI does not match" in result.stdout


def test_the_log_is_append_only(data_copy):
    with pytest.raises(FileExistsError):
        write_release_file(data_copy, 1, ["<urn:a> <urn:b> <urn:c> <urn:d> ."])


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """A copy of the data with three releases: the shipped one, c013 corrected (signed with a key
    made here), c082 removed; and the first version's TriG as a live server served it before."""
    import shutil

    folder = tmp_path_factory.mktemp("history")
    data = folder / "data"
    shutil.copytree(ROOT / "data", data)
    key = folder / "key.pem"
    key.write_bytes(RSA.generate(2048).export_key())
    first = read_release_log(data).current()[C013].iri
    with live(data, folder / "before.log") as base:
        old_trig = requests.get(href(base, first), headers={"Accept": "application/trig"}, timeout=30).content
    change_c013(data)
    signed = claimgraph(
        "release", "-m", "c013 corrected", data=data, env={"CLAIMGRAPH_SIGNING_KEY_FILE": str(key)}
    )
    assert signed.returncode == 0, signed.stderr
    assert "(signed)" in signed.stdout
    assert str(key) not in signed.stdout + signed.stderr
    remove_c082(data)
    removed = claimgraph("release", "-m", "c082 removed", data=data)
    assert removed.returncode == 0, removed.stderr
    return data, first, old_trig


def href(base: str, iri: URIRef | str) -> str:
    return base + str(iri).removeprefix(CANONICAL)


def path(iri: URIRef | str) -> str:
    return "/" + str(iri).removeprefix(CANONICAL)


def links(response: requests.Response) -> set[tuple[str, str]]:
    """The response's Link headers as (URL, rel)."""
    found = requests.utils.parse_header_links(response.headers.get("Link", ""))
    return {(link["url"], link.get("rel", "")) for link in found}


def live(data: Path, log: Path):  # type: ignore[no-untyped-def]
    """`claimgraph serve` on ``data``, its store built first (the build may take its time on a busy
    machine; the server then starts at once, read-only)."""
    port = free_port()
    store = log.with_suffix(".store")
    built = claimgraph("build-store", str(store), data=data)
    assert built.returncode == 0, built.stderr
    env = {
        "CLAIMGRAPH_DATA_DIR": str(data),
        "CLAIMGRAPH_PORT": str(port),
        "CLAIMGRAPH_STORE_PATH": str(store),
        "CLAIMGRAPH_STORE_READ_ONLY": "true",
    }
    return running([str(BIN / "claimgraph"), "serve", "--port", str(port)], env, port, log)


def test_releases_record_a_new_version_and_a_retraction(history):
    data, first, _ = history
    log = read_release_log(data)
    assert not log.problems
    assert [r.number for r in log.releases] == [1, 2, 3]
    assert sorted(p.name for p in (data / "releases").iterdir()) == [
        "release-0001.nq", "release-0002.nq", "release-0003.nq",
    ]  # fmt: skip
    [second] = [n for n in log.nanopubs.values() if n.supersedes == first]
    assert second.claim == C013
    assert log.release_of(second.iri).number == 2
    assert [n.iri for n in log.history(C013)] == [first, second.iri]
    retraction = log.current()[C082]
    assert retraction.retracts == log.history(C082)[0].iri
    assert log.release_of(retraction.iri).number == 3
    # Unchanged claims keep their versions.
    assert log.releases[2].members >= {log.current()[IRIS.claim("c014")].iri}
    assert log.current()[IRIS.claim("c014")] == log.history(IRIS.claim("c014"))[0]


def test_every_signature_is_accepted_and_checked(history, tmp_path):
    data, _, _ = history
    log = read_release_log(data)
    signed = [n for n in log.nanopubs.values() if n.signed]
    assert len(signed) == 1
    assert signed[0].claim == C013
    assert signed[0].verify_signature()
    out = tmp_path / "bundle.trig"
    assert claimgraph("export", "--nanopubs", "-o", str(out), data=data).returncode == 0
    bundle = out.read_text(encoding="utf-8")
    signed_trig = "".join(
        g.serialize(format="trig") for iri, g in library_nanopubs(bundle) if iri == str(signed[0].iri)
    )
    assert check_with_library(signed_trig, signed=True) == 1
    assert check_with_library(bundle, signed=False) == len(log.nanopubs)
    # A signature that does not sign the content is caught by our check.
    forged = Nanopub(
        signed[0].iri,
        frozenset(
            (g, s, p, Literal("AAAA" + str(o)[4:]) if p == NPX.hasSignature else o)
            for g, s, p, o in signed[0].quads
        ),
    )
    assert not forged.verify_signature()


def test_history_queries_return_the_changes(history):
    data, first, _ = history
    built = build_dataset(read_sources(data), IRIS)
    assert built.report.conforms, str(built.report)
    store = OxigraphStore(base_iri=IRIS.base, prefixes=IRIS.prefixes())
    store.replace_all(built.nquads)
    queries = load_library()

    def run(name: str, text: str | None = None) -> list[dict[str, str]]:
        return [{k: str(v) for k, v in row.items()} for row in store.select(text or queries[name].text)]

    changes = run("history-changes")  # release 3 against release 2: c082 retracted
    assert [(r["claim"], r["change"]) for r in changes] == [(str(C082), "retracted")]
    between = queries["history-changes"].text.replace(
        "  <dataset> dcat:hasCurrentVersion ?to .\n  OPTIONAL { ?to dcat:previousVersion ?from }\n",
        "  VALUES (?from ?to) { (<releases/1> <releases/3>) }\n",
    )
    rows = run("", between)
    assert {(r["claim"], r["change"]) for r in rows} == {(str(C013), "changed"), (str(C082), "retracted")}
    assert next(r for r in rows if r["claim"] == str(C013))["before"] == str(first)
    corrected = run("history-corrected-sources")
    assert [(r["claim"], r.get("removedSource")) for r in corrected] == [
        (str(C013), str(IRIS.source("bpa-response-2024-08-05")))
    ]
    as_of_1 = run("history-as-of-release")
    assert {r["value"] for r in as_of_1 if r["claim"] == str(C013)} == {"73197"}
    assert str(C082) in {r["claim"] for r in as_of_1}
    as_of_3 = run("", queries["history-as-of-release"].text.replace("<releases/1>", "<releases/3>"))
    assert {r["value"] for r in as_of_3 if r["claim"] == str(C013)} == {"73198"}
    assert str(C082) not in {r["claim"] for r in as_of_3}
    # The default graph is the current data: the old figure is only in the version's own graph.
    values = "SELECT ?v WHERE { <claims/c013/figure-1> schema:value ?v }"
    assert [r["v"] for r in run("", values)] == ["73198"]
    anywhere = "SELECT ?v WHERE { GRAPH ?g { <claims/c013/figure-1> schema:value ?v } } ORDER BY ?v"
    # The current graph, version 1's, version 2's.
    assert [r["v"] for r in run("", anywhere)] == ["73197", "73198", "73198"]
    claims = "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a schema:Claim }"
    assert run("", claims) == [{"n": "81"}]


@pytest.mark.integration
def test_a_live_server_serves_every_version(history, tmp_path):
    data, first, old_trig = history
    log = read_release_log(data)
    second = log.current()[C013].iri
    retraction = log.current()[C082]
    with live(data, tmp_path / "after.log") as base:
        # The old version: unchanged, byte for byte, and immutable.
        old = requests.get(href(base, first), headers={"Accept": "application/trig"}, timeout=30)
        assert old.status_code == 200
        assert old.content == old_trig
        assert "immutable" in old.headers["Cache-Control"]
        assert library_accepts(old.text, first)
        anything = requests.get(href(base, first), headers={"Accept": "*/*"}, timeout=30)
        assert anything.headers["Content-Type"].startswith("application/trig")
        assert anything.content == old_trig
        assert (path(second), "successor-version") in links(old)
        # The new one supersedes it.
        new = requests.get(href(base, second), headers={"Accept": "application/n-quads"}, timeout=30)
        assert new.status_code == 200
        assert f"<{second}> <{NPX.supersedes}> <{first}> <{second}#pubinfo> ." in new.text
        jsonld = requests.get(href(base, second), headers={"Accept": "application/ld+json"}, timeout=30)
        assert jsonld.status_code == 200
        assert str(second) in jsonld.text
        page = requests.get(href(base, second), headers={"Accept": "text/html"}, timeout=30)
        assert page.status_code == 200
        assert "supersedes" in page.text
        # The claim IRI points at the new version and links every version.
        claim = requests.get(href(base, C013), headers={"Accept": "text/turtle"}, timeout=30)
        assert claim.status_code == 200
        assert (path(second), "latest-version") in links(claim)
        assert (path(first), "http://purl.org/dc/terms/hasVersion") in links(claim)
        assert "73198" in claim.text
        assert "hasCurrentVersion" in claim.text
        html = requests.get(href(base, C013), headers={"Accept": "text/html"}, timeout=30).text
        assert str(second) in html
        assert "+ figure figure-1, value: 73198" in html
        api = requests.get(base + "api/claims/c013", timeout=30).json()
        assert api["versions"]["cite"] == str(second)
        assert api["citation"]["text"].endswith(str(second))
        assert api["citation"]["csl"][0]["URL"] == str(second)
        # The removed claim: 410, its version still resolves, and so does the retraction.
        gone = requests.get(href(base, C082), headers={"Accept": "text/html"}, timeout=30)
        assert gone.status_code == 410
        assert str(retraction.iri).rsplit("/", 1)[1] in gone.text
        version = requests.get(
            href(base, retraction.retracts), headers={"Accept": "application/trig"}, timeout=30
        )
        assert version.status_code == 200
        assert "Their focus is on securing economic stability" in version.text
        retracted = requests.get(
            href(base, retraction.iri), headers={"Accept": "application/trig"}, timeout=30
        )
        assert retracted.status_code == 200
        assert str(retraction.retracts) in retracted.text
        # An unknown version is a 404, a release describes itself.
        assert requests.get(base + "np/RA" + "x" * 43, timeout=30).status_code == 404
        release = requests.get(base + "releases/2", headers={"Accept": "text/turtle"}, timeout=30)
        assert release.status_code == 200
        assert "c013 corrected" in release.text


def test_an_unreleased_change_is_shown_and_not_cited_as_a_version(data_copy):
    from claimgraph.app import create_app

    released = read_release_log(data_copy).current()[C013].iri
    change_c013(data_copy)
    client = create_app({"data_dir": str(data_copy)}).test_client()
    detail = client.get("/api/claims/c013").get_json()
    versions = detail["versions"]
    assert versions["current"] == str(released)
    assert versions["changedSince"] == str(released)
    assert versions["cite"] is None  # the served claim is not what any version says
    assert "+ figure figure-1, value: 73198" in versions["pendingChanges"]
    assert "- figure figure-1, value: 73197" in versions["pendingChanges"]
    assert detail["citation"]["text"].endswith(str(C013))
    page = client.get("/claims/c013", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Changed since its last released version" in page
    assert "reviewedVersion" not in page
    # An unchanged claim is cited by its version, and its reviews say which version they read.
    reviewed = client.get("/api/claims/c015").get_json()
    assert reviewed["reviews"]
    assert reviewed["versions"]["cite"] == str(read_release_log(data_copy).current()[IRIS.claim("c015")].iri)
    other = client.get("/claims/c015", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "https://w3id.org/claimgraph/ontology#reviewedVersion" in other
