"""Uploading the reasoned graph to a SPARQL 1.1 server, so that ``hemokg.connect()`` there answers as ``load()``.

Two ways, both all-or-nothing where the server allows: the Graph Store HTTP Protocol (one ``PUT`` per graph, which
Oxigraph applies in one transaction), or SPARQL Update (``INSERT`` batches into a temporary graph, then one
``MOVE`` onto the target) for servers without a writable Graph Store endpoint (Virtuoso's needs Digest login).
Blank nodes (OWL restrictions) never straddle two batches, since Virtuoso rejects blank nodes in ``INSERT DATA``
and each ``INSERT … WHERE {}`` mints its own. Re-running a push replaces the graph: it is idempotent.
"""

from __future__ import annotations

import hashlib
import logging
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hemokg.backends.http import HttpClient, redact
from hemokg.backends.remote import DEFAULT_GRAPH, RemoteBackend
from hemokg.errors import EndpointError, PushError
from hemokg.sparql.guard import check_iri, iri_ref
from hemokg.vocab import GRAPH_IMPORTS, HEMO_BASE

if TYPE_CHECKING:
    from pyoxigraph import Triple

__all__ = ["METHODS", "PushError", "PushReport", "batches", "plan", "push"]

log = logging.getLogger(__name__)

METHODS = ("auto", "gsp", "update")
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class PushReport:
    """What a push did: triples per graph, the method, and how long it took."""

    graphs: dict[str, int]
    method: str
    seconds: float

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())

    @property
    def rate(self) -> float:
        return self.triples / self.seconds if self.seconds > 0 else float("inf")


def plan(nquads: bytes, graph: str = DEFAULT_GRAPH) -> dict[str, list[Triple]]:
    """Target graph -> its triples: the default and relation graphs go to ``graph``, each import module to its own
    ``…/graph/imports/<name>`` graph; a triple in two source graphs is sent once."""
    from pyoxigraph import RdfFormat, parse

    out: dict[str, dict[str, Triple]] = {graph: {}}
    for quad in parse(nquads, format=RdfFormat.N_QUADS):
        name = getattr(quad.graph_name, "value", "")
        target = name if name.startswith(GRAPH_IMPORTS) else graph
        out.setdefault(target, {})[str(quad.triple)] = quad.triple
    return {g: list(triples.values()) for g, triples in out.items()}


def batches(triples: Sequence[Triple], size: int) -> list[list[Triple]]:
    """Split triples into batches of about ``size``, keeping every blank node's triples in one batch."""
    from pyoxigraph import BlankNode

    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    keys: list[str | None] = []
    for t in triples:
        nodes = [n.value for n in (t.subject, t.object) if isinstance(n, BlankNode)]
        for other in nodes[1:]:
            parent[find(other)] = find(nodes[0])
        keys.append(nodes[0] if nodes else None)
    groups: dict[str, list[Triple]] = {}
    out: list[list[Triple]] = []
    for t, key in zip(triples, keys, strict=True):
        if key is None:
            out.append([t])
        else:
            groups.setdefault(find(key), []).append(t)
    units = out + list(groups.values())
    result: list[list[Triple]] = []
    current: list[Triple] = []
    for unit in units:
        if current and len(current) + len(unit) > size:
            result.append(current)
            current = []
        current.extend(unit)
    if current:
        result.append(current)
    return result


def _ntriples(triples: Sequence[Triple]) -> bytes:
    return "".join(f"{t} .\n" for t in triples).encode("utf-8")


