"""Section 2 (and issue 3's store choice): every stored query, warm, on each engine that could hold the graph.

Same reasoned graph (``hemokg.graph.store.load_nquads()``), same query text (each stored query with its header defaults
bound by ``hemokg.sparql.queries.bind_values``), same answers checked (row counts against pyoxigraph's), engines taking
turns query by query: pyoxigraph's ``Store`` (the embedded default), rdflib's memory ``Graph`` and ``Dataset``,
oxrdflib (rdflib's API over Oxigraph) and owlready2's own SPARQL engine. ``kg.query`` is the user-facing call on
the default store (parameter resolution and result rows included).

Run alone: ``python benchmarks/store_choice.py [--quick]``.
"""

from __future__ import annotations

import sys
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import Sizes, stats, timed_round_robin

__all__ = ["bound_queries", "engines", "run"]

Runner = Callable[[str, dict], int]

if TYPE_CHECKING:
    from hemokg.kg import KnowledgeGraph


def bound_queries(kg: KnowledgeGraph) -> dict[str, tuple[str, dict]]:
    """Each stored query's text with its defaults bound by a VALUES block, and the bindings themselves.

    ``iri`` defaults are resolved once, untimed, as ``kg.query`` resolves them; a default the graph does not know
    (a synthetic graph) binds a placeholder IRI, so the query still runs and answers nothing.
    """
    from pyoxigraph import Literal, NamedNode

    from hemokg.errors import TermNotFoundError
    from hemokg.sparql.queries import bind_values, catalog

    out = {}
    cat = catalog()
    for name in cat:
        stored = cat[name]
        bindings: dict = {}
        for p in stored.params:
            if p.example is None:
                continue
            if p.type != "iri":
                bindings[p.variable] = Literal(p.example)
                continue
            try:
                bindings[p.variable] = NamedNode(kg.resolve(p.example))
            except TermNotFoundError:
                bindings[p.variable] = NamedNode("https://w3id.org/hemokg/HEMO_9999999")
        out[name] = (bind_values(stored.text, bindings), bindings)
    return out


def engines(nquads: bytes) -> tuple[dict[str, Runner], dict[str, float], dict[str, str]]:
    """The engines loaded with the graph: name -> run(query) returning the row count; load seconds; load errors."""
    import time

    from pyoxigraph import Dataset as OxDataset
    from pyoxigraph import NamedNode, QueryBoolean, RdfFormat, Store, serialize

    runners: dict[str, Runner] = {}
    load: dict[str, float] = {}
    errors: dict[str, str] = {}
    triples = (
        serialize(
            (q.triple for q in OxDataset(__import__("pyoxigraph").parse(nquads, format=RdfFormat.N_QUADS))),
            format=RdfFormat.N_TRIPLES,
        )
        or b""
    )

    def timed_load(name: str, make: Callable[[], Runner]) -> None:
        start = time.perf_counter()
        try:
            runners[name] = make()
        except Exception as exc:  # an engine that cannot load the graph is reported, not fatal
            errors[name] = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:160]
            return
        load[name] = time.perf_counter() - start

    def oxigraph() -> Runner:
        store = Store()
        store.bulk_load(nquads, format=RdfFormat.N_QUADS)

        def count(q: str, b: dict) -> int:
            answer = store.query(q, use_default_graph_as_union=True)
            return int(bool(answer)) if isinstance(answer, QueryBoolean) else len(list(answer))

        return count

    def rdflib_dataset() -> Runner:
        import rdflib

        def quiet(fn: Callable[[], object]) -> object:  # rdflib 7.6's own N-Quads parser warns on every quad
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                return fn()

        ds = rdflib.Dataset(default_union=True)
        quiet(lambda: ds.parse(data=nquads, format="nquads"))
        return lambda q, b: _rdflib_count(quiet(lambda: ds.query(q)))

    def rdflib_graph() -> Runner:
        import rdflib

        g = rdflib.Graph()
        g.parse(data=triples, format="nt")
        return lambda q, b: _rdflib_count(g.query(q))

    def rdflib_init_bindings() -> Runner:
        import rdflib

        g = rdflib.Graph()
        g.parse(data=triples, format="nt")

        def run(query: str, bindings: dict) -> int:
            terms = {
                k: rdflib.URIRef(v.value) if isinstance(v, NamedNode) else rdflib.Literal(v.value)
                for k, v in bindings.items()
            }
            return _rdflib_count(g.query(query, initBindings=terms))

        return run

    def oxrdflib_graph() -> Runner:
        import rdflib

        g = rdflib.Graph(store="Oxigraph")
        g.parse(data=triples, format="nt")
        return lambda q, b: _rdflib_count(g.query(q))

    def owlready() -> Runner:
        import owlready2

        folder = Path(tempfile.mkdtemp(prefix="hemokg-bench-owlready-"))
        path = folder / "graph.nt"
        path.write_bytes(triples)
        world = owlready2.World()
        world.get_ontology(path.as_uri()).load(only_local=True)
        return lambda q, b: len(list(world.sparql(q)))

    timed_load("pyoxigraph Store", oxigraph)
    timed_load("rdflib Dataset", rdflib_dataset)
    timed_load("rdflib Graph", rdflib_graph)
    timed_load("rdflib Graph, initBindings", rdflib_init_bindings)
    timed_load("oxrdflib", oxrdflib_graph)
    timed_load("owlready2 SPARQL", owlready)
    return runners, load, errors


