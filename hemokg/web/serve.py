"""``hemokg serve``: the static site at ``/`` and a read-only SPARQL 1.1 Protocol endpoint at ``/sparql``.

Queries run in a small pool of warm worker processes, each holding its own copy of the embedded store, because
pyoxigraph cannot cancel a query: a query that outlives the time limit is stopped by killing its worker (a fresh one
replaces it), so one bad query never takes the server down. Answers hold at most ``max_results`` rows or triples.
Updates are refused with 403 (an ``update`` parameter, ``application/sparql-update``, or an update as the query);
malformed queries get 400 with the parser's message. Binds 127.0.0.1 by default.

Exposure: query text passes :func:`~hemokg.sparql.guard.check_query` before a worker sees it (``SERVICE`` — which
would let any client make the server send requests into its network — and text nested deeper than the engine's stack
survives are refused with 400); no CORS header unless ``cors`` names an origin; a request whose ``Host`` is not the
bound address or a loopback name (with the port) gets 400, against DNS rebinding; the site folder is served without
listings and without following symlinks out of it; every socket has a timeout.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape as xml_escape

from hemokg.vocab import ONTOLOGY_IRI, XSD

__all__ = ["GRAPH_TYPES", "RESULT_TYPES", "EndpointServer", "WorkerPool", "negotiate", "serve"]

log = logging.getLogger(__name__)

#: Media types offered for SELECT/ASK answers and for graphs (CONSTRUCT/DESCRIBE); the first is the default.
RESULT_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
GRAPH_TYPES = ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml")
_ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "text/plain": "application/n-triples",
    "application/x-turtle": "text/turtle",
    "application/json+ld": "application/ld+json",
}
MAX_BODY = 1_000_000
#: Address space of one query worker (bytes): a query that needs more ends its worker, not the machine.
MAX_MEMORY = 2 * 1024**3
#: Largest answer body sent (bytes); eight clients that never read 67 MB answers held 400 MB of the server.
MAX_ANSWER_BYTES = 32 * 1024**2
#: Seconds a client may take to send its request (or read the answer) before its connection is closed.
SOCKET_TIMEOUT = 30.0
_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
Answer = tuple[int, str, bytes]


def negotiate(accept: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the Accept header prefers (q-values honoured), the default for none, else None."""
    if not accept or not accept.strip():
        return offered[0]
    wanted: list[tuple[float, int, str]] = []
    for n, item in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in item.split(";"))
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media and q > 0:
            wanted.append((-q, n, _ALIASES.get(media.lower(), media.lower())))
    for _, _, media in sorted(wanted):
        if media in offered:
            return media
        if media in ("*/*", "application/*") or (
            media.endswith("/*") and any(o.startswith(media[:-1]) for o in offered)
        ):
            return next(o for o in offered if media == "*/*" or o.startswith(media[:-1]))
    return None


# --- the worker process -----------------------------------------------------------------------------------------
def _worker(conn: Any, nquads: bytes, max_results: int, max_memory: int | None = None, max_bytes: int = 0) -> None:
    """Hold a store and answer queries sent over ``conn`` until it closes; ``max_memory`` caps the address space."""
    if max_memory:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (max_memory, max_memory))
    from pyoxigraph import RdfFormat, Store

    store = Store()
    if nquads:
        store.bulk_load(nquads, format=RdfFormat.N_QUADS)
    conn.send("ready")
    while True:
        try:
            query, defaults, named, accept = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer = _answer(store, query, defaults, named, accept, max_results)
        except MemoryError:
            answer = (500, "text/plain", b"the query needed more memory than a query may use here; narrow it")
        except Exception as exc:  # an evaluation failure is the query's answer, never the worker's death
            answer = (500, "text/plain", f"the query failed: {exc}".encode())
        if max_bytes and len(answer[2]) > max_bytes:  # refused here: a huge answer never crosses the pipe
            size = len(answer[2])
            answer = (
                413,
                "text/plain",
                f"the answer is {size:,} bytes, over the server's limit of {max_bytes:,}; "
                "add a LIMIT or narrow the query".encode(),
            )
        conn.send(answer)


