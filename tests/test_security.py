"""Issue 13: no outbound request from a query, no text pasted into SPARQL, no crash from one query.

Every probe goes to 127.0.0.1: a real TCP listener that must receive nothing (SERVICE), a real Oxigraph server (and
Virtuoso where installed) whose sentinel graph must survive a crafted ``push --graph``, real ``hemokg`` processes fed
query text that used to kill pyoxigraph with SIGSEGV, and a scripted HTTP endpoint that records what it was sent.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import Literal

import hemokg
from hemokg.backends.embedded import EmbeddedBackend
from hemokg.backends.remote import RemoteBackend
from hemokg.errors import EndpointError, HemoError, ParameterError, SPARQLSyntaxError
from hemokg.graph.push import push
from hemokg.kg import KnowledgeGraph
from hemokg.sparql.guard import MAX_DEPTH, check_iri, check_query
from hemokg.sparql.queries import catalog
from tests.fixtures.servers import QuietHandler, local_http_server, start_serve


def service_queries(port: int) -> list[str]:
    """SERVICE as a parser reads it: any case, SILENT, a variable, a prefixed name glued on, after a literal."""
    url = f"http://127.0.0.1:{port}/sparql"
    return [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(<{url}> AS ?e) SeRvIcE ?e {{ ?s ?p ?o }} }}",
        f"PREFIX : <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE:sparql {{ ?s ?p ?o }} }}",
        f'SELECT * WHERE {{ ?s ?p "x"SERVICE<{url}>{{ ?a ?b ?c }} }}',
        f"SELECT * WHERE {{ ?s ?p true.SERVICE <{url}> {{ ?a ?b ?c }} }}",
        f"# a comment\nSELECT * WHERE {{ {{ }} UNION {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    ]


@pytest.fixture(scope="module")
def small_kg() -> KnowledgeGraph:
    from hemokg.graph.store import load_nquads

    return KnowledgeGraph(EmbeddedBackend.from_nquads(load_nquads(reasoned=False)))


# --- 1. SERVICE ----------------------------------------------------------------------------------------------------
def test_service_is_refused_on_the_embedded_store_and_nothing_is_sent(small_kg, connection_trap) -> None:
    for query in service_queries(connection_trap.port):
        with pytest.raises(SPARQLSyntaxError, match="SERVICE"):
            small_kg.sparql(query)
    assert connection_trap.connections == 0


def test_the_trap_works_and_allow_service_opts_in(connection_trap) -> None:
    """Control: with the opt-in, the same query does reach the listener (so a silent trap means something)."""
    kg = KnowledgeGraph(EmbeddedBackend(allow_service=True))
    with pytest.raises(HemoError):
        kg.sparql(service_queries(connection_trap.port)[0])
    assert connection_trap.connections >= 1


def test_service_in_a_literal_iri_comment_or_variable_is_data(small_kg, connection_trap) -> None:
    url = f"http://127.0.0.1:{connection_trap.port}/"
    text = f"service SERVICE <{url}> {{ ?s ?p ?o }}"
    query = (
        f'SELECT ?x ?service WHERE {{ BIND("{text}" AS ?x) BIND("""long SERVICE <{url}> {{}}""" AS ?y) '
        f"BIND(<http://example.org/service> AS ?service) }} # SERVICE <{url}> {{ }}"
    )
    rows = small_kg.sparql(query).rows
    assert rows[0][0] == Literal(text)
    assert rows[0][1].value == "http://example.org/service"
    assert connection_trap.connections == 0


def test_cli_sparql_refuses_service_with_one_line(hemokg_cli, connection_trap) -> None:
    run = hemokg_cli("sparql", "--asserted", service_queries(connection_trap.port)[0])
    assert run.code == 1, run.err
    assert run.err.count("\n") == 1 and "SERVICE" in run.err and "Traceback" not in run.err
    assert connection_trap.connections == 0


def test_a_remote_endpoint_gets_service_queries_as_they_are() -> None:
    """Federation on a server is that server's policy: connect() sends the text unchanged."""
    seen: list[str] = []

    class Recorder(QuietHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(urllib.parse.parse_qs(body.decode())["query"][0])
            data = json.dumps({"head": {"vars": []}, "results": {"bindings": []}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    with local_http_server(Recorder) as server:
        kg = hemokg.connect(f"http://127.0.0.1:{server.server_address[1]}/sparql", use_server_default_graph=True)
        query = "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
        assert kg.sparql(query).rows == []
    assert seen == [query]


# --- 2. injection through IRIs formatted into SPARQL ----------------------------------------------------------------
CRAFTED_GRAPHS = [
    "http://x.org/g> ; DROP ALL ; CLEAR SILENT GRAPH <http://x.org/h",  # ran DROP ALL on Oxigraph and Virtuoso
    "http://x.org/g> } ; DROP ALL ; INSERT DATA { GRAPH <http://x.org/h",
    "http://x.org/g>} ; CLEAR DEFAULT #",
    "http://x.org/a b",
    "http://x.org/\ng",
    'http://x.org/"g',
    "http://x.org/{g}",
    "http://x.org/g|h",
    "http://x.org/g^h",
    "http://x.org/g`h",
    "http://x.org/g\\h",
    "http://x.org/g\x00",
    "relative/graph",
    "",
]


@pytest.mark.parametrize("value", CRAFTED_GRAPHS)
def test_check_iri_refuses_every_crafted_value(value: str) -> None:
    with pytest.raises(ParameterError):
        check_iri(value, what="graph")


def test_check_iri_accepts_ordinary_iris() -> None:
    for iri in ("https://w3id.org/hemokg/hemo.owl", "urn:uuid:1234", "http://a.org/p?q=1&r=%20#frag", "http://é.org/ü"):
        assert check_iri(iri) == iri


def test_connect_refuses_a_crafted_graph_before_sending() -> None:
    for value in CRAFTED_GRAPHS[:3]:
        with pytest.raises(ParameterError):
            hemokg.connect("http://127.0.0.1:9/sparql", graph=value)


def _sentinel_count(query_url: str, graph: str) -> int:
    kg = hemokg.connect(query_url, use_server_default_graph=True)
    rows = kg.sparql(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}").rows
    return int(rows[0][0].value)


SENTINEL = "https://example.org/hemokg-test/sentinel"
SENTINEL_DATA = "".join(
    f"<https://example.org/s{i}> <https://example.org/p> <https://example.org/o{i}> .\n" for i in range(5)
)


@pytest.mark.slow
@pytest.mark.parametrize("method", ["update", "gsp"])
def test_push_refuses_a_crafted_graph_and_the_oxigraph_sentinel_survives(oxigraph_server, hemokg_cli, method) -> None:
    server = oxigraph_server
    push(server.query, store_url=server.store, graph=SENTINEL, nquads=SENTINEL_DATA.encode(), method="gsp")
    assert _sentinel_count(server.query, SENTINEL) == 5
    for value in CRAFTED_GRAPHS[:2]:
        with pytest.raises(ParameterError, match="graph"):
            push(
                server.query,
                update_url=server.update,
                store_url=server.store,
                graph=value,
                nquads=SENTINEL_DATA.encode(),
                method=method,
            )
        run = hemokg_cli(
            "push", "--endpoint", server.query, "--update-endpoint", server.update, "--store-endpoint", server.store,
            "--method", method, "--asserted", "--graph", value,
        )  # fmt: skip
        assert run.code == 1 and run.err.count("\n") == 1 and "not a usable IRI" in run.err, run.err
    assert _sentinel_count(server.query, SENTINEL) == 5


@pytest.mark.slow
def test_push_refuses_a_crafted_graph_and_the_virtuoso_sentinel_survives(virtuoso_server) -> None:
    server = virtuoso_server
    push(server.query, update_url=server.update, graph=SENTINEL, nquads=SENTINEL_DATA.encode())
    assert _sentinel_count(server.query, SENTINEL) == 5
    for value in CRAFTED_GRAPHS[:2]:
        with pytest.raises(ParameterError):
            push(server.query, update_url=server.update, graph=value, nquads=SENTINEL_DATA.encode())
    assert _sentinel_count(server.query, SENTINEL) == 5


def test_draw_relations_refuses_a_crafted_predicate(small_kg) -> None:
    from hemokg.web.draw import relations

    with pytest.raises(ParameterError):
        relations(small_kg, ["http://x.org/p> } } SELECT * WHERE { ?a ?b ?c"])


# --- 3. nesting depth and size --------------------------------------------------------------------------------------
#: Query texts that killed pyoxigraph 0.5 with SIGSEGV (or stalled it for minutes) before the guard.
DEEP = {
    "braces": "SELECT * WHERE " + "{ " * 3000 + "?s ?p ?o " + "} " * 3000,
    "parentheses": "SELECT * WHERE { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }",
    "path": "SELECT * WHERE { ?s " + "(" * 5000 + "<http://a/p>" + ")*" * 5000 + " ?o }",
    "bangs": "SELECT * WHERE { FILTER(" + "!" * 100_000 + "true) }",
    "optionals": "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o } " * 20_000 + "}",
    "unions": "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 20_000) + " }",
    "minus": "SELECT * WHERE { ?s ?p ?o " + "MINUS { ?s ?p ?o } " * 5000 + "}",
    "size": "SELECT * WHERE { ?s ?p ?o } #" + "x" * 1_100_000,
}


@pytest.mark.parametrize("shape", sorted(DEEP))
def test_check_query_refuses_each_deep_shape_naming_the_limit(shape: str) -> None:
    with pytest.raises(SPARQLSyntaxError, match="limit"):
        check_query(DEEP[shape])


def test_the_limits_leave_room_for_real_queries(small_kg) -> None:
    for name in catalog():
        check_query(catalog()[name].text)
    nested = "SELECT * WHERE " + "{ " * (MAX_DEPTH - 1) + "?s ?p ?o " + "} " * (MAX_DEPTH - 1) + "LIMIT 1"
    assert len(small_kg.sparql(nested).rows) == 1


def _python(code: str, tmp_path: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=timeout, cwd=tmp_path
    )


@pytest.mark.parametrize("shape", ["braces", "parentheses", "bangs", "optionals", "unions"])
def test_cli_sparql_file_refuses_deep_text_with_one_line(hemokg_cli, tmp_path, shape) -> None:
    path = tmp_path / "deep.rq"
    path.write_text(DEEP[shape])
    run = hemokg_cli("sparql", "--asserted", "-f", str(path), timeout=120)
    assert run.code == 1, (run.code, run.err[-300:])
    assert run.err.count("\n") == 1 and "limit" in run.err


def test_kg_sparql_and_a_stored_query_refuse_deep_text_in_a_real_process(tmp_path) -> None:
    folder = tmp_path / "queries"
    folder.mkdir()
    (folder / "deep.rq").write_text("#+ summary: too deep\n" + DEEP["braces"])
    for shape in ("braces", "parentheses", "optionals"):
        (tmp_path / f"{shape}.txt").write_text(DEEP[shape])
    proc = _python(
        f"""
        from pathlib import Path
        import hemokg
        from hemokg.errors import SPARQLSyntaxError
        from hemokg.sparql.queries import Catalog
        kg = hemokg.load(reasoned=False)
        for shape in ("braces", "parentheses", "optionals"):
            try:
                kg.sparql(Path(shape + ".txt").read_text())
            except SPARQLSyntaxError as exc:
                print("refused", "limit" in str(exc))
        stored = hemokg.KnowledgeGraph(kg.backend, queries=Catalog(Path({str(folder)!r})))
        try:
            stored.query("deep")
        except SPARQLSyntaxError as exc:
            print("refused", "limit" in str(exc))
        """,
        tmp_path,
    )
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-500:])
    assert proc.stdout.split("\n") == ["refused True"] * 4 + [""]


