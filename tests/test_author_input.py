"""Author input is read within limits: YAML aliases and sizes, with a clear error naming the file."""

from __future__ import annotations

import pytest
from claimgraph.build import yaml_source
from claimgraph.build.yaml_source import load_yaml
from claimgraph.errors import DataError


def laughs(levels: int) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "context.yaml"
    path.write_text(laughs(9))  # 9**9 strings once expanded
    with pytest.raises(DataError, match=r"^context\.yaml: .*more than 1000000 nodes through its aliases"):
        load_yaml(path)


def test_a_few_aliases_are_still_fine(tmp_path):
    path = tmp_path / "context.yaml"
    path.write_text(laughs(3))
    assert len(load_yaml(path)["l2"]) == 9


@pytest.mark.parametrize("text", ["&x [*x]\n", "a: &x {b: *x}\n", "*x\n", "&a [*a, 1]\n"])
def test_self_reference_and_undefined_aliases_are_clear_errors(tmp_path, text):
    path = tmp_path / "claims.yaml"
    path.write_text(text)
    with pytest.raises(DataError, match=r"^claims\.yaml"):
        load_yaml(path)


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(yaml_source, "MAX_YAML_BYTES", 100)
    path = tmp_path / "claims.yaml"
    path.write_text("a: " + "x" * 200 + "\n")
    with pytest.raises(DataError, match=r"^claims\.yaml: the file is 204 bytes; .* at most 100 bytes"):
        load_yaml(path)


def test_validate_reports_the_laughs_in_one_line(tmp_path, data_copy):
    import subprocess
    import sys
    from pathlib import Path

    (data_copy / "context.yaml").write_text(laughs(9))
    cli = Path(sys.executable).parent / "claimgraph"
    result = subprocess.run(
        [str(cli), "validate", str(data_copy)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("error: context.yaml: ")


def test_a_full_disk_during_build_store_is_one_line(tmp_path, data_copy, monkeypatch, capsys):
    import errno

    from claimgraph.cli import main
    from claimgraph.store.oxigraph import OxigraphStore

    def full(self, nquads):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "store" / "000012.sst"))

    monkeypatch.setenv("CLAIMGRAPH_DATA_DIR", str(data_copy))
    monkeypatch.setattr(OxigraphStore, "replace_all", full)
    assert main(["build-store", str(tmp_path / "store"), "--base-iri", "http://claimgraph.test/"]) == 1
    err = capsys.readouterr().err
    assert err == f"error: {tmp_path / 'store' / '000012.sst'}: No space left on device\n"


def test_validate_refuses_an_rdf_file_over_the_size_limit(tmp_path, monkeypatch, capsys):
    from claimgraph import commands
    from claimgraph.cli import main

    monkeypatch.setattr(commands, "MAX_RDF_INPUT_BYTES", 1000)
    big = tmp_path / "big.ttl"
    big.write_text("".join(f"<urn:s{i}> <urn:p> <urn:o> .\n" for i in range(100)))
    assert main(["validate", str(big)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {big}: the file is {big.stat().st_size} bytes;")
    assert "at most 1000 bytes" in err
    assert len(err.splitlines()) == 1
