"""Deep and wide graphs: lineage, ancestor and lookup answers hold on a develops-from chain, a subclass chain 10,000
deep and a class with 10,000 children — on the embedded store and real servers — and the lineage code orders a
10,000-step chain without recursion.

Lineage reads the relation graph, which hemokg always closes (docs/architecture.md); the closure of a 10,000-step
chain would be 50 million triples, so the chain put on the servers is 300 steps with its closure (45,150 edges),
and the 10,000-step chain is ordered by :class:`~hemokg.lineage.Lineage` itself. The 10,000-deep subclass chain is
answered by the engines' own property paths; nothing recurses in Python (rdflib's path evaluation overflows near
1,000 steps).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, parse, serialize

from benchmarks.synthetic import DIRECT, deep_chain, wide_class
from hemokg.errors import TermNotFoundError
from hemokg.kg import KnowledgeGraph
from hemokg.lineage import Lineage, Step
from hemokg.vocab import GRAPH_RELATION
from tests.fixtures.servers import BACKEND_NAMES, GraphOnBackends

N = 10_000
CHAIN = 300  # steps of the develops-from chain on the backends, closed in their relation graph
HEMO = "https://w3id.org/hemokg/HEMO_"
SUB = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DEVELOPS_FROM = "http://purl.obolibrary.org/obo/RO_0002202"


def _iri(i: int, offset: int = 0) -> str:
    return f"{HEMO}{i + 1 + offset:07d}"


def _graph() -> bytes:
    """The deep develops-from chain (cells 1..10,001), its direct relation-graph edges, a 10,000-deep subclass chain
    (offset 2,000,000) and a class with 10,000 children (offset 4,000,000), as N-Quads."""
    quads = [
        Quad(q.subject, q.predicate, q.object, DefaultGraph())
        for q in parse(deep_chain(CHAIN), format=RdfFormat.N_TRIPLES)
    ]
    relation, direct, develops = NamedNode(GRAPH_RELATION), NamedNode(DIRECT), NamedNode(DEVELOPS_FROM)
    quads += [Quad(NamedNode(_iri(i)), direct, NamedNode(_iri(i - 1)), relation) for i in range(1, CHAIN + 1)]
    quads += [  # the closure hemokg's relation graph holds: every cell develops from every earlier one
        Quad(NamedNode(_iri(i)), develops, NamedNode(_iri(j)), relation) for i in range(1, CHAIN + 1) for j in range(i)
    ]
    lines = []
    for i in range(N + 1):
        lines.append(f'<{_iri(i, 2_000_000)}> <{LABEL}> "deep class {i}" .')
        if i:
            lines.append(f"<{_iri(i, 2_000_000)}> <{SUB}> <{_iri(i - 1, 2_000_000)}> .")
    wide = wide_class(N).decode().replace(HEMO + "0", HEMO + "4")  # HEMO_0000001 -> HEMO_4000001
    quads += [
        Quad(t.subject, t.predicate, t.object, DefaultGraph())
        for t in parse(("\n".join(lines) + "\n" + wide).encode(), format=RdfFormat.N_TRIPLES)
    ]
    return serialize(quads, format=RdfFormat.N_QUADS)


@pytest.fixture(scope="module")
def data() -> bytes:
    return _graph()


DEEP_GRAPH = "https://w3id.org/hemokg/test/deep-wide"


@pytest.fixture(scope="module")
def backends(data: bytes, request, tmp_path_factory) -> Iterator[GraphOnBackends]:
    with GraphOnBackends(data, DEEP_GRAPH, request, tmp_path_factory.mktemp("deep-wide"), bulk=True) as on:
        yield on


@pytest.fixture(scope="module", params=BACKEND_NAMES)
def big(request, backends: GraphOnBackends) -> KnowledgeGraph:
    """The deep and wide graph on every backend: embedded, Oxigraph, Virtuoso and `hemokg serve`."""
    return backends.kg(request.param)


def test_lineage_of_a_long_chain(big: KnowledgeGraph) -> None:
    lineage = big.lineage(f"chain cell {CHAIN}")
    assert lineage.ancestors() == [_iri(i) for i in range(CHAIN - 1, -1, -1)]  # nearest first
    (chain,) = lineage.chains()
    assert chain == [_iri(i) for i in range(CHAIN + 1)]  # root first
    assert all(s.direct for s in lineage.up) and len(lineage.up) == CHAIN
    assert lineage.render(chain[:3]) == "chain cell 0 → chain cell 1 → chain cell 2"


def test_descendants_from_the_root_of_a_long_chain(big: KnowledgeGraph) -> None:
    lineage = big.lineage("chain cell 0")
    assert lineage.descendants() == [_iri(i) for i in range(1, CHAIN + 1)]
    (outcome,) = lineage.outcomes()
    assert len(outcome) == CHAIN + 1 and outcome[0] == _iri(0) and outcome[-1] == _iri(CHAIN)


def test_lineage_code_orders_a_10000_step_chain_without_recursion() -> None:
    limit = sys.getrecursionlimit()
    up = [Step(_iri(i), _iri(i - 1)) for i in range(N, 0, -1)]
    labels = {_iri(i): f"chain cell {i}" for i in range(N + 1)}
    lineage = Lineage.from_edges(_iri(N), up, [], labels)
    assert lineage.ancestors() == [_iri(i) for i in range(N - 1, -1, -1)]
    (chain,) = lineage.chains()
    assert chain == [_iri(i) for i in range(N + 1)]
    assert lineage.render(chain[:3]) == "chain cell 0 → chain cell 1 → chain cell 2"
    root = Lineage.from_edges(_iri(0), [], up, labels)
    (outcome,) = root.outcomes()
    assert len(outcome) == N + 1 and outcome[-1] == _iri(N)
    assert sys.getrecursionlimit() == limit  # nobody raised the limit to get here


def test_ancestors_of_a_10000_deep_subclass_chain(big: KnowledgeGraph) -> None:
    deepest = big.resolve(f"deep class {N}")
    rows = big.sparql(f"SELECT ?a WHERE {{ ?_c_iri <{SUB}>+ ?a }}", {"_c_iri": NamedNode(deepest)}).rows
    assert {r[0].value for r in rows} == {_iri(i, 2_000_000) for i in range(N)}
    count = big.sparql(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ ?d <{SUB}>* ?_top_iri }}", {"_top_iri": NamedNode(_iri(0, 2_000_000))}
    ).rows[0][0]
    assert int(count.value) == N + 1


def test_a_class_with_10000_children(big: KnowledgeGraph) -> None:
    parent = big.resolve("wide parent")
    assert parent == _iri(0, 4_000_000)
    rows = big.sparql(f"SELECT ?c WHERE {{ ?c <{SUB}> ?_p_iri }}", {"_p_iri": NamedNode(parent)}).rows
    assert len({r[0].value for r in rows}) == N
    child = big.lookup("Wide Child 7777")  # lookup folds case among 10,000 siblings
    assert child.iri == _iri(7777, 4_000_000) and child.parents == ((parent, "wide parent"),)
    assert big.lookup("wide parent").label == "wide parent"
    assert big.lineage("wide child 1").ancestors() == []


def test_lookup_among_20000_names(big: KnowledgeGraph) -> None:
    assert big.lookup("chain cell 299").iri == _iri(299)
    assert big.lookup(f"<{_iri(5000, 2_000_000)}>").label == "deep class 5000"
    assert big.lookup("HEMO:4000001").label == "wide parent"
    with pytest.raises(TermNotFoundError, match="chain cell"):  # with the nearest names as suggestions
        big.lookup("chain cell 10001")


def test_a_develops_from_cycle_ends_each_path_once() -> None:
    """A cycle (a ← b ← c ← a, each with a way out to a root) ends a path where it would revisit a cell: every path
    visits each cell once, and a dense cyclic graph of 40 cells answers at once instead of spending the whole search
    budget on one cycle (a synthetic graph with cycles took 16 s per lineage before)."""
    cycle = [Step("a", "b"), Step("b", "c"), Step("c", "a"), Step("c", "root")]
    chains = Lineage.from_edges("a", cycle, [], {}).chains()
    assert chains == [["root", "c", "b", "a"]]
    dense = [Step(f"c{i}", f"c{j}") for i in range(40) for j in range(40) if i != j]  # every cell from every other
    paths = Lineage.from_edges("c0", dense, [], {}).chains()
    assert len(paths) == 64 and all(len(set(p)) == len(p) and p[-1] == "c0" for p in paths)
