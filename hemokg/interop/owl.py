"""owlready2 objects for hemo: :func:`owl_ontology` (behind ``KnowledgeGraph.owl``).

The ontology holds the OWL graph — asserted plus inferred axioms — and not the relation graph (its ``C R D``
class-to-class triples are not OWL), loaded into a fresh :class:`owlready2.World` of its own (never owlready2's
global ``default_world``), so two calls share no state and ``sync_reasoner(world)`` stays local to one of them.
With ``imports=True`` each import module is loaded as its own ontology in the same World and imported by hemo's.

On the embedded store the OWL graph is the store's default graph (and its import-module graphs); on a remote
endpoint, where ``hemokg push`` merged the relation graph into hemo's graph, it is every triple the endpoint
serves except those whose predicate is an object property (the relation graph's ``C R D`` triples; the
``rdfs:subClassOf`` closure it adds is entailed OWL and stays).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from hemokg.errors import HemoError, OntologyParseError
from hemokg.vocab import GRAPH_IMPORTS, ONTOLOGY_IRI, OWL

if TYPE_CHECKING:
    from pyoxigraph import Triple

    from hemokg.backends import GraphSource as KnowledgeGraph

__all__ = ["owl_ontology"]

# owlready2 imports the Python module named by this annotation when it loads an ontology: never let input do that.
_PYTHON_MODULE = "http://www.lesfleursdunormal.fr/static/_downloads/owlready_ontology.owl#python_module"
_DROPPED = frozenset({OWL + "imports", _PYTHON_MODULE})
_REMOTE_OWL = f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  ?s ?p ?o .
  FILTER NOT EXISTS {{ ?p a <{OWL}ObjectProperty> }}
}}"""


def owl_ontology(kg: KnowledgeGraph, *, imports: bool = False) -> Any:
    """hemo's OWL graph as an owlready2 ``Ontology`` in a fresh ``World`` (``onto.world``); see the module text."""
    try:
        import owlready2  # untyped: pyproject's [tool.mypy] override
    except ImportError:
        raise HemoError("kg.owl() needs owlready2: pip install 'owlready2>=0.49,<0.50'") from None
    hemo, modules = _graphs(kg, imports=imports)
    world = owlready2.World()
    onto = _load(world, ONTOLOGY_IRI, hemo)
    for name, triples in modules.items():
        module = _load(world, name, triples)
        onto.imported_ontologies.append(module)
    return onto


def _load(world: Any, iri: str, triples: list[Triple]) -> Any:
    from pyoxigraph import RdfFormat, serialize

    kept = [t for t in triples if t.predicate.value not in _DROPPED]
    data = serialize(kept, format=RdfFormat.N_TRIPLES) or b""
    onto = world.get_ontology(iri)
    try:
        onto.load(fileobj=io.BytesIO(data), format="ntriples", only_local=True)
    except Exception as exc:  # owlready2 raises bare Exceptions from its parsers
        raise OntologyParseError(iri, f"owlready2 could not load the graph: {exc}") from None
    return onto


def _graphs(kg: KnowledgeGraph, *, imports: bool) -> tuple[list[Triple], dict[str, list[Triple]]]:
    """hemo's OWL triples, and each import module's (by graph IRI) when ``imports``."""
    from pyoxigraph import DefaultGraph, NamedNode

    from hemokg.backends import QuadSource

    modules: dict[str, list[Triple]] = {}
    if isinstance(kg.backend, QuadSource):  # a graph held here: its default graph is the OWL graph
        hemo = []
        for quad in kg.backend.quads():
            graph = quad.graph_name
            if isinstance(graph, DefaultGraph):
                hemo.append(quad.triple)
            elif imports and isinstance(graph, NamedNode) and graph.value.startswith(GRAPH_IMPORTS):
                modules.setdefault(graph.value, []).append(quad.triple)
    else:
        hemo = list(kg.backend.execute(_REMOTE_OWL).triples)
    if imports and not modules:
        modules = _shipped_modules()
    return hemo, modules


def _shipped_modules() -> dict[str, list[Triple]]:
    from pyoxigraph import RdfFormat, parse

    from hemokg.resources import imports_dir

    paths = sorted(imports_dir().glob("*.ttl"))
    if not paths:
        raise HemoError(f"no import modules in {imports_dir()}; build them with `hemokg imports build`")
    found: dict[str, list[Triple]] = {}
    for path in paths:
        try:
            found[GRAPH_IMPORTS + path.stem] = list(parse(path.read_bytes(), format=RdfFormat.TURTLE))
        except SyntaxError as exc:
            raise OntologyParseError(str(path), exc.msg or str(exc), exc.lineno, exc.offset) from None
    return found
