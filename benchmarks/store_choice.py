"""Section 2 (and issue 3's store choice): every stored query, warm, on each engine that could hold the graph.

Same graph, same query text (each stored query with its header defaults bound as every hemokg backend binds them:
written as terms where they occur, ``hemokg.sparql.queries.substitute_terms``, else by a VALUES block,
``bind_values``), same answers checked (row counts against pyoxigraph's): pyoxigraph's ``Store``
(the embedded default), rdflib's memory ``Graph`` and ``Dataset``, rdflib with ``initBindings``, oxrdflib (rdflib's
API over Oxigraph) and owlready2's own SPARQL engine; ``kg.query`` is the user-facing call on the default store
(parameter resolution and result rows included). The graphs: hemo's reasoned graph, then any synthetic sizes asked
for (``Sizes.store_scales``: ``benchmarks.synthetic`` with its relation-graph closure, each IRI parameter bound to a
term of that graph of the kind the parameter names).

Each engine holds the graph in its own child process (``python -m benchmarks.store_choice --worker``) under a memory
limit, its resident memory (watched by the parent every 50 ms while the child is busy, and read from the child's peak
after every reply), with an address-space cap ``AS_HEADROOM_MIB`` above it (``RLIMIT_AS``, set by the child before it
imports anything) so that nothing can outrun the watch; the child answers the parent's commands on a pipe: load, count a
query's rows, run it once and say how long it took. The parent drives every engine in lockstep, so engines still take
turns query by query and round by round (a slower moment of the machine weighs on all alike) and every engine gets the
same queries, bindings and repeats. A step (the load, or one run of one query) over the time limit, or a child over the
memory limit, is killed with its process group: that engine's row for the query says so (``over 120 s``, ``over 2 GiB``,
or the error's type), a fresh child takes the next query, and the run goes on. An engine that spends more than
``Sizes.store_engine_budget`` seconds on one graph is not asked the rest of that graph's queries.

Run alone: ``python benchmarks/store_choice.py [--quick]``.
"""

from __future__ import annotations

import json
import logging
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import REPO, Sizes, stats, status_mib

__all__ = ["ENGINES", "Limit", "bound_queries", "run", "worker"]

#: Every engine, in the order they take turns (and the table's columns).
ENGINES = (
    "kg.query",
    "pyoxigraph Store",
    "rdflib Dataset",
    "rdflib Graph",
    "rdflib Graph, initBindings",
    "oxrdflib",
    "owlready2 SPARQL",
)
_PLACEHOLDER = "https://w3id.org/hemokg/HEMO_9999999"
#: What a failed allocation prints: Python's MemoryError, Rust's abort message, the C library's errno text.
_MEMORY_SIGNS = ("MemoryError", "memory allocation of", "Cannot allocate memory", "out of memory", "failed to map")
#: Address space a child may reserve beyond its RSS limit: threads' stacks and malloc arenas are reserved, not used
#: (pyoxigraph's threaded bulk load reserves ~200 MiB more than it touches on hemo).
AS_HEADROOM_MIB = 512

if TYPE_CHECKING:
    from hemokg.kg import KnowledgeGraph

Runner = Callable[[str], int]


def _mib(mib: float) -> str:
    return f"{mib / 1024:g} GiB" if mib >= 1024 and mib % 256 == 0 else f"{mib:g} MiB"


class Limit(Exception):
    """A child stopped by a limit (``over 120 s``, ``over 2 GiB``) or by dying (how); the engine's row says so."""


# --- what the parent prepares: query texts and bindings, the graphs ------------------------------------------------


