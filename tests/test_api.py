"""The public API's shapes: rows with typed accessors whose variables are never shadowed, graph results that
iterate their triples, ``connect``'s explicit server-default-graph keyword, the error hierarchy."""

from __future__ import annotations

import copy
import pickle

import pytest
from pyoxigraph import Literal, NamedNode, Triple

import hemokg
from hemokg.errors import EndpointError, HemoError, ParameterError, PushError, ReasonerError, UnknownReasonerError
from hemokg.sparql.results import Results, Row


def test_variables_named_like_tuple_methods_are_the_values(kg: hemokg.KnowledgeGraph) -> None:
    results = kg.sparql(
        "SELECT ?count ?index ?get WHERE { BIND(3 AS ?count) BIND(<urn:i> AS ?index) BIND('g' AS ?get) }"
    )
    row = results.rows[0]
    assert row.count == Literal("3", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    assert row.index == NamedNode("urn:i")
    assert row.get == Literal("g")  # a variable wins over the accessor of the same name; row["get"] too
    assert row["count"] is row.count and row[0] == row.count
    assert tuple.count(row, row.index) == 1  # the tuple method is still reachable


def test_typed_accessors_get_and_text() -> None:
    row = Row([Literal("neutrophil"), None, NamedNode("urn:x")], ("label", "missing", "iri"))
    assert row.text("label") == "neutrophil" and row.text("iri") == "urn:x"
    assert row.text("missing") == "" and row.text("missing", "?") == "?"
    assert row.get("missing") is None and row.get("missing", Literal("d")) == Literal("d")
    assert row.get("label") == Literal("neutrophil")
    with pytest.raises(KeyError):
        row.get("lable")  # a typo is an error, not a silent default
    with pytest.raises(KeyError):
        row.text("lable")
    with pytest.raises(AttributeError, match="variables: label, missing, iri"):
        _ = row.lable
    assert row.asdict() == {"label": Literal("neutrophil"), "missing": None, "iri": NamedNode("urn:x")}
    assert pickle.loads(pickle.dumps(row)).label == row.label
    assert copy.copy(row).iri == NamedNode("urn:x")
    assert row == (Literal("neutrophil"), None, NamedNode("urn:x")) and row[1:] == (None, NamedNode("urn:x"))


def test_a_graph_result_iterates_its_triples(kg: hemokg.KnowledgeGraph) -> None:
    results = kg.sparql(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "CONSTRUCT { ?c rdfs:label ?l } WHERE { ?c rdfs:label ?l FILTER(?l IN ('neutrophil', 'erythrocyte')) }"
    )
    assert results.kind == "graph"
    assert list(results) == results.triples and len(results) == len(list(results)) == 2
    assert all(isinstance(t, Triple) for t in results)
    ask = Results("ask", boolean=True)
    assert list(ask) == [] and len(ask) == 0 and bool(ask)


def test_connect_names_the_server_default_graph_explicitly() -> None:
    url = "http://127.0.0.1:9/sparql"  # connect() sends nothing: no server needed
    kg = hemokg.connect(url, use_server_default_graph=True)
    assert kg.backend.graphs == ()
    assert "default graph" in kg.description
    with pytest.raises(ParameterError, match="use_server_default_graph=True"):
        hemokg.connect(url, graph="")
    with pytest.raises(ParameterError, match="not both"):
        hemokg.connect(url, graph="urn:g", use_server_default_graph=True)
    assert hemokg.connect(url, graph="urn:g").backend.graphs == ("urn:g",)


def test_export_returns_bytes_without_a_path_and_none_with_one(asserted_kg: hemokg.KnowledgeGraph, tmp_path) -> None:
    data = asserted_kg.export("ntriples")
    assert isinstance(data, bytes) and data
    assert asserted_kg.export("ntriples", tmp_path / "hemo.nt") is None
    assert (tmp_path / "hemo.nt").read_bytes() == data


def test_error_parents() -> None:
    assert issubclass(PushError, EndpointError) and issubclass(PushError, HemoError)
    assert hemokg.PushError is PushError
    assert issubclass(UnknownReasonerError, ReasonerError) and issubclass(UnknownReasonerError, ValueError)
    from hemokg.graph.push import PushError as FromPush
    from hemokg.graph.reasoning import _check_name

    assert FromPush is PushError
    with pytest.raises(ReasonerError, match="hermit"):
        _check_name("hermitt")
