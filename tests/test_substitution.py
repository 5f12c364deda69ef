"""Stored-query parameters written into the text as their terms (:func:`~hemokg.sparql.queries.substitute_terms`,
what the embedded backend runs) answer exactly as the VALUES block (:func:`~hemokg.sparql.queries.bind_values`,
what remote endpoints get): every stored query, with its example and with the parameter set to each of a spread
of the graph's terms; and the substitution declines where a constant would not mean the same."""

from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode, QueryBoolean

import hemokg
from hemokg.kg import KnowledgeGraph
from hemokg.sparql.queries import bind_values, catalog, substitute_terms
from tests.fixtures.core import concat_separators, in_sorted_parts

N = NamedNode("https://w3id.org/hemokg/HEMO_0000104")


def _answers(kg: KnowledgeGraph, text: str) -> list[tuple[object, ...]] | bool:
    """The rows in order; a GROUP_CONCAT (whose order SPARQL leaves open) as its sorted parts."""
    answer = kg.backend.store.query(text, use_default_graph_as_union=True)  # type: ignore[attr-defined]
    if isinstance(answer, QueryBoolean):
        return bool(answer)
    concat = concat_separators(text)
    names = [v.value for v in answer.variables]
    return [
        tuple(
            in_sorted_parts(t.value, concat[n]) if t is not None and n in concat else t
            for n, t in zip(names, row, strict=True)
        )
        for row in answer
    ]


def _values(kg: KnowledgeGraph) -> dict[str, list[object]]:
    """Values per parameter type: every 7th labelled term (hemo's and external), a few names and prefixes."""
    iris = sorted(kg.index.labels)[::7]
    return {
        "iri": [NamedNode(i) for i in iris],
        "literal": [Literal(t) for t in ("neutrophil", "hemopoiesis", "HEMO:", "cell", "zzz", 'a "quoted"\\ name')],
        "integer": [Literal("3", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer"))],
    }


@pytest.mark.parametrize("name", [n for n, q in catalog().items() if q.params and q.form != "describe"])
def test_substituted_terms_answer_as_the_values_block(kg: KnowledgeGraph, name: str) -> None:
    stored = catalog()[name]
    values = _values(kg)
    cases = [{p.variable: kg._bind(name, p.name, p.type, p.example) for p in stored.params if p.example is not None}]
    for param in stored.params:
        cases += [{param.variable: v} for v in values[param.type]]
    compared = 0
    for bindings in cases:
        text = substitute_terms(stored.text, bindings)
        if text is None:
            continue
        compared += 1
        assert _answers(kg, text) == _answers(kg, bind_values(stored.text, bindings)), (name, bindings)
    if all(not p.name.startswith("_") for p in stored.params) and "BOUND(?__" not in stored.text:
        assert compared == len(cases)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?a ?_cell_iri WHERE { ?_cell_iri <p> ?a }",
        "SELECT ?a WHERE { ?x <p> ?a FILTER(!BOUND(?_cell_iri) || ?a = ?_cell_iri) }",
        "SELECT ?a WHERE { ?x <p> ?a BIND(<q> AS ?_cell_iri) }",
        "SELECT ?a WHERE { ?x <p> ?a } GROUP BY ?_cell_iri ?a",
        "SELECT ?a WHERE { ?x <p> ?a } ORDER BY ?_cell_iri",
        "SELECT ?a WHERE { ?x <p> ?a VALUES ?_cell_iri { <q> } }",
        "DESCRIBE ?_cell_iri WHERE { ?_cell_iri <p> ?a }",
    ],
)
def test_a_variable_that_is_not_a_term_there_is_not_substituted(text: str) -> None:
    assert substitute_terms(text, {"_cell_iri": N}) is None


def test_only_the_variable_itself_is_replaced() -> None:
    text = (
        'SELECT ?a WHERE { ?_cell_iri_x <p> "?_cell_iri" . # ?_cell_iri\n ?_cell_iri <q> ?a FILTER(?a != ?_cell_iri) }'
    )
    assert substitute_terms(text, {"_cell_iri": N}) == (
        f'SELECT ?a WHERE {{ ?_cell_iri_x <p> "?_cell_iri" . # ?_cell_iri\n {N} <q> ?a FILTER(?a != {N}) }}'
    )


def test_the_embedded_backend_answers_a_user_binding_through_values() -> None:
    kg = hemokg.load()
    rows = kg.sparql("SELECT ?l WHERE { ?c <http://www.w3.org/2000/01/rdf-schema#label> ?l }", {"c": N}).rows
    assert [r[0].value for r in rows] == ["hematopoietic stem cell"]


def test_a_literal_where_only_an_iri_may_stand_falls_back_to_values(kg: KnowledgeGraph) -> None:
    query = "SELECT ?s WHERE { ?s ?_p_literal ?o } LIMIT 1"
    assert substitute_terms(query, {"_p_literal": Literal("x")}) is not None  # syntactically no triple pattern
    assert kg.backend.execute(query, {"_p_literal": Literal("x")}).rows == []  # type: ignore[attr-defined]
