"""JSON-LD 1.1 views of the graph: the compact document and the framed per-term view, offline and byte-stable.

Owns the shipped context (``hemokg/hemo.context.jsonld``: OBO prefixes declared with ``@prefix: true`` so that
``CL:0000775`` expands in JSON-LD 1.1, OWL list properties as ``@list`` containers), the compact writer (built on the
same layout as the canonical Turtle: restrictions nested, lists as JSON arrays, OBO axiom annotations after their
class), the ``term`` frame (one object per class for app developers) and a document loader that serves the shipped
context and refuses every other URL, so no remote context is ever fetched.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Triple

from hemokg.errors import ExportError
from hemokg.formats.obo import MAPPINGS, SCOPES, describe
from hemokg.formats.turtle import RDF_NIL, RDF_TYPE, GraphView, qname
from hemokg.vocab import HEMO_BASE, REL, XSD

__all__ = ["CONTEXT_PATH", "CONTEXT_URL", "as_jsonld10", "compact_jsonld", "context", "framed_terms", "local_loader"]

CONTEXT_PATH = Path(__file__).with_name("hemo.context.jsonld")
CONTEXT_URL = HEMO_BASE + "hemo.context.jsonld"
VOCAB = HEMO_BASE + "vocab#"
_GEN_DELIMS = (":", "/", "?", "#", "[", "]", "@")
FRAMES = ("term",)


@cache
def context() -> dict[str, Any]:
    """The shipped JSON-LD context (the value of its ``@context``)."""
    loaded: dict[str, Any] = json.loads(CONTEXT_PATH.read_text(encoding="utf-8"))["@context"]
    return loaded


def _subset(used: set[str], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The shipped context cut down to the prefixes (and list terms) a document uses."""
    full = context()
    out: dict[str, Any] = {"@version": full["@version"]}
    out.update({k: v for k, v in full.items() if k in used})
    out.update(extra or {})
    return out


def as_jsonld10(ctx: dict[str, Any]) -> dict[str, Any]:
    """The same context for JSON-LD 1.0 processors: no ``@version``, and each ``{"@id": …, "@prefix": true}``
    prefix a plain IRI string (in 1.0 every term may prefix a compact IRI). The expanded graph is the same."""
    out: dict[str, Any] = {}
    for key, value in ctx.items():
        if key == "@version":
            continue
        if isinstance(value, dict) and set(value) == {"@id", "@prefix"} and value["@prefix"] is True:
            value = value["@id"]
        elif isinstance(value, dict) and not set(value) <= {"@id", "@type", "@container", "@language", "@reverse"}:
            raise ExportError(f"the JSON-LD context term {key!r} needs JSON-LD 1.1 ({sorted(value)})")
        elif isinstance(value, dict) and value.get("@container") not in (None, "@list", "@set", "@index", "@language"):
            raise ExportError(f"the JSON-LD context term {key!r} needs JSON-LD 1.1 ({value['@container']!r})")
        out[key] = value
    return out


def local_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """A pyld document loader: the shipped context for :data:`CONTEXT_URL`, an error for anything else."""
    if url == CONTEXT_URL:
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": {"@context": context()},
        }
    raise ExportError(f"refusing to fetch the remote JSON-LD document {url}; hemokg works offline only")


def _dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


