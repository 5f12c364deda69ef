"""Faults: a server killed during ``push`` and during a query, and a full or read-only disk during export and cache
writes — each a clear one-line error, and nothing lost (the previous graph or file is intact, no temporary file left).

Disk faults use real filesystems: a 64 KiB tmpfs (full) and a read-only tmpfs, mounted for the test (root only), and
``RLIMIT_FSIZE`` in a subprocess where mounting is not allowed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import hemokg
from benchmarks.synthetic import deep_chain
from hemokg.errors import EndpointError, ExportError
from hemokg.formats.registry import export
from hemokg.graph.store import load_nquads
from tests.fixtures.servers import OxigraphServer
from tests.test_injection import fingerprint

ROOT = Path(__file__).resolve().parents[1]


# --- servers killed mid-way ----------------------------------------------------------------------------------------
@pytest.fixture
def old_server(tmp_path: Path) -> Iterator[OxigraphServer]:
    """A read-write server holding the *asserted* graph: the "previous version" a push replaces."""
    server = OxigraphServer.with_data(tmp_path / "db", load_nquads(reasoned=False))
    yield server
    server.stop()


@pytest.mark.parametrize("method", ["update", "gsp"])
def test_server_killed_during_push_leaves_the_previous_graph(old_server: OxigraphServer, method: str) -> None:
    from hemokg.graph.push import push

    before = fingerprint(old_server.kg())
    killed = []

    def progress(done: int, total: int) -> None:
        if done >= total // 3 and not killed:
            killed.append(done)
            old_server.proc.kill()
            old_server.proc.wait()

    url = old_server.base
    with pytest.raises(EndpointError) as info:
        push(
            f"{url}/query",
            update_url=f"{url}/update",
            store_url=f"{url}/store" if method == "gsp" else None,
            method=method,
            batch_size=200,
            timeout=10,
            progress=progress,
        )
    message = str(info.value)
    assert killed and "\n" not in message and f"127.0.0.1:{old_server.port}" in message, message
    assert fingerprint(old_server.restart().kg()) == before  # the old graph, whole: nothing half-pushed


def test_push_after_the_fault_completes(old_server: OxigraphServer) -> None:
    """Re-running the push once the server is back replaces the graph as a whole."""
    from hemokg.graph.push import push

    url = old_server.base
    report = push(f"{url}/query", update_url=f"{url}/update", method="update", batch_size=200, timeout=30)
    assert report.triples > 0
    expected = hemokg.KnowledgeGraph(hemokg.backends.embedded.EmbeddedBackend.from_nquads(load_nquads()))
    assert fingerprint(old_server.kg()) == fingerprint(expected)


def test_server_killed_during_a_query_is_one_clear_error(old_server: OxigraphServer) -> None:
    kg = hemokg.connect(f"{old_server.base}/query", graph=old_server.graph, timeout=30)
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    outcome: list[BaseException | object] = []

    def run() -> None:
        try:
            outcome.append(kg.sparql(slow))
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.5)
    old_server.proc.kill()
    thread.join(60)
    assert not thread.is_alive()
    (result,) = outcome
    assert isinstance(result, EndpointError), result
    assert "\n" not in str(result) and f"127.0.0.1:{old_server.port}" in str(result)


# --- full and read-only disks --------------------------------------------------------------------------------------
def _mount(folder: Path, options: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True, text=True)
    if proc.returncode:
        pytest.skip(f"cannot mount a tmpfs here ({proc.stderr.strip()}); the RLIMIT_FSIZE test covers this")


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB filesystem with a previous 1 KiB file ``previous.ttl`` and a filler that leaves ~8 KiB free."""
    folder = tmp_path / "full"
    _mount(folder, "size=64k")
    try:
        (folder / "previous.ttl").write_bytes(b"# the previous export\n" * 46)
        (folder / "filler").write_bytes(b"\0" * 52 * 1024)
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@pytest.fixture
def readonly_disk(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "ro"
    _mount(folder, "size=64k")
    (folder / "previous.ttl").write_bytes(b"# the previous export\n")
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def _fill(folder: Path) -> None:
    """Fill the filesystem to the last block (the filler file grows until the kernel says ENOSPC)."""
    with (folder / "filler").open("ab", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 512)
        except OSError:
            pass


def _assert_untouched(folder: Path, previous: bytes) -> None:
    assert (folder / "previous.ttl").read_bytes() == previous
    leftovers = [p.name for p in folder.iterdir() if p.name not in ("previous.ttl", "filler")]
    assert leftovers == [], leftovers


@pytest.mark.parametrize("fmt", ["turtle", "obographs", "jsonld"])
def test_export_to_a_full_disk_keeps_the_previous_file(full_disk: Path, asserted_kg, fmt: str) -> None:
    previous = (full_disk / "previous.ttl").read_bytes()
    with pytest.raises(ExportError, match="No space left on device") as info:
        export(asserted_kg, fmt, full_disk / "previous.ttl")
    assert "\n" not in str(info.value) and "nothing was written" in str(info.value)
    _assert_untouched(full_disk, previous)


def test_export_to_a_read_only_disk_keeps_the_previous_file(readonly_disk: Path, asserted_kg) -> None:
    previous = (readonly_disk / "previous.ttl").read_bytes()
    with pytest.raises(ExportError, match="Read-only file system"):
        export(asserted_kg, "turtle", readonly_disk / "previous.ttl")
    _assert_untouched(readonly_disk, previous)


@pytest.mark.parametrize(
    "args",
    [
        ["export", "--format", "turtle"],
        ["query", "term-labels", "--format", "json"],
        ["lineage", "neutrophil", "--format", "json"],
    ],
    ids=lambda a: a[0],
)
def test_cli_output_to_a_full_disk_is_one_line_and_keeps_the_file(full_disk: Path, args: list[str]) -> None:
    previous = (full_disk / "previous.ttl").read_bytes()
    _fill(full_disk)
    proc = _one_line_failure([sys.executable, "-m", "hemokg", *args, "-o", str(full_disk / "previous.ttl")])
    assert "No space left on device" in proc.stderr
    _assert_untouched(full_disk, previous)


def _one_line_failure(argv: list[str]) -> subprocess.CompletedProcess[str]:
    """Run a CLI process from this tree; it must fail with exit 1 and exactly one ``hemokg: error:`` line."""
    proc = subprocess.run(
        argv, capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120
    )
    assert proc.returncode == 1 and proc.stderr.startswith("hemokg: error:") and proc.stderr.count("\n") == 1, (
        proc.stderr
    )
    return proc


@pytest.fixture
def chain(tmp_path: Path) -> Path:
    path = tmp_path / "chain.ttl"
    path.write_bytes(deep_chain(8))
    return path


@pytest.mark.parametrize("disk", ["full_disk", "readonly_disk"])
def test_a_cache_that_cannot_be_written_still_answers(
    request, chain: Path, disk: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    folder = request.getfixturevalue(disk)
    previous = (folder / "previous.ttl").read_bytes()
    if disk == "full_disk":
        _fill(folder)
    monkeypatch.setenv("HEMOKG_CACHE_DIR", str(folder))
    kg = hemokg.load(chain)
    assert len(kg.lineage("chain cell 8").ancestors()) == 8
    assert any("could not cache" in r.getMessage() for r in caplog.records)
    _assert_untouched(folder, previous)


SMALL_LIMIT = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))
from hemokg.cli import main
main(sys.argv[1:])
"""


def test_file_size_limit_midway_keeps_the_previous_file(tmp_path: Path) -> None:
    """Without mounting: the kernel refuses bytes past 20 kB (RLIMIT_FSIZE), midway through the export."""
    target = tmp_path / "hemo.ttl"
    target.write_bytes(b"# the previous export\n")
    _one_line_failure([sys.executable, "-c", SMALL_LIMIT, "export", "--format", "turtle", "-o", str(target)])
    assert target.read_bytes() == b"# the previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["hemo.ttl"]


def test_rlimit_is_real(tmp_path: Path) -> None:
    """The limit used above does stop a plain write (so the test above can fail)."""
    code = (
        "import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
        "resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))\n"
        "with open(sys.argv[1], 'wb') as f: f.write(b'x' * 5000)"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "big")], capture_output=True, text=True)
    assert proc.returncode != 0 and "File too large" in proc.stderr