def bound_queries(kg: KnowledgeGraph, terms: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """Each stored query's text with its defaults bound as the backends bind them (written as terms, else by a VALUES
    block), the stored text, the bindings, the values.

    ``iri`` defaults are resolved once, untimed, as ``kg.query`` resolves them; ``terms`` (parameter name -> IRI)
    replaces the defaults of a graph that does not know them (a synthetic graph); a default the graph does not know
    and ``terms`` does not give binds a placeholder IRI, so the query still runs and answers nothing. The values are
    JSON (``["iri" | "literal", text]``), for the engines' child processes.
    """
    from pyoxigraph import Literal, NamedNode

    from hemokg.errors import TermNotFoundError
    from hemokg.sparql.queries import bind_values, catalog, substitute_terms

    out: dict[str, dict[str, Any]] = {}
    cat = catalog()
    for name in cat:
        stored = cat[name]
        bindings: dict[str, NamedNode | Literal] = {}
        given: dict[str, str] = {}
        for p in stored.params:
            if p.example is None:
                continue
            if p.type != "iri":
                bindings[p.variable] = Literal(p.example)
                given[p.name] = p.example
                continue
            try:
                iri = kg.resolve(p.example)
                given[p.name] = p.example
            except TermNotFoundError:
                iri = (terms or {}).get(p.name, _PLACEHOLDER)
                given[p.name] = iri
            bindings[p.variable] = NamedNode(iri)
        out[name] = {
            "text": substitute_terms(stored.text, bindings) or bind_values(stored.text, bindings),
            "raw": stored.text,
            "bindings": {k: ["iri" if isinstance(v, NamedNode) else "literal", v.value] for k, v in bindings.items()},
            "given": given,
        }
    return out


def _synthetic(scale: float) -> tuple[bytes, dict[str, str]]:
    """A synthetic graph as N-Quads (with its relation-graph closure, as hemo's reasoned graph has), and a term of
    each kind for the parameters: the deepest cell for ``cell`` and a precursor of it, the cell with the most
    subclasses for ``term``, a process, a site, a stage."""
    from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store

    from benchmarks.scale import _target
    from benchmarks.synthetic import synthetic_ontology
    from hemokg.graph.relation_graph import relation_graph
    from hemokg.vocab import GRAPH_RELATION

    store = Store()
    store.bulk_load(synthetic_ontology(scale), format=RdfFormat.N_TRIPLES)
    graph = NamedNode(GRAPH_RELATION)
    store.extend(Quad(NamedNode(s), NamedNode(p), NamedNode(o), graph) for s, p, o in relation_graph(store))
    cell, _ = _target(store, scale)
    terms = {"cell": cell}
    precursors = store.quads_for_pattern(NamedNode(cell), NamedNode("http://purl.obolibrary.org/obo/RO_0002202"), None)
    terms["precursor"] = next((q.object.value for q in precursors if isinstance(q.object, NamedNode)), cell)
    labels = [
        (q.subject.value, q.object.value)
        for q in store.quads_for_pattern(None, NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), None)
        if isinstance(q.subject, NamedNode) and isinstance(q.object, Literal)
    ]
    kinds = (
        ("poiesis", ("process", "condition", "agent", "function")),
        (" marrow", ("site",)),
        (" stage ", ("stage",)),
    )
    for suffix, names in kinds:  # the labels benchmarks.synthetic gives each kind
        terms.update(dict.fromkeys(names, next((iri for iri, text in labels if suffix in text), cell)))
    sub = NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
    cells = sorted(iri for iri, text in labels if "cyte " in text)
    terms["term"] = max(cells, key=lambda iri: sum(1 for _ in store.quads_for_pattern(None, sub, NamedNode(iri))))
    data = store.dump(format=RdfFormat.N_QUADS) or b""
    return data, terms


def _triples(nquads: bytes) -> bytes:
    """The graph's quads as N-Triples (the union of its graphs), for the engines that hold one graph."""
    from pyoxigraph import Dataset, RdfFormat, parse, serialize

    quads = Dataset(parse(nquads, format=RdfFormat.N_QUADS))
    return serialize((q.triple for q in quads), format=RdfFormat.N_TRIPLES) or b""


# --- the child: one engine holding the graph, answering commands ----------------------------------------------------


