"""``annotate``: labels to CL (names, plurals, word order, abbreviations, markers), abstentions, CLI and SSSOM."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

import hemokg
from hemokg.annotate import load_abbreviations
from hemokg.lookup import normalize, singular_key
from hemokg.vocab import curie_to_iri


@pytest.fixture(scope="module")
def annotator(kg: hemokg.KnowledgeGraph):
    return kg.annotator


def _ids(kg: hemokg.KnowledgeGraph, *labels: str) -> list[str | None]:
    return [a.cl_id for a in kg.annotate(labels)]


# --- issue 14.8: plurals and common forms in lookup and lineage -----------------------------------------------------
@pytest.mark.parametrize(
    ("text", "label"), [("T cells", "T cell"), ("Neutrophils", "neutrophil"), ("white blood cells", "leukocyte")]
)
def test_lookup_and_lineage_answer_plurals_and_say_so(kg: hemokg.KnowledgeGraph, text: str, label: str) -> None:
    term = kg.lookup(text)
    assert term.label == label and term.matched is not None and "plural" in term.matched
    lineage = kg.lineage(text)
    assert lineage.matched is not None and "plural" in lineage.matched


def test_cli_lineage_of_a_plural_says_it_was_read_as_one(hemokg_cli) -> None:
    run = hemokg_cli("lineage", "T cells", "--format", "table")
    assert run.code == 0, run.err
    assert "plural" in run.out.splitlines()[1]


def test_one_normaliser_folds_markers_plurals_and_separators() -> None:
    assert normalize("CD4+") == normalize("CD4-positive") == "cd4 positive"
    assert normalize("CD25-") == "cd25 negative" and normalize("alpha-beta T") == "alpha beta t"
    assert normalize("CD56bright") == normalize("CD56-hi") == normalize("CD56 high") == "cd56 bright"
    assert normalize("γδ T") == normalize("gamma-delta T")
    assert singular_key(normalize("Neutrophils")) == "neutrophil"
    assert singular_key(normalize("bodies")) == "body" and singular_key("thymus") == "thymus"


# --- the engine --------------------------------------------------------------------------------------------------
#: Labels that say one term: label | the CL term | how it is matched.
SAYS = """
classical monocyte       | CL:0000860 | exact label
Classical monocytes      | CL:0000860 | plural/spelling
B naive                  | CL:0000788 | word order
Treg                     | CL:0000815 | exact synonym
CD14+ Mono               | CL:0001054 | marker expression
NK_CD56bright            | CL:0000938 | marker expression
CD4+/CD25+               | CL:0000792 | marker expression
MEMP                     | CL:0000050 | abbreviation
Haematopoietic stem cell | CL:0000037 | exact label
Pro-erythroblasts        | CL:0000547 | plural/spelling
Naive CD8 T cells        | CL:0000900 | marker expression
CD4 Naive                | CL:0000895 | marker expression
"""


@pytest.mark.parametrize(
    ("label", "cl_id", "match"), [tuple(map(str.strip, row.split("|"))) for row in SAYS.strip().splitlines()]
)
def test_labels_map_to_the_term_they_say(kg: hemokg.KnowledgeGraph, label: str, cl_id: str, match: str) -> None:
    (a,) = kg.annotate([label])
    assert (a.cl_id, a.match) == (cl_id, match), a
    assert 0 < a.score <= 1 and a.cl_label


def test_markers_resolve_through_cl_logical_definitions(annotator) -> None:
    # CD16 is a synonym of the PR term in CL's "has plasma membrane part" restriction, not a word of any CL label
    feats = annotator.features("CD16+")
    assert feats == {"+http://purl.obolibrary.org/obo/PR_000001483"}
    assert annotator.features("Fcgr3+") == feats  # PR's gene symbol, the same protein
    classical = "http://purl.obolibrary.org/obo/CL_0002396"  # CD14-low, CD16-positive monocyte
    assert "+http://purl.obolibrary.org/obo/PR_000001483" in annotator._features[classical]


def test_never_more_specific_than_the_label(kg: hemokg.KnowledgeGraph) -> None:
    assert _ids(kg, "monocytes", "B cells", "T cells") == ["CL:0000576", "CL:0000236", "CL:0000084"]
    # CL's CD56-carrying NK classes all say more (CD56-dim, decidual, …) and NK cell itself has no CD56 axiom: the
    # kind they share, as a broad match (the label is no broader than it)
    (nk,) = kg.annotate(["NK CD56+"])
    assert (nk.cl_id, nk.predicate) == ("CL:0000623", "skos:broadMatch"), nk
    # the nearest common ancestor of the two is "myeloid cell": less than each part says, so no ID
    assert _ids(kg, "Megakaryocytes/platelets", "T/NK") == [None, None]
    assert _ids(kg, "CD4+/CD25+")[0] is not None  # slashes between the markers of one cell are no union


def test_qualifiers_and_parentheses_are_read_around(kg: hemokg.KnowledgeGraph) -> None:
    other, agonist, mait = kg.annotate(["other T", "T(agonist)", "MAIT cells"])
    assert other.cl_id == agonist.cl_id == "CL:0000084"
    assert agonist.predicate == "skos:broadMatch" and "(agonist)" in agonist.note
    assert mait.cl_id == "CL:0000940" and "MAIT" in mait.note


@pytest.mark.parametrize(
    "label",
    [
        "Doublet",
        "Unknown",
        "Low quality",
        "LowQ_1",
        "0",
        "12",
        "Unknown1",
        "B_T_doublet",
        "Hepatocyte",
        "Fibroblasts",
        "Stromal",
        "Endothelial cells",
        "",
        "   ",
    ],
)
def test_abstains_on_what_is_no_hematopoietic_cell_type(kg: hemokg.KnowledgeGraph, label: str) -> None:
    (a,) = kg.annotate([label])
    assert a.cl_id is None and a.cl_label is None and a.score == 0 and a.note, a


def test_one_row_per_distinct_label_in_first_appearance_order_with_counts(kg: hemokg.KnowledgeGraph) -> None:
    got = kg.annotate(["B cells", "Doublet", "B cells", None, float("nan"), "Doublet", "B cells"])
    assert [(a.label, a.count) for a in got] == [("B cells", 3), ("Doublet", 2), ("", 2)]


def test_abbreviation_table_has_a_checkable_source_per_entry_and_only_names_the_ontologies_lack(annotator) -> None:
    table = load_abbreviations()
    assert len(table) >= 12
    carried = {normalize(n.text) for n in annotator.k.names}  # any scope, hemo's or CL's
    for key, entry in table.items():
        assert entry.source and "curated" not in entry.source.lower(), entry
        assert ("@" in entry.source and ":" in entry.source) or entry.source.startswith(("PMID:", "DOI:")), entry
        if key in carried:  # only to settle a name the ontologies give to several terms, or to set a use right
            named = {n.iri for n in annotator.k.names if normalize(n.text) == key}
            assert entry.cl_id and (len(named) > 1 or curie_to_iri(entry.cl_id) not in named), entry
            if curie_to_iri(entry.cl_id) not in named:  # against the ontology: the literature that defines it
                assert "DOI:" in entry.source or "PMID:" in entry.source, entry


# --- the command line --------------------------------------------------------------------------------------------
def test_cli_tsv_off_a_terminal_and_json(hemokg_cli) -> None:
    run = hemokg_cli("annotate", "CD14+ Mono", "Doublet", "CD14+ Mono")
    assert run.code == 0, run.err
    rows = list(csv.DictReader(io.StringIO(run.out), delimiter="\t"))
    assert [(r["label"], r["count"], r["cl_id"]) for r in rows] == [
        ("CD14+ Mono", "2", "CL:0001054"),
        ("Doublet", "1", ""),
    ]
    run = hemokg_cli("annotate", "Treg", "Doublet", "--format", "json")
    items = json.loads(run.out)
    assert items[0]["cl_id"] == "CL:0000815" and items[1]["cl_id"] is None and items[1]["note"]
    assert {"label", "count", "cl_id", "cl_label", "hemo_id", "match", "score", "note"} <= set(items[0])


def test_cli_reads_text_csv_and_tsv_files_with_quoting(hemokg_cli, tmp_path: Path) -> None:
    text = tmp_path / "labels.txt"
    text.write_text("T cells\n\nNeutrophils\nT cells\n", encoding="utf-8")
    run = hemokg_cli("annotate", "-f", str(text), "--format", "json")
    assert [(a["label"], a["count"]) for a in json.loads(run.out)] == [("T cells", 2), ("Neutrophils", 1)]
    table = tmp_path / "cells.csv"
    table.write_text('id,label\n1,"CD4+, CD25+ T cells"\n2,"B cells"\n3,""\n4,"say ""hi"""\n', encoding="utf-8")
    run = hemokg_cli("annotate", "-f", str(table), "--column", "label", "--format", "json")
    assert run.code == 0, run.err
    assert [a["label"] for a in json.loads(run.out)] == ["CD4+, CD25+ T cells", "B cells", "", 'say "hi"']
    tsv = tmp_path / "cells.tsv"
    tsv.write_text('cell\tcell_type\nc1\t"Plasma cells"\nc2\tPlasma cells\n', encoding="utf-8")
    run = hemokg_cli("annotate", "-f", str(tsv), "--column", "cell_type", "--format", "json")
    assert [(a["label"], a["count"], a["cl_id"]) for a in json.loads(run.out)] == [("Plasma cells", 2, "CL:0000786")]


