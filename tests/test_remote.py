"""connect() and push on real servers: the same interface and row types, idempotent pushes, imports, the CLI."""

from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode

import hemokg
from hemokg.backends.remote import (
    DEFAULT_GRAPH,
    VIRTUOSO_FIXED_ORDER,
    RemoteBackend,
    bind_with_bind,
    parse_json_results,
)
from hemokg.errors import SPARQLSyntaxError, UpdateRefusedError
from hemokg.graph.push import batches, plan, push
from hemokg.sparql.results import Row
from hemokg.vocab import GRAPH_IMPORTS
from tests.fixtures.servers import QuietHandler, local_http_server

SERVERS = ["oxigraph_server", "virtuoso_server"]


def graph_size(server, graph: str) -> int:
    rows = (
        RemoteBackend(server.query, graphs=())
        .execute(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        .rows
    )
    return int(rows[0][0].value)


def test_connect_gives_the_same_interface_and_row_types(oxigraph_kg, kg):
    assert isinstance(oxigraph_kg, hemokg.KnowledgeGraph)
    results = oxigraph_kg.query("term-details", term="neutrophil")
    assert isinstance(results.rows[0], Row) and results.vars == kg.query("term-details", term="neutrophil").vars
    assert all(isinstance(t, NamedNode | Literal) for row in results for t in row if t is not None)
    assert oxigraph_kg.sparql("ASK { ?s ?p ?o }").boolean is True
    graph = oxigraph_kg.sparql("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5")
    assert graph.kind == "graph" and len(graph.triples) == 5


def test_parameters_are_bound_as_terms_not_pasted(oxigraph_kg, kg):
    hostile = 'x" } ; DROP ALL ; SELECT * { "'
    assert len(oxigraph_kg.sparql("SELECT ?t WHERE { ?t ?p ?v FILTER(str(?v) = ?q) }", {"q": hostile})) == 0
    assert len(oxigraph_kg.sparql("SELECT * WHERE { ?s ?p ?o } LIMIT 1")) == 1


def test_updates_are_refused_and_bad_syntax_is_a_syntax_error(oxigraph_kg):
    with pytest.raises(UpdateRefusedError):
        oxigraph_kg.sparql("DROP ALL")
    with pytest.raises(SPARQLSyntaxError, match=r"127\.0\.0\.1:\d+/query rejected the query \(HTTP 400\)"):
        oxigraph_kg.sparql("SELECT ?x WHERE { ?x ")


def test_long_queries_go_by_post(oxigraph_kg):
    values = " ".join(f"<urn:hemokg:test:{i}>" for i in range(3000))  # ~75 kB: far beyond what GET URLs carry
    rows = oxigraph_kg.sparql(f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?x {{ {values} }} }}").rows
    assert rows[0][0].value == "3000"


def test_virtuoso_typed_literals_and_blank_nodes_parse():
    body = (
        b'{"head":{"vars":["n","b","l"]},"results":{"bindings":[{"n":{"type":"typed-literal","datatype":'
        b'"http://www.w3.org/2001/XMLSchema#integer","value":"3"},"b":{"type":"bnode","value":"nodeID://b10"},'
        b'"l":{"type":"literal","xml:lang":"en","value":"blood"}}]}}'
    )
    n, b, lit = parse_json_results(body).rows[0]
    assert n == Literal("3", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    assert b.value == "nodeID___b10" and lit == Literal("blood", language="en")


def test_bind_form_puts_binds_where_values_would_go():
    query = 'SELECT ?x WHERE { ?_cell_iri <urn:p>* ?x FILTER(?x != "{") }'
    text = bind_with_bind(query, {"_cell_iri": NamedNode("urn:a")})
    assert text == 'SELECT ?x WHERE { BIND(<urn:a> AS ?_cell_iri) ?_cell_iri <urn:p>* ?x FILTER(?x != "{") }'


_ONE_ROW = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"uri","value":"urn:x"}}]}}'


