"""Injection: parameter values built to escape a query (quotes, ``>``, ``}``, ``#``, newlines, NUL, ``} ; DROP ALL ;``)
cannot change any stored query's meaning on any backend, and the graph is unchanged afterwards.

The strongest check: the graph holds terms whose *labels and IRIs are* the hostile strings, and every backend finds
exactly those terms by them — a value that is bound as data matches data, a value pasted into the query would not.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, RdfFormat, parse, serialize

import hemokg
from hemokg.backends.embedded import EmbeddedBackend
from hemokg.errors import HemoError, UpdateRefusedError
from hemokg.graph.store import load_nquads
from hemokg.kg import KnowledgeGraph
from hemokg.sparql.queries import catalog
from tests.fixtures.servers import BACKEND_NAMES, GraphOnBackends

RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
OWL_CLASS = NamedNode("http://www.w3.org/2002/07/owl#Class")
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

#: Values built to escape a string, an IRI, a VALUES block or the query, or to smuggle an update in.
HOSTILE = [
    '"',
    '\\"',
    "'",
    "'''",
    '"""',
    ">",
    "<",
    "}",
    "{",
    "#",
    "\n",
    "\r\n",
    "\\",
    "\x00",
    "} ; DROP ALL ;",
    '"} ; DROP ALL ; #',
    '" . } DELETE WHERE { ?s ?p ?o } #',
    "')) } UNION { ?s ?p ?o } #",
    "\\u0022 } ; DROP ALL",
    '""" } ; DROP ALL ; #',
    'neutrophil" || true || "',
    "<http://x> } ; CLEAR DEFAULT",
    "http://a> } ; DROP ALL ; <http://b",
    "CL:0000775> } ; DROP ALL",
    "CL:0000775}",
    "neutrophil\n} ; DROP ALL ; #",
    "?s ?p ?o",
    "$x",
    "\t}\t",
    "\u2028}",
    ") } ; INSERT DATA { <http://e/a> <http://e/b> <http://e/c> } #",
    "x" * 5000,
    "🩸 } #",
    "\\x00",
]
#: IRIs with every character an IRI allows that means something to SPARQL or to a URL: ' ( ) ; # % & = + , ! $ * ?
HOSTILE_IRIS = [
    "https://w3id.org/hemokg/HEMO_9900001#');DROP",
    "https://w3id.org/hemokg/HEMO_9900002?x=1&y=')+;DELETE",
    "https://w3id.org/hemokg/HEMO_9900003%22%3E%7D%3B%20DROP%20ALL",
    "https://w3id.org/hemokg/HEMO_9900004/*$,!=",
]


def _hostile_graph() -> bytes:
    """The reasoned hemo graph plus one class per hostile label (NUL excepted: no store may hold it) and IRI."""
    quads = list(parse(load_nquads(), format=RdfFormat.N_QUADS))
    for i, value in enumerate(v for v in HOSTILE if "\x00" not in v):
        term = NamedNode(f"https://w3id.org/hemokg/HEMO_98{i:05d}")
        quads += [
            Quad(term, RDF_TYPE, OWL_CLASS, DefaultGraph()),
            Quad(term, RDFS_LABEL, Literal(value), DefaultGraph()),
        ]
    for i, iri in enumerate(HOSTILE_IRIS):
        quads += [
            Quad(NamedNode(iri), RDF_TYPE, OWL_CLASS, DefaultGraph()),
            Quad(NamedNode(iri), RDFS_LABEL, Literal(f"hostile iri {i}"), DefaultGraph()),
        ]
    return serialize(quads, format=RdfFormat.N_QUADS)


@pytest.fixture(scope="module")
def hostile_nquads() -> bytes:
    return _hostile_graph()


HOSTILE_GRAPH = "https://w3id.org/hemokg/test/hostile"


@pytest.fixture(scope="module")
def hostile_backends(hostile_nquads: bytes, request, tmp_path_factory) -> Iterator[GraphOnBackends]:
    with GraphOnBackends(hostile_nquads, HOSTILE_GRAPH, request, tmp_path_factory.mktemp("hostile")) as backends:
        yield backends


@pytest.fixture(params=BACKEND_NAMES)
def hostile_kg(request, hostile_backends: GraphOnBackends) -> KnowledgeGraph:
    """The hostile graph on each backend: embedded, a real Oxigraph server, Virtuoso, and `hemokg serve`."""
    return hostile_backends.kg(request.param)


