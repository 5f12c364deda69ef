"""Section 5 and half of 6: synthetic hemo-shaped ontologies from 1x to 10,000x, per engine, each in its own process.

For each size the generator (``benchmarks.synthetic``) writes an N-Triples file once; then one worker process per engine
loads it under a timeout, so a size an engine cannot handle is reported as such and its peak RSS is its own:

* ``oxigraph``: bulk load into pyoxigraph (in memory; on disk from 10,000x), the relation graph
  (``hemokg.graph.relation_graph``, the materialisation used at every size; computing it and inserting its triples into
  the store are timed apart, with the peak RSS after each), the label index, then warm ``kg.lookup`` and
  ``kg.lineage`` (by label and by CURIE) through ``EmbeddedBackend`` + ``KnowledgeGraph``, over a spread of cells
  drawn from the whole graph (the median over the cells of each cell's median: growth with the size, not the
  luck of one term; each call timed in turn with one fixed lookup on hemo itself, whose ratio does not drift with the
  machine's speed) and, apart, on the cell of the last block with the longest chain (as earlier reports timed it);
* ``rdflib``: parse into a memory ``Graph`` and run the lookup's two stored queries (term-by-name, term-details);
* ``hermit``: classify with HermiT (where it stops being usable is the point).

Worker: ``python -m benchmarks.scale ENGINE FILE SCALE [--disk DIR]`` prints one JSON line.
"""

from __future__ import annotations

import json
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import Sizes, run_child, stats, status_mib, timed, timed_round_robin

__all__ = ["ENGINES", "generate", "run", "worker"]

ENGINES = ("oxigraph", "rdflib", "hermit")
#: The fixed call on hemo timed beside every warm call at every size (see :func:`_over`).
REFERENCE = "neutrophil"
_OBO = "http://purl.obolibrary.org/obo/"
_HEMO = "https://w3id.org/hemokg/HEMO_"


def generate(scale: float, folder: Path, *, seed: int = 0) -> tuple[Path, float, int]:
    """Write the synthetic ontology for ``scale`` to a file, streaming; returns the path, seconds and triples."""
    from benchmarks.synthetic import iter_synthetic

    path = folder / f"synthetic-{scale:g}x.nt"
    start, lines = time.perf_counter(), 0
    with path.open("w", encoding="utf-8") as handle:
        for chunk in iter_synthetic(scale, seed=seed):
            handle.write(chunk)
            lines += chunk.count("\n")
    return path, time.perf_counter() - start, lines


def _classes(scale: float) -> tuple[int, object, object, object]:
    """What :func:`_spread` and :func:`_target` read the synthetic graph with: its number of classes (as
    ``benchmarks.synthetic`` numbers them), and the develops-from predicate, the relation graph and rdfs:label."""
    from pyoxigraph import NamedNode

    from benchmarks.synthetic import KINDS, hemo_profile
    from hemokg.vocab import GRAPH_RELATION, RDFS

    n = max(len(KINDS), round(scale * hemo_profile().classes))
    return n, NamedNode(_OBO + "RO_0002202"), NamedNode(GRAPH_RELATION), NamedNode(str(RDFS.label))


def _spread(store: object, scale: float, *, count: int = 15, seed: int = 18) -> list[tuple[str, str]]:
    """``count`` labelled cells (classes with a develops-from step) drawn at random from the whole graph, the same
    draw for the same size: (IRI, label) each. Untimed; at most 100 draws per cell kept."""
    import random

    from pyoxigraph import NamedNode

    n, develops, graph, label = _classes(scale)
    pick, found, seen = random.Random(seed), [], set()
    for _ in range(100 * count):
        if len(found) == count or len(seen) == n:
            break
        i = pick.randrange(n)
        if i in seen:
            continue
        seen.add(i)
        iri = NamedNode(f"{_HEMO}{i + 1:07d}")
        labels = list(store.quads_for_pattern(iri, label, None))  # type: ignore[attr-defined]
        if labels and next(iter(store.quads_for_pattern(iri, develops, None, graph)), None):  # type: ignore[attr-defined]
            found.append((iri.value, labels[0].object.value))
    return found


