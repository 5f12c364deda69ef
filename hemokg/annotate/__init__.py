"""``hemokg annotate``: map the free-text cell-type labels of single-cell datasets to CL terms, or abstain.

>>> import hemokg
>>> kg = hemokg.load()
>>> [a.cl_id for a in kg.annotate(["CD14+ Mono", "Doublet"])]  # doctest: +SKIP
['CL:0001054', None]

Layer: beside lookup/lineage (it uses the label normaliser of :mod:`hemokg.lookup`); the knowledge graph delegates
to it, the CLI and :mod:`hemokg.interop.anndata` call it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from hemokg.annotate.engine import Abbreviation, Annotation, Annotator, load_abbreviations
from hemokg.annotate.knowledge import CellKnowledge

if TYPE_CHECKING:
    from hemokg.kg import KnowledgeGraph

__all__ = ["Abbreviation", "Annotation", "Annotator", "CellKnowledge", "annotate", "annotator", "load_abbreviations"]


def annotator(kg: KnowledgeGraph | None = None) -> Annotator:
    """An :class:`Annotator` over the shipped CL module and, when given, hemo's names read through ``kg``."""
    return Annotator(CellKnowledge.load(kg))


def annotate(labels: Iterable[object], *, kg: KnowledgeGraph | None = None) -> list[Annotation]:
    """One :class:`Annotation` per distinct label (first-appearance order, with counts); ``cl_id`` None abstains."""
    if kg is not None:
        return kg.annotate(labels)
    return annotator().annotate(labels)
