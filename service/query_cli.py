"""`claimgraph query FILE.rq|NAME`: run a query on the validated dataset in memory and print it."""

from __future__ import annotations

import sys
from pathlib import Path

from service.dataset import load_validated
from service.namespaces import Iris
from service.querylib import load_library
from service.settings import Settings
from service.store.oxigraph_store import OxigraphStore

MEDIA = {
    "json": "application/sparql-results+json",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}


def run_query(name_or_path: str, fmt: str, settings: Settings) -> int:
    iris = Iris(settings.base)
    path = Path(name_or_path)
    if path.suffix == ".rq" and path.exists():
        text = path.read_text(encoding="utf-8")
    else:
        library = load_library()
        if name_or_path not in library:
            print(f"error: no query file or named query {name_or_path!r}; named queries:", file=sys.stderr)
            for name, q in library.items():
                print(f"  {name}: {q.title}", file=sys.stderr)
            return 2
        text = library[name_or_path].text
    store = OxigraphStore(base_iri=iris.base, prefixes=iris.prefixes())
    load_validated(store, iris, settings.data_dir)
    if fmt == "table":
        print_table(store.select(text))
    else:
        result = store.sparql(text, media_type=MEDIA[fmt])
        for chunk in result.chunks:
            sys.stdout.buffer.write(chunk)
    return 0


def print_table(rows: list[dict]) -> None:  # type: ignore[type-arg]
    if not rows:
        print("(no rows)")
        return
    names = list(dict.fromkeys(name for row in rows for name in row))
    cells = [[str(row.get(n, "")) for n in names] for row in rows]
    widths = [min(60, max(len(n), *(len(c[i]) for c in cells))) for i, n in enumerate(names)]
    print("  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)))
    for row in cells:
        print("  ".join(c[:60].ljust(w) for c, w in zip(row, widths, strict=True)))
    print(f"({len(rows)} rows)")
