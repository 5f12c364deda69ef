"""Turning the sections' results into ``docs/benchmarks.md`` (tables, targets met or missed) and the scaling plot."""

from __future__ import annotations

import itertools
import math
import statistics
from pathlib import Path
from typing import Any

from benchmarks.cold import FLOOR as FLOOR_NAME

__all__ = ["plot", "render", "store_choice_limits", "store_choice_table"]


def _ms(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x * 1e3:.3f}" if x < 0.01 else f"{x * 1e3:.1f}" if x < 10 else f"{x * 1e3:,.0f}"


def _s(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}" if x < 1 else f"{x:.1f}"


def _table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def store_choice_table(result: dict[str, Any]) -> str:
    """Median (p95) ms per stored query and engine, with the ratio to pyoxigraph; an engine stopped by a limit (time,
    memory) says which, one that cannot run the query says ``fails``, with the reasons under the table."""
    engines: list[str] = []
    for by_engine in result["queries"].values():
        engines += [e for e in by_engine if e not in engines]
    rows = []
    for name, by_engine in result["queries"].items():
        base = by_engine.get("pyoxigraph Store", {}).get("median")
        cells = [f"`{name}`"]
        for engine in engines:
            entry = by_engine.get(engine)
            if entry is None:
                cells.append("–")
            elif "limit" in entry:
                cells.append(f"**{entry['limit']}**")
            elif "error" in entry:
                cells.append("fails¹")
            else:
                times = entry["median"] / base if base else None
                ratio = (
                    ""
                    if times is None or engine in ("pyoxigraph Store", "kg.query")
                    else f" ×{times:,.0f}"
                    if times >= 9.5
                    else f" ×{times:.2g}"
                )
                flag = "" if entry.get("agrees", True) else " ≠"
                cells.append(f"{_ms(entry['median'])} ({_ms(entry['p95'])}){ratio}{flag}")
        rows.append(cells)
    text = _table(["query", *engines], rows)
    errors = sorted({f"{e}: {v['error']}" for q in result["queries"].values() for e, v in q.items() if "error" in v})
    if errors:
        text += "\n¹ " + "; ".join(errors[:6]) + ("; …" if len(errors) > 6 else "") + "\n"
    load = ", ".join(f"{k} {_ms(v)} ms" for k, v in result["load_s"].items())
    failed = ", ".join(f"{k}: {v}" for k, v in (result.get("load_errors") or {}).items())
    text += f"\nLoad of the same {result['triples']:,} quads: {load}" + (f"; not loaded: {failed}" if failed else "")
    peaks = result.get("peak_mib") or {}
    if peaks:
        text += ". Peak RSS of each engine's process (MiB): " + ", ".join(f"{k} {v:,.0f}" for k, v in peaks.items())
    return text + ".\n"


def store_choice_limits(store: dict[str, Any]) -> str:
    """The limits section 2's engines ran under, in one sentence (empty for a run from before they existed)."""
    limits = store.get("limits")
    if not limits:
        return ""
    memory = limits["memory_mib"]
    size = f"{memory / 1024:g} GiB" if memory >= 1024 else f"{memory:g} MiB"
    return (
        f"Each engine ran in its own process, under limits: one step (its load, or one run of one query) "
        f"≤ {limits['time_s']:g} s, resident memory ≤ {size} (address space capped {limits.get('headroom_mib', 512):g} "
        f"MiB above), ≤ {limits['engine_budget_s']:g} s per engine and graph; an engine past one has a **bold** cell "
        "saying which (a fresh process takes its next query).\n\n"
    )


