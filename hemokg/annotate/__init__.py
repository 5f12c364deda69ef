"""``hemokg annotate``: map the free-text cell-type labels of single-cell datasets to CL terms, or abstain.

>>> import hemokg
>>> kg = hemokg.load()
>>> [a.cl_id for a in kg.annotate(["CD14+ Mono", "Doublet"])]  # doctest: +SKIP
['CL:0001054', None]

Layer: beside lookup/lineage (it uses the label normaliser of :mod:`hemokg.lookup`); the knowledge graph delegates
to it, the CLI and :mod:`hemokg.interop.anndata` call it. May import: ``errors``, ``vocab``, ``resources``, ``sparql``
and ``lookup``; it reads hemo's names through the knowledge graph it is handed (its imports of ``hemokg.kg``, for
types and for the default graph, are the known exceptions listed in tests/test_layers.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable
from typing import TYPE_CHECKING

from hemokg.annotate.engine import Abbreviation, Annotation, Annotator, load_abbreviations
from hemokg.annotate.knowledge import CellKnowledge

if TYPE_CHECKING:
    from hemokg.annotate.knowledge import NameSource

__all__ = [
    "Abbreviation",
    "Annotation",
    "Annotator",
    "CellKnowledge",
    "annotate",
    "annotator",
    "load_abbreviations",
    "shared",
    "shared_annotator",
]

_SHARED: dict[Hashable, Annotator] = {}
_SHARED_LOCK = threading.Lock()
#: The key of the shipped embedded graph as ``hemokg.load()`` opens it by default.
DEFAULT_KEY = ("shipped", True, False, "hermit")


def annotator(kg: NameSource | None = None) -> Annotator:
    """An :class:`Annotator` over the shipped CL module and, when given, hemo's names read through ``kg``."""
    return Annotator(CellKnowledge.load(kg))


def shared(key: Hashable) -> Annotator | None:
    """The annotator already built for graphs with this content, if any."""
    with _SHARED_LOCK:
        return _SHARED.get(key)


def shared_annotator(key: Hashable, build: Callable[[], Annotator]) -> Annotator:
    """One :class:`Annotator` per process for graphs with the same content (``key``), built once: every
    ``hemokg.load()`` of the shipped graph shares it."""
    with _SHARED_LOCK:
        found = _SHARED.get(key)
        if found is None:
            found = _SHARED[key] = build()
        return found


def annotate(labels: Iterable[object], *, kg: NameSource | None = None) -> list[Annotation]:
    """One :class:`Annotation` per distinct label (first-appearance order, with counts); ``cl_id`` None abstains.
    Without ``kg``, CL's names alone (``KnowledgeGraph.annotate`` adds hemo's and shares the engine)."""
    return annotator(kg).annotate(labels)