def _answer(
    store: Any, query: str, defaults: list[str], named: list[str], accept: str | None, max_results: int
) -> Answer:
    from pyoxigraph import NamedNode, QueryBoolean, QuerySolutions, RdfFormat, serialize

    options: dict[str, Any] = {}
    if defaults and ONTOLOGY_IRI not in defaults:
        options["default_graph"] = [NamedNode(g) for g in defaults]
    else:  # no dataset given, or the name `hemokg push` uses: the whole graph
        options["use_default_graph_as_union"] = True
    if named:
        options["named_graphs"] = [NamedNode(g) for g in named]
    try:
        result = store.query(query, **options)
    except SyntaxError as exc:
        return 400, "text/plain", f"malformed query: {exc.args[0] if exc.args else exc}".encode()
    too_many = (
        413,
        "text/plain",
        f"the answer has more than {max_results} results (the server's limit); "
        "add a LIMIT or narrow the query".encode(),
    )
    if isinstance(result, QueryBoolean | QuerySolutions):
        media = negotiate(accept, RESULT_TYPES)
        if media is None:
            return 406, "text/plain", f"cannot answer in {accept}; offered: {', '.join(RESULT_TYPES)}".encode()
        from hemokg.sparql.results import Results

        if isinstance(result, QueryBoolean):
            results = Results("ask", boolean=bool(result))
        else:
            names = [v.value for v in result.variables]
            rows: list[tuple[Any, ...]] = []
            for row in result:
                if len(rows) >= max_results:
                    return too_many
                rows.append(tuple(row))
            results = Results("select", names, rows)
        writers: dict[str, Callable[[], str]] = {
            RESULT_TYPES[0]: results.to_json,
            RESULT_TYPES[1]: partial(_to_xml, results),
            RESULT_TYPES[2]: results.to_csv,
            RESULT_TYPES[3]: results.to_tsv,
        }
        try:
            body = writers[media]()
        except _NotXML as exc:
            return (
                406,
                "text/plain",
                f"the answer holds the control character {exc}, which XML 1.0 cannot carry; "
                f"ask for {RESULT_TYPES[0]} instead".encode(),
            )
        return 200, media + "; charset=utf-8", body.encode("utf-8")
    media = negotiate(accept, GRAPH_TYPES)
    if media is None:
        return 406, "text/plain", f"cannot answer in {accept}; offered: {', '.join(GRAPH_TYPES)}".encode()
    triples: list[Any] = []
    for triple in result:
        if len(triples) >= max_results:
            return too_many
        triples.append(triple)
    data = serialize(triples, format=RdfFormat.from_media_type(media)) or b""
    return 200, media + "; charset=utf-8", data


class _NotXML(ValueError):
    """A value holds a character XML 1.0 cannot carry, not even as a character reference."""


def _xml_text(text: str) -> str:
    bad = _XML_INVALID.search(text)
    if bad:
        raise _NotXML(f"U+{ord(bad.group()):04X}")
    return xml_escape(text, {'"': "&quot;"})


def _to_xml(results: Any) -> str:
    """SPARQL Query Results XML Format; :class:`_NotXML` if a value holds a control character XML 1.0 forbids."""
    from pyoxigraph import BlankNode, NamedNode

    xml_escape = _xml_text  # every value goes through the checking escape

    out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
    if results.kind == "ask":
        return out[0] + "</head>\n<boolean>" + ("true" if results.boolean else "false") + "</boolean>\n</sparql>\n"
    out += [f'<variable name="{v}"/>' for v in results.vars]
    out.append("</head>\n<results>")
    for row in results:
        out.append("<result>")
        for var, term in zip(results.vars, row, strict=True):
            if term is None:
                continue
            if isinstance(term, NamedNode):
                value = f"<uri>{xml_escape(term.value)}</uri>"
            elif isinstance(term, BlankNode):
                value = f"<bnode>{xml_escape(term.value)}</bnode>"
            elif term.language:
                value = f'<literal xml:lang="{xml_escape(term.language)}">{xml_escape(term.value)}</literal>'
            elif term.datatype.value == XSD.string:
                value = f"<literal>{xml_escape(term.value)}</literal>"
            else:
                value = f'<literal datatype="{xml_escape(term.datatype.value)}">{xml_escape(term.value)}</literal>'
            out.append(f'<binding name="{var}">{value}</binding>')
        out.append("</result>")
    out.append("</results>\n</sparql>\n")
    return "\n".join(out)