def _rdflib_count(result: object) -> int:
    """Rows of an rdflib result; 1 or 0 for an ASK (as pyoxigraph's count is taken)."""
    if getattr(result, "type", None) == "ASK":
        return int(bool(result.askAnswer))  # type: ignore[attr-defined]
    return len(list(result))  # type: ignore[call-overload]


def run(sizes: Sizes, nquads: bytes | None = None, queries: list[str] | None = None) -> dict:
    """Median and p95 per stored query and engine, and whether each engine's answers agree with pyoxigraph's.

    ``nquads``: the graph to use instead of hemo's reasoned graph (the smoke test passes a tiny synthetic one);
    ``queries``: the stored queries to run (default: all).
    """
    from hemokg.backends.embedded import EmbeddedBackend
    from hemokg.graph.store import load_nquads
    from hemokg.kg import KnowledgeGraph
    from hemokg.sparql.queries import catalog

    nquads = nquads if nquads is not None else load_nquads()
    kg = KnowledgeGraph(EmbeddedBackend.from_nquads(nquads))
    texts = {k: v for k, v in bound_queries(kg).items() if queries is None or k in queries}
    runners, load, errors = engines(nquads)
    cat = catalog()
    results: dict[str, dict[str, dict]] = {}
    for name, (text, bindings) in texts.items():
        counts: dict[str, int] = {}
        given = {p.name: p.example for p in cat[name].params if p.example is not None}
        cases: dict[str, Callable[[], object]] = {"kg.query": lambda n=name, g=given: kg.query(cat[n], **g)}
        for engine, runner in runners.items():
            query = cat[name].text if engine.endswith("initBindings") else text
            try:
                counts[engine] = runner(query, bindings)
            except Exception as exc:  # an engine that cannot run a query is reported, not fatal
                results.setdefault(name, {})[engine] = {"error": f"{type(exc).__name__}: {exc}".splitlines()[0][:120]}
                continue
            cases[engine] = lambda runner=runner, query=query, bindings=bindings: runner(query, bindings)
        durations = timed_round_robin(cases, repeats=sizes.query_repeats, budget=sizes.query_budget)
        expected = counts.get("pyoxigraph Store")
        for engine, seconds in durations.items():
            entry = stats(seconds)
            answer = kg.query(cat[name], **given)
            entry["rows"] = counts.get(engine, int(bool(answer)) if answer.kind == "ask" else len(answer))
            entry["agrees"] = expected is None or entry["rows"] == expected
            results.setdefault(name, {})[engine] = entry
    return {"queries": results, "load_s": load, "load_errors": errors, "triples": nquads.count(b"\n")}


def main(argv: list[str] | None = None) -> None:
    """Print the comparison as a table."""
    mode = "quick" if "--quick" in (argv if argv is not None else sys.argv[1:]) else "default"
    from benchmarks.report import store_choice_table

    print(store_choice_table(run(Sizes.pick(mode))))


if __name__ == "__main__":
    main()
