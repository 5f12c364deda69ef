"""Apache Jena, an independent RDF toolkit: its RIOT validator accepts every file we write, and its ARQ engine gives
the stored queries' answers the embedded store gives (Debian's libapache-jena-java, started once per file)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import hemokg
from hemokg.backends.remote import parse_json_results
from hemokg.resources import ontology_path
from hemokg.sparql.queries import bind_values
from hemokg.sparql.results import term_text

JENA = Path(__file__).parent / "servers" / "jena.sh"
#: Stored queries of different shapes: property paths, GROUP BY with COUNT, UNION with OPTIONAL/!BOUND, exact match,
#: a sub-SELECT with MINUS per UNION branch, FILTER NOT EXISTS per UNION branch, a DISTINCT sub-SELECT first.
QUERIES = {
    "develops-from-steps": {"cell": "erythrocyte"},
    "develops-from-chain": {"cell": "mature neutrophil"},
    "superclasses": {"term": "neutrophil"},
    "cell-functions": {"cell": "erythrocyte"},
    "term-by-name": {"name": "hemopoiesis"},
    "what-disrupts": {"process": "hematopoiesis"},
    "process-outputs": {"process": "leukopoiesis"},
    "where-process-occurs": {"process": "prenatal hematopoiesis"},
    "cell-release": {"site": "blood"},
}


def jena(*args: str) -> subprocess.CompletedProcess:
    assert shutil.which("java"), "Java is needed (scripts/run-tests.sh installs it)"
    assert Path("/usr/share/java/jena-arq.jar").exists(), "apt-get install libapache-jena-java (run-tests.sh does)"
    return subprocess.run(["bash", str(JENA), *args], capture_output=True, timeout=300)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("jena")
    kg = hemokg.load()
    out = {"hemo.ttl": ontology_path()}
    for fmt, name in (("turtle", "reasoned.ttl"), ("ntriples", "reasoned.nt"), ("rdfxml", "reasoned.owl")):
        kg.export(fmt, folder / name)  # the reasoned graph the kg holds, relation graph merged in
        out[name] = folder / name
    return out


def test_riot_validates_every_rdf_file_we_write(files: dict[str, Path]) -> None:
    proc = jena("riotcmd.riot", "--validate", *map(str, files.values()))
    log = proc.stderr.decode()
    assert proc.returncode == 0, log
    assert "ERROR" not in log and "WARN" not in log, log


@pytest.mark.parametrize(("name", "params"), QUERIES.items(), ids=list(QUERIES))
def test_arq_answers_the_stored_queries_like_the_embedded_store(kg, files, name: str, params: dict) -> None:
    stored = hemokg.catalog()[name]
    expected = kg.query(name, **params)
    bindings = {p.variable: kg._bind(name, p.name, p.type, params[p.name]) for p in stored.params}
    proc = jena("arq.sparql", "--results=JSON", "--data", str(files["reasoned.nt"]), bind_values(stored.text, bindings))
    assert proc.returncode == 0, proc.stderr.decode()
    got = parse_json_results(proc.stdout)

    def rows(results: hemokg.Results) -> list[tuple[str, ...]]:
        return sorted(tuple(term_text(v) for v in row) for row in results)

    assert got.vars == expected.vars
    assert rows(got) == rows(expected) and len(expected) > 0
