"""The server-rendered pictures: the provenance chain on every claim page (SVG, links, dashed unknowns)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def client(site_client):
    return site_client


def page(client, path: str) -> str:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def svg_of(html: str, css_class: str) -> ET.Element:
    match = re.search(rf'<svg class="{css_class}".*?</svg>', html, re.S)
    assert match, css_class
    return ET.fromstring(match.group(0))


def links(svg: ET.Element) -> list[str]:
    return [a.get("href", "") for a in svg.iter(f"{SVG}a")]


def test_a_sourced_claim_draws_the_whole_chain(client):
    html = page(client, "/claims/c013")
    svg = svg_of(html, "provenance-picture")
    assert svg.find(f"{SVG}title").text == "Provenance chain of claim c013"
    assert svg.find(f"{SVG}desc") is not None
    found = links(svg)
    assert found[:2] == ["/claims/c013", "/claims/c013/assertion"]
    assert "/sources/bpa-response-2024-08-05" in found
    assert "/sources/bpa-response-2025-02-12" in found
    assert any(link.startswith("/activities/") for link in found)
    assert any(link.startswith("/entities/") for link in found)
    assert not [p for p in svg.iter(f"{SVG}path") if p.get("stroke-dasharray")]  # all stated
    texts = " ".join(t.text or "" for t in svg.iter(f"{SVG}text"))
    assert "received 5 August 2024" in texts
    assert "received 12 February 2025" in texts
    assert "access-to-information request" in texts
    # the text equivalent lists every edge with its links
    listed = html.split('class="chain-list"')[1].split("</ol>")[0]
    assert listed.count("<li>") == len([p for p in svg.iter(f"{SVG}path") if "edge" in p.get("class", "")])
    assert "issued by" in listed
    assert "addressed to" in listed


def test_an_inferred_attribution_is_dashed(client):
    svg = svg_of(page(client, "/claims/c017"), "provenance-picture")
    dashed = [p for p in svg.iter(f"{SVG}path") if p.get("stroke-dasharray")]
    assert len(dashed) == 2  # one per source the attribution is inferred to
    notes = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "edge-note"]
    assert notes == ["inferred", "inferred"]


def test_a_claim_without_source_shows_not_stated_without_a_link(client):
    svg = svg_of(page(client, "/claims/c001"), "provenance-picture")
    assert links(svg) == ["/claims/c001", "/claims/c001/assertion"]
    missing = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "node-missing"]
    assert len(missing) == 1
    assert "Source: not stated" in "".join(missing[0].itertext())
    assert missing[0].find(f"{SVG}rect").get("stroke-dasharray")


def test_every_claim_page_has_its_picture(client):
    claims = client.get("/api/claims").get_json()["claims"]
    for claim in claims:
        svg = svg_of(page(client, f"/claims/{claim['id']}"), "provenance-picture")
        found = links(svg)
        assert found[0] == f"/claims/{claim['id']}"
        for source in claim["sources"]:
            assert f"/sources/{source['id']}" in found
