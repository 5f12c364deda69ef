"""No network unless asked: importing hemokg and every default command work with sockets blocked, and nothing
fetches a remote JSON-LD context, DTD or ontology behind the user's back.

Two real checks: sockets blocked inside this process (``socket.socket.connect`` and friends raise), and the CLI run
as separate processes whose ``sitecustomize`` blocks them before hemokg is imported.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.fixtures.servers import ConnectionTrap

ROOT = Path(__file__).resolve().parents[1]
MARKER = "hemokg-test: network disabled"

BLOCKER = textwrap.dedent(f"""
    import socket

    def _refuse(*args, **kwargs):
        raise OSError({MARKER!r})

    _connect = socket.socket.connect

    def _connect_local(self, address, *args):
        if self.family == socket.AF_UNIX:
            return _connect(self, address, *args)
        _refuse()

    socket.socket.connect = _connect_local
    socket.socket.connect_ex = _connect_local
    socket.socket.sendto = _refuse
    socket.create_connection = _refuse
    socket.getaddrinfo = _refuse
""")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Block every non-Unix socket connection and name lookup in this process for one test."""

    def refuse(*args: object, **kwargs: object):
        raise OSError(MARKER)

    original = socket.socket.connect

    def connect_local(self: socket.socket, address, *args):
        if self.family == socket.AF_UNIX:
            return original(self, address, *args)
        return refuse()

    monkeypatch.setattr(socket.socket, "connect", connect_local)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_local)
    monkeypatch.setattr(socket.socket, "sendto", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture(scope="module")
def blocked_env(tmp_path_factory) -> dict[str, str]:
    """An environment whose Python processes cannot open a network connection (sitecustomize)."""
    folder = tmp_path_factory.mktemp("nonet")
    (folder / "sitecustomize.py").write_text(BLOCKER)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)])}
    env.pop("HEMOKG_ENDPOINT", None)
    return env


def test_the_blocker_really_blocks(blocked_env: dict[str, str], no_network: None) -> None:
    """The two mechanisms below do stop a connection, so the tests that rely on them can fail."""
    import urllib.request

    with pytest.raises(OSError, match=MARKER):
        urllib.request.urlopen("http://127.0.0.1:9/", timeout=1)
    proc = subprocess.run(
        [sys.executable, "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9')"],
        capture_output=True,
        text=True,
        env=blocked_env,
        timeout=60,
    )
    assert proc.returncode != 0 and MARKER in proc.stderr


def test_the_python_api_works_offline(no_network: None) -> None:
    import hemokg
    from hemokg.formats.registry import FORMATS, export

    kg = hemokg.load()
    asserted = hemokg.load(reasoned=False)
    assert kg.lookup("haemopoiesis").label
    assert kg.lineage("neutrophil").ancestors()
    for name, stored in hemokg.catalog().items():
        results = kg.query(name, **{p.name: p.example for p in stored.params if p.example is not None})
        assert results.kind in ("select", "ask", "graph"), name
        results.to_json(), results.to_csv(), results.to_tsv()
        if stored.form == "select":
            results.to_table()
    for fmt in FORMATS:
        assert export(asserted, fmt), fmt
    assert export(asserted, "jsonld", frame="term")


