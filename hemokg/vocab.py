"""Every IRI, CURIE prefix and scope table hemokg uses, as plain strings, so that importing them costs nothing.

Namespaces are strict: ``RDFS.label`` (or ``RDFS["label"]``) is the IRI, a typo such as ``RDFS.lable`` raises
``AttributeError`` (rdflib's ``DefinedNamespace(_fail=True)`` idea, without rdflib). A namespace is a ``str`` (its
base IRI), so ``str.startswith`` and ``base + local`` still work where the local names are open (OBO).

CURIE <-> IRI conversion (:func:`curie_to_iri`, :func:`iri_to_curie`) is a small hand-written function on the hot path
that agrees with the ``curies`` library (a test checks every prefix and every IRI of the reasoned graph against
``curies.Converter``); :func:`converter` gives that ``curies.Converter`` itself (importing ``curies`` costs ~150 ms).
"""

from __future__ import annotations

from collections.abc import Iterable

from hemokg._hints import TYPE_CHECKING

if TYPE_CHECKING:
    import curies

__all__ = [
    "DCTERMS",
    "DEFINITION",
    "GRAPH_IMPORTS",
    "GRAPH_RELATION",
    "HEMO",
    "HEMO_BASE",
    "OBO",
    "OIO",
    "ONTOLOGY_IRI",
    "OWL",
    "PREFIXES",
    "RDF",
    "RDFS",
    "REL",
    "RELEASE_BASE",
    "REPLACED_BY",
    "SCOPE_OF_PROPERTY",
    "SKOS",
    "SYNONYM_SCOPES",
    "XSD",
    "Namespace",
    "converter",
    "curie_to_iri",
    "iri_to_curie",
]


class Namespace(str):
    """A base IRI with a closed list of local names: ``ns.name`` and ``ns["name"]`` are IRIs, unknown names raise."""

    _terms: frozenset[str]

    def __new__(cls, base: str, terms: Iterable[str]) -> Namespace:
        namespace = super().__new__(cls, base)
        namespace._terms = frozenset(terms)
        shadowed = sorted(t for t in namespace._terms if hasattr(str, t))
        if shadowed:  # ns.title would be str.title: such a term could only be reached as ns["title"]
            raise ValueError(f"{base}: terms {shadowed} are names of str methods")
        return namespace

    def term(self, name: str) -> str:
        """The IRI of the local ``name``; raises :class:`AttributeError` when the namespace has no such term."""
        if name not in self._terms:
            raise AttributeError(f"{str(self)!r} has no term {name!r}; known: {', '.join(sorted(self._terms))}")
        return str(self) + name

    def __getattr__(self, name: str) -> str:
        if name.startswith("__"):
            raise AttributeError(name)
        return self.term(name)

    def __getitem__(self, key: str) -> str:  # type: ignore[override]  # a term, not a character of the base IRI
        return self.term(key)

    def __reduce__(self) -> tuple[type[Namespace], tuple[str, frozenset[str]]]:
        return (Namespace, (str(self), self._terms))


# --- hemo's own IRIs -----------------------------------------------------------------------------------------------
HEMO_BASE = "https://w3id.org/hemokg/"
HEMO = HEMO_BASE + "HEMO_"
ONTOLOGY_IRI = HEMO_BASE + "hemo.owl"
RELEASE_BASE = HEMO_BASE + "releases/"
GRAPH_RELATION = HEMO_BASE + "graph/relation-graph"
GRAPH_IMPORTS = HEMO_BASE + "graph/imports/"
OBO = "http://purl.obolibrary.org/obo/"

# --- the standard vocabularies, strict ------------------------------------------------------------------------------
RDF = Namespace(
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "type Property List first rest nil langString Statement subject predicate object value".split(),
)
RDFS = Namespace(
    "http://www.w3.org/2000/01/rdf-schema#",
    "label comment subClassOf subPropertyOf domain range seeAlso isDefinedBy Class Resource Literal Datatype".split(),
)
OWL = Namespace(
    "http://www.w3.org/2002/07/owl#",
    """Class ObjectProperty DatatypeProperty AnnotationProperty TransitiveProperty SymmetricProperty
    FunctionalProperty Ontology Restriction NamedIndividual Thing Nothing Axiom AllDisjointClasses onProperty
    someValuesFrom allValuesFrom hasValue equivalentClass equivalentProperty disjointWith intersectionOf unionOf
    complementOf oneOf inverseOf propertyChainAxiom sameAs members versionIRI versionInfo deprecated imports
    annotatedSource annotatedProperty annotatedTarget priorVersion""".split(),
)
XSD = Namespace(
    "http://www.w3.org/2001/XMLSchema#",
    "string integer int long decimal double float boolean date dateTime anyURI nonNegativeInteger".split(),
)
OIO = Namespace(
    "http://www.geneontology.org/formats/oboInOwl#",
    """hasExactSynonym hasRelatedSynonym hasNarrowSynonym hasBroadSynonym hasDbXref hasOBONamespace id inSubset
    SubsetProperty hasSynonymType SynonymTypeProperty creation_date created_by hasAlternativeId consider
    ObsoleteClass is_metadata_tag shorthand hasScope source date hasOBOFormatVersion saved_by
    default-namespace""".split(),
)
SKOS = Namespace(
    "http://www.w3.org/2004/02/skos/core#",
    """exactMatch closeMatch narrowMatch broadMatch relatedMatch mappingRelation prefLabel altLabel definition
    notation note""".split(),
)
DCTERMS = Namespace(
    "http://purl.org/dc/terms/",
    """description license modified created issued source coverage creator contributor date subject
    bibliographicCitation conformsTo identifier rights""".split(),
)
#: OBO annotation properties by role
DEFINITION = OBO + "IAO_0000115"
REPLACED_BY = OBO + "IAO_0100001"

