"""Backends run SPARQL for a :class:`~hemokg.kg.KnowledgeGraph`: the embedded store, or a remote endpoint.

Every backend implements :class:`Backend`; everything else (stored queries, lookup, lineage) is built on ``execute``,
so it works unchanged wherever the graph lives. ``http`` is the HTTP client the remote backend and ``push`` share.
A backend that holds its quads itself (the embedded store) also implements :class:`QuadSource`; :func:`all_quads`
reads every quad through that contract, or through one CONSTRUCT elsewhere. Layers above the facade's (``formats``,
``links``) are handed a :class:`GraphSource` (anything with a ``backend``, e.g. a ``KnowledgeGraph``), never the
facade itself.

May import: ``hemokg.errors``, ``hemokg.vocab``, ``hemokg.resources`` and ``hemokg.sparql``; never ``hemokg.graph``,
the facade or anything above.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from pyoxigraph import DefaultGraph, Quad

from hemokg.sparql.results import RDFTerm, Results

__all__ = ["Backend", "GraphSource", "QuadSource", "all_quads"]


@runtime_checkable
class Backend(Protocol):
    """Runs one read-only SPARQL query with variables bound to RDF terms."""

    name: str

    def execute(self, query: str, bindings: Mapping[str, RDFTerm] | None = None) -> Results:
        """Run ``query`` with each ``bindings`` variable (name without ``?``) bound to its term."""
        ...


@runtime_checkable
class QuadSource(Protocol):
    """A backend that holds its graph itself and hands out every quad, named graphs kept apart."""

    def quads(self) -> list[Quad]:
        """Every quad of the graph."""
        ...


class GraphSource(Protocol):
    """What the formats and link checks are handed: anything with a backend (a ``KnowledgeGraph``)."""

    @property
    def backend(self) -> Backend: ...


def all_quads(backend: Backend) -> list[Quad]:
    """Every quad ``backend`` answers over: its own quads when it holds them (:class:`QuadSource`), else the
    triples of one ``CONSTRUCT { ?s ?p ?o }`` (a remote graph), put in the default graph."""
    if isinstance(backend, QuadSource):
        return backend.quads()
    results = backend.execute("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    return [Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in results.triples]
