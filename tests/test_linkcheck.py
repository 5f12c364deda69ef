"""check-links: missing, obsolete and relabelled targets fail; targets no source covers are only reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hemokg.errors import ImportsBuildError
from hemokg.links.imports import default_inputs
from hemokg.links.linkcheck import check_links, hemo_links
from hemokg.resources import ontology_path


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    text = ontology_path().read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "hemo.ttl"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_shipped_links_are_clean_and_go_gaps_unverified() -> None:
    report = check_links()
    assert report.ok, [i.row() for i in report.problems]
    assert report.checked == len(hemo_links()) > 100
    unverified = {i.row()[4] for i in report.unverified}
    assert "GO:0030220" in unverified  # platelet formation: no GO source we have holds it
    assert not any(t.startswith("CL:") for t in unverified)


def test_a_wrong_id_is_reported_missing(tmp_path: Path) -> None:
    bogus = _edited(tmp_path, "skos:exactMatch CL:0000232", "skos:exactMatch CL:9999999")
    report = check_links(bogus)
    assert not report.ok
    assert [(i.kind, i.row()[4]) for i in report.problems] == [("missing", "CL:9999999")]


def test_an_obsolete_target_names_its_replacement(tmp_path: Path) -> None:
    hemo = _edited(tmp_path, "skos:exactMatch CL:0000232", "skos:exactMatch CL:0000003")
    report = check_links(hemo, [default_inputs().cellxgene["CL"]])
    (issue,) = report.problems
    assert issue.kind == "obsolete" and "replaced by CL:0000000 (cell)" in issue.detail


def test_an_exact_match_whose_label_differs_is_reported(tmp_path: Path) -> None:
    hemo = _edited(tmp_path, "skos:exactMatch CL:0000232", "skos:exactMatch CL:0000233")
    (issue,) = check_links(hemo).problems
    assert issue.kind == "label" and "'platelet'" in issue.detail and "'erythrocyte'" in issue.detail


def test_release_files_take_over_their_prefix() -> None:
    inputs = default_inputs()
    report = check_links(releases=[inputs.hp_obo, inputs.cl_slim])
    assert report.ok
    assert any(s.startswith("hp.obo") for s in report.sources)


def test_cli_exit_codes(tmp_path: Path, hemokg_cli) -> None:
    ok = hemokg_cli("check-links", "--format", "json")
    assert ok.code == 0, ok.err
    assert json.loads(ok.out)["ok"] is True and "unverified" in ok.err
    bogus = _edited(tmp_path, "skos:exactMatch CL:0000232", "skos:exactMatch CL:9999999")
    bad = hemokg_cli("check-links", "--hemo", str(bogus), "--format", "tsv")
    assert bad.code == 1 and "missing\tHEMO:" in bad.out and "CL:9999999" in bad.out and "FAILED" in bad.err
    truncated = tmp_path / "hp.obo"
    truncated.write_bytes(default_inputs().hp_obo.read_bytes()[:50_000])
    broken = hemokg_cli("check-links", "--release", str(truncated))
    assert broken.code == 1 and broken.err.count("\n") == 1 and "truncated" in broken.err


def test_unreadable_release_is_a_typed_error(tmp_path: Path) -> None:
    junk = tmp_path / "go.obo"
    junk.write_text("<html>not an ontology</html>\n", encoding="utf-8")
    with pytest.raises(ImportsBuildError, match=r"go\.obo: this is not a format hemokg reads"):
        check_links(releases=[junk])
