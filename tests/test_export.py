"""Export (formats.registry, formats.obo, formats.jsonld): every format read back by independent readers.

RDF formats must parse back isomorphic to the exported graph (rdflib.compare); JSON-LD is expanded by pyld with a
loader that refuses the network; RDF/XML loads in owlready2; OBO in fastobo and pronto; OBO Graphs JSON in the
obographs model and pronto. Files are written atomically and the bytes never depend on the run.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import fastobo
import pronto
import pyoxigraph as ox
import pytest
import rdflib
from pyld import jsonld
from rdflib.compare import isomorphic

import hemokg
from hemokg.errors import ExportError, ParameterError
from hemokg.formats.jsonld import CONTEXT_PATH, CONTEXT_URL, local_loader
from hemokg.formats.registry import FORMATS, Source, export, release
from tests.fixtures.core import outputs_under_hash_seeds
from tests.test_turtle import SAMPLE

ROOT = Path(__file__).resolve().parents[1]
HEMO = "https://w3id.org/hemokg/HEMO_"
OBO = "http://purl.obolibrary.org/obo/"
SKOS_EXACT = "http://www.w3.org/2004/02/skos/core#exactMatch"
RDF_FORMATS = {"turtle": "turtle", "ntriples": "nt", "rdfxml": "xml", "jsonld": None}


def refuse(url: str, options: dict | None = None) -> dict:
    raise AssertionError(f"a JSON-LD processor tried to fetch {url}")


def expand_jsonld(data: bytes) -> rdflib.Graph:
    """pyld (an independent JSON-LD 1.1 processor) turns the document into N-Quads, offline."""
    nquads = jsonld.to_rdf(json.loads(data), {"format": "application/n-quads", "documentLoader": refuse})
    return rdflib.Graph().parse(data=nquads, format="nt")


def source_graph(kg: hemokg.KnowledgeGraph) -> rdflib.Graph:
    """The kg's graphs merged into one rdflib graph (what formats without named graphs must carry)."""
    return rdflib.Graph().parse(data="".join(f"{t} .\n" for t in Source(kg).triples), format="nt")


