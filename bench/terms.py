"""N-Quads terms as plain strings: the generator writes a million lines, so no rdflib objects here.

>>> quads = Quads("http://example.org/")
>>> quads.add(quads.iri("claims/c1"), SCHEMA("text"), literal("73,197"), quads.iri("graphs/g"))
>>> quads.lines[0]
'<http://example.org/claims/c1> <http://schema.org/text> "73,197" <http://example.org/graphs/g> .\\n'
>>> literal('say "hi"\\n', lang="en")
'"say \\\\"hi\\\\"\\\\n"@en'
>>> typed(73197, "integer")
'"73197"^^<http://www.w3.org/2001/XMLSchema#integer>'
"""

from __future__ import annotations

from collections.abc import Callable

from claimgraph.iris import ONTOLOGY_NAMESPACE, STANDARD_PREFIXES

XSD_NS = "http://www.w3.org/2001/XMLSchema#"


def namespace(prefix: str) -> Callable[[str], str]:
    """A function that turns a local name into the full IRI term ``<prefix + local>``."""
    return lambda local: f"<{prefix}{local}>"


# The same vocabularies the service uses (service/claimgraph/iris.py), as N-Quads term writers.
SCHEMA = namespace(STANDARD_PREFIXES["schema"])
PROV = namespace(STANDARD_PREFIXES["prov"])
OA = namespace(STANDARD_PREFIXES["oa"])
RDFS = namespace(STANDARD_PREFIXES["rdfs"])
SKOS = namespace(STANDARD_PREFIXES["skos"])
DCTERMS = namespace(STANDARD_PREFIXES["dcterms"])
OWL = namespace(STANDARD_PREFIXES["owl"])
VOID = namespace(STANDARD_PREFIXES["void"])
DCAT = namespace(STANDARD_PREFIXES["dcat"])
WD = namespace(STANDARD_PREFIXES["wd"])
RDF_TYPE = namespace(STANDARD_PREFIXES["rdf"])("type")
LABEL = RDFS("label")


def escape(text: str) -> str:
    """The body of an N-Quads string literal."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def literal(text: str, lang: str | None = None) -> str:
    """A plain (xsd:string) or language-tagged literal."""
    return f'"{escape(text)}"@{lang}' if lang else f'"{escape(text)}"'


def typed(value: object, datatype: str) -> str:
    """A literal of an XSD datatype (``integer``, ``decimal``, ``date``, ``boolean``, …)."""
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f'"{escape(str(value))}"^^<{XSD_NS}{datatype}>'


class Quads:
    """Collects N-Quads lines for one base IRI."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.lines: list[str] = []

    def iri(self, path: str) -> str:
        """The term of a minted IRI: ``base + path``."""
        return f"<{self.base}{path}>"

    def cg(self, local: str) -> str:
        """A term of the claimgraph ontology (its persistent namespace, whatever the base)."""
        return f"<{ONTOLOGY_NAMESPACE}{local}>"

    def add(self, subject: str, predicate: str, obj: str, graph: str) -> None:
        self.lines.append(f"{subject} {predicate} {obj} {graph} .\n")

    def __len__(self) -> int:
        return len(self.lines)
