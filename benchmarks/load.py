"""Section 3: loading hemo (asserted, reasoned from the cached graph, with imports) and reasoning (HermiT, Pellet).

Also checks the promise that a cached start never starts a JVM: a child process loads the knowledge graph with
``java`` removed from its PATH and reports whether owlready2 was ever imported.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import Sizes, run_child, stats, timed

__all__ = ["jvm_check", "run"]

_NO_JVM = (
    "import sys, hemokg; kg = hemokg.load(); kg.lineage('neutrophil'); "
    "print('owlready2' in sys.modules, 'hemokg.graph.reasoning' in sys.modules)"
)


def jvm_check(cache: Path | None = None) -> dict:
    """Load and run a lineage in a child with no ``java`` on PATH: it must succeed without importing owlready2."""
    folder = Path(tempfile.mkdtemp(prefix="hemokg-nojava-"))
    env = {**os.environ, "PATH": str(folder)}
    if cache is not None:
        env["HEMOKG_CACHE_DIR"] = str(cache)
    child = run_child([sys.executable, "-c", _NO_JVM], env=env, timeout=120)
    words = child.out.decode().split()
    ok = child.code == 0 and words[:2] == ["False", "False"]
    return {
        "ok": ok,
        "seconds": child.seconds,
        "detail": "no JVM, owlready2 never imported"
        if ok
        else (child.err.decode(errors="replace").strip().splitlines() or [child.out.decode()])[-1][:200],
    }


def run(
    sizes: Sizes, cache: Path | None = None, *, reasoners: tuple[str, ...] = ("hermit", "pellet"), build: bool = True
) -> dict:
    """Median load times of each kind of start, and of each ``reasoners`` on hemo (and the full build)."""
    from pyoxigraph import RdfFormat, Store, serialize

    import hemokg
    from hemokg.graph.build import build_reasoned
    from hemokg.graph.parse import parse_ontology
    from hemokg.graph.reasoning import java_available, reason
    from hemokg.graph.store import load_nquads, sources
    from hemokg.resources import imports_dir

    if cache is not None:
        os.environ["HEMOKG_CACHE_DIR"] = str(cache)
    repeats = max(3, sizes.reason_repeats * 3)
    rows: list[dict] = []

    def add(what: str, fn: object, n: int = repeats, note: str = "") -> None:
        try:
            seconds = timed(fn, repeats=n, warmup=1)  # type: ignore[arg-type]
        except hemokg.HemoError as exc:
            rows.append({"what": what, "error": str(exc)})
            return
        rows.append({"what": what, **stats(seconds), "note": note})

    ttl = sources()[0][1]
    add("parse hemo.ttl (pyoxigraph, Turtle)", lambda: parse_ontology(ttl, path="hemo.ttl"))
    add("hemokg.load(reasoned=False)", lambda: hemokg.load(reasoned=False))
    add("hemokg.load() from the reasoned graph", lambda: hemokg.load(), note="shipped file or cache; no JVM")
    add("read + hash-check the reasoned graph", lambda: load_nquads())
    if sorted(imports_dir().glob("*.ttl")):
        add("hemokg.load(imports=True)", lambda: hemokg.load(imports=True), n=3)
    else:
        rows.append({"what": "hemokg.load(imports=True)", "error": "not measured: no import modules shipped yet"})
    union = Store()
    union.extend(parse_ontology(ttl, path="hemo.ttl"))
    ntriples = serialize((q.triple for q in union), format=RdfFormat.N_TRIPLES) or b""
    timings: list[dict] = []
    if java_available():
        for name in reasoners:
            inner: list[float] = []

            def once(name: str = name, inner: list[float] = inner) -> None:
                inner.append(reason(ntriples, reasoner=name).seconds)

            try:
                wall = timed(once, repeats=sizes.reason_repeats, warmup=0)
            except hemokg.HemoError as exc:
                timings.append({"reasoner": name, "error": str(exc)})
                continue
            timings.append({"reasoner": name, "wall": stats(wall), "reasoner_s": stats(inner)})
        if build:
            start = time.perf_counter()
            build_reasoned(sources(), reasoner="hermit")
            timings.append(
                {"reasoner": "full build (HermiT + relation graph)", "wall": stats([time.perf_counter() - start])}
            )
    else:
        timings.append({"reasoner": "hermit/pellet", "error": "not measured: no java on PATH"})
    return {"rows": rows, "reasoners": timings, "jvm": jvm_check(cache)}
