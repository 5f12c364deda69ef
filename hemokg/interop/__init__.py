"""Bridges to the tools of the single-cell and ontology ecosystems: AnnData (:mod:`hemokg.interop.anndata`), the
Ontology Access Kit (:mod:`hemokg.interop.oak`, the ``hemokg:`` plugin) and owlready2 (:mod:`hemokg.interop.owl`).

Layer: interop sits above the knowledge graph, formats and links (it may import everything below the CLI) and
below the CLI. Each module imports its third-party library (anndata, oaklib, owlready2) itself, at module level or
inside the functions that need it, so ``import hemokg`` never pays for them.
"""

from __future__ import annotations

__all__: list[str] = []