def plot(scale: dict, path: Path) -> bool:
    """Log-log plot of each measure against size; False when nothing to plot or no matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    rows = [r for r in scale["rows"] if "load_s" in r.get("oxigraph", {})]
    if len(rows) < 2:
        return False
    xs = [r["scale"] for r in rows]
    fig, ax = plt.subplots(figsize=(8, 5.5), dpi=110)
    series = {
        "load (pyoxigraph)": "load_s",
        "relation graph": "relation_graph_s",
        "insert closure": "relation_insert_s",
        "label index build": "index_s",
        "lookup(label), warm": "lookup",
        "lineage(label), warm": "lineage",
        "lineage(CURIE), warm": "lineage_curie",
    }
    for name, key in series.items():
        if any(key not in r["oxigraph"] for r in rows):
            continue
        ys = [
            r["oxigraph"][key]["median"] if isinstance(r["oxigraph"][key], dict) else r["oxigraph"][key] for r in rows
        ]
        ax.plot(xs, ys, marker="o", label=name)
    for engine, key, name in (("hermit", "reason_s", "HermiT classification"), ("rdflib", "load_s", "rdflib load")):
        pts = [(r["scale"], r[engine][key]) for r in scale["rows"] if key in r.get(engine, {})]
        if pts:
            ax.plot(*zip(*pts, strict=True), marker="s", linestyle="--", label=name)
    ref = rows[0]["oxigraph"]["load_s"]
    ax.plot(xs, [ref * x / xs[0] for x in xs], color="grey", linestyle=":", label="linear reference")
    ax.axhline(0.010, color="red", linewidth=0.8, linestyle=":", label="10 ms target")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("size (multiples of hemo's classes)")
    ax.set_ylabel("seconds (median)")
    ax.set_title("hemokg at scale: synthetic hemo-shaped ontologies")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.png")
    fig.savefig(tmp)
    plt.close(fig)
    tmp.replace(path)
    return True


def warm_table(warm: dict) -> str:
    """The warm section's table: one row per stored query."""
    rows = []
    for name, e in sorted(warm["queries"].items()):
        rows.append(
            [
                f"`{name}`",
                f"{e['kg_ms']:.3f}",
                f"{e['store_ms']:.3f}",
                f"+{e['overhead'] * 100:.0f} %",
                f"{e['labels_add'] * 100:+.0f} %" if e["varied"] and "labels_add" in e else "",
                f"{e['rows']:g}",
                f"{e['per_row_us']:.1f} µs" if "per_row_us" in e else "",
                str(e["cases"]) if e["varied"] else "example",
            ]
        )
    return _table(["query", "kg.query ms", "store ms", "+ over store", "labels add", "rows", "per row", "cases"], rows)


def _against(row: dict) -> str:
    """What a cold command's target ratio is taken against."""
    return "the floor" if row.get("against") == "floor" else "`python -c pass`"


def _listings(rows: dict[str, int]) -> dict[str, int]:
    """The stored queries among ``rows`` (name -> row count) that list the whole graph (no IRI parameter, more than
    one row), with their row counts: judged per row, as section 2b judges them."""
    import hemokg

    cat = hemokg.catalog()
    return {q: n for q, n in rows.items() if q in cat and n > 1 and not any(p.type == "iri" for p in cat[q].params)}


def _met(ok: bool | None) -> str:
    return "–" if ok is None else "met" if ok else "**missed**"


