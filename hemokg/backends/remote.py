"""The remote backend: the same knowledge-graph interface over a SPARQL 1.1 endpoint (Oxigraph, Virtuoso, Fuseki, …).

It owns everything HTTP: POST queries with an explicit timeout and a ``hemokg/<version>`` User-Agent, retries with
backoff for transient failures only (connection refused, 429, 502, 503), one-line :class:`EndpointError` messages
that name the endpoint and never the credentials, and turning SPARQL JSON / N-Triples / Turtle answers into the same
:class:`~hemokg.results.Results` the embedded store gives. Server differences are absorbed here: the graphs hemo
lives in are sent as ``default-graph-uri`` (so a server's own triples never leak in), Virtuoso's ``typed-literal``
and ``nodeID://`` blank nodes are normalised, and where Virtuoso refuses a property path whose start is bound by a
VALUES block ("transitive start not given"), the parameters are bound with ``BIND`` instead.
Plain ``urllib`` (no import cost, full control of retries and streaming) rather than SPARQLWrapper.
"""

from __future__ import annotations

import json
import logging
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import Message

from hemokg._version import __version__
from hemokg.errors import EndpointError, SPARQLSyntaxError, UpdateRefusedError
from hemokg.kg import KnowledgeGraph
from hemokg.namespaces import GRAPH_IMPORTS, ONTOLOGY_IRI
from hemokg.queries import bind_values, query_form
from hemokg.results import Results, Term

__all__ = ["DEFAULT_GRAPH", "HttpClient", "RemoteBackend", "check_url", "connect", "redact", "shipped_graphs"]

log = logging.getLogger(__name__)

#: The named graph ``hemokg push`` writes hemo into (OWL + relation graph), and queries read by default.
DEFAULT_GRAPH = ONTOLOGY_IRI
USER_AGENT = f"hemokg/{__version__}"
TRANSIENT_STATUS = (429, 502, 503)
READ_FORMS = ("select", "ask", "construct", "describe")
_JSON = "application/sparql-results+json"
_RDF_ACCEPT = "application/n-triples, text/plain;q=0.9, text/turtle;q=0.8"


