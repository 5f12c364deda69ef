"""Bad input and failed writes: one clear line and a non-zero exit (never "internal error"), nothing half-written.

Real processes (``hemokg_cli``), real servers on 127.0.0.1 (Oxigraph, ``hemokg.web.serve``'s worker pool, a small
HTTP server that asks for Basic credentials) and real file systems (a tiny tmpfs for disk-full).
"""

from __future__ import annotations

import base64
import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import hemokg
from hemokg.backends.remote import RemoteBackend
from hemokg.errors import (
    EndpointError,
    ExportError,
    ImportsBuildError,
    OntologyParseError,
    SPARQLSyntaxError,
)
from hemokg.fileio import atomic_write
from tests.fixtures.servers import QuietHandler, local_http_server

ROOT = Path(__file__).resolve().parents[1]
TINY = (
    b"<https://w3id.org/hemokg/HEMO_9000001> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
    b"<http://www.w3.org/2002/07/owl#Class> .\n"
    b'<https://w3id.org/hemokg/HEMO_9000001> <http://www.w3.org/2000/01/rdf-schema#label> "tiny cell" .\n'
)
TINY_TTL = (
    "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    '<https://w3id.org/hemokg/HEMO_9000001> a owl:Class ; rdfs:label "tiny cell" .\n'
    '<https://w3id.org/hemokg/HEMO_9000002> a owl:Class ; rdfs:label "tinier cell" ;\n'
    "  rdfs:subClassOf <https://w3id.org/hemokg/HEMO_9000001> .\n"
)


