"""The OBO views of the graph: OBO flat-file format (pronto, obonet, fastobo, goatools) and OBO Graphs JSON (OAK, OLS).

Owns :func:`describe` (each named class and property read off the OWL axioms: label, definition with its xrefs,
scoped synonyms, parents, existential relations, logical definitions, mappings), which the CSV/TSV and framed
JSON-LD writers reuse, and the two writers built on it. Output is sorted, so the same graph gives the same bytes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode

from hemokg.formats.turtle import IAO_DEF, GraphView
from hemokg.vocab import (
    DCTERMS,
    OIO,
    ONTOLOGY_IRI,
    OWL,
    PREFIXES,
    RDFS,
    REL,
    REPLACED_BY,
    SKOS,
    SYNONYM_SCOPES,
    iri_to_curie,
)

__all__ = ["ClassInfo", "Model", "PropertyInfo", "describe", "obo_text", "obographs_json"]

#: oboInOwl synonym property -> the OBO scope keyword
SCOPES = {SYNONYM_SCOPES[scope]: scope.upper() for scope in ("exact", "narrow", "broad", "related")}
MAPPINGS = (SKOS + "exactMatch", SKOS + "closeMatch", SKOS + "broadMatch", SKOS + "narrowMatch", SKOS + "relatedMatch")
_REL_NAMES = {iri: name for name, iri in REL.items()}
_XREF_PREDICATES = (OIO + "hasDbXref", DCTERMS + "source")


@dataclass
class ClassInfo:
    """What the OBO views say about one named class."""

    iri: str
    label: str | None = None
    definition: str | None = None
    definition_xrefs: list[str] = field(default_factory=list)
    synonyms: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (scope, text, xrefs)
    comments: list[str] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    relations: list[tuple[str, str]] = field(default_factory=list)  # (property IRI, filler IRI)
    equivalents: list[str] = field(default_factory=list)
    logical: list[tuple[list[str], list[tuple[str, str]]]] = field(default_factory=list)  # (genus, differentia)
    disjoint: list[str] = field(default_factory=list)
    xrefs: list[str] = field(default_factory=list)
    mappings: list[tuple[str, str]] = field(default_factory=list)  # (SKOS predicate IRI, target IRI)
    deprecated: bool = False
    replaced_by: list[str] = field(default_factory=list)


@dataclass
class PropertyInfo:
    """What the OBO views say about one named property."""

    iri: str
    kind: str  # OBJECT, ANNOTATION or DATA
    label: str | None = None
    parents: list[str] = field(default_factory=list)
    inverse: list[str] = field(default_factory=list)
    transitive: bool = False


@dataclass
class Model:
    """The ontology header and its classes and properties, each sorted by IRI."""

    iri: str = ONTOLOGY_IRI
    version_iri: str | None = None
    version_info: str | None = None
    header: list[tuple[str, str, str | None]] = field(default_factory=list)  # (predicate, value, datatype; None: IRI)
    classes: list[ClassInfo] = field(default_factory=list)
    properties: list[PropertyInfo] = field(default_factory=list)


def _texts(view: GraphView, node: NamedNode | BlankNode, predicate: str) -> list[str]:
    return sorted(o.value for o in view.out.get(node, {}).get(predicate, []) if isinstance(o, Literal))


def _iris(view: GraphView, node: NamedNode | BlankNode, predicate: str) -> list[str]:
    return sorted(o.value for o in view.out.get(node, {}).get(predicate, []) if isinstance(o, NamedNode))


def _restriction(view: GraphView, node: object) -> tuple[str, str] | None:
    """``(property, filler)`` of an ``owl:someValuesFrom`` restriction with a named property and filler."""
    if not isinstance(node, BlankNode):
        return None
    props, fillers = _iris(view, node, OWL + "onProperty"), _iris(view, node, OWL + "someValuesFrom")
    return (props[0], fillers[0]) if len(props) == 1 and len(fillers) == 1 else None


def describe(view: GraphView) -> Model:
    """Read the header, classes and properties off the OWL axioms of a graph."""
    model = Model()
    annotations: dict[tuple[str, str, str], list[str]] = {}
    for node in view.free:
        src, prop = _iris(view, node, OWL + "annotatedSource"), _iris(view, node, OWL + "annotatedProperty")
        targets = view.out.get(node, {}).get(OWL + "annotatedTarget", [])
        if len(src) == 1 and len(prop) == 1 and len(targets) == 1:
            xrefs = [o.value for p in _XREF_PREDICATES for o in view.out[node].get(p, [])]
            annotations.setdefault((src[0], prop[0], targets[0].value), []).extend(xrefs)
    for subject in view.named_subjects():
        types = view.types(subject)
        if OWL + "Ontology" in types:
            model.iri = subject.value
            model.version_iri = next(iter(_iris(view, subject, OWL + "versionIRI")), None)
            model.version_info = next(iter(_texts(view, subject, OWL + "versionInfo")), None)
            for predicate, objects in view.predicates(subject):
                if predicate.startswith(DCTERMS):
                    model.header += sorted(
                        (predicate, o.value, None if isinstance(o, NamedNode) else o.datatype.value)
                        for o in objects
                        if not isinstance(o, BlankNode)
                    )
        elif types & {OWL + "ObjectProperty", OWL + "AnnotationProperty", OWL + "DatatypeProperty"}:
            kind = (
                "OBJECT"
                if OWL + "ObjectProperty" in types
                else "DATA"
                if OWL + "DatatypeProperty" in types
                else "ANNOTATION"
            )
            model.properties.append(
                PropertyInfo(
                    subject.value,
                    kind,
                    next(iter(_texts(view, subject, RDFS + "label")), None),
                    _iris(view, subject, RDFS + "subPropertyOf"),
                    _iris(view, subject, OWL + "inverseOf"),
                    OWL + "TransitiveProperty" in types,
                )
            )
        elif OWL + "Class" in types:
            model.classes.append(_class(view, subject, annotations))
    return model


def _class(view: GraphView, subject: NamedNode, annotations: dict[tuple[str, str, str], list[str]]) -> ClassInfo:
    iri = subject.value
    info = ClassInfo(iri, next(iter(_texts(view, subject, RDFS + "label")), None))
    definitions = _texts(view, subject, IAO_DEF)
    if definitions:
        info.definition = definitions[0]
        info.definition_xrefs = sorted(set(annotations.get((iri, IAO_DEF, definitions[0]), [])))
    info.synonyms = sorted(
        (scope, text, sorted(set(annotations.get((iri, pred, text), []))))
        for pred, scope in SCOPES.items()
        for text in _texts(view, subject, pred)
    )
    info.comments = _texts(view, subject, RDFS + "comment")
    for parent in view.out[subject].get(RDFS + "subClassOf", []):
        if isinstance(parent, NamedNode):
            info.parents.append(parent.value)
        elif (rel := _restriction(view, parent)) is not None:
            info.relations.append(rel)
    for eq in view.out[subject].get(OWL + "equivalentClass", []):
        if isinstance(eq, NamedNode):
            info.equivalents.append(eq.value)
            continue
        members = view.list_items(next(iter(view.out.get(eq, {}).get(OWL + "intersectionOf", [])), eq)) or []
        genus = sorted(m.value for m in members if isinstance(m, NamedNode))
        differentia = sorted(r for m in members if (r := _restriction(view, m)) is not None)
        if members and len(genus) + len(differentia) == len(members):
            info.logical.append((genus, differentia))
    info.parents.sort()
    info.relations.sort()
    info.equivalents.sort()
    info.disjoint = _iris(view, subject, OWL + "disjointWith")
    info.xrefs = _texts(view, subject, OIO + "hasDbXref")
    info.mappings = sorted((pred, target) for pred in MAPPINGS for target in _iris(view, subject, pred))
    info.deprecated = any(
        o.value in ("true", "1") for o in view.out[subject].get(OWL + "deprecated", []) if isinstance(o, Literal)
    )
    info.replaced_by = _iris(view, subject, REPLACED_BY)
    return info


# --- OBO flat file -----------------------------------------------------------------------------------------------
def obo_id(iri: str) -> str:
    """The OBO identifier of an IRI: its CURIE, else the IRI itself."""
    return iri_to_curie(iri) or iri


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _unquoted(text: str) -> str:
    return re.sub(r"([\\!{])", r"\\\1", text).replace("\n", "\\n").replace("\r", "")


def _xref(text: str) -> str:
    return re.sub(r"([\\,\]\[\s])", lambda m: "\\" + (m.group(1) if m.group(1) != "\n" else "n"), text.strip())


def _xrefs(xrefs: list[str]) -> str:
    return "[" + ", ".join(_xref(x) for x in xrefs) + "]"


def _relation_id(iri: str) -> str:
    return _REL_NAMES.get(iri) or obo_id(iri)


def obo_text(model: Model) -> str:
    """The model as an OBO 1.4 flat file (``format-version: 1.2`` header, as ROBOT writes it)."""
    labels = {c.iri: c.label for c in model.classes if c.label}
    labels.update({p.iri: p.label for p in model.properties if p.label})

    def ref(iri: str) -> str:
        return obo_id(iri) + (f" ! {labels[iri]}" if labels.get(iri) else "")

    lines = ["format-version: 1.2"]
    if model.version_iri and (m := re.search(r"releases/([^/]+)/", model.version_iri)):
        lines.append(f"data-version: releases/{m.group(1)}")  # as go.obo: OBO->OWL reads obo:hemo/releases/…/hemo.owl
    elif model.version_info:
        lines.append(f"data-version: {_unquoted(model.version_info)}")
    lines.append("default-namespace: hemo")  # every frame's namespace: fastobo's dump_owl needs one
    lines.append("ontology: hemo")
    used_prefixes = {obo_id(c.iri).partition(":")[0] for c in model.classes}
    for prefix in ("HEMO", "skos"):
        if prefix in used_prefixes or prefix == "skos":
            lines.append(f"idspace: {prefix} {PREFIXES[prefix]}")
    # OBO 1.4 maps `ontology: hemo` to http://purl.obolibrary.org/obo/hemo.owl; the header names the w3id IRI
    lines.append(f"property_value: http://purl.org/dc/terms/identifier {ONTOLOGY_IRI}")
    for predicate, value, datatype in model.header:
        typed = f"{_quoted(value)} {iri_to_curie(datatype or '') or 'xsd:string'}"
        lines.append(f"property_value: {predicate} " + (value if datatype is None else typed))
    used_relations: set[str] = set()
    for c in model.classes:
        if ":" not in obo_id(c.iri) or "//" in obo_id(c.iri):
            continue
        lines += ["", "[Term]", f"id: {obo_id(c.iri)}"]
        if c.label:
            lines.append(f"name: {_unquoted(c.label)}")
        if c.definition:
            lines.append(f"def: {_quoted(c.definition)} {_xrefs(c.definition_xrefs)}")
        if c.comments:
            lines.append(f"comment: {_unquoted(' '.join(c.comments))}")
        lines += [f"synonym: {_quoted(text)} {scope} {_xrefs(xrefs)}" for scope, text, xrefs in c.synonyms]
        lines += [f"xref: {_xref(x)}" for x in c.xrefs]
        lines += [f"property_value: {obo_id(p)} {obo_id(t)}" for p, t in c.mappings]
        lines += [f"is_a: {ref(p)}" for p in c.parents]
        if len(c.logical) == 1:
            genus, differentia = c.logical[0]
            lines += [f"intersection_of: {ref(g)}" for g in genus]
            lines += [f"intersection_of: {_relation_id(p)} {ref(f)}" for p, f in differentia]
            used_relations.update(p for p, _ in differentia)
        lines += [f"equivalent_to: {ref(e)}" for e in c.equivalents]
        lines += [f"disjoint_from: {ref(d)}" for d in c.disjoint]
        lines += [f"relationship: {_relation_id(p)} {ref(f)}" for p, f in c.relations]
        used_relations.update(p for p, _ in c.relations)
        if c.deprecated:
            lines.append("is_obsolete: true")
        lines += [f"replaced_by: {obo_id(r)}" for r in c.replaced_by]
    declared = {p.iri: p for p in model.properties if p.kind == "OBJECT"}
    for iri in sorted(set(declared) | used_relations, key=_relation_id):
        prop = declared.get(iri, PropertyInfo(iri, "OBJECT"))
        lines += ["", "[Typedef]", f"id: {_relation_id(iri)}"]
        name = prop.label or _REL_NAMES.get(iri, "").replace("_", " ")
        if name:
            lines.append(f"name: {_unquoted(name)}")
        if _relation_id(iri) != obo_id(iri):
            lines.append(f"xref: {obo_id(iri)}")
        lines += [f"is_a: {_relation_id(p)}" for p in prop.parents if p in declared or p in _REL_NAMES]
        lines += [f"inverse_of: {_relation_id(p)}" for p in prop.inverse if p in declared or p in _REL_NAMES]
        if prop.transitive:
            lines.append("is_transitive: true")
    return "\n".join(lines) + "\n"


# --- OBO Graphs JSON ---------------------------------------------------------------------------------------------
def _meta(c: ClassInfo) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    if c.definition:
        meta["definition"] = {"val": c.definition, "xrefs": c.definition_xrefs}
    if c.comments:
        meta["comments"] = c.comments
    if c.synonyms:
        preds = {v: k.removeprefix(OIO) for k, v in SCOPES.items()}
        meta["synonyms"] = [{"pred": preds[scope], "val": text, "xrefs": xrefs} for scope, text, xrefs in c.synonyms]
    if c.xrefs:
        meta["xrefs"] = [{"val": x} for x in c.xrefs]
    values = [{"pred": p, "val": t} for p, t in c.mappings] + [{"pred": REPLACED_BY, "val": r} for r in c.replaced_by]
    if values:
        meta["basicPropertyValues"] = values
    if c.deprecated:
        meta["deprecated"] = True
    return meta


def obographs_json(model: Model) -> str:
    """The model as an OBO Graphs JSON document (one graph: nodes, edges, logical definitions, meta)."""
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    for c in model.classes:
        node: dict[str, Any] = {"id": c.iri, "type": "CLASS"}
        if c.label:
            node["lbl"] = c.label
        meta = _meta(c)
        if meta:
            node["meta"] = meta
        nodes.append(node)
        edges += [{"sub": c.iri, "pred": "is_a", "obj": p} for p in c.parents]
        edges += [{"sub": c.iri, "pred": p, "obj": f} for p, f in c.relations]
    for p in model.properties:
        node = {"id": p.iri, "type": "PROPERTY", "propertyType": p.kind}
        if p.label:
            node["lbl"] = p.label
        nodes.append(node)
        edges += [{"sub": p.iri, "pred": "subPropertyOf", "obj": q} for q in p.parents]
        edges += [{"sub": p.iri, "pred": "inverseOf", "obj": q} for q in p.inverse]
    logical = [
        {
            "definedClassId": c.iri,
            "genusIds": genus,
            "restrictions": [{"propertyId": p, "fillerId": f} for p, f in diff],
        }
        for c in model.classes
        for genus, diff in c.logical
    ]
    equivalent = sorted({tuple(sorted({c.iri, *c.equivalents})) for c in model.classes if c.equivalents})
    graph_meta: dict[str, Any] = {"basicPropertyValues": [{"pred": p, "val": v} for p, v, _ in model.header]}
    if model.version_iri:
        graph_meta["version"] = model.version_iri
    graph: dict[str, Any] = {
        "id": model.iri,
        "meta": graph_meta,
        "nodes": nodes,
        "edges": sorted(edges, key=lambda e: (e["sub"], e["pred"], e["obj"])),
    }
    if logical:
        graph["logicalDefinitionAxioms"] = logical
    if equivalent:
        graph["equivalentNodesSets"] = [{"representativeNodeId": ids[0], "nodeIds": list(ids)} for ids in equivalent]
    return json.dumps({"graphs": [graph]}, indent=2, ensure_ascii=False) + "\n"
