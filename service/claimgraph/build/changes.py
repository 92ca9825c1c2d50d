"""Compile a `change:` assertion item: a claim that states how a measure changed between two figures
the article gives ("rose by 40%", "an increase of over 50%", "more than doubled", "fell by a third").

The change is stored as the article states it, on one of two scales: a relative change in percent
(``(after - before) / before x 100``, negative for a fall) or a factor (``after / before``: doubled
is 2). A bound keeps its direction in the numbers: "fell by more than 50%" is a relative change
under -50%. The check rule change-against-figures (queries/checks/) tests it against the two claims'
figures.
"""

from __future__ import annotations

from decimal import Decimal

from rdflib import Graph, Literal
from rdflib.namespace import RDF

from claimgraph.build.builder import DatasetBuilder
from claimgraph.build.literals import number_literal
from claimgraph.build.yaml_source import Located
from claimgraph.errors import DataError
from claimgraph.iris import SCHEMA

SCALES = ("percent", "factor")
DIRECTIONS = ("increase", "decrease")


def add_change(b: DatasetBuilder, g: Graph, cid: str, n: int, item: Located) -> None:
    """A change of ``measure`` from the figure of claim ``from`` to the figure of claim ``to``."""
    file, line = item.where()

    def fail(message: str) -> DataError:
        return DataError(f"claim {cid}: change: {message}", file=file, line=line)

    cg = b.cg
    scale = item.get("scale", "percent")
    if scale not in SCALES:
        raise fail(f"scale must be one of {SCALES}")
    direction = item.get("direction", "increase")
    if direction not in DIRECTIONS:
        raise fail(f"direction must be one of {DIRECTIONS}")
    if scale == "factor" and direction != "increase":
        raise fail("a factor carries its direction (a halving is factor 0.5): leave out `direction`")
    before = b.ref("claim", b.require(item, "from"), item)
    after = b.ref("claim", b.require(item, "to"), item)
    if before == after:
        raise fail("`from` and `to` must be two claims")
    bounds = {key: item[key] for key in ("value", "min", "max") if key in item}
    if not bounds:
        raise fail("give the stated change as value, or min and/or max")
    if "value" in bounds and len(bounds) > 1:
        raise fail("give either value or min/max")
    node = b.iris.claim_part(cid, f"change-{n}")
    g.add((node, RDF.type, cg.Change))
    g.add((node, SCHEMA.variableMeasured, b.iris.measure(b.ref("measure", b.require(item, "measure"), item))))
    g.add((node, cg.changeFrom, b.iris.claim(before)))
    g.add((node, cg.changeTo, b.iris.claim(after)))
    g.add((node, cg.changeScale, cg[f"scale-{scale}"]))
    g.add((node, cg.approximate, Literal(bool(item.get("approximate", False)))))
    inclusive = {"min": bool(item.get("min_inclusive", True)), "max": bool(item.get("max_inclusive", True))}
    numbers = {key: number_literal(value, item) for key, value in bounds.items()}
    if scale == "percent" and any(Decimal(str(literal)) < 0 for literal in numbers.values()):
        raise fail("give the size of the change; `direction: decrease` says it is a fall")
    if scale == "percent" and direction == "decrease":
        # "fell by over 50%" is a relative change under -50%: the bounds swap as the sign turns.
        numbers = {_SWAP[key]: _negated(literal) for key, literal in numbers.items()}
        inclusive = {"min": inclusive["max"], "max": inclusive["min"]}
    for key, literal in numbers.items():
        if Decimal(str(literal)) <= 0 and scale == "factor":
            raise fail("a factor is a positive number (after / before)")
        g.add((node, _PROPERTIES[key], literal))
        if key != "value":
            g.add((node, cg[f"{key}Inclusive"], Literal(inclusive[key])))


_SWAP = {"value": "value", "min": "max", "max": "min"}
_PROPERTIES = {"value": SCHEMA.value, "min": SCHEMA.minValue, "max": SCHEMA.maxValue}


def _negated(literal: Literal) -> Literal:
    """-x with x's datatype (an integer stays an integer, a decimal keeps its digits)."""
    text = str(literal)
    return Literal(text[1:] if text.startswith("-") else f"-{text}", datatype=literal.datatype)