def render(meta: dict, results: dict, plotted: bool) -> str:
    """The whole ``docs/benchmarks.md``."""
    out = [
        f"# hemokg benchmarks\n\nGenerated by `{meta['command']}` on {meta['date']} (mode `{meta['mode']}`, "
        f"{meta['seconds']:.0f} s). Every comparison below was measured side by side in this one run; times are "
        "medians over repeated runs (p95 in brackets), ratios are of medians.\n",
        "## Machine and versions\n",
        _table(["", ""], [[k, v] for k, v in {**meta["machine"], **meta["versions"]}.items()]),
        f"Code measured: commit `{meta.get('code_commit', 'unknown')}`. "
        f"Ontology: `ontology/hemo.ttl` at commit `{meta['hemo_commit']}` ({meta['hemo_profile']}).\n",
    ]
    targets: list[list[str]] = []
    cold = results.get("cold")
    if cold:
        out.append("## 1. Cold commands (whole processes)\n")
        out.append(
            f"Interpreter: `{cold['interpreter']}` (the real binary). The pyenv shim `{cold['shim']}` "
            f"costs {(cold['shim_ms'] or 0):.0f} ms for `-c pass` alone"
            + (" and is not used.\n" if cold["shim_ms"] else " (not a shim here).\n")
        )
        rows = []
        for r in cold["rows"]:
            if "error" in r:
                rows.append([f"`{r['command']}`", "fails: " + r["error"], "", "", "", ""])
                continue
            rows.append(
                [
                    f"`{r['command']}`",
                    f"{r['median_ms']:.1f} ({r['p95_ms']:.1f})",
                    f"{r['ratio']:.2f}×",
                    "" if r.get("floor_ratio") is None else f"{r['floor_ratio']:.2f}×",
                    f"{r['peak_mib']:.1f}",
                    "" if r["target"] is None else f"≤ {r['target']:g}× {_against(r)}: {_met(r['met'])}",
                ]
            )
            if r["target"] is not None:
                floor_side = r.get("against") == "floor"
                measured = f"{r['floor_ratio'] if floor_side else r['ratio']:.2f}×"
                met = r["met"]
                if "clean_floor_ratio" in r:  # judged on both starts
                    measured += f" (clean start: {r['clean_floor_ratio' if floor_side else 'clean_ratio']:.2f}×)"
                    met = bool(met and r["clean_met"])
                targets.append([f"cold `{r['command']}`", f"≤ {r['target']:g}× {_against(r)}", measured, _met(met)])
        out.append(
            _table(
                ["command", "ms median (p95)", "vs `python -c pass`", "vs the floor", "peak RSS MiB", "target"], rows
            )
        )
        clean_rows = [r for r in cold["rows"] if "clean_median_ms" in r]
        bases = {r["command"]: r for r in cold["rows"] if r["command"] in ("python -c pass", FLOOR_NAME)}
        if clean_rows or bases:
            out.append(
                "\nThe same from a clean start: `python -S` with the site-packages folders on `PYTHONPATH`, so no "
                "`.pth` start-up hook runs (this machine's `_sandboxing_egress_ca.pth` imports certifi at every "
                "start, adding the same time and memory to every process above, which flatters a ratio). The "
                "peak-memory target is judged here.\n"
            )
            ordered = [bases[n] for n in ("python -c pass", FLOOR_NAME) if n in bases]  # the bases first
            clean_table = [
                [
                    "`python -S -c pass`" if r["command"] == "python -c pass" else f"`{r['command']}`",
                    f"{r['clean_median_ms']:.1f} ({r['clean_p95_ms']:.1f})",
                    f"{r['clean_ratio']:.2f}×",
                    f"{r['clean_floor_ratio']:.2f}×",
                    f"{r['clean_peak_mib']:.1f}",
                    "" if r["target"] is None else f"≤ {r['target']:g}× {_against(r)}: {_met(r['clean_met'])}",
                ]
                for r in [*ordered, *(r for r in clean_rows if r["command"] not in bases)]
                if "clean_median_ms" in r
            ]
            out.append(
                _table(
                    ["command", "ms median (p95)", "vs `python -S -c pass`", "vs the floor", "peak RSS MiB", "target"],
                    clean_table,
                )
            )
        clean_peaks = {r["command"]: r["clean_peak_mib"] for r in cold["rows"] if "clean_peak_mib" in r}
        peaks = {r["command"]: r["peak_mib"] for r in cold["rows"] if "peak_mib" in r}
        hot = [c for c in peaks if c.startswith("hemokg ") and c != "hemokg --help" and "click" not in c]
        if hot and clean_peaks and all(c in clean_peaks for c in hot):
            worst = max(hot, key=lambda c: clean_peaks[c])
            base = ", ".join(
                f"{label}: {clean_peaks[key]:.1f} MiB"
                for label, key in (("`python -S -c pass`", "python -c pass"), ("the floor", FLOOR_NAME))
                if key in clean_peaks
            )
            target = results["cold"].get("peak_target_mib", 30.0)
            targets.append(
                [
                    f"peak RSS of a cold hot command, clean start (largest: `{worst}`)",
                    f"≤ {target:g} MiB",
                    f"{clean_peaks[worst]:.1f} MiB ({base}; with this machine's start-up hook "
                    f"{peaks[worst]:.1f} MiB, the floor {peaks.get(FLOOR_NAME, float('nan')):.1f} MiB)",
                    _met(clean_peaks[worst] <= target),
                ]
            )
        elif hot:
            worst = max(hot, key=lambda c: peaks[c])
            others = [("`python -c pass`", "python -c pass"), ("the floor", FLOOR_NAME)]
            base = ", ".join(f"{label}: {peaks[key]:.1f} MiB" for label, key in others if key in peaks)
            target = results["cold"].get("peak_target_mib", 30.0)
            targets.append(
                [
                    f"peak RSS of a cold hot command (largest: `{worst}`)",
                    f"≤ {target:g} MiB",
                    f"{peaks[worst]:.1f} MiB" + (f" ({base})" if base else ""),
                    _met(peaks[worst] <= target),
                ]
            )
        out.append(
            f"\nFirst start with an empty cache: {cold['first_start_s']:.2f} s "
            f"({'ok' if cold['first_start_ok'] else 'failed'}).\n"
        )
    store = results.get("store_choice")
    if store:
        out.append("## 2. Warm stored queries: the store choice (issue 3)\n")
        out.append(
            "Milliseconds, median (p95), ×N = times slower than pyoxigraph on the same query text; `kg.query` "
            "is the user-facing call on the default store (resolving parameters, building rows); ≠ marks an "
            "engine whose row count differs from pyoxigraph's.\n\n"
        )
        out.append(store_choice_limits(store))
        graphs = store.get("graphs") or [store]
        if len(graphs) > 1:
            out.append("### hemo's reasoned graph\n\n")
        out.append(store_choice_table(graphs[0]))
        for graph in graphs[1:]:
            out.append(
                f"\n### Synthetic {graph['scale']:g}× hemo (`benchmarks.synthetic` with its relation-graph closure; "
                "IRI parameters bound to a term of the kind they name)\n\n"
            )
            out.append(store_choice_table(graph))
        ox = {
            q: e["pyoxigraph Store"]["median"]
            for q, e in store["queries"].items()
            if "median" in e.get("pyoxigraph Store", {})
        }
        if ox:
            # as in section 2b, a listing (no term parameter, more than one row) is judged per row
            listing = _listings({q: store["queries"][q]["pyoxigraph Store"].get("rows", 0) for q in ox})
            judged = {q: ox[q] / listing[q] if q in listing else ox[q] for q in ox}
            worst = max(judged, key=judged.__getitem__)
            over = sorted((q for q in judged if judged[q] >= 1e-3), key=judged.__getitem__, reverse=True)
            measured = (
                ", ".join(f"`{q}` {_ms(judged[q])} ms" for q in over)
                if over
                else f"slowest `{worst}` {_ms(judged[worst])} ms" + (" per row" if worst in listing else "")
            )
            # One term per query, its header example, which is often the heaviest there is (the stem cell's whole
            # tree): reported beside the target, which issue 18 sets over varied parameters (section 2b).
            targets.append(
                [
                    "stored queries on hemo, each on its header example only (the bare pyoxigraph `Store`, bound as "
                    "hemokg binds; listings per row); the < 1 ms target is judged over varied terms in 2b",
                    "for reference",
                    ("over 1 ms: " if over else "all under 1 ms; ") + measured,
                    "–",
                ]
            )
            runnable = [
                q
                for q in sorted(ox, key=ox.__getitem__, reverse=True)
                if store["queries"][q].get("rdflib Graph", {}).get("median")
            ]
            if runnable:
                top = runnable[0]
                rdf = store["queries"][top]["rdflib Graph"]["median"]
                skipped = [q for q in sorted(ox, key=ox.__getitem__, reverse=True) if ox[q] > ox[top]]
                note = (
                    f" (no rdflib figure for {', '.join(f'`{q}`' for q in skipped)}: over a limit, or fails)"
                    if skipped
                    else ""
                )
                targets.append(
                    [
                        f"pyoxigraph vs rdflib memory store on pyoxigraph's slowest (`{top}`){note}",
                        "≥ 10× faster",
                        f"{rdf / ox[top]:,.1f}×",
                        _met(rdf / ox[top] >= 10),
                    ]
                )
            on_rdflib = {
                q: e["rdflib Graph"]["median"]
                for q, e in store["queries"].items()
                if "median" in e.get("rdflib Graph", {}) and q in ox
            }
            if on_rdflib:
                slow = max(on_rdflib, key=on_rdflib.__getitem__)
                ratio = on_rdflib[slow] / ox[slow]
                targets.append(
                    [
                        f"pyoxigraph vs rdflib memory store on rdflib's slowest (`{slow}`)",
                        "≥ 10× faster",
                        f"{ratio:,.0f}×",
                        _met(ratio >= 10),
                    ]
                )
    warm = results.get("warm")
    if warm:
        out.append("\n## 2b. Warm stored queries over varied parameters (issue 18)\n")
        out.append(
            f"Each query with {warm['cases_per_query']} different values of its IRI parameter (cells for a `cell` "
            "parameter, else labelled terms), given by label; milliseconds, median over the cases of each case's "
            f"median ({warm['repeats']} runs). `kg.query` resolves the label, binds it and builds the rows; `store` "
            "runs the text the embedded backend then runs straight on pyoxigraph; `+` is what `kg.query` adds. "
            "A whole-graph listing (no parameter) is also given per row.\n\n"
        )
        out.append(warm_table(warm))
        for what, e in warm.get("calls", {}).items():
            out.append(
                f"\n`kg.{what}(label)` over hemo's {e['cells']} cells: median {e['median_ms']:.3f} ms, slowest "
                f"`{e['slowest']}` {e['slowest_ms']:.3f} ms.\n"
            )
            targets.append(
                [
                    f"`kg.{what}(label)` warm on hemo (median over its cells)",
                    "< 2 ms",
                    f"{e['median_ms']:.3f} ms (slowest `{e['slowest']}` {e['slowest_ms']:.2f} ms)",
                    _met(e["median_ms"] < 2),
                ]
            )
        queries = warm["queries"]
        figure = {
            q: e.get("per_row_us", e["kg_ms"] * 1e3) / 1e3 if "per_row_us" in e else e["kg_ms"]
            for q, e in queries.items()
        }
        over = sorted((q for q in figure if figure[q] >= 1.0), key=figure.__getitem__, reverse=True)
        slowest = max(figure, key=figure.__getitem__)
        targets.append(
            [
                "every stored query warm on hemo, `kg.query`, varied parameters (listings per row)",
                "< 1 ms median",
                ("over 1 ms: " + ", ".join(f"`{q}` {figure[q]:.2f} ms" for q in over))
                if over
                else f"slowest `{slowest}` {figure[slowest]:.2f} ms",
                _met(not over),
            ]
        )
        costs = (  # (what, target, key of the share added, the figure it is added to, limit or None)
            ("label resolution added to a stored query (`kg.query` by label over the same terms by IRI)", "< 20 %",
             "labels_add", "iri_ms", 0.2),
            ("resolution, binding and rows together (`kg.query` over the bare store query; no target)", "–",
             "overhead", "store_ms", None),
        )  # fmt: skip
        for what, target, key, base, limit in costs:
            added = {q: e[key] for q, e in queries.items() if e["varied"] and key in e}
            if added:
                worst = max(added, key=added.__getitem__)
                ms = queries[worst]["kg_ms"] - queries[worst][base]
                targets.append(
                    [
                        what,
                        target,
                        f"largest `{worst}` {added[worst] * 100:+.0f} % ({ms:.3f} ms); "
                        f"median {statistics.median(added.values()) * 100:+.0f} %",
                        _met(added[worst] < limit) if limit is not None else "for reference",
                    ]
                )
    load = results.get("load")
    if load:
        out.append("\n## 3. Load and reasoning\n")
        rows = [[r["what"], r.get("error") or f"{_ms(r['median'])} ({_ms(r['p95'])})"] for r in load["rows"]]
        for r in load["reasoners"]:
            rows.append(
                [
                    f"reasoner: {r['reasoner']}",
                    r.get("error") or f"{_ms(r['wall']['median'])} ({_ms(r['wall']['p95'])})",
                ]
            )
        out.append(_table(["what", "ms median (p95)"], rows))
        jvm = load["jvm"]
        out.append(f"\nCached start with no `java` on PATH: {'ok' if jvm['ok'] else 'FAILED'} — {jvm['detail']}.\n")
        targets.append(["a cached start never starts a JVM", "no java, no owlready2", jvm["detail"], _met(jvm["ok"])])
    remote = results.get("remote")
    if remote:
        out.append("\n## 4. Remote: Oxigraph server on 127.0.0.1\n")
        if "error" in remote:
            out.append(remote["error"] + "\n")
        else:
            rows = [
                [
                    f"`{r['query']}`",
                    r.get("error") or f"{_ms(r['embedded']['median'])}",
                    "" if "error" in r else _ms(r["remote"]["median"]),
                    "" if "error" in r else f"{r['ratio']:.1f}×" + ("" if r["agrees"] else " ≠"),
                ]
                for r in remote["rows"]
            ]
            out.append(_table(["query", "embedded ms", "remote ms", "remote / embedded"], rows))
            push = remote["push"]
            out.append(
                f"\nUpload of {remote['triples']:,} triples: `hemokg push` "
                + (
                    push["error"]
                    if "error" in push
                    else f"{push['seconds']:.2f} s ({push['triples_per_s']:,.0f} triples/s, whole process)"
                )
                + f"; Graph Store Protocol PUT (server ingest baseline) {remote['gsp']['seconds']:.2f} s "
                f"({remote['gsp']['triples_per_s']:,.0f} triples/s).\n"
            )
    scale = results.get("scale")
    if scale:
        out.append(_scale_section(scale, plotted, targets))
    annotate = results.get("annotate")
    if annotate:
        from benchmarks.annotate import render_section

        out.append("\n" + render_section(annotate))
    out.append("\n## Targets\n")
    out.append(_table(["target", "wanted", "measured", "verdict"], targets))
    if meta.get("notes"):
        out.append("\n## Notes: causes and fixes of missed targets\n\n" + meta["notes"].strip() + "\n")
    return "\n".join(out)