def _engine(name: str, nquads: bytes, queries: dict[str, dict[str, Any]], folder: Path) -> Runner:
    """The engine loaded with the graph: a function of a query's name returning its row count (1/0 for an ASK)."""
    if name in ("kg.query", "pyoxigraph Store"):
        from pyoxigraph import QueryBoolean, RdfFormat, Store

        if name == "kg.query":
            from hemokg.backends.embedded import EmbeddedBackend
            from hemokg.kg import KnowledgeGraph
            from hemokg.sparql.queries import catalog

            kg = KnowledgeGraph(EmbeddedBackend.from_nquads(nquads))
            cat = catalog()

            def user(q: str) -> int:
                answer = kg.query(cat[q], **queries[q]["given"])
                return int(bool(answer)) if answer.kind == "ask" else len(answer)

            return user
        store = Store()
        store.bulk_load(nquads, format=RdfFormat.N_QUADS)

        def count(q: str) -> int:
            answer = store.query(queries[q]["text"], use_default_graph_as_union=True)
            return int(bool(answer)) if isinstance(answer, QueryBoolean) else len(list(answer))

        return count
    if name == "owlready2 SPARQL":
        import owlready2

        path = folder / f"graph-{os.getpid()}.nt"
        path.write_bytes(_triples(nquads))
        world = owlready2.World()
        world.get_ontology(path.as_uri()).load(only_local=True)
        return lambda q: len(list(world.sparql(queries[q]["text"])))
    import rdflib

    if name == "rdflib Dataset":
        ds = rdflib.Dataset(default_union=True)
        with warnings.catch_warnings():  # rdflib 7.6's own N-Quads parser warns on every quad
            warnings.simplefilter("ignore", DeprecationWarning)
            ds.parse(data=nquads, format="nquads")

        def dataset(q: str) -> int:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                return _rdflib_count(ds.query(queries[q]["text"]))

        return dataset
    graph = rdflib.Graph(store="Oxigraph") if name == "oxrdflib" else rdflib.Graph()
    graph.parse(data=_triples(nquads), format="nt")
    if name != "rdflib Graph, initBindings":
        return lambda q: _rdflib_count(graph.query(queries[q]["text"]))

    def init_bindings(q: str) -> int:
        terms = {
            k: rdflib.URIRef(v) if kind == "iri" else rdflib.Literal(v)
            for k, (kind, v) in queries[q]["bindings"].items()
        }
        return _rdflib_count(graph.query(queries[q]["raw"], initBindings=terms))

    return init_bindings


def _rdflib_count(result: object) -> int:
    """Rows of an rdflib result; 1 or 0 for an ASK (as pyoxigraph's count is taken)."""
    if getattr(result, "type", None) == "ASK":
        return int(bool(result.askAnswer))  # type: ignore[attr-defined]
    return len(list(result))  # type: ignore[call-overload]


def worker(engine: str, spec: Path, memory_mib: float) -> int:
    """The child: cap the address space (the backstop), load the graph into ``engine``, answer one line per command.

    Commands (stdin): ``{"op": "count", "query": NAME}`` (rows), ``{"op": "time", "query": NAME}`` (one run's
    seconds). Replies (stdout, which nothing else may write to: stray prints go to stderr) carry the peak RSS;
    a query the engine cannot run replies its error; a ``MemoryError`` replies ``{"memory": true}`` and ends the child.
    """
    import resource

    if memory_mib > 0:
        limit = int((memory_mib + AS_HEADROOM_MIB) * 1024 * 1024)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)

    def reply(**fields: object) -> None:
        out.write(json.dumps({**fields, "peak_mib": status_mib()}) + "\n")

    try:
        plan = json.loads(spec.read_text(encoding="utf-8"))
        nquads = Path(plan["data"]).read_bytes()
        start = time.perf_counter()
        runner = _engine(engine, nquads, plan["queries"], spec.parent)
        reply(load_s=time.perf_counter() - start)
    except MemoryError:
        reply(memory=True)
        return 3
    except Exception as exc:  # an engine that cannot load the graph is reported, not fatal
        if memory_mib > 0 and any(sign in str(exc) for sign in _MEMORY_SIGNS):  # an mmap refused by RLIMIT_AS
            reply(memory=True)
            return 3
        reply(error=_error(exc))
        return 0
    del nquads
    for line in sys.stdin:
        request = json.loads(line)
        try:
            if request["op"] == "count":
                reply(rows=runner(request["query"]))
            else:
                start = time.perf_counter()
                runner(request["query"])
                reply(seconds=time.perf_counter() - start)
        except MemoryError:
            reply(memory=True)
            return 3
        except Exception as exc:  # an engine that cannot run a query is reported, not fatal
            if memory_mib > 0 and any(sign in str(exc) for sign in _MEMORY_SIGNS):
                reply(memory=True)
                return 3
            reply(error=_error(exc))
    return 0


