"""Virtuoso's own bulk loader for an initial load (store/sparql_initial.py): the pieces go to an
N-Quads file in a folder the engine reads, then ``ld_dir`` + ``rdf_loader_run`` + ``checkpoint``
run through ``isql-vt`` on the engine's SQL port.

Through the Graph Store, Virtuoso takes one request per graph (2.8-4.9 ms each at 100k triples;
~476,000 graphs at 10M: the load did not end in 51 minutes, where the bulk loader took under 2).
The loader writes without Virtuoso's transaction log and reads the graph of each quad from the file;
the checkpoint makes what it wrote durable. Readers see none of it until the initial load's mark is
replaced (they wait on the mark), and a failure leaves the mark to the initial load's undo.

The file is named by the generation, removed after the load (loaded or not) with its row of
``DB.DBA.LOAD_LIST``, where the loader notes each file and its error; an error there fails the load.
``isql-vt`` takes the password on its command line: it is in that process's arguments (``ps``) for
as long as the load runs (README: give the front end an SQL account of its own).
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from claimgraph.errors import StoreUnavailable
from claimgraph.store.sparql_initial import Piece, nquads_of

#: Marks the loader's error rows in isql's output (its other output is free text).
ERROR_MARK = "claimgraph-bulk-error:"
#: Marks how many rows the loader has for the file (1: it found and read it).
LISTED_MARK = "claimgraph-bulk-listed:"
#: How much of isql's output an error message keeps.
OUTPUT_CHARS = 2000


@dataclass(frozen=True)
class VirtuosoBulk:
    """How to reach Virtuoso's bulk loader: ``sql`` is its SQL port (``host:port``), ``folder`` one
    both the front end and the engine read at that path (in the engine's ``DirsAllowed``), ``isql``
    the command (Debian's ``isql-vt``)."""

    sql: str
    folder: Path
    user: str
    password: str
    isql: str = "isql-vt"


def sql_text(text: str) -> str:
    """``text`` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


class BulkFile:
    """One initial load's file: ``load`` writes every piece to it (the ``send`` of InitialLoad) and
    hands it to the engine, ``remove`` deletes the file and the loader's note of it."""

    def __init__(self, bulk: VirtuosoBulk, generation: str, union: ox.NamedNode) -> None:
        self.bulk, self.union = bulk, union
        self.name = f"claimgraph-{generation}.nq"
        self.path = bulk.folder / self.name
        try:
            self._file: BinaryIO | None = self.path.open("xb")
        except OSError as exc:
            message = f"cannot write the bulk loader's file (virtuoso_load_dir): {exc}"
            raise StoreUnavailable(message) from None

    def load(self, pieces: Iterator[Piece]) -> None:
        """Write ``pieces`` (the union's triples in the union graph: the loader would put a triple
        without a graph in the one ld_dir names) and run the engine's loader on the file;
        StoreUnavailable with its message if it fails."""
        assert self._file is not None, "the file was handed to the engine already"
        for piece in pieces:  # the union in a graph of its own: Endpoint allows bulk with load="graphs" only
            self._file.write(nquads_of(*piece))
        self._file.close()
        self._file = None
        listed, folder = sql_text("%/" + self.name), sql_text(str(self.bulk.folder))
        output = self._isql(
            f"ld_dir({folder}, {sql_text(self.name)}, {sql_text(self.union.value)});\n"
            "rdf_loader_run();\n"
            "checkpoint;\n"
            f"SELECT {sql_text(LISTED_MARK)} || CAST(COUNT(*) AS VARCHAR) FROM DB.DBA.LOAD_LIST"
            f" WHERE ll_file LIKE {listed};\n"
            f"SELECT {sql_text(ERROR_MARK)} || ll_error FROM DB.DBA.LOAD_LIST"
            f" WHERE ll_file LIKE {listed} AND ll_error IS NOT NULL;\n"
        )
        lines = output.splitlines()
        errors = [line.split(ERROR_MARK, 1)[1].strip() for line in lines if ERROR_MARK in line]
        if not any(f"{LISTED_MARK}1" in line for line in lines):
            errors.append("the engine did not list the file (is it readable by the engine, at that path?)")
        if errors:
            raise StoreUnavailable(f"Virtuoso's bulk loader failed on {self.path}: {'; '.join(errors)}")

    def remove(self) -> None:
        """Delete the file and the loader's row for it (both may be gone already)."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self.path.unlink(missing_ok=True)
        with contextlib.suppress(StoreUnavailable):
            self._isql(f"DELETE FROM DB.DBA.LOAD_LIST WHERE ll_file LIKE {sql_text('%/' + self.name)};\n")

    def _isql(self, script: str) -> str:
        """isql's output for ``script``; StoreUnavailable if it cannot run or reports an error."""
        bulk = self.bulk
        command = [bulk.isql, bulk.sql, bulk.user, bulk.password, "VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF"]
        try:
            done = subprocess.run(command, input=script, capture_output=True, text=True, check=False)
        except OSError as exc:
            raise StoreUnavailable(f"cannot run {bulk.isql} for Virtuoso's bulk loader: {exc}") from None
        output = done.stdout + done.stderr
        if done.returncode != 0 or "*** Error" in output:
            raise StoreUnavailable(
                f"Virtuoso's bulk loader ({bulk.isql} {bulk.sql}) failed ({done.returncode}):"
                f" {(output.replace(bulk.password, '***') if bulk.password else output)[-OUTPUT_CHARS:]}"
            )
        return output
