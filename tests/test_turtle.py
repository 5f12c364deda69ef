"""Canonical Turtle (formats.turtle) and `hemokg format`: byte-stable, round-trip exact, comments never lost."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from hemokg.formats.turtle import NotCanonicalError, canonical_turtle, find_comments, format_file

ROOT = Path(__file__).resolve().parents[1]
HEMO_TTL = ROOT / "ontology" / "hemo.ttl"

#: A small ontology in hemo's conventions: header, properties, classes with definitions, scoped synonyms, OBO axiom
#: annotations, restrictions, a logical definition (an RDF list), mappings, a disjointness list, tricky literals.
SAMPLE = r"""
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
@prefix oboInOwl: <http://www.geneontology.org/formats/oboInOwl#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix HEMO: <https://w3id.org/hemokg/HEMO_> .

<https://w3id.org/hemokg/hemo.owl> a owl:Ontology ;
  owl:versionIRI <https://w3id.org/hemokg/releases/2026-11-25/hemo.owl> ; owl:versionInfo "2026-11-25" ;
  dcterms:title "Hematopoiesis ontology" ; dcterms:created "2026-11-25"^^xsd:date ;
  dcterms:license <https://creativecommons.org/licenses/by/4.0/> .
obo:RO_0002202 a owl:ObjectProperty, owl:TransitiveProperty ; rdfs:label "develops from" ;
  owl:inverseOf obo:RO_0002203 .
obo:RO_0002207 a owl:ObjectProperty ; rdfs:label "directly develops from" ; rdfs:subPropertyOf obo:RO_0002202 .
obo:RO_0002203 a owl:ObjectProperty ; rdfs:label "develops into" .
obo:BFO_0000066 a owl:ObjectProperty ; rdfs:label "occurs in" .
obo:IAO_0000115 a owl:AnnotationProperty ; rdfs:label "definition" .

HEMO:0000001 a owl:Class ; rdfs:label "hematopoiesis"@en ;
  obo:IAO_0000115 "The production of all \"blood\" cells,\nstep by step." ;
  oboInOwl:hasExactSynonym "haematopoiesis", "blood cell production" ; oboInOwl:hasRelatedSynonym "hemopoiesis" ;
  skos:exactMatch obo:GO_0030097 ; oboInOwl:hasDbXref "GO:0030097" ;
  rdfs:subClassOf [ a owl:Restriction ; owl:onProperty obo:BFO_0000066 ; owl:someValuesFrom HEMO:0000020 ] .
[] a owl:Axiom ; owl:annotatedSource HEMO:0000001 ; owl:annotatedProperty obo:IAO_0000115 ;
   owl:annotatedTarget "The production of all \"blood\" cells,\nstep by step." ;
   oboInOwl:hasDbXref "PMID:123", "ISBN:978-0" .
[] a owl:Axiom ; owl:annotatedSource HEMO:0000001 ; owl:annotatedProperty oboInOwl:hasExactSynonym ;
   owl:annotatedTarget "haematopoiesis" ; oboInOwl:hasDbXref "PMID:9" .
HEMO:0000002 a owl:Class ; rdfs:label "hematopoietic stem cell" ; skos:exactMatch obo:CL_0000037 ;
  rdfs:comment "Self-renewing ! {odd} # chars: ü é <not an IRI>" .
HEMO:0000003 a owl:Class ; rdfs:label "neutrophil" ; obo:IAO_0000115 "A granulocyte." ;
  rdfs:subClassOf HEMO:0000004 ,
    [ a owl:Restriction ; owl:onProperty obo:RO_0002207 ; owl:someValuesFrom HEMO:0000005 ] ;
  skos:exactMatch obo:CL_0000775 ; skos:closeMatch obo:CL_0000096 ; owl:disjointWith HEMO:0000006 .
HEMO:0000004 a owl:Class ; rdfs:label "granulocyte" ;
  rdfs:subClassOf [ a owl:Restriction ; owl:onProperty obo:RO_0002202 ; owl:someValuesFrom HEMO:0000002 ] .
HEMO:0000005 a owl:Class ; rdfs:label "metamyelocyte" ;
  rdfs:subClassOf [ a owl:Restriction ; owl:onProperty obo:RO_0002207 ; owl:someValuesFrom HEMO:0000002 ] .
HEMO:0000006 a owl:Class ; rdfs:label "erythrocyte" ; oboInOwl:hasNarrowSynonym "RBC" ;
  oboInOwl:hasBroadSynonym "red cell" .
HEMO:0000007 a owl:Class ; rdfs:label "myeloid granulocyte" ;
  owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( HEMO:0000004
      [ a owl:Restriction ; owl:onProperty obo:RO_0002202 ; owl:someValuesFrom HEMO:0000005 ] ) ] .
HEMO:0000020 a owl:Class ; rdfs:label "bone marrow" ; skos:broadMatch obo:UBERON_0002371 ;
  owl:deprecated "false"^^xsd:boolean .
