"""Loading N-Quads into a pyoxigraph store with the union of its named graphs in its default graph
(service/claimgraph/store/oxigraph.py says why the default graph holds that union).

The union is made from the input's own text where it can be: each statement's graph term cut off,
the statements of released versions left out, and the result bulk-loaded into the default graph.
Oxigraph's SPARQL update (``UNION_UPDATE``) does the same in one transaction, several times slower
(1M generated quads on disk, one shared machine: load and update 40 s, load and text 20 s of which
4 s cutting the text; pyoxigraph's bulk load alone 12 s). The text is used only when every
statement line reads as the service writes N-Quads and no blank node can be in it (a second parse
would make ``_:b`` another node); otherwise the update runs, with the same result.
"""

from __future__ import annotations

import os
import threading
from itertools import pairwise

import pyoxigraph as ox

from claimgraph.iris import VERSION_GRAPH, VERSION_GRAPH_REGEX

#: Fills the default graph with every triple of the named graphs, each once (a store is a set),
#: except those of released versions (nanopublications): an old version never mixes with the
#: current claims in queries without GRAPH.
UNION_UPDATE = (
    "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o }"
    f' FILTER(!REGEX(STR(?g), "{VERSION_GRAPH_REGEX}")) }}'
)

#: Below this size one parse is quick; above it, every core parses a share of an on-disk load.
PARALLEL_LOAD_BYTES = 8 << 20
MAX_LOAD_THREADS = 4


def load_with_union(store: ox.Store, nquads: bytes, *, on_disk: bool) -> None:
    """Load ``nquads`` (named graphs only: a triple in the default graph is a ValueError) and write
    the union of its graphs into ``store``'s default graph, which must start empty."""
    if on_disk:
        bulk_load_nquads(store, nquads)
    else:
        store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
    for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
        raise ValueError("the data has triples in the default graph; put every triple in a named graph")
    union = union_text(nquads)
    if union is None:
        store.update(UNION_UPDATE)
    elif on_disk:
        bulk_load_nquads(store, union)
    else:
        store.bulk_load(union, format=ox.RdfFormat.N_QUADS)


def union_text(nquads: bytes) -> bytes | None:
    r"""The triples of ``nquads`` that belong in the union, as statements of the default graph, or
    None when the text cannot be cut safely: a blank node, or a statement not written as
    ``… <graph> .`` with single spaces (what the service's own N-Quads look like). ``nquads`` must
    have every statement in a named graph (load_with_union checks that first).

    >>> union_text(b'<s> <p> "o <x> ." <g> .\n\n# note\n<s> <p> <o> <h> .')
    b'<s> <p> "o <x> ." .\n<s> <p> <o> .\n'
    >>> union_text(b'<s> <p> <o> <https://e/np/RA' + b'x' * 43 + b'#assertion> .\n<s> <q> <o> <g> .\n')
    b'<s> <q> <o> .\n'
    >>> [union_text(text) for text in (b'_:b <p> <o> <g> .', b'<s> <p> <o>\t<g> .', b'<s> <p> <o> <g>.')]
    [None, None, None]
    """
    if b"_:" in nquads:
        return None
    kept: list[bytes] = []
    for line in nquads.split(b"\n"):
        line = line.strip()
        if not line or line.startswith(b"#"):
            continue
        cut = line.rfind(b" <")
        graph = line[cut + 1 : -2]
        # The last " <" starts the graph unless another separator was used: then what follows it
        # holds more than one IRI, or a tab, and the text is left to the update.
        if cut < 0 or not line.endswith(b"> .") or graph.count(b"<") != 1 or b"\t" in graph:
            return None
        if b"/np/RA" in graph and VERSION_GRAPH.search(graph.decode("utf-8", "replace")):
            continue
        kept.append(line[:cut])
    return b"".join(statement + b" .\n" for statement in kept)


def bulk_load_nquads(store: ox.Store, nquads: bytes) -> None:
    """Bulk-load N-Quads into an on-disk store, large inputs parsed by one thread per core.

    pyoxigraph's on-disk bulk loader spends its time parsing, on the calling
    thread, with the GIL released; slices of the input load concurrently into one
    store (1M quads: 9.3 s -> 5.0 s on two cores, the same quads). N-Quads is one
    statement per line, so slices cut at line ends hold the same statements. But
    each parse gives its blank nodes fresh identities, so ``_:b`` in two slices
    would become two nodes: input that may hold a blank node (``_:`` anywhere,
    even in a literal) is parsed whole. An in-memory store gains nothing.
    """
    large = len(nquads) > PARALLEL_LOAD_BYTES and b"_:" not in nquads
    threads = min(os.cpu_count() or 1, MAX_LOAD_THREADS) if large else 1
    slices = line_slices(nquads, threads)
    if len(slices) == 1:
        store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
        return
    errors: list[BaseException] = []

    def load(part: bytes) -> None:
        try:
            store.bulk_load(part, format=ox.RdfFormat.N_QUADS)
        except BaseException as exc:  # re-raised in the calling thread below
            errors.append(exc)

    workers = [threading.Thread(target=load, args=(part,)) for part in slices]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        raise errors[0]


def line_slices(data: bytes, count: int) -> list[bytes]:
    r"""``data`` cut into at most ``count`` slices of about equal size, each ending at a line end.

    >>> line_slices(b"a\nbb\nc\ndd\n", 2)
    [b'a\nbb\nc\n', b'dd\n']
    >>> line_slices(b"one line", 3)
    [b'one line']
    """
    cuts = [0]
    for part in range(1, count):
        end = data.find(b"\n", max(cuts[-1], len(data) * part // count))
        if end == -1:
            break
        cuts.append(end + 1)
    cuts.append(len(data))
    return [data[start:stop] for start, stop in pairwise(cuts) if stop > start]
