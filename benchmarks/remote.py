"""Section 4: the stored queries through the remote backend on an Oxigraph server on 127.0.0.1, against embedded.

The server is started here (``oxigraph serve`` on a free port, in a temporary folder) and stopped at the end. The
graph goes in through ``hemokg push`` when that command exists, and through a plain Graph Store Protocol PUT (the
server's own ingest rate, a baseline) either way.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator

from benchmarks.common import Sizes, stats, timed_round_robin

__all__ = ["oxigraph_server", "run"]

_GRAPH = "https://w3id.org/hemokg/hemo.owl"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def oxigraph_server() -> Iterator[str]:
    """An empty Oxigraph server on 127.0.0.1; yields its base URL and stops it (by its own pid) afterwards."""
    binary = shutil.which("oxigraph")
    if binary is None:
        raise RuntimeError("the `oxigraph` server binary is not installed (pip install oxigraph)")
    port = _free_port()
    folder = tempfile.mkdtemp(prefix="hemokg-bench-oxigraph-")
    proc = subprocess.Popen(
        [binary, "serve", "--location", folder, "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError("oxigraph serve exited at start") from None
                time.sleep(0.05)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(folder, ignore_errors=True)


def _gsp_put(base: str, ntriples: bytes) -> float:
    """PUT the triples into the hemo graph with the Graph Store Protocol; seconds taken."""
    request = urllib.request.Request(
        f"{base}/store?graph={urllib.request.quote(_GRAPH, safe='')}",
        data=ntriples,
        method="PUT",
        headers={"Content-Type": "application/n-triples"},
    )
    start = time.perf_counter()
    urllib.request.urlopen(request, timeout=300).read()
    return time.perf_counter() - start


def _push(base: str) -> dict:
    """``hemokg push`` into the server, timed, if the command exists."""
    import importlib.util
    import sys

    from benchmarks.common import run_child

    if importlib.util.find_spec("hemokg.graph.push") is None and importlib.util.find_spec("hemokg.cli.push") is None:
        return {"error": "not measured: `hemokg push` not available yet"}
    child = run_child(
        [
            sys.executable,
            "-m",
            "hemokg",
            "push",
            "--endpoint",
            f"{base}/query",
            "--update-endpoint",
            f"{base}/update",
            "--store-endpoint",
            f"{base}/store",
        ],
        timeout=600,
    )
    if child.code != 0:
        return {
            "error": "hemokg push failed: "
            + (child.err.decode(errors="replace").strip().splitlines() or ["no message"])[-1][:200]
        }
    return {"seconds": child.seconds}


def run(sizes: Sizes, queries: list[str] | None = None) -> dict:
    """Median per stored query remote vs embedded (the protocol overhead as a ratio), and upload throughput."""
    import importlib.util

    if importlib.util.find_spec("hemokg.backends.remote") is None:
        return {"error": "not measured: remote backend not available"}
    from pyoxigraph import RdfFormat, parse, serialize

    import hemokg
    from hemokg.backends.embedded import EmbeddedBackend
    from hemokg.graph.store import load_nquads
    from hemokg.kg import KnowledgeGraph

    nquads = load_nquads()
    triples = serialize((q.triple for q in parse(nquads, format=RdfFormat.N_QUADS)), format=RdfFormat.N_TRIPLES)
    count = triples.count(b"\n") if triples else 0
    embedded = KnowledgeGraph(EmbeddedBackend.from_nquads(nquads))
    out: dict = {"triples": count}
    with oxigraph_server() as base:
        out["push"] = _push(base)
        if "seconds" in out["push"]:
            out["push"]["triples_per_s"] = count / out["push"]["seconds"]
        gsp = _gsp_put(base, triples or b"")
        out["gsp"] = {"seconds": gsp, "triples_per_s": count / gsp}
        remote = hemokg.connect(f"{base}/query", graph=_GRAPH)
        rows = []
        for name in queries or list(embedded.catalog):
            params = {p.name: p.example for p in embedded.catalog[name].params if p.example is not None}
            cases = {
                "embedded": lambda name=name, params=params: embedded.query(name, **params),
                "remote": lambda name=name, params=params: remote.query(name, **params),
            }
            try:
                durations = timed_round_robin(cases, repeats=sizes.query_repeats, budget=sizes.query_budget)
            except hemokg.HemoError as exc:
                rows.append({"query": name, "error": str(exc)[:200]})
                continue
            e, r = stats(durations["embedded"]), stats(durations["remote"])
            same = len(embedded.query(name, **params)) == len(remote.query(name, **params))
            rows.append({"query": name, "embedded": e, "remote": r, "ratio": r["median"] / e["median"], "agrees": same})
        out["rows"] = rows
    return out
