"""OAK over hemo: whole ``runoak`` processes on the hemokg plugin against OAK's own OBO adapters (issue 17).

``python -m benchmarks.oak [--rounds N]`` runs ``runoak -i hemokg: ancestors neutrophil`` and the same command on
``pronto:hemo.obo`` and ``simpleobo:hemo.obo`` (the OBO file written by ``hemokg export --format obo``) as fresh
processes of the real interpreter, taking turns round after round, plus ``runoak --help`` as OAK's own start-up;
medians, p95 and peak RSS go into their own section of ``docs/benchmarks.md`` (replaced in place, written
atomically), with the commit measured. Needs oaklib and the plugin installed (``pip install -e '.[oak]'``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import REPO, run_child, stats

__all__ = ["commands", "keep_section", "main", "render", "run", "write"]

PY = sys.executable
RUNOAK = [PY, "-c", "import sys; from oaklib.cli import main; sys.exit(main())"]
BEGIN, END = "<!-- oak-benchmark:begin -->", "<!-- oak-benchmark:end -->"


def commands(obo: Path) -> dict[str, list[str]]:
    """What is timed: name -> argv."""
    return {
        "python -c pass": [PY, "-c", "pass"],
        "runoak --help": [*RUNOAK, "--help"],
        "runoak -i hemokg: ancestors neutrophil": [*RUNOAK, "-i", "hemokg:", "ancestors", "neutrophil"],
        "runoak -i hemokg: ancestors -p i,RO:0002202 neutrophil": [
            *RUNOAK,
            "-i",
            "hemokg:",
            "ancestors",
            "-p",
            "i,RO:0002202",
            "neutrophil",
        ],
        "runoak -i pronto:hemo.obo ancestors neutrophil": [*RUNOAK, "-i", f"pronto:{obo}", "ancestors", "neutrophil"],
        "runoak -i simpleobo:hemo.obo ancestors neutrophil": [
            *RUNOAK,
            "-i",
            f"simpleobo:{obo}",
            "ancestors",
            "neutrophil",
        ],
        "hemokg lineage neutrophil": [PY, "-m", "hemokg", "lineage", "neutrophil", "--format", "tsv"],
    }


_IN_PROCESS = """
import json, sys, time, statistics
from oaklib import get_adapter
selector, repeats = sys.argv[1], int(sys.argv[2])
opened, asked = [], []
for _ in range(3):
    t = time.perf_counter(); adapter = get_adapter(selector); opened.append(time.perf_counter() - t)
for _ in range(repeats):
    t = time.perf_counter()
    found = list(adapter.ancestors(["HEMO:0000123"], predicates=["rdfs:subClassOf", "RO:0002202"]))
    asked.append(time.perf_counter() - t)