def canonical_form(ntriples: bytes) -> set[str]:
    dataset = ox.Dataset(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


@pytest.fixture(scope="module")
def sample_kg(tmp_path_factory: pytest.TempPathFactory) -> hemokg.KnowledgeGraph:
    path = tmp_path_factory.mktemp("export") / "sample.ttl"
    path.write_text(SAMPLE, encoding="utf-8")
    return hemokg.load(path, reasoned=False)


@pytest.fixture(scope="module")
def sample_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("release-src") / "hemo.ttl"
    path.write_text(SAMPLE, encoding="utf-8")
    return path


# --- registry ------------------------------------------------------------------------------------------------------
def test_registry_feeds_the_cli_choices() -> None:
    from hemokg.cli.export import export_cmd

    choice = next(p for p in export_cmd.params if p.name == "fmt").type
    assert list(choice.choices) == list(FORMATS)
    assert all(f.media_type and f.extension and f.description for f in FORMATS.values())


def test_bad_format_and_options_are_one_line_errors(sample_kg: hemokg.KnowledgeGraph) -> None:
    with pytest.raises(ParameterError, match="unknown export format 'yaml'; known: turtle, ntriples"):
        export(sample_kg, "yaml")
    with pytest.raises(ParameterError, match="option 'frame' does not apply to format 'turtle'"):
        export(sample_kg, "turtle", frame="term")
    with pytest.raises(ParameterError, match="unknown JSON-LD frame 'class'"):
        export(sample_kg, "jsonld", frame="class")


# --- RDF round trips -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", list(RDF_FORMATS))
@pytest.mark.parametrize("which", ["sample", "asserted", "reasoned"])
def test_rdf_export_parses_back_isomorphic(fmt: str, which: str, request: pytest.FixtureRequest) -> None:
    kg = request.getfixturevalue({"sample": "sample_kg", "asserted": "asserted_kg", "reasoned": "kg"}[which])
    data = export(kg, fmt)
    parsed = expand_jsonld(data) if fmt == "jsonld" else rdflib.Graph().parse(data=data, format=RDF_FORMATS[fmt])
    if which == "sample" or (which, fmt) == ("asserted", "turtle"):
        assert isomorphic(parsed, source_graph(kg))
    else:  # the same check, faster on big graphs: equal RDFC-1.0 canonical forms <=> isomorphic
        assert canonical_form(parsed.serialize(format="nt").encode()) == canonical_form(
            "".join(f"{t} .\n" for t in Source(kg).triples).encode()
        )


@pytest.mark.parametrize(
    "fmt,oxfmt",
    [
        ("turtle", ox.RdfFormat.TURTLE),
        ("ntriples", ox.RdfFormat.N_TRIPLES),
        ("rdfxml", ox.RdfFormat.RDF_XML),
        ("jsonld", ox.RdfFormat.JSON_LD),
    ],
)
def test_pyoxigraph_reads_every_rdf_format(fmt: str, oxfmt: ox.RdfFormat, asserted_kg: hemokg.KnowledgeGraph) -> None:
    triples = {q.triple for q in ox.parse(export(asserted_kg, fmt), format=oxfmt)}
    assert len(triples) == len(Source(asserted_kg).triples)
    neutrophil = ox.NamedNode(HEMO + "0000123")
    assert ox.Triple(neutrophil, ox.NamedNode(SKOS_EXACT), ox.NamedNode(OBO + "CL_0000775")) in triples


def test_nquads_keeps_the_relation_graph_apart_and_turtle_merges_it(kg: hemokg.KnowledgeGraph) -> None:
    from hemokg.vocab import GRAPH_RELATION

    quads = list(ox.parse(export(kg, "nquads"), format=ox.RdfFormat.N_QUADS))
    relation = [q for q in quads if q.graph_name == ox.NamedNode(GRAPH_RELATION)]
    assert relation and len(quads) == len(kg.backend.store)
    merged = {q.triple for q in ox.parse(export(kg, "turtle"), format=ox.RdfFormat.TURTLE)}
    assert {q.triple for q in relation} <= merged


def test_jsonld_context_is_local_prefixes_only_lists_as_arrays(sample_kg: hemokg.KnowledgeGraph) -> None:
    doc = json.loads(export(sample_kg, "jsonld"))
    shipped = json.loads(CONTEXT_PATH.read_text(encoding="utf-8"))["@context"]
    assert set(doc["@context"]) <= set(shipped) and "MONDO" not in doc["@context"]  # only the prefixes used
    assert doc["@context"]["HEMO"] == {"@id": HEMO, "@prefix": True}
    node = next(n for n in doc["@graph"] if n.get("@id") == "HEMO:0000007")
    members = node["owl:equivalentClass"]["owl:intersectionOf"]
    assert isinstance(members, list) and members[0] == {"@id": "HEMO:0000004"}
    # An app that refers to the context by URL gets the shipped file, never the network.
    remote = {**doc, "@context": CONTEXT_URL}
    nquads = jsonld.to_rdf(remote, {"format": "application/n-quads", "documentLoader": local_loader})
    assert isomorphic(rdflib.Graph().parse(data=nquads, format="nt"), expand_jsonld(json.dumps(doc).encode()))
    with pytest.raises(ExportError, match=r"refusing to fetch the remote JSON-LD document https://example\.org/c"):
        local_loader("https://example.org/ctx.jsonld")
    with pytest.raises(jsonld.JsonLdError, match="loading remote context failed"):
        jsonld.expand({"@context": "https://example.org/ctx.jsonld", "a": 1}, {"documentLoader": local_loader})


def test_jsonld_term_frame(sample_kg: hemokg.KnowledgeGraph) -> None:
    doc = json.loads(export(sample_kg, "jsonld", frame="term"))
    terms = {t["id"]: t for t in doc["@graph"]}
    assert len(terms) == 8
    neutrophil = terms["HEMO:0000003"]
    assert neutrophil["label"] == "neutrophil" and neutrophil["parents"] == ["HEMO:0000004"]
    assert neutrophil["directly_develops_from"] == ["HEMO:0000005"]
    assert neutrophil["lineage"] == ["HEMO:0000002", "HEMO:0000005"]  # inherited from granulocyte, and transitive
    assert neutrophil["exact_matches"] == ["CL:0000775"] and neutrophil["close_matches"] == ["CL:0000096"]
    hema = terms["HEMO:0000001"]
    assert hema["exact_synonyms"] == ["blood cell production", "haematopoiesis"]
    assert hema["definition_xrefs"] == ["ISBN:978-0", "PMID:123"]
    expanded = expand_jsonld(json.dumps(doc).encode())  # it is JSON-LD too: the keys mean RDF properties
    assert (rdflib.URIRef(HEMO + "0000003"), rdflib.URIRef(SKOS_EXACT), rdflib.URIRef(OBO + "CL_0000775")) in expanded


# --- OWL, OBO and OBO Graphs readers -------------------------------------------------------------------------------
def test_owlready2_loads_the_rdfxml(asserted_kg: hemokg.KnowledgeGraph, tmp_path: Path) -> None:
    import owlready2

    path = tmp_path / "hemo.owl"
    export(asserted_kg, "rdfxml", path)
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    assert onto.base_iri.startswith("https://w3id.org/hemokg/hemo.owl")
    neutrophil = world.search_one(iri=HEMO + "0000124")
    assert neutrophil is not None and "mature neutrophil" in neutrophil.label
    assert any(getattr(r, "property", None) is not None for r in neutrophil.is_a)  # restrictions survived
    classes = {c.iri for c in world.classes() if c.iri.startswith(HEMO)}
    assert len(classes) == sum(
        1
        for t in Source(asserted_kg).triples
        if t.subject.value.startswith(HEMO)
        and str(t.predicate).endswith("#type>")
        and str(t.object).endswith("#Class>")
    )


def test_obo_is_read_by_fastobo_and_pronto(sample_kg: hemokg.KnowledgeGraph, tmp_path: Path) -> None:
    path = tmp_path / "hemo.obo"
    export(sample_kg, "obo", path)
    doc = fastobo.load(str(path))
    assert doc.header[0].raw_tag() == "format-version"
    ids = {str(frame.id) for frame in doc}
    assert {"HEMO:0000003", "develops_from", "directly_develops_from"} <= ids
    onto = pronto.Ontology(str(path), encoding="utf-8")
    neutrophil = onto["HEMO:0000003"]
    assert neutrophil.name == "neutrophil" and onto["HEMO:0000004"] in neutrophil.superclasses(distance=1)
    assert [t.id for t in neutrophil.relationships[onto.get_relationship("directly_develops_from")]] == ["HEMO:0000005"]
    hema = onto["HEMO:0000001"]
    assert hema.definition == 'The production of all "blood" cells,\nstep by step.'
    assert {x.id for x in hema.definition.xrefs} == {"PMID:123", "ISBN:978-0"}
    assert {(s.description, s.scope) for s in hema.synonyms} >= {
        ("haematopoiesis", "EXACT"),
        ("hemopoiesis", "RELATED"),
    }
    assert onto["HEMO:0000002"].comment == "Self-renewing ! {odd} # chars: ü é <not an IRI>"
    assert onto.get_relationship("develops_from").transitive


OBSOLETE_TTL = """@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix oboInOwl: <http://www.geneontology.org/formats/oboInOwl#> .
@prefix HEMO: <https://w3id.org/hemokg/HEMO_> .
<https://w3id.org/hemokg/hemo.owl> a owl:Ontology .
HEMO:0000010 a owl:Class ; rdfs:label "obsolete myelocyte" ; owl:deprecated true ;
  oboInOwl:hasNarrowSynonym "narrow name" ; oboInOwl:hasBroadSynonym "broad name" .
HEMO:0000011 a owl:Class ; rdfs:label "myelocyte" ; owl:deprecated false ;
  oboInOwl:hasBroadSynonym "another broad name" .
"""


def test_obo_marks_obsolete_terms_and_keeps_narrow_and_broad_apart(tmp_path: Path) -> None:
    source = tmp_path / "obsolete.ttl"
    source.write_text(OBSOLETE_TTL, encoding="utf-8")
    path = tmp_path / "obsolete.obo"
    export(hemokg.load(source, reasoned=False), "obo", path)
    onto = pronto.Ontology(str(path), encoding="utf-8")
    assert onto["HEMO:0000010"].obsolete and not onto["HEMO:0000011"].obsolete
    assert {(s.description, s.scope) for s in onto["HEMO:0000010"].synonyms} == {
        ("narrow name", "NARROW"),
        ("broad name", "BROAD"),
    }
    assert {(s.description, s.scope) for s in onto["HEMO:0000011"].synonyms} == {("another broad name", "BROAD")}
    frames = {str(frame.id): frame for frame in fastobo.load(str(path))}
    assert any(clause.raw_tag() == "is_obsolete" and clause.raw_value() == "true" for clause in frames["HEMO:0000010"])


def test_obo_synonym_scopes_match_the_graph_for_every_hemo_term(asserted_kg: hemokg.KnowledgeGraph, tmp_path) -> None:
    """Each synonym of the real ontology is written with the scope of its oboInOwl property (read back by pronto)."""
    rows = asserted_kg.sparql(
        "PREFIX oboInOwl: <http://www.geneontology.org/formats/oboInOwl#> SELECT ?t ?p ?s WHERE { "
        "VALUES ?p { oboInOwl:hasExactSynonym oboInOwl:hasRelatedSynonym oboInOwl:hasNarrowSynonym "
        "oboInOwl:hasBroadSynonym } ?t ?p ?s FILTER(STRSTARTS(STR(?t), 'https://w3id.org/hemokg/HEMO_')) }"
    )
    expected = {
        (
            "HEMO:" + r.text("t").rsplit("_", 1)[1],
            r.text("s"),
            r.text("p").rsplit("#has", 1)[1][: -len("Synonym")].upper(),
        )
        for r in rows
    }
    assert {scope for _, _, scope in expected} >= {"EXACT", "RELATED"}  # hemo has no narrow/broad ones (see above)
    path = tmp_path / "hemo.obo"
    export(asserted_kg, "obo", path)
    onto = pronto.Ontology(str(path), encoding="utf-8")
    found = {(t.id, s.description, s.scope) for t in onto.terms() if t.id.startswith("HEMO:") for s in t.synonyms}
    assert found == expected


def test_obo_of_the_real_ontology(asserted_kg: hemokg.KnowledgeGraph, tmp_path: Path) -> None:
    path = tmp_path / "hemo.obo"
    export(asserted_kg, "obo", path)
    onto = pronto.Ontology(str(path), encoding="utf-8")
    hemo_terms = {t.id for t in onto.terms() if t.id.startswith("HEMO:")}
    assert len(hemo_terms) == len(
        [r for r in export(asserted_kg, "csv").decode().splitlines()[1:] if r.startswith("HEMO:")]
    )
    assert all(onto[t].name for t in hemo_terms)
    assert len(list(fastobo.load(str(path)))) >= len(hemo_terms)


def test_obographs_validates_and_pronto_reads_it(sample_kg: hemokg.KnowledgeGraph, tmp_path: Path) -> None:
    import obographs

    path = tmp_path / "hemo.json"
    export(sample_kg, "obographs", path)
    raw = json.loads(path.read_text(encoding="utf-8"))
    graph = obographs.GraphDocument.model_validate(raw).graphs[0]
    assert graph.id == "https://w3id.org/hemokg/hemo.owl" and graph.meta.version.endswith("/2026-11-25/hemo.owl")
    nodes = {n.id: n for n in graph.nodes}
    hema = nodes[HEMO + "0000001"]
    assert hema.type == "CLASS" and hema.lbl == "hematopoiesis"
    assert hema.meta.definition.xrefs == ["ISBN:978-0", "PMID:123"]
    assert {(s.pred, s.val) for s in hema.meta.synonyms} >= {("hasExactSynonym", "haematopoiesis")}
    edges = {(e.sub, e.pred, e.obj) for e in graph.edges}
    assert (HEMO + "0000003", "is_a", HEMO + "0000004") in edges
    assert (HEMO + "0000003", OBO + "RO_0002207", HEMO + "0000005") in edges
    assert graph.logicalDefinitionAxioms[0].genusIds == [HEMO + "0000004"]
    onto = pronto.Ontology(str(path), encoding="utf-8")  # a second, independent reader of OBO Graphs JSON
    assert onto[HEMO + "0000003"].name == "neutrophil"


def test_csv_and_tsv_terms(sample_kg: hemokg.KnowledgeGraph) -> None:
    rows = list(csv.DictReader(io.StringIO(export(sample_kg, "csv").decode())))
    assert list(rows[0]) == ["id", "label", "synonyms", "definition", "parents", "mappings"]
    hema = next(r for r in rows if r["id"] == "HEMO:0000001")
    assert hema["definition"] == 'The production of all "blood" cells,\nstep by step.'
    assert hema["synonyms"].split("|") == ["blood cell production", "haematopoiesis", "hemopoiesis"]
    neutrophil = next(r for r in rows if r["id"] == "HEMO:0000003")
    assert neutrophil["mappings"] == "skos:closeMatch CL:0000096|skos:exactMatch CL:0000775"
    tsv = export(sample_kg, "tsv").decode().splitlines()
    assert len(tsv) == len(rows) + 1 and all(line.count("\t") == 5 for line in tsv)


# --- byte stability and files --------------------------------------------------------------------------------------
def test_every_format_gives_the_same_bytes_on_every_run() -> None:
    code = (
        "import hashlib, hemokg; from hemokg.formats.registry import export; kg = hemokg.load(reasoned=False);"
        "print({f: hashlib.sha256(export(kg, f)).hexdigest() for f in "
        "('turtle', 'ntriples', 'nquads', 'rdfxml', 'jsonld', 'obo', 'obographs', 'csv', 'tsv')})"
    )
    runs = outputs_under_hash_seeds(code, cwd=ROOT)
    assert len(runs) == 1


def test_failed_export_leaves_existing_file_untouched(sample_kg: hemokg.KnowledgeGraph, tmp_path: Path) -> None:
    path = tmp_path / "hemo.jsonld"
    path.write_text("previous release\n")
    with pytest.raises(ParameterError):
        export(sample_kg, "jsonld", path, frame="nope")
    assert path.read_text() == "previous release\n" and list(tmp_path.iterdir()) == [path]


def test_disk_full_midway_leaves_no_partial_file(asserted_kg: hemokg.KnowledgeGraph, tmp_path: Path) -> None:
    mount = tmp_path / "tiny"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)]).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        path = mount / "hemo.ttl"
        path.write_text("previous release\n")
        with pytest.raises(ExportError, match=r"cannot write .*hemo.ttl: No space left on device; nothing was written"):
            export(asserted_kg, "turtle", path)
        assert path.read_text() == "previous release\n" and list(mount.iterdir()) == [path]
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_cli_export_to_stdout_and_file(asserted_kg: hemokg.KnowledgeGraph, tmp_path: Path, hemokg_cli) -> None:
    run = hemokg_cli("export", "--format", "turtle", "-o", "-")
    assert run.code == 0 and run.out.encode() == export(asserted_kg, "turtle")
    target = tmp_path / "terms.obo"
    assert hemokg_cli("export", "-o", str(target)).code == 0  # format from the extension
    assert target.read_bytes() == export(asserted_kg, "obo")
    run = hemokg_cli("export", "-o", str(tmp_path / "x.unknown"))
    assert run.code == 2 and "give --format" in run.err


