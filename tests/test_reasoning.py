"""Tests of hemokg.graph.reasoning (real HermiT and Pellet, no mocks) and hemokg.graph.relation_graph (pure Python)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from hemokg.errors import HemoError, OntologyParseError, ReasonerError, ReasonerUnavailableError
from hemokg.graph.reasoning import REASONERS, ReasonerReport, UnknownReasonerError, java_available, reason, reason_file
from hemokg.graph.relation_graph import relation_graph
from hemokg.vocab import REL

EX = "http://example.org/"
SUB = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
EQUIV = "http://www.w3.org/2002/07/owl#equivalentClass"
HEMO_TTL = Path(__file__).resolve().parents[1] / "ontology" / "hemo.ttl"
PREAMBLE = """
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
@prefix ex: <http://example.org/> .
"""

# Consistent; D is inferred under C through C's equivalence definition; U is unsatisfiable (X disjoint with Y);
# E1 ≡ E2 is asserted (so not "new"); the owl:imports points nowhere and must not be fetched.
SATISFIABLE_WITH_UNSAT = (
    PREAMBLE
    + """
<http://example.org/onto> a owl:Ontology ; owl:imports <http://unreachable.invalid/nothing.owl> .
ex:p a owl:ObjectProperty .
ex:A a owl:Class .
ex:B a owl:Class ; rdfs:subClassOf ex:A .
ex:C a owl:Class ; owl:equivalentClass [ a owl:Class ; owl:intersectionOf
    ( ex:A [ a owl:Restriction ; owl:onProperty ex:p ; owl:someValuesFrom ex:B ] ) ] .
ex:D a owl:Class ; rdfs:subClassOf ex:B , [ a owl:Restriction ; owl:onProperty ex:p ; owl:someValuesFrom ex:B ] .
ex:X a owl:Class ; owl:disjointWith ex:Y .
ex:Y a owl:Class .
ex:U a owl:Class ; rdfs:subClassOf ex:X , ex:Y .
ex:E1 a owl:Class ; owl:equivalentClass ex:E2 .
ex:E2 a owl:Class .
ex:F1 a owl:Class ; owl:equivalentClass [ a owl:Restriction ; owl:onProperty ex:p ; owl:someValuesFrom ex:X ] .
ex:F2 a owl:Class ; owl:equivalentClass [ a owl:Restriction ; owl:onProperty ex:p ; owl:someValuesFrom ex:X ] .
"""
)

INCONSISTENT = (
    PREAMBLE
    + """
ex:X a owl:Class ; owl:disjointWith ex:Y .
ex:Y a owl:Class .
ex:i a owl:NamedIndividual , ex:X , ex:Y .
"""
)

# HermiT refuses literals whose datatype is outside the OWL 2 datatype map: a real java failure.
HERMIT_FAILS = (
    PREAMBLE
    + """