def _longest_chain(ox: dict) -> str:
    """The longest-chain cell's lookup and lineage medians (ms), where the run timed it apart from the spread."""
    target = ox.get("target") or {}
    if "lookup" not in target:
        return ""
    return f"{_ms(target['lookup']['median'])} / {_ms(target['lineage']['median'])}"


def _scale_section(scale: dict, plotted: bool, targets: list[list[str]]) -> str:
    out = [
        "\n## 5–6. Scale and memory (synthetic hemo-shaped ontologies)\n",
        "Generated by `benchmarks.synthetic` (seed 0) in hemo's proportions; each engine in its own process. "
        "Times in seconds except the warm queries (ms).\n\n",
    ]
    rows = []
    for r in scale["rows"]:
        ox = r.get("oxigraph", {})
        if "error" in ox:
            rows.append([f"{r['scale']:g}×", f"{r['lines']:,}", ox["error"], *[""] * 10])
            continue
        rss = " / ".join(
            f"{ox[k]:,.0f}"
            for k in ("rss_after_load_mib", "rss_after_relation_graph_mib", "rss_after_insert_mib")
            if k in ox
        )
        rows.append(
            [
                f"{r['scale']:g}×",
                f"{ox['triples']:,}",
                _s(r["generate_s"]),
                _s(ox["load_s"]),
                _s(ox["relation_graph_s"]),
                _s(ox.get("relation_insert_s")),
                f"{ox['relation_triples']:,}",
                _s(ox["index_s"]),
                _ms(ox["lookup"]["median"]),
                _ms(ox["lineage"]["median"]),
                _ms(ox["lineage_curie"]["median"]),
                _longest_chain(ox),
                rss,
                f"{ox['peak_mib']:,.0f}",
            ]
        )
    out.append(
        _table(
            [
                "size",
                "triples",
                "generate",
                "load",
                "relation graph",
                "insert closure",
                "closure triples",
                "label index",
                "lookup(label) ms",
                "lineage(label) ms",
                "lineage(CURIE) ms",
                "longest chain: lookup / lineage ms",
                "RSS MiB after load / relation graph / insert",
                "peak RSS MiB",
            ],
            rows,
        )
    )
    spread = next((r["oxigraph"].get("spread") for r in scale["rows"] if "spread" in r.get("oxigraph", {})), None)
    out.append(
        "\n`relation graph` is `hemokg.graph.relation_graph()` alone; `insert closure` adds its triples to the store "
        "as `Quad`s (what `hemokg build` does). "
        + (
            f"`lookup` and `lineage` are warm, the median over {spread} cells drawn from the whole graph of each "
            "cell's median; `longest chain` is the cell of the last block with the most develops-from steps, timed "
            "alone as earlier reports timed every size (one term: its figure moves with the term, not the size).\n"
            if spread
            else "`lookup` and `lineage` are warm, on the cell of the last block with the longest chain.\n"
        )
    )
    rows = []
    for r in scale["rows"]:
        for engine, key in (("rdflib", "load_s"), ("hermit", "reason_s")):
            if engine in r:
                e = r[engine]
                what = e.get("error") or (
                    f"load {_s(e['load_s'])} s, lookup queries {_ms(e['lookup']['median'])} ms"
                    if engine == "rdflib"
                    else f"classified in {_s(e[key])} s"
                )
                rows.append([f"{r['scale']:g}×", engine, what, f"{e.get('peak_mib', float('nan')):,.0f}"])
    if rows:
        out.append("\nOther engines on the same files:\n\n")
        out.append(_table(["size", "engine", "result", "peak RSS MiB"], rows))
    done = [r for r in scale["rows"] if "relation_graph_s" in r.get("oxigraph", {})]
    steps = [
        f"{a['scale']:g}×→{b['scale']:g}×: "
        + ", ".join(
            f"{k} {math.log(b['oxigraph'][k] / a['oxigraph'][k]) / math.log(b['scale'] / a['scale']):.2f}"
            for k in ("load_s", "relation_graph_s", "relation_insert_s", "rss_end_mib")
            if k in a["oxigraph"]
        )
        for a, b in itertools.pairwise(done)
    ]
    if steps:
        out.append("\nStep by step (log-log slopes): " + "; ".join(steps) + ".\n")
    if scale["slopes"]:
        out.append(
            "\nGrowth (log-log slope from the smallest to the largest size; 1 = linear): "
            + ", ".join(f"{k} {v:.2f}" for k, v in scale["slopes"].items())
            + ".\n"
        )
    if plotted:
        out.append("\n![scaling curves](img/benchmark-scaling.png)\n")
    wanted = {1: 0.002, 100: 0.005, 1000: 0.005}  # issue 18: < 2 ms on hemo's size, < 5 ms at 100x and 1,000x
    for row in scale["rows"]:
        ox = row.get("oxigraph", {})
        if row["scale"] in wanted and "lookup" in ox:
            for what in ("lookup", "lineage"):
                limit = wanted[row["scale"]]
                targets.append(
                    [
                        f"`kg.{what}(label)` warm at {row['scale']:,g}×"
                        + (f" (median over {ox['spread']} cells)" if ox.get("spread") else ""),
                        f"< {limit * 1e3:g} ms",
                        f"{_ms(ox[what]['median'])} ms",
                        _met(ox[what]["median"] < limit),
                    ]
                )
    big = next((r for r in scale["rows"] if r["scale"] == 1000 and "lookup" in r.get("oxigraph", {})), None)
    if big:
        targets.append(
            [
                "peak RSS of the 1,000× load (+ relation graph, queries)",
                "reported",
                f"{big['oxigraph']['peak_mib']:,.0f} MiB",
                "–",
            ]
        )
    for key, value in scale["slopes"].items():
        if key in ("lookup", "lineage", "lineage_curie"):  # issue 18: flat with the graph's size
            against = scale["slopes"].get(f"{key}_vs_reference")
            if against is None:  # a run from before the reference was timed beside each call
                targets.append([f"growth of {key}", "slope < 0.1", f"{value:.2f}", _met(value < 0.1)])
            else:  # judged on the ratio to the reference timed beside it: the machine's drift between sizes cancelled
                targets.append(
                    [
                        f"growth of {key} (its ratio to one lookup on hemo timed beside it at each size)",
                        "slope < 0.1",
                        f"{against:.2f} (in milliseconds alone: {value:.2f})",
                        _met(against < 0.1),
                    ]
                )
        elif key in ("load_s", "relation_graph_s", "relation_insert_s", "index_s"):
            targets.append([f"growth of {key}", "≤ linear (slope ≤ 1.1)", f"{value:.2f}", _met(value <= 1.1)])
    return "".join(out)
