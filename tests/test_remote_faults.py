"""Endpoint faults: each gives one clear EndpointError naming the endpoint (never the password), never an empty result.

A small real HTTP server on 127.0.0.1 (http.server in a thread) plays the misbehaving endpoint; a real Oxigraph
server is killed in the middle of a push.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import socket
import time
from collections.abc import Iterator
from http.server import ThreadingHTTPServer

import pytest

import hemokg
from hemokg.backends.remote import RemoteBackend
from hemokg.errors import EndpointError
from hemokg.graph.push import PushError, push
from tests.fixtures.servers import OxigraphServer, QuietHandler, free_port, local_http_server

SECRET = "s3cret-Pa55word"
OK_JSON = json.dumps(
    {
        "head": {"vars": ["n"]},
        "results": {
            "bindings": [
                {"n": {"type": "typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": "7"}}
            ]
        },
    }
)


class Script(QuietHandler):
    """Answers each request with the next scripted (status, headers, body, delay); records what it received."""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        server = self.server
        server.seen.append((self.command, dict(self.headers), self.rfile.read(length)))  # type: ignore[attr-defined]
        step = (
            server.script.pop(0)
            if server.script
            else (200, {"Content-Type": "application/sparql-results+json"}, OK_JSON, 0)
        )  # type: ignore[attr-defined]
        status, headers, body, delay = step
        expected = "Basic " + base64.b64encode(f"alice:{SECRET}".encode()).decode()
        if server.auth and self.headers.get("Authorization") != expected:  # type: ignore[attr-defined]
            status, headers, body = 401, {"WWW-Authenticate": 'Basic realm="sparql"'}, "unauthorized"
        if status == "hangup":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        time.sleep(delay)
        data = body.encode()
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def fake() -> Iterator[ThreadingHTTPServer]:
    with local_http_server(Script) as server:
        yield server


@pytest.fixture
def endpoint(fake: ThreadingHTTPServer) -> str:
    fake.script, fake.seen, fake.auth = [], [], False  # type: ignore[attr-defined]
    return f"http://127.0.0.1:{fake.server_address[1]}/sparql"


def backend(url: str, **options) -> RemoteBackend:
    options.setdefault("timeout", 5.0)
    backend = RemoteBackend(url, **options)
    backend.http.backoff = 0.01
    return backend


ASK = "ASK { ?s ?p ?o }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def test_a_healthy_answer_is_posted_with_user_agent_and_default_graph(fake, endpoint):
    rows = backend(endpoint).execute(COUNT).rows
    assert rows[0][0].value == "7" and rows[0][0].datatype.value.endswith("#integer")
    method, headers, body = fake.seen[0]
    assert method == "POST" and headers["User-Agent"] == f"hemokg/{hemokg.__version__}"
    assert b"default-graph-uri=https%3A%2F%2Fw3id.org%2Fhemokg%2Fhemo.owl" in body


def test_down_endpoint_names_it_after_retrying():
    url = f"http://127.0.0.1:{free_port()}/sparql"
    with pytest.raises(
        EndpointError,
        match=r"127\.0\.0\.1:\d+/sparql: cannot send the query: Connection refused "
        r"\(after 5 attempts\)",
    ):
        backend(url).execute(ASK)


def test_hang_up_without_answer(fake, endpoint):
    fake.script.append(("hangup", {}, "", 0))
    with pytest.raises(EndpointError, match="connection failed during the query"):
        backend(endpoint, retries=0).execute(ASK)


def test_server_error_is_not_retried_and_not_an_empty_result(fake, endpoint):
    fake.script.append((500, {"Content-Type": "text/plain"}, "Internal failure: out of memory", 0))
    with pytest.raises(EndpointError, match=r"/sparql: the server answered the query with HTTP 500: Internal failure"):
        backend(endpoint).execute(COUNT)
    assert len(fake.seen) == 1


def test_429_with_retry_after_then_success(fake, endpoint):
    fake.script.append((429, {"Retry-After": "0"}, "slow down", 0))
    assert backend(endpoint).execute(COUNT).rows[0][0].value == "7"
    assert len(fake.seen) == 2


def test_503_then_200_is_retried(fake, endpoint):
    fake.script += [(503, {}, "starting", 0), (502, {}, "bad gateway", 0)]
    assert backend(endpoint).execute(COUNT).rows[0][0].value == "7"
    assert len(fake.seen) == 3


def test_persistent_503_gives_up_with_a_clear_error(fake, endpoint):
    fake.script += [(503, {"Retry-After": "0"}, "maintenance", 0)] * 3
    with pytest.raises(EndpointError, match=r"still unavailable after 3 attempts \(HTTP 503\)"):
        backend(endpoint, retries=2).execute(COUNT)


def test_html_instead_of_results(fake, endpoint):
    fake.script.append((200, {"Content-Type": "text/html"}, "<html><body>Welcome</body></html>", 0))
    with pytest.raises(EndpointError, match="HTML page instead of SPARQL results"):
        backend(endpoint).execute(COUNT)


def test_garbage_json_is_an_error(fake, endpoint):
    fake.script.append((200, {"Content-Type": "application/sparql-results+json"}, '{"oops": 1}', 0))
    with pytest.raises(EndpointError, match="not valid SPARQL results"):
        backend(endpoint).execute(COUNT)


def test_truncated_results_are_refused(fake, endpoint):
    fake.script.append(
        (200, {"Content-Type": "application/sparql-results+json", "X-SPARQL-MaxRows": "10000"}, OK_JSON, 0)
    )
    with pytest.raises(EndpointError, match="cut the results at 10000 rows"):
        backend(endpoint).execute(COUNT)


def test_timeout(fake, endpoint):
    fake.script.append((200, {"Content-Type": "application/sparql-results+json"}, OK_JSON, 1.5))
    with pytest.raises(EndpointError, match=r"no answer to the query within 0.3 s \(client timeout\)"):
        backend(endpoint, timeout=0.3).execute(COUNT)


def test_credentials_needed_wrong_and_right_password_never_shown(fake, endpoint, caplog):
    caplog.set_level(logging.DEBUG)
    fake.auth = True
    with pytest.raises(EndpointError, match=r"HTTP 401, credentials missing or wrong.*HEMOKG_USER") as missing:
        backend(endpoint).execute(COUNT)
    with pytest.raises(EndpointError, match="HTTP 401") as wrong:
        backend(endpoint, auth=("alice", SECRET + "x")).execute(COUNT)
    assert backend(endpoint, auth=("alice", SECRET)).execute(COUNT).rows[0][0].value == "7"
    assert backend(endpoint.replace("http://", f"http://alice:{SECRET}@")).execute(COUNT).rows[0][0].value == "7"
    user_in_url = endpoint.replace("http://", f"http://alice:{SECRET}x@")
    with pytest.raises(EndpointError) as in_url:
        backend(user_in_url).execute(COUNT)
    for text in (
        str(missing.value),
        str(wrong.value),
        str(in_url.value),
        caplog.text,
        repr(backend(user_in_url)),
        backend(user_in_url).name,
    ):
        assert SECRET not in text


def test_cli_gets_credentials_from_the_environment_and_never_prints_them(fake, endpoint, hemokg_cli):
    env = {**os.environ, "HEMOKG_USER": "alice", "HEMOKG_PASSWORD": SECRET + "-wrong"}
    fake.auth = True
    run = hemokg_cli("sparql", COUNT, "--endpoint", endpoint, "--format", "csv", env=env)
    assert run.code == 1 and "HTTP 401" in run.err and endpoint in run.err
    assert SECRET not in run.err + run.out
    env["HEMOKG_PASSWORD"] = SECRET
    run = hemokg_cli("sparql", COUNT, "--endpoint", endpoint, "--format", "csv", env=env)
    assert run.code == 0, run.err
    assert run.out.splitlines() == ["n", "7"]


def test_cli_endpoint_error_is_one_line_and_nonzero(fake, endpoint, hemokg_cli):
    fake.script += [(500, {}, "boom", 0)]
    run = hemokg_cli("sparql", COUNT, "--endpoint", endpoint)
    assert run.code == 1 and run.out == ""
    assert run.err.strip().count("\n") == 0 and "HTTP 500: boom" in run.err and "Traceback" not in run.err


# --- a push interrupted by killing the server -------------------------------------------------------------------
OLD = b'<urn:hemokg:test:a> <http://www.w3.org/2000/01/rdf-schema#label> "previous graph" .\n'


def _count(server: OxigraphServer) -> int:
    rows = (
        RemoteBackend(server.query, graphs=())
        .execute("SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/hemokg/hemo.owl> { ?s ?p ?o } }")
        .rows
    )
    return int(rows[0][0].value)


@pytest.mark.parametrize("method", ["gsp", "update"])
def test_push_killed_midway_keeps_the_previous_graph_and_rerun_completes(tmp_path, method):
    server = OxigraphServer.start_in(tmp_path / "db")
    try:
        push(server.query, store_url=server.store, nquads=OLD)
        assert _count(server) == 1
        options = {"store_url": server.store} if method == "gsp" else {"update_url": server.update, "batch_size": 300}

        def kill_after_first_part(done: int, total: int) -> None:
            if 0 < done < total:
                server.kill()

        with pytest.raises(PushError, match=r"previous .*intact.*re-run `hemokg push`") as failed:
            push(server.query, method=method, progress=kill_after_first_part, **options)
        assert server.query.removesuffix("/query") in str(failed.value)
        server.start()  # same folder, same port: the data survived the crash
        assert _count(server) == 1, "the interrupted push changed the previous graph"
        report = push(server.query, method=method, **options)
        assert _count(server) == report.triples > 1000
    finally:
        server.stop()


def _nquads(n: int) -> bytes:
    return "".join(f"<urn:s{i}> <urn:p> <urn:o{i}> .\n" for i in range(n)).encode()


@pytest.mark.parametrize("sent", [2, 12])
def test_push_fails_when_the_server_holds_another_number_of_triples(fake, endpoint, sent: int) -> None:
    """The server takes every update (200) but its graph then counts 7 triples: a push of any other number is a
    PushError naming both counts, never a success (the count check after a push)."""
    with pytest.raises(PushError, match=rf"holds 7 triples, not the {sent} sent; re-run `hemokg push`"):
        push(endpoint, nquads=_nquads(sent), graph="urn:g", timeout=5.0)
    assert any(b"SELECT" in body and b"COUNT" in body for _, _, body in fake.seen)


def test_push_succeeds_when_the_server_holds_what_was_sent(fake, endpoint) -> None:
    report = push(endpoint, nquads=_nquads(7), graph="urn:g", timeout=5.0)
    assert report.triples == 7 and report.graphs == {"urn:g": 7}
