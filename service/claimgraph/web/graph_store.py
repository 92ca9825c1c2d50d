"""The read side of the SPARQL 1.1 Graph Store HTTP Protocol on /sparql (indirect graph
identification): ``GET /sparql?graph=IRI`` is that named graph, ``GET /sparql?default``
the default graph (the union of the named graphs when the service says so, as queries see
it), in the RDF format negotiated like a CONSTRUCT result. An IRI the store has no graph
of is a 404; ``graph`` and ``default`` together, or with a query, are a 400. The store is
read-only: nothing here writes.
"""

from __future__ import annotations

from urllib.parse import urljoin

from flask import Response, request
from rdflib import Dataset
from werkzeug.datastructures import MultiDict

from claimgraph import media
from claimgraph.errors import NotFound, QueryRejected
from claimgraph.negotiation import negotiate, parse_accept
from claimgraph.web import get_iris, get_store
from claimgraph.web.representation import rdf_response, vary_on


def asks(params: MultiDict[str, str]) -> bool:
    """Whether a GET's parameters are a Graph Store request (``graph`` or ``default``)."""
    return "graph" in params or "default" in params


def answer(params: MultiDict[str, str]) -> Response:
    """The graph the parameters name, in the negotiated RDF format (404: no such graph)."""
    graphs = params.getlist("graph")
    if "query" in params or "update" in params:
        raise QueryRejected("a request names a graph (graph, default) or carries a query, not both")
    if ("default" in params) + len(graphs) != 1:
        raise QueryRejected("name exactly one graph: one `graph=IRI` parameter, or `default`")
    accept = parse_accept(request.headers.get("Accept"))
    fmt = negotiate(accept, media.GRAPHS, names=params.getlist("format"))
    store = get_store()
    if graphs:
        name = urljoin(get_iris().base, graphs[0].strip())
        if name not in store.graph_names():
            raise NotFound(f"this store holds no graph named <{name}>")
        # The IRI is one of the store's own graph names, so it is safe inside the query.
        content = store.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")
    else:
        content = store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    dataset = Dataset()
    for triple in content:
        dataset.add(triple)
    response = rdf_response(dataset, fmt)
    vary_on(response, "Accept")
    return response
