"""Section 1 and half of 6: whole ``hemokg`` processes from a cold start, against a bare interpreter, with peak RSS.

Every command runs as a fresh process of the real interpreter (``sys.executable``, not the pyenv shim), the commands
taking turns round after round; the ratio is to ``python -c pass`` measured in the same rounds, and to the floor of
a hot command (``benchmarks/floor.py``: a bare pyoxigraph script parsing the reasoned graph and running the stored
``develops-from-chain`` text). ``hemokg lineage neutrophil`` also runs through the click CLI
(``HEMOKG_NO_FAST_PATH=1``), next to the fast path that reads the same option table.

Every child runs with bytecode, as an installed package does (pip compiles it): ``PYTHONDONTWRITEBYTECODE`` is
dropped and ``PYTHONPYCACHEPREFIX`` points into the run's own cache folder, so the untimed warm-up round compiles each
module once and nothing is written into the checkout. (With ``PYTHONDONTWRITEBYTECODE=1`` and no ``__pycache__``, a
checkout recompiles every hemokg module at every start: ~0.1 s more, none of it hemokg's own work.)

The floor, ``python -c pass`` and the hot commands also run from a *clean start*: ``python -S`` with the
site-packages folders on ``PYTHONPATH``, so the interpreter runs no ``.pth`` start-up hook. A machine's hooks are not
hemokg's work, but they add the same milliseconds to every process and so flatter a ratio (this sandbox's
``_sandboxing_egress_ca.pth`` imports certifi at every start: ~35 ms and ~5 MiB). The targets are judged on both
starts; the peak-memory target (set where a bare start took ~8 MiB) on the clean one, the other shown beside it.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks.common import Sizes, run_child, stats

__all__ = ["CLICK_ROUTE", "COMMANDS", "FLOOR", "PEAK_TARGET_MIB", "TARGETS", "run"]

PY = sys.executable
#: The floor of a hot command: a bare pyoxigraph script doing the same work (benchmarks/floor.py).
FLOOR = "floor: pyoxigraph script, develops-from-chain"
CLICK_ROUTE = "hemokg lineage neutrophil (click route)"
#: What is timed: name -> argv. The hemokg commands run as ``python -m hemokg`` (what the console script does).
COMMANDS: dict[str, list[str]] = {
    "python -c pass": [PY, "-c", "pass"],
    'python -c "import rdflib"': [PY, "-c", "import rdflib"],
    'python -c "import click"': [PY, "-c", "import click"],
    FLOOR: [PY, str(Path(__file__).with_name("floor.py")), "platelet"],
    "hemokg --help": [PY, "-m", "hemokg", "--help"],
    "hemokg lineage neutrophil": [PY, "-m", "hemokg", "lineage", "neutrophil", "--format", "tsv"],
    "hemokg lookup hemopoiesis": [PY, "-m", "hemokg", "lookup", "hemopoiesis", "--format", "tsv"],
    "hemokg query develops-from-chain -p cell=platelet": [
        PY,
        "-m",
        "hemokg",
        "query",
        "develops-from-chain",
        "-p",
        "cell=platelet",
        "--format",
        "tsv",
    ],
}
#: Commands run with ``HEMOKG_NO_FAST_PATH=1`` (the click route), to show what the fast path saves.
COMMANDS[CLICK_ROUTE] = COMMANDS["hemokg lineage neutrophil"]
#: Target ratios (issue 18): the hot commands at most 1.5x the floor, ``--help`` at most 4x ``python -c pass``.
TARGETS: dict[str, tuple[float, str]] = {
    "hemokg --help": (4.0, "python -c pass"),
    "hemokg lineage neutrophil": (1.5, "floor"),
    "hemokg lookup hemopoiesis": (1.5, "floor"),
    "hemokg query develops-from-chain -p cell=platelet": (1.5, "floor"),
}
#: Peak RSS target of a hot command, MiB (issue 18).
PEAK_TARGET_MIB = 30.0
#: What also runs from a clean start (``python -S``, no start-up hooks): the bases and the hot commands.
CLEAN = ["python -c pass", FLOOR, *TARGETS]


def clean_argv(argv: list[str]) -> list[str]:
    """``argv`` from a clean start: ``-S`` (no ``site``, so no ``.pth`` hook runs); see :func:`clean_env`."""
    return [argv[0], "-S", *argv[1:]]


def clean_env(env: dict[str, str]) -> dict[str, str]:
    """``env`` with the checkout and the site-packages folders on ``PYTHONPATH`` (what ``site`` would have added)."""
    import site

    folders = [str(Path(__file__).resolve().parents[1]), *site.getsitepackages()]
    user = site.getusersitepackages()
    if user and Path(user).is_dir():
        folders.append(user)
    return {**env, "PYTHONPATH": os.pathsep.join(folders)}


def run(sizes: Sizes, cache: Path | None = None) -> dict:
    """Median wall time, ratio to a bare interpreter and peak RSS of each command; the first (uncached) start too."""
    cache = cache or Path(tempfile.mkdtemp(prefix="hemokg-bench-cache-"))
    env = {**os.environ, "HEMOKG_CACHE_DIR": str(cache), "PYTHONPYCACHEPREFIX": str(cache / "pycache")}
    env.pop("HEMOKG_NO_FAST_PATH", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    click_env = {**env, "HEMOKG_NO_FAST_PATH": "1"}

    def env_of(name: str) -> dict[str, str]:
        return click_env if name == CLICK_ROUTE else env

    clean = clean_env(env)
    first = run_child(COMMANDS["hemokg lineage neutrophil"], env=env, timeout=600)
    failures = {}
    for name, argv in COMMANDS.items():  # warm the OS file cache; a failing command is reported, not timed
        child = run_child(argv, env=env_of(name), timeout=120)
        if child.code != 0:
            failures[name] = (child.err.decode(errors="replace").strip().splitlines() or ["no message"])[-1]
    for name in CLEAN:
        child = run_child(clean_argv(COMMANDS[name]), env=clean, timeout=120)
        if child.code != 0 and name not in failures:
            failures[name] = "clean start: " + (child.err.decode(errors="replace").strip().splitlines() or ["?"])[-1]
    times: dict[str, list[float]] = {name: [] for name in COMMANDS if name not in failures}
    clean_times: dict[str, list[float]] = {name: [] for name in CLEAN if name in times}
    for _ in range(sizes.cold_rounds):
        for name in times:
            times[name].append(run_child(COMMANDS[name], env=env_of(name), timeout=120).seconds)
        for name in clean_times:
            clean_times[name].append(run_child(clean_argv(COMMANDS[name]), env=clean, timeout=120).seconds)
    base = stats(times["python -c pass"])["median"]
    floor = stats(times[FLOOR])["median"] if FLOOR in times else None
    clean_base = stats(clean_times["python -c pass"])["median"] if "python -c pass" in clean_times else None
    clean_floor = stats(clean_times[FLOOR])["median"] if FLOOR in clean_times else None
    rows = []
    for name in COMMANDS:
        if name in failures:
            rows.append({"command": name, "error": failures[name]})
            continue
        summary = stats(times[name])
        peak = run_child(COMMANDS[name], env=env_of(name), timeout=120, rss=True).peak_mib
        ratio = summary["median"] / base
        floor_ratio = None if floor is None else summary["median"] / floor
        target, against = TARGETS.get(name, (None, None))
        measured = floor_ratio if against == "floor" else ratio
        clean_row: dict = {}
        if name in clean_times and clean_base and clean_floor:
            c = stats(clean_times[name])
            c_floor_ratio, c_ratio = c["median"] / clean_floor, c["median"] / clean_base
            clean_row = {
                "clean_median_ms": c["median"] * 1e3,
                "clean_p95_ms": c["p95"] * 1e3,
                "clean_ratio": c_ratio,
                "clean_floor_ratio": c_floor_ratio,
                "clean_peak_mib": run_child(clean_argv(COMMANDS[name]), env=clean, timeout=120, rss=True).peak_mib,
                "clean_met": None if target is None else (c_floor_ratio if against == "floor" else c_ratio) <= target,
            }
        rows.append(
            {
                "command": name,
                "median_ms": summary["median"] * 1e3,
                "p95_ms": summary["p95"] * 1e3,
                "ratio": ratio,
                "floor_ratio": floor_ratio,
                "peak_mib": peak,
                "target": target,
                "against": against,
                "met": None if target is None or measured is None else measured <= target,
                "n": summary["n"],
                **clean_row,
            }
        )
    dirs = os.environ.get("PATH", "").split(os.pathsep)
    shim = next(
        (str(Path(d) / "python3") for d in dirs if "shims" in d and (Path(d) / "python3").exists()),
        shutil.which("python3"),
    )
    shim_ms = None
    if shim and Path(shim).resolve() != Path(PY).resolve():
        shim_ms = (
            stats([run_child([shim, "-c", "pass"]).seconds for _ in range(max(3, sizes.cold_rounds // 3))])["median"]
            * 1e3
        )
    return {
        "rows": rows,
        "base_ms": base * 1e3,
        "interpreter": PY,
        "shim": shim,
        "shim_ms": shim_ms,
        "first_start_s": first.seconds,
        "first_start_ok": first.code == 0,
        "cache": str(cache),
        "peak_target_mib": PEAK_TARGET_MIB,
    }
