"""Section 2b (issue 18): every stored query warm on hemo, through ``kg.query`` and over varied parameters.

For each stored query, each parameter takes a spread of the graph's own terms (cells for a ``cell`` parameter, else
labelled terms; the header example for a literal), given by label, so ``kg.query`` resolves the label (remembered
per knowledge graph), binds it and builds the rows. Next to it: ``kg.query`` given the same terms as IRIs (the
difference is what label resolution adds), and the text the embedded backend then runs (``substitute_terms``, else
the VALUES block) straight on the pyoxigraph store (the difference is what resolution, binding and rows add). Each
case is timed ``repeats`` times after a warm-up, the calls taking turns; a query's figure is the median over its cases
of each case's median. A query without a term parameter (a whole-graph listing such as ``term-labels``, or one
filtered by a literal only, such as ``terms-without-exact-match -p prefix=GO``) is also given per row. ``kg.lineage``
and ``kg.lookup`` are timed the same way over hemo's cells (the median, and the slowest cell's median). Answer
caches: none (``kg.query`` and ``kg.lineage`` keep none).

Run alone: ``python -m benchmarks.warm [--quick]``.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable

from benchmarks.common import Sizes

__all__ = ["run"]

_CELLS = (
    "SELECT DISTINCT ?c WHERE { ?c <http://purl.obolibrary.org/obo/RO_0002202> ?x "
    "FILTER(STRSTARTS(STR(?c), 'https://w3id.org/hemokg/HEMO_')) }"
)


def _median(fn: Callable[[], object], repeats: int) -> float:
    fn()
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return statistics.median(out)


def run(sizes: Sizes) -> dict:
    """Per stored query: median ms through ``kg.query`` and on the store, the overhead, rows, cases."""
    import hemokg
    from hemokg.sparql.queries import bind_values, substitute_terms

    quick = sizes.name == "quick"
    cases_per_query, repeats = (3, 5) if quick else (15, 15)
    kg = hemokg.load()
    labels = kg.index.labels
    store = kg.backend.store  # type: ignore[attr-defined]
    cells = sorted(row[0].value for row in kg.sparql(_CELLS) if row[0].value in labels)
    terms = sorted(labels)
    pick = random.Random(18)
    out: dict[str, dict] = {}
    for name in kg.catalog:
        stored = kg.catalog[name]
        if stored.form == "describe" or any(p.required and p.example is None for p in stored.params):
            continue
        varied = [p for p in stored.params if p.type == "iri"]
        cases: list[dict[str, str]] = []
        if varied:
            param = varied[0]
            pool = cells if "cell" in param.name else terms
            base = {p.name: str(p.example) for p in stored.params if p.example is not None and p is not param}
            cases = [{**base, param.name: labels[i]} for i in pick.sample(pool, min(cases_per_query, len(pool)))]
        else:
            cases = [{p.name: str(p.example) for p in stored.params if p.example is not None}]
        via, by_iri, raw, rows = [], [], [], []
        for given in cases:
            answer = kg.query(name, **given)
            bindings = {
                p.variable: kg._bind(name, p.name, p.type, given[p.name]) for p in stored.params if p.name in given
            }
            as_iris = {  # the same terms given as IRIs: what label resolution adds is the difference
                p.name: bindings[p.variable].value if p.type == "iri" else given[p.name]
                for p in stored.params
                if p.name in given
            }
            text = substitute_terms(stored.text, bindings)
            text = text if text is not None else bind_values(stored.text, bindings)

            def direct(text: str = text) -> object:
                found = store.query(text, use_default_graph_as_union=True)
                return found if isinstance(found, bool) or not hasattr(found, "__iter__") else list(found)

            for _ in range(2):  # taking turns
                via.append(_median(lambda given=given, name=name: kg.query(name, **given), repeats))
                by_iri.append(_median(lambda given=as_iris, name=name: kg.query(name, **given), repeats))
                raw.append(_median(direct, repeats))
            rows.append(len(answer) if answer.kind != "ask" else 1)
        entry = {
            "kg_ms": statistics.median(via) * 1e3,
            "iri_ms": statistics.median(by_iri) * 1e3,
            "store_ms": statistics.median(raw) * 1e3,
            "rows": statistics.median(rows),
            "cases": len(cases),
            "varied": bool(varied),
        }
        entry["overhead"] = entry["kg_ms"] / entry["store_ms"] - 1 if entry["store_ms"] else float("nan")
        entry["labels_add"] = entry["kg_ms"] / entry["iri_ms"] - 1 if entry["iri_ms"] else float("nan")
        if not varied and entry["rows"] > 1:  # no term to start from: a listing over the whole graph
            entry["per_row_us"] = entry["kg_ms"] * 1e3 / entry["rows"]
        out[name] = entry
    calls: dict[str, dict] = {}
    for what, call in (("lineage", kg.lineage), ("lookup", kg.lookup)):
        per_cell = {labels[i]: _median(lambda i=i, call=call: call(labels[i]), repeats) * 1e3 for i in cells}
        slowest = max(per_cell, key=per_cell.__getitem__)
        calls[what] = {
            "median_ms": statistics.median(per_cell.values()),
            "slowest": slowest,
            "slowest_ms": per_cell[slowest],
            "cells": len(per_cell),
        }
    return {"queries": out, "calls": calls, "cases_per_query": cases_per_query, "repeats": repeats}


def main(argv: list[str] | None = None) -> None:
    """Print the figures as a table."""
    mode = "quick" if "--quick" in (argv if argv is not None else sys.argv[1:]) else "default"
    from benchmarks.report import warm_table

    print(warm_table(run(Sizes.pick(mode))))


if __name__ == "__main__":
    main()
