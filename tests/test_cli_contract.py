"""What the command line promises a newcomer (issue 14): required parameters are required, an IRI that names
nothing is an error with suggestions, JSON ends with a newline, an unknown keyword is named, and the depth of a
develops-from chain says how far each precursor is from the stem cell."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest

import hemokg
from hemokg.errors import ParameterError, SPARQLSyntaxError, TermNotFoundError

CHAIN_CELLS = ("mature neutrophil", "platelet", "erythrocyte", "T cell", "B cell", "monocyte", "eosinophil")


# --- 6: required means required --------------------------------------------------------------------------------
def test_a_missing_required_parameter_is_an_error_naming_it_and_the_parameters(hemokg_cli) -> None:
    run = hemokg_cli("query", "develops-from-chain")
    assert run.code == 1 and run.out == ""
    assert "needs parameter 'cell'" in run.err and "its parameters: cell" in run.err
    assert "-p cell='mature neutrophil'" in run.err  # the header's example, offered, not taken
    ask = hemokg_cli("query", "develops-from-ask", "-p", "cell=neutrophil")
    assert ask.code == 1 and "needs parameter 'precursor'" in ask.err and "cell, precursor" in ask.err


def test_no_stored_query_fills_in_a_required_parameter(kg: hemokg.KnowledgeGraph) -> None:
    for name, stored in kg.catalog.items():
        if any(p.required for p in stored.params):
            with pytest.raises(ParameterError, match="needs parameter"):
                kg.query(name)


def test_the_listing_agrees_required_parameters_have_no_default(hemokg_cli) -> None:
    listed = json.loads(hemokg_cli("queries", "--format", "json").out)
    params = [p for q in listed for p in q["params"]]
    assert params and all("default" not in p for p in params)
    from hemokg.sparql.queries import catalog

    shipped = {(q.name, p.name): p for q in catalog().values() for p in q.params}
    for q in listed:  # grlc: ?_NAME is required, ?__NAME optional, and the listing says which
        for p in q["params"]:
            assert p["required"] == (not shipped[q["name"], p["name"]].variable.startswith("__")), (q["name"], p)
    assert {p["example"] for p in params if p["name"] == "cell"} >= {"mature neutrophil", "erythrocyte"}


# --- 7: an IRI or CURIE that names nothing ------------------------------------------------------------------------
def test_an_iri_that_names_nothing_is_term_not_found(hemokg_cli) -> None:
    run = hemokg_cli("query", "develops-from-ask", "-p", "cell=http:0", "-p", "precursor=myeloblast")
    assert run.code == 1 and run.out == ""
    assert "no term matches 'http:0'" in run.err
    assert hemokg_cli("lookup", "http:0").err == run.err


def test_a_mistyped_curie_comes_with_the_nearest_terms(kg: hemokg.KnowledgeGraph) -> None:
    with pytest.raises(TermNotFoundError) as query_error:
        kg.query("superclasses", term="HEMO:00001200")
    assert "HEMO:0000120 (leukocyte)" in query_error.value.suggestions
    with pytest.raises(TermNotFoundError) as lookup_error:
        kg.lookup("HEMO:00001200")
    assert lookup_error.value.suggestions == query_error.value.suggestions


def test_iris_the_graph_mentions_still_bind(kg: hemokg.KnowledgeGraph) -> None:
    assert kg.query("hemo-term-for-external", external="CL:0000775").rows  # only an object of skos:exactMatch
    assert kg.query("superclasses", term="https://w3id.org/hemokg/HEMO_0000123").rows
    assert kg.query("develops-from-ask", cell="HEMO:0000123", precursor="myeloblast").boolean


# --- 11: JSON ends with a newline, unknown keywords are named, depth is documented -----------------------------------
@pytest.mark.parametrize(
    "args",
    [
        ("query", "term-definition", "-p", "term=neutrophil"),
        ("sparql", "ASK {}"),
        ("lookup", "neutrophil"),
        ("lineage", "platelet"),
        ("queries",),
    ],
)
def test_json_output_ends_with_a_newline(hemokg_cli, args: tuple[str, ...]) -> None:
    run = hemokg_cli(*args, "--format", "json")
    assert run.code == 0, run.err
    assert run.out.endswith("}\n") or run.out.endswith("]\n")
    json.loads(run.out)


def test_an_unknown_keyword_is_named(hemokg_cli, kg: hemokg.KnowledgeGraph) -> None:
    run = hemokg_cli("sparql", "SELEC * WHERE { ?s ?p ?o }")
    assert run.code == 1 and "unknown keyword 'SELEC' at 1:1 (did you mean SELECT?)" in run.err
    with pytest.raises(SPARQLSyntaxError, match=r"unknown keyword 'Foo' at 2:3;"):
        kg.sparql("PREFIX a: <http://example.org/>\n  Foo ?s WHERE { ?s ?p ?o }")
    assert kg.sparql("PREFIX select: <http://example.org/>\nselect ?s WHERE { ?s ?p ?o } LIMIT 1").rows


@pytest.mark.parametrize("cell", CHAIN_CELLS)
def test_chain_depth_is_the_distance_from_the_stem_cell(kg: hemokg.KnowledgeGraph, cell: str) -> None:
    rows = kg.query("develops-from-chain", cell=cell).rows
    depths = [int(r[2].value) for r in rows]
    assert all(a > b for a, b in pairwise(depths)), (cell, depths)  # nearest first, each step further up
    assert depths[-1] == 0 and rows[-1][1].value == "hematopoietic stem cell"


def test_the_listing_says_what_depth_means(hemokg_cli) -> None:
    listed = {q["name"]: q for q in json.loads(hemokg_cli("queries", "--format", "json").out)}
    assert "how far the precursor is from the stem cell" in listed["develops-from-chain"]["description"]


# --- 10: what an installed package cannot do says so -------------------------------------------------------------
def _installed_layout(root: Path) -> Path:
    """The package as the wheel lays it out (hemokg/ plus the force-included hemokg/_data/, from pyproject.toml),
    without the source tree's ontology/sources release files."""
    import tomllib

    repo = Path(__file__).resolve().parents[1]
    site = root / "site"
    shutil.copytree(repo / "hemokg", site / "hemokg", ignore=shutil.ignore_patterns("__pycache__", "_data"))
    config = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))
    for source, target in config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"].items():
        (site / target).parent.mkdir(parents=True, exist_ok=True)
        copy = shutil.copytree if (repo / source).is_dir() else shutil.copy2
        copy(repo / source, site / target)
    return site