def fingerprint(kg: KnowledgeGraph) -> str:
    """A digest of every triple the knowledge graph answers from (the same on every backend)."""
    rows = kg.sparql("SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }").rows  # the union of graphs, as a set
    lines = sorted({" ".join("_:b" if isinstance(t, BlankNode) else str(t) for t in r) for r in rows})
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def test_every_stored_query_takes_every_hostile_value_and_the_graph_stays(hostile_kg: KnowledgeGraph) -> None:
    before = fingerprint(hostile_kg)
    runs = 0
    for stored in catalog().values():
        for param in stored.params:
            for value in HOSTILE:
                try:
                    results = hostile_kg.query(stored.name, **{param.name: value})
                except HemoError as exc:
                    assert isinstance(exc, hemokg.ParameterError | hemokg.TermNotFoundError), (stored.name, exc)
                    continue
                runs += 1
                assert results.kind == {"construct": "graph", "describe": "graph"}.get(stored.form, stored.form)
    assert runs > 30
    assert fingerprint(hostile_kg) == before
    assert hostile_kg.lookup("neutrophil").curie.startswith(("CL:", "HEMO:"))


@pytest.mark.parametrize("index", range(len([v for v in HOSTILE if "\x00" not in v])))
def test_a_hostile_label_finds_exactly_its_term(hostile_kg: KnowledgeGraph, index: int) -> None:
    value = [v for v in HOSTILE if "\x00" not in v][index]
    iri = f"https://w3id.org/hemokg/HEMO_98{index:05d}"
    rows = hostile_kg.query("term-by-name", name=value).rows
    assert [(r[0].value, r[2].value) for r in rows] == [(iri, value)]
    if value == value.strip():  # lookup trims the text a person typed
        assert hostile_kg.lookup(value).iri == iri
    bound = hostile_kg.sparql(
        "SELECT ?t WHERE { ?t <http://www.w3.org/2000/01/rdf-schema#label> ?label }", {"label": value}
    ).rows
    assert [r[0].value for r in bound] == [iri]


@pytest.mark.parametrize("iri", HOSTILE_IRIS)
def test_a_hostile_iri_finds_exactly_its_term(hostile_kg: KnowledgeGraph, iri: str) -> None:
    details = hostile_kg.query("term-details", term=iri).rows
    assert [(r[0].value, r[1].value) for r in details] == [("label", f"hostile iri {HOSTILE_IRIS.index(iri)}")]
    assert hostile_kg.lookup(f"<{iri}>").iri == iri


def test_nul_is_refused_before_any_backend_sees_it(hostile_kg: KnowledgeGraph) -> None:
    with pytest.raises(hemokg.ParameterError, match="NUL"):
        hostile_kg.query("term-by-name", name="a\x00} ; DROP ALL")
    with pytest.raises(hemokg.TermNotFoundError):
        hostile_kg.lookup("neutrophil\x00")


UPDATES = [
    "DROP ALL",
    "CLEAR DEFAULT",
    "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/x.ttl>",
    "CREATE GRAPH <http://e/g>",
    "PREFIX select: <http://x/> INSERT DATA { select:a select:b select:c }",
    "# SELECT * WHERE { ?s ?p ?o }\nDROP ALL",
    "WITH <https://w3id.org/hemokg/hemo.owl> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "BASE <http://select/> PREFIX ask: <http://a/> COPY DEFAULT TO <http://e/g>",
]


@pytest.mark.parametrize("update", UPDATES)
def test_sparql_refuses_updates_on_every_backend(hostile_kg: KnowledgeGraph, update: str) -> None:
    """Read-only by default: ``kg.sparql`` never writes (a hidden update behind a PREFIX included)."""
    with pytest.raises(UpdateRefusedError):
        hostile_kg.sparql(update)


def test_the_server_still_holds_everything_after_the_attacks(
    hostile_backends: GraphOnBackends, hostile_nquads: bytes
) -> None:
    """The read-write server answers exactly what the embedded store answers from the same data."""
    embedded = KnowledgeGraph(EmbeddedBackend.from_nquads(hostile_nquads))
    assert fingerprint(hostile_backends.kg("oxigraph")) == fingerprint(embedded)