def push(
    endpoint: str,
    *,
    update_url: str | None = None,
    store_url: str | None = None,
    graph: str = DEFAULT_GRAPH,
    imports: bool = False,
    reasoned: bool = True,
    nquads: bytes | None = None,
    auth: tuple[str, str] | None = None,
    timeout: float = 120.0,
    batch_size: int = 500,
    method: str = "auto",
    progress: Progress | None = None,
) -> PushReport:
    """Replace ``graph`` on the server with the reasoned hemo graph (and, with ``imports``, each import module's
    graph); ``nquads`` overrides what is pushed. Checks the triple count afterwards; raises :class:`PushError`."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    check_iri(graph, what="the target graph (--graph)")  # it is written into MOVE/DROP/COUNT text: refuse first
    # checks every URL and takes user:password@ out of each of them (the credentials go to the HTTP client only)
    reader = RemoteBackend(endpoint, update_url=update_url, store_url=store_url, graphs=(), auth=auth, timeout=timeout)
    chosen = ("gsp" if store_url else "update") if method == "auto" else method
    if chosen == "gsp" and not store_url:
        raise PushError(f"{redact(endpoint)}: a Graph Store push needs --store-endpoint URL")
    if nquads is None:
        from hemokg.graph.store import load_nquads

        nquads = load_nquads(reasoned=reasoned, imports=imports)
    targets = plan(nquads, graph)
    for name in targets:
        check_iri(name, what="graph")
    http = reader.http
    total = sum(len(t) for t in targets.values())
    done = [0]

    def tick(n: int) -> None:
        done[0] += n
        if progress is not None:
            progress(done[0], total)

    started = time.perf_counter()
    for target, triples in targets.items():
        if chosen == "gsp":
            _put(http, reader.store_url or "", target, triples, tick)
        else:
            _update(http, reader.update_url or reader.query_url, target, triples, batch_size, tick)
        _verify(reader, target, len(triples))
    seconds = time.perf_counter() - started
    report = PushReport({g: len(t) for g, t in targets.items()}, chosen, seconds)
    log.info(
        "pushed %d triples to %s in %.2f s (%.0f triples/s)", report.triples, redact(endpoint), seconds, report.rate
    )
    return report


def _put(http: HttpClient, store_url: str, graph: str, triples: Sequence[Triple], tick: Callable[[int], None]) -> None:
    """One Graph Store PUT; the body is streamed in chunks so the progress bar moves during a large upload."""
    sep = "&" if "?" in store_url else "?"
    url = f"{store_url}{sep}{urllib.parse.urlencode({'graph': graph})}"
    chunks = [_ntriples(triples[i : i + 2000]) for i in range(0, len(triples), 2000)]
    sizes = [min(2000, len(triples) - i) for i in range(0, len(triples), 2000)]
    sent = [0]

    def body() -> Iterator[bytes]:
        for chunk, n in zip(chunks, sizes, strict=True):
            yield chunk
            sent[0] += n
            tick(n)

    def rewind() -> Iterator[bytes]:  # a retry resends everything: undo what the progress bar counted
        tick(-sent[0])
        sent[0] = 0
        return body()

    # with credentials, urllib may have to resend after a 401 challenge: a plain bytes body can be resent
    data = b"".join(chunks) if http.auth is not None else rewind
    try:
        http.request(
            "PUT",
            url,
            what=f"Graph Store PUT of <{graph}>",
            data=data,
            length=sum(map(len, chunks)),
            headers={"Content-Type": "application/n-triples"},
        )
    except EndpointError as exc:
        raise PushError(
            f"{exc} — the push of <{graph}> stopped after sending {sent[0]} of {len(triples)} triples; "
            "a Graph Store PUT replaces a graph in one transaction on servers that make it atomic "
            "(Oxigraph), so there the previous graph is intact — check it on other servers; re-run "
            "`hemokg push` to complete"
        ) from None
    if http.auth is not None:
        tick(len(triples))


def _update(
    http: HttpClient, update_url: str, graph: str, triples: Sequence[Triple], size: int, tick: Callable[[int], None]
) -> None:
    """INSERT batches into a temporary graph, then one MOVE onto ``graph`` (the target is never half-loaded)."""
    from pyoxigraph import BlankNode

    tmp = f"{HEMO_BASE}graph/push-tmp/{hashlib.sha256(graph.encode()).hexdigest()[:16]}"
    target, scratch = iri_ref(graph, what="the target graph"), iri_ref(tmp)

    def run(update: str, what: str) -> None:
        http.request(
            "POST",
            update_url,
            what=what,
            data=urllib.parse.urlencode({"update": update}).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )

    loaded = 0
    try:
        run(f"DROP SILENT GRAPH {scratch}", "update (clearing the temporary graph)")
        for batch in batches(triples, size):
            body = "\n".join(f"{t} ." for t in batch)
            if any(isinstance(n, BlankNode) for t in batch for n in (t.subject, t.object)):
                # blank nodes: a template (fresh nodes per update; Virtuoso refuses them in INSERT DATA)
                run(f"INSERT {{ GRAPH {scratch} {{\n{body}\n}} }} WHERE {{}}", "update (INSERT batch)")
            else:
                run(f"INSERT DATA {{ GRAPH {scratch} {{\n{body}\n}} }}", "update (INSERT DATA batch)")
            loaded += len(batch)
            tick(len(batch))
    except EndpointError as exc:
        hint = " (lower --batch-size if the server refuses large updates)" if "HTTP 4" in str(exc) else ""
        raise PushError(
            f"{exc}{hint} — the push of <{graph}> stopped after {loaded} of {len(triples)} triples; "
            f"they went to the temporary graph <{tmp}>, so the previous <{graph}> is intact; re-run "
            "`hemokg push` to complete"
        ) from None
    try:
        run(
            f"MOVE SILENT {scratch} TO {target}" if triples else f"DROP SILENT GRAPH {target}",
            "update (MOVE onto the target graph)",
        )
    except EndpointError as exc:
        raise PushError(
            f"{exc} — all {len(triples)} triples were uploaded to <{tmp}> but the final MOVE onto "
            f"<{graph}> failed; a server that applies an update atomically (Oxigraph, Virtuoso) keeps "
            "the previous graph; re-run `hemokg push` to complete"
        ) from None


def _verify(reader: RemoteBackend, graph: str, expected: int) -> None:
    """Count the graph's triples on the server: a push never reports success on a graph it did not fully write."""
    rows = reader.execute(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {iri_ref(graph, what='the target graph')} {{ ?s ?p ?o }} }}"
    ).rows
    found = int(rows[0][0].value) if rows and rows[0][0] is not None else 0
    if found != expected:
        raise PushError(
            f"{redact(reader.query_url)}: after the push <{graph}> holds {found} triples, not the "
            f"{expected} sent; re-run `hemokg push`"
        )
