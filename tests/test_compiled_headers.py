"""The stored queries compiled to queries/headers.marshal (headers and text checks): current, used, never able to
change an answer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hemokg.errors import SPARQLSyntaxError
from hemokg.resources import queries_dir
from hemokg.sparql import guard, queries
from hemokg.sparql.compiled import COMPILED_FILE, text_checks
from hemokg.sparql.queries import StoredQuery, catalog, compile_queries, parse_header

ROOT = Path(__file__).resolve().parents[1]


def test_the_shipped_compiled_headers_are_current() -> None:
    shipped = (queries_dir() / COMPILED_FILE).read_bytes()
    assert shipped == compile_queries(), "queries/headers.marshal is stale: run `hemokg build`"


def test_a_stored_query_runs_without_importing_yaml() -> None:
    code = (
        "import sys, hemokg; kg = hemokg.load(); kg.query('develops-from-chain', cell='platelet');"
        "print('yaml' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_an_edited_header_is_read_from_its_yaml_not_the_compiled_file(tmp_path: Path) -> None:
    original = (queries_dir() / "term-labels.rq").read_text(encoding="utf-8")
    edited = original.replace("#+ summary: ", "#+ summary: EDITED ", 1)
    assert edited != original
    path = tmp_path / "term-labels.rq"
    path.write_text(edited, encoding="utf-8")
    assert StoredQuery.from_file(path).summary.startswith("EDITED ")
    data, _ = parse_header(original, source="term-labels.rq")
    assert not data["summary"].startswith("EDITED ")


def test_the_recorded_text_checks_are_what_the_checks_find() -> None:
    """For every shipped query, each recorded result is what the regular-expression check itself finds."""
    cat = catalog()
    assert len(cat) > 30
    for name in cat:
        text = cat[name].text
        checks = text_checks(text)
        assert checks is not None, name
        assert checks["form"] == queries._analyse_form.__wrapped__(text), name
        guard._scan(text, False, "query")  # raises if the guard refuses it
        assert checks["guard"] is True, name
        assert [tuple(p) for p in checks["params"]] == queries._RE.param.findall(text), name
        for variable, spots in checks["spots"].items():
            found = queries._find_spots.__wrapped__(text, (variable,))
            assert spots == (None if found is None else [[a, b] for a, b, _ in found]), (name, variable)


def test_an_edited_text_is_checked_afresh() -> None:
    """A text not in the file byte for byte gets every check: SERVICE added to a shipped query is refused."""
    text = catalog()["develops-from-chain"].text
    assert text_checks(text) is not None
    edited = text.replace("WHERE {", "WHERE { SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } ", 1)
    assert edited != text and text_checks(edited) is None
    guard.check_query(text)
    with pytest.raises(SPARQLSyntaxError, match="SERVICE"):
        guard.check_query(edited)


_COUNT_COMPILES = """
import re, sys
compiled = []
real = re._compile
def counting(pattern, flags):
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename == re.__file__:
        frame = frame.f_back
    if frame is not None and "hemokg" in frame.f_code.co_filename:
        compiled.append((frame.f_code.co_filename, frame.f_lineno))
    return real(pattern, flags)
re._compile = counting
sys.argv = ["hemokg", *sys.argv[1:]]
from hemokg.cli import main
try:
    main()
except SystemExit:
    pass
sys.stderr.write(repr(compiled))
"""


@pytest.mark.parametrize(
    "argv",
    [
        ["lineage", "neutrophil", "--format", "tsv"],
        ["lookup", "hemopoiesis", "--format", "tsv"],
        ["query", "develops-from-chain", "-p", "cell=platelet", "--format", "tsv"],
    ],
)
def test_a_hot_command_compiles_no_regular_expression(argv: list[str]) -> None:
    """Nothing of hemokg compiles a pattern on the hot commands' way: their stored queries' checks are recorded."""
    out = subprocess.run(
        [sys.executable, "-c", _COUNT_COMPILES, *argv], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip()
    assert out.stderr.strip() == "[]"
