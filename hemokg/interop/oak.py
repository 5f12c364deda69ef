"""The Ontology Access Kit (OAK) plugin: ``runoak -i hemokg: …`` and ``oaklib.get_adapter("hemokg:")``.

OAK finds this class through the ``oaklib.plugins`` entry point (``pip install 'hemokg[oak]'``); the selector scheme
is the class name without ``Implementation``. Selectors:

* ``hemokg:`` — the embedded reasoned graph (``hemokg.load()``);
* ``hemokg:imports`` — hemo merged with the shipped import modules (``hemokg.load(imports=True)``);
* ``hemokg:http(s)://…`` — a SPARQL endpoint holding a pushed graph (``hemokg.connect(url)``; ``HEMOKG_USER`` and
  ``HEMOKG_PASSWORD`` give credentials).

Semantics, against OAK's interfaces:

* direct edges (:meth:`relationships`, outgoing/incoming maps): ``is_a`` is the non-redundant ``rdfs:subClassOf``
  between named classes of the reasoned taxonomy (asserted + inferred; an edge implied through a class strictly
  between the two is left out, an equivalent class does not count as between); other predicates are the
  existential restrictions ``C ⊑ ∃R.D`` of the OWL graph;
* closures (:meth:`ancestors`, :meth:`descendants`, ``include_entailed``) are read off the materialised relation
  graph in one query (OAK's ``ENTAILMENT`` method, as with Ubergraph): ``C R D`` closed under inheritance, filler
  generalisation, sub-properties (``directly develops from`` is a kind of ``develops from``) and transitivity;
* search and text annotation use the same normaliser as ``hemokg lookup`` (case, accents, punctuation and British
  spellings folded), through the knowledge graph's label index;
* mappings are hemo's curated SKOS mappings as SSSOM ``Mapping`` objects (the rows of ``hemokg sssom``).

Errors: under ``runoak`` (a click context is active) or with ``strict=True``, an unknown CURIE, a bad selector or an
endpoint that is down raise :class:`OakError`, a :class:`~hemokg.errors.HemoError` that OAK's command line prints as
one ``Error: …`` line with exit status 1 (no traceback, no ``X ! None``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn, TypeAlias

import click
from oaklib.datamodels.obograph import (  # type: ignore[import-untyped]
    DefinitionPropertyValue,
    Meta,
    Node,
    SynonymPropertyValue,
    XrefPropertyValue,
)
from oaklib.datamodels.search import SearchConfiguration  # type: ignore[import-untyped]
from oaklib.datamodels.search_datamodel import SearchTermSyntax  # type: ignore[import-untyped]
from oaklib.datamodels.text_annotator import TextAnnotation, TextAnnotationConfiguration  # type: ignore[import-untyped]
from oaklib.datamodels.vocabulary import IS_A, LABEL_PREDICATE, OWL_CLASS  # type: ignore[import-untyped]
from oaklib.interfaces.basic_ontology_interface import RELATIONSHIP  # type: ignore[import-untyped]
from oaklib.interfaces.mapping_provider_interface import MappingProviderInterface  # type: ignore[import-untyped]
from oaklib.interfaces.obograph_interface import GraphTraversalMethod, OboGraphInterface  # type: ignore[import-untyped]
from oaklib.interfaces.search_interface import SearchInterface  # type: ignore[import-untyped]
from oaklib.interfaces.text_annotator_interface import TextAnnotatorInterface  # type: ignore[import-untyped]

from hemokg.errors import HemoError, ParameterError, TermNotFoundError
from hemokg.vocab import HEMO, OBO, OIO, OWL, PREFIXES, RDFS, SKOS, curie_to_iri, iri_to_curie

if TYPE_CHECKING:
    from sssom_schema import Mapping  # type: ignore[import-untyped]

    from hemokg.kg import KnowledgeGraph
    from hemokg.lookup import LabelIndex

__all__ = ["HemokgImplementation", "OakError"]

#: The argument types of OAK's closure methods (:meth:`~HemokgImplementation.ancestors`, ``descendants``): a CURIE
#: or a list of them, the predicate CURIEs to follow (None: all), the traversal asked for (the relation graph answers).
_Start: TypeAlias = str | list[str]
_Predicates: TypeAlias = list[str] | None
_Method: TypeAlias = GraphTraversalMethod | None

_SUBCLASS = RDFS + "subClassOf"
_DEFINITION = OBO + "IAO_0000115"
#: Label and synonym predicates as OAK names them (``oio:``), by IRI.
_ALIAS_PREDICATES = {
    RDFS + "label": LABEL_PREDICATE,
    OIO + "hasExactSynonym": "oio:hasExactSynonym",
    OIO + "hasRelatedSynonym": "oio:hasRelatedSynonym",
    OIO + "hasNarrowSynonym": "oio:hasNarrowSynonym",
    OIO + "hasBroadSynonym": "oio:hasBroadSynonym",
}
_SCOPE_PREDICATE = {
    "label": LABEL_PREDICATE,
    "exact": "oio:hasExactSynonym",
    "related": "oio:hasRelatedSynonym",
    "narrow": "oio:hasNarrowSynonym",
    "broad": "oio:hasBroadSynonym",
}
_OBOGRAPH_SCOPE = {"exact": "hasExactSynonym", "related": "hasRelatedSynonym", "narrow": "hasNarrowSynonym"}
_MAPPING_PREDICATES = ("exactMatch", "closeMatch", "narrowMatch", "broadMatch")
#: Prefixes of vocabularies whose terms are not entities of hemo (their labels may be None without an error).
_VOCABULARY_PREFIXES = ("rdf", "rdfs", "owl", "xsd", "oio", "oboInOwl", "skos", "dcterms", "semapv", "IAO")
_LONGEST_SPAN = 12  # words: no label or synonym of hemo or its modules is longer

_PREFIXES = f"""PREFIX rdfs: <{RDFS}>
PREFIX owl: <{OWL}>
PREFIX skos: <{SKOS}>
PREFIX oboInOwl: <{OIO}>
PREFIX obo: <{OBO}>
"""
_CLOSURE = (
    _PREFIXES
    + """SELECT DISTINCT ?s ?p ?o WHERE {
  %(values)s
  ?s ?p ?o .
  FILTER(isIRI(?s) && isIRI(?o) && ?s != ?o && ?o != owl:Thing && ?s != owl:Nothing)
  %(any_predicate)s
}"""
)
_ANY_RELATION = "FILTER(?p = rdfs:subClassOf || EXISTS { ?p a owl:ObjectProperty })"
_DIRECT_ISA = (
    _PREFIXES
    + """SELECT DISTINCT ?s ?o WHERE {
  %(values)s
  ?s rdfs:subClassOf ?o .
  FILTER(isIRI(?s) && isIRI(?o) && ?s != ?o && ?o != owl:Thing)
  FILTER NOT EXISTS {
    ?s rdfs:subClassOf ?m . ?m rdfs:subClassOf ?o .
    FILTER(isIRI(?m) && ?m != ?s && ?m != ?o)
    FILTER NOT EXISTS { ?m rdfs:subClassOf ?s }
    FILTER NOT EXISTS { ?o rdfs:subClassOf ?m }
  }
}"""
)
_DIRECT_RESTRICTIONS = (
    _PREFIXES
    + """SELECT DISTINCT ?s ?p ?o WHERE {
  %(values)s
  ?s rdfs:subClassOf ?r .
  ?r owl:onProperty ?p ; owl:someValuesFrom ?o .
  FILTER(isIRI(?s) && isIRI(?p) && isIRI(?o))
}"""
)
_VALUES_OF = _PREFIXES + "SELECT ?s ?v WHERE { %(values)s ?s %(predicate)s ?v . }"
_KNOWN = _PREFIXES + "SELECT DISTINCT ?s WHERE { %(values)s ?s ?p ?o . }"
_ENTITIES = (
    _PREFIXES
    + """SELECT DISTINCT ?e WHERE {
  %(values)s
  ?e a ?type .
  FILTER(isIRI(?e))
  %(obsolete)s
} ORDER BY ?e"""
)
_TYPES = _PREFIXES + "SELECT DISTINCT ?e ?type WHERE { %(values)s ?e a ?type . FILTER(isIRI(?type)) }"
_ENTITY_TYPES = ("owl:Class", "owl:ObjectProperty", "owl:AnnotationProperty", "owl:DatatypeProperty")
_ALIASES = (
    _PREFIXES
    + """SELECT ?s ?p ?v WHERE {
  %(values)s
  VALUES ?p { rdfs:label oboInOwl:hasExactSynonym oboInOwl:hasRelatedSynonym oboInOwl:hasNarrowSynonym
              oboInOwl:hasBroadSynonym }
  ?s ?p ?v . FILTER(isLiteral(?v))
}"""
)
_MAPPINGS = (
    _PREFIXES
    + """SELECT ?p ?v WHERE {
  %(values)s
  VALUES ?p { skos:exactMatch skos:closeMatch skos:narrowMatch skos:broadMatch oboInOwl:hasDbXref }
  ?s ?p ?v .
} ORDER BY ?p ?v"""
)
_BY_LABEL = _PREFIXES + "SELECT DISTINCT ?s WHERE { ?s rdfs:label ?l . FILTER(STR(?l) = ?text) } ORDER BY ?s"
_ONTOLOGIES = _PREFIXES + "SELECT ?o WHERE { ?o a owl:Ontology . FILTER(isIRI(?o)) } ORDER BY ?o"


class OakError(HemoError, click.ClickException):
    """A hemokg error raised through OAK: a :class:`HemoError` that OAK's command line prints as one line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)

    def __str__(self) -> str:
        return self.message