#: Synonym scopes in their display order: scope -> oboInOwl property (OBO writes the scope in upper case).
SYNONYM_SCOPES: dict[str, str] = {
    "exact": OIO.hasExactSynonym,
    "related": OIO.hasRelatedSynonym,
    "narrow": OIO.hasNarrowSynonym,
    "broad": OIO.hasBroadSynonym,
}
#: oboInOwl synonym property -> scope (the inverse of :data:`SYNONYM_SCOPES`).
SCOPE_OF_PROPERTY: dict[str, str] = {iri: scope for scope, iri in SYNONYM_SCOPES.items()}

#: CURIE prefix -> IRI prefix. ``obo`` is the generic OBO base: it expands nothing and shortens nothing (an OBO IRI
#: without a known ontology prefix stays an IRI).
PREFIXES: dict[str, str] = {
    "HEMO": HEMO,
    "CL": OBO + "CL_",
    "GO": OBO + "GO_",
    "UBERON": OBO + "UBERON_",
    "MONDO": OBO + "MONDO_",
    "HP": OBO + "HP_",
    "HsapDv": OBO + "HsapDv_",
    "RO": OBO + "RO_",
    "BFO": OBO + "BFO_",
    "IAO": OBO + "IAO_",
    "NCIT": OBO + "NCIT_",
    "MAXO": OBO + "MAXO_",
    "PATO": OBO + "PATO_",
    "oboInOwl": str(OIO),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "semapv": "https://w3id.org/semapv/vocab/",
    "obo": OBO,
}

#: Relations by short name, as OBO IRIs.
REL: dict[str, str] = {
    "part_of": OBO + "BFO_0000050",
    "has_part": OBO + "BFO_0000051",
    "occurs_in": OBO + "BFO_0000066",
    "develops_from": OBO + "RO_0002202",
    "directly_develops_from": OBO + "RO_0002207",
    "develops_into": OBO + "RO_0002203",
    "has_output": OBO + "RO_0002234",
    "capable_of": OBO + "RO_0002215",
    "capable_of_part_of": OBO + "RO_0002216",
    "located_in": OBO + "RO_0001025",
    "happens_during": OBO + "RO_0002092",
    "disease_causes_disruption_of": OBO + "RO_0004024",
    "regulates": OBO + "RO_0002211",
    "negatively_regulates": OBO + "RO_0002212",
    "positively_regulates": OBO + "RO_0002213",
}

# --- CURIEs ---------------------------------------------------------------------------------------------------------
_CONVERTIBLE = {prefix: base for prefix, base in PREFIXES.items() if prefix != "obo"}
_BY_LOWER = {prefix.lower(): prefix for prefix in _CONVERTIBLE}
_LONGEST_FIRST = sorted(_CONVERTIBLE.items(), key=lambda item: -len(item[1]))


def curie_to_iri(curie: str) -> str | None:
    """Expand ``CL:0000775`` to its IRI, or None when the prefix is unknown or the text is not a CURIE.

    The prefix is matched exactly, else case-insensitively (``cl:0000775``), as users type it."""
    prefix, sep, local = curie.partition(":")
    if not sep or not local or local.startswith("//"):
        return None
    base = _CONVERTIBLE.get(prefix)
    if base is None:
        known = _BY_LOWER.get(prefix.lower())
        base = _CONVERTIBLE[known] if known is not None else None
    return None if base is None else base + local


def iri_to_curie(iri: str) -> str | None:
    """Shorten an IRI to a CURIE with the known prefixes (the longest matching base wins, as in ``curies``), or None."""
    for prefix, base in _LONGEST_FIRST:
        if iri.startswith(base) and len(iri) > len(base):
            return f"{prefix}:{iri[len(base) :]}"
    return None


def converter() -> curies.Converter:
    """The ``curies.Converter`` of :data:`PREFIXES` (without the generic ``obo``), for code that wants the library's
    full API; :func:`curie_to_iri` and :func:`iri_to_curie` agree with it and cost nothing to import."""
    import curies

    return curies.Converter.from_prefix_map(_CONVERTIBLE)