def test_cli_export_reasoned_is_the_reasoned_graph(kg: hemokg.KnowledgeGraph, hemokg_cli) -> None:
    run = hemokg_cli("export", "--reasoned", "--format", "ntriples")
    assert run.code == 0 and run.out.encode() == export(kg, "ntriples")
    assert len(run.out.splitlines()) == len(Source(kg).triples) > len(Source(hemokg.load(reasoned=False)).triples)


def test_release_products_parse_and_carry_the_version_iri(sample_path: Path, tmp_path: Path) -> None:
    written, notes = release(tmp_path, version="2026-11-30", ontology=sample_path)
    assert sorted(p.name for p in written) == sorted(
        f"hemo-{k}.{e}" for k in ("base", "full") for e in ("ttl", "owl", "json", "jsonld", "obo", "nt")
    )
    assert notes and "without imports" in notes[0]
    for kind in ("base", "full"):
        version = f"https://w3id.org/hemokg/releases/2026-11-30/hemo-{kind}.owl"
        stamp = ox.Triple(
            ox.NamedNode("https://w3id.org/hemokg/hemo.owl"),
            ox.NamedNode("http://www.w3.org/2002/07/owl#versionIRI"),
            ox.NamedNode(version),
        )
        for ext, fmt in (("ttl", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES), ("owl", ox.RdfFormat.RDF_XML)):
            triples = {q.triple for q in ox.parse((tmp_path / f"hemo-{kind}.{ext}").read_bytes(), format=fmt)}
            assert stamp in triples and not any(t.object.value.endswith("2026-11-25/hemo.owl") for t in triples)
        graph = expand_jsonld((tmp_path / f"hemo-{kind}.jsonld").read_bytes())
        assert (
            rdflib.URIRef(stamp.subject.value),
            rdflib.URIRef(stamp.predicate.value),
            rdflib.URIRef(version),
        ) in graph
        assert json.loads((tmp_path / f"hemo-{kind}.json").read_text())["graphs"][0]["meta"]["version"] == version
        header = fastobo.load(str(tmp_path / f"hemo-{kind}.obo")).header
        assert "data-version: releases/2026-11-30" in str(header)
    full = {q.triple for q in ox.parse((tmp_path / "hemo-full.nt").read_bytes(), format=ox.RdfFormat.N_TRIPLES)}
    base = {q.triple for q in ox.parse((tmp_path / "hemo-base.nt").read_bytes(), format=ox.RdfFormat.N_TRIPLES)}
    assert len(full) > len(base)  # reasoned: inferred subclass axioms added
    with pytest.raises(ParameterError, match="not a date YYYY-MM-DD"):
        release(tmp_path, version="30/11/2026", ontology=sample_path)
