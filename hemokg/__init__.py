"""hemokg — the knowledge graph of hematopoiesis: an OBO-style OWL ontology with stored SPARQL queries.

>>> import hemokg
>>> kg = hemokg.load()
>>> [lab for lab in kg.lineage("neutrophil").labels.values()][:1]  # doctest: +SKIP
['neutrophil']

Heavy libraries (owlready2 for reasoning, graphviz for pictures) are imported only by the functions that need them.
"""

from __future__ import annotations

from hemokg._hints import TYPE_CHECKING, Any
from hemokg._version import __version__
from hemokg.errors import (
    EndpointError,
    ExportError,
    HemoError,
    OntologyParseError,
    ParameterError,
    PushError,
    QueryHeaderError,
    QueryNotFoundError,
    ReasonerError,
    ReasonerUnavailableError,
    SPARQLSyntaxError,
    TermNotFoundError,
    UpdateRefusedError,
)

if TYPE_CHECKING:
    from hemokg.interop.anndata import annotate_anndata
    from hemokg.kg import KnowledgeGraph, connect, load
    from hemokg.lineage import Lineage
    from hemokg.lookup import Term
    from hemokg.sparql.queries import Catalog, StoredQuery, catalog
    from hemokg.sparql.results import Results, Row

__all__ = [
    "Catalog",
    "EndpointError",
    "ExportError",
    "HemoError",
    "KnowledgeGraph",
    "Lineage",
    "OntologyParseError",
    "ParameterError",
    "PushError",
    "QueryHeaderError",
    "QueryNotFoundError",
    "ReasonerError",
    "ReasonerUnavailableError",
    "Results",
    "Row",
    "SPARQLSyntaxError",
    "StoredQuery",
    "Term",
    "TermNotFoundError",
    "UpdateRefusedError",
    "__version__",
    "annotate_anndata",
    "catalog",
    "connect",
    "load",
]

_LAZY = {
    "annotate_anndata": "hemokg.interop.anndata",
    "load": "hemokg.kg",
    "connect": "hemokg.kg",
    "KnowledgeGraph": "hemokg.kg",
    "Lineage": "hemokg.lineage",
    "Term": "hemokg.lookup",
    "Catalog": "hemokg.sparql.queries",
    "StoredQuery": "hemokg.sparql.queries",
    "catalog": "hemokg.sparql.queries",
    "Results": "hemokg.sparql.results",
    "Row": "hemokg.sparql.results",
}


def __getattr__(name: str) -> Any:
    """Import the public names on first use, so ``import hemokg`` stays instant."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'hemokg' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
