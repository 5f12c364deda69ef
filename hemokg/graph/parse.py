"""Parsing an ontology file into a fresh pyoxigraph store, with errors that name the file, line and column."""

from __future__ import annotations

from pyoxigraph import RdfFormat, Store

from hemokg.errors import OntologyParseError

__all__ = ["parse_ontology"]


def parse_ontology(data: bytes, *, path: str, fmt: RdfFormat = RdfFormat.TURTLE) -> Store:
    """Parse an ontology file into a fresh store (default graph); a syntax error names file, line and column."""
    store = Store()
    try:
        store.bulk_load(data, format=fmt, base_iri="https://w3id.org/hemokg/")
    except SyntaxError as exc:
        line, column = exc.lineno, exc.offset
        message = str(exc.args[0]) if exc.args else str(exc)
        message = message.split(": ", 1)[-1] if message.startswith("Parser error") else message
        raise OntologyParseError(path, message, line, column) from None
    return store
