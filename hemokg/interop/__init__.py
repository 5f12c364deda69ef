"""Bridges to the tools of the single-cell and ontology ecosystems: AnnData (:mod:`hemokg.interop.anndata`), the
Ontology Access Kit (:mod:`hemokg.interop.oak`, the ``hemokg:`` plugin) and owlready2 (:mod:`hemokg.interop.owl`).

Layer: interop sits above the knowledge graph, formats and links (it may import everything below the CLI) and
below the CLI — except :mod:`hemokg.interop.owl`, which turns the graph it is handed into owlready2 objects, so it
sits with the formats below the facade (``KnowledgeGraph.owl`` calls down into it) and imports nothing above them.
Each module imports its third-party library (anndata, oaklib, owlready2) itself, at module level or
inside the functions that need it, so ``import hemokg`` never pays for them.
"""

from __future__ import annotations

__all__: list[str] = []
