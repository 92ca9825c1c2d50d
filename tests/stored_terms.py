"""Terms as the store gives them back: Oxigraph keeps integer-derived literals as xsd:integer
(oxigraph/oxigraph#526), so served data is compared with compiled data in that form."""

from __future__ import annotations

from rdflib import Literal
from rdflib.namespace import XSD

INTEGER_KINDS = {XSD.nonNegativeInteger, XSD.positiveInteger, XSD.int, XSD.long, XSD.short}


def as_stored(term):
    """``term`` as Oxigraph stores it.

    >>> as_stored(Literal(5, datatype=XSD.nonNegativeInteger)).datatype == XSD.integer
    True
    """
    if isinstance(term, Literal) and term.datatype in INTEGER_KINDS:
        return Literal(str(term), datatype=XSD.integer)
    return term
