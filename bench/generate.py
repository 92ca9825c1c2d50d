"""A deterministic synthetic dataset of the shipped data's shape, at about 10k, 100k, 1M or 10M triples.

Same graphs, classes, properties and IRI patterns as service/claimgraph/build/compiler.py and
service/claimgraph/build/checks.py write (one provenance and one assertion graph per claim;
sources, entities, vocabulary, article, reviews, dataset and ontology graphs),
minted under one base IRI with claimgraph.iris' patterns, so every example
query in queries/ runs unchanged and returns rows. Seeded: the same seed and
size give the same bytes.

    .venv/bin/python bench/generate.py --size 100k -o /tmp/synthetic-100k.nq
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the checkout importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.articles import write_article
from bench.context import add_context, add_dataset_description
from bench.terms import Quads

GENERATOR_VERSION = 1
DEFAULT_SEED = 20261126
#: The base every synthetic IRI is minted under; the benchmark's servers are configured with it.
BENCH_BASE = "http://bench.claimgraph.test/"
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}


@dataclass(frozen=True)
class Synthetic:
    """A generated dataset: its N-Quads and what it holds."""

    nquads: bytes
    quads: int
    articles: int
    claims: int
    version: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.nquads).hexdigest()


def parse_size(text: str) -> int:
    """A size name (10k, 100k, 1m, 10m) or a number of triples.

    >>> parse_size("100k"), parse_size("2500")
    (100000, 2500)
    """
    lowered = text.strip().lower()
    if lowered in SIZES:
        return SIZES[lowered]
    for suffix, factor in (("k", 1_000), ("m", 1_000_000)):
        if lowered.endswith(suffix) and lowered[:-1].isdigit():
            return int(lowered[:-1]) * factor
    if lowered.isdigit():
        return int(lowered)
    raise ValueError(f"not a size: {text!r} (10k, 100k, 1m, 10m or a number)")


def generate(triples: int, *, seed: int = DEFAULT_SEED, base: str = BENCH_BASE) -> Synthetic:
    """About ``triples`` quads: the fixed context, then articles until the count is reached."""
    q = Quads(base)
    add_context(q)
    articles = claims = 0
    while len(q) < triples:
        claims += write_article(q, articles, seed, triples)
        articles += 1
    version = f"synthetic-v{GENERATOR_VERSION}-seed{seed}-{triples}"
    add_dataset_description(q, version, "a00000")
    return Synthetic("".join(q.lines).encode("utf-8"), len(q), articles, claims, version)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="10k", help="10k, 100k, 1m, 10m or a number of triples")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--base", default=BENCH_BASE, help="base IRI of every minted IRI")
    parser.add_argument("-o", "--output", default=None, help="N-Quads file to write (default: stdout)")
    args = parser.parse_args(argv)
    data = generate(parse_size(args.size), seed=args.seed, base=args.base)
    if args.output:
        Path(args.output).write_bytes(data.nquads)
        print(
            f"{args.output}: {data.quads} quads, {data.articles} articles, {data.claims} claims, "
            f"sha256 {data.sha256[:12]}",
            file=sys.stderr,
        )
    else:
        sys.stdout.buffer.write(data.nquads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
