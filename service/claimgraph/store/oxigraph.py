"""The embedded default: Oxigraph through pyoxigraph, in memory or on disk.

Queries run where they are called; the time limit of public ones is kept around
the store (service/claimgraph/limits/runner.py), partly in forked query processes:
an in-memory store is shared with them copy-on-write, an on-disk one is reopened
read-only in each (``child_opener``). On disk, every load builds a new generation
and publishes it atomically (service/claimgraph/store/generations.py); a loaded
generation is only ever opened read-only, by this process, its query processes and
any other server process (gunicorn workers) alike. An on-disk store follows ACTIVE: when
another process (an ingestion in another gunicorn worker, `claimgraph ingest`, `build-store`)
publishes a generation, the next ``stats()``, ``revision()`` or ``graph_names()`` (every request
calls one first) opens it; that costs one stat() of the pointer file per call.

SPARQL's default graph is a set of triples, but Oxigraph's union default graph
repeats a triple once per named graph holding it (a claim's assertion graph repeats
the event it shares with another claim). So every load also writes the union of its
named graphs, as a set, into the store's default graph, and the union default graph
is that graph: ``COUNT(*)`` over it agrees with VoID's void:triples. Dumps, stats and
``GRAPH ?g`` see only the named graphs; the input may have no default graph of its own.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from claimgraph.errors import QueryRejected, ReadOnlyStore, StoreUnavailable
from claimgraph.iris import Iris, is_version_graph
from claimgraph.settings import Settings
from claimgraph.store import QueryDataset, SparqlResult, StoreStats, generations
from claimgraph.store.oxigraph_load import load_with_union
from claimgraph.store.oxigraph_query import QueryOptions, query_kwargs, run_query
from claimgraph.terms import solution_rows, to_rdflib

#: The data version is the dataset description's dcterms:hasVersion (a hash of the source files).
VERSION_QUERY = """
SELECT ?version WHERE {
  GRAPH ?g { ?dataset a <http://rdfs.org/ns/void#Dataset> ;
                      <http://purl.org/dc/terms/hasVersion> ?version }
} LIMIT 1
"""


NO_DATASET = QueryDataset()
#: Evaluated with pyoxigraph's defaults, whose default graph is the store's own (not the union).
DEFAULT_GRAPH_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


class OxigraphStore:
    """A pyoxigraph Store; ``replace_all`` swaps in a fully built store, so readers never see half."""

    def __init__(
        self,
        path: str | None = None,
        *,
        base_iri: str | None = None,
        prefixes: dict[str, str] | None = None,
        union_default_graph: bool = True,
        read_only: bool = False,
        memory_mb: int = 0,
    ) -> None:
        options = QueryOptions(base_iri, dict(prefixes or {}), union_default_graph)
        root = Path(path) if path else None
        generation = generations.active(root) if root else None
        if generation is None and read_only:
            raise StoreUnavailable(f"no store at {path}: build it first with `claimgraph build-store {path}`")
        self._open(root, generation, options, read_only, memory_mb, follows=root is not None)

    def _open(
        self,
        root: Path | None,
        generation: Path | None,
        options: QueryOptions,
        read_only: bool,
        memory_mb: int = 0,
        *,
        follows: bool,
    ) -> None:
        self.path = root
        self.read_only = read_only
        self.options = options
        self.memory_mb = memory_mb
        self.in_memory_copy = False
        self._generation = generation
        self._follows = follows
        self._pointer = _pointer_key(root) if root is not None else None
        # Without a generation: empty, in memory, until the first replace_all (publishing one on disk).
        self._store = self._serving(generation) if generation else ox.Store()
        self._lock = threading.Lock()
        self._revision = 0
        self._stats: StoreStats | None = None
        self._graph_names: frozenset[str] | None = None

    @classmethod
    def _reopen(cls, generation: Path, options: QueryOptions) -> OxigraphStore:
        """A read-only store on exactly ``generation`` (not whatever ACTIVE names by now)."""
        store = cls.__new__(cls)
        store._open(generation.parent, generation, options, read_only=True, follows=False)
        return store

    def _serving(self, generation: Path) -> ox.Store:
        """What queries run on: the generation, read-only; or, when it takes at most ``memory_mb``
        on disk, an in-memory copy of it (README, "Storage": on-disk reads cost several times
        in-memory ones at scale; the copy costs RAM in each process that opens the store)."""
        disk = ox.Store.read_only(str(generation))
        self.in_memory_copy = 0 < generation_mb(generation) <= self.memory_mb
        if not self.in_memory_copy:
            return disk
        return memory_copy(disk)

    @classmethod
    def from_settings(cls, settings: Settings) -> OxigraphStore:
        return cls(
            settings.store_path,
            base_iri=settings.base,
            prefixes=settings_prefixes(settings),
            union_default_graph=settings.union_default_graph,
            read_only=settings.store_read_only,
            memory_mb=settings.store_memory_mb,
        )

    @property
    def base_iri(self) -> str | None:
        return self.options.base_iri

    @property
    def union_default_graph(self) -> bool:
        return self.options.union_default_graph

    # -- queries ---------------------------------------------------------------------------------
    def _query(self, query: str) -> object:
        try:
            return self._store.query(query, **query_kwargs(self.options))
        except SyntaxError as exc:
            raise QueryRejected(str(exc)) from exc

    def sparql(
        self,
        query: str,
        *,
        media_type: str,
        dataset: QueryDataset | None = None,
        max_rows: int | None = None,
        max_bytes: int | None = None,
    ) -> SparqlResult:
        """Run a guarded query here (see Store.sparql)."""
        chunks = run_query(
            self._store,
            query,
            self.options,
            media_type=media_type,
            dataset=dataset or NO_DATASET,
            max_rows=max_rows,
            max_bytes=max_bytes,
        )
        return SparqlResult(media_type, chunks)

    def child_opener(self) -> Callable[[], OxigraphStore]:
        """See Store.child_opener: in memory, the child's copy of this store, shared copy-on-write;
        on disk, the current generation opened anew, as the inherited handle's RocksDB threads do
        not survive a fork."""
        if self._generation is None or self.in_memory_copy:
            return lambda: self
        return functools.partial(OxigraphStore._reopen, self._generation, self.options)

    def revision(self) -> int:
        self._follow()
        return self._revision

    def _follow(self) -> None:
        """Open the generation ACTIVE names if another process published one since (see the module)."""
        if not self._follows or self.path is None:
            return
        key = _pointer_key(self.path)
        if key == self._pointer:
            return
        with self._lock:
            if key == self._pointer:
                return
            generation = generations.active(self.path)
            if generation is not None and generation != self._generation:
                self._store = self._serving(generation)
                self._generation = generation
                self._stats = self._graph_names = None
                self._revision += 1
            self._pointer = key

    def select(self, query: str) -> list[dict[str, Node]]:
        result = self._query(query)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryRejected("expected a SELECT query")
        return solution_rows(result)

    def ask(self, query: str) -> bool:
        return bool(self._query(query))

    def construct(self, query: str) -> Graph:
        result = self._query(query)
        if not isinstance(result, ox.QueryTriples):
            raise QueryRejected("expected a CONSTRUCT or DESCRIBE query")
        graph = Graph()
        for triple in result:
            graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
        return graph

    # -- content ---------------------------------------------------------------------------------
    def replace_all(self, nquads: bytes) -> None:
        """Build a new store from ``nquads``, then swap it in; on any error the old one stays."""
        if self.read_only:
            raise ReadOnlyStore(f"the store at {self.path} is open read-only")
        with self._lock:
            if self.path is None:
                fresh = ox.Store()
                load_with_union(fresh, nquads, on_disk=False)
            else:
                generation = self._build_generation(nquads)
                fresh = self._serving(generation)
                previous, self._generation = self._generation, generation
                generations.prune(self.path, {generation, *([previous] if previous else [])})
            self._store = fresh
            self._stats = self._graph_names = None
            self._revision += 1
            if self.path is not None:
                self._pointer = _pointer_key(self.path)

    def _build_generation(self, nquads: bytes) -> Path:
        assert self.path is not None
        generation = generations.fresh(self.path)
        try:
            builder = ox.Store(str(generation))
            load_with_union(builder, nquads, on_disk=True)
            builder.flush()
            del builder  # closes the read-write handle: from now on the generation is read-only
        except BaseException:
            shutil.rmtree(generation, ignore_errors=True)
            raise
        generations.publish(self.path, generation)
        return generation

    def export(self, media_type: str) -> Iterator[bytes]:
        fmt = ox.RdfFormat.from_media_type(media_type)
        if fmt is None:
            raise ValueError(f"no RDF format for {media_type}")
        quads = (q for q in self._store if not isinstance(q.graph_name, ox.DefaultGraph))
        if fmt.supports_datasets:
            yield ox.serialize(quads, format=fmt) or b""
        else:
            # Without graphs an old version's triples would merge into the current claim: a triple
            # format carries the current data only (README, "Versions and citation").
            triples = (
                ox.Triple(q.subject, q.predicate, q.object)
                for q in quads
                if not is_version_graph(q.graph_name.value)
            )
            yield ox.serialize(triples, format=fmt) or b""

    def data_version(self) -> str | None:
        rows = self.select(VERSION_QUERY)
        return str(rows[0]["version"]) if rows else None

    def graph_names(self) -> frozenset[str]:
        self._follow()
        if self._graph_names is None:
            names = self._store.named_graphs()
            self._graph_names = frozenset(g.value for g in names if isinstance(g, ox.NamedNode))
        return self._graph_names

    def stats(self) -> StoreStats:
        # Counting walks every quad; the content only changes in replace_all (here or, on disk, in
        # another process: _follow), which resets this. The engine counts (1M quads: 4 s; one Python
        # object per quad took 23 s).
        self._follow()
        if self._stats is None:
            quads = len(self._store) - self._count_default_graph()
            self._stats = StoreStats(quads, len(self.graph_names()), self.data_version())
        return self._stats

    def _count_default_graph(self) -> int:
        """The triples of the store's own default graph: the union of the named graphs it derives."""
        solutions = self._store.query(DEFAULT_GRAPH_COUNT)
        assert isinstance(solutions, ox.QuerySolutions)
        count = next(iter(solutions))["n"]
        return int(count.value) if isinstance(count, ox.Literal) else 0

    def close(self) -> None:
        """Nothing to release early: pyoxigraph closes a store when its last reference goes."""


def memory_copy(disk: ox.Store) -> ox.Store:
    """An in-memory store holding what ``disk`` holds. What it costs is reading the on-disk store:
    at 1M triples 21 s this way and 23 s through an N-Quads file (dump, then bulk load: tried);
    at 10M over 10 minutes either way (the file: 12 minutes' dump at ~5 MB/s, 2 minutes' load)."""
    memory = ox.Store()
    memory.bulk_extend(disk)
    return memory


def generation_mb(generation: Path) -> float:
    """The size of a generation's files on disk, in MB (10**6 bytes)."""
    return sum(f.stat().st_size for f in generation.rglob("*") if f.is_file()) / 1e6


def _pointer_key(root: Path | str) -> tuple[int, int] | None:
    """What tells one publication of ACTIVE from the next: its inode and change time (a publication
    is a rename of a new file over it). Asked a few times per request: the path is joined as text."""
    try:
        found = os.stat(os.path.join(root, generations.POINTER))
    except FileNotFoundError:
        return None
    return found.st_ino, found.st_ctime_ns


def settings_prefixes(settings: Settings) -> dict[str, str]:
    return Iris(settings.base).prefixes()