def _error(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"[:160]


# --- the parent: children under limits, driven in lockstep ---------------------------------------------------------


@dataclass
class _Child:
    """One engine's child process, its pipes, and how to ask it something under the limits."""

    engine: str
    spec: Path
    time_limit: float
    memory_mib: float
    proc: subprocess.Popen[bytes] | None = None
    err: IO[bytes] | None = None
    buffer: bytes = b""
    peak_mib: float = 0.0

    def start(self) -> dict[str, Any]:
        """Start the child and wait for its load; the reply (``load_s`` or ``error``). Raises :class:`Limit`."""
        self.err = tempfile.TemporaryFile()
        argv = [sys.executable, "-m", "benchmarks.store_choice", "--worker", self.engine, str(self.spec)]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
        self.proc = subprocess.Popen(
            [*argv, "--memory-mib", str(self.memory_mib)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.err,
            cwd=REPO,
            env=env,
            start_new_session=True,
        )
        self.buffer = b""
        return self._reply(self.time_limit, f"over {self.time_limit:g} s")

    def ask(self, op: str, query: str, timeout: float, late: str) -> dict[str, Any]:
        """Send one command, wait ``timeout`` seconds at most for its reply (else :class:`Limit` ``late``, with the
        child's peak RSS), under the memory limit. Raises :class:`Limit`."""
        assert self.proc is not None and self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps({"op": op, "query": query}).encode() + b"\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise self._died() from None
        return self._reply(timeout, late)

    def _reply(self, timeout: float, late: str) -> dict[str, Any]:
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                peak = status_mib("VmHWM", self.proc.pid)
                self.peak_mib = max(self.peak_mib, peak)
                self.stop()
                raise Limit(late + (f" (at {peak:,.0f} MiB)" if peak else ""))
            ready, _, _ = select.select([fd], [], [], min(0.05, left))
            if not ready:  # busy: watch its resident memory (the limit; RLIMIT_AS is only the backstop)
                if self.memory_mib > 0 and status_mib("VmRSS", self.proc.pid) > self.memory_mib:
                    self.stop()
                    raise Limit(f"over {_mib(self.memory_mib)}")
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise self._died()
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        answer: dict[str, Any] = json.loads(line)
        self.peak_mib = max(self.peak_mib, answer.get("peak_mib") or 0.0)
        if answer.get("memory") or 0 < self.memory_mib < (answer.get("peak_mib") or 0.0):
            self.stop()
            raise Limit(f"over {_mib(self.memory_mib)}")
        return answer

    def _died(self) -> Limit:
        """The child ended without answering: over the memory limit if what it printed says so, else how it ended."""
        assert self.proc is not None and self.err is not None
        code = self.proc.wait()
        self.err.seek(0)
        text = self.err.read().decode(errors="replace")
        self.stop()
        if self.memory_mib > 0 and any(sign in text for sign in _MEMORY_SIGNS):
            return Limit(f"over {_mib(self.memory_mib)}")
        how = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit {code}"
        last = (text.strip().splitlines() or [""])[-1][:120]
        return Limit(f"died ({how})" + (f": {last}" if last else ""))

    def stop(self) -> None:
        """End the child and its process group (idempotent)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                try:
                    pipe.close()
                except BrokenPipeError:
                    pass
        if self.err is not None:
            self.err.close()
        self.proc, self.err = None, None

    @property
    def alive(self) -> bool:
        return self.proc is not None


def _run_graph(
    name: str, nquads: bytes, texts: dict[str, dict[str, Any]], sizes: Sizes, folder: Path, engines: tuple[str, ...]
) -> dict[str, Any]:
    """Every engine on one graph, in lockstep: the per-graph result (queries, loads, limits, peaks)."""
    data = folder / f"{name}.nq"
    data.write_bytes(nquads)
    spec = folder / f"{name}.json"
    spec.write_text(json.dumps({"data": str(data), "queries": texts}), encoding="utf-8")
    children = {e: _Child(e, spec, sizes.store_time_limit, sizes.store_memory_mib) for e in engines}
    load: dict[str, float] = {}
    errors: dict[str, str] = {}
    spent = dict.fromkeys(engines, 0.0)
    dropped: dict[str, dict[str, str]] = {}  # engines out for the rest of this graph: their rows' entry

    def start(engine: str) -> bool:
        began = time.monotonic()
        try:
            answer = children[engine].start()
        except Limit as exc:
            errors[engine] = str(exc)
            dropped[engine] = {"limit": f"load {exc}"}
            return False
        finally:
            spent[engine] += time.monotonic() - began
        if "error" in answer:
            errors[engine] = answer["error"]
            dropped[engine] = {"error": f"load: {answer['error']}"}
            children[engine].stop()
            return False
        load.setdefault(engine, answer["load_s"])
        return True

    over_budget = f"not run: over {sizes.store_engine_budget:g} s on this graph"

    def ask(engine: str, op: str, query: str) -> dict[str, Any]:
        """One command under the step limit, cut short where the engine's budget for the graph ends."""
        left = sizes.store_engine_budget - spent[engine]
        if left <= 0:
            children[engine].stop()
            raise Limit(over_budget)
        step = sizes.store_time_limit
        late = f"over {step:g} s" if step <= left else f"over {sizes.store_engine_budget:g} s on this graph"
        began = time.monotonic()
        try:
            return children[engine].ask(op, query, min(step, left), late)
        finally:
            spent[engine] += time.monotonic() - began

    try:
        for engine in engines:
            start(engine)
        results: dict[str, dict[str, Any]] = {}
        for number, query in enumerate(texts, 1):
            logging.info("store choice, %s: %s (%d of %d)", name, query, number, len(texts))
            entries: dict[str, Any] = {}
            counts: dict[str, int] = {}
            for engine in engines:
                if spent[engine] >= sizes.store_engine_budget and engine not in dropped:
                    dropped[engine] = {"limit": over_budget}
                    children[engine].stop()
                if engine in dropped:
                    entries[engine] = dropped[engine]
                    continue
                if not children[engine].alive and not start(engine):  # a fresh child after a limit
                    entries[engine] = dropped[engine]
                    continue
                try:
                    answer = ask(engine, "count", query)
                except Limit as exc:
                    entries[engine] = {"limit": str(exc)}
                    continue
                if "error" in answer:
                    entries[engine] = {"error": answer["error"]}
                else:
                    counts[engine] = answer["rows"]
            seconds = _rounds(list(counts), query, ask, entries, sizes)
            expected = counts.get("pyoxigraph Store")
            for engine in engines:  # the table's column order
                if engine in seconds and engine not in entries:
                    entry: dict[str, Any] = {**stats(seconds[engine]), "rows": counts[engine]}
                    entry["agrees"] = expected is None or counts[engine] == expected
                    entries[engine] = entry
            results[query] = {e: entries[e] for e in engines if e in entries}
            for engine, entry in results[query].items():
                if "limit" in entry and not entry["limit"].startswith(("load", "not run")):
                    logging.info("store choice, %s: %s on %s: %s", name, engine, query, entry["limit"])
    finally:
        for child in children.values():
            child.stop()
        data.unlink(missing_ok=True)
    return {
        "graph": name,
        "queries": results,
        "load_s": load,
        "load_errors": errors,
        "peak_mib": {e: c.peak_mib for e, c in children.items() if c.peak_mib},
        "engine_s": spent,
        "triples": nquads.count(b"\n"),
    }


def _rounds(
    cases: list[str],
    query: str,
    ask: Callable[[str, str, str], dict[str, Any]],
    entries: dict[str, Any],
    sizes: Sizes,
) -> dict[str, list[float]]:
    """``timed_round_robin`` across children: one warm-up each, then rounds of one run per engine until
    ``query_repeats`` rounds or ``query_budget`` seconds (never under 3 rounds). An engine stopped by a limit leaves
    the rounds with its entry saying so; one whose run fails gets that error."""
    out: dict[str, list[float]] = {e: [] for e in cases}
    live = list(cases)

    def once(engine: str) -> float | None:
        try:
            answer = ask(engine, "time", query)
        except Limit as exc:
            entries[engine] = {"limit": str(exc)}
        else:
            if "error" not in answer:
                return float(answer["seconds"])
            entries[engine] = {"error": answer["error"]}
        live.remove(engine)
        return None

    for engine in list(live):
        once(engine)
    spent, rounds = 0.0, 0
    while live and rounds < sizes.query_repeats and (spent < sizes.query_budget or rounds < 3):
        for engine in list(live):
            took = once(engine)
            if took is not None:
                out[engine].append(took)
                spent += took
        rounds += 1
    return {e: v for e, v in out.items() if e in live}


def run(
    sizes: Sizes,
    nquads: bytes | None = None,
    queries: list[str] | None = None,
    *,
    engines: tuple[str, ...] = ENGINES,
) -> dict[str, Any]:
    """Median and p95 per stored query and engine on each graph, and whether each engine's answers agree with
    pyoxigraph's; the limits the engines ran under.

    ``nquads``: the graph to use instead of hemo's reasoned graph (the smoke test passes a tiny synthetic one);
    ``queries``: the stored queries to run (default: all); ``engines``: a subset of :data:`ENGINES`. The first graph's
    figures are also at the top level (``queries``, ``load_s``, …), as the report reads them.
    """
    from hemokg.backends.embedded import EmbeddedBackend
    from hemokg.graph.store import load_nquads
    from hemokg.kg import KnowledgeGraph

    folder = Path(tempfile.mkdtemp(prefix="hemokg-bench-store-"))
    graphs: list[dict[str, Any]] = []
    plan: list[tuple[str, float, bytes, dict[str, str] | None]] = [
        ("hemo" if nquads is None else "given", 1.0, nquads if nquads is not None else load_nquads(), None)
    ]
    plan += [(f"synthetic-{s:g}x", s, b"", None) for s in sizes.store_scales]
    try:
        for name, scale, data, terms in plan:
            if not data:
                data, terms = _synthetic(scale)
            kg = KnowledgeGraph(EmbeddedBackend.from_nquads(data))
            texts = {k: v for k, v in bound_queries(kg, terms).items() if queries is None or k in queries}
            del kg
            graphs.append({**_run_graph(name, data, texts, sizes, folder, engines), "scale": scale})
    finally:
        for leftover in folder.iterdir():
            leftover.unlink()
        folder.rmdir()
    limits = {
        "time_s": sizes.store_time_limit,
        "memory_mib": sizes.store_memory_mib,
        "engine_budget_s": sizes.store_engine_budget,
    }
    limits["headroom_mib"] = AS_HEADROOM_MIB
    return {**graphs[0], "graphs": graphs, "limits": limits}


def main(argv: list[str] | None = None) -> int:
    """Print the comparison as a table, or (``--worker ENGINE SPEC --memory-mib N``) be one engine's child."""
    args = list(argv if argv is not None else sys.argv[1:])
    if args[:1] == ["--worker"]:
        return worker(args[1], Path(args[2]), float(args[args.index("--memory-mib") + 1]))
    from benchmarks.report import store_choice_table

    print(store_choice_table(run(Sizes.pick("quick" if "--quick" in args else "default"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
