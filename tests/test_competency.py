"""Every competency question (docs/competency-questions.md) is answered by its stored query, as expected.

The expectations are data (tests/data/competency.yaml); row values are compared as text: IRIs shortened to CURIEs
(HEMO:0000123, CL:0000775), literals as their lexical form.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

import hemokg
from hemokg.sparql.results import term_text
from tests.fixtures.core import concat_separators, in_sorted_parts

DATA = Path(__file__).parent / "data" / "competency.yaml"
DOC = Path(__file__).resolve().parents[1] / "docs" / "competency-questions.md"
CASES = yaml.safe_load(DATA.read_text(encoding="utf-8")) if DATA.exists() else []


def rows_as_text(results: hemokg.Results, concat: dict[str, str] | None = None) -> list[dict[str, str]]:
    """Rows as texts; the parts of a ``GROUP_CONCAT`` column (``concat``: variable to separator) sorted."""
    concat = concat or {}
    return [
        {var: in_sorted_parts(term_text(value), concat.get(var)) for var, value in row.asdict().items()}
        for row in results
    ]


def matches(row: dict[str, str], want: dict) -> bool:
    return all(row.get(key) == str(value) for key, value in want.items())


#: What an expected answer may cite: the article, the supplement's sources, a release file (CL/GO/...) or an ID.
SOURCE_KINDS = re.compile(
    r"Cleveland Clinic|Supplement|BioNumbers|PMID:|ISBN:|doi:|\b(?:CL|GO|MONDO|HP|HsapDv|UBERON)\b"
)


def test_there_are_at_least_sixty_questions_each_documented() -> None:
    assert len(CASES) >= 60
    ids = [case["id"] for case in CASES]
    assert len(set(ids)) == len(ids), "duplicate competency ids"
    documented = set(re.findall(r"\bCQ\d+\b", DOC.read_text(encoding="utf-8")))
    assert set(ids) <= documented, f"undocumented: {sorted(set(ids) - documented)}"


def test_lineage_questions_cite_where_their_answer_comes_from() -> None:
    """From CQ100 on, each expected answer names its source: a CL edge or class, the article's sentence, a PMID."""
    later = [case for case in CASES if int(case["id"][2:]) >= 100]
    assert len(later) >= 20
    for case in later:
        source = case.get("source")
        assert isinstance(source, str) and len(source.split()) >= 3, f"{case['id']}: no source for its answer"
        assert re.search(r"\b(CL|PMID|ISBN|doi):|[Aa]rticle|[Ss]upplement", source), f"{case['id']}: {source!r}"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_every_expected_answer_cites_its_source(case: dict) -> None:
    """The expectation is not just what the model says: each case names where its answer comes from (the article's
    sentence, a CL edge, or a cited source)."""
    source = case.get("source")
    assert isinstance(source, str) and len(source) >= 10, f"{case['id']}: no `source` for its expected answer"
    assert SOURCE_KINDS.search(source), f"{case['id']}: `source` names no article, release or identifier: {source!r}"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_competency_question(kg: hemokg.KnowledgeGraph, case: dict) -> None:
    results = kg.query(case["query"], **case.get("params", {}))
    expect = case["expect"]
    assert set(expect) <= {"contains", "excludes", "equals", "ask", "min_rows", "max_rows"}, case["id"]
    if "ask" in expect:
        assert results.kind == "ask" and results.boolean is expect["ask"], case["question"]
        return
    rows = rows_as_text(results, concat := concat_separators(kg.catalog[case["query"]].text))
    expect = {
        how: [{k: in_sorted_parts(str(v), concat.get(k)) for k, v in want.items()} for want in wants]
        if isinstance(wants, list)
        else wants
        for how, wants in expect.items()
    }
    for want in expect.get("contains", []):
        assert any(matches(r, want) for r in rows), f"{case['id']}: no row {want} in {rows[:20]}"
    for unwanted in expect.get("excludes", []):
        assert not any(matches(r, unwanted) for r in rows), f"{case['id']}: unexpected row {unwanted}"
    if "equals" in expect:
        keys = sorted({k for want in expect["equals"] for k in want})
        got = sorted(tuple(r.get(k) for k in keys) for r in rows)
        assert got == sorted(tuple(str(w.get(k)) for k in keys) for w in expect["equals"]), case["id"]
    assert len(rows) >= expect.get("min_rows", 0 if "equals" in expect else 1), f"{case['id']}: too few rows"
    if "max_rows" in expect:
        assert len(rows) <= expect["max_rows"], case["id"]
