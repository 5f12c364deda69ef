"""AnnData for ``annotate``: read an ``obs`` column, map its labels to CL, write a copy with the CELLxGENE column.

The ``anndata`` package is an optional extra (``pip install 'hemokg[anndata]'``), imported only here and only when
used. A categorical column is annotated per category (a million cells cost what their few dozen labels cost); a copy
is written atomically and never over its input.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hemokg.errors import AnnotateInputError, MissingExtraError

if TYPE_CHECKING:
    from hemokg.annotate import Annotation
    from hemokg.kg import KnowledgeGraph

__all__ = [
    "UNKNOWN",
    "annotate_anndata",
    "label_codes",
    "read_h5ad",
    "require_anndata",
    "with_ontology_column",
    "write_h5ad",
]

#: What CELLxGENE's schema wants in ``cell_type_ontology_term_id`` where no cell type can be given.
UNKNOWN = "unknown"
COLUMN = "cell_type_ontology_term_id"


def require_anndata() -> Any:
    """The ``anndata`` module, or :class:`MissingExtraError` naming the extra to install."""
    try:
        import anndata  # type: ignore[import-untyped]
    except ImportError:
        raise MissingExtraError(
            "reading and writing .h5ad files needs the anndata package: pip install 'hemokg[anndata]'"
        ) from None
    return anndata


def read_h5ad(path: str | Path) -> Any:
    """An AnnData read from ``path``; a missing, unreadable or truncated file is an :class:`AnnotateInputError`."""
    anndata = require_anndata()
    path = Path(path)
    if not path.is_file():
        raise AnnotateInputError(f"{path}: no such file")
    try:
        return anndata.read_h5ad(path)
    except Exception as exc:  # h5py/anndata raise OSError, KeyError, ValueError… on a damaged file
        raise AnnotateInputError(
            f"{path}: not a readable .h5ad file (truncated or damaged? {type(exc).__name__}: {exc})"
        ) from None


def label_codes(adata: Any, column: str) -> tuple[list[str], Any]:
    """The distinct labels of ``obs[column]`` (first-appearance order) and each cell's index into them.

    NaN and missing values become the empty label. A missing column is an error listing the columns there are."""
    import numpy as np
    import pandas as pd  # type: ignore[import-untyped]

    obs = adata.obs
    if column not in obs.columns:
        have = ", ".join(map(str, obs.columns)) or "none"
        raise AnnotateInputError(f"no obs column {column!r}; the columns are: {have}")
    series = obs[column]
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
        cats = [str(c) for c in series.cat.categories]
    else:
        codes, uniques = pd.factorize(series.astype("object").where(series.notna(), None), use_na_sentinel=True)
        cats = ["" if u is None else str(u) for u in uniques]
    missing = codes < 0
    if missing.any():
        cats = [*cats, ""]
        codes = np.where(missing, len(cats) - 1, codes)
    # first-appearance order of the categories that occur
    order_codes, first = np.unique(codes, return_index=True)
    ranked = order_codes[np.argsort(first)]
    remap = np.full(len(cats), -1, dtype=np.int64)
    remap[ranked] = np.arange(len(ranked))
    labels = [cats[i].strip() for i in ranked]
    return labels, remap[codes]


def annotate_anndata(adata: Any, column: str, *, kg: KnowledgeGraph | None = None) -> list[Annotation]:
    """One :class:`~hemokg.annotate.Annotation` per distinct label of ``adata.obs[column]`` with its cell count."""
    import numpy as np

    from hemokg.kg import default_annotator

    engine = kg.annotator if kg is not None else default_annotator()
    labels, codes = label_codes(adata, column)
    counts: list[int] = np.bincount(codes, minlength=len(labels)).tolist() if len(labels) else []
    merged: dict[str, int] = {}
    for label, count in zip(labels, counts, strict=True):
        merged[label] = merged.get(label, 0) + int(count)  # "B" and "B " are one label
    return [engine.one(label, count) for label, count in merged.items()]


def with_ontology_column(adata: Any, column: str, annotations: list[Annotation], *, with_labels: bool = False) -> Any:
    """A copy of ``adata`` whose ``obs`` has a categorical ``cell_type_ontology_term_id`` (a CL CURIE, or
    ``unknown`` where annotate abstained) and, with ``with_labels``, ``cell_type`` (the CL label)."""
    import numpy as np
    import pandas as pd

    labels, codes = label_codes(adata, column)
    by_label = {a.label: a for a in annotations}
    ids = [(by_label[x].cl_id if x in by_label else None) or UNKNOWN for x in labels]
    out = adata.copy()
    values = np.asarray(ids, dtype=object)[codes] if len(ids) else np.asarray([], dtype=object)
    out.obs[COLUMN] = pd.Categorical(values)
    if with_labels:
        names = [(by_label[x].cl_label if x in by_label else None) or UNKNOWN for x in labels]
        out.obs["cell_type"] = pd.Categorical(np.asarray(names, dtype=object)[codes] if len(names) else [])
    return out


def write_h5ad(adata: Any, path: str | Path, *, source: str | Path | None = None) -> Path:
    """Write ``adata`` to ``path`` atomically (a temporary sibling, then a rename); never over ``source``."""
    path = Path(path)
    if source is not None and path.exists() and os.path.samefile(path, source):
        raise AnnotateInputError(f"--out {path} is the input file; write the copy to another path")
    if not path.parent.is_dir():
        raise AnnotateInputError(f"cannot write {path}: folder {path.parent} does not exist")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        adata.write_h5ad(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
