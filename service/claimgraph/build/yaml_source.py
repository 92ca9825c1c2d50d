"""YAML loading that remembers where each mapping was written, for errors that name file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from claimgraph.errors import DataError


class Located(dict[str, Any]):
    """A YAML mapping that knows its file and 1-based line."""

    file: str = "?"
    line: int = 0

    def where(self) -> tuple[str, int]:
        return self.file, self.line


def load_yaml(path: Path) -> Any:
    """Parse ``path``; raises DataError with file and line on a syntax error."""

    class _Loader(yaml.SafeLoader):
        pass

    def construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> Located:
        mapping = Located(loader.construct_mapping(node, deep=True))
        mapping.file = path.name
        mapping.line = node.start_mark.line + 1
        return mapping

    _Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"cannot read: {exc.strerror}", file=str(path)) from exc
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise DataError(f"YAML syntax error: {exc.problem}", file=path.name, line=line) from exc
