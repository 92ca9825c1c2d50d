"""Settings: defaults, environment, config, fail-fast checks, and the README table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from claimgraph.setting_rows import SETTINGS, STORE_BACKENDS
from claimgraph.settings import Settings, declared_base
from claimgraph.store.backends import BACKENDS
from claimgraph.store.sparql import SparqlStore
from claimgraph.store.virtuoso_bulk import VirtuosoBulk

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented_in_the_readme_table():
    rows = dict(re.findall(r"^\| `(\w+)` \| `CLAIMGRAPH_\w+` \| `([^`]*)` \|", README, flags=re.MULTILINE))
    for setting in SETTINGS:
        assert setting.name in rows, f"README's Configuration table lacks {setting.name}"
        default = setting.default
        shown = (
            "(unset)"
            if default is None
            else str(default).lower()
            if isinstance(default, bool)
            else str(default)
        )
        assert rows[setting.name] == shown, f"README shows the wrong default for {setting.name}"
    assert set(rows) == {s.name for s in SETTINGS}, "README documents a setting that does not exist"


def test_precedence_defaults_then_environment_then_config():
    settings = Settings.from_mapping(
        {"port": 6000}, environ={"CLAIMGRAPH_PORT": "7000", "CLAIMGRAPH_QUERY_TIMEOUT": "3"}
    )
    assert settings.port == 6000
    assert settings.query_timeout == 3.0
    assert settings.base == declared_base(None)  # the dataset's own, never the host or port


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"store_backend": "nosuch"}, "store_backend 'nosuch' is not one of"),
        ({"query_timeout": 0}, "query_timeout must be positive"),
        ({"base_iri": "ftp://x/"}, "base_iri must be an http"),
        ({"colour": "blue"}, "unknown setting 'colour'"),
        ({"union_default_graph": "perhaps"}, "setting union_default_graph: expected true/false"),
        (
            {"virtuoso_sql": "127.0.0.1:1111", "sparql_load": "graphs", "sparql_user": "dba"},
            "virtuoso_sql .* needs virtuoso_load_dir and sparql_user",
        ),
        (
            {"virtuoso_sql": "127.0.0.1:1111", "virtuoso_load_dir": "/x", "sparql_load": "graphs"},
            "needs virtuoso_load_dir and sparql_user",
        ),
        (
            {"virtuoso_sql": "127.0.0.1:1111", "virtuoso_load_dir": "/x", "sparql_user": "dba"},
            "sparql_load must be graphs",
        ),
        ({"sparql_load_stream": "true", "sparql_load": "graphs"}, "sparql_load must be quads"),
        ({"sparql_load_stream": "true", "sparql_auth": "digest"}, "cannot answer Digest"),
    ],
)
def test_bad_settings_fail_fast_naming_the_setting(config, message):
    with pytest.raises(ValueError, match=message):
        Settings.from_mapping(config, environ={})


def test_the_backend_names_are_the_backends_there_are():
    # settings declares the names (to validate the setting); store/backends.py maps them to factories.
    assert set(STORE_BACKENDS) == set(BACKENDS)


def test_the_virtuoso_bulk_settings_reach_the_remote_store():
    remote = {"store_backend": "sparql", "sparql_query_url": "http://127.0.0.1:8890/sparql"}
    settings = Settings.from_mapping(
        {**remote, "sparql_load": "graphs"},
        environ={
            "CLAIMGRAPH_SPARQL_USER": "claimgraph",
            "CLAIMGRAPH_SPARQL_PASSWORD": "secret",
            "CLAIMGRAPH_VIRTUOSO_SQL": "127.0.0.1:1111",
            "CLAIMGRAPH_VIRTUOSO_LOAD_DIR": "/var/lib/claimgraph-virtuoso/load",
        },
    )
    folder = Path("/var/lib/claimgraph-virtuoso/load")
    bulk = SparqlStore.from_settings(settings).endpoint.bulk
    assert bulk == VirtuosoBulk("127.0.0.1:1111", folder, "claimgraph", "secret")
    assert SparqlStore.from_settings(Settings.from_mapping(remote, environ={})).endpoint.bulk is None


def test_a_streamed_load_is_set_on_the_remote_store():
    remote = {"store_backend": "sparql", "sparql_query_url": "http://127.0.0.1:7878/query"}
    streamed = Settings.from_mapping(remote, environ={"CLAIMGRAPH_SPARQL_LOAD_STREAM": "true"})
    assert SparqlStore.from_settings(streamed).endpoint.stream
    assert not SparqlStore.from_settings(Settings.from_mapping(remote, environ={})).endpoint.stream
