"""The remote backend: the same knowledge-graph interface over a SPARQL 1.1 endpoint (Oxigraph, Virtuoso, Fuseki, …).

HTTP itself (timeouts, User-Agent, retries for transient failures, credentials) is :mod:`hemokg.backends.http`;
this module sends queries and updates through it, with one-line :class:`EndpointError` messages
that name the endpoint and never the credentials, and turning SPARQL JSON / N-Triples / Turtle answers into the same
:class:`~hemokg.sparql.results.Results` the embedded store gives. Server differences are absorbed here: the graphs hemo
lives in are sent as ``default-graph-uri`` (so a server's own triples never leak in), Virtuoso's ``typed-literal``
and ``nodeID://`` blank nodes are normalised, and where Virtuoso refuses a property path whose start is bound by a
VALUES block ("transitive start not given"), the parameters are bound with ``BIND`` instead. Virtuoso (told by its
``Server`` header) gets every query with its join order fixed as written (:data:`VIRTUOSO_FIXED_ORDER`): the order its
optimiser picks depends on index statistics of the whole store, and some of those plans silently drop or add rows.
Plain ``urllib`` (no import cost, full control of retries and streaming) rather than SPARQLWrapper.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence

from hemokg.backends.http import HttpClient, Response, check_url, redact, split_userinfo
from hemokg.errors import EndpointError, SPARQLSyntaxError
from hemokg.sparql.guard import check_iri, check_query
from hemokg.sparql.queries import bind_values, require_read_only, terms_text
from hemokg.sparql.results import RDFTerm, Results
from hemokg.vocab import GRAPH_IMPORTS, ONTOLOGY_IRI

__all__ = ["DEFAULT_GRAPH", "VIRTUOSO_FIXED_ORDER", "RemoteBackend", "shipped_graphs"]

log = logging.getLogger(__name__)

#: The named graph ``hemokg push`` writes hemo into (OWL + relation graph), and queries read by default.
DEFAULT_GRAPH = ONTOLOGY_IRI
_JSON = "application/sparql-results+json"
_RDF_ACCEPT = "application/n-triples, text/plain;q=0.9, text/turtle;q=0.8"
#: The pragma put before every query sent to Virtuoso: its optimiser keeps the join order as written (stored queries
#: start from their bound parameter). Virtuoso 7.2 chooses a join order from index samples of the whole store, so
#: other graphs on the same server (a second copy of hemo, the imports) change the plan, and several plans of the
#: transitive-path + OPTIONAL/!BOUND queries answer wrongly with no warning: with one more copy of hemo in another
#: graph, 9 of the 150 conformance cases (lowering-causes-of, cells-with-function, what-disrupts, CQ26-29, CQ71,
#: CQ81) lost or gained rows on every run; with the fixed order, 0 wrong in 2 x 150 cases and in 500 rounds of the
#: nine under CPU load, with and without the extra graph.
#: No ini setting helped (MaxQueryMem, ThreadsPerQuery 1, AsyncQueueMaxThreads 1, the cost-estimate limit).
VIRTUOSO_FIXED_ORDER = 'DEFINE sql:select-option "order"\n'


def _blank(value: str) -> RDFTerm:
    from pyoxigraph import BlankNode

    return BlankNode(re.sub(r"[^A-Za-z0-9]", "_", value) or "b")


def _term(cell: Mapping[str, str]) -> RDFTerm:
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


def bind_with_bind(query: str, bindings: Mapping[str, RDFTerm]) -> str:
    """Like :func:`~hemokg.sparql.queries.bind_values`, at the same place, but as ``BIND(term AS ?var)`` lines — for
    engines (Virtuoso) that do not count a VALUES-bound variable as the start of a property path."""
    return bind_values(query, bindings, style="bind")


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
        max_body: int | None = None,
    ) -> None:
        check_url(query_url, "endpoint")
        for url, what in ((update_url, "update endpoint"), (store_url, "store endpoint")):
            if url:
                check_url(url, what)
        self.query_url, auth = split_userinfo(query_url, auth)
        self.update_url: str | None
        self.store_url: str | None
        self.update_url, auth = split_userinfo(update_url, auth) if update_url else (None, auth)
        self.store_url, auth = split_userinfo(store_url, auth) if store_url else (None, auth)
        self.graphs = tuple(check_iri(g, what="graph") for g in graphs)  # sent as default-graph-uri
        self.http = HttpClient(timeout=timeout, auth=auth, retries=retries)
        if max_body is not None:  # the cap on one answer's size in bytes (default hemokg.backends.http.MAX_BODY)
            self.http.max_body = max_body
        self.name = f"remote {redact(self.query_url)}"
        self._needs_bind: set[str] = set()  # queries the server answers only with BIND-bound parameters
        self.virtuoso: bool | None = None  # is the server Virtuoso (VIRTUOSO_FIXED_ORDER)? its first answer says

    def __repr__(self) -> str:
        return f"<RemoteBackend {redact(self.query_url)} graphs={list(self.graphs)}>"

    def execute(self, query: str, bindings: Mapping[str, RDFTerm] | None = None) -> Results:
        """Run a read-only query on the endpoint; updates raise :class:`UpdateRefusedError`.

        Stored-query parameters are written as their terms where they occur (``terms_text``); where that would not
        mean the same, or the server refuses the text, they are bound by a VALUES block (or BIND lines, for a server
        that needs a bound property-path start)."""
        # a form it cannot tell (unknown): the server's HTTP 400 says what is wrong with it
        form = require_read_only(query, hint="; use `hemokg push` to write to a server")
        bindings = bindings or {}
        text = terms_text(query, bindings)
        if text is not None:
            try:
                return self._send(text, {}, form, "values")
            except SPARQLSyntaxError:  # a term where the server's grammar wants a variable: bind it instead
                pass
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

    def _send(self, query: str, bindings: Mapping[str, RDFTerm], form: str, style: str) -> Results:
        check_query(query, allow_service=True)  # federation is the server's policy; size and depth are ours
        text = (bind_values if style == "values" else bind_with_bind)(query, bindings)
        fixed = self.virtuoso is True
        if fixed:
            text = VIRTUOSO_FIXED_ORDER + text
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
        if self.virtuoso is None:
            self.virtuoso = (answer.headers.get("Server") or "").startswith("Virtuoso/")
        if self.virtuoso and not fixed:  # the first answer of a Virtuoso came from a plan of its choosing: ask again
            return self._send(query, bindings, form, style)
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
        except RecursionError:
            raise EndpointError(
                f"{where}: the answer ({kind or 'no content type'}) is nested too deeply to read"
            ) from None
        except (ValueError, KeyError, TypeError, AttributeError, IndexError, SyntaxError) as exc:
            detail = self.http.scrub(str(exc)[:200])
            raise EndpointError(
                f"{where}: the answer ({kind or 'no content type'}) is not valid SPARQL results: {detail}"
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
