"""``python -m benchmarks [--quick | --full] [--only SECTION ...] [-o FILE]``: run the benchmarks, write the report.

Default: every section, synthetic sizes up to 1,000× hemo; ``--quick`` is a smoke run (tiny sizes, few repeats);
``--full`` adds 10,000× (on an on-disk store; minutes and gigabytes, never in CI). The report goes to
``docs/benchmarks.md`` and the plot to ``docs/img/benchmark-scaling.png``, both written atomically.
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks.common import REPO, Sizes, machine, versions

__all__ = ["SECTIONS", "main"]

SECTIONS = ("cold", "store_choice", "warm", "load", "remote", "scale", "annotate")
NOTES = REPO / "benchmarks" / "NOTES.md"
LAST = REPO / "benchmarks" / "last-run.json"


def run_sections(sizes: Sizes, only: list[str]) -> dict[str, Any]:
    """Run the chosen sections in order; a section that fails is reported with its error, not fatal."""
    from importlib import import_module

    cache = Path(tempfile.mkdtemp(prefix="hemokg-bench-cache-"))
    results: dict[str, Any] = {}
    for name in only:
        logging.info("benchmark section %s (%s)", name, sizes.name)
        module = import_module(f"benchmarks.{name}")
        try:
            results[name] = module.run(sizes, cache) if name in ("cold", "load") else module.run(sizes)
        except Exception as exc:  # one broken section must not lose the others' numbers
            logging.exception("section %s failed", name)
            results[name] = {"error": f"{type(exc).__name__}: {exc}"}
    return results


def _sizes(text: str) -> tuple[float, ...]:
    try:
        sizes = tuple(float(s) for s in text.split(",") if s.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of numbers, e.g. 1,10,100") from None
    if not sizes or any(s <= 0 for s in sizes):
        raise argparse.ArgumentTypeError(f"{text!r}: give positive sizes, e.g. 1,10,100")
    return sizes


def _store_sizes(text: str) -> tuple[float, ...]:
    return () if text.strip().lower() == "none" else _sizes(text)


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give a positive number")
    return value


def argv_text(sizes: tuple[float, ...] | None) -> str | None:
    """``--store-sizes``'s value as it would be typed (None when not given)."""
    if sizes is None:
        return None
    return ",".join(f"{s:g}" for s in sizes) or "none"


