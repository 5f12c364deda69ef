"""The command line as a user meets it: real processes, one clear line and a non-zero exit on bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, parse

import hemokg
from hemokg.cli import COMMANDS


def test_help_lists_commands_with_an_example_and_imports_nothing_heavy(hemokg_cli) -> None:
    run = hemokg_cli("--help")
    assert run.code == 0 and "lineage" in run.out and "Example" in run.out
    code = (
        "import sys\nfrom hemokg.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit: pass\n"
        "print(sorted(m for m in ('rdflib','owlready2','SPARQLWrapper','pyoxigraph','yaml','rich') "
        "if m in sys.modules), file=sys.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stderr.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_help_shows_an_example(hemokg_cli, command: str) -> None:
    run = hemokg_cli(command, "--help")
    assert run.code == 0, run.err
    assert "Example" in run.out


def test_version_names_package_and_ontology(hemokg_cli) -> None:
    run = hemokg_cli("--version")
    assert run.code == 0
    assert run.out.startswith(f"hemokg {hemokg.__version__}\n")
    assert "ontology hemo " in run.out and "unknown" not in run.out.splitlines()[1]


def test_lineage_default_format_off_a_terminal_is_tsv(hemokg_cli) -> None:
    run = hemokg_cli("lineage", "neutrophil")
    assert run.code == 0, run.err
    header, *rows = run.out.splitlines()
    assert header.split("\t") == ["direction", "path", "step", "id", "label"]
    assert any(r.endswith("\thematopoietic stem cell") for r in rows)


def test_lineage_table_and_json(hemokg_cli) -> None:
    table = hemokg_cli("lineage", "erythrocyte", "--format", "table")
    assert "reticulocyte → erythrocyte" in table.out
    data = json.loads(hemokg_cli("lineage", "erythrocyte", "--format", "json").out)
    assert data["cell"]["label"] == "erythrocyte"
    assert data["develops_from"][0][0]["label"] == "hematopoietic stem cell"


def test_lookup_json_and_table(hemokg_cli) -> None:
    term = json.loads(hemokg_cli("lookup", "Haemopoiesis", "--format", "json").out)
    assert term["label"] == "hematopoiesis" and term["curie"].startswith("HEMO:")
    assert any(s["text"] == "hemogenesis" for s in term["synonyms"])
    assert "GO:0030097" in json.dumps(term["mappings"])


def test_query_with_parameters_in_every_result_format(hemokg_cli) -> None:
    args = ["query", "develops-from-steps", "-p", "cell=platelet"]
    as_json = json.loads(hemokg_cli(*args, "--format", "json").out)
    assert as_json["head"]["vars"][:2] == ["cell", "cell_label"]
    assert hemokg_cli(*args, "--format", "csv").out.startswith("cell,cell_label,")
    assert hemokg_cli(*args, "--format", "tsv").out.startswith("?cell\t?cell_label")
    assert "megakaryocyte" in hemokg_cli(*args, "--format", "table").out


def test_queries_lists_every_stored_query(hemokg_cli) -> None:
    listed = json.loads(hemokg_cli("queries", "--format", "json").out)
    assert {q["name"] for q in listed} == set(hemokg.catalog())
    assert all(q["summary"] for q in listed)


def test_sparql_inline_and_from_file(hemokg_cli, tmp_path: Path) -> None:
    text = 'PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nASK { ?x rdfs:label "neutrophil" }'
    assert hemokg_cli("sparql", text, "--format", "json").out.strip() == '{"head": {}, "boolean": true}'
    path = tmp_path / "q.rq"
    path.write_text("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3")
    run = hemokg_cli("sparql", "-f", str(path), "--format", "table")
    assert run.code == 0, run.err
    assert len(list(parse(run.out.encode(), format=RdfFormat.TURTLE))) == 3, run.out
    run = hemokg_cli("sparql", "-f", str(path), "--format", "tsv")
    assert run.code == 0, run.err
    assert len(list(parse(run.out.encode(), format=RdfFormat.N_TRIPLES))) == 3, run.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", "no-such-query"], "known: "),
        (["query", "develops-from-steps", "-p", "colour=red"], "no parameter 'colour'"),
        (["query", "develops-from-steps", "-p", "oops"], "NAME=VALUE"),
        (["lineage", "neutrofil"], "did you mean: neutrophil"),
        (["lookup", "zzzzqqq"], "no term matches 'zzzzqqq'"),
        (["sparql", "SELECT ?x WHERE {\n ?x ?y \n}"], "3:"),
        (["sparql", "INSERT DATA { <urn:a> <urn:b> <urn:c> }"], "read-only"),
        (["sparql"], "give the query"),
        (["lineage", "neutrophil", "--format", "yaml"], "Invalid value"),
        (["nonsense"], "No such command"),
    ],
)
def test_bad_input_is_one_clear_line_and_a_non_zero_exit(hemokg_cli, args: list[str], message: str) -> None:
    run = hemokg_cli(*args)
    assert run.code != 0
    assert message in run.err
    assert "Traceback" not in run.err and run.out == ""


def test_output_file_is_written_atomically(hemokg_cli, tmp_path: Path) -> None:
    target = tmp_path / "out.tsv"
    target.write_text("previous\n")
    bad = hemokg_cli("query", "no-such-query", "-o", str(target))
    assert bad.code != 0 and target.read_text() == "previous\n"
    good = hemokg_cli("lineage", "platelet", "-o", str(target))
    assert good.code == 0 and "megakaryocyte" in target.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["out.tsv"]


def test_python_dash_m_and_console_script_agree(hemokg_cli) -> None:
    """The installed ``hemokg`` entry point and ``python -m hemokg`` give the same answer for the same arguments."""
    script = Path(sys.executable).parent / "hemokg"
    if not script.exists():
        found = shutil.which("hemokg") or pytest.fail("the hemokg console script is not installed: pip install -e .")
        script = Path(found)
    args = ["lookup", "platelet", "--format", "json"]
    module = hemokg_cli(*args)
    proc = subprocess.run([str(script), *args], capture_output=True, text=True, timeout=120)
    assert module.code == 0 and proc.returncode == 0, (module.err, proc.stderr)
    assert json.loads(module.out)["label"] == "platelet"
    assert proc.stdout == module.out and proc.stderr == module.err
    bad = ["lookup", "zzzzqqq"]
    proc = subprocess.run([str(script), *bad], capture_output=True, text=True, timeout=120)
    module = hemokg_cli(*bad)
    assert proc.returncode == module.code == 1 and proc.stderr == module.err and proc.stdout == module.out == ""
