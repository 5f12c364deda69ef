"""``annotate`` on real AnnData files: categorical and string obs columns, NaN and empty labels, the written copy."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hemokg

anndata = pytest.importorskip("anndata")

LABELS = ["CD14+ Mono", "B cells", "Doublet", "CD14+ Mono", "", "T cells", "B cells", "0"]


def _write(path: Path, labels: list[object], *, categorical: bool) -> Path:
    values = pd.Categorical(labels) if categorical else pd.Series(labels, dtype="object")
    obs = pd.DataFrame({"cell_label": values, "author_id": ["CL:0001054"] * len(labels)})
    obs.index = [f"cell{i}" for i in range(len(labels))]
    adata = anndata.AnnData(X=np.zeros((len(labels), 3), dtype=np.float32), obs=obs)
    adata.write_h5ad(path)
    return path


@pytest.mark.parametrize("categorical", [True, False])
def test_annotate_anndata_counts_cells_per_label_with_nan_and_empty(
    kg: hemokg.KnowledgeGraph, tmp_path: Path, categorical: bool
) -> None:
    path = _write(
        tmp_path / "in.h5ad", [*LABELS, np.nan] if not categorical else [*LABELS, None], categorical=categorical
    )
    adata = anndata.read_h5ad(path)
    got = hemokg.annotate_anndata(adata, "cell_label", kg=kg)
    counts = {a.label: a.count for a in got}
    assert counts == {"CD14+ Mono": 2, "B cells": 2, "Doublet": 1, "": 2, "T cells": 1, "0": 1}
    ids = {a.label: a.cl_id for a in got}
    assert ids["CD14+ Mono"] == "CL:0001054" and ids["B cells"] == "CL:0000236" and ids["Doublet"] is None
    assert ids[""] is None and ids["0"] is None


def _schema_errors(values: list[str]) -> list[str]:
    """cellxgene-schema's own check of cell_type_ontology_term_id values (CL term, allowed, not deprecated)."""
    schema = pytest.importorskip("cellxgene_schema.schema")
    from cellxgene_schema.validate import Validator

    validator = Validator()
    validator.reset()
    rules = schema.get_schema_definition()["components"]["obs"]["columns"]["cell_type_ontology_term_id"]
    for value in values:
        validator._validate_curie_str(value, "cell_type_ontology_term_id", rules["curie_constraints"])
    return validator.errors


def test_schema_checker_rejects_what_the_schema_forbids() -> None:
    assert _schema_errors(["CL:0000255", "UBERON:0000178"])  # the check can fail
    assert _schema_errors(["CL:0001054", "unknown"]) == []


def test_cli_out_writes_a_categorical_cellxgene_column_atomically(hemokg_cli, tmp_path: Path) -> None:
    src = _write(tmp_path / "in.h5ad", LABELS, categorical=True)
    before = src.read_bytes()
    out = tmp_path / "out.h5ad"
    run = hemokg_cli("annotate", "-f", str(src), "--column", "cell_label", "--out", str(out), "--format", "json")
    assert run.code == 0, run.err
    assert [a["label"] for a in json.loads(run.out)] == ["CD14+ Mono", "B cells", "Doublet", "", "T cells", "0"]
    assert src.read_bytes() == before
    written = anndata.read_h5ad(out)
    column = written.obs["cell_type_ontology_term_id"]
    assert isinstance(column.dtype, pd.CategoricalDtype)
    assert list(column) == [
        "CL:0001054",
        "CL:0000236",
        "unknown",
        "CL:0001054",
        "unknown",
        "CL:0000084",
        "CL:0000236",
        "unknown",
    ]
    assert "cell_type" not in written.obs
    assert _schema_errors(sorted(set(column))) == []
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left behind
    run = hemokg_cli("annotate", "-f", str(src), "--column", "cell_label", "--out", str(out), "--with-labels")
    assert run.code == 0, run.err
    assert list(anndata.read_h5ad(out).obs["cell_type"])[:2] == ["CD14-positive monocyte", "B cell"]


def test_cli_check_on_h5ad(hemokg_cli, tmp_path: Path) -> None:
    src = _write(tmp_path / "in.h5ad", ["CD14+ Mono", "B cells"], categorical=True)
    run = hemokg_cli("annotate", "-f", str(src), "--column", "cell_label", "--check", "author_id", "--format", "json")
    assert run.code == 0, run.err
    assert [(d["label"], d["annotate_id"]) for d in json.loads(run.out)] == [("B cells", "CL:0000236")]


def test_cli_h5ad_bad_input(hemokg_cli, tmp_path: Path) -> None:
    src = _write(tmp_path / "in.h5ad", LABELS, categorical=False)
    run = hemokg_cli("annotate", "-f", str(src), "--column", "nope")
    assert run.code == 1 and "the columns are: cell_label, author_id" in run.err, run.err
    run = hemokg_cli("annotate", "-f", str(src), "--column", "cell_label", "--out", str(src))
    assert run.code == 1 and "is the input file" in run.err, run.err
    truncated = tmp_path / "cut.h5ad"
    truncated.write_bytes(src.read_bytes()[:2000])
    run = hemokg_cli("annotate", "-f", str(truncated), "--column", "cell_label")
    assert run.code == 1 and "cut.h5ad" in run.err and "not a readable .h5ad" in run.err, run.err
    empty = _write(tmp_path / "empty.h5ad", [], categorical=True)
    run = hemokg_cli("annotate", "-f", str(empty), "--column", "cell_label")
    assert run.code == 1 and "no cells" in run.err, run.err


def test_h5ad_without_the_extra_names_the_extra(tmp_path: Path) -> None:
    import subprocess
    import sys

    src = _write(tmp_path / "in.h5ad", LABELS, categorical=True)
    code = (
        "import sys\nsys.modules['anndata'] = None\nfrom hemokg.cli import main\n"
        f"main(['annotate', '-f', {str(src)!r}, '--column', 'cell_label'])\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "pip install 'hemokg[anndata]'" in proc.stderr, proc.stderr
