"""The W3C SPARQL 1.1 test suite's files, from a package registry (nothing fetched is committed).

rdflib's source distribution on PyPI ships the W3C suite (test/data/suites/w3c/sparql11).
``sparql11()`` downloads that sdist once with pip (CI reaches package registries, nothing
else) and unpacks the suite into .cache/ (git-ignored); `make w3c-suite` does the same.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The rdflib release whose sdist is read: pinned, so every run reads the same files.
RDFLIB_SDIST = "rdflib==7.0.0"
MEMBER = "rdflib-7.0.0/test/data/suites/w3c/sparql11/"
TARGET = ROOT / ".cache" / "w3c-sparql11"


def sparql11() -> Path:
    """The directory of the suite (one folder per test group), downloaded and unpacked if needed."""
    if (TARGET / "manifest-all.ttl").exists():
        return TARGET
    with tempfile.TemporaryDirectory() as tmp:
        pip = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:"]
        subprocess.run([*pip, "--dest", tmp, RDFLIB_SDIST], check=True)
        (sdist,) = Path(tmp).glob("rdflib-*.tar.gz")
        staging = TARGET.with_name(TARGET.name + ".partial")
        with tarfile.open(sdist) as archive:
            members = [m for m in archive.getmembers() if m.name.startswith(MEMBER) and m.isfile()]
            for member in members:
                member.name = member.name[len(MEMBER) :]
            archive.extractall(staging, members=members, filter="data")
        staging.rename(TARGET)
    return TARGET


if __name__ == "__main__":
    print(sparql11())