# --- the pool -------------------------------------------------------------------------------------------------------
class _Worker:
    def __init__(
        self, ctx: Any, nquads: bytes, max_results: int, max_memory: int | None = None, max_bytes: int = 0
    ) -> None:
        self.conn, child = ctx.Pipe()
        args = (child, nquads, max_results, max_memory, max_bytes)
        self.process = ctx.Process(target=_worker, args=args, daemon=True)
        self.process.start()
        child.close()

    def wait_ready(self, timeout: float = 120.0) -> bool:
        return bool(self.conn.poll(timeout)) and self.conn.recv() == "ready"

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class WorkerPool:
    """Warm query workers; a query that outlives ``timeout`` seconds has its worker killed and replaced.

    Fairness: besides the ``size`` workers, ``reserve`` workers answer only while every other worker is busy, and
    only quick queries (``quick`` seconds at most; a longer one there is stopped with 503), so clients running
    long queries cannot starve the others. ``standby`` warm workers replace a killed one at once. Each worker's
    address space is capped at ``max_memory`` bytes (a query that needs more kills only its worker), and an answer
    over ``max_bytes`` is refused with 413.
    """

    def __init__(
        self,
        nquads: bytes,
        *,
        size: int = 2,
        timeout: float = 10.0,
        max_results: int = 100_000,
        max_memory: int | None = MAX_MEMORY,
        max_bytes: int = MAX_ANSWER_BYTES,
        reserve: int = 1,
        standby: int = 1,
        quick: float = 1.0,
    ) -> None:
        self._ctx = multiprocessing.get_context("spawn")
        self._nquads, self.timeout, self.max_results = nquads, timeout, max_results
        self.max_memory, self.max_bytes, self.quick = max_memory, max_bytes, min(quick, timeout)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._reserve: queue.Queue[_Worker] = queue.Queue()
        self._standby: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        homes = [self._idle] * size + [self._reserve] * reserve + [self._standby] * standby
        starting = [(self._new(), home) for home in homes]
        for worker, home in starting:
            if not worker.wait_ready():
                for other, _ in starting:
                    other.kill()
                raise RuntimeError("a query worker did not start")
            home.put(worker)

    def _new(self) -> _Worker:
        return _Worker(self._ctx, self._nquads, self.max_results, self.max_memory, self.max_bytes)

    def _replace(self, home: queue.Queue[_Worker] | None = None) -> None:
        home = self._idle if home is None else home
        try:
            worker = self._new()
        except OSError as exc:
            log.error("a replacement query worker could not be started: %s; the pool is one worker short", exc)
            return
        try:
            ready = worker.wait_ready()
        except (EOFError, OSError):
            ready = False
        if ready and not self._closed:
            home.put(worker)
            return
        if not self._closed:
            log.error(
                "a replacement query worker did not start (exit code %s); the pool is one worker short",
                worker.process.exitcode,
            )
        worker.kill()

    def _retire(self, worker: _Worker, home: queue.Queue[_Worker]) -> None:
        """Kill a worker; a warm standby takes its place at once (and is replaced in the background)."""
        worker.kill()
        try:
            home.put(self._standby.get_nowait())
            target = self._standby
        except queue.Empty:
            target = home
        threading.Thread(target=self._replace, args=(target,), daemon=True).start()

    def _take(self) -> tuple[_Worker, queue.Queue[_Worker], float] | None:
        """An idle worker, its home and the time limit there: a regular worker if one is free, else a reserve one
        (quick queries only), else the first regular worker to come free within the time limit."""
        deadline = time.monotonic() + self.timeout
        pause = 0.002
        while True:
            for home, limit in ((self._idle, self.timeout), (self._reserve, self.quick)):
                try:
                    return home.get_nowait(), home, limit
                except queue.Empty:
                    pass
            if time.monotonic() >= deadline:
                return None
            time.sleep(pause)  # both kinds of worker are busy: poll both (bounded by the time limit)
            pause = min(0.02, pause * 2)

    def run(self, query: str, defaults: list[str], named: list[str], accept: str | None) -> Answer:
        """Answer one query within the time limit."""
        taken = self._take()
        if taken is None:
            return 503, "text/plain", b"the server is busy with other queries; try again shortly"
        worker, home, limit = taken
        crash: BaseException | None = None
        try:
            worker.conn.send((query, defaults, named, accept))
            if worker.conn.poll(limit):
                answer: Answer = worker.conn.recv()
                home.put(worker)
                return answer
        except (EOFError, OSError) as exc:  # the worker died (killed, out of memory, a crash in the engine)
            crash = exc
        self._retire(worker, home)
        if crash is not None:
            log.error(
                "a query worker crashed (%s, exit code %s); replacing it", type(crash).__name__, worker.process.exitcode
            )
            memory = (
                f" or needed more than the {self.max_memory // 2**20:,} MiB a query may use" if self.max_memory else ""
            )
            return (
                500,
                "text/plain",
                (
                    f"the query worker crashed (exit code {worker.process.exitcode}){memory} while "
                    "answering and was replaced; try again, and report the query if it happens "
                    "again"
                ).encode(),
            )
        if home is self._reserve:
            return (
                503,
                "text/plain",
                (
                    "the server's other workers are busy with long queries, and this one needed more than the "
                    f"{self.quick:g} s allowed meanwhile; try again shortly"
                ).encode(),
            )
        return (
            503,
            "text/plain",
            (
                f"the query ran longer than the server's time limit of {self.timeout:g} s and was "
                "stopped; add a LIMIT or narrow the query"
            ).encode(),
        )

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        for home in (self._idle, self._reserve, self._standby):
            while not home.empty():
                home.get_nowait().kill()


