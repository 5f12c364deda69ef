"""The annotation benchmark's label set (``benchmarks/annotate/labels.tsv``) and the harness's scoring.

The label set is data a reader must be able to check: every row names a public source (a repository and path, a
DOI or a PMID), and every CL CURIE it accepts is a live term of the CL release that cellxgene-ontology-guide ships.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest

from benchmarks.annotate import ABSTAIN, LabelRow, load_labels, score

LABELS = Path(__file__).resolve().parent.parent / "benchmarks" / "annotate" / "labels.tsv"
CURIE = re.compile(r"^CL:\d{7}$")
# one source: owner/name[@commit]:path [(detail)], DOI:..., or PMID:...
SOURCE = re.compile(
    r"^(?:[\w.-]+/[\w.-]+(?:@[0-9a-f]{7,40})?:[^\s;]+(?: \([^;]*\))?|DOI:10\.\d{4,9}/\S+(?: \([^;]*\))?"
    r"|PMID:\d+)$"
)


def _cl_terms() -> dict[str, dict[str, Any]]:
    """The newest CL release cellxgene-ontology-guide ships, as CURIE -> record."""
    cxg = pytest.importorskip("cellxgene_ontology_guide")
    zstandard = pytest.importorskip("zstandard")
    files = sorted((Path(cxg.__file__).parent / "data").glob("CL-ontology-v*.json.zst"))
    assert files, "cellxgene-ontology-guide ships no CL release"
    data = zstandard.ZstdDecompressor().decompressobj().decompress(files[-1].read_bytes())
    terms: dict[str, dict[str, Any]] = json.loads(data)
    return terms


def _raw_rows() -> list[list[str]]:
    with LABELS.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_shape_header_and_size() -> None:
    rows = _raw_rows()
    assert rows[0] == ["label", "source", "accepted", "note"]
    body = rows[1:]
    assert len(body) >= 150
    for number, row in enumerate(body, start=2):
        assert len(row) == 4, f"labels.tsv:{number}: {len(row)} fields, expected 4"
        assert row[0].strip() == row[0] and row[0], f"labels.tsv:{number}: empty or padded label"
    folded = [row[0].casefold() for row in body]
    assert len(set(folded)) == len(folded), "a label appears twice (case-insensitively)"


def test_sources_are_checkable() -> None:
    for number, row in enumerate(_raw_rows()[1:], start=2):
        source = row[1]
        assert source and "curated" not in source.casefold(), f"labels.tsv:{number}: no checkable source"
        for part in source.split("; "):
            assert SOURCE.match(part), f"labels.tsv:{number}: source {part!r} is not repo:path, DOI or PMID"


def test_accepted_terms_are_live_cl_terms() -> None:
    terms = _cl_terms()
    for number, row in enumerate(_raw_rows()[1:], start=2):
        if row[2] == ABSTAIN:
            continue
        curies = row[2].split("|")
        assert len(set(curies)) == len(curies), f"labels.tsv:{number}: a CURIE repeats"
        for curie in curies:
            assert CURIE.match(curie), f"labels.tsv:{number}: {curie!r} is not a CL CURIE"
            assert curie in terms, f"labels.tsv:{number}: {curie} is not in the CL release"
            assert not terms[curie].get("deprecated"), f"labels.tsv:{number}: {curie} is obsolete"


def test_abstentions_are_a_minority_but_present() -> None:
    rows = load_labels(LABELS)
    abstain = sum(row.abstain for row in rows)
    assert 0.05 <= abstain / len(rows) <= 0.15, f"{abstain} of {len(rows)} rows are abstentions"


def test_loader_reports_a_bad_row(tmp_path: Path) -> None:
    bad = tmp_path / "labels.tsv"
    bad.write_text("label\tsource\taccepted\tnote\nNK\tDOI:10.1/x\tCL:623\t\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"labels\.tsv:2"):
        load_labels(bad)
    bad.write_text("label\tsource\tnote\nNK\tDOI:10.1/x\t\n", encoding="utf-8")
    with pytest.raises(ValueError, match="header"):
        load_labels(bad)


def test_scoring_counts_right_wrong_abstained() -> None:
    rows = load_labels(LABELS)
    first = [None if row.accepted is None else sorted(row.accepted)[0] for row in rows]
    assert score(rows, first) == {"right": len(rows), "wrong": 0, "abstained": 0}
    silent = score(rows, [None] * len(rows))
    abstain_rows = sum(row.abstain for row in rows)
    assert silent == {"right": abstain_rows, "wrong": 0, "abstained": len(rows) - abstain_rows}
    # a CL answer on an abstain row is wrong; a term outside `accepted` is wrong
    doublet = LabelRow("Doublet", "x", None, "")
    nk = LabelRow("NK", "x", frozenset({"CL:0000623"}), "")
    assert score([doublet, nk], ["CL:0000000", "CL:0000084"]) == {"right": 0, "wrong": 2, "abstained": 0}
    with pytest.raises(ValueError, match="answers"):
        score([doublet, nk], [None])


def test_splice_replaces_or_adds_the_section() -> None:
    from benchmarks.annotate import HEADING, splice

    section = f"{HEADING}\n\nnew\n"
    document = "# r\n\n## 5. Scale\n\nx\n\n## Targets\n\nt\n"
    added = splice(document, section)
    assert added.index(HEADING) < added.index("## Targets") and "## 5. Scale" in added
    replaced = splice(added.replace("new", "old"), section)
    assert replaced == added and replaced.count(HEADING) == 1


@pytest.mark.slow
def test_harness_runs_a_peer_offline_in_a_child(tmp_path: Path) -> None:
    """The exact-match peer, in its own process on the CL file derived from the edit file; real scores."""
    pytest.importorskip("pyhornedowl")
    from benchmarks.annotate import render_section, run

    small = tmp_path / "labels.tsv"
    small.write_text(
        "label\tsource\taccepted\tnote\n"
        "natural killer cell\tDOI:10.1/x\tCL:0000623\t\n"
        "B cell\tDOI:10.1/x\tCL:0000785\tthe exact label names another term\n"
        "CD14 Mono\tDOI:10.1/x\tCL:0001054\t\n"
        "Doublet\tDOI:10.1/x\tabstain\t\n",
        encoding="utf-8",
    )
    result = run(labels=small, tools=["exact"], cache=tmp_path / "cache", with_anndata=False, budget=60)
    (exact,) = result["results"]
    assert (exact["right"], exact["wrong"], exact["abstained"]) == (2, 1, 1), exact
    assert exact["answers"][:2] == ["CL:0000623", "CL:0000236"]
    assert exact["network_attempts"] == []
    assert exact["distinct"]["seconds"] > 0
    assert "| exact | 2 | 1 | 1 |" in render_section(result)


def test_network_is_refused_inside_the_guard() -> None:
    import socket

    from benchmarks.annotate import no_network

    attempts: list[str] = []
    with no_network(attempts), pytest.raises(OSError, match="refused by the benchmark"):
        socket.create_connection(("192.0.2.1", 80), timeout=1)
    assert attempts and "192.0.2.1" in attempts[0]
    with no_network(attempts):  # loopback stays allowed (a refused port, not the guard)
        with pytest.raises(OSError) as info:
            socket.create_connection(("127.0.0.1", 9), timeout=1)
        assert "refused by the benchmark" not in str(info.value)
