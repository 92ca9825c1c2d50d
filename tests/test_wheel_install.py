"""The wheel carries ontology/, data/ and queries/: installed in a fresh venv, it validates and serves."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(work / "dist"), str(ROOT)],
        check=True,
    )
    [wheel] = (work / "dist").glob("claimgraph-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        tops = {name.split("/")[0] for name in archive.namelist()}
    # Issue 9: the wheel installs the package `claimgraph` and nothing named `service`.
    assert tops == {"claimgraph", wheel.name.removesuffix("-py3-none-any.whl") + ".dist-info"}, tops
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", str(wheel)], check=True)
    return venv / "bin" / "claimgraph"


def test_wheel_validates_from_another_directory(installed, tmp_path):
    result = subprocess.run(
        [str(installed), "validate"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("OK: 82 claims")


def test_wheel_serves_sparql_from_another_directory(installed, tmp_path):
    port = free_port()
    server = subprocess.Popen(
        [str(installed), "serve", "--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/sparql"
        query = "SELECT (COUNT(?c) AS ?n) WHERE { ?c a <http://schema.org/Claim> }"
        deadline = time.monotonic() + 60
        while True:
            try:
                response = requests.get(
                    url,
                    params={"query": query},
                    headers={"Accept": "application/sparql-results+json"},
                    timeout=5,
                )
                break
            except requests.ConnectionError:
                assert server.poll() is None, "server exited"
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.3)
        assert response.status_code == 200
        [row] = response.json()["results"]["bindings"]
        assert row["n"]["value"] == "82"
    finally:
        server.terminate()
        server.wait(timeout=10)
