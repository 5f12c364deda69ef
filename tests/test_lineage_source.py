"""The two lineage sources answer alike: :class:`~hemokg.lineage.StoreSource` (the embedded store's own triples,
pattern lookups) gives, for every class of the graph, exactly what :class:`~hemokg.lineage.QuerySource` (the stored
queries, as a remote endpoint runs them) gives — question by question and for the whole traced lineage — on the
reasoned graph and the asserted one."""

from __future__ import annotations

import pytest

import hemokg
from hemokg.backends.embedded import EmbeddedBackend
from hemokg.kg import KnowledgeGraph
from hemokg.lineage import Lineage, QuerySource, Step, StepTable, StoreSource, trace
from hemokg.sparql.results import Results
from hemokg.vocab import REL

QUESTIONS = (
    "up_steps",
    "down_steps",
    "kind_steps",
    "details",
    "subclasses",
    "lineage_groupings",
    "kind_groupings",
    "superclasses",
)
CLASSES = "SELECT DISTINCT ?c WHERE { ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf> ?x FILTER(isIRI(?c)) }"


def _classes(kg: KnowledgeGraph) -> list[str]:
    """Every class of the graph (hemo's and the external ones it names)."""
    return sorted({row[0].value for row in kg.sparql(CLASSES)})


def _drawn(lineage: Lineage) -> tuple[object, ...]:
    return lineage.asdict(), lineage.up, lineage.down, [(k.up, k.down) for k in lineage.kinds]


@pytest.fixture(scope="module", params=["reasoned", "asserted"])
def graph(request: pytest.FixtureRequest, kg: KnowledgeGraph, asserted_kg: KnowledgeGraph) -> KnowledgeGraph:
    return kg if request.param == "reasoned" else asserted_kg


@pytest.mark.parametrize("table", [False, True], ids=["lookups", "step table"])
def test_each_question_answered_alike(graph: KnowledgeGraph, table: bool) -> None:
    data = graph.backend.store  # type: ignore[attr-defined]
    queries, store = QuerySource(graph.query), StoreSource(data, StepTable(data) if table else None)
    differ = []
    for iri in _classes(graph):
        for question in QUESTIONS:
            by_query, by_store = getattr(queries, question)(iri), getattr(store, question)(iri)
            if question.endswith("steps"):  # a step once, whatever the number of its label rows
                by_query = (list(dict.fromkeys(by_query[0])), by_query[1])
            if by_query != by_store:
                differ.append((question, iri, by_query, by_store))
    assert not differ, differ[:3]


def test_a_cell_said_to_have_no_steps_has_none(graph: KnowledgeGraph) -> None:
    """``may_have_steps`` is False only for a cell no ``develops-from-steps`` row names as the cell (what lets a
    trace skip such a superclass), and the step table says False for many classes (it is not a constant True)."""
    data = graph.backend.store  # type: ignore[attr-defined]
    queries, store = QuerySource(graph.query), StoreSource(data, StepTable(data))
    classes, skipped, wrong = _classes(graph), 0, []
    for iri in classes:
        if not store.may_have_steps(iri):
            skipped += 1
            if any(step.cell == iri for step in queries.up_steps(iri)[0]):
                wrong.append(iri)
    assert not wrong, wrong[:5]
    assert skipped > len(classes) // 3  # processes, sites, stages, the stem cell: no step of their own
    assert all(StoreSource(data).may_have_steps(iri) and queries.may_have_steps(iri) for iri in classes[:20])


def test_every_lineage_traced_alike(graph: KnowledgeGraph) -> None:
    differ = []
    for iri in _classes(graph):
        by_query = trace(QuerySource(graph.query), iri, iri)
        by_store = trace(graph.lineage_source(), iri, iri)
        if _drawn(by_query) != _drawn(by_store):
            differ.append(iri)
    assert not differ, differ[:5]


def test_embedded_lineage_reads_the_store_and_remote_ones_the_queries(kg: KnowledgeGraph) -> None:
    assert isinstance(kg.lineage_source(), StoreSource)
    assert kg.lineage_source().table is kg.lineage_source().table is not None  # type: ignore[attr-defined]  # built once

    class Remote:  # any backend that is not the embedded store: only its execute is used
        name = "remote-like"

        def __init__(self, inner: EmbeddedBackend) -> None:
            self.inner, self.ran = inner, list[str]()

        def execute(self, query: str, bindings: object = None) -> Results:
            self.ran.append(query)
            return self.inner.execute(query, bindings)  # type: ignore[arg-type]

    remote = Remote(kg.backend)  # type: ignore[arg-type]
    other = KnowledgeGraph(remote)  # type: ignore[arg-type]
    assert isinstance(other.lineage_source(), QuerySource)
    assert _drawn(other.lineage("mature neutrophil")) == _drawn(kg.lineage("mature neutrophil"))
    assert any("RO_0002207" in text for text in remote.ran)  # the stored step queries ran on the endpoint


def test_a_changed_store_is_seen_by_the_next_lineage() -> None:
    from pyoxigraph import BlankNode, Literal, NamedNode, Quad

    kg = hemokg.load()
    before = kg.lineage("platelet")
    cell = NamedNode("https://w3id.org/hemokg/HEMO_9999990")
    restriction = BlankNode()
    label = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    kg.backend.add(  # type: ignore[attr-defined]
        [
            Quad(cell, label, Literal("test platelet fragment")),
            Quad(cell, NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf"), restriction),
            Quad(
                restriction,
                NamedNode("http://www.w3.org/2002/07/owl#onProperty"),
                NamedNode(REL["directly_develops_from"]),
            ),
            Quad(restriction, NamedNode("http://www.w3.org/2002/07/owl#someValuesFrom"), NamedNode(before.iri)),
            Quad(cell, NamedNode(REL["develops_from"]), NamedNode(before.iri)),
        ]
    )
    after = kg.lineage("platelet")  # add() moved the backend's generation: the step table is rebuilt
    assert cell.value not in before.descendants()
    assert cell.value in after.descendants()
    assert _drawn(after) == _drawn(trace(QuerySource(kg.query), before.iri, "platelet"))


def test_a_store_changed_directly_is_seen_once_the_backend_is_told() -> None:
    from pyoxigraph import BlankNode, NamedNode, Quad

    kg = hemokg.load()
    platelet = kg.resolve("platelet")
    table = kg.lineage_source().table  # type: ignore[attr-defined]
    restriction, cell = BlankNode(), NamedNode("https://w3id.org/hemokg/HEMO_9999991")
    kg.backend.store.extend(  # type: ignore[attr-defined]
        [
            Quad(cell, NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf"), restriction),
            Quad(restriction, NamedNode("http://www.w3.org/2002/07/owl#onProperty"), NamedNode(REL["develops_from"])),
            Quad(restriction, NamedNode("http://www.w3.org/2002/07/owl#someValuesFrom"), NamedNode(platelet)),
        ]
    )
    assert kg.lineage_source().table is table  # type: ignore[attr-defined]  # not told: the table stands
    kg.backend.changed()  # type: ignore[attr-defined]
    fresh = kg.lineage_source().table  # type: ignore[attr-defined]
    assert fresh is not table and len(fresh) == len(table) + 1
    assert Step(cell.value, platelet, direct=False) in [row[0] for row in fresh.rows[cell]]  # develops_from: not direct
