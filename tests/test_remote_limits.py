"""Issue 13, items 6, 8 and 12: what a hostile or broken endpoint can do to the remote client.

A scripted HTTP server on 127.0.0.1 (``local_http_server``) answers with malformed JSON, wrong shapes, a garbage
status line, a truncated body, a bad chunk, 150 headers, a 70 kB header line, a drip of a byte at a time, a body over
the cap, a huge ``Retry-After`` and text carrying terminal escapes and the client's own credentials. Each must end as
one :class:`EndpointError` line naming the endpoint (exit 1 from the CLI), quickly and with nothing unsafe printed.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hemokg.backends.remote import RemoteBackend
from hemokg.errors import EndpointError, HemoError
from tests.fixtures.servers import QuietHandler, local_http_server

SECRET = "Pa55-w0rd-secret"
JSON = "application/sparql-results+json"
VALID = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "ok"}}]}})


class Scripted(QuietHandler):
    """Runs ``server.action(handler)`` for each request: the action writes whatever bytes it likes."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.requests += 1  # type: ignore[attr-defined]
        self.close_connection = True
        self.server.action(self)  # type: ignore[attr-defined]

    do_GET = do_POST


@pytest.fixture(scope="module")
def scripted() -> Iterator[ThreadingHTTPServer]:
    with local_http_server(Scripted) as server:
        yield server


def serve_with(server: ThreadingHTTPServer, action: Callable[[BaseHTTPRequestHandler], None]) -> str:
    server.action, server.requests = action, 0  # type: ignore[attr-defined]
    return f"http://127.0.0.1:{server.server_address[1]}/sparql"


def raw(data: bytes) -> Callable[[BaseHTTPRequestHandler], None]:
    def action(handler: BaseHTTPRequestHandler) -> None:
        handler.wfile.write(data)
        handler.wfile.flush()

    return action


def answer(body: bytes | str, *, status: int = 200, headers: dict[str, str] | None = None):
    data = body.encode() if isinstance(body, str) else body
    head = f"HTTP/1.1 {status} X\r\nContent-Type: {JSON}\r\nContent-Length: {len(data)}\r\nConnection: close\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    return raw(head.encode() + b"\r\n" + data)


def client(url: str, **options: object) -> RemoteBackend:
    options.setdefault("timeout", 10.0)
    options.setdefault("retries", 0)
    return RemoteBackend(url, graphs=(), **options)  # type: ignore[arg-type]