def test_cli_check_lists_the_disagreements(hemokg_cli, tmp_path: Path) -> None:
    table = tmp_path / "cells.csv"
    table.write_text("label,cl\nB cells,CL:0000236\nT cells,CL:0000236\nDoublet,unknown\n", encoding="utf-8")
    run = hemokg_cli("annotate", "-f", str(table), "--column", "label", "--check", "cl", "--format", "json")
    assert run.code == 0, run.err
    assert [(d["label"], d["existing_id"], d["annotate_id"]) for d in json.loads(run.out)] == [
        ("T cells", "CL:0000236", "CL:0000084")
    ]


def test_cli_rollup_maps_to_the_nearest_given_ancestor(hemokg_cli) -> None:
    run = hemokg_cli(
        "annotate", "CD14+ Mono", "naive B cell", "Doublet", "--rollup", "CL:0000576,lymphocyte", "--format", "json"
    )
    assert run.code == 0, run.err
    assert [a["rollup"] for a in json.loads(run.out)] == ["CL:0000576", "CL:0000542", None]


@pytest.mark.parametrize(
    ("args", "content", "message"),
    [
        (["--column", "nope"], b"label,x\nB,1\n", "the columns are: label, x"),
        ([], b"\xff\xfeB cell\n", "not UTF-8"),
        ([], b"", "no labels"),
        (["--column", "label"], b'label\n"unclosed\n', "not valid CSV"),
    ],
)
def test_cli_bad_input_names_the_file_and_the_problem(
    hemokg_cli, tmp_path: Path, args, content: bytes, message: str
) -> None:
    path = tmp_path / ("in.csv" if args else "in.txt")
    path.write_bytes(content)
    run = hemokg_cli("annotate", "-f", str(path), *args)
    assert run.code != 0 and message in run.err and path.name in run.err, run.err
    assert "Traceback" not in run.err


