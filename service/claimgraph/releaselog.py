"""The release log: every released nanopublication, one append-only file per release.

``data/releases/release-0001.nq``, ``release-0002.nq``, …: each file is sorted N-Quads
holding the release's description (graph ``<base>releases/N``: when, why, the versions
the dataset is made of as of the release, ``dcterms:hasPart``, and those first published
in it, ``cg:published``) and every nanopublication first published in it (new versions
and retractions). A file, once written, is never rewritten: old versions stay servable
whatever the YAML says later. Reading the log checks every nanopublication's Trusty URI
against its content; a hand edit is a problem naming the file and the nanopublication.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Literal, Namespace, URIRef
from rdflib.term import Node

from claimgraph.iris import CG, DCAT, DCTERMS, PROV, RDF, RDFS, XSD
from claimgraph.nanopubs import Nanopub, parse_nanopubs

#: DCAT 3 (rdflib's DCAT namespace predates its version terms).
DCAT3 = Namespace(str(DCAT))
RELEASES_DIR = "releases"
FILE_PATTERN = re.compile(r"release-(\d{4,})\.nq")


@dataclass(frozen=True)
class Release:
    number: int
    iri: URIRef
    file: Path
    issued: str
    message: str
    #: The versions the dataset is made of as of this release.
    members: frozenset[URIRef]
    #: The nanopublications first published in this release (new versions, retractions).
    published: frozenset[URIRef]
    #: The release description's quads (graph, subject, predicate, object).
    quads: tuple[tuple[Node, Node, Node, Node], ...] = ()


@dataclass
class ReleaseLog:
    """Every release, in order, and every nanopublication they published."""

    releases: list[Release] = field(default_factory=list)
    nanopubs: dict[URIRef, Nanopub] = field(default_factory=dict)
    #: Where the log is not what was released: (file, what is wrong).
    problems: list[tuple[str, str]] = field(default_factory=list)

    @property
    def last(self) -> Release | None:
        return self.releases[-1] if self.releases else None

    def release_of(self, nanopub: URIRef) -> Release | None:
        """The release that first published ``nanopub``."""
        return next((r for r in self.releases if nanopub in r.published), None)

    def history(self, claim: URIRef) -> list[Nanopub]:
        """The versions and retractions of ``claim``, oldest first."""
        order = {iri: i for i, r in enumerate(self.releases) for iri in r.published}
        found = [n for n in self.nanopubs.values() if n.claim == claim]
        return sorted(found, key=lambda n: (order.get(n.iri, len(order)), n.created))

    def current(self) -> dict[URIRef, Nanopub]:
        """Each claim's nanopublication in the last release: its version, or its retraction."""
        current: dict[URIRef, Nanopub] = {}
        for release in self.releases:
            for iri in sorted(release.published):
                nanopub = self.nanopubs.get(iri)
                if nanopub is not None and nanopub.claim is not None:
                    current[nanopub.claim] = nanopub
        return current

    def claims(self) -> set[URIRef]:
        return {n.claim for n in self.nanopubs.values() if n.claim is not None}


def releases_dir(data_dir: Path) -> Path:
    return data_dir / RELEASES_DIR


def release_files(data_dir: Path) -> list[Path]:
    """The release files in order (files that are not release-NNNN.nq are not part of the log)."""
    folder = releases_dir(data_dir)
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if FILE_PATTERN.fullmatch(p.name)]
    return sorted(found, key=lambda p: int(FILE_PATTERN.fullmatch(p.name).group(1)))  # type: ignore[union-attr]


def read_release_log(data_dir: Path) -> ReleaseLog:
    """Read and check every release file under ``data_dir``/releases (an empty log if none)."""
    log = ReleaseLog()
    for expected, path in enumerate(release_files(data_dir), start=1):
        number = int(FILE_PATTERN.fullmatch(path.name).group(1))  # type: ignore[union-attr]
        if number != expected:
            log.problems.append((str(path), f"expected release {expected} here (a release file is missing)"))
        dataset = Dataset()
        try:
            dataset.parse(path, format="nquads")
        except Exception as exc:  # rdflib raises many kinds: the file is not what was released
            log.problems.append((str(path), f"not valid N-Quads ({exc})"))
            continue
        quads = [(g, s, p, o) for s, p, o, g in dataset.quads((None, None, None, None))]
        nanopubs, rest = parse_nanopubs(quads)  # type: ignore[arg-type]
        for nanopub in nanopubs:
            if not nanopub.verify():
                log.problems.append(
                    (
                        str(path),
                        f"nanopub <{nanopub.iri}>: its Trusty URI does not match its content"
                        " (a released version was edited)",
                    )
                )
            log.nanopubs[nanopub.iri] = nanopub
        release = _release(path, number, rest, log)
        if release is not None:
            log.releases.append(release)
    return log


