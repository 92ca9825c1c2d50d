"""YAML loading that remembers where each mapping was written, for errors that name file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import yaml

from claimgraph.errors import DataError

#: Largest YAML file read (the shipped data is a few hundred kilobytes).
MAX_YAML_BYTES = 16 * 1024 * 1024
#: Most nodes a YAML document may hold once its aliases are expanded: aliases let a few lines
#: stand for billions of nodes ("billion laughs"), which every later step would walk.
MAX_YAML_NODES = 1_000_000


class Located(dict[str, Any]):
    """A YAML mapping that knows its file and 1-based line."""

    file: str = "?"
    line: int = 0

    def where(self) -> tuple[str, int]:
        return self.file, self.line


def load_yaml(path: Path, name: str | None = None) -> Any:
    """Parse ``path``; raises DataError with file and line on a syntax error. Errors and the
    mappings' ``file`` name it ``name`` (default: the file's name)."""
    label = name or path.name

    class _Loader(yaml.SafeLoader):
        pass

    def construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> Located:
        # YAML keys may be any scalar; the compiler checks the ones it reads.
        mapping = Located(cast(dict[str, Any], loader.construct_mapping(node, deep=True)))
        mapping.file = label
        mapping.line = node.start_mark.line + 1
        return mapping

    _Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            raise DataError(
                f"the file is {size} bytes; YAML sources may be at most {MAX_YAML_BYTES} bytes",
                file=label,
            )
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"cannot read: {exc.strerror}", file=label if name else str(path)) from exc
    except UnicodeDecodeError as exc:
        raise DataError(f"not UTF-8 text: {exc}", file=label) from exc
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        expanded = _expanded_size(node, label, {}, set())
        if expanded > MAX_YAML_NODES:
            raise DataError(
                f"the YAML document expands to more than {MAX_YAML_NODES} nodes through its aliases "
                "(*name); use fewer aliases",
                file=label,
            )
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise DataError(f"YAML syntax error: {exc.problem}", file=label, line=line) from exc
    except (yaml.YAMLError, RecursionError, TypeError, ValueError, AttributeError) as exc:
        raise DataError(f"YAML the loader cannot read: {exc}", file=label) from exc
    finally:
        loader.dispose()


def _expanded_size(node: yaml.Node, file: str, sizes: dict[int, int], open_nodes: set[int]) -> int:
    """How many nodes ``node`` stands for with every alias expanded (each alias counts its whole
    target again); a node that contains itself is refused. Each node is measured once."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in open_nodes:
        line = node.start_mark.line + 1
        raise DataError("a YAML alias refers to a node that contains it", file=file, line=line)
    open_nodes.add(key)
    total = 1
    if isinstance(node, yaml.SequenceNode):
        total += sum(_expanded_size(child, file, sizes, open_nodes) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            total += _expanded_size(k, file, sizes, open_nodes) + _expanded_size(v, file, sizes, open_nodes)
    open_nodes.discard(key)
    sizes[key] = min(total, MAX_YAML_NODES + 1)
    return sizes[key]
