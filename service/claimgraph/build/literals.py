"""Typed literals from YAML values: dates, year-months and years; integers and decimals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from rdflib import Literal
from rdflib.namespace import XSD

from claimgraph.build.yaml_source import Located
from claimgraph.errors import DataError


def date_literal(value: Any, at: Located) -> Literal:
    """A YAML date, "YYYY-MM" or a year as an xsd:date, xsd:gYearMonth or xsd:gYear literal.

    >>> date_literal(dt.date(2024, 8, 5), Located()).n3()
    '"2024-08-05"^^<http://www.w3.org/2001/XMLSchema#date>'
    >>> date_literal("2024-06", Located()).datatype.endswith("gYearMonth")
    True
    >>> date_literal(2009, Located()).datatype.endswith("gYear")
    True
    """
    if isinstance(value, dt.date):
        return Literal(value.isoformat(), datatype=XSD.date)
    text = str(value)
    if len(text) == 4 and text.isdigit():
        return Literal(text, datatype=XSD.gYear)
    if len(text) == 7 and text[:4].isdigit() and text[4] == "-" and text[5:].isdigit():
        return Literal(text, datatype=XSD.gYearMonth)
    file, line = at.where()
    raise DataError(f"not a date, year-month or year: {value!r}", file=file, line=line)


def number_literal(value: Any, at: Located) -> Literal:
    """An int as xsd:integer; a decimal written "83.4" (or 83.4) as xsd:decimal.

    >>> number_literal(73197, Located()).datatype.endswith("integer")
    True
    >>> number_literal("83.4", Located()).n3()
    '"83.4"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    """
    if isinstance(value, bool):
        pass
    elif isinstance(value, int):
        return Literal(value, datatype=XSD.integer)
    elif isinstance(value, float | str):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            number = None
        if number is not None and number.is_finite():
            return Literal(str(number), datatype=XSD.decimal)
    file, line = at.where()
    raise DataError(f"not a number: {value!r}", file=file, line=line)
