"""What ``hemokg build`` works out ahead from the shipped stored queries, read back at run time without importing
YAML or compiling a regular expression: ``queries/headers.marshal``.

Two tables: each ``#+`` header parsed, keyed by the header's SHA-256; and, keyed by each query's exact text, the
results of the checks a query's text goes through every time it runs: its form, that the SPARQL guard passes it
with ``SERVICE`` off, its parameter variables and where each can be written as a term. A text or header that is not
in the file byte for byte (an edited query, a user's own) is parsed and checked afresh, so the file can never change
an answer; a test keeps the shipped file current. ``marshal`` format 2 (no shared references, keys sorted): the same
queries give the same bytes, read with no import (``json`` costs a cold command ~3 ms).

Layer: sparql; imports :mod:`hemokg.resources` only. :func:`hemokg.sparql.queries.compile_queries` writes the file.
"""

from __future__ import annotations

from hemokg._hints import Any
from hemokg.resources import queries_dir

__all__ = ["COMPILED_FILE", "headers", "parameter_variables", "text_checks"]

#: The compiled file in a queries folder.
COMPILED_FILE = "headers.marshal"

_LOADED: dict[str, dict[str, Any]] | None = None


def _loaded() -> dict[str, dict[str, Any]]:
    """The shipped file's two tables; both empty if it is missing, unreadable or of another layout."""
    global _LOADED
    if _LOADED is None:
        import marshal  # built in: no import cost

        try:
            loaded = marshal.loads((queries_dir() / COMPILED_FILE).read_bytes())
        except (OSError, ValueError, EOFError, TypeError):  # missing or unreadable: everything from the texts
            loaded = None
        ok = isinstance(loaded, dict) and all(isinstance(loaded.get(k), dict) for k in ("headers", "texts"))
        _LOADED = loaded if ok else {"headers": {}, "texts": {}}
    return _LOADED


def headers() -> dict[str, Any]:
    """Header SHA-256 -> the header's parsed mapping."""
    return _loaded()["headers"]


def text_checks(text: str) -> dict[str, Any] | None:
    """The recorded checks of a shipped query's exact text, or None. ``form``: its form (``query_form``);
    ``guard``: True when ``check_query`` passes it with ``SERVICE`` off; ``params``: its ``(prefix, name, type)``
    parameter variables in order; ``spots``: variable -> where it occurs as a term (None: somewhere no term may go;
    see :func:`~hemokg.sparql.queries.substitute_terms`)."""
    found = _loaded()["texts"].get(text)
    return found if isinstance(found, dict) else None


_VARIABLES: frozenset[str] | None = None


def parameter_variables() -> frozenset[str]:
    """Every parameter variable name (``_cell_iri``) the shipped queries use."""
    global _VARIABLES
    if _VARIABLES is None:
        _VARIABLES = frozenset(
            f"{prefix}{name}_{ptype}"
            for checks in _loaded()["texts"].values()
            for prefix, name, ptype in checks.get("params", ())
        )
    return _VARIABLES