median = statistics.median
print(json.dumps({"open_s": median(opened), "ancestors_ms": median(asked) * 1e3, "n": len(found)}))
"""


def in_process(obo: Path, repeats: int = 20) -> list[dict]:
    """Inside one process: opening each adapter (median of 3) and one ancestors call over is-a + develops-from."""
    rows = []
    for selector in ("hemokg:", f"pronto:{obo}", f"simpleobo:{obo}"):
        child = run_child([PY, "-c", _IN_PROCESS, selector, str(repeats)], timeout=900)
        if child.code != 0:
            raise SystemExit(f"{selector} failed: {child.err.decode(errors='replace').strip()[-400:]}")
        name = selector if selector == "hemokg:" else selector.split(":")[0] + ":hemo.obo"
        rows.append({"selector": name, **json.loads(child.out.decode().strip().splitlines()[-1])})
    return rows


def run(rounds: int = 5) -> dict:
    """Median/p95 wall time and peak RSS of each command, and how many lines each printed."""
    folder = Path(tempfile.mkdtemp(prefix="hemokg-oak-bench-"))
    obo = folder / "hemo.obo"
    subprocess.run([PY, "-m", "hemokg", "export", "--format", "obo", "-o", str(obo)], check=True, cwd=REPO)
    argvs = commands(obo)
    lines: dict[str, int] = {}
    for name, argv in argvs.items():  # warm-up; a failing command stops the run with its message
        child = run_child(argv, timeout=600)
        if child.code != 0:
            raise SystemExit(f"{name} failed: {child.err.decode(errors='replace').strip()[-400:]}")
        lines[name] = len(child.out.decode().strip().splitlines())
    times: dict[str, list[float]] = {name: [] for name in argvs}
    for _ in range(rounds):
        for name, argv in argvs.items():
            times[name].append(run_child(argv, timeout=600).seconds)
    rows = []
    for name, argv in argvs.items():
        summary = stats(times[name])
        rows.append(
            {
                "command": name,
                "median_s": summary["median"],
                "p95_s": summary["p95"],
                "peak_mib": run_child(argv, timeout=600, rss=True).peak_mib,
                "lines": lines[name],
                "n": summary["n"],
            }
        )
    commit = subprocess.run(
        ["git", "log", "-1", "--format=%h %cs"], capture_output=True, text=True, cwd=REPO, check=False
    ).stdout.strip()
    from importlib.metadata import version

    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "oaklib": version("oaklib"),
        "rounds": rounds,
        "rows": rows,
        "in_process": in_process(obo),
    }


def render(result: dict) -> str:
    """The section of docs/benchmarks.md, between its markers."""
    base = next(r for r in result["rows"] if r["command"] == "runoak -i hemokg: ancestors neutrophil")["median_s"]
    out = [
        BEGIN,
        "## OAK: `runoak` on the hemokg plugin vs OAK's OBO adapters (issue 17)",
        "",
        f"Measured {result['date']} at commit `{result['commit']}` with oaklib {result['oaklib']}, by `python -m "
        f"benchmarks.oak` ({result['rounds']} rounds, whole processes taking turns; `hemo.obo` is `hemokg export "
        "--format obo`). ×N is the median over the hemokg plugin's.",
        "",
        "| command | s median (p95) | ×N | peak RSS MiB | lines printed |",
        "|---|---|---|---|---|",
    ]
    for r in result["rows"]:
        out.append(
            f"| `{r['command']}` | {r['median_s']:.2f} ({r['p95_s']:.2f}) | {r['median_s'] / base:.2f}× | "
            f"{r['peak_mib']:.0f} | {r['lines']} |"
        )
    out += [
        "",
        "Inside one process (OAK already imported): opening the adapter, median of 3, and one `ancestors` call "
        "over `rdfs:subClassOf` + `RO:0002202` from the neutrophil, median of 20:",
        "",
        "| adapter | open s | ancestors ms | ancestors found |",
        "|---|---|---|---|",
    ]
    for r in result.get("in_process", []):
        out.append(f"| `{r['selector']}` | {r['open_s']:.2f} | {r['ancestors_ms']:.1f} | {r['n']} |")
    out += [
        "",
        "`python -c pass` shows how loaded the machine was (2 cores shared with other jobs). Most of every "
        "`runoak` process is OAK's own start-up (`runoak --help`: importing oaklib, its data models and its "
        "plugins). On top of it the hemokg plugin parses the shipped reasoned graph (N-Quads, no reasoning) and "
        "answers the closure in one SPARQL query over the relation graph; pronto and simpleobo parse the OBO file "
        "and walk its edges. Without `-p`, `ancestors` follows every relation on all three.",
        END,
    ]
    return "\n".join(out) + "\n"


def keep_section(report: str, path: Path) -> str:
    """The new report with the OAK section of the old one at its end (``python -m benchmarks`` re-renders the rest
    of the file from its own results)."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    found = re.search(re.escape(BEGIN) + r".*?" + re.escape(END) + r"\n?", old, re.S)
    return report if found is None else report.rstrip("\n") + "\n\n" + found.group(0)


def write(section: str, path: Path = REPO / "docs" / "benchmarks.md") -> None:
    """Replace the section in the report (or append it), atomically."""
    from hemokg.fileio import atomic_write

    text = path.read_text(encoding="utf-8") if path.exists() else ""
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END) + r"\n?", re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    atomic_write(path, text.encode("utf-8"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    section = render(run(args.rounds))
    write(section)
    print(section)


if __name__ == "__main__":
    main()
