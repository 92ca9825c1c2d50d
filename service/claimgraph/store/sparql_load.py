"""The remote store's load, as SPARQL 1.1 Update text: what a load graph by graph refuses, the one
update that switches readers from the live generation to a staged one on an engine that applies an
update atomically (Oxigraph server), and the marked switch for one that does not (Virtuoso).

The engine holds, besides the data, ``urn:claimgraph:meta``: ``<META> GENERATION "GEN"`` names the
live generation (``<META> SWITCHING "GEN"`` instead while a marked switch is under way), and
``<urn:claimgraph:generation:GEN>`` its union graph, the previous generation's, its graphs and
how many. A staged graph G of generation GEN is ``urn:claimgraph:staging:GEN:G``.
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
#: <META> SWITCHING "GEN": a marked switch to GEN is under way (in place of <META> GENERATION).
SWITCHING = INTERNAL + "switching"
#: <GENERATION_NODE GEN> GRAPH_COUNT n: how many LIVE_GRAPH rows the generation has.
GRAPH_COUNT = INTERNAL + "graph-count"
#: <GENERATION_NODE GEN> QUAD_COUNT n: how many quads its graphs hold (what stats() reports: counted
#: by the engine, 20M quads took Oxigraph server past two minutes).
QUAD_COUNT = INTERNAL + "quad-count"
#: <GENERATION_NODE GEN> UNION_IN_DEFAULT true: the union is the engine's own default graph (a load
#: in one update, sparql_load quads): readers send no dataset at all.
UNION_IN_DEFAULT = INTERNAL + "union-in-default"
#: Quads per update of a marked switch: each is its own transaction, well within the engine's limit.
CHUNK = 400


def generation_node(generation: str) -> str:
    """The subject of what ``urn:claimgraph:meta`` records about one generation."""
    return f"{INTERNAL}generation:{generation}"


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


def drop_graphs_chunked(names: list[str]) -> list[str]:
    """The updates that remove these graphs, CHUNK graphs an update (an initial load's graphs: one
    update naming them all would pass Virtuoso's limit on the SQL an update compiles to)."""
    ordered = sorted(names)
    return [drop_graphs(ordered[i : i + CHUNK]) for i in range(0, len(ordered), CHUNK)]


def switch_update(
    old: frozenset[str],
    old_unions: tuple[str | None, str | None],
    graphs: dict[str, list[ox.Quad]],
    prefix: str,
    default: str,
    generation: str,
    live: str | None,
    quads: int | None = None,
) -> str:
    """The one update that makes a staged load live (one transaction in the engine, an engine with a
    default graph of its own: Oxigraph server): drop the live graphs and the previous generation's
    union graph, move each staged graph to its name, move the union of the new graphs (staged as
    ``urn:claimgraph:union:GEN``: the union of the new graphs as a set, as the embedded store's
    default graph) into the engine's default graph, with the dataset's own default graph added to
    it, then record the generation, its graphs, and that its union is the default graph. The
    records of generations before ``live`` are dropped; ``live``'s is kept, for front ends that have
    not yet seen the switch (they scope GRAPH by it: store/sparql_scope.py)."""
    union = f"{UNION}:{generation}"
    live_union, previous_union = old_unions
    operations = [
        f"DROP SILENT GRAPH <{name}>" for name in sorted(old) + ([previous_union] if previous_union else [])
    ]
    named = sorted(name for name in graphs if name)
    operations += [f"MOVE SILENT GRAPH <{prefix}{name}> TO GRAPH <{name}>" for name in named]
    operations += ["DROP SILENT DEFAULT", f"MOVE SILENT GRAPH <{union}> TO DEFAULT"]
    if "" in graphs:
        operations += [f"ADD SILENT GRAPH <{default}> TO DEFAULT", f"DROP SILENT GRAPH <{default}>"]
    operations += [
        forget([live] if live else [], []),
        f"DELETE WHERE {{ GRAPH <{META}> {{ <{META}> ?p ?o }} }}",
        f'INSERT DATA {{ GRAPH <{META}> {{ <{META}> <{GENERATION}> "{generation}" .'
        f" {generation_record(generation, named, union, live_union, in_default=True, quads=quads)} }} }}",
    ]
    return " ;\n".join(operations)


def generation_record(
    generation: str,
    named: list[str],
    union: str,
    live_union: str | None,
    *,
    in_default: bool = False,
    quads: int | None = None,
) -> str:
    """The triples that record a generation: its union graph, the previous one's, its graphs, how
    many, how many quads they hold, and whether the union is the engine's default graph."""
    graphs = [*named, NO_GRAPH]
    head = record_head(generation, len(graphs), union, live_union, in_default=in_default, quads=quads)
    return f"{head} {live_graphs(generation, graphs)}"


def record_head(
    generation: str,
    count: int,
    union: str,
    live_union: str | None,
    *,
    in_default: bool = False,
    quads: int | None = None,
) -> str:
    """A generation's record but its graphs: its union graph, the previous one's, how many graphs,
    how many quads."""
    node = f"<{generation_node(generation)}>"
    previous = f" {node} <{PREVIOUS}> <{live_union}> ." if live_union else ""
    default = f" {node} <{UNION_IN_DEFAULT}> true ." if in_default else ""
    counted = f" {node} <{QUAD_COUNT}> {quads} ." if quads is not None else ""
    return f"{node} <{UNION}> <{union}> . {node} <{GRAPH_COUNT}> {count} .{previous}{default}{counted}"


def live_graphs(generation: str, graphs: list[str]) -> str:
    """The LIVE_GRAPH triples of a generation's record."""
    node = f"<{generation_node(generation)}>"
    return " ".join(f"{node} <{LIVE_GRAPH}> <{name}> ." for name in graphs)


# -- the marked switch (an engine whose updates readers may see half done: Virtuoso) --------------


def mark_switching(generation: str) -> str:
    """The update that says a switch to ``generation`` is under way (readers of named graphs wait)."""
    return (
        f"DELETE WHERE {{ GRAPH <{META}> {{ <{META}> <{GENERATION}> ?live }} }} ;\n"
        f'INSERT DATA {{ GRAPH <{META}> {{ <{META}> <{SWITCHING}> "{generation}" }} }}'
    )


def unmark(live: str | None) -> str:
    """The update that ends a switch: ``live`` (the new generation, or the old one after a failed
    switch) is the live generation again, and no switch is marked (not even one whose loader died).
    One row in place of another: a reader sees one of them, both or neither, and only the first is
    a stable state."""
    restored = f'INSERT DATA {{ GRAPH <{META}> {{ <{META}> <{GENERATION}> "{live}" }} }}' if live else ""
    removed = f"DELETE WHERE {{ GRAPH <{META}> {{ <{META}> <{SWITCHING}> ?switching }} }}"
    return " ;\n".join(filter(None, [removed, restored]))


# -- the initial load's mark (store/sparql_initial.py) --------------------------------------------

#: The marks under way and the live generations: ?p is SWITCHING or GENERATION, ?o the generation.
MARKS = (
    f"SELECT ?p ?o WHERE {{ GRAPH <{META}> {{ <{META}> ?p ?o"
    f" FILTER(?p IN (<{GENERATION}>, <{SWITCHING}>)) }} }}"
)


def end_mark(generation: str) -> str:
    """The update that puts ``GENERATION "GEN"`` in place of ``SWITCHING "GEN"``, if that mark is still
    there (a load that took the engine over removed it)."""
    mark = f'<{META}> <{SWITCHING}> "{generation}"'
    return (
        f"DELETE {{ GRAPH <{META}> {{ {mark} }} }}"
        f' INSERT {{ GRAPH <{META}> {{ <{META}> <{GENERATION}> "{generation}" }} }}'
        f" WHERE {{ GRAPH <{META}> {{ {mark} }} }}"
    )


def drop_other_generations(generation: str) -> str:
    """The update that removes every GENERATION row but ``generation``'s (another initial load that
    ended while this one ran: the last to end is live, as with the one-update switch)."""
    return (
        f"DELETE {{ GRAPH <{META}> {{ <{META}> <{GENERATION}> ?live }} }}"
        f' WHERE {{ GRAPH <{META}> {{ <{META}> <{GENERATION}> ?live FILTER(?live != "{generation}") }} }}'
    )


def remove_mark(generation: str) -> str:
    """The update that removes ``generation``'s mark and record, and nothing of another load's."""
    node = f"<{generation_node(generation)}>"
    return (
        f'DELETE DATA {{ GRAPH <{META}> {{ <{META}> <{SWITCHING}> "{generation}" }} }} ;\n'
        f"DELETE WHERE {{ GRAPH <{META}> {{ {node} ?p ?o }} }}"
    )


def record(
    generation: str,
    named: list[str],
    union: str,
    live_union: str | None,
    *,
    in_default: bool = False,
    quads: int | None = None,
    graphs_too: bool = True,
) -> list[str]:
    """The updates that record a generation beside the live one (before the switch names it): its
    graphs CHUNK at a time (Virtuoso refuses an update past 10,000 lines of generated SQL: ~3,000
    graphs; not with ``graphs_too=False``: record_quads has them), then the rest, with the count a
    reader checks the graphs against."""
    graphs = recorded_graphs(named)
    head = record_head(generation, len(graphs), union, live_union, in_default=in_default, quads=quads)
    return [
        *(
            f"INSERT DATA {{ GRAPH <{META}> {{ {live_graphs(generation, graphs[i : i + CHUNK])} }} }}"
            for i in range(0, len(graphs) if graphs_too else 0, CHUNK)
        ),
        f"INSERT DATA {{ GRAPH <{META}> {{ {head} }} }}",
    ]


def recorded_graphs(named: list[str]) -> list[str]:
    """The graphs a generation's record lists: its own, and NO_GRAPH (a record is never empty)."""
    return [*named, NO_GRAPH]


def record_quads(generation: str, named: list[str]) -> list[ox.Quad]:
    """The graphs of a generation's record (``record`` without them has the rest) as quads, for a
    loader that reads them with the data (store/virtuoso_bulk.py)."""
    node, live, meta = ox.NamedNode(generation_node(generation)), ox.NamedNode(LIVE_GRAPH), ox.NamedNode(META)
    return [ox.Quad(node, live, ox.NamedNode(name), meta) for name in recorded_graphs(named)]


def forget(keep: list[str], unions: list[str]) -> str:
    """The update that drops what META records of every generation but ``keep``, and ``unions``."""
    kept = ", ".join(f"<{generation_node(g)}>" for g in keep)
    # Not `NOT IN ()` when none is kept: Oxigraph 0.5 evaluates it as false (the spec: true).
    but = f" && ?s NOT IN ({kept})" if keep else ""
    drops = [f"DROP SILENT GRAPH <{name}>" for name in unions]
    return " ;\n".join(
        [
            *drops,
            f"DELETE {{ GRAPH <{META}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{META}> {{ ?s ?p ?o"
            f' FILTER(STRSTARTS(STR(?s), "{INTERNAL}generation:"){but}) }} }}',
        ]
    )


def quad_text(quads: list[ox.Quad]) -> str:
    """``quads`` as the body of INSERT DATA / DELETE DATA: one GRAPH block per graph."""
    by_graph: dict[str, list[str]] = {}
    for q in quads:
        by_graph.setdefault(str(q.graph_name), []).append(f"{q.subject} {q.predicate} {q.object} .")
    return " ".join(f"GRAPH {graph} {{ {' '.join(triples)} }}" for graph, triples in by_graph.items())


def changes(removed: list[ox.Quad], added: list[ox.Quad]) -> list[str]:
    """The updates that turn the live quads into the new ones, CHUNK quads each: every removal first
    (a value the engine stores in one form may be removed in one and added in another)."""
    chunks = range(0, max(len(removed), len(added)), CHUNK)
    deletes = [f"DELETE DATA {{ {quad_text(removed[i : i + CHUNK])} }}" for i in chunks if removed[i:]]
    inserts = [f"INSERT DATA {{ {quad_text(added[i : i + CHUNK])} }}" for i in chunks if added[i:]]
    return deletes + inserts


def undo(removed: list[ox.Quad], added: list[ox.Quad]) -> list[str]:
    """The updates that put the live quads back, whichever of ``changes`` were applied (or half)."""
    return changes(added, removed)