ex:dp a owl:DatatypeProperty .
ex:i a owl:NamedIndividual ; ex:dp "x"^^ex:notADatatype .
"""
)


def ntriples(turtle: str) -> bytes:
    """Turtle text -> N-Triples bytes."""
    return ox.serialize(ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.N_TRIPLES)


def store_of(turtle: str) -> ox.Store:
    """An in-memory Store holding the Turtle in its default graph."""
    store = ox.Store()
    store.load(turtle.encode(), format=ox.RdfFormat.TURTLE)
    return store


needs_java = pytest.mark.skipif(not java_available(), reason="no java on PATH")


# ---------------------------------------------------------------- reasoning (one JVM per reasoner and ontology)


@pytest.fixture(scope="module", params=sorted(REASONERS))
def classified(request: pytest.FixtureRequest) -> ReasonerReport:
    """The consistent test ontology, classified once per reasoner."""
    return reason(ntriples(SATISFIABLE_WITH_UNSAT), reasoner=request.param)


@pytest.fixture(scope="module", params=sorted(REASONERS))
def inconsistent(request: pytest.FixtureRequest) -> ReasonerReport:
    """The inconsistent test ontology, run once per reasoner."""
    return reason(ntriples(INCONSISTENT), reasoner=request.param)


@pytest.mark.slow
@needs_java
def test_consistent_ontology_report(classified: ReasonerReport) -> None:
    assert classified.reasoner in REASONERS
    assert classified.consistent is True
    assert classified.unsatisfiable == (EX + "U",)
    assert classified.seconds > 0


@pytest.mark.slow
@needs_java
def test_inferred_subclass_through_equivalence_definition(classified: ReasonerReport) -> None:
    inferred = set(classified.inferred)
    assert (EX + "D", SUB, EX + "C") in inferred  # D ⊑ B and p some B, C ≡ A and p some B
    assert (EX + "C", SUB, EX + "A") in inferred  # the genus, asserted only inside the intersection
    assert (EX + "F1", EQUIV, EX + "F2") in inferred and (EX + "F2", EQUIV, EX + "F1") in inferred
    assert list(classified.inferred) == sorted(inferred)


@pytest.mark.slow
@needs_java
def test_inferred_leaves_out_asserted_and_trivia(classified: ReasonerReport) -> None:
    owl = "http://www.w3.org/2002/07/owl#"
    for s, p, o in classified.inferred:
        assert p in (SUB, EQUIV)
        assert not s.startswith(owl) and not o.startswith(owl), (s, p, o)
        assert EX + "U" not in (s, o)
    assert (EX + "B", SUB, EX + "A") not in classified.inferred  # asserted
    assert not {(EX + "E1", EQUIV, EX + "E2"), (EX + "E2", EQUIV, EX + "E1")} & set(classified.inferred)


@pytest.mark.slow
@needs_java
def test_inconsistent_ontology_is_reported_not_raised(inconsistent: ReasonerReport) -> None:
    assert inconsistent.consistent is False
    assert inconsistent.unsatisfiable == () and inconsistent.inferred == ()


@pytest.mark.slow
@needs_java
def test_java_failure_is_a_reasoner_error_with_the_java_message() -> None:
    with pytest.raises(ReasonerError, match=r"HermiT failed: .*UnsupportedDatatypeException") as info:
        reason(ntriples(HERMIT_FAILS), reasoner="hermit")
    assert "\n" not in str(info.value)
    assert not isinstance(info.value, ReasonerUnavailableError)


@pytest.mark.slow
@needs_java
def test_reason_file_reads_turtle(tmp_path: Path) -> None:
    path = tmp_path / "small.ttl"
    path.write_text(INCONSISTENT)
    assert reason_file(path, reasoner="HermiT").consistent is False


def test_reason_file_names_the_file_on_parse_errors(tmp_path: Path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text(PREAMBLE + "ex:a ex:b .\n")
    with pytest.raises(OntologyParseError, match=r"broken\.ttl:7"):
        reason_file(path)


def test_missing_java_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no java to be found
    assert java_available() is False
    with pytest.raises(ReasonerUnavailableError, match="default-jre-headless"):
        reason(ntriples(INCONSISTENT))


def test_unknown_reasoner_names_the_choices() -> None:
    with pytest.raises(UnknownReasonerError, match="hermit, pellet") as info:
        reason(ntriples(INCONSISTENT), reasoner="fact++")
    assert isinstance(info.value, HemoError) and isinstance(info.value, ValueError)


def test_malformed_ntriples_is_a_parse_error() -> None:
    with pytest.raises(OntologyParseError, match=":1"):
        reason(b"<http://example.org/a> <http://example.org/b> .\n")


def test_import_is_lazy() -> None:
    code = "import sys, hemokg.graph.reasoning; print(sorted({'owlready2', 'rich'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# ---------------------------------------------------------------- relation graph


def test_relation_graph_inheritance_and_filler_generalisation() -> None:
    store = store_of(
        PREAMBLE
        + """
    ex:A rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:p ; owl:someValuesFrom ex:X ] , owl:Thing .
    ex:B rdfs:subClassOf ex:A .
    ex:B2 rdfs:subClassOf ex:B .
    ex:X rdfs:subClassOf ex:Y .
    ex:Y rdfs:subClassOf owl:Thing .
    """
    )
    graph = relation_graph(store)
    p = EX + "p"
    for c in ("A", "B", "B2"):
        for d in ("X", "Y"):
            assert (EX + c, p, EX + d) in graph
    assert (EX + "B2", SUB, EX + "A") in graph and (EX + "B2", SUB, EX + "B") in graph
    assert not any(t[2].endswith("#Thing") or (t[0] == t[2] and t[1] == SUB) for t in graph)
    assert graph == sorted(set(graph))
    assert (EX + "X", p, EX + "Y") not in graph and (EX + "Y", p, EX + "X") not in graph


def test_relation_graph_transitivity_only_for_transitive_properties() -> None:
    store = store_of(
        PREAMBLE
        + """
    ex:t a owl:ObjectProperty , owl:TransitiveProperty .
    ex:q a owl:ObjectProperty .
    ex:A rdfs:subClassOf [ owl:onProperty ex:t ; owl:someValuesFrom ex:B ] ,
                         [ owl:onProperty ex:q ; owl:someValuesFrom ex:B ] .
    ex:B rdfs:subClassOf [ owl:onProperty ex:t ; owl:someValuesFrom ex:C ] ,
                         [ owl:onProperty ex:q ; owl:someValuesFrom ex:C ] .
    ex:C rdfs:subClassOf ex:C2 .
    ex:C2 rdfs:subClassOf [ owl:onProperty ex:t ; owl:someValuesFrom ex:D ] .
    """
    )
    graph = set(relation_graph(store))
    t, q = EX + "t", EX + "q"
    assert {(EX + "A", t, EX + x) for x in ("B", "C", "C2", "D")} <= graph  # through C's superclass C2
    assert (EX + "A", q, EX + "C") not in graph and (EX + "A", q, EX + "B") in graph


def test_relation_graph_sub_properties() -> None:
    store = store_of(
        PREAMBLE
        + """
    obo:RO_0002207 rdfs:subPropertyOf obo:RO_0002202 .
    obo:RO_0002202 a owl:TransitiveProperty .
    ex:neutrophil rdfs:subClassOf [ owl:onProperty obo:RO_0002207 ; owl:someValuesFrom ex:myelocyte ] .
    ex:myelocyte rdfs:subClassOf [ owl:onProperty obo:RO_0002207 ; owl:someValuesFrom ex:promyelocyte ] .
    """
    )
    graph = set(relation_graph(store))
    direct, develops = REL["directly_develops_from"], REL["develops_from"]
    assert (EX + "neutrophil", direct, EX + "myelocyte") in graph
    assert (EX + "neutrophil", direct, EX + "promyelocyte") not in graph  # 'directly' is not transitive
    assert {
        (EX + "neutrophil", develops, EX + "myelocyte"),
        (EX + "neutrophil", develops, EX + "promyelocyte"),
        (EX + "myelocyte", develops, EX + "promyelocyte"),
    } <= graph


def test_relation_graph_reads_intersections_in_equivalences() -> None:
    store = store_of(
        PREAMBLE
        + """
    ex:C owl:equivalentClass [ owl:intersectionOf ( ex:A [ owl:onProperty ex:p ; owl:someValuesFrom ex:D ]
                                                     [ owl:onProperty ex:r ; owl:someValuesFrom ex:E ] ) ] .
    ex:C2 rdfs:subClassOf ex:C .
    ex:G owl:equivalentClass ex:C .
    ex:H rdfs:subClassOf [ owl:onProperty [ owl:inverseOf ex:p ] ; owl:someValuesFrom ex:D ] .
    """
    )
    graph = set(relation_graph(store))
    for c in ("C", "C2", "G"):
        assert {(EX + c, EX + "p", EX + "D"), (EX + c, EX + "r", EX + "E"), (EX + c, SUB, EX + "A")} <= graph
    assert (EX + "C", SUB, EX + "G") in graph and (EX + "G", SUB, EX + "C") in graph
    assert not any(s == EX + "H" for s, _, _ in graph)  # inverse properties are not handled
    assert all(not x.startswith("_:") for triple in graph for x in triple)


def test_relation_graph_reads_the_graph_it_is_given() -> None:
    store = ox.Store()
    g = ox.NamedNode(EX + "g")
    store.load(ntriples(PREAMBLE + "ex:B rdfs:subClassOf ex:A ."), format=ox.RdfFormat.N_TRIPLES, to_graph=g)
    assert relation_graph(store) == []
    assert relation_graph(store, graph=EX + "g") == [(EX + "B", SUB, EX + "A")]
    assert relation_graph(store, graph=g) == [(EX + "B", SUB, EX + "A")]


def test_relation_graph_closes_a_3000_step_chain_without_recursion() -> None:
    n = 3000
    lines = [PREAMBLE, "obo:RO_0002207 rdfs:subPropertyOf obo:RO_0002202 . obo:RO_0002202 a owl:TransitiveProperty ."]
    lines += [
        f"ex:c{i:04d} rdfs:subClassOf [ owl:onProperty obo:RO_0002207 ; owl:someValuesFrom ex:c{i - 1:04d} ] ."
        for i in range(1, n + 1)
    ]
    lines += ["ex:top rdfs:subClassOf ex:c0000 ."]  # ex:c0000 ⊑ nothing; ex:top ⊑ ex:c0000: inherits nothing
    store = store_of("\n".join(lines))
    graph = relation_graph(store)  # speed is measured in benchmarks/, never asserted here
    develops = [t for t in graph if t[1] == REL["develops_from"]]
    assert len(develops) == n * (n + 1) // 2
    assert sum(1 for t in graph if t[1] == REL["directly_develops_from"]) == n
    assert (EX + "c3000", REL["develops_from"], EX + "c0000") in graph
    assert (EX + "c0000", REL["develops_from"], EX + "c3000") not in graph


def test_relation_graph_subclass_chain_and_cycle() -> None:
    n = 3000
    lines = [PREAMBLE] + [f"ex:c{i:04d} rdfs:subClassOf ex:c{i - 1:04d} ." for i in range(1, n + 1)]
    lines += ["ex:c0000 rdfs:subClassOf ex:c0001 ."]  # a cycle at the top: c0000 ≡ c0001
    graph = relation_graph(store_of("\n".join(lines)))
    assert all(p == SUB and s != o for s, p, o in graph)
    assert len(graph) == n * (n + 1) // 2 + 1  # plus c0000 ⊑ c0001
    assert (EX + "c3000", SUB, EX + "c0000") in graph and (EX + "c0000", SUB, EX + "c0001") in graph


# ---------------------------------------------------------------- the real ontology


def _labelled(store: ox.Store, label: str) -> set[str]:
    """IRIs of the classes whose rdfs:label is ``label`` (any language tag)."""
    label_of = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    return {
        q.subject.value
        for q in store.quads_for_pattern(None, label_of, None)
        if isinstance(q.subject, ox.NamedNode) and q.object.value.lower() == label.lower()
    }


@pytest.mark.slow
@needs_java
def test_hemo_ontology_is_coherent_and_its_relation_graph_has_lineage() -> None:
    assert HEMO_TTL.is_file(), f"{HEMO_TTL} is missing"
    data = ntriples(HEMO_TTL.read_text(encoding="utf-8"))
    reports = {name: reason(data, reasoner=name) for name in sorted(REASONERS)}
    for name, report in reports.items():
        assert report.consistent, f"{name}: hemo.ttl is inconsistent"
        assert report.unsatisfiable == (), f"{name}: unsatisfiable classes {report.unsatisfiable}"

    store = ox.Store()
    store.load(data, format=ox.RdfFormat.N_TRIPLES)
    store.extend(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o)) for s, p, o in reports["hermit"].inferred)
    graph = set(relation_graph(store))
    neutrophils, stem_cells = _labelled(store, "neutrophil"), _labelled(store, "hematopoietic stem cell")
    assert neutrophils and stem_cells, "hemo.ttl has no class labelled 'neutrophil' or 'hematopoietic stem cell'"
    assert any((n, REL["develops_from"], h) in graph for n in neutrophils for h in stem_cells)