def _vocabulary_label(curie: str) -> str | None:
    """The local name of a standard vocabulary term (``rdfs:subClassOf`` -> ``subClassOf``), as OAK's file
    adapters label it; None for anything else."""
    prefix, _, local = curie.partition(":")
    return local if prefix in ("rdf", "rdfs", "owl") and local else None


def _values(var: str, iris: Iterable[str]) -> str:
    """A VALUES block of IRIs, each checked by pyoxigraph (an invalid IRI raises, nothing is pasted unchecked)."""
    from pyoxigraph import NamedNode

    return f"VALUES ?{var} {{ {' '.join(str(NamedNode(i)) for i in iris)} }}"


@dataclass
class HemokgImplementation(  # OAK's interfaces are untyped
    OboGraphInterface,  # type: ignore[misc]
    SearchInterface,  # type: ignore[misc]
    MappingProviderInterface,  # type: ignore[misc]
    TextAnnotatorInterface,  # type: ignore[misc]
):
    """OAK over a hemokg knowledge graph: ``hemokg:``, ``hemokg:imports`` or ``hemokg:<SPARQL endpoint URL>``."""

    kg: KnowledgeGraph | None = None
    _cli: bool = False
    _names: list[tuple[str, str, str, str]] | None = None  # (normalised text, text, IRI, scope): partial search
    _mapping_rows: list[dict[str, str]] | None = None

    def __post_init__(self) -> None:
        self._cli = click.get_current_context(silent=True) is not None
        for prefix, expansion in PREFIXES.items():
            if prefix not in ("obo",):
                self.prefix_map().setdefault(prefix, expansion)
        self.prefix_map()["HEMO"] = HEMO
        if self.kg is None:
            self.kg = self._open(self.resource.slug if self.resource is not None else None)

    # --- opening and errors -----------------------------------------------------------------------------------
    def _open(self, slug: str | None) -> KnowledgeGraph:
        from hemokg.kg import connect, load

        try:
            if not slug:
                return load()
            if slug == "imports":
                return load(imports=True)
            if re.match(r"^https?://", slug):
                user, password = os.environ.get("HEMOKG_USER"), os.environ.get("HEMOKG_PASSWORD")
                kg = connect(slug, auth=(user, password) if user and password is not None else None)
                kg.sparql("ASK { ?s ?p ?o }")  # an endpoint that is down fails here, not half-way through output
                return kg
            raise ParameterError(
                f"unknown hemokg selector 'hemokg:{slug}'; use hemokg: (embedded), hemokg:imports (with the import"
                " modules) or hemokg:https://… (a SPARQL endpoint)"
            )
        except HemoError as exc:
            raise OakError(str(exc)) from exc

    @property
    def _graph(self) -> KnowledgeGraph:
        assert self.kg is not None  # set in __post_init__
        return self.kg

    def _fail(self, error: HemoError) -> NoReturn:
        if self._cli:
            raise OakError(f"hemokg: {error}") from error
        raise error

    def _rows(self, text: str, bindings: dict[str, Any] | None = None) -> list[Any]:
        try:
            return list(self._graph.sparql(text, bindings))
        except HemoError as exc:
            self._fail(exc)

    def _iri(self, curie: str) -> str:
        from pyoxigraph import NamedNode

        iri = curie if re.match(r"^(https?|urn|file):", curie) else curie_to_iri(curie) or self.converter.expand(curie)
        try:
            NamedNode(iri or "")
        except ValueError:
            self._fail(ParameterError(f"{curie!r} is not a CURIE with a known prefix or an IRI"))
        assert iri is not None  # NamedNode("") raises
        return iri

    def _curie(self, iri: str) -> str:
        return iri_to_curie(iri) or self.converter.compress(iri) or iri

    def _check_known(self, curies: Iterable[str]) -> None:
        """Under runoak or ``strict``: fail on the first CURIE the graph says nothing about."""
        if not (self._cli or self.strict):
            return
        wanted = [c for c in curies if c.partition(":")[0] not in _VOCABULARY_PREFIXES]
        if not wanted:
            return
        iris = {c: self._iri(c) for c in wanted}
        known = {r[0].value for r in self._rows(_KNOWN % {"values": _values("s", iris.values())})}
        for curie, iri in iris.items():
            if iri not in known:
                self._fail(TermNotFoundError(curie))

    @property
    def _index(self) -> LabelIndex:
        try:
            return self._graph.index
        except HemoError as exc:
            self._fail(exc)

    # --- BasicOntologyInterface -------------------------------------------------------------------------------
    def ontologies(self) -> Iterable[str]:
        for row in self._rows(_ONTOLOGIES):
            yield row[0].value

    def entities(self, filter_obsoletes: bool = True, owl_type: str | None = None) -> Iterable[str]:
        types = [self._iri(owl_type)] if owl_type else [self._iri(t) for t in _ENTITY_TYPES]
        obsolete = "FILTER NOT EXISTS { ?e owl:deprecated true }" if filter_obsoletes else ""
        for row in self._rows(_ENTITIES % {"values": _values("type", types), "obsolete": obsolete}):
            yield self._curie(row[0].value)

    def owl_types(self, entities: Iterable[str]) -> Iterable[tuple[str, str]]:
        curies = list(entities)
        if not curies:
            return
        for row in self._rows(_TYPES % {"values": _values("e", [self._iri(c) for c in curies])}):
            yield self._curie(row[0].value), self._curie(row[1].value)

    def _values_of(self, curies: list[str], predicate: str) -> dict[str, list[str]]:
        """Literal values of one annotation property for each CURIE, sorted."""
        by_iri = {self._iri(c): c for c in curies}
        found: dict[str, list[str]] = {}
        if not by_iri:
            return found
        text = _VALUES_OF % {"values": _values("s", by_iri), "predicate": f"<{predicate}>"}
        for row in self._rows(text):
            found.setdefault(by_iri[row[0].value], []).append(row[1].value)
        return {k: sorted(v) for k, v in found.items()}

    def label(self, curie: str, lang: str | None = None) -> str | None:
        labels = self._values_of([curie], RDFS + "label").get(curie)
        if not labels:
            self._check_known([curie])
            return _vocabulary_label(curie)
        return labels[0]

    def labels(
        self, curies: Iterable[str], allow_none: bool = True, lang: str | None = None
    ) -> Iterable[tuple[str, str | None]]:
        wanted = list(dict.fromkeys(curies))
        found = self._values_of(wanted, RDFS + "label")
        self._check_known([c for c in wanted if c not in found])
        for curie in wanted:
            label = found[curie][0] if curie in found else _vocabulary_label(curie)
            if label is not None or allow_none:
                yield curie, label

    def curies_by_label(self, label: str) -> list[str]:
        exact = [self._curie(r[0].value) for r in self._rows(_BY_LABEL, {"text": label})]
        if exact:
            return exact
        return list(dict.fromkeys(self._curie(m.iri) for m in self._index.find(label) if m.scope == "label"))

    def definition(self, curie: str, lang: str | None = None) -> str | None:
        found = self._values_of([curie], _DEFINITION).get(curie)
        if not found:
            self._check_known([curie])
        return found[0] if found else None

    def definitions(
        self,
        curies: Iterable[str],
        include_metadata: bool = False,
        include_missing: bool = False,
        lang: str | None = None,
    ) -> Iterator[tuple[str, str | None, dict[str, Any]]]:
        wanted = list(dict.fromkeys(curies))
        found = self._values_of(wanted, _DEFINITION)
        for curie in wanted:
            if curie in found:
                yield curie, found[curie][0], {}
            elif include_missing:
                yield curie, None, {}

    def comments(
        self, curies: Iterable[str], allow_none: bool = True, lang: str | None = None
    ) -> Iterable[tuple[str, str | None]]:
        wanted = list(dict.fromkeys(curies))
        found = self._values_of(wanted, RDFS + "comment")
        for curie in wanted:
            if curie in found or allow_none:
                yield curie, " ".join(found[curie]) if curie in found else None

    def entity_alias_map(self, curie: str) -> dict[str, list[str]]:
        aliases: dict[str, list[str]] = {}
        for row in self._rows(_ALIASES % {"values": _values("s", [self._iri(curie)])}):
            aliases.setdefault(_ALIAS_PREDICATES[row[1].value], []).append(row[2].value)
        if not aliases:
            self._check_known([curie])
        return {k: sorted(v) for k, v in aliases.items()}

    def simple_mappings_by_curie(self, curie: str) -> Iterable[tuple[str, str]]:
        for row in self._rows(_MAPPINGS % {"values": _values("s", [self._iri(curie)])}):
            predicate = "oio:hasDbXref" if row[0].value.endswith("hasDbXref") else self._curie(row[0].value)
            obj = row[1].value if row[0].value.endswith("hasDbXref") else self._curie(row[1].value)
            yield predicate, obj

    def relationships(
        self,
        subjects: Iterable[str] | None = None,
        predicates: Iterable[str] | None = None,
        objects: Iterable[str] | None = None,
        include_tbox: bool = True,
        include_abox: bool = True,
        include_entailed: bool = False,
        exclude_blank: bool = True,
        invert: bool = False,
    ) -> Iterator[RELATIONSHIP]:
        if invert:
            for s, p, o in self.relationships(
                objects, predicates, subjects, include_tbox, include_abox, include_entailed, exclude_blank
            ):
                yield o, p, s
            return
        subjects = list(subjects) if subjects is not None else None
        objects = list(objects) if objects is not None else None
        predicates = list(predicates) if predicates else None
        self._check_known([*(subjects or []), *(objects or [])])
        values = []
        if subjects is not None:
            values.append(_values("s", [self._iri(c) for c in subjects]))
        if objects is not None:
            values.append(_values("o", [self._iri(c) for c in objects]))
        pred_iris = [self._iri(p) for p in predicates] if predicates else None
        found: list[tuple[str, str, str]] = []
        if include_entailed:
            if pred_iris:
                values.append(_values("p", pred_iris))
            text = _CLOSURE % {"values": "\n  ".join(values), "any_predicate": "" if pred_iris else _ANY_RELATION}
            found = [(r[0].value, r[1].value, r[2].value) for r in self._rows(text)]
        else:
            if pred_iris is None or _SUBCLASS in pred_iris:
                rows = self._rows(_DIRECT_ISA % {"values": "\n  ".join(values)})
                found += [(r[0].value, _SUBCLASS, r[1].value) for r in rows]
            others = [p for p in pred_iris or [] if p != _SUBCLASS]
            if pred_iris is None or others:
                text = _DIRECT_RESTRICTIONS % {
                    "values": "\n  ".join(values + ([_values("p", others)] if others else []))
                }
                found += [(r[0].value, r[1].value, r[2].value) for r in self._rows(text)]
        for s, p, o in sorted(set(found)):
            yield self._curie(s), IS_A if p == _SUBCLASS else self._curie(p), self._curie(o)

    # --- OboGraphInterface ------------------------------------------------------------------------------------
    def _closure(self, start: list[str], predicates: list[str] | None, *, up: bool) -> list[str]:
        self._check_known(start)
        start_var, end_var = ("s", "o") if up else ("o", "s")
        values = [_values(start_var, [self._iri(c) for c in start])]
        if predicates:
            values.append(_values("p", [self._iri(p) for p in predicates]))
        text = _CLOSURE % {"values": "\n  ".join(values), "any_predicate": "" if predicates else _ANY_RELATION}
        text = text.replace("SELECT DISTINCT ?s ?p ?o", f"SELECT DISTINCT ?{end_var}")
        return sorted({self._curie(r[0].value) for r in self._rows(text)})

    def ancestors(
        self, start_curies: _Start, predicates: _Predicates = None, reflexive: bool = True, method: _Method = None
    ) -> Iterable[str]:
        """Every class the start classes reach over ``predicates`` (all relations when None), from the relation
        graph in one query; the start classes themselves too when ``reflexive``."""
        return self._reach(start_curies, predicates, reflexive=reflexive, up=True)

    def descendants(
        self, start_curies: _Start, predicates: _Predicates = None, reflexive: bool = True, method: _Method = None
    ) -> Iterable[str]:
        """Every class that reaches the start classes over ``predicates``, from the relation graph in one query."""
        return self._reach(start_curies, predicates, reflexive=reflexive, up=False)

    def _reach(self, start_curies: _Start, predicates: _Predicates, *, reflexive: bool, up: bool) -> list[str]:
        """The closure from the start classes (up: what they reach; down: what reaches them), start first."""
        start = [start_curies] if isinstance(start_curies, str) else list(start_curies)
        found = self._closure(start, predicates, up=up)
        return [*start, *(c for c in found if c not in start)] if reflexive else found

    def node(
        self, curie: str, strict: bool = False, include_metadata: bool = False, expand_curies: bool = False
    ) -> Node | None:
        iri = self._iri(curie)
        types = {t for _, t in self.owl_types([curie])}
        if not types:
            if strict:
                self._fail(TermNotFoundError(curie))
            return None
        kind = "CLASS" if OWL_CLASS in types else "PROPERTY" if any("Property" in t for t in types) else "INDIVIDUAL"
        node = Node(id=iri if expand_curies else curie, lbl=self.label(curie), type=kind)
        if include_metadata:
            meta = Meta()
            definition = self.definition(curie)
            if definition:
                meta.definition = DefinitionPropertyValue(val=definition)
            for predicate, texts in self.entity_alias_map(curie).items():
                scope = predicate.removeprefix("oio:")
                if predicate != LABEL_PREDICATE:
                    meta.synonyms += [SynonymPropertyValue(pred=scope, val=t) for t in texts]
            meta.xrefs = [
                XrefPropertyValue(val=o) for p, o in self.simple_mappings_by_curie(curie) if p.endswith("Xref")
            ]
            node.meta = meta
        return node

    # --- SearchInterface --------------------------------------------------------------------------------------
    def basic_search(self, search_term: str, config: SearchConfiguration | None = None) -> Iterable[str]:
        """Terms whose label or synonym matches, normalised as ``hemokg lookup`` does; a CURIE or IRI as is
        (and the hemo term mapped to it); partial, starts-with and regular-expression searches over the names."""
        from hemokg.lookup import as_iri, normalize

        config = config or SearchConfiguration()
        props = {str(p) for p in (config.properties or [])} or {"LABEL", "ALIAS"}
        want_labels = bool(props & {"LABEL", "ANYTHING"})
        want_aliases = bool(props & {"ALIAS", "ANYTHING"})
        seen: dict[str, None] = {}
        iri = as_iri(search_term)
        if iri is not None and (props & {"IDENTIFIER", "ANYTHING", "LABEL", "MAPPED_IDENTIFIER"}):
            try:
                hemo = self._graph.resolve(search_term, prefer_hemo=True)
            except HemoError:
                hemo = iri
            for candidate in dict.fromkeys([hemo, iri]):
                if self._rows(_KNOWN % {"values": _values("s", [candidate])}):
                    seen.setdefault(self._curie(candidate))
        syntax = str(config.syntax) if config.syntax else None

        def scope_ok(scope: str) -> bool:
            return want_labels if scope == "label" else want_aliases

        if config.is_partial or syntax in (SearchTermSyntax.STARTS_WITH.text, SearchTermSyntax.REGULAR_EXPRESSION.text):
            key = normalize(search_term)
            pattern = re.compile(search_term, re.IGNORECASE) if syntax == "REGULAR_EXPRESSION" else None
            for name, raw, term, scope in self._all_names():
                if not scope_ok(scope):
                    continue
                if pattern is not None:
                    hit = pattern.search(raw) is not None
                elif syntax == "STARTS_WITH":
                    hit = name.startswith(key)
                else:
                    hit = key in name
                if hit:
                    seen.setdefault(self._curie(term))
        else:
            for match in self._index.find(search_term):
                if scope_ok(match.scope):
                    seen.setdefault(self._curie(match.iri))
        results = list(seen)
        return results[: config.limit] if config.limit else results

    def _all_names(self) -> list[tuple[str, str, str, str]]:
        """(normalised text, text, IRI, scope) of every label and synonym, hemo terms and labels first."""
        from hemokg.lookup import SCOPES, normalize

        if self._names is None:
            rows = self._rows(self._graph.catalog["term-labels"].text)
            names = []
            for r in rows:
                scope, rank = SCOPES.get(r[1].value, ("related", 5))
                names.append(
                    (
                        rank + (0 if r[0].value.startswith(HEMO) else 10),
                        normalize(r[2].value),
                        r[2].value,
                        r[0].value,
                        scope,
                    )
                )
            self._names = [(n, t, i, s) for _, n, t, i, s in sorted(names)]
        return self._names

    # --- MappingProviderInterface -----------------------------------------------------------------------------
    def sssom_mappings(self, curies: str | Iterable[str] | None = None, source: str | None = None) -> Iterable[Mapping]:
        """hemo's curated mappings (the rows of ``hemokg sssom``), where a given CURIE is subject or object."""
        from sssom_schema import Mapping

        from hemokg.formats.sssom import mapping_rows

        if self._mapping_rows is None:
            try:
                self._mapping_rows = mapping_rows(self._graph)[1]
            except HemoError as exc:
                self._fail(exc)
        wanted = {curies} if isinstance(curies, str) else set(curies) if curies is not None else None
        for row in self._mapping_rows:
            if wanted is not None and row["subject_id"] not in wanted and row["object_id"] not in wanted:
                continue
            prefixes = {row["subject_id"].partition(":")[0], row["object_id"].partition(":")[0]}
            if source and source not in prefixes:
                continue
            yield Mapping(
                subject_id=row["subject_id"],
                subject_label=row["subject_label"] or None,
                predicate_id=row["predicate_id"],
                object_id=row["object_id"],
                object_label=row["object_label"] or None,
                mapping_justification=row["mapping_justification"],
                object_source=row["object_source"] or None,
                object_source_version=row["object_source_version"] or None,
                confidence=float(row["confidence"]),
                comment=row["comment"] or None,
            )

    # --- TextAnnotatorInterface -------------------------------------------------------------------------------
    def annotate_text(
        self, text: str, configuration: TextAnnotationConfiguration | None = None
    ) -> Iterable[TextAnnotation]:
        """Mentions of hemo terms in a text: the longest word spans (up to 12 words) whose normalised text is a
        label or synonym, left to right, not overlapping; offsets are OAK's (1-based start, inclusive end).

        With ``matches_whole_text`` the text is one cell-type label, mapped by ``kg.annotate`` (``hemokg
        annotate``: plurals, markers, abbreviations): the hemo term, then the CL term, or nothing where it abstains.
        """
        configuration = configuration or TextAnnotationConfiguration()
        aliases = configuration.include_aliases is not False
        if configuration.matches_whole_text:
            yield from self._whole_label(text)
            return
        spans = self._spans(text, aliases)
        count = 0
        for start, end in spans:
            matches = [m for m in self._index.find(text[start:end]) if aliases or m.scope == "label"]
            for match in {m.iri: m for m in reversed(matches)}.values():
                yield TextAnnotation(
                    subject_start=start + 1,
                    subject_end=end,
                    predicate_id=_SCOPE_PREDICATE.get(match.scope, "oio:hasRelatedSynonym"),
                    object_id=self._curie(match.iri),
                    object_label=self._index.labels.get(match.iri),
                    match_string=text[start:end],
                    matches_whole_text=(start == 0 and end == len(text)),
                    is_longest_match=True,
                )
                count += 1
                if configuration.limit and count >= configuration.limit:
                    return

    def _whole_label(self, text: str) -> Iterator[TextAnnotation]:
        if not text.strip():
            return
        try:
            found = self._graph.annotate([text])[0]
        except HemoError as exc:
            self._fail(exc)
        for object_id in dict.fromkeys(i for i in (found.hemo_id, found.cl_id) if i):
            label = found.cl_label if object_id == found.cl_id else self._index.labels.get(self._iri(object_id))
            yield TextAnnotation(
                subject_start=1,
                subject_end=len(text),
                object_id=object_id,
                object_label=label,
                match_string=text,
                matches_whole_text=True,
                match_type=found.match,
                confidence=found.score,
                info=found.note or None,
            )

    def _spans(self, text: str, aliases: bool) -> Iterator[tuple[int, int]]:
        words = [(m.start(), m.end()) for m in re.finditer(r"\w+", text)]
        i = 0
        while i < len(words):
            for j in range(min(len(words), i + _LONGEST_SPAN) - 1, i - 1, -1):
                start, end = words[i][0], words[j][1]
                if any(aliases or m.scope == "label" for m in self._index.find(text[start:end])):
                    yield start, end
                    i = j + 1
                    break
            else:
                i += 1