class _Compactor:
    """Renders a :class:`GraphView` as compact JSON-LD node objects, recording the prefixes used."""

    def __init__(self, view: GraphView, *, jsonld10: bool = False) -> None:
        self.view = view
        self.jsonld10 = jsonld10
        self.used: set[str] = set()
        self.lists = {k for k, v in context().items() if isinstance(v, dict) and v.get("@container") == "@list"}

    def iri(self, iri: str) -> str:
        used: set[str] = set()
        text = qname(iri, used)
        if text.startswith("<"):
            return text[1:-1]
        if self.jsonld10 and not iri[: len(iri) - len(text.partition(":")[2])].endswith(_GEN_DELIMS):
            return iri  # JSON-LD 1.0 processors (pyld, jsonld-java) expand CL:… only with a prefix ending in / or #
        self.used |= used
        return text

    def value(self, t: NamedNode | BlankNode | Literal) -> Any:
        if isinstance(t, NamedNode):
            return {"@list": []} if t.value == RDF_NIL else {"@id": self.iri(t.value)}
        if isinstance(t, BlankNode):
            if t not in self.view.inline:
                return {"@id": f"_:{t.value}"}
            items = self.view.list_items(t)
            return {"@list": [self.value(i) for i in items]} if items is not None else self.node(t, with_id=False)
        if t.language:
            return {"@value": t.value, "@language": t.language}
        if t.datatype.value == XSD + "string":
            return t.value
        return {"@value": t.value, "@type": self.iri(t.datatype.value)}

    def node(self, subject: NamedNode | BlankNode, *, with_id: bool = True) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        if with_id:
            obj["@id"] = self.iri(subject.value) if isinstance(subject, NamedNode) else f"_:{subject.value}"
        for predicate, objects in self.view.predicates(subject):
            if predicate == RDF_TYPE and all(isinstance(o, NamedNode) for o in objects):
                types = sorted(self.iri(o.value) for o in objects)
                obj["@type"] = types[0] if len(types) == 1 else types
                continue
            key = self.iri(predicate)
            values = sorted((self.value(o) for o in objects), key=lambda v: json.dumps(v, sort_keys=True))
            if key in self.lists:
                self.used.add(key)
                values = [v["@list"] if isinstance(v, dict) and "@list" in v else v for v in values]
            obj[key] = values[0] if len(values) == 1 else values
        return obj


def compact_jsonld(triples: Iterable[Triple | Quad], *, jsonld10: bool = False) -> str:
    """The compact JSON-LD 1.1 document of a graph, with an inline ``@context`` holding only the prefixes used;
    with ``jsonld10``, the same graph for JSON-LD 1.0 processors: a 1.0 context (see :func:`as_jsonld10`), and
    full IRIs where 1.1 needs ``@prefix`` (``http://purl.obolibrary.org/obo/CL_0000775`` for ``CL:0000775``)."""
    view = GraphView(triples)
    writer = _Compactor(view, jsonld10=jsonld10)
    graph: list[dict[str, Any]] = []
    free: list[dict[str, Any]] = []
    axioms: list[dict[str, Any]] = []
    for kind, node in view.iter_blocks():
        if kind != "axiom" and axioms:
            graph += sorted(axioms, key=lambda a: json.dumps(a, sort_keys=True))
            axioms = []
        if isinstance(node, Literal):  # a block is a subject: a literal never heads one
            raise ExportError(f"cannot write a literal as a JSON-LD node: {node}")
        obj = writer.node(node, with_id=kind not in ("axiom", "free"))
        (axioms if kind == "axiom" else free if kind == "free" else graph).append(obj)
    graph += sorted(axioms, key=lambda a: json.dumps(a, sort_keys=True))
    graph += sorted(free, key=lambda a: json.dumps(a, sort_keys=True))
    ctx = _subset(writer.used)
    return _dumps({"@context": as_jsonld10(ctx) if jsonld10 else ctx, "@graph": graph})


# --- the term frame ----------------------------------------------------------------------------------------------
_SCOPE_KEYS = {
    "EXACT": "exact_synonyms",
    "RELATED": "related_synonyms",
    "BROAD": "broad_synonyms",
    "NARROW": "narrow_synonyms",
}
_MAPPING_KEYS = dict(
    zip(MAPPINGS, ("exact_matches", "close_matches", "broad_matches", "narrow_matches", "related_matches"), strict=True)
)
_REL_KEYS = {iri: name for name, iri in REL.items()}
_DEVELOPS = {REL["develops_from"], REL["directly_develops_from"]}