def _release(path: Path, number: int, quads: list, log: ReleaseLog) -> Release | None:
    subjects = {q[0] for q in quads if q[2] == RDF.type and q[3] == CG.Release}
    if len(subjects) != 1:
        log.problems.append((str(path), f"expected one release description, found {len(subjects)}"))
        return None
    iri = next(iter(subjects))
    strays = [q for q in quads if q[0] != iri]
    if strays:
        log.problems.append((str(path), f"{len(strays)} quads belong to no nanopublication"))

    def values(predicate: URIRef) -> list[Node]:
        return [q[3] for q in quads if q[0] == iri and q[1] == iri and q[2] == predicate]

    members = frozenset(v for v in values(DCTERMS.hasPart) if isinstance(v, URIRef))
    published = frozenset(v for v in values(CG.published) if isinstance(v, URIRef))
    for missing in sorted(published - log.nanopubs.keys()):
        log.problems.append((str(path), f"nanopub <{missing}> is listed as published but is not in the file"))
    issued = values(DCTERMS.issued)
    message = values(RDFS.comment)
    return Release(
        number,
        iri,
        path,
        str(issued[0]) if issued else "",
        str(message[0]) if message else "",
        members,
        published,
        tuple(q for q in quads if q[0] == iri),
    )


def release_quads(
    iri: URIRef,
    number: int,
    dataset: URIRef,
    issued: str,
    message: str,
    members: Iterable[URIRef],
    published: Iterable[URIRef],
    previous: URIRef | None,
) -> list[tuple[Node, Node, Node, Node]]:
    """The description of a release, in its own graph (named by the release IRI)."""
    triples: list[tuple[Node, Node, Node]] = [
        (iri, RDF.type, CG.Release),
        (iri, RDF.type, DCAT.Dataset),
        (iri, DCTERMS.isVersionOf, dataset),
        (iri, DCAT3.version, Literal(str(number))),
        (iri, RDFS.label, Literal(f"Release {number}", lang="en")),
        (iri, DCTERMS.issued, Literal(issued, datatype=XSD.dateTime)),
    ]
    if message:
        triples.append((iri, RDFS.comment, Literal(message)))
    if previous is not None:
        triples.append((iri, PROV.wasRevisionOf, previous))
        triples.append((iri, DCAT3.previousVersion, previous))
    triples += [(iri, DCTERMS.hasPart, m) for m in members]
    triples += [(iri, CG.published, p) for p in published]
    return [(iri, s, p, o) for s, p, o in triples]


def nquads_lines(quads: Iterable[tuple[Node, Node, Node, Node]]) -> list[str]:
    """Sorted N-Quads lines of ``quads`` (graph first in the tuple)."""
    ds = Dataset()
    for g, s, p, o in quads:
        ds.add((s, p, o, g))  # type: ignore[arg-type]
    text = ds.serialize(format="nquads", encoding="utf-8").decode("utf-8")
    return sorted(line for line in text.splitlines() if line.strip())


def write_release_file(data_dir: Path, number: int, lines: Iterable[str]) -> Path:
    """Write release ``number``'s file; refuses to overwrite one (the log is append-only)."""
    folder = releases_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"release-{number:04d}.nq"
    with path.open("x", encoding="utf-8") as out:  # "x": fails if it exists
        out.write("".join(f"{line}\n" for line in lines))
    return path


class ReleaseLogCache:
    """The release log of one data folder, read again when its files change (a new release)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._key: tuple[tuple[str, int, int], ...] | None = None
        self._log = ReleaseLog()
        self._lock = threading.Lock()

    def get(self) -> ReleaseLog:
        files = release_files(self.data_dir)
        key = tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files)
        with self._lock:
            if key != self._key:
                self._log, self._key = read_release_log(self.data_dir), key
            return self._log
