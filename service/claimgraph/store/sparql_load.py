"""The remote store's load, as SPARQL 1.1 Update text: what a load graph by graph refuses, and the one
update that switches readers from the live generation to a staged one (store/sparql.py).

The engine holds, besides the data, ``urn:claimgraph:meta``: the live generation and its graphs.
A staged graph G of generation GEN is ``urn:claimgraph:staging:GEN:G``.
"""

from __future__ import annotations

import pyoxigraph as ox

INTERNAL = "urn:claimgraph:"
STAGING = INTERNAL + "staging:"
STAGING_DEFAULT = INTERNAL + "staging-default:"
META = INTERNAL + "meta"
GENERATION = INTERNAL + "generation"
LIVE_GRAPH = INTERNAL + "graph"  # <META> LIVE_GRAPH <G>: G is a graph of the live generation
#: <META> UNION <U>: U holds the union of the live graphs, as a set: the default graph readers see.
UNION = INTERNAL + "union"
#: <META> PREVIOUS <U>: the previous generation's union graph, kept for front ends that have not yet
#: seen the switch (they look the live generation up once a second): they read a whole old generation.
PREVIOUS = INTERNAL + "previous-union"
#: The default graph of a dataset given only named graphs: a graph that never holds anything.
NO_GRAPH = META + "/none"


def check_graph_by_graph(quads: list[ox.Quad]) -> None:
    """Refuse (ValueError) what a load graph by graph cannot keep: triples in the default graph (an
    engine such as Virtuoso has no default graph of its own), and blank nodes (each graph, and the
    union of them all, is sent as a document of its own: a blank node would become one node in its
    graph and another in the union)."""
    for q in quads:
        if isinstance(q.graph_name, ox.DefaultGraph):
            raise ValueError(
                "sparql_load graphs keeps named graphs only: this dataset has triples in the default"
                f" graph ({q.triple}); put them in a named graph"
            )
        for term in (q.subject, q.object):
            if isinstance(term, ox.BlankNode):
                raise ValueError(
                    f"sparql_load graphs sends each graph and their union as documents of their own: the"
                    f" blank node {term} (in {q.graph_name}) would become two nodes; give it an IRI"
                )


def drop_graphs(names: list[str] | frozenset[str]) -> str:
    """The update that removes these graphs (nothing, if none)."""
    return (
        " ;\n".join(f"DROP SILENT GRAPH <{name}>" for name in sorted(names))
        or f"DROP SILENT GRAPH <{NO_GRAPH}>"
    )


def switch_update(
    old: frozenset[str],
    old_unions: tuple[str | None, str | None],
    graphs: dict[str, list[ox.Quad]],
    prefix: str,
    default: str,
    generation: str,
    default_graph: bool,
) -> str:
    """The one update that makes a staged load live (one transaction in the engine): drop the live
    graphs and their union (and, when the engine has one, the default graph), move each staged
    graph to its name, record the generation, its graphs and its union graph
    ``urn:claimgraph:union:GEN`` (staged with the graphs: the union of the new graphs as a set, as
    the embedded store's default graph; one default-graph-uri then names it all). ``old_unions``:
    the live and previous generations' union graphs; the live one is kept (as the previous), the
    previous one dropped."""
    union = f"{UNION}:{generation}"
    live_union, previous_union = old_unions
    operations = [
        f"DROP SILENT GRAPH <{name}>" for name in sorted(old) + ([previous_union] if previous_union else [])
    ]
    if default_graph:
        operations.append("DROP SILENT DEFAULT")
    named = sorted(name for name in graphs if name)
    operations += [f"MOVE SILENT GRAPH <{prefix}{name}> TO GRAPH <{name}>" for name in named]
    if "" in graphs:
        operations.append(f"MOVE SILENT GRAPH <{default}> TO DEFAULT")
    live = " ".join(f"<{META}> <{LIVE_GRAPH}> <{name}> ." for name in [*named, NO_GRAPH])
    operations += [
        f"DROP SILENT GRAPH <{META}>",
        f'INSERT DATA {{ GRAPH <{META}> {{ <{META}> <{GENERATION}> "{generation}" ;'
        f" <{UNION}> <{union}> . {live}"
        + (f" <{META}> <{PREVIOUS}> <{live_union}> ." if live_union else "")
        + " } }",
    ]
    return " ;\n".join(operations)
