"""Parsing an ontology file into a fresh pyoxigraph store, with errors that name the file, line and column."""

from __future__ import annotations

from pyoxigraph import RdfFormat, Store

from hemokg.errors import OntologyParseError
from hemokg.vocab import HEMO_BASE

__all__ = ["parse_ontology"]


def parse_ontology(data: bytes, *, path: str, fmt: RdfFormat = RdfFormat.TURTLE) -> Store:
    """Parse an ontology file into a fresh store (default graph); a syntax error names file, line and column."""
    store = Store()
    try:
        store.bulk_load(data, format=fmt, base_iri=HEMO_BASE)
    except SyntaxError as exc:
        line, column = exc.lineno, exc.offset
        message = str(exc.args[0]) if exc.args else str(exc)
        message = message.split(": ", 1)[-1] if message.startswith("Parser error") else message
        raise OntologyParseError(path, message, line, column) from None
    except (MemoryError, ValueError) as exc:
        raise OntologyParseError(path, f"cannot be loaded: {type(exc).__name__}: {str(exc)[:200]}") from None
    _check_blank_nodes(store, path)
    return store


#: Most blank nodes linked to each other in one group (a nested ``[ … ]`` or a list). Canonical blank-node labels
#: (RDFC-1.0, used for the byte-stable reasoned graph) cost about the cube of a group's size: 128 take 1 s, a chain
#: of 300 took 14 s and a crafted file aborted the process in the allocator.
MAX_BLANK_GROUP = 128


def _check_blank_nodes(store: Store, path: str) -> None:
    """Refuse blank-node structures (nesting, long lists, chains) larger than :data:`MAX_BLANK_GROUP`."""
    from pyoxigraph import BlankNode

    parent: dict[str, str] = {}
    size: dict[str, int] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for quad in store:
        if isinstance(quad.subject, BlankNode) and isinstance(quad.object, BlankNode):
            a, b = find(quad.subject.value), find(quad.object.value)
            if a == b:
                continue
            sa, sb = size.get(a, 1), size.get(b, 1)
            if sa < sb:
                a, b, sa, sb = b, a, sb, sa
            parent[b] = a
            size[a] = sa + sb
            if size[a] > MAX_BLANK_GROUP:
                raise OntologyParseError(
                    path,
                    f"more than {MAX_BLANK_GROUP} blank nodes are linked in one structure (nesting, a list or a "
                    "chain of [ ] / ( ) / _:b), the limit; give the nodes IRIs or split the structure",
                )