# --- HTTP -----------------------------------------------------------------------------------------------------------
class _Handler(SimpleHTTPRequestHandler):
    server: EndpointServer
    server_version = "hemokg"
    timeout = SOCKET_TIMEOUT  # a client that stops sending (a Content-Length larger than its body) is dropped

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)

    def end_headers(self) -> None:
        if self.server.cors:
            self.send_header("Access-Control-Allow-Origin", self.server.cors)
            self.send_header("Vary", "Origin")
        super().end_headers()

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        host = (self.headers.get("Host") or "").strip().lower()
        if host not in self.server.allowed_hosts:
            self.close_connection = True
            self._reply(
                400,
                "text/plain",
                b"the Host header does not name this server (give its address or localhost with the port)",
            )
            return False
        return True

    def send_head(self) -> Any:
        """The static site: no NUL or undecodable paths (400), nothing outside the folder, no listings (404)."""
        from urllib.parse import unquote

        raw = urlsplit(self.path).path
        decoded = unquote(raw, errors="replace")
        if "\x00" in decoded or "\ufffd" in decoded:
            self._reply(400, "text/plain", b"the path holds a NUL or undecodable bytes")
            return None
        path = self.translate_path(self.path)
        root = os.path.realpath(self.server.site_dir)
        real = os.path.realpath(path)
        if real != root and not real.startswith(root + os.sep):
            self.send_error(404, "File not found")
            return None
        if os.path.isdir(real) and not os.path.isfile(os.path.join(real, "index.html")):
            self.send_error(404, "File not found")
            return None
        return super().send_head()

    def list_directory(self, path: Any) -> Any:
        self.send_error(404, "File not found")
        return None

    def _reply(self, status: int, ctype: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if status == 405:
            self.send_header("Allow", "GET, POST, HEAD")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path.rstrip("/") != "/sparql":
            return super().do_GET()
        self._sparql(parse_qs(parts.query, keep_blank_values=True), None)

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        if parts.path.rstrip("/") != "/sparql":
            return self._reply(405, "text/plain", b"this server is read-only; POST queries to /sparql")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            return self._reply(400, "text/plain", b"the Content-Length header is not a non-negative integer")
        if length > MAX_BODY:
            return self._reply(413, "text/plain", f"request body over {MAX_BODY} bytes".encode())
        body = self.rfile.read(length).decode("utf-8", "replace")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qs(parts.query, keep_blank_values=True)
        if ctype == "application/sparql-update":
            return self._reply(403, "text/plain", b"updates are refused: this endpoint is read-only")
        if ctype == "application/x-www-form-urlencoded":
            for key, values in parse_qs(body, keep_blank_values=True).items():
                params.setdefault(key, []).extend(values)
            return self._sparql(params, None)
        if ctype == "application/sparql-query":
            return self._sparql(params, body)
        return self._reply(415, "text/plain", b"send application/sparql-query or application/x-www-form-urlencoded")

    def _sparql(self, params: dict[str, list[str]], text: str | None) -> None:
        from hemokg.errors import UpdateRefusedError
        from hemokg.sparql.queries import require_read_only

        if "update" in params:
            return self._reply(403, "text/plain", b"updates are refused: this endpoint is read-only")
        queries = params.get("query", []) if text is None else [text]
        if len(queries) != 1 or not queries[0].strip():
            return self._reply(400, "text/plain", b"give exactly one query: ?query=... (GET) or a POST body")
        try:
            require_read_only(queries[0])
        except UpdateRefusedError:
            return self._reply(403, "text/plain", b"updates are refused: this endpoint is read-only")
        from hemokg.errors import HemoError
        from hemokg.sparql.guard import check_iri, check_query

        try:
            check_query(queries[0])
            for key in ("default-graph-uri", "named-graph-uri"):
                for value in params.get(key, []):
                    check_iri(value, what=key)
        except HemoError as exc:
            return self._reply(400, "text/plain", str(exc).encode("utf-8", "replace"))
        status, ctype, body = self.server.pool.run(
            queries[0],
            params.get("default-graph-uri", []),
            params.get("named-graph-uri", []),
            self.headers.get("Accept"),
        )
        self._reply(status, ctype, body)

    def do_PUT(self) -> None:
        self._reply(405, "text/plain", b"this server is read-only")

    do_DELETE = do_PATCH = do_PUT


class EndpointServer(ThreadingHTTPServer):
    """A threading HTTP server with the worker pool and the site folder."""

    daemon_threads = True
    request_queue_size = 128  # the library default (5) resets connections when dozens of clients arrive at once

    def __init__(self, address: tuple[str, int], pool: WorkerPool, site_dir: Path, *, cors: str | None = None) -> None:
        self.pool, self.site_dir, self.cors = pool, site_dir, cors
        super().__init__(address, partial(_Handler, directory=str(site_dir)))
        host, port = str(self.server_address[0]), int(self.server_address[1])
        bound = f"[{host}]" if ":" in host else host
        names = {bound.lower(), *_LOOPBACK_NAMES}
        self.allowed_hosts = frozenset(f"{n}:{port}" for n in names) | (names if port == 80 else frozenset())


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    site_dir: str | Path | None = None,
    timeout: float = 10.0,
    max_results: int = 100_000,
    workers: int = 2,
    reasoned: bool = True,
    imports: bool = False,
    cors: str | None = None,
    max_memory: int | None = MAX_MEMORY,
) -> None:
    """Serve until interrupted; prints ``serving http://HOST:PORT/ ...`` on stderr once ready. ``cors`` is the one
    origin allowed to read answers from a browser page (``Access-Control-Allow-Origin``); none by default."""
    from hemokg.backends.embedded import EmbeddedBackend
    from hemokg.graph.store import load_nquads
    from hemokg.kg import KnowledgeGraph

    nquads = load_nquads(reasoned=reasoned, imports=imports)
    with tempfile.TemporaryDirectory(prefix="hemokg-site-") as tmp:
        if site_dir is None:
            from hemokg.web.site import write_site

            site_dir = write_site(KnowledgeGraph(EmbeddedBackend.from_nquads(nquads)), Path(tmp) / "site")
        pool = WorkerPool(nquads, size=workers, timeout=timeout, max_results=max_results, max_memory=max_memory)
        try:
            server = EndpointServer((host, port), pool, Path(site_dir), cors=cors)
        except OSError as exc:
            pool.close()
            from hemokg.errors import HemoError

            raise HemoError(f"cannot listen on {host}:{port}: {exc.strerror or exc}; choose another --port") from None
        bound = server.server_address
        print(
            f"serving http://{bound[0]!s}:{bound[1]}/ (SPARQL endpoint at /sparql); Ctrl-C stops",
            file=sys.stderr,
            flush=True,
        )
        import signal

        signal.signal(signal.SIGTERM, _interrupt)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
            pool.close()
