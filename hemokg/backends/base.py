"""The backend contracts (:class:`Backend`, :class:`QuadSource`, :class:`GraphSource`) and :func:`all_quads`,
re-exported by :mod:`hemokg.backends`. Apart from its package so that a hot command, which only needs the embedded
backend, never imports :mod:`typing` for them (:mod:`hemokg._hints`).

Layer: backends; imports ``hemokg.sparql`` and pyoxigraph.
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
