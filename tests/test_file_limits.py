"""Issue 13, items 7, 9 and 13: files a user hands hemokg, files it writes, and the reasoned-graph cache.

Reading: devices, FIFOs, oversized files and huge blank-node structures fail fast with one typed error (run in child
processes with a memory limit and a timeout, since before the fix they hung or exhausted memory). Writing: ``-o`` to
a character device or FIFO writes in place, an existing file keeps its mode. The cache: an edited file with a
recomputed header hash, or garbage with a valid one, is rebuilt by the real reasoner, never loaded or an error.
"""

from __future__ import annotations

import logging
import os
import resource
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import hemokg
from benchmarks.synthetic import deep_chain
from hemokg.errors import OntologyParseError
from hemokg.graph.build import content_checksum

MAX_INPUT_BYTES = 64 * 1024 * 1024  # hemokg.fileio.MAX_INPUT_BYTES

ROOT = Path(__file__).resolve().parents[1]


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, 3 * 1024**3))


def run_python(code: str, *args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    """A child Python with this tree first on the path, 3 GB of address space and a timeout."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        return subprocess.run(
            [sys.executable, *(["-c", code] if code else []), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            preexec_fn=_limited,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"hung for {timeout} s: {args or code}")


LOAD = (
    "import sys, hemokg\ntry:\n    hemokg.load(sys.argv[1], reasoned=False)\n"
    "except hemokg.HemoError as e:\n    print(type(e).__name__, e)\n"
)


def _special_files(tmp_path: Path) -> dict[str, Path]:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    big = tmp_path / "big.ttl"
    with big.open("wb") as handle:  # sparse: 65 MiB of apparent size, no disk used
        handle.truncate(MAX_INPUT_BYTES + 1024 * 1024)
    return {"/dev/zero": Path("/dev/zero"), "fifo": fifo, "over the size limit": big, "folder": tmp_path}


@pytest.mark.parametrize("kind", ["/dev/zero", "fifo", "over the size limit", "folder"])
def test_loading_a_special_or_huge_file_fails_fast_with_one_line(tmp_path: Path, kind: str) -> None:
    path = _special_files(tmp_path)[kind]
    proc = run_python(LOAD, str(path))
    assert proc.returncode == 0, proc.stderr[-500:]
    assert proc.stdout.startswith("OntologyParseError ") and proc.stdout.count("\n") == 1, proc.stdout
    assert ("regular file" in proc.stdout) or ("limit" in proc.stdout)


@pytest.mark.parametrize("kind", ["/dev/zero", "fifo", "over the size limit"])
def test_sparql_file_refuses_special_or_huge_files(tmp_path: Path, kind: str) -> None:
    path = _special_files(tmp_path)[kind]
    proc = run_python("", "-m", "hemokg", "sparql", "--asserted", "-f", str(path))
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-300:])
    assert proc.stderr.count("\n") == 1 and ("regular file" in proc.stderr or "limit" in proc.stderr), proc.stderr


BLANK = {
    "a chain of 1,000 blank nodes": "".join(f"_:b{i} <http://a/p> _:b{i + 1} .\n" for i in range(1000)),
    "[ ] nested 100,000 deep": "<http://a/s> <http://a/p> "
    + "[ <http://a/p> " * 100_000
    + '"x"'
    + " ]" * 100_000
    + " .",
    "a list of 5,000 items": "<http://a/s> <http://a/p> (" + " <http://a/x>" * 5000 + " ) .",
}


@pytest.mark.parametrize("shape", sorted(BLANK))
def test_huge_blank_node_structures_are_refused_naming_the_limit(tmp_path: Path, shape: str) -> None:
    path = tmp_path / "bnodes.ttl"
    path.write_text(BLANK[shape])
    with pytest.raises(OntologyParseError, match=r"blank nodes .* the limit"):
        hemokg.load(path, reasoned=False)


def test_ordinary_blank_node_structures_load(tmp_path: Path) -> None:
    path = tmp_path / "ok.ttl"
    path.write_text("<http://a/s> <http://a/p> [ <http://a/q> ( <http://a/x> <http://a/y> ) ] .\n")
    assert hemokg.load(path, reasoned=False).sparql("ASK { ?s ?p ?o }").boolean is True


# --- 9. -o ----------------------------------------------------------------------------------------------------------
def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return run_python("", "-m", "hemokg", *args)


QUERY = ("sparql", "--asserted", "--format", "tsv", "SELECT ?x WHERE { BIND(42 AS ?x) }")


def test_output_to_a_character_device_writes_in_place(tmp_path: Path) -> None:
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a private /dev/null
    except PermissionError:
        pytest.skip("mknod needs root")
    proc = _cli(*QUERY, "-o", str(device))
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISCHR(device.stat().st_mode), "the device was replaced by a regular file"


def test_output_to_a_fifo_writes_into_it(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    proc = _cli(*QUERY, "-o", str(fifo))
    reader.join(60)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert got and b"42" in got[0]


def test_output_to_a_fifo_without_reader_is_one_line(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    proc = _cli(*QUERY, "-o", str(fifo))
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and "reader" in proc.stderr, proc.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_output_keeps_an_existing_files_mode(tmp_path: Path) -> None:
    target = tmp_path / "private.tsv"
    target.write_text("old")
    target.chmod(0o600)
    proc = _cli(*QUERY, "-o", str(target))
    assert proc.returncode == 0, proc.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and "42" in target.read_text()
    fresh = tmp_path / "fresh.tsv"
    assert _cli(*QUERY, "-o", str(fresh)).returncode == 0
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644


# --- 13. cache integrity --------------------------------------------------------------------------------------------
def _reheader(data: bytes, body: bytes) -> bytes:
    """A cache file with ``body`` and a header whose content checksum is recomputed for it (what an editor could do)."""
    header = data.split(b"\n", 1)[0].rsplit(b" ", 1)[0]
    return header + b" " + content_checksum(body).encode() + b"\n" + body


@pytest.mark.slow
@pytest.mark.parametrize("edit", ["a triple changed", "garbage body"])
def test_an_edited_cache_with_a_recomputed_hash_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, edit: str
) -> None:
    monkeypatch.setenv("HEMOKG_CACHE_DIR", str(tmp_path / "cache"))
    source = tmp_path / "chain.ttl"
    source.write_bytes(deep_chain(6))
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    good = hemokg.load(source).sparql(count).rows[0][0].value
    (cached,) = (tmp_path / "cache").glob("hemo-reasoned-*.nq")
    intact = cached.read_bytes()
    body = intact.split(b"\n", 1)[1]
    if edit == "a triple changed":
        lines = body.split(b"\n")
        lines[0] = b"<https://example.org/planted> <https://example.org/p> <https://example.org/o> ."
        tampered = b"\n".join(lines)
    else:
        tampered = bytes(range(256)) * 64
    cached.write_bytes(_reheader(intact, tampered))
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="hemokg"):
        kg = hemokg.load(source)
    assert any("reasoning over" in r.getMessage() for r in caplog.records), "the edited cache was used"
    assert kg.sparql(count).rows[0][0].value == good
    assert not kg.sparql("ASK { <https://example.org/planted> ?p ?o }").boolean
    assert cached.read_bytes() == intact