[] a owl:AllDisjointClasses ; owl:members ( HEMO:0000020 HEMO:0000006 HEMO:0000002 ) .
"""


def triples_of(text: str | bytes) -> list[ox.Triple]:
    data = text.encode() if isinstance(text, str) else text
    return list(ox.parse(data, format=ox.RdfFormat.TURTLE))


def rdflib_graph(text: str | bytes, fmt: str = "turtle") -> rdflib.Graph:
    return rdflib.Graph().parse(data=text, format=fmt)


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("turtle") / "sample.ttl"
    path.write_text(SAMPLE, encoding="utf-8")
    return path


@pytest.mark.parametrize("source", ["sample", "hemo"])
def test_round_trip_is_isomorphic_and_a_fixpoint(source: str) -> None:
    text = SAMPLE if source == "sample" else HEMO_TTL.read_text(encoding="utf-8")
    canonical = canonical_turtle(triples_of(text))
    assert isomorphic(rdflib_graph(text), rdflib_graph(canonical))
    assert canonical_turtle(triples_of(canonical)) == canonical


def test_layout_header_first_prefixes_sorted_restrictions_inline_axioms_after_their_class() -> None:
    text = canonical_turtle(triples_of(SAMPLE))
    prefixes = [line.split()[1] for line in text.splitlines() if line.startswith("@prefix")]
    assert prefixes == sorted(prefixes, key=str.casefold) and "dc:" not in prefixes  # only the used ones
    body = text[text.index("\n\n") :]
    assert body.lstrip().startswith("<https://w3id.org/hemokg/hemo.owl> a owl:Ontology")
    assert body.index("RO:0002207 a owl:ObjectProperty") < body.index("HEMO:0000001 a owl:Class")
    assert (
        body.index("HEMO:0000001 a owl:Class")
        < body.index("owl:annotatedSource HEMO:0000001")
        < body.index("HEMO:0000002 a owl:Class")
    )
    assert "owl:intersectionOf ( HEMO:0000004 [ a owl:Restriction ;" in text
    assert "rdfs:subClassOf HEMO:0000004 ,  # granulocyte\n" in text
    assert "_:" not in text  # no blank-node label anywhere: nothing to churn


def test_same_bytes_whatever_the_parse_order_and_blank_node_labels() -> None:
    triples = triples_of(SAMPLE)
    expected = canonical_turtle(triples)
    for seed in range(5):
        shuffled = triples[:]
        random.Random(seed).shuffle(shuffled)
        relabelled = triples_of(ox.serialize(shuffled, format=ox.RdfFormat.N_TRIPLES))
        assert canonical_turtle(relabelled) == expected


def test_same_bytes_on_every_pythonhashseed() -> None:
    code = (
        "import sys; from pathlib import Path; import pyoxigraph as ox;"
        "from hemokg.formats.turtle import canonical_turtle;"
        "sys.stdout.write(canonical_turtle(ox.parse(Path(sys.argv[1]).read_bytes(), format=ox.RdfFormat.TURTLE)))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code, str(HEMO_TTL)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=ROOT,
        ).stdout
        for seed in ("0", "1", "4242")
    }
    assert len(outputs) == 1 and outputs.pop() == canonical_turtle(triples_of(HEMO_TTL.read_bytes()))


def test_shared_and_cyclic_blank_nodes_get_stable_labels_and_round_trip() -> None:
    text = """@prefix ex: <http://example.org/> .
    ex:a ex:p _:shared . ex:b ex:p _:shared . _:shared ex:q "v" .
    _:x ex:next _:y . _:y ex:next _:x ."""
    first = canonical_turtle(triples_of(text))
    assert isomorphic(rdflib_graph(text), rdflib_graph(first))
    assert canonical_turtle(triples_of(first.replace("c14n", "zz"))) == first


def test_find_comments_ignores_hashes_in_strings_and_iris() -> None:
    text = '# top\nex:a ex:p "a # b" , """x\n# y""" , <http://e.org/#frag> . # tail\n'
    assert find_comments(text) == [(1, "# top"), (3, "# tail")]


def test_format_file_rewrites_checks_and_never_drops_notes(tmp_path: Path, sample_file: Path) -> None:
    path = tmp_path / "hemo.ttl"
    path.write_text("# Leading block, kept.\n\n" + SAMPLE, encoding="utf-8")
    with pytest.raises(NotCanonicalError, match=r"hemo.ttl:\d+: not in canonical Turtle form"):
        format_file(path, check=True)
    assert format_file(path) is True
    assert path.read_text(encoding="utf-8").startswith("# Leading block, kept.\n\n@prefix")
    assert format_file(path, check=True) is False and format_file(path) is False
    noted = path.read_text(encoding="utf-8").replace("HEMO:0000003 a owl:Class ;", "HEMO:0000003 a owl:Class ; # note")
    noted = noted.replace('rdfs:label "neutrophil"', 'rdfs:label "neutrophil" ; rdfs:comment "new"')
    path.write_text(noted, encoding="utf-8")
    with pytest.raises(NotCanonicalError, match=r"1 '#' comment\(s\) would be lost \(first: '# note'\)"):
        format_file(path)
    assert path.read_text(encoding="utf-8") == noted  # refused: untouched
    assert format_file(path, drop_comments=True) is True
    assert "# note" not in path.read_text(encoding="utf-8")


def test_format_command(tmp_path: Path, hemokg_cli) -> None:
    path = tmp_path / "x.ttl"
    path.write_text(SAMPLE, encoding="utf-8")
    run = hemokg_cli("format", "--check", str(path))
    assert run.code == 1 and "not in canonical Turtle form; run `hemokg format" in run.err
    assert hemokg_cli("format", str(path)).code == 0
    run = hemokg_cli("format", "--check", str(path))
    assert run.code == 0 and run.err == ""
    path.write_text("@prefix ex: <http://example.org/> .\nex:a ex:p ", encoding="utf-8")
    run = hemokg_cli("format", str(path))
    assert run.code == 1 and f"{path}:2" in run.err and "Traceback" not in run.err


def test_hemo_ttl_is_canonical() -> None:
    """ontology/hemo.ttl is kept in canonical form: run `hemokg format` after editing it."""
    format_file(HEMO_TTL, check=True)