def redact(url: str) -> str:
    """The URL without user:password@ (and without its query string), safe to print."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
    except ValueError:  # never raise while building a message
        return "<a malformed URL>"
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def check_url(url: str, what: str = "endpoint") -> str:
    """The URL if it is an http(s) URL with a host that parses; else :class:`EndpointError` saying what to fix."""
    shown = url if "@" not in url else "<URL with credentials>"
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise EndpointError(
            f"{what} URL {shown!r} does not parse ({exc}); give an http(s) URL such as http://localhost:7878/query"
        ) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise EndpointError(
            f"{what} URL {shown!r} is not an http(s) URL with a host; give one such as http://localhost:7878/query"
        )
    return url


def _split_userinfo(url: str, auth: tuple[str, str] | None) -> tuple[str, tuple[str, str] | None]:
    parts = urllib.parse.urlsplit(url)
    if parts.username is None:
        return url, auth
    netloc = parts.hostname or ""
    netloc += f":{parts.port}" if parts.port else ""
    clean = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    userinfo = (urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or ""))
    return clean, auth or userinfo


@dataclass
class Response:
    """A finished HTTP exchange."""

    status: int
    headers: Message
    body: bytes

    @property
    def content_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()


@dataclass
class HttpClient:
    """HTTP with an explicit timeout, the hemokg User-Agent, optional Basic/Digest credentials and retries with
    exponential backoff for transient failures only. Every failure becomes one :class:`EndpointError` line."""

    timeout: float = 30.0
    auth: tuple[str, str] | None = field(default=None, repr=False)
    retries: int = 4
    backoff: float = 0.25
    max_wait: float = 30.0

    def __post_init__(self) -> None:
        handlers: list[urllib.request.BaseHandler] = []
        if self.auth is not None:
            self._passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            handlers += [
                urllib.request.HTTPDigestAuthHandler(self._passwords),
                urllib.request.HTTPBasicAuthHandler(self._passwords),
            ]
        self._opener = urllib.request.build_opener(*handlers)

    def scrub(self, text: str) -> str:
        """The text with the password (if any) blanked, for messages and logs."""
        if self.auth and self.auth[1]:
            text = text.replace(self.auth[1], "***")
        return text

    def request(
        self,
        method: str,
        url: str,
        *,
        what: str,
        data: bytes | Callable[[], Iterable[bytes]] | None = None,
        headers: Mapping[str, str] | None = None,
        length: int | None = None,
    ) -> Response:
        """Send one request (``data`` may be a factory of byte chunks, sent with ``length``); retry transient
        failures; raise :class:`EndpointError` naming ``what`` (e.g. "query") and the endpoint on any other."""
        where = redact(url)
        if self.auth is not None:  # answered on the server's 401 challenge (Basic or Digest), never sent unasked
            self._passwords.add_password(None, url, *self.auth)
        for attempt in range(self.retries + 1):
            body = data() if callable(data) else data
            req = urllib.request.Request(
                url, data=body, method=method, headers={"User-Agent": USER_AGENT, **(headers or {})}
            )
            if length is not None:
                req.add_header("Content-Length", str(length))
            wait: float | None = None
            try:
                with self._opener.open(req, timeout=self.timeout) as answer:
                    return Response(answer.status, answer.headers, answer.read())
            except urllib.error.HTTPError as exc:
                text = _first_line(exc.read() if exc.fp else b"")
                if exc.code not in TRANSIENT_STATUS or attempt == self.retries:
                    raise EndpointError(self.scrub(_http_message(where, what, exc.code, text, attempt))) from None
                wait = _retry_after(exc.headers.get("Retry-After"))
                reason = f"HTTP {exc.code}"
            except TimeoutError:
                raise EndpointError(
                    f"{where}: no answer to the {what} within {self.timeout:g} s (client timeout); "
                    "check the server or raise the timeout"
                ) from None
            except urllib.error.URLError as exc:
                reason_obj = exc.reason
                if isinstance(reason_obj, TimeoutError):
                    raise EndpointError(
                        f"{where}: no answer to the {what} within {self.timeout:g} s (client "
                        "timeout); check the server or raise the timeout"
                    ) from None
                if not isinstance(reason_obj, ConnectionRefusedError) or attempt == self.retries:
                    detail = getattr(reason_obj, "strerror", None) or str(reason_obj)
                    tries = f" (after {attempt + 1} attempts)" if attempt else ""
                    raise EndpointError(
                        self.scrub(
                            f"{where}: cannot send the {what}: {detail}{tries}; is the server "
                            "running and the URL right?"
                        )
                    ) from None
                reason = "connection refused"
            except (ConnectionError, OSError) as exc:
                raise EndpointError(
                    self.scrub(f"{where}: the connection failed during the {what}: {exc.strerror or exc}")
                ) from None
            except ValueError as exc:  # urllib: an unsupported auth scheme, a malformed URL
                raise EndpointError(self.scrub(f"{where}: cannot send the {what}: {exc}")) from None
            delay = min(self.max_wait, wait if wait is not None else self.backoff * 2**attempt)
            log.info("%s: %s; retrying the %s in %.2f s", where, reason, what, delay)
            time.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def _first_line(body: bytes) -> str:
    text = body.decode("utf-8", "replace")
    if "<html" in text[:500].lower():
        return "an HTML page"
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[0][:300] if lines else ""


def _http_message(where: str, what: str, status: int, text: str, attempt: int) -> str:
    said = f": {text}" if text else ""
    if status in (401, 403):
        return (
            f"{where}: the server refused the {what} (HTTP {status}, credentials missing or wrong){said}; "
            "set HEMOKG_USER and HEMOKG_PASSWORD"
        )
    if status == 404:
        return f"{where}: not found (HTTP 404) — is this the endpoint's URL?"
    if status in TRANSIENT_STATUS:
        return f"{where}: still unavailable after {attempt + 1} attempts (HTTP {status}){said}"
    return f"{where}: the server answered the {what} with HTTP {status}{said}"


def _blank(value: str) -> Term:
    from pyoxigraph import BlankNode

    return BlankNode(re.sub(r"[^A-Za-z0-9]", "_", value) or "b")


def _term(cell: Mapping[str, str]) -> Term:
    from pyoxigraph import Literal, NamedNode

    kind, value = cell.get("type"), cell.get("value", "")
    if kind == "uri":
        return NamedNode(value)
    if kind == "bnode":
        return _blank(value)
    if kind in ("literal", "typed-literal"):
        lang = cell.get("xml:lang") or cell.get("lang")
        if lang:
            return Literal(value, language=lang)
        datatype = cell.get("datatype")
        return Literal(value, datatype=NamedNode(datatype)) if datatype else Literal(value)
    raise ValueError(f"unknown term type {kind!r}")


def parse_json_results(body: bytes) -> Results:
    """SPARQL 1.1 Query Results JSON (with Virtuoso's ``typed-literal``) as :class:`Results`; ValueError if not."""
    data = json.loads(body)
    if not isinstance(data, dict) or "head" not in data:
        raise ValueError("no 'head' member")
    if "boolean" in data:
        return Results("ask", boolean=bool(data["boolean"]))
    variables = list(data["head"].get("vars") or [])
    rows = [tuple(_term(b[v]) if v in b else None for v in variables) for b in data["results"]["bindings"]]
    return Results("select", variables, rows)


def parse_graph(body: bytes, content_type: str) -> Results:
    """A CONSTRUCT/DESCRIBE answer (N-Triples or Turtle) as a graph :class:`Results`."""
    from pyoxigraph import RdfFormat, parse

    fmt = RdfFormat.TURTLE if "turtle" in content_type else RdfFormat.N_TRIPLES
    return Results("graph", triples=[q.triple for q in parse(body, format=fmt)])


def bind_with_bind(query: str, bindings: Mapping[str, Term]) -> str:
    """Like :func:`~hemokg.queries.bind_values`, at the same place, but as ``BIND(term AS ?var)`` lines — for
    engines (Virtuoso) that do not count a VALUES-bound variable as the start of a property path."""
    if not bindings:
        return query
    bound = bind_values(query, bindings)
    names = " ".join(f"?{n}" for n in bindings)
    values = " ".join(str(t) for t in bindings.values())
    block = f" VALUES ({names}) {{ ({values}) }}"
    replacement = " " + " ".join(f"BIND({t} AS ?{n})" for n, t in bindings.items())
    start = bound.find(block)
    while start >= 0:
        if bound[:start] + bound[start + len(block) :] == query:
            return bound[:start] + replacement + bound[start + len(block) :]
        start = bound.find(block, start + 1)
    raise AssertionError("bind_values placed its block where it cannot be found")  # pragma: no cover


class RemoteBackend:
    """Read-only SPARQL over HTTP; the ``graphs`` are the query's default graph (sent as ``default-graph-uri``)."""

    def __init__(
        self,
        query_url: str,
        *,
        update_url: str | None = None,
        store_url: str | None = None,
        graphs: Sequence[str] = (DEFAULT_GRAPH,),
        auth: tuple[str, str] | None = None,
        timeout: float = 30.0,
        retries: int = 4,
    ) -> None:
        check_url(query_url, "endpoint")
        for url, what in ((update_url, "update endpoint"), (store_url, "store endpoint")):
            if url:
                check_url(url, what)
        self.query_url, auth = _split_userinfo(query_url, auth)
        self.update_url, auth = _split_userinfo(update_url, auth) if update_url else (None, auth)
        self.store_url, auth = _split_userinfo(store_url, auth) if store_url else (None, auth)
        self.graphs = tuple(graphs)
        self.http = HttpClient(timeout=timeout, auth=auth, retries=retries)
        self.name = f"remote {redact(self.query_url)}"
        self._needs_bind: set[str] = set()  # queries the server answers only with BIND-bound parameters

    def __repr__(self) -> str:
        return f"<RemoteBackend {redact(self.query_url)} graphs={list(self.graphs)}>"

    def execute(self, query: str, bindings: Mapping[str, Term] | None = None) -> Results:
        """Run a read-only query on the endpoint; updates raise :class:`UpdateRefusedError`."""
        form = query_form(query)
        if form not in (*READ_FORMS, "unknown"):  # unknown: the server's HTTP 400 says what is wrong with it
            raise UpdateRefusedError(
                f"only read-only queries (SELECT, ASK, CONSTRUCT, DESCRIBE) run here, not {form.upper()}; "
                "use `hemokg push` to write to a server"
            )
        bindings = bindings or {}
        style = "bind" if query in self._needs_bind else "values"
        try:
            return self._send(query, bindings, form, style)
        except (SPARQLSyntaxError, EndpointError) as exc:
            if style == "values" and bindings and "transitive start not given" in str(exc):
                log.info(
                    "%s: binding parameters with BIND (the server needs a bound property-path start)",
                    redact(self.query_url),
                )
                self._needs_bind.add(query)
                return self._send(query, bindings, form, "bind")
            raise

    def _send(self, query: str, bindings: Mapping[str, Term], form: str, style: str) -> Results:
        text = (bind_values if style == "values" else bind_with_bind)(query, bindings)
        fields = [("query", text)] + [("default-graph-uri", g) for g in self.graphs]
        accept = {"select": _JSON, "ask": _JSON, "unknown": f"{_JSON}, {_RDF_ACCEPT}"}.get(form, _RDF_ACCEPT)
        where = redact(self.query_url)
        try:
            answer = self.http.request(
                "POST",
                self.query_url,
                what="query",
                data=urllib.parse.urlencode(fields).encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Accept": accept},
            )
        except EndpointError as exc:
            message = str(exc)
            if "HTTP 400" in message:
                raise SPARQLSyntaxError(
                    f"{where} rejected the query (HTTP 400){message.partition('HTTP 400')[2]}"
                ) from None
            raise
        _check_complete(where, answer)
        kind = answer.content_type
        if "html" in kind:
            raise EndpointError(
                f"{where}: answered with an HTML page instead of SPARQL results — is this the "
                "SPARQL endpoint's URL (often ending in /sparql or /query)?"
            )
        try:
            if form in ("select", "ask") or (form == "unknown" and "json" in kind):
                return parse_json_results(answer.body)
            return parse_graph(answer.body, kind)
        except (ValueError, KeyError, TypeError, SyntaxError) as exc:
            raise EndpointError(
                f"{where}: the answer ({kind or 'no content type'}) is not valid SPARQL results: {str(exc)[:200]}"
            ) from None


def _check_complete(where: str, answer: Response) -> None:
    """Refuse answers a server marks as cut short (Virtuoso's row cap and "anytime" partial results)."""
    state = answer.headers.get("X-SQL-State")
    if state and state.upper().startswith("S1TAT"):
        raise EndpointError(
            f"{where}: the server returned partial results (its time limit, X-SQL-State {state}); "
            "raise MaxQueryExecutionTime on the server"
        )
    if answer.headers.get("X-SPARQL-MaxRows"):
        raise EndpointError(
            f"{where}: the server cut the results at {answer.headers['X-SPARQL-MaxRows']} rows; "
            "raise ResultSetMaxRows on the server"
        )


def shipped_graphs() -> list[str]:
    """The graph IRIs ``push --with-imports`` writes the shipped import modules into."""
    from hemokg.resources import imports_dir

    return [GRAPH_IMPORTS + p.name.removesuffix(".ttl") for p in sorted(imports_dir().glob("*.ttl"))]


def connect(
    query_url: str,
    *,
    update_url: str | None = None,
    store_url: str | None = None,
    graph: str | Sequence[str] | None = None,
    auth: tuple[str, str] | None = None,
    timeout: float = 30.0,
) -> KnowledgeGraph:
    """The knowledge graph on a SPARQL 1.1 endpoint: stored queries, ``sparql``, lookup and lineage as with ``load``.

    Queries see ``graph`` (an IRI or several) as their default graph; by default the graph ``hemokg push`` writes,
    ``https://w3id.org/hemokg/hemo.owl``, plus the import-module graphs ``push --with-imports`` writes (empty where
    not pushed); ``graph=""`` sends none and uses the server's own default graph. ``auth`` is (user, password),
    used for Basic or Digest authentication and never shown.
    """
    if graph == "":  # the server's own default graph (a store holding only hemo, e.g. a QLever index)
        graphs: list[str] = []
    elif graph is None:
        graphs = [DEFAULT_GRAPH, *shipped_graphs()]
    else:
        graphs = [graph] if isinstance(graph, str) else list(graph)
    backend = RemoteBackend(
        query_url, update_url=update_url, store_url=store_url, graphs=graphs, auth=auth, timeout=timeout
    )
    more = f" + {len(graphs) - 1} more" if len(graphs) > 1 else ""
    where = f"graph {graphs[0]}{more}" if graphs else "default graph"
    return KnowledgeGraph(backend, description=f"{backend.name}, {where}")
