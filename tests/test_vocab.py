"""hemokg.vocab: strict namespaces, one home for the vocabulary IRIs, and CURIE conversion that agrees with the
``curies`` library on every prefix and on every IRI of the reasoned graph."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import curies
import pytest

from hemokg.vocab import (
    OIO,
    OWL,
    PREFIXES,
    RDFS,
    SCOPE_OF_PROPERTY,
    SYNONYM_SCOPES,
    Namespace,
    converter,
    curie_to_iri,
    iri_to_curie,
)

PACKAGE = Path(__file__).resolve().parent.parent / "hemokg"
REFERENCE = curies.Converter.from_prefix_map({p: base for p, base in PREFIXES.items() if p != "obo"})


def test_a_namespace_gives_its_terms_and_raises_on_a_typo() -> None:
    assert RDFS.label == "http://www.w3.org/2000/01/rdf-schema#label" == RDFS["label"]
    assert OWL.deprecated == "http://www.w3.org/2002/07/owl#deprecated"
    assert OIO + "anything" == "http://www.geneontology.org/formats/oboInOwl#anything"  # still a str: open use
    with pytest.raises(AttributeError, match="has no term 'lable'"):
        _ = RDFS.lable
    with pytest.raises(AttributeError, match="hasExactSynonim"):
        _ = OIO["hasExactSynonim"]
    assert pickle.loads(pickle.dumps(RDFS)).label == RDFS.label
    with pytest.raises(ValueError, match="str methods"):
        Namespace("http://example.org/", ["title"])  # ns.title would silently be str.title


def test_synonym_scopes_are_one_table() -> None:
    assert list(SYNONYM_SCOPES) == ["exact", "related", "narrow", "broad"]
    assert {SCOPE_OF_PROPERTY[iri] for iri in SYNONYM_SCOPES.values()} == set(SYNONYM_SCOPES)
    assert SYNONYM_SCOPES["narrow"] == OIO.hasNarrowSynonym and SYNONYM_SCOPES["broad"] == OIO.hasBroadSynonym


@pytest.mark.parametrize("prefix", sorted(PREFIXES))
def test_curie_expansion_agrees_with_curies_on_every_prefix(prefix: str) -> None:
    curie = f"{prefix}:0000775"
    if prefix == "obo":  # the generic OBO base expands nothing: an OBO IRI has an ontology prefix
        assert curie_to_iri(curie) is None
        return
    assert curie_to_iri(curie) == REFERENCE.expand(curie) == PREFIXES[prefix] + "0000775"
    assert iri_to_curie(PREFIXES[prefix] + "0000775") == REFERENCE.compress(PREFIXES[prefix] + "0000775") == curie
    assert curie_to_iri(curie.lower() if prefix.lower() != prefix else curie.upper()) == REFERENCE.expand(curie)


def test_iri_shortening_agrees_with_curies_on_every_iri_of_the_reasoned_graph(kg) -> None:
    from pyoxigraph import NamedNode

    terms = (t for q in kg.backend.quads() for t in (q.subject, q.predicate, q.object, q.graph_name))
    iris = {t.value for t in terms if isinstance(t, NamedNode)}
    assert len(iris) > 300
    disagree = {i: (iri_to_curie(i), REFERENCE.compress(i)) for i in iris if iri_to_curie(i) != REFERENCE.compress(i)}
    assert not disagree
    assert sum(iri_to_curie(i) is not None for i in iris) > 250
    for iri in iris:
        curie = iri_to_curie(iri)
        if curie is not None:
            assert curie_to_iri(curie) == iri == REFERENCE.expand(curie)


def test_the_converter_is_the_curies_one() -> None:
    made = converter()
    assert isinstance(made, curies.Converter)
    assert made.expand("CL:0000775") == "http://purl.obolibrary.org/obo/CL_0000775"
    assert made.compress(PREFIXES["HEMO"] + "0000001") == "HEMO:0000001"


def _iri_constants() -> list[str]:
    bases = sorted({*PREFIXES.values(), "https://w3id.org/hemokg/"}, key=len, reverse=True)
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "vocab.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                value = node.value
                if any(value.startswith(b) for b in bases) and not any(c.isspace() for c in value):
                    found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {value}")
    return found


def test_vocabulary_iris_live_in_vocab_only() -> None:
    """A bare IRI of a known vocabulary (or of hemo) written as a string outside hemokg/vocab.py is a second home."""
    assert not _iri_constants()


def _declared_prefixes(path: Path) -> dict[str, str]:
    """The ``@prefix`` lines of a Turtle file, read with rdflib (an independent parser)."""
    import rdflib

    graph = rdflib.Graph().parse(path, format="turtle")
    return {prefix: str(namespace) for prefix, namespace in graph.namespace_manager.namespaces()}


def test_obo_prefixes_follow_the_obo_foundry_iri_rule() -> None:
    """An OBO ontology's CURIE prefix P expands to http://purl.obolibrary.org/obo/P_ (no other spelling)."""
    obo = {p: base for p, base in PREFIXES.items() if base.startswith("http://purl.obolibrary.org/obo/") and p != "obo"}
    assert len(obo) >= 10
    assert {p: base for p, base in obo.items() if base != f"http://purl.obolibrary.org/obo/{p}_"} == {}


def test_prefixes_agree_with_the_prefixes_hemo_ttl_declares() -> None:
    """The hand-edited ontology declares its own prefixes; every one of them means the same in hemokg.vocab."""
    declared = _declared_prefixes(PACKAGE.parent / "ontology" / "hemo.ttl")
    shared = {p for p in declared if p in PREFIXES}
    assert {"CL", "GO", "UBERON", "HEMO", "RO", "BFO", "oboInOwl", "skos", "rdfs", "owl"} <= shared
    assert {p: (declared[p], PREFIXES[p]) for p in shared if declared[p] != PREFIXES[p]} == {}


def test_w3c_namespaces_agree_with_rdflib() -> None:
    from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

    for prefix, namespace in {
        "rdf": RDF,
        "rdfs": RDFS,
        "owl": OWL,
        "xsd": XSD,
        "skos": SKOS,
        "dcterms": DCTERMS,
    }.items():
        assert PREFIXES[prefix] == str(namespace), prefix