MALFORMED = {
    "json nested 100k deep": answer('{"head": {"vars": ["x"]}, "results": {"bindings": ' + "[" * 100_000),
    "json nested 100k deep, closed": answer("[" * 100_000 + "]" * 100_000),
    "head is a list": answer('{"head": [], "results": {"bindings": []}}'),
    "vars is a string": answer('{"head": {"vars": "x"}, "results": {"bindings": [{"x": 1}]}}'),
    "bindings hold numbers": answer('{"head": {"vars": ["x"]}, "results": {"bindings": [1]}}'),
    "a cell is a string": answer('{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": "v"}]}}'),
    "results is a list": answer('{"head": {"vars": ["x"]}, "results": []}'),
    "an IRI with a space": answer(
        '{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "uri", "value": "a b"}}]}}'
    ),
    "top level is a list": answer("[1, 2]"),
    "garbage status line": raw(b"HELLO THERE\r\n\r\n"),
    "status line of binary": raw(b"\x00\xff\xfe garbage\r\n\r\n"),
    "truncated body": raw(
        f"HTTP/1.1 200 OK\r\nContent-Type: {JSON}\r\nContent-Length: 5000\r\n\r\n".encode() + VALID.encode()[:20]
    ),
    "bad chunk": raw(
        f"HTTP/1.1 200 OK\r\nContent-Type: {JSON}\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
        + b"zz\r\nhello\r\n0\r\n\r\n"
    ),
    "150 headers": raw(
        b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(150)) + b"Content-Length: 0\r\n\r\n"
    ),
    "a 70 kB header line": raw(b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 70_000 + b"\r\nContent-Length: 0\r\n\r\n"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_answer_is_one_endpoint_error(scripted, case: str) -> None:
    url = serve_with(scripted, MALFORMED[case])
    with pytest.raises(EndpointError) as info:
        client(url).execute("SELECT ?x WHERE { ?s ?p ?x }")
    message = str(info.value)
    assert "127.0.0.1" in message and "\n" not in message and len(message) < 600, message


@pytest.mark.parametrize("case", ["json nested 100k deep", "garbage status line", "bad chunk", "150 headers"])
def test_the_cli_prints_one_line_and_exits_1(scripted, hemokg_cli, case: str) -> None:
    url = serve_with(scripted, MALFORMED[case])
    run = hemokg_cli("sparql", "--endpoint", url, "--graph", "https://example.org/g", "SELECT * WHERE { ?s ?p ?o }")
    assert run.code == 1, (run.code, run.err)
    assert run.err.startswith("hemokg: error: http://127.0.0.1:") and run.err.count("\n") == 1, run.err


def test_a_url_with_a_space_is_an_endpoint_error() -> None:
    import hemokg

    for url in ("http://127.0.0.1:9/spa rql", "http://127.0.0.1:9/sparql\n", "http://127.0.0.1:9/\tx"):
        with pytest.raises(HemoError):
            hemokg.connect(url, use_server_default_graph=True).sparql("ASK {}")


# --- 6. total deadline, body cap, Retry-After -----------------------------------------------------------------------
def drip(data: bytes, *, in_headers: bool = False, pause: float = 0.25) -> Callable[[BaseHTTPRequestHandler], None]:
    """Send the answer a byte at a time (bounded: at most len(data) pauses); stop when the client has gone."""
    head = f"HTTP/1.1 200 OK\r\nContent-Type: {JSON}\r\nContent-Length: {len(data)}\r\n\r\n".encode()

    def action(handler: BaseHTTPRequestHandler) -> None:
        slow, fast = (head + data, b"") if in_headers else (data, head)
        try:
            handler.wfile.write(fast)
            handler.wfile.flush()
            for i in range(len(slow)):
                handler.wfile.write(slow[i : i + 1])
                handler.wfile.flush()
                time.sleep(pause)
        except OSError:
            return

    return action


@pytest.mark.parametrize("in_headers", [False, True], ids=["body", "status-and-headers"])
def test_timeout_is_a_total_deadline_against_a_drip(scripted, in_headers: bool) -> None:
    """Each byte comes well within the timeout, but the whole answer would take ~30 s: the 1 s deadline ends it."""
    url = serve_with(scripted, drip(VALID.encode(), in_headers=in_headers))
    with pytest.raises(EndpointError, match=r"within 1 s \(client timeout\)"):
        client(url, timeout=1.0).execute("SELECT ?x WHERE { ?s ?p ?x }")


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_over_the_cap_is_refused(scripted, chunked: bool) -> None:
    big = json.dumps(
        {"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "v" * 100}}] * 20_000}}
    ).encode()
    if chunked:
        body = b"".join(
            b"%x\r\n%s\r\n" % (len(big[i : i + 65536]), big[i : i + 65536]) for i in range(0, len(big), 65536)
        )
        action = raw(
            f"HTTP/1.1 200 OK\r\nContent-Type: {JSON}\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
            + body
            + b"0\r\n\r\n"
        )
    else:
        action = answer(big)
    url = serve_with(scripted, action)
    assert len(client(url).execute("SELECT ?x WHERE { ?s ?p ?x }").rows) == 20_000  # under the default cap
    with pytest.raises(EndpointError, match="over the client's limit of 1,000,000"):
        client(url, max_body=1_000_000).execute("SELECT ?x WHERE { ?s ?p ?x }")


def test_a_huge_retry_after_is_not_waited_for(scripted) -> None:
    url = serve_with(scripted, answer("busy", status=503, headers={"Retry-After": "100000"}))
    with pytest.raises(EndpointError, match="retry after 100000 s, beyond the client's deadline"):
        client(url, retries=4, timeout=5.0).execute("ASK {}")
    assert scripted.requests == 1  # type: ignore[attr-defined]


# --- 12. what is printed of a server's text --------------------------------------------------------------------------
def test_server_text_is_printed_without_escapes_or_credentials(scripted, hemokg_cli) -> None:
    token = base64.b64encode(f"alice:{SECRET}".encode()).decode()

    def action(handler: BaseHTTPRequestHandler) -> None:
        if "Authorization" not in handler.headers:
            return answer("login", status=401, headers={"WWW-Authenticate": 'Basic realm="x"'})(handler)
        echoed = handler.headers["Authorization"]
        text = (
            f"\x1b]52;c;{base64.b64encode(b'rm -rf ~').decode()}\x07\x1b[2J\x1b[31mbad query\x1b[0m "
            f"you sent {echoed} ({SECRET}) from http://alice:{SECRET}@127.0.0.1/ \x9b31m\u202eevil\r\n"
        )
        answer(text, status=500)(handler)

    url = serve_with(scripted, action)
    with pytest.raises(EndpointError) as info:
        client(url, auth=("alice", SECRET)).execute("ASK {}")
    for message in (str(info.value),):
        assert "bad query" in message
        for bad in ("\x1b", "\x07", "\x9b", "\u202e", "\r", SECRET, token):
            assert bad not in message, (bad, message)
    run = hemokg_cli(
        "sparql", "--endpoint", url, "--graph", "https://example.org/g", "ASK {}",
        env={**__import__("os").environ, "HEMOKG_USER": "alice", "HEMOKG_PASSWORD": SECRET},
    )  # fmt: skip
    assert run.code == 1 and "bad query" in run.err, run.err
    for bad in ("\x1b", "\x07", "\x9b", "\u202e", SECRET, token):
        assert bad not in run.err, (bad, run.err)
