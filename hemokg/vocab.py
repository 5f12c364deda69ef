"""IRIs and CURIE prefixes hemokg uses, as plain strings so that importing them costs nothing."""

from __future__ import annotations

__all__ = [
    "GRAPH_IMPORTS",
    "GRAPH_RELATION",
    "HEMO",
    "OBO",
    "OIO",
    "ONTOLOGY_IRI",
    "OWL",
    "PREFIXES",
    "RDF",
    "RDFS",
    "REL",
    "SKOS",
    "curie_to_iri",
    "iri_to_curie",
]

HEMO = "https://w3id.org/hemokg/HEMO_"
OBO = "http://purl.obolibrary.org/obo/"
ONTOLOGY_IRI = "https://w3id.org/hemokg/hemo.owl"
GRAPH_RELATION = "https://w3id.org/hemokg/graph/relation-graph"
GRAPH_IMPORTS = "https://w3id.org/hemokg/graph/imports/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
OIO = "http://www.geneontology.org/formats/oboInOwl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"

#: CURIE prefix -> IRI prefix; the order is the one used when shortening (first match wins).
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
    "oboInOwl": OIO,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": SKOS,
    "dcterms": "http://purl.org/dc/terms/",
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


def curie_to_iri(curie: str) -> str | None:
    """Expand ``CL:0000775`` to its IRI, or None when the prefix is unknown or the text is not a CURIE."""
    prefix, sep, local = curie.partition(":")
    if not sep or not local or local.startswith("//"):
        return None
    base = PREFIXES.get(prefix) or next((v for k, v in PREFIXES.items() if k.lower() == prefix.lower()), None)
    return None if base is None or prefix.lower() == "obo" else base + local


def iri_to_curie(iri: str) -> str | None:
    """Shorten an IRI to a CURIE with the known prefixes, or None."""
    for prefix, base in PREFIXES.items():
        if iri.startswith(base) and len(iri) > len(base) and prefix != "obo":
            return f"{prefix}:{iri[len(base) :]}"
    return None
