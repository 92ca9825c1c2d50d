"""An on-disk store as generations: each load builds a new directory, then one rename publishes it.

``PATH/ACTIVE`` names the generation in use (``PATH/gen-…``). A load that fails
leaves ACTIVE, and so what every reader opens, untouched; readers never open a
directory that is still being written (RocksDB forbids reading a store another
process writes). The previous generation is kept, for readers that opened it
before the switch; older ones are removed.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

POINTER = "ACTIVE"
PREFIX = "gen-"


def active(root: Path) -> Path | None:
    """The generation ACTIVE names, or None when nothing was ever published."""
    try:
        name = (root / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    generation = root / name
    return generation if name.startswith(PREFIX) and generation.is_dir() else None


def fresh(root: Path) -> Path:
    """A new, empty generation directory (not yet published)."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"{PREFIX}{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns()}"
    path.mkdir()
    return path


def publish(root: Path, generation: Path) -> None:
    """Point ACTIVE at ``generation``: an atomic rename, so readers see the old or the new one."""
    staged = root / f"{POINTER}.{os.getpid()}.tmp"
    staged.write_text(generation.name + "\n", encoding="utf-8")
    os.replace(staged, root / POINTER)


def prune(root: Path, keep: set[Path]) -> None:
    """Remove every generation but ``keep`` (including half-built ones a crash left behind)."""
    for path in root.glob(PREFIX + "*"):
        if path not in keep:
            shutil.rmtree(path, ignore_errors=True)
