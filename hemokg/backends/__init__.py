"""Backends run SPARQL for a :class:`~hemokg.kg.KnowledgeGraph`: the embedded store, or a remote endpoint.

Every backend implements :class:`Backend`; everything else (stored queries, lookup, lineage) is built on ``execute``,
so it works unchanged wherever the graph lives. ``http`` is the HTTP client the remote backend and ``push`` share.

May import: ``hemokg.errors``, ``hemokg.vocab``, ``hemokg.resources`` and ``hemokg.sparql``; never ``hemokg.graph``,
the facade or anything above.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from hemokg.sparql.results import Results, Term

__all__ = ["Backend"]


@runtime_checkable
class Backend(Protocol):
    """Runs one read-only SPARQL query with variables bound to RDF terms."""

    name: str

    def execute(self, query: str, bindings: Mapping[str, Term] | None = None) -> Results:
        """Run ``query`` with each ``bindings`` variable (name without ``?``) bound to its term."""
        ...