def _frame_context() -> dict[str, Any]:
    ctx: dict[str, Any] = {
        "id": "@id",
        "type": "@type",
        "label": {"@id": "rdfs:label"},
        "definition": {"@id": "IAO:0000115"},
        "definition_xrefs": {"@id": VOCAB + "definitionXref", "@container": "@set"},
        "comments": {"@id": "rdfs:comment", "@container": "@set"},
        "parents": {"@id": "rdfs:subClassOf", "@type": "@id", "@container": "@set"},
        "lineage": {"@id": VOCAB + "lineage", "@type": "@id", "@container": "@list"},
        "xrefs": {"@id": "oboInOwl:hasDbXref", "@container": "@set"},
        "deprecated": {"@id": "owl:deprecated", "@type": "xsd:boolean"},
    }
    for pred, scope in SCOPES.items():
        ctx[_SCOPE_KEYS[scope]] = {"@id": qname(pred), "@container": "@set"}
    for pred, key in _MAPPING_KEYS.items():
        ctx[key] = {"@id": qname(pred), "@type": "@id", "@container": "@set"}
    for iri, key in _REL_KEYS.items():
        ctx[key] = {"@id": qname(iri), "@type": "@id", "@container": "@set"}
    return ctx


def framed_terms(triples: Iterable[Triple | Quad]) -> str:
    """One JSON object per class (label, synonyms, parents, relations, lineage, mappings), as JSON-LD 1.1."""
    model = describe(GraphView(triples))
    used: set[str] = {"rdfs", "IAO", "oboInOwl", "owl", "skos", "xsd", "RO", "BFO"}
    by_iri = {c.iri: c for c in model.classes}

    def curie(iri: str) -> str:
        text = qname(iri, used)
        return text[1:-1] if text.startswith("<") else text

    def ancestors(iri: str) -> list[str]:
        """``iri`` and its named superclasses (what they develop from, it develops from too)."""
        found, stack = [iri], [iri]
        while stack:
            node = stack.pop()
            for parent in by_iri[node].parents if node in by_iri else ():
                if parent not in found:
                    found.append(parent)
                    stack.append(parent)
        return found

    def lineage(iri: str) -> list[str]:
        """Every cell ``iri`` develops from (through its parents and transitively), nearest first."""
        dist: dict[str, int] = {}
        queue: deque[tuple[str, int]] = deque([(iri, 0)])
        while queue:
            node, depth = queue.popleft()
            for ancestor in ancestors(node):
                for prop, filler in by_iri[ancestor].relations if ancestor in by_iri else ():
                    if prop in _DEVELOPS and filler != iri and filler not in dist:
                        dist[filler] = depth + 1
                        queue.append((filler, depth + 1))
        return [curie(i) for i, _ in sorted(dist.items(), key=lambda kv: (kv[1], kv[0]))]

    terms: list[dict[str, Any]] = []
    for c in model.classes:
        obj: dict[str, Any] = {"id": curie(c.iri), "type": "owl:Class"}
        if c.label:
            obj["label"] = c.label
        if c.definition:
            obj["definition"] = c.definition
            if c.definition_xrefs:
                obj["definition_xrefs"] = c.definition_xrefs
        for scope, key in _SCOPE_KEYS.items():
            texts = sorted({t for s, t, _ in c.synonyms if s == scope}, key=lambda t: (t.casefold(), t))
            if texts:
                obj[key] = texts
        if c.comments:
            obj["comments"] = c.comments
        if c.parents:
            obj["parents"] = [curie(p) for p in c.parents]
        for iri, key in _REL_KEYS.items():
            fillers = [curie(f) for p, f in c.relations if p == iri]
            if fillers:
                obj[key] = fillers
        steps = lineage(c.iri)
        if steps:
            obj["lineage"] = steps
        for pred, key in _MAPPING_KEYS.items():
            targets = [curie(t) for p, t in c.mappings if p == pred]
            if targets:
                obj[key] = targets
        if c.xrefs:
            obj["xrefs"] = c.xrefs
        if c.deprecated:
            obj["deprecated"] = "true"
        terms.append(obj)
    return _dumps({"@context": _subset(used, _frame_context()), "@graph": terms})
