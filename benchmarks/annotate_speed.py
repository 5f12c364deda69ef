"""Speed of ``annotate``: a 1,000,000-cell categorical obs column, and 10,000 distinct labels.

Run: ``python benchmarks/annotate_speed.py``. Times exclude building the knowledge graph and reading the file.
The 10,000 labels are real CL/hemo names and abbreviations varied as datasets vary them (case, plural,
separators, cluster suffixes), so most are distinct texts that each go through the whole engine.
"""

from __future__ import annotations

import random
import time

import numpy as np
import pandas as pd

import hemokg


def main() -> None:
    kg = hemokg.load()
    t0 = time.perf_counter()
    engine = kg.annotator
    print(f"engine built in {time.perf_counter() - t0:.2f} s")
    import anndata

    rng = random.Random(0)
    names = sorted({n.text for n in engine.k.names})
    base = [*rng.sample(names, 40), "Doublet", "Unknown", "CD14+ Mono", "NK_CD56bright", "B naive", "12"]
    codes = np.random.default_rng(0).integers(0, len(base), 1_000_000)
    adata = anndata.AnnData(obs=pd.DataFrame({"label": pd.Categorical.from_codes(codes, base)}))
    fresh = hemokg.load()
    _ = fresh.annotator  # built before timing: only the annotation is timed
    t0 = time.perf_counter()
    out = hemokg.annotate_anndata(adata, "label", kg=fresh)
    column = hemokg.interop.anndata.with_ontology_column(adata, "label", out)  # type: ignore[attr-defined]
    print(f"1,000,000 cells, {len(base)} labels: {time.perf_counter() - t0:.2f} s (with the new column)")
    assert len(column.obs) == 1_000_000
    variants = set()
    while len(variants) < 10_000:
        text = rng.choice(names)
        form = rng.randrange(5)
        if form == 1:
            text = text.upper()
        elif form == 2:
            text = text + "s"
        elif form == 3:
            text = text.replace(" ", "_") + f"_{rng.randrange(30)}"
        elif form == 4:
            text = " ".join(reversed(text.split(" ")))
        variants.add(text)
    fresh = hemokg.load()
    _ = fresh.annotator
    t0 = time.perf_counter()
    got = fresh.annotate(sorted(variants))
    mapped = sum(1 for a in got if a.cl_id)
    print(f"10,000 distinct labels: {time.perf_counter() - t0:.2f} s ({mapped} mapped)")


if __name__ == "__main__":
    import hemokg.interop.anndata

    main()
