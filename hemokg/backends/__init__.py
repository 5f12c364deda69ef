"""Backends run SPARQL for a :class:`~hemokg.kg.KnowledgeGraph`: the embedded store, or a remote endpoint.

Every backend implements :class:`Backend`; everything else (stored queries, lookup, lineage) is built on ``execute``,
so it works unchanged wherever the graph lives. ``http`` is the HTTP client the remote backend and ``push`` share.
A backend that holds its quads itself (the embedded store) also implements :class:`QuadSource`; :func:`all_quads`
reads every quad through that contract, or through one CONSTRUCT elsewhere. Layers above the facade's (``formats``,
``links``) are handed a :class:`GraphSource` (anything with a ``backend``, e.g. a ``KnowledgeGraph``), never the
facade itself.

The contracts live in :mod:`hemokg.backends.base`, re-exported here on first use.

May import: ``hemokg.errors``, ``hemokg.vocab``, ``hemokg.resources`` and ``hemokg.sparql``; never ``hemokg.graph``,
the facade or anything above.
"""

from __future__ import annotations

from hemokg._hints import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hemokg.backends.base import Backend, GraphSource, QuadSource, all_quads

__all__ = ["Backend", "GraphSource", "QuadSource", "all_quads"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from hemokg.backends import base

        return getattr(base, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
