"""The stored-query model: strict headers, parameters from variable names, safe binding, the shipped catalog."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Store

import hemokg
from hemokg.errors import ParameterError, QueryHeaderError, QueryNotFoundError
from hemokg.sparql.queries import Catalog, StoredQuery, bind_values, parse_header, query_form

GOOD = """#+ summary: Cells by label
#+ tags: [cells]
#+ params:
#+   cell: a cell
#+   limit: how many
#+ examples:
#+   cell: neutrophil
#+   limit: 5
SELECT ?x WHERE { ?_cell_iri <http://www.w3.org/2000/01/rdf-schema#label> ?x . OPTIONAL { ?x ?y ?__limit_integer } }
"""


def write(tmp_path: Path, text: str, name: str = "q.rq") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_header_and_params_are_read_from_the_file(tmp_path: Path) -> None:
    q = StoredQuery.from_file(write(tmp_path, GOOD))
    assert q.summary == "Cells by label" and q.tags == ("cells",) and q.form == "select"
    params = {p.name: p for p in q.params}
    assert params["cell"].required and params["cell"].type == "iri" and params["cell"].variable == "_cell_iri"
    assert not params["limit"].required and params["limit"].type == "integer" and params["limit"].example == "5"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "no '#+' header"),
        ("#+ summary: [unclosed\nSELECT * WHERE { ?s ?p ?o }", "malformed"),
        ("#+ - a list\nSELECT * WHERE { ?s ?p ?o }", "must be a YAML mapping"),
        ("#+ summary: x\n#+ endpoint: http://x\nSELECT * WHERE { ?s ?p ?o }", "unknown header key"),
        ("#+ description: no summary\nSELECT * WHERE { ?s ?p ?o }", "summary"),
        ("#+ summary: x\n#+ tags: oops\nSELECT * WHERE { ?s ?p ?o }", "'tags' must be a list"),
        ("#+ summary: x\nSELECT * WHERE { ?_cell_iri ?p ?o }", "not documented"),
        ("#+ summary: x\n#+ params: {other: y}\nSELECT * WHERE { ?s ?p ?o }", "which no ?_other_TYPE"),
        (
            "#+ summary: x\n#+ params: {cell: c}\n#+ examples: {nope: 1}\nSELECT * WHERE { ?_cell_iri ?p ?o }",
            "not a parameter",
        ),
        ("#+ summary: x\nDELETE WHERE { ?s ?p ?o }", "read-only"),
        ("#+ summary: x\n#+ params: {cell: c}\nSELECT * WHERE { ?_cell_iri ?p ?__cell_iri }", "is used as"),
    ],
)
def test_malformed_headers_are_errors_naming_the_file(tmp_path: Path, header: str, message: str) -> None:
    path = write(tmp_path, header)
    with pytest.raises(QueryHeaderError, match=re.escape(message)) as info:
        StoredQuery.from_file(path)
    assert str(path) in str(info.value)


def test_yaml_error_names_the_header_line(tmp_path: Path) -> None:
    path = write(tmp_path, "#+ summary: ok\n#+ tags: [a, b\n#+ description: x\nSELECT * WHERE { ?s ?p ?o }")
    with pytest.raises(QueryHeaderError, match=r"q\.rq:\d"):
        StoredQuery.from_file(path)


def test_parse_header_counts_only_leading_lines() -> None:
    data, n = parse_header("#+ summary: a\n#+ tags: [x]\nSELECT * {}\n#+ not: header\n")
    assert data == {"summary": "a", "tags": ["x"]} and n == 2


def test_missing_and_unknown_parameters_name_themselves(tmp_path: Path) -> None:
    q = StoredQuery.from_file(write(tmp_path, GOOD))
    with pytest.raises(ParameterError, match="needs parameter 'cell'"):
        q.check_params({})
    with pytest.raises(ParameterError, match="no parameter 'colour'"):
        q.check_params({"cell": "x", "colour": "red"})
    assert q.check_params({"cell": "x"}) == {"cell": "x"}  # an example is never a default


def test_query_form_ignores_keywords_in_strings_iris_and_comments() -> None:
    assert query_form('# DELETE everything\nSELECT ("INSERT" AS ?x) WHERE { <urn:DROP> ?p ?o }') == "select"
    assert query_form("PREFIX x: <urn:x>\nINSERT DATA { <urn:a> <urn:b> <urn:c> }") == "insert"
    assert query_form("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }") == "construct"


HOSTILE = ['"', ">", "}", "#", "\n", "} ; DROP ALL ; #", 'x" } INSERT DATA { <urn:a> <urn:b> <urn:c> } #', "é\\"]


@pytest.mark.parametrize("value", HOSTILE)
def test_bound_values_cannot_change_the_query(value: str) -> None:
    store = Store()
    text = "SELECT ?v WHERE { BIND(?_v_literal AS ?v) }"
    bound = bind_values(text, {"_v_literal": Literal(value)})
    answer = list(store.query(bound))
    assert [row[0].value for row in answer] == [value]
    assert len(store) == 0


def test_binding_goes_inside_the_where_clause_of_construct() -> None:
    text = "CONSTRUCT { ?s <urn:p> ?o } WHERE { ?s <urn:q> ?o }"
    bound = bind_values(text, {"s": NamedNode("urn:x")})
    assert bound.index("VALUES") > bound.index("WHERE")


SUBSELECT = """#+ summary: The label of a cell, found in a sub-SELECT
#+ params:
#+   cell: a cell
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label WHERE {
  { SELECT ?label WHERE { ?_cell_iri rdfs:label ?label } }
}
"""


@pytest.mark.parametrize("style", ["values", "bind"])
def test_a_parameter_used_inside_a_sub_select_is_bound_there(kg: hemokg.KnowledgeGraph, style: str) -> None:
    """A sub-SELECT is a scope of its own: a VALUES block only at the top left its variable unbound (every label
    of the graph came back, 168 rows, instead of the one)."""
    neutrophil = NamedNode(kg.resolve("neutrophil"))
    text = SUBSELECT.split("PREFIX", 1)[1]
    bound = bind_values("PREFIX" + text, {"_cell_iri": neutrophil}, style=style)  # type: ignore[arg-type]
    assert bound.count(str(neutrophil)) == 2  # the outer group and the sub-SELECT
    store = Store()
    for quad in kg.backend.quads():
        store.add(quad)
    rows = list(store.query(bound, use_default_graph_as_union=True))
    assert [r[0].value for r in rows] == ["neutrophil"]
    assert [r.label.value for r in kg.sparql("PREFIX" + text, {"_cell_iri": neutrophil})] == ["neutrophil"]


def test_a_stored_query_with_a_sub_select_parameter_answers_for_that_term(tmp_path: Path, kg) -> None:
    stored = StoredQuery.from_file(write(tmp_path, SUBSELECT, "label-of.rq"))
    assert [r.text("label") for r in kg.query(stored, cell="neutrophil")] == ["neutrophil"]
    assert len(kg.query(stored, cell="erythrocyte")) == 1


def test_only_iris_and_literals_bind() -> None:
    with pytest.raises(ParameterError):
        bind_values("SELECT * WHERE { ?s ?p ?o }", {"s": "plain string"})  # type: ignore[dict-item]
    with pytest.raises(ParameterError):
        bind_values("SELECT * WHERE { ?s ?p ?o }", {"s; DROP": NamedNode("urn:x")})


def test_unknown_query_lists_the_known_ones(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "cells.rq")
    with pytest.raises(QueryNotFoundError, match="known: cells"):
        Catalog(tmp_path)["nope"]


def test_every_shipped_query_has_a_valid_header_and_parses_in_two_engines() -> None:
    """Strict header, read-only form, and both pyoxigraph and rdflib parse the SPARQL."""
    from rdflib.plugins.sparql import prepareQuery

    catalog = hemokg.catalog()
    assert len(catalog) >= 30
    for name in catalog:
        q = catalog[name]
        assert q.summary and q.form in ("select", "ask", "construct", "describe"), name
        bindings = {p.variable: NamedNode("urn:x") if p.type == "iri" else Literal("1") for p in q.params}
        Store().query(bind_values(q.text, bindings))  # oxigraph parses (and runs on an empty store)
        prepareQuery(q.text)  # rdflib's parser: a second, independent engine
