"""``kg.owl()``: hemo's OWL graph as owlready2 objects in a World of its own, checked against SPARQL answers."""

from __future__ import annotations

import pytest

import hemokg
from hemokg.vocab import HEMO, OBO

owlready2 = pytest.importorskip("owlready2")

RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OIO = "http://www.geneontology.org/formats/oboInOwl#"


@pytest.fixture(scope="module")
def onto(kg: hemokg.KnowledgeGraph):
    return kg.owl()


def _named(classes) -> set[str]:
    return {c.iri for c in classes if isinstance(c, owlready2.ThingClass) and c is not owlready2.Thing}


def test_classes_and_labels_are_those_of_the_graph(onto, kg: hemokg.KnowledgeGraph) -> None:
    rows = kg.sparql(
        f"SELECT ?c ?l WHERE {{ ?c a <http://www.w3.org/2002/07/owl#Class> ; <{RDFS}label> ?l . FILTER(isIRI(?c)) }}"
    )
    expected = {r[0].value: r[1].value for r in rows}
    found = {c.iri: c.label.first() for c in onto.classes()}
    assert found == expected and len(found) > 100
    assert onto.world is not owlready2.default_world


def test_synonyms_parents_and_a_restriction_match_sparql(onto, kg: hemokg.KnowledgeGraph) -> None:
    neutrophil = onto.search_one(label="neutrophil")
    assert neutrophil.iri == HEMO + "0000123"
    synonyms = kg.sparql(f"SELECT ?s WHERE {{ <{neutrophil.iri}> <{OIO}hasExactSynonym> ?s }}")
    assert sorted(neutrophil.hasExactSynonym) == sorted(r[0].value for r in synonyms)
    store = kg.backend.store  # SPARQL over the store's default graph only: the OWL graph without the relation graph
    for cls in onto.classes():
        rows = store.query(f"SELECT ?p WHERE {{ <{cls.iri}> <{RDFS}subClassOf> ?p . FILTER(isIRI(?p)) }}")
        assert _named(cls.is_a) == {r[0].value for r in rows}, cls
        supers = {HEMO + r[0].value.removeprefix(HEMO) for r in kg.query("superclasses", term=cls.iri)}
        assert _named(cls.INDIRECT_is_a) - {cls.iri} == supers, cls
    # the restriction neutrophil develops_from some neutrophilic promyelocyte
    (restriction,) = [r for r in neutrophil.is_a if isinstance(r, owlready2.Restriction)]
    relation = kg.query("term-relations", term="neutrophil")
    assert [(restriction.property.iri, restriction.value.iri)] == [(r[0].value, r[2].value) for r in relation]
    assert restriction.property.iri == OBO + "RO_0002202" and restriction.type == owlready2.SOME


def test_no_relation_graph_triples(onto) -> None:
    neutrophil = onto.search_one(label="neutrophil")
    develops_from = onto.world[OBO + "RO_0002202"]
    # the relation graph says neutrophil RO_0002202 hematopoietic stem cell as a plain triple: not OWL, not here
    assert list(develops_from.get_relations()) == []
    # owlready2's class property reads the restriction only (with the relation graph: up to the stem cell)
    assert [c.iri for c in neutrophil.RO_0002202] == [HEMO + "0000135"]


def test_two_calls_share_no_state(kg: hemokg.KnowledgeGraph) -> None:
    first, second = kg.owl(), kg.owl()
    assert first.world is not second.world
    a, b = first.search_one(label="neutrophil"), second.search_one(label="neutrophil")
    assert a is not b
    with first:
        a.label.append("changed in the first world")
        owlready2.types.new_class("OnlyInFirst", (owlready2.Thing,))
    assert "changed in the first world" not in b.label
    assert second.search_one(iri="*OnlyInFirst") is None
    assert first.search_one(label="changed in the first world") is a


def test_imports_are_merged_as_imported_modules(kg: hemokg.KnowledgeGraph) -> None:
    onto = kg.owl(imports=True)
    names = {m.base_iri for m in onto.imported_ontologies}
    assert {n.rsplit("/", 1)[-1].split(".")[0] for n in names} >= {"cl", "go", "uberon", "mondo", "hp", "hsapdv"}
    cl_neutrophil = onto.world[OBO + "CL_0000775"]
    assert cl_neutrophil is not None and cl_neutrophil.label.first() == "neutrophil"
    # search over the world finds the hemo class and CL's
    found = {c.iri for c in onto.world.search(label="neutrophil")}
    assert {HEMO + "0000123", OBO + "CL_0000775"} <= found
    assert kg.owl().world[OBO + "CL_0000775"] is None  # without imports, CL's class is not there