def test_imports_build_on_an_installed_package_names_what_is_missing(tmp_path: Path) -> None:
    site = _installed_layout(tmp_path)
    modules = site / "hemokg" / "_data" / "ontology" / "imports"
    before = {p.name: p.read_bytes() for p in modules.iterdir()}
    env = {**os.environ, "PYTHONPATH": str(site)}
    proc = subprocess.run(
        [sys.executable, "-m", "hemokg", "imports", "build"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert proc.returncode == 1, proc.stderr
    assert "CL's edit file" in proc.stderr and "--cl-edit FILE" in proc.stderr and "--cl-slim FILE" in proc.stderr
    assert "nothing was written" in proc.stderr and "Traceback" not in proc.stderr
    assert {p.name: p.read_bytes() for p in modules.iterdir()} == before


def test_site_without_graphviz_points_at_no_pictures(hemokg_cli, tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path / "bin")}  # no Graphviz on this PATH
    out = tmp_path / "public"
    run = hemokg_cli("site", "-o", str(out), env=env)
    assert run.code == 1 and "Traceback" not in run.err
    assert "apt-get install graphviz" in run.err and f"hemokg site -o {out} --no-pictures" in run.err
    assert not out.exists()
    done = hemokg_cli("site", "-o", str(out), "--no-pictures", env=env, timeout=600)
    assert done.code == 0, done.err
    assert (out / "index.html").is_file()


# --- 17: an endpoint whose graph is empty says which --graph to give --------------------------------------------
def _put(url: str, data: bytes, method: str = "PUT") -> None:
    import urllib.request

    request = urllib.request.Request(url, data=data or None, method=method)
    request.add_header("Content-Type", "application/n-triples")
    with urllib.request.urlopen(request, timeout=60):
        pass


@pytest.mark.slow
def test_an_empty_graph_on_the_endpoint_names_the_graph_to_use(hemokg_cli, tmp_path: Path) -> None:
    from tests.fixtures.servers import OxigraphServer

    asserted = hemokg.load(reasoned=False).export("ntriples")
    assert asserted
    server = OxigraphServer.start_in(tmp_path / "db")
    try:
        _put(f"{server.store}?default", asserted)  # hemo in the server's default graph, not in a named graph
        out = tmp_path / "hemo.ttl"
        run = hemokg_cli("export", "--endpoint", server.query, "--format", "turtle", "-o", str(out))
        assert run.code == 1 and "Traceback" not in run.err, run.err
        assert "nothing to export" in run.err and "hemo is in the server's default graph: give --graph ''" in run.err
        assert not out.exists()
        query = hemokg_cli("query", "term-definition", "-p", "term=neutrophil", "--endpoint", server.query)
        assert query.code == 1 and "no term matches 'neutrophil': " in query.err
        assert "give --graph ''" in query.err
        done = hemokg_cli("export", "--endpoint", server.query, "--graph", "", "--format", "turtle", "-o", str(out))
        assert done.code == 0, done.err
        assert out.stat().st_size > 10_000
        named = "urn:example:hemo"
        _put(f"{server.store}?graph={named}", asserted)
        _put(f"{server.store}?default", b"", method="DELETE")
        moved = hemokg_cli("export", "--endpoint", server.query, "--format", "ntriples")
        assert moved.code == 1 and f"hemo is in the named graph <{named}>: give --graph {named}" in moved.err
        _put(f"{server.store}?graph={named}", b"<urn:a> <urn:b> <urn:c> .\n")
        other = hemokg_cli("lineage", "neutrophil", "--endpoint", server.query)
        assert other.code == 1 and f"the server's named graphs (none holds hemo): {named}" in other.err
    finally:
        server.stop()