COMMANDS = [
    ["--help"],
    ["--version"],
    ["queries"],
    ["queries", "--format", "json"],
    ["lookup", "CL:0000775"],
    ["lookup", "haemopoiesis", "--format", "json"],
    ["lineage", "neutrophil"],
    ["lineage", "erythrocyte", "--asserted"],
    ["query", "develops-from-steps", "-p", "cell=neutrophil", "--format", "csv"],
    ["sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "json"],
    ["export", "--format", "jsonld"],
    ["export", "--format", "rdfxml"],
    ["export", "--format", "obo"],
    ["export", "--format", "obographs"],
    ["export", "--format", "sssom"],
    ["export", "--format", "jsonld", "--frame", "term"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_default_commands_work_with_the_network_disabled(args: list[str], blocked_env: dict[str, str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "hemokg", *args], capture_output=True, text=True, env=blocked_env, timeout=180, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert MARKER not in proc.stderr and proc.stdout


def test_every_stored_query_runs_offline_from_the_cli(blocked_env: dict[str, str]) -> None:
    """Every stored query with its header's examples, in one offline process (the CLI's own code path)."""
    code = textwrap.dedent("""
        import io, sys
        from hemokg.cli import main
        from hemokg.sparql.queries import catalog
        failed = []
        for name in catalog():
            out = io.TextIOWrapper(io.BytesIO())
            sys.stdout = out
            given = [f"-p{p.name}={p.example}" for p in catalog()[name].params if p.example is not None]
            try:
                main(["query", name, *given, "--format", "tsv"])
            except SystemExit as exc:
                if exc.code:
                    failed.append(name)
            sys.stdout = sys.__stdout__
        print("FAILED", failed, len(catalog()))
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=blocked_env, timeout=180)
    assert "FAILED [] " in proc.stdout, proc.stdout + proc.stderr[-2000:]


def test_an_endpoint_is_the_only_way_to_the_network(blocked_env: dict[str, str]) -> None:
    """Asked for a remote endpoint, the CLI tries the network — and fails with one line, not a traceback."""
    proc = subprocess.run(
        [sys.executable, "-m", "hemokg", "lookup", "neutrophil", "--endpoint", "http://127.0.0.1:9/sparql"],
        capture_output=True,
        text=True,
        env=blocked_env,
        timeout=180,
    )
    assert proc.returncode == 1 and proc.stderr.startswith("hemokg: error:") and proc.stderr.count("\n") == 1, (
        proc.stderr
    )


def test_rdfxml_with_an_external_dtd_and_entities_fetches_nothing(connection_trap: ConnectionTrap) -> None:
    from pyoxigraph import RdfFormat

    from hemokg.errors import OntologyParseError
    from hemokg.graph.parse import parse_ontology

    base = f"http://127.0.0.1:{connection_trap.port}"
    data = textwrap.dedent(f'''\
        <?xml version="1.0"?>
        <!DOCTYPE rdf:RDF SYSTEM "{base}/rdf.dtd" [
          <!ENTITY remote SYSTEM "{base}/entity.txt">
          <!ENTITY % param SYSTEM "{base}/param.dtd">
          %param;
        ]>
        <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
                 xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
          <rdf:Description rdf:about="http://example.org/a"><rdfs:label>&remote;</rdfs:label></rdf:Description>
          <owl:imports xmlns:owl="http://www.w3.org/2002/07/owl#" rdf:resource="{base}/imported.owl"/>
        </rdf:RDF>
    ''').encode()
    try:
        parse_ontology(data, path="hostile.owl", fmt=RdfFormat.RDF_XML)
    except OntologyParseError:
        pass  # refusing the unknown entity is fine; fetching it is not
    assert connection_trap.connections == 0


def test_owl_imports_in_turtle_are_not_followed(connection_trap: ConnectionTrap, tmp_path: Path) -> None:
    import hemokg

    path = tmp_path / "imports.ttl"
    path.write_text(
        f"@prefix owl: <http://www.w3.org/2002/07/owl#> .\n<http://example.org/o> a owl:Ontology ; "
        f"owl:imports <http://127.0.0.1:{connection_trap.port}/remote.owl> .\n"
    )
    kg = hemokg.load(path, reasoned=False)
    assert kg.sparql("ASK { ?o <http://www.w3.org/2002/07/owl#imports> ?i }").boolean
    assert connection_trap.connections == 0


def test_jsonld_never_fetches_a_remote_context(connection_trap: ConnectionTrap) -> None:
    from hemokg.errors import HemoError
    from hemokg.formats.jsonld import CONTEXT_URL, local_loader

    assert local_loader(CONTEXT_URL)["document"]["@context"]
    with pytest.raises(HemoError, match="refusing to fetch"):
        local_loader(f"http://127.0.0.1:{connection_trap.port}/context.jsonld")
    assert connection_trap.connections == 0
