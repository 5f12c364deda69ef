"""Smoke tests of the benchmarks (every section yields numbers on tiny sizes) and of the synthetic generator.

No timing assertions: speed is what the benchmarks report, not what tests check.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
from collections import Counter
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Quad, RdfFormat, Store, parse

from benchmarks.synthetic import DIRECT, deep_chain, hemo_profile, synthetic_ontology, wide_class


def _sizes():
    from benchmarks.common import Sizes

    return dataclasses.replace(
        Sizes.pick("quick"),
        cold_rounds=1,
        query_repeats=3,
        query_budget=0.0,
        scales=(0.1, 0.5),
        rdflib_scales=(0.1,),
        reasoner_scales=(),
        timeout=60,
    )


def _predicates(data: bytes) -> Counter:
    return Counter(t.predicate.value for t in parse(data, format=RdfFormat.N_TRIPLES))


def test_generator_is_deterministic_and_seeded() -> None:
    assert synthetic_ontology(0.5, seed=3) == synthetic_ontology(0.5, seed=3)
    assert synthetic_ontology(0.5, seed=3) != synthetic_ontology(0.5, seed=4)


@pytest.mark.parametrize("scale", [1.0, 3.0])
def test_generator_keeps_hemos_proportions(scale: float) -> None:
    profile = hemo_profile()
    data = synthetic_ontology(scale)
    triples = list(parse(data, format=RdfFormat.N_TRIPLES))
    classes = {t.subject.value for t in triples if t.object.value.endswith("#Class")}
    counts = Counter(t.predicate.value for t in triples if t.subject.value in classes)  # on classes, as profiled
    assert abs(len(classes) - (scale * profile.classes + 4)) <= 4
    labels = [t.object.value for t in triples if t.predicate.value.endswith("#label") and t.subject.value in classes]
    assert len(labels) == len(set(labels)) == len(classes)  # every class one unique label
    for predicate, count in profile.annotations.items():
        assert counts[predicate] == pytest.approx(scale * count, rel=0.05, abs=2), predicate
    on_property = Counter(t.object.value for t in triples if t.predicate.value.endswith("#onProperty"))
    for relation, count in profile.restrictions.items():
        assert on_property["http://purl.obolibrary.org/obo/" + relation] == pytest.approx(scale * count, abs=2)


def test_deep_chain_and_wide_class_shapes() -> None:
    from hemokg.backends.embedded import EmbeddedBackend
    from hemokg.graph.relation_graph import relation_graph
    from hemokg.kg import KnowledgeGraph
    from hemokg.vocab import GRAPH_RELATION

    store = Store()
    store.bulk_load(deep_chain(60), format=RdfFormat.N_TRIPLES)
    closure = relation_graph(store)
    store.extend(Quad(NamedNode(s), NamedNode(p), NamedNode(o), NamedNode(GRAPH_RELATION)) for s, p, o in closure)
    lineage = KnowledgeGraph(EmbeddedBackend(store)).lineage("chain cell 60")
    assert len(lineage.up) == 60
    assert sum(1 for _, p, _ in closure if p == DIRECT) == 60
    assert _predicates(wide_class(250))["http://www.w3.org/2000/01/rdf-schema#subClassOf"] == 250


def test_generator_lineages_are_acyclic() -> None:
    """No cell develops from itself through the closure, as in any lineage: random develops-from pairs made cycles,
    and on a cycle every cell develops from every other (109 cells below each one at 1x)."""
    from hemokg.graph.relation_graph import relation_graph

    store = Store()
    store.bulk_load(synthetic_ontology(3.0), format=RdfFormat.N_TRIPLES)
    closure = relation_graph(store)
    develops = [(s, o) for s, p, o in closure if p.rsplit("/", 1)[-1] in ("RO_0002202", "RO_0002207", "RO_0002203")]
    assert len(develops) > 100
    assert [s for s, o in develops if s == o] == []


def test_generator_rejects_a_bad_scale() -> None:
    with pytest.raises(ValueError, match="positive"):
        synthetic_ontology(0)


def _numbers(rows: list[dict], key: str) -> list[float]:
    return [r[key] for r in rows if key in r]


def test_each_benchmark_section_produces_numbers(tmp_path) -> None:
    from benchmarks import cold, load, remote, scale, store_choice, warm
    from benchmarks.report import plot, render

    sizes = _sizes()
    results: dict = {}
    results["cold"] = cold.run(sizes, tmp_path / "cache")
    assert len(_numbers(results["cold"]["rows"], "median_ms")) == len(cold.COMMANDS)
    assert all(r["peak_mib"] > 1 for r in results["cold"]["rows"])

    tiny = synthetic_ontology(0.1)
    engines = ("kg.query", "pyoxigraph Store", "rdflib Graph")  # each in its own process, in lockstep
    results["store_choice"] = store_choice.run(
        dataclasses.replace(sizes, store_scales=(0.5,)),
        nquads=tiny,
        queries=["term-labels", "term-by-name", "subclasses"],
        engines=engines,
    )
    graphs = results["store_choice"]["graphs"]
    assert [g["scale"] for g in graphs] == [1.0, 0.5]
    for graph in graphs:
        for by_engine in graph["queries"].values():
            assert list(by_engine) == list(engines)
            assert by_engine["pyoxigraph Store"]["median"] > 0 and by_engine["pyoxigraph Store"]["n"] == 3
            assert by_engine["rdflib Graph"]["agrees"], by_engine
        assert set(graph["peak_mib"]) == set(engines)
    # the synthetic graph's parameter is one of its own terms: `subclasses` of a cell there has rows on every engine
    subclasses = graphs[1]["queries"]["subclasses"]
    assert subclasses["kg.query"]["rows"] == subclasses["pyoxigraph Store"]["rows"] > 0, subclasses

    results["warm"] = warm.run(sizes)
    chain = results["warm"]["queries"]["develops-from-chain"]
    assert chain["varied"] and chain["cases"] >= 2 and chain["kg_ms"] > 0 and chain["store_ms"] > 0, chain
    assert results["warm"]["queries"]["term-labels"]["per_row_us"] > 0
    assert results["warm"]["calls"]["lineage"]["median_ms"] > 0

    # the session's cache folder (tests/conftest.py): the graph with every import module, whose first load here is
    # the untimed warm-up, is reasoned once per test run, not once more for this test (HermiT: ~40 s of CPU)
    shared_cache = Path(os.environ["HEMOKG_CACHE_DIR"])
    results["load"] = load.run(sizes, shared_cache, reasoners=("hermit",), build=False)
    load_rows = results["load"]["rows"]  # every kind of start runs on the embedded engine: none may fail
    assert len(load_rows) >= 4 and [r for r in load_rows if "error" in r] == [], load_rows
    assert all(r["median"] > 0 for r in load_rows)
    hermit = [t for t in results["load"]["reasoners"] if t["reasoner"] == "hermit"]
    assert len(hermit) == 1 and "error" not in hermit[0] and hermit[0]["reasoner_s"]["median"] > 0, hermit
    assert results["load"]["jvm"]["ok"], results["load"]["jvm"]["detail"]

    results["remote"] = remote.run(sizes, queries=["term-labels", "develops-from-steps"])
    assert [r["agrees"] for r in results["remote"]["rows"]] == [True, True]
    assert results["remote"]["gsp"]["triples_per_s"] > 0

    results["scale"] = scale.run(sizes, tmp_path)
    rows = results["scale"]["rows"]
    assert [r["scale"] for r in rows] == [0.1, 0.5]
    for row in rows:
        ox = row["oxigraph"]
        assert ox["relation_triples"] > 0 and ox["lookup"]["median"] > 0 and ox["peak_mib"] > 1, ox
        # a spread of cells, each timed beside the reference lookup on hemo; the longest chain's cell apart
        assert ox["spread"] >= 1 and ox["lookup"]["n"] == ox["spread"] and ox["lineage"]["vs_reference"] > 0, ox
        assert ox["target"]["lineage"]["median"] > 0, ox
    assert {"lookup_vs_reference", "lineage_vs_reference"} <= set(results["scale"]["slopes"])
    assert rows[0]["rdflib"]["lookup"]["median"] > 0
    assert all(math.isfinite(v) for v in results["scale"]["slopes"].values())

    assert plot(results["scale"], tmp_path / "img" / "plot.png")
    assert (tmp_path / "img" / "plot.png").read_bytes()[:4] == b"\x89PNG"
    meta = {
        "command": "test",
        "date": "today",
        "mode": "smoke",
        "seconds": 1.0,
        "machine": {"cpu": "x"},
        "versions": {"python": "3"},
        "hemo_commit": "abc",
        "hemo_profile": "142 classes",
        "notes": "",
    }
    text = render(meta, results, True)
    for heading in (
        "## 1. Cold",
        "## 2. Warm",
        "### Synthetic 0.5×",
        "## 2b. Warm",
        "## 3. Load",
        "## 4. Remote",
        "## 5–6. Scale",
        "## Targets",
    ):
        assert heading in text


def test_store_choice_engine_over_its_memory_limit_is_a_row_not_the_end() -> None:
    """A real engine under a real limit: rdflib's memory Graph holding hemo's reasoned graph peaks near 63 MiB, so at
    48 MiB of RSS its process is stopped and every one of its rows says so; the run goes on, pyoxigraph (~33 MiB, in
    its own process) answers every query, and the report shows the limit."""
    from benchmarks import store_choice
    from benchmarks.report import store_choice_limits, store_choice_table

    sizes = dataclasses.replace(_sizes(), store_memory_mib=48.0, store_time_limit=60.0, store_engine_budget=60.0)
    queries = ["term-labels", "term-by-name"]
    result = store_choice.run(sizes, queries=queries, engines=("pyoxigraph Store", "rdflib Graph"))
    assert sorted(result["queries"]) == sorted(queries)
    for by_engine in result["queries"].values():
        assert by_engine["rdflib Graph"] == {"limit": "load over 48 MiB"}
        assert by_engine["pyoxigraph Store"]["median"] > 0 and by_engine["pyoxigraph Store"]["rows"] > 0
    assert result["load_errors"] == {"rdflib Graph": "over 48 MiB"}
    assert list(result["load_s"]) == ["pyoxigraph Store"]
    assert result["limits"]["memory_mib"] == 48.0
    assert "**load over 48 MiB**" in store_choice_table(result)
    assert "resident memory ≤ 48 MiB" in store_choice_limits(result)


def test_store_choice_engine_over_its_time_limit_is_a_row_not_the_end() -> None:
    """A step over the time limit (rdflib's import and parse of a 3x synthetic graph, or its first run of
    `term-labels`: each well over 0.2 s) kills the child's process group and becomes the engine's row."""
    from benchmarks import store_choice

    sizes = dataclasses.replace(_sizes(), store_time_limit=0.2, store_engine_budget=60.0)
    result = store_choice.run(
        sizes, nquads=synthetic_ontology(3.0), queries=["term-labels"], engines=("rdflib Dataset",)
    )
    entry = result["queries"]["term-labels"]["rdflib Dataset"]
    assert re.fullmatch(r"(load )?over 0\.2 s( \(at [\d,]+ MiB\))?", entry["limit"]), entry