def test_the_remote_backend_refuses_deep_text_before_sending() -> None:
    seen: list[bytes] = []

    class Recorder(QuietHandler):
        def do_POST(self) -> None:
            seen.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()

    with local_http_server(Recorder) as server:
        backend = RemoteBackend(f"http://127.0.0.1:{server.server_address[1]}/sparql", graphs=(), retries=0)
        for shape in ("braces", "parentheses", "bangs", "optionals", "size"):
            with pytest.raises(SPARQLSyntaxError, match="limit"):
                backend.execute(DEEP[shape])
        with pytest.raises(EndpointError):  # control: an ordinary query does reach the server
            backend.execute("ASK {}")
    assert len(seen) == 1


# --- serve: SERVICE, depth, CORS, Host, static files, graph IRIs, XML ----------------------------------------------
def _start_serve(site: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    return start_serve(site, "--timeout", "5", "--workers", "1", *extra)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("security")
    site = root / "site"
    (site / "sub").mkdir(parents=True)
    (site / "index.html").write_text("<!DOCTYPE html><title>hemo</title>")
    (site / "sub" / "page.html").write_text("inside")
    (root / "secret.txt").write_text("outside the site")
    (site / "leak.txt").symlink_to(root / "secret.txt")
    (site / "leakdir").symlink_to(root, target_is_directory=True)
    (site / "ok.html").symlink_to(site / "index.html")
    return site


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc, base = _start_serve(site)
    yield proc, base
    proc.terminate()
    proc.wait(20)


def _call(url: str, *, headers: dict[str, str] | None = None, data: bytes | None = None) -> tuple[int, dict, bytes]:
    import urllib.error

    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _sparql_url(base: str, query: str, **params: str) -> str:
    return f"{base}/sparql?" + urllib.parse.urlencode({"query": query, **params})


@pytest.mark.slow
def test_serve_refuses_service_with_400_and_sends_nothing(served, connection_trap) -> None:
    _, base = served
    for query in service_queries(connection_trap.port):
        status, _, body = _call(_sparql_url(base, query))
        assert status == 400 and b"SERVICE" in body, (status, body)
    assert connection_trap.connections == 0
    assert _call(_sparql_url(base, "ASK { }"))[0] == 200


@pytest.mark.slow
def test_serve_refuses_deep_text_with_400_and_keeps_answering(served) -> None:
    proc, base = served
    for shape in ("braces", "parentheses", "bangs", "optionals", "unions"):
        status, _, body = _call(
            f"{base}/sparql", data=DEEP[shape].encode(), headers={"Content-Type": "application/sparql-query"}
        )
        assert status == 400 and b"limit" in body, (shape, status, body[:200])
    assert proc.poll() is None
    assert _call(_sparql_url(base, "ASK { }"))[0] == 200


@pytest.mark.slow
def test_serve_sends_no_cors_header_by_default_and_the_one_origin_asked_for(served, site) -> None:
    _, base = served
    for url in (_sparql_url(base, "ASK { }"), base + "/", _sparql_url(base, "NOT SPARQL")):
        _, headers, _ = _call(url, headers={"Origin": "https://evil.example"})
        assert "Access-Control-Allow-Origin" not in headers
    proc, other = _start_serve(site, "--cors", "https://hemo.example")
    try:
        _, headers, _ = _call(_sparql_url(other, "ASK { }"), headers={"Origin": "https://hemo.example"})
        assert headers.get("Access-Control-Allow-Origin") == "https://hemo.example"
    finally:
        proc.terminate()
        proc.wait(20)


def _raw(base: str, request: bytes) -> bytes:
    port = int(base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            data = sock.recv(65536)
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks)


@pytest.mark.slow
def test_serve_checks_the_host_header_against_dns_rebinding(served) -> None:
    _, base = served
    port = base.rsplit(":", 1)[1]
    path = "/sparql?query=ASK%7B%7D"
    for host in (f"evil.example:{port}", "evil.example", f"127.0.0.1.evil.example:{port}", "localhost:1", None):
        line = f"Host: {host}\r\n" if host is not None else ""
        answer = _raw(base, f"GET {path} HTTP/1.1\r\n{line}Connection: close\r\n\r\n".encode())
        assert answer.startswith(b"HTTP/1.0 400") or answer.startswith(b"HTTP/1.1 400"), (host, answer[:80])
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}", f"[::1]:{port}"):
        answer = _raw(base, f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        assert answer.split(b" ", 2)[1] == b"200", (host, answer[:80])


@pytest.mark.slow
def test_serve_static_files_nul_symlinks_and_listings(served) -> None:
    proc, base = served
    assert _call(base + "/%00")[0] == 400
    assert _call(base + "/index.html%00.txt")[0] == 400
    assert _call(base + "/%ff%fe")[0] == 400
    assert _call(base + "/leak.txt")[0] == 404
    assert _call(base + "/leakdir/secret.txt")[0] == 404
    assert _call(base + "/sub/")[0] == 404  # no listing of a folder without index.html
    status, _, body = _call(base + "/sub/page.html")
    assert status == 200 and body == b"inside"
    assert _call(base + "/ok.html")[0] == 200  # a symlink that stays inside the folder is fine
    assert proc.poll() is None


@pytest.mark.slow
def test_serve_refuses_a_bad_graph_iri_with_400(served) -> None:
    _, base = served
    for key in ("default-graph-uri", "named-graph-uri"):
        for value in ("not an iri", "http://x.org/a>b", ""):
            status, _, body = _call(_sparql_url(base, "ASK { ?s ?p ?o }", **{key: value}))
            assert status == 400 and key.encode() in body, (key, value, status, body)


# --- 11. XML results -------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_serve_never_sends_ill_formed_xml(served) -> None:
    import xml.etree.ElementTree as ET

    _, base = served
    xml = {"Accept": "application/sparql-results+xml"}
    status, _, body = _call(_sparql_url(base, 'SELECT ?x WHERE { BIND("a\\u0001b" AS ?x) }'), headers=xml)
    assert status == 406 and b"U+0001" in body, (status, body)
    status, _, body = _call(_sparql_url(base, 'SELECT ?x WHERE { BIND("a\\t<&>\\"b" AS ?x) }'), headers=xml)
    assert status == 200
    literal = ET.fromstring(body).find(".//{http://www.w3.org/2005/sparql-results#}literal")
    assert literal is not None and literal.text == 'a\t<&>"b'
