"""The stored queries' headers compiled to queries/headers.marshal: current, used, never able to change an answer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hemokg.resources import queries_dir
from hemokg.sparql.queries import COMPILED_HEADERS, StoredQuery, compile_headers, parse_header

ROOT = Path(__file__).resolve().parents[1]


def test_the_shipped_compiled_headers_are_current() -> None:
    shipped = (queries_dir() / COMPILED_HEADERS).read_bytes()
    assert shipped == compile_headers(), "queries/headers.marshal is stale: run `hemokg build`"


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