def _over(
    cells: list[tuple[str, str]],
    call: Callable[[str], object],
    reference: Callable[[], object],
    *,
    by_curie: bool = False,
) -> dict[str, float]:
    """Each cell's median over a few warm calls, taking turns with ``reference`` (one fixed call on hemo itself);
    their median (and p95, min, n) over the cells, and ``vs_reference``: the median over the cells of each cell's
    median over the reference's. The sizes run minutes apart, in separate processes, and this machine's speed
    drifts by tens of percent in that time; the ratio, timed side by side, does not drift with it."""
    from hemokg.vocab import iri_to_curie

    per_cell, ratios = [], []
    for iri, label in cells:
        given = (iri_to_curie(iri) or iri) if by_curie else label
        found = timed_round_robin(
            {"call": lambda given=given: call(given), "reference": reference}, repeats=9, budget=1.0
        )
        per_cell.append(stats(found["call"])["median"])
        ratios.append(per_cell[-1] / stats(found["reference"])["median"])
    return {**stats(per_cell), "vs_reference": statistics.median(ratios) if ratios else float("nan")}


def _target(store: object, scale: float) -> tuple[str, str]:
    """The cell of the last block with the most develops-from ancestors: (IRI, label). Untimed."""
    from pyoxigraph import NamedNode

    from benchmarks.synthetic import KINDS, hemo_profile

    block = hemo_profile().classes
    n, develops, graph, label = _classes(scale)
    last = len(KINDS) + ((n - len(KINDS) - 1) // block) * block
    best, depth = f"{_HEMO}{last + 1:07d}", -1
    for i in range(last, n):
        iri = NamedNode(f"{_HEMO}{i + 1:07d}")
        found = sum(1 for _ in store.quads_for_pattern(iri, develops, None, graph))  # type: ignore[attr-defined]
        if found > depth:
            best, depth = iri.value, found
    labels = list(store.quads_for_pattern(NamedNode(best), label, None))  # type: ignore[attr-defined]
    return best, labels[0].object.value if labels else best


def _oxigraph(path: Path, scale: float, disk: str | None) -> dict:
    from pyoxigraph import NamedNode, Quad, RdfFormat, Store

    from hemokg.backends.embedded import EmbeddedBackend
    from hemokg.graph.relation_graph import relation_graph
    from hemokg.kg import KnowledgeGraph
    from hemokg.vocab import GRAPH_RELATION, iri_to_curie

    out: dict = {}
    store = Store(disk) if disk else Store()
    start = time.perf_counter()
    store.bulk_load(path=path, format=RdfFormat.N_TRIPLES)
    out["load_s"], out["triples"], out["rss_after_load_mib"] = time.perf_counter() - start, len(store), status_mib()
    start = time.perf_counter()
    closure = relation_graph(store)
    out["relation_graph_s"], out["relation_triples"] = time.perf_counter() - start, len(closure)
    out["rss_after_relation_graph_mib"] = status_mib()
    start = time.perf_counter()
    graph = NamedNode(GRAPH_RELATION)
    store.extend(Quad(NamedNode(s), NamedNode(p), NamedNode(o), graph) for s, p, o in closure)
    del closure
    out["relation_insert_s"], out["rss_after_insert_mib"] = time.perf_counter() - start, status_mib()
    kg = KnowledgeGraph(EmbeddedBackend(store))
    iri, label = _target(store, scale)
    start = time.perf_counter()
    _ = kg.index
    out["index_s"] = time.perf_counter() - start
    budget = 3.0
    cells = _spread(store, scale)
    out["spread"] = len(cells)
    import hemokg

    hemo = hemokg.load()  # the reference, timed beside each call: one lookup on hemo's own graph

    def reference() -> object:
        return hemo.lookup(REFERENCE)

    out["reference"] = REFERENCE
    out["lookup"] = _over(cells, kg.lookup, reference)
    out["lineage"] = _over(cells, kg.lineage, reference)
    out["lineage_curie"] = _over(cells, kg.lineage, reference, by_curie=True)
    curie = iri_to_curie(iri) or iri
    out["target"] = {
        "iri": iri,
        "label": label,
        "lookup": stats(timed(lambda: kg.lookup(label), repeats=30, budget=budget)),
        "lineage": stats(timed(lambda: kg.lineage(label), repeats=30, budget=budget)),
        "lineage_curie": stats(timed(lambda: kg.lineage(curie), repeats=30, budget=budget)),
        "lineage_steps": len(kg.lineage(curie).up),
    }
    out["rss_end_mib"] = status_mib()
    return out


def _rdflib(path: Path, scale: float) -> dict:
    import rdflib
    from pyoxigraph import Literal, NamedNode

    from hemokg.sparql.queries import bind_values, catalog

    graph = rdflib.Graph()
    start = time.perf_counter()
    graph.parse(str(path), format="nt")
    out: dict = {"load_s": time.perf_counter() - start, "triples": len(graph), "rss_after_load_mib": status_mib()}
    cat = catalog()
    label = next(iter(graph.objects(rdflib.URIRef(f"{_HEMO}0000010"), rdflib.RDFS.label)), "none")
    by_name = bind_values(cat["term-by-name"].text, {"_name_literal": Literal(str(label))})
    details = bind_values(cat["term-details"].text, {"_term_iri": NamedNode(f"{_HEMO}0000010")})
    out["lookup"] = stats(
        timed(lambda: (list(graph.query(by_name)), list(graph.query(details))), repeats=5, budget=20.0, warmup=0)
    )
    out["rss_end_mib"] = status_mib()
    return out


def _hermit(path: Path) -> dict:
    from pyoxigraph import RdfFormat, parse, serialize

    from hemokg.graph.reasoning import reason

    data = serialize(parse(path=path, format=RdfFormat.N_TRIPLES), format=RdfFormat.N_TRIPLES) or b""
    start = time.perf_counter()
    report = reason(data, reasoner="hermit")
    return {"reason_s": time.perf_counter() - start, "consistent": report.consistent, "inferred": len(report.inferred)}


def worker(argv: list[str]) -> None:
    """Run one engine on one file; print the result as one JSON line."""
    engine, path, scale = argv[0], Path(argv[1]), float(argv[2])
    disk = argv[argv.index("--disk") + 1] if "--disk" in argv else None
    result = {
        "oxigraph": lambda: _oxigraph(path, scale, disk),
        "rdflib": lambda: _rdflib(path, scale),
        "hermit": lambda: _hermit(path),
    }[engine]()
    print(json.dumps(result))


def run(sizes: Sizes, folder: Path | None = None) -> dict:
    """Every engine at every size it is asked for, each in a fresh process under a timeout."""
    folder = folder or Path(tempfile.mkdtemp(prefix="hemokg-bench-scale-"))
    results: list[dict] = []
    for scale in sizes.scales:
        path, gen_s, lines = generate(scale, folder)
        row: dict = {"scale": scale, "generate_s": gen_s, "lines": lines, "bytes": path.stat().st_size}
        plan = [
            ("oxigraph", True),
            ("rdflib", scale in sizes.rdflib_scales),
            ("hermit", scale in sizes.reasoner_scales),
        ]
        for engine, wanted in plan:
            if not wanted:
                continue
            argv = [sys.executable, "-m", "benchmarks.scale", engine, str(path), str(scale)]
            if engine == "oxigraph" and scale >= 10_000:
                argv += ["--disk", tempfile.mkdtemp(prefix="hemokg-bench-store-", dir=folder)]
            timeout = sizes.timeout * (10 if engine == "oxigraph" else 1)
            child = run_child(argv, timeout=timeout, rss=True)
            if child.timed_out:
                row[engine] = {"error": f"not usable: over the {timeout:g} s time limit", "wall_s": child.seconds}
            elif child.code != 0:
                message = (child.err.decode(errors="replace").strip().splitlines() or ["no message"])[-1]
                row[engine] = {"error": message[:200], "wall_s": child.seconds, "peak_mib": child.peak_mib}
            else:
                row[engine] = {**child.json(), "wall_s": child.seconds, "peak_mib": child.peak_mib}
        path.unlink(missing_ok=True)
        results.append(row)
    return {"rows": results, "slopes": slopes(results)}


def slopes(rows: list[dict]) -> dict[str, float]:
    """Log-log slope of each oxigraph measure between the smallest and largest size (1 = linear)."""
    done = [r for r in rows if "load_s" in r.get("oxigraph", {})]
    if len(done) < 2:
        return {}
    a, b = done[0], done[-1]
    out = {}
    for key in (
        "load_s",
        "relation_graph_s",
        "relation_insert_s",
        "index_s",
        "lookup",
        "lineage",
        "lineage_curie",
        "rss_end_mib",
    ):
        x, y = a["oxigraph"].get(key), b["oxigraph"].get(key)
        if isinstance(x, dict) and isinstance(y, dict) and "vs_reference" in x and "vs_reference" in y:
            rx, ry = x["vs_reference"], y["vs_reference"]
            if rx > 0 and ry > 0:  # the same growth, against the reference timed beside it (drift cancelled)
                out[f"{key}_vs_reference"] = math.log(ry / rx) / math.log(b["scale"] / a["scale"])
        x, y = (x["median"], y["median"]) if isinstance(x, dict) else (x, y)
        if x and y and x > 0 and y > 0:
            out[key] = math.log(y / x) / math.log(b["scale"] / a["scale"])
    return out


if __name__ == "__main__":
    worker(sys.argv[1:])