def code_commit() -> str:
    """The commit measured (short hash), marked ``+changes`` when the work tree differs from it."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    if head.returncode != 0:
        return "unknown (not a git checkout)"
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "hemokg", "queries", "ontology"],
        cwd=REPO,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return head.stdout.strip() + (" +changes" if dirty else "")


def scale_figures(scale: dict[str, Any]) -> dict[str, Any]:
    """The scale section as the figures a change is re-checked against: medians (ms) per size, and the slopes."""
    rows = []
    for row in scale.get("rows", []):
        ox = row.get("oxigraph", {})
        keys = [key for key in ("lookup", "lineage", "lineage_curie") if key in ox]
        figures = {key: round(ox[key]["median"] * 1000, 4) for key in keys}
        longest = ox.get("target") or {}  # the longest chain's cell, timed alone
        figures |= {f"longest_{k}": round(longest[k]["median"] * 1000, 4) for k in keys if k in longest}
        ratios = {f"{k}_vs_reference": round(ox[k]["vs_reference"], 4) for k in keys if "vs_reference" in ox[k]}
        rows.append(
            {
                "scale": row["scale"],
                "triples": ox.get("triples"),
                **{f"{k}_ms": v for k, v in figures.items()},
                **ratios,
                **({"error": ox["error"]} if "error" in ox else {}),
            }
        )
    return {
        "commit": code_commit(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "sizes": rows,
        "slopes": {k: round(v, 3) for k, v in (scale.get("slopes") or {}).items()},
    }


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run, write the report and the plot."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="smoke run: tiny sizes, few repeats")
    mode.add_argument("--full", action="store_true", help="also 10,000x hemo (on disk; slow)")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=None, help="sections to run")
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=None,
        help="synthetic sizes (multiples of hemo, e.g. 1,10,100) for the scale section alone, embedded store only",
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=None,
        help="write the scale figures (lookup and lineage medians per size, slopes, commit, machine) to FILE "
        "instead of the report",
    )
    store = parser.add_argument_group("section 2 (store_choice): each engine's limits, in its own process")
    store.add_argument(
        "--store-sizes",
        type=_store_sizes,
        default=None,
        metavar="SIZES",
        help="synthetic sizes compared after hemo (e.g. 10,100; 'none': hemo only) [quick and default: none, full: 10]",
    )
    store.add_argument(
        "--store-time",
        type=_positive,
        default=None,
        metavar="S",
        help="seconds one step may take (an engine's load, or one run of one query) [quick 10, else 30]",
    )
    store.add_argument(
        "--store-memory",
        type=_positive,
        default=None,
        metavar="MIB",
        help="resident memory an engine's process may reach, MiB (address space: 512 more) [quick 1024, else 2048]",
    )
    store.add_argument(
        "--store-budget",
        type=_positive,
        default=None,
        metavar="S",
        help="seconds an engine may spend on one graph before the rest of its queries there are skipped "
        "[quick 20, full 600, else 450]",
    )
    parser.add_argument("-o", "--output", type=Path, default=REPO / "docs" / "benchmarks.md")
    parser.add_argument(
        "--plot", type=Path, default=None, help="plot path [default: OUTPUT's folder/img/benchmark-scaling.png]"
    )
    parser.add_argument(
        "--rerender",
        action="store_true",
        help="only re-render the report from the last run's benchmarks/last-run.json (new notes)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    from benchmarks.oak import keep_section
    from benchmarks.report import plot, render
    from benchmarks.synthetic import hemo_profile
    from hemokg.fileio import atomic_write

    if args.rerender:
        saved = json.loads(LAST.read_text(encoding="utf-8"))
        saved["meta"]["notes"] = NOTES.read_text(encoding="utf-8") if NOTES.exists() else ""
        annotate_last = REPO / "benchmarks" / "annotate" / "last-run.json"
        if "annotate" not in saved["results"] and annotate_last.exists():  # `python -m benchmarks.annotate`'s run
            saved["results"]["annotate"] = json.loads(annotate_last.read_text(encoding="utf-8"))
        plotted = (
            plot(saved["results"]["scale"], REPO / "docs" / "img" / "benchmark-scaling.png")
            if "scale" in saved["results"]
            else False
        )
        report = render(saved["meta"], saved["results"], bool(plotted))
        atomic_write(args.output, keep_section(report, args.output).encode())
        print(f"wrote {args.output}")
        return 0
    sizes = Sizes.pick("quick" if args.quick else "full" if args.full else "default")
    if args.sizes:
        sizes = replace(sizes, name="sizes", scales=args.sizes, reasoner_scales=(), rdflib_scales=())
    limits = {
        "store_scales": args.store_sizes,
        "store_time_limit": args.store_time,
        "store_memory_mib": args.store_memory,
        "store_engine_budget": args.store_budget,
    }
    sizes = replace(sizes, **{k: v for k, v in limits.items() if v is not None})
    only = args.only or (["scale"] if args.sizes or args.json else list(SECTIONS))
    started = time.perf_counter()
    results = run_sections(sizes, only)
    if args.json:
        atomic_write(args.json, json.dumps(scale_figures(results.get("scale") or {}), indent=1).encode() + b"\n")
        print(f"wrote {args.json}")
        return 0

    plot_path = args.plot or args.output.parent / "img" / "benchmark-scaling.png"
    plotted = "scale" in results and "rows" in results["scale"] and plot(results["scale"], plot_path)
    commit = (
        subprocess.run(
            ["git", "log", "-1", "--format=%h %cs", "--", "ontology/hemo.ttl"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        or "uncommitted"
    )
    profile = hemo_profile()
    meta: dict[str, Any] = {
        "code_commit": code_commit(),
        "command": "python -m benchmarks"
        + (" --quick" if args.quick else " --full" if args.full else "")
        + (f" --only {' '.join(args.only)}" if args.only else "")
        + "".join(
            f" --{flag} {value if isinstance(value, str) else format(value, 'g')}"
            for flag, value in (
                ("store-sizes", argv_text(args.store_sizes)),
                ("store-time", args.store_time),
                ("store-memory", args.store_memory),
                ("store-budget", args.store_budget),
            )
            if value is not None
        ),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "mode": sizes.name,
        "seconds": time.perf_counter() - started,
        "machine": machine(),
        "versions": versions(),
        "hemo_commit": commit,
        "hemo_profile": f"{profile.classes} classes",
        "notes": NOTES.read_text(encoding="utf-8") if NOTES.exists() and not args.quick else "",
    }
    for name, value in results.items():
        if isinstance(value, dict) and set(value) == {"error"}:
            results[name] = None
            meta["notes"] += f"\n- section {name} failed: {value['error']}\n"
    kept = {k: v for k, v in results.items() if v}
    atomic_write(args.output, keep_section(render(meta, kept, bool(plotted)), args.output).encode())
    if not args.quick:
        atomic_write(LAST, json.dumps({"meta": meta, "results": kept}, indent=1).encode())
    print(f"wrote {args.output}" + (f" and {plot_path}" if plotted else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