def test_sssom_output_is_valid_for_sssom_py(hemokg_cli, tmp_path: Path) -> None:
    run = hemokg_cli("annotate", "CD14+ Mono", "MEMP", "T cells", "Doublet", "--format", "sssom")
    assert run.code == 0, run.err
    path = tmp_path / "labels.sssom.tsv"
    path.write_text(run.out, encoding="utf-8")
    from sssom.parsers import parse_sssom_table

    msdf = parse_sssom_table(path)
    df = msdf.df
    assert sorted(df["object_id"]) == ["CL:0000050", "CL:0000084", "CL:0001054"]  # abstentions are not mappings
    just = dict(zip(df["subject_label"], df["mapping_justification"], strict=True))
    assert just["MEMP"] == "semapv:ManualMappingCuration" and just["T cells"] == "semapv:LexicalMatching"
    assert set(df["predicate_id"]) <= {"skos:exactMatch", "skos:broadMatch"}
    exe = shutil.which("sssom")
    if exe:
        proc = subprocess.run([exe, "validate", str(path)], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr


@pytest.mark.slow
def test_remote_endpoint_gives_the_same_annotations(oxigraph_kg, kg: hemokg.KnowledgeGraph) -> None:
    labels = ["CD14+ Mono", "T cells", "Treg", "Doublet", "HSPC", "B naive", "white blood cells"]
    local = kg.annotate(labels)
    remote = oxigraph_kg.annotate(labels)
    assert [(a.cl_id, a.hemo_id, a.match) for a in remote] == [(a.cl_id, a.hemo_id, a.match) for a in local]
    assert any(a.hemo_id for a in remote)  # hemo's names and IDs came through the endpoint
