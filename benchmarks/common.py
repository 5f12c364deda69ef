"""What every benchmark section shares: timers, summaries, child processes with peak RSS, machine and versions.

Timings are medians (and p95) over repeated runs; comparisons are interleaved round-robin in one run, so a slower
moment of the machine weighs on every contender alike.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

__all__ = [
    "REPO",
    "Child",
    "Sizes",
    "machine",
    "run_child",
    "stats",
    "status_mib",
    "timed",
    "timed_round_robin",
    "versions",
]

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Sizes:
    """How hard a run works: repeats and the synthetic sizes (multiples of hemo)."""

    name: str
    cold_rounds: int
    query_repeats: int
    query_budget: float
    reason_repeats: int
    scales: tuple[float, ...]
    reasoner_scales: tuple[float, ...]
    rdflib_scales: tuple[float, ...]
    timeout: float
    #: The store choice (section 2): synthetic sizes compared after hemo itself, and each engine's limits there:
    #: seconds for one step (its load, or one run of one query), MiB of resident memory, seconds for a whole graph.
    store_scales: tuple[float, ...] = ()
    store_time_limit: float = 30.0
    store_memory_mib: float = 2048.0
    store_engine_budget: float = 450.0

    @classmethod
    def pick(cls, mode: str) -> Sizes:
        """``quick`` (a smoke run), ``default`` (up to 1,000x) or ``full`` (adds 10,000x on disk)."""
        if mode == "quick":
            return cls(
                "quick", 2, 5, 0.5, 1, (0.1, 1.0), (), (0.1,), 60,
                store_time_limit=10.0, store_memory_mib=1024.0, store_engine_budget=20.0,
            )  # fmt: skip
        scales = (1.0, 10.0, 100.0, 1000.0) + ((10000.0,) if mode == "full" else ())
        sizes = cls(mode, 15, 300, 3.0, 3, scales, (1.0, 10.0, 100.0), (1.0, 10.0, 100.0), 180)
        return replace(sizes, store_scales=(10.0,), store_engine_budget=600.0) if mode == "full" else sizes


def stats(seconds: Sequence[float]) -> dict[str, float]:
    """Median, p95, min and count of a list of durations (seconds)."""
    ordered = sorted(seconds)
    if not ordered:
        return {"median": float("nan"), "p95": float("nan"), "min": float("nan"), "n": 0}
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {"median": statistics.median(ordered), "p95": p95, "min": ordered[0], "n": len(ordered)}


def timed(fn: Callable[[], object], *, repeats: int, budget: float = float("inf"), warmup: int = 1) -> list[float]:
    """Durations of ``repeats`` calls (fewer once ``budget`` seconds are spent, never under 3), after warm-up."""
    for _ in range(warmup):
        fn()
    out: list[float] = []
    spent = 0.0
    while len(out) < repeats and (spent < budget or len(out) < 3):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
        spent += out[-1]
    return out


def timed_round_robin(
    cases: Mapping[str, Callable[[], object]], *, repeats: int, budget: float = float("inf"), warmup: int = 1
) -> dict[str, list[float]]:
    """Durations per case, the cases taking turns; stops at ``repeats`` rounds or when ``budget`` seconds are spent."""
    for fn in cases.values():
        for _ in range(warmup):
            fn()
    out: dict[str, list[float]] = {name: [] for name in cases}
    spent = 0.0
    rounds = 0
    while rounds < repeats and (spent < budget or rounds < 3):
        for name, fn in cases.items():
            start = time.perf_counter()
            fn()
            out[name].append(time.perf_counter() - start)
            spent += out[name][-1]
        rounds += 1
    return out


@dataclass(frozen=True)
class Child:
    """A finished child process: exit code, wall seconds, peak RSS (MiB), output."""

    code: int
    seconds: float
    peak_mib: float
    out: bytes
    err: bytes
    timed_out: bool = False

    def json(self) -> dict[str, Any]:
        """The last line of stdout as JSON (workers print their result there)."""
        value: dict[str, Any] = json.loads(self.out.decode().strip().splitlines()[-1])
        return value


def status_mib(key: str = "VmHWM", pid: int | str = "self") -> float:
    """A process's ``VmHWM`` (peak RSS so far) or ``VmRSS`` from ``/proc``, MiB: for this process NaN where there is
    no ``/proc``, for another 0 once it is gone."""
    missing = float("nan") if pid == "self" else 0.0
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return missing
    for line in text.splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return missing


def run_child(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    cwd: Path = REPO,
    rss: bool = False,
) -> Child:
    """Run one process to the end and time it; its group is killed on timeout.

    With ``rss``, the process runs under ``/usr/bin/time`` for its own peak RSS (a child forked from this large
    process would inherit our high-water mark in ``ru_maxrss``); without, the peak is not measured (NaN).
    """
    import tempfile
    import threading

    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile(prefix="hemokg-rss-") as peak,
    ):
        wrapper = shutil.which("time") or "/usr/bin/time"
        if rss and Path(wrapper).exists():
            argv = [wrapper, "-f", "%M", "-o", peak.name, *argv]
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(argv),
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            cwd=cwd,
            env=dict(env) if env is not None else None,
            start_new_session=True,
        )
        expired = threading.Event()

        def kill() -> None:
            expired.set()
            os.killpg(proc.pid, 9)

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        _, status = os.waitpid(proc.pid, 0)
        seconds = time.perf_counter() - start
        if timer:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text = Path(peak.name).read_text().strip().splitlines() if rss else []
        peak_mib = int(text[-1]) / 1024 if text and text[-1].isdigit() else float("nan")
        return Child(proc.returncode, seconds, peak_mib, out.read(), err.read(), expired.is_set())


def machine() -> dict[str, str]:
    """CPU model, cores, RAM and OS of this machine."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kib = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        ram = f"{mem_kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        ram = "unknown"
    return {"cpu": cpu, "cores": str(os.cpu_count()), "ram": ram, "os": platform.platform()}


def versions() -> dict[str, str]:
    """Versions of python and of every engine measured."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": f"{platform.python_version()} ({sys.executable})"}
    for name in ("hemokg", "pyoxigraph", "oxigraph", "rdflib", "oxrdflib", "owlready2", "matplotlib"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    java = shutil.which("java")
    if java:
        proc = subprocess.run([java, "-version"], capture_output=True, text=True)
        out["java"] = (proc.stderr or proc.stdout).splitlines()[0] if (proc.stderr or proc.stdout) else "unknown"
    else:
        out["java"] = "not installed"
    server = shutil.which("oxigraph")
    if server:
        proc = subprocess.run([server, "--version"], capture_output=True, text=True)
        out["oxigraph server"] = proc.stdout.strip() or "unknown"
    return out
