"""`claimgraph validate [PATH]`: a data folder (YAML sources) or a single RDF file."""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset

from service.dataset import build_reviewed, data_folder
from service.errors import DataError
from service.namespaces import Iris
from service.settings import Settings
from service.validate import Report, validate_dataset

RDF_FORMATS = {".trig": "trig", ".nq": "nquads", ".ttl": "turtle", ".jsonld": "json-ld"}


def validate_path(path: str | None, article: str | None, settings: Settings) -> Report:
    """Validate; raises DataError (file and line) when the input cannot even be read."""
    iris = Iris(settings.base)
    if path is None or Path(path).is_dir():
        built, _ = build_reviewed(iris, path or settings.data_dir)
        return validate_dataset(built.dataset, iris, built.text)
    file = Path(path)
    fmt = RDF_FORMATS.get(file.suffix)
    if fmt is None:
        raise DataError(f"unknown file type {file.suffix!r}; expected {sorted(RDF_FORMATS)}", file=path)
    dataset = parse_rdf_file(file, fmt)
    text_path = Path(article) if article else data_folder(settings.data_dir) / "article.txt"
    return validate_dataset(dataset, iris, text_path.read_text(encoding="utf-8"))


def parse_rdf_file(file: Path, fmt: str) -> Dataset:
    """Parse with rdflib; a syntax error becomes a DataError with the file and line."""
    dataset = Dataset()
    try:
        dataset.parse(file, format=fmt)
    except Exception as exc:  # rdflib parsers raise many types; all mean unreadable input
        raise DataError(f"syntax error: {_line_message(exc)}", file=str(file), line=_line(exc)) from exc
    return dataset


def _line(exc: Exception) -> int | None:
    """The 1-based line of a parse error: from the character offset where rdflib gives one."""
    text, offset = getattr(exc, "_str", None), getattr(exc, "_i", None)
    if isinstance(text, bytes | str) and isinstance(offset, int):
        newline = b"\n" if isinstance(text, bytes) else "\n"
        return text[:offset].count(newline) + 1  # type: ignore[arg-type]
    return getattr(exc, "line", None)


def _line_message(exc: Exception) -> str:
    why = getattr(exc, "_why", None)
    return str(why) if why else " ".join(str(exc).split())
