"""The embedded backend: an in-memory pyoxigraph store, no server, no network.

pyoxigraph was chosen by measurement (``benchmarks/store_choice.py``, ``docs/benchmarks.md``): it parses and answers
the stored queries many times faster than rdflib's memory store, and its property paths do not recurse in Python.

A stored query's parameters (``?_cell_iri``, ``?_name_literal``, …) are written into its text as their terms
(:func:`~hemokg.sparql.queries.terms_text`) where that means what the VALUES block means: pyoxigraph plans a
constant well, while an OPTIONAL or UNION using a VALUES-bound variable is evaluated over the whole graph and joined
afterwards (``cells-made-in-site`` on a term that is no site: 24 ms with VALUES, 0.24 ms with the constant). Any other
binding, and any query where the variable sits in a projection, a solution modifier or ``BOUND``, gets the VALUES
block. The remote backend does the same, and falls back to VALUES (or BIND) where a server refuses the text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pyoxigraph import Quad, QueryBoolean, QuerySolutions, RdfFormat, Store

from hemokg._hints import TYPE_CHECKING
from hemokg.errors import SPARQLSyntaxError
from hemokg.sparql.guard import check_query
from hemokg.sparql.queries import bind_values, require_read_only, terms_text
from hemokg.sparql.results import RDFTerm, Results

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["EmbeddedBackend"]


class EmbeddedBackend:
    """Answers queries over the union of every graph of one private pyoxigraph :class:`~pyoxigraph.Store`.

    Query text goes through :func:`~hemokg.sparql.guard.check_query` first: ``SERVICE`` (which would make the engine
    send HTTP requests to any address a query names) is refused unless ``allow_service``, and so is text nested or
    chained deeper than the engine's native stack survives."""

    name = "embedded"

    def __init__(self, store: Store | None = None, *, allow_service: bool = False) -> None:
        self.store = store if store is not None else Store()
        self.allow_service = allow_service
        #: Bumped by every change made through this backend (:meth:`add`, :meth:`changed`): what is built from the
        #: store (the lineage step table) is rebuilt when it moves.
        self.generation = 0

    def changed(self) -> None:
        """Say that the store was changed directly (``backend.store.add(…)``), so what was built from it is rebuilt."""
        self.generation += 1

    @classmethod
    def from_nquads(cls, data: bytes, *, allow_service: bool = False) -> EmbeddedBackend:
        """A backend over a fresh store loaded with N-Quads bytes."""
        backend = cls(allow_service=allow_service)
        if data:
            backend.store.bulk_load(data, format=RdfFormat.N_QUADS)
            backend.changed()
        return backend

    @classmethod
    def from_file(cls, path: str | Path, *, allow_service: bool = False) -> EmbeddedBackend:
        """A backend over a fresh store loaded from an N-Quads file, read by pyoxigraph itself (never held in
        memory as bytes beside the store)."""
        backend = cls(allow_service=allow_service)
        backend.store.bulk_load(path=str(path), format=RdfFormat.N_QUADS)
        backend.changed()
        return backend

    def add(self, quads: Iterable[Quad]) -> None:
        """Add quads to the store."""
        self.store.extend(quads)
        self.generation += 1

    def quads(self) -> list[Quad]:
        """Every quad of the store, named graphs kept apart (:class:`~hemokg.backends.QuadSource`)."""
        return list(self.store)

    def __len__(self) -> int:
        return len(self.store)

    def execute(self, query: str, bindings: Mapping[str, RDFTerm] | None = None) -> Results:
        """Run a read-only query; updates raise :class:`UpdateRefusedError`, bad syntax :class:`SPARQLSyntaxError`."""
        require_read_only(query)  # a form it cannot tell (unknown): the parser below says what is wrong with it
        check_query(query, allow_service=self.allow_service)  # the bound terms add a VALUES block, 2 levels deep
        terms = bindings or {}
        text = terms_text(query, terms)
        try:
            try:
                answer = self.store.query(
                    text if text is not None else bind_values(query, terms), use_default_graph_as_union=True
                )
            except SyntaxError:
                if text is None:
                    raise
                # a term where the grammar wants a variable or an IRI (a literal as a predicate): the VALUES block
                # says what the query means (no match), or the parser says what is wrong with the query itself
                answer = self.store.query(bind_values(query, terms), use_default_graph_as_union=True)
            if isinstance(answer, QueryBoolean):
                return Results("ask", boolean=bool(answer))
            if isinstance(answer, QuerySolutions):
                names = [v.value for v in answer.variables]
                return Results("select", names, [tuple(sol) for sol in answer])
            return Results("graph", triples=list(answer))
        except SyntaxError as exc:
            raise SPARQLSyntaxError(f"SPARQL syntax error: {exc.args[0] if exc.args else exc}") from None
        except OSError as exc:  # only SERVICE (opted in) does I/O
            from hemokg.errors import EndpointError

            raise EndpointError(f"a SERVICE request failed: {exc}") from None