class _Answers(QuietHandler):
    """A scripted endpoint that records each query it gets and answers one row; ``server_version`` is its
    ``Server`` header."""

    server_version = "BaseHTTP/0.6"

    def do_POST(self) -> None:
        self._record()
        self._reply(200, "application/sparql-results+json", _ONE_ROW)

    def _record(self) -> str:
        """The query text of the request, also appended to the server's ``queries``."""
        import urllib.parse

        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        query = urllib.parse.parse_qs(body)["query"][0]
        self.server.queries.append(query)  # type: ignore[attr-defined]
        return query

    def _reply(self, status: int, content_type: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Virtuoso(_Answers):
    server_version = "Virtuoso/07.20.3229"


@pytest.mark.parametrize(("handler", "fixed"), [(_Virtuoso, True), (_Answers, False)], ids=["virtuoso", "other"])
def test_virtuoso_is_asked_with_the_join_order_fixed(handler, fixed):
    """A server whose Server header says Virtuoso gets every query behind VIRTUOSO_FIXED_ORDER: its first query is
    asked again with it (the first answer came from a plan of the server's choosing), later ones carry it at once;
    any other server never sees the pragma (it is not SPARQL)."""
    query = "SELECT ?x WHERE { ?x <urn:p>* ?_a_iri }"
    with local_http_server(handler) as server:
        server.queries = []  # type: ignore[attr-defined]
        backend = RemoteBackend(f"http://127.0.0.1:{server.server_address[1]}/sparql")
        for _ in range(2):
            assert backend.execute(query, {"_a_iri": NamedNode("urn:a")}).rows[0][0] == NamedNode("urn:x")
        sent = server.queries  # type: ignore[attr-defined]
    assert backend.virtuoso is fixed
    assert [q.startswith(VIRTUOSO_FIXED_ORDER) for q in sent] == ([False, True, True] if fixed else [False, False])
    assert all(q.removeprefix(VIRTUOSO_FIXED_ORDER) == "SELECT ?x WHERE { ?x <urn:p>* <urn:a> }" for q in sent)


class _NoConstants(_Answers):
    """An endpoint that refuses (HTTP 400) every query without a VALUES block, and answers one row to the others."""

    def do_POST(self) -> None:
        if "VALUES" in self._record():
            self._reply(200, "application/sparql-results+json", _ONE_ROW)
        else:
            self._reply(400, "text/plain", b"Parse error: a constant here")


def test_parameters_are_written_as_terms_else_bound_by_values():
    """A parameter is sent as its term where it occurs; where that cannot mean the same (a projected parameter) or
    the server refuses the text, the same query goes with a VALUES block instead."""
    with local_http_server(_NoConstants) as server:
        server.queries = []  # type: ignore[attr-defined]
        backend = RemoteBackend(f"http://127.0.0.1:{server.server_address[1]}/sparql")
        term = {"_a_iri": NamedNode("urn:a")}
        assert backend.execute("SELECT ?x WHERE { ?x <urn:p> ?_a_iri }", term).rows[0][0] == NamedNode("urn:x")
        assert backend.execute("SELECT ?_a_iri WHERE { ?x <urn:p> ?_a_iri }", term).rows[0][0] == NamedNode("urn:x")
        sent = server.queries  # type: ignore[attr-defined]
    assert sent == [
        "SELECT ?x WHERE { ?x <urn:p> <urn:a> }",
        "SELECT ?x WHERE { VALUES (?_a_iri) { (<urn:a>) } ?x <urn:p> ?_a_iri }",
        "SELECT ?_a_iri WHERE { VALUES (?_a_iri) { (<urn:a>) } ?x <urn:p> ?_a_iri }",
    ]


def test_batches_keep_blank_node_groups_whole():
    triples = plan(hemokg.graph.store.load_nquads())[DEFAULT_GRAPH]
    parts = batches(triples, 50)
    assert sum(map(len, parts)) == len(triples)
    owner: dict[str, int] = {}
    for i, part in enumerate(parts):
        for t in part:
            for node in (t.subject, t.object):
                if type(node).__name__ == "BlankNode":
                    assert owner.setdefault(node.value, i) == i


@pytest.mark.parametrize("server_name", SERVERS)
def test_push_replaces_the_graph_idempotently(request, server_name):
    server = request.getfixturevalue(server_name)
    graph = "https://w3id.org/hemokg/test/idempotent"
    store = {"store_url": server.store} if server.store else {}
    push(server.query, graph=graph, nquads=b'<urn:a> <urn:b> "old" .\n<urn:a> <urn:b> "older" .\n', **store)
    first = push(server.query, graph=graph, **store)
    assert graph_size(server, graph) == first.triples > 1000
    second = push(server.query, graph=graph, **store)
    assert graph_size(server, graph) == second.triples == first.triples
    remote = hemokg.connect(server.query, graph=graph)
    assert remote.lookup("neutrophil").label == "neutrophil"
    assert remote.sparql('ASK { ?s ?p "old" }').boolean is False


def test_push_by_update_to_oxigraph_and_with_imports(oxigraph_server):
    graph = "https://w3id.org/hemokg/test/with-imports"
    # asserted (no reasoner run here): what is tested is each module landing in its own graph
    report = push(
        oxigraph_server.query,
        update_url=oxigraph_server.update,
        graph=graph,
        imports=True,
        reasoned=False,
        method="update",
        batch_size=5000,
    )
    imports = sorted(g for g in report.graphs if g.startswith(GRAPH_IMPORTS))
    assert GRAPH_IMPORTS + "cl" in imports and report.method == "update"
    for g, count in report.graphs.items():
        assert graph_size(oxigraph_server, g) == count
    remote = hemokg.connect(oxigraph_server.query, graph=[graph, *imports])
    assert remote.lookup("CL:0000775").iri.startswith("https://w3id.org/hemokg/HEMO_")
    assert (
        len(
            remote.sparql(
                "SELECT ?l WHERE { <http://purl.obolibrary.org/obo/CL_0000775> "
                "<http://www.w3.org/2000/01/rdf-schema#label> ?l }"
            )
        )
        >= 1
    )


def test_cli_push_then_query_on_the_endpoint(oxigraph_server, hemokg_cli, kg):
    graph = "https://w3id.org/hemokg/test/cli"
    run = hemokg_cli(
        "push", "--endpoint", oxigraph_server.query, "--store-endpoint", oxigraph_server.store, "--graph", graph
    )
    assert run.code == 0, run.err
    assert "by Graph Store PUT" in run.err and "triples/s" in run.err
    args = ["--endpoint", oxigraph_server.query, "--graph", graph, "--format", "tsv"]
    remote = hemokg_cli("query", "develops-from-steps", "-p", "cell=neutrophil", *args)
    local = hemokg_cli("query", "develops-from-steps", "-p", "cell=neutrophil", "--format", "tsv")
    assert remote.code == local.code == 0 and remote.out == local.out
    lookup = hemokg_cli("lookup", "neutrophil", *args)
    assert lookup.code == 0 and lookup.out == hemokg_cli("lookup", "neutrophil", "--format", "tsv").out
    down = hemokg_cli("push", "--endpoint", "http://127.0.0.1:9/sparql")
    assert down.code == 1 and "127.0.0.1:9/sparql" in down.err and "intact" in down.err