def one_line_error(run, *needles: str) -> None:
    """A failed run that says what went wrong in one line (no traceback, no internal error)."""
    assert run.code not in (0, 70), run
    lines = [ln for ln in run.err.splitlines() if ln.strip()]
    assert len(lines) == 1 or (run.code == 2 and "Error:" in run.err), run.err
    assert "internal error" not in run.err and "Traceback" not in run.err, run.err
    for needle in needles:
        assert needle in run.err, run.err


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs: writes beyond that fail with ENOSPC, as on a full disk."""
    target = tmp_path / "small"
    target.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(target)]).returncode:
        pytest.skip("cannot mount a tmpfs here (not root?)")
    try:
        yield target
    finally:
        subprocess.run(["umount", str(target)], check=True)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# --- 1. remote endpoints ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url", ["notaurl", "http://[::1", "ftp://example.org/sparql", "http:///sparql", "http://localhost:99999/sparql"]
)
def test_a_malformed_endpoint_url_is_one_clear_error(url: str) -> None:
    with pytest.raises(EndpointError, match="http\\(s\\) URL"):
        RemoteBackend(url)
    with pytest.raises(EndpointError, match="update endpoint"):
        RemoteBackend("http://127.0.0.1:1/query", update_url=url)


def test_a_malformed_url_never_shows_its_password() -> None:
    with pytest.raises(EndpointError) as caught:
        RemoteBackend("http://me:s3cretpw@[::1/query")
    assert "s3cretpw" not in str(caught.value)


@pytest.mark.parametrize("url", ["notaurl", "http://[::1"])
def test_cli_with_a_malformed_endpoint_exits_with_one_line(hemokg_cli, url: str) -> None:
    run = hemokg_cli("lineage", "neutrophil", "--endpoint", url)
    one_line_error(run, repr(url))
    assert run.code == 1


def test_a_typo_sent_to_a_remote_endpoint_is_a_syntax_error_not_a_refused_update(oxigraph_server) -> None:
    kg = hemokg.connect(oxigraph_server.query, use_server_default_graph=True)
    with pytest.raises(SPARQLSyntaxError, match="unknown keyword 'SELEC'"):  # named before it is sent
        kg.sparql("SELEC ?x WHERE { ?x ?p ?o }")
    with pytest.raises(SPARQLSyntaxError, match="HTTP 400"):  # the server's own parser finds the rest
        kg.sparql("SELECT ?x WHERE { ?x ?p }")
    with pytest.raises(hemokg.errors.UpdateRefusedError):
        kg.sparql("INSERT DATA { <urn:a> <urn:b> <urn:c> }")


def test_push_takes_credentials_out_of_the_update_url(oxigraph_server) -> None:
    from hemokg.graph.push import push

    base = oxigraph_server.base.replace("http://", "http://me:s3cretpw@")
    graph = "https://example.org/test-bad-input/push"
    report = push(oxigraph_server.query, update_url=base + "/update", graph=graph, nquads=TINY, timeout=30)
    assert report.triples == 2
    backend = RemoteBackend(oxigraph_server.query, update_url=base + "/update", store_url=base + "/store")
    assert "s3cretpw" not in f"{backend.update_url} {backend.store_url}"
    assert backend.http.auth == ("me", "s3cretpw")
    closed = "http://me:s3cretpw@127.0.0.1:1/update"
    with pytest.raises(hemokg.errors.HemoError) as caught:
        push(oxigraph_server.query, update_url=closed, graph=graph, nquads=TINY, timeout=5)
    assert "s3cretpw" not in str(caught.value) and "127.0.0.1:1" in str(caught.value)


# --- 2. the CLI ---------------------------------------------------------------------------------------------------
def test_sparql_file_that_is_not_utf8_names_the_file(hemokg_cli, tmp_path: Path) -> None:
    path = tmp_path / "latin1.rq"
    path.write_bytes('SELECT * WHERE { ?s ?p "caf\u00e9" }'.encode("latin-1"))
    one_line_error(hemokg_cli("sparql", "-f", str(path)), str(path), "UTF-8")


def test_a_repeated_parameter_is_refused(hemokg_cli) -> None:
    run = hemokg_cli("query", "develops-from-steps", "-p", "cell=neutrophil", "-p", "cell=erythrocyte")
    assert run.code == 2 and "'cell' is given twice" in run.err, run.err


def test_build_that_cannot_write_exits_with_one_line(tmp_path: Path) -> None:
    """A copy of the package whose reasoned-graph path is a folder: the rename fails, the folder stays."""
    package = tmp_path / "hemokg"
    shutil.copytree(ROOT / "hemokg", package, ignore=shutil.ignore_patterns("__pycache__", "_data"))
    (package / "_data" / "ontology").mkdir(parents=True)
    (package / "_data" / "ontology" / "hemo.ttl").write_text(TINY_TTL, encoding="utf-8")
    (package / "_data" / "ontology" / "hemo-reasoned.nq").mkdir()
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import hemokg, sys; assert hemokg.__file__.startswith(sys.argv[1]); "
            "from hemokg.cli import main; main(['build'])",
            str(package),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    run = type("Run", (), {"code": proc.returncode, "out": proc.stdout, "err": proc.stderr})()
    one_line_error(run, str(package / "_data" / "ontology" / "hemo-reasoned.nq"), "untouched")
    assert (package / "_data" / "ontology" / "hemo-reasoned.nq").is_dir()
    assert leftovers(package / "_data" / "ontology") == []


# --- 3. atomic_write and caches -------------------------------------------------------------------------------------
def test_atomic_write_creates_no_missing_folder(tmp_path: Path, hemokg_cli) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        atomic_write(tmp_path / "typo" / "dir" / "x.tsv", b"data")
    assert not (tmp_path / "typo").exists()
    run = hemokg_cli("lookup", "neutrophil", "-o", str(tmp_path / "typo" / "x.tsv"))
    one_line_error(run, "does not exist")
    assert not (tmp_path / "typo").exists()


def test_atomic_write_gives_0644_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        atomic_write(tmp_path / "x", b"data")
    finally:
        os.umask(old)
    assert (tmp_path / "x").stat().st_mode & 0o777 == 0o644 and (tmp_path / "x").read_bytes() == b"data"


def test_the_reasoned_cache_creates_its_own_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hemokg.graph.store import load_nquads

    cache = tmp_path / "deep" / "cache"
    monkeypatch.setenv("HEMOKG_CACHE_DIR", str(cache))
    source = tmp_path / "tiny.ttl"
    source.write_text(TINY_TTL, encoding="utf-8")
    body = load_nquads(source, reasoned=True)
    assert b"HEMO_9000002" in body
    assert sorted(p.suffix for p in cache.iterdir()) == [".lock", ".nq", ".sha256"]  # the file, its lock and seal


# --- 4. multi-file writes: all old files or all new ones ------------------------------------------------------------
def test_replace_all_leaves_every_old_file_when_a_target_is_a_folder(tmp_path: Path) -> None:
    from hemokg.fileio import replace_all

    (tmp_path / "a.ttl").write_bytes(b"old a")
    (tmp_path / "c.ttl").write_bytes(b"old c")
    (tmp_path / "b.ttl").mkdir()
    with pytest.raises(IsADirectoryError):
        replace_all({tmp_path / "a.ttl": b"new a", tmp_path / "b.ttl": b"new b", tmp_path / "c.ttl": b"new c"})
    assert (tmp_path / "a.ttl").read_bytes() == b"old a" and (tmp_path / "c.ttl").read_bytes() == b"old c"
    assert leftovers(tmp_path) == []


def test_write_modules_on_a_full_disk_keeps_the_old_modules(tmpfs: Path) -> None:
    from hemokg.links.imports import write_modules

    old = {name: f"old {name}\n".encode() for name in ("cl", "go", "hp")}
    for name, data in old.items():
        (tmpfs / f"{name}.ttl").write_bytes(data)
    new = {name: os.urandom(30_000) for name in old}  # 90 KB: cannot fit in 64 KiB
    with pytest.raises(ImportsBuildError, match="untouched"):
        write_modules(new, tmpfs)
    assert {p.stem: p.read_bytes() for p in tmpfs.glob("*.ttl")} == old
    assert leftovers(tmpfs) == []
    assert write_modules({"cl": b"new cl\n"}, tmpfs) == [tmpfs / "cl.ttl"]
    assert (tmpfs / "cl.ttl").read_bytes() == b"new cl\n"


def test_write_modules_into_a_missing_parent_is_one_error(tmp_path: Path) -> None:
    from hemokg.links.imports import write_modules

    with pytest.raises(ImportsBuildError, match="cannot write the import modules"):
        write_modules({"cl": b"x"}, tmp_path / "no" / "such")
    assert not (tmp_path / "no").exists()


@pytest.fixture(scope="module")
def sample_ttl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.test_turtle import SAMPLE

    path = tmp_path_factory.mktemp("bad-input-release") / "hemo.ttl"
    path.write_text(SAMPLE, encoding="utf-8")
    return path


def test_release_with_a_blocked_target_keeps_every_old_file(sample_ttl: Path, tmp_path: Path) -> None:
    from hemokg.formats.registry import release

    written, _ = release(tmp_path, version="2026-11-30", ontology=sample_ttl)
    before = {p.name: p.read_bytes() for p in written}
    (tmp_path / "hemo-full.obo").unlink()
    (tmp_path / "hemo-full.obo").mkdir()  # its rename would fail: checked before any file is replaced
    with pytest.raises(ExportError, match=r"hemo-full\.obo"):
        release(tmp_path, version="2026-12-01", ontology=sample_ttl)
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    assert after == {name: data for name, data in before.items() if name != "hemo-full.obo"}
    assert leftovers(tmp_path) == []


def test_release_on_a_full_disk_keeps_every_old_file(sample_ttl: Path, tmpfs: Path) -> None:
    from hemokg.formats.registry import release

    old = {f"hemo-{k}.{e}": f"old {k} {e}\n".encode() for k in ("base", "full") for e in ("ttl", "owl", "obo")}
    for name, data in old.items():
        (tmpfs / name).write_bytes(data)
    filler = tmpfs / "filler"
    filler.write_bytes(b"\0" * 40_000)  # the products need more than the ~20 KB left
    with pytest.raises(ExportError, match="untouched"):
        release(tmpfs, version="2026-12-01", ontology=sample_ttl)
    assert {p.name: p.read_bytes() for p in tmpfs.iterdir() if p.name != "filler"} == old


def test_sssom_to_a_missing_folder_is_one_error(hemokg_cli, asserted_kg, tmp_path: Path) -> None:
    from hemokg.formats.sssom import write_sssom

    with pytest.raises(ExportError, match="does not exist"):
        write_sssom(asserted_kg, tmp_path / "bad" / "x.tsv")
    one_line_error(hemokg_cli("imports", "sssom", "-o", str(tmp_path / "bad" / "x.tsv")), "does not exist")


# --- 5. export ------------------------------------------------------------------------------------------------------
def test_an_empty_source_is_an_error() -> None:
    from hemokg.formats.registry import Source

    with pytest.raises(ExportError, match="nothing to export"):
        Source(None)


@pytest.mark.parametrize("flag", [["--reasoned"], ["--with-imports"], ["--ontology", "pyproject.toml"]])
def test_export_refuses_options_an_endpoint_cannot_honour(hemokg_cli, flag: list[str]) -> None:
    run = hemokg_cli("export", "--endpoint", "http://127.0.0.1:1/query", "--format", "turtle", *flag)
    assert run.code == 2 and f"{flag[0]} does not apply with --endpoint" in run.err, run.err


class _Guarded(QuietHandler):
    """A SPARQL endpoint behind Basic authentication (me / s3cretpw) holding one triple."""

    def do_POST(self) -> None:
        form = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("Authorization") != "Basic " + base64.b64encode(b"me:s3cretpw").decode():
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="hemo"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b'<https://w3id.org/hemokg/HEMO_9000001> <http://www.w3.org/2000/01/rdf-schema#label> "guarded" .\n'
        kind = "application/n-triples"
        if b"query=ASK" in form:  # "does the graph hold anything?", asked before an export
            body, kind = b'{"head": {}, "boolean": true}', "application/sparql-results+json"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def guarded() -> Iterator[str]:
    with local_http_server(_Guarded) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    server.server_close()


def test_export_from_an_endpoint_sends_the_credentials(hemokg_cli, guarded: str) -> None:
    env = {**os.environ, "HEMOKG_USER": "me", "HEMOKG_PASSWORD": "s3cretpw"}
    run = hemokg_cli("export", "--endpoint", guarded, "--format", "ntriples", env=env)
    assert run.code == 0 and '"guarded"' in run.out, run.err
    refused = hemokg_cli(
        "export",
        "--endpoint",
        guarded,
        "--format",
        "ntriples",
        env={k: v for k, v in os.environ.items() if not k.startswith("HEMOKG_")},
    )
    one_line_error(refused, "HTTP 401")


# --- 6. serve -------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, object]]:
    from hemokg.web.serve import EndpointServer, WorkerPool

    pool = WorkerPool(TINY, size=1, timeout=60)
    server = EndpointServer(("127.0.0.1", 0), pool, ROOT)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{server.server_address[1]}", pool
    server.shutdown()
    server.server_close()
    pool.close()


def _raw_post(address: str, length: str) -> bytes:
    host, port = address.split(":")
    with socket.create_connection((host, int(port)), timeout=20) as sock:
        sock.sendall(
            f"POST /sparql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/sparql-query\r\n"
            f"Content-Length: {length}\r\nConnection: close\r\n\r\nASK {{}}".encode()
        )
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize("length", ["abc", "-1", "1e3"])
def test_serve_answers_400_to_a_bad_content_length(served, length: str) -> None:
    answer = _raw_post(served[0], length)
    assert answer.startswith(b"HTTP/1.0 400") or answer.startswith(b"HTTP/1.1 400"), answer[:200]
    assert b"Content-Length" in answer.split(b"\r\n\r\n", 1)[1]


def test_a_crashed_worker_is_reported_as_a_crash_and_replaced(served) -> None:
    pool = served[1]
    worker = pool._idle.queue[0]  # the one idle worker, killed as the kernel's OOM killer would
    worker.process.kill()
    worker.process.join(10)
    status, _, body = pool.run("ASK { ?s ?p ?o }", [], [], None)
    assert status == 500 and b"crashed" in body and b"time limit" not in body, body
    status, _, body = pool.run("ASK { ?s ?p ?o }", [], [], None)  # the replacement answers
    assert status == 200 and b"true" in body, body


def test_a_replacement_that_cannot_start_is_logged(served, caplog: pytest.LogCaptureFixture) -> None:
    from hemokg.web.serve import WorkerPool

    pool: WorkerPool = served[1]
    good, pool._nquads = pool._nquads, b"this is not N-Quads"
    size = pool._idle.qsize()
    try:
        with caplog.at_level(logging.ERROR, logger="hemokg.web.serve"):
            pool._replace()
    finally:
        pool._nquads = good
    assert pool._idle.qsize() == size
    assert any("did not start" in r.getMessage() for r in caplog.records), caplog.text


# --- 7-8. synthetic profile, site order --------------------------------------------------------------------------
def test_hemo_profile_refuses_an_unreadable_or_foreign_ontology(tmp_path: Path) -> None:
    from benchmarks.synthetic import hemo_profile

    with pytest.raises(OntologyParseError, match="cannot read"):
        hemo_profile(tmp_path / "missing.ttl")
    (tmp_path / "broken.ttl").write_text("<a> <b> .\n", encoding="utf-8")
    with pytest.raises(OntologyParseError, match=r"broken\.ttl"):
        hemo_profile(tmp_path / "broken.ttl")
    (tmp_path / "foreign.ttl").write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    with pytest.raises(OntologyParseError, match="no hemo class"):
        hemo_profile(tmp_path / "foreign.ttl")
    assert hemo_profile().classes > 0


def test_site_lists_parents_and_children_by_label() -> None:
    from hemokg.web.site import _term_page

    hemo = "https://w3id.org/hemokg/HEMO_"
    names = {hemo + "0000001": "zygote-like cell", hemo + "0000002": "apex cell", hemo + "0000003": "Middle cell"}
    page = _term_page(hemo + "0000009", {"label": ["child"]}, names, "cell", set(names), set(names), [], [], False)
    parents = page.split('class="parents">', 1)[1].split("</ul>", 1)[0]
    shown = [part.split("<", 1)[0] for part in parents.split('">')[1:]]
    assert shown == ["apex cell", "Middle cell", "zygote-like cell"], shown
