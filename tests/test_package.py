"""The package's promises: load, lookup, lineage, SPARQL, errors, isolation and threads, on the real ontology."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pyoxigraph import NamedNode

import hemokg
from hemokg.errors import (
    OntologyParseError,
    ParameterError,
    SPARQLSyntaxError,
    TermNotFoundError,
    UpdateRefusedError,
)
from hemokg.graph.build import input_hash, read_reasoned
from hemokg.lookup import normalize
from hemokg.resources import ontology_path, reasoned_path

ROOT = Path(__file__).resolve().parents[1]


def labels_of(lineage: hemokg.Lineage, iris: list[str]) -> list[str]:
    return [lineage.label(i) for i in iris]


def test_import_is_light() -> None:
    """`import hemokg` pulls in none of the heavy libraries (they load where used)."""
    code = (
        "import sys, hemokg; print(sorted(m for m in ('rdflib', 'owlready2', 'SPARQLWrapper', 'pyld', 'yaml', "
        "'click', 'rich', 'pyoxigraph') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_cli_hot_path_imports_no_heavy_library() -> None:
    code = (
        "import sys; from hemokg.cli import main\n"
        "try:\n    main(['lineage', 'neutrophil', '--format', 'tsv'])\nexcept SystemExit: pass\n"
        "print(sorted(m for m in ('rdflib', 'owlready2', 'SPARQLWrapper', 'pyld') if m in sys.modules), "
        "file=sys.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stderr.strip().splitlines()[-1] == "[]"
    assert "neutrophil" in proc.stdout


def test_shipped_reasoned_graph_is_in_step_with_hemo_ttl() -> None:
    """ontology/hemo-reasoned.nq was built from the current hemo.ttl (else: run `hemokg build`)."""
    key = input_hash([ontology_path().read_bytes()], "hermit")
    assert read_reasoned(reasoned_path(), key) is not None, "stale or corrupt: run `hemokg build` and commit"


def test_reasoned_graph_holds_inferences_and_relation_graph(kg, asserted_kg) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { %s }"
    reasoned = int(kg.sparql(count % "?s ?p ?o").rows[0][0].value)
    asserted = int(asserted_kg.sparql(count % "?s ?p ?o").rows[0][0].value)
    assert reasoned > asserted
    relation = kg.sparql(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/hemokg/graph/relation-graph> { ?s ?p ?o } }"
    )
    assert int(relation.rows[0][0].value) > 100
    hsc, neutrophil = kg.resolve("hematopoietic stem cell"), kg.resolve("neutrophil")
    ask = "ASK { ?_a_iri <http://purl.obolibrary.org/obo/RO_0002202> ?_b_iri }"
    assert kg.sparql(ask, {"_a_iri": NamedNode(neutrophil), "_b_iri": NamedNode(hsc)}).boolean
    assert not asserted_kg.sparql(ask, {"_a_iri": NamedNode(neutrophil), "_b_iri": NamedNode(hsc)}).boolean


@pytest.mark.parametrize(
    "text",
    [
        "hematopoiesis",
        "Haematopoiesis",
        "HAEMOPOIESIS",
        "hemopoiesis",
        "hematogenesis",
        "hemogenesis",
        "blood cell formation",
        "hematopoïesis",
        "HÉMATOPOÏESIS",
        "hemopoïesis",
        "ｈｅｍａｔｏｐｏｉｅｓｉｓ",
        "  Hematopoiesis.",
        "HÆMATOPOIESIS",
        "hæmopoiesis",
        "GO:0030097",
    ],
)
def test_every_name_of_hematopoiesis_finds_it(kg, text: str) -> None:
    assert kg.lookup(text).label == "hematopoiesis"


def test_lookup_of_an_external_id_answers_with_the_hemo_term_mapped_to_it(kg) -> None:
    term = kg.lookup("CL:0000775")
    assert term.label == "neutrophil" and term.curie.startswith("HEMO:") and term.matched == "mapping"
    assert ("skos:exactMatch", "CL:0000775") in term.mappings
    assert term.definition and any(scope == "exact" for _, scope in term.synonyms)


@pytest.mark.slow  # the graph with every import module: seconds to load and index
def test_a_name_hemo_shares_with_an_import_finds_the_hemo_term_first() -> None:
    """With the import modules loaded, hundreds of names belong to a hemo term and to the CL/GO term it maps to;
    the lookup index ranks the hemo term first for every one of them (CL's IRIs sort before hemo's)."""
    from hemokg.vocab import HEMO

    kg = hemokg.load(imports=True)
    texts = {r["text"].value for r in kg.query("term-labels")}  # r.text is the variable ?text
    shared = [t for t in texts if {m.iri.startswith(HEMO) for m in kg.index.find(t)} == {True, False}]
    assert len(shared) > 100
    assert [t for t in shared if not kg.index.find(t)[0].iri.startswith(HEMO)] == []
    assert kg.index.find("hematopoietic stem cell")[0].iri == HEMO + "0000104"


def test_lookup_by_curie_and_iri_and_british_spelling(kg) -> None:
    iri = kg.resolve("neutrophil")
    curie = kg.lookup(iri).curie
    assert kg.lookup(curie).iri == iri and kg.lookup(f"<{iri}>").iri == iri
    assert kg.lookup("neutrophil leucocyte").iri == iri


def test_unknown_term_suggests_close_labels(kg) -> None:
    with pytest.raises(TermNotFoundError) as info:
        kg.lookup("neutrofil")
    assert "neutrophil" in info.value.suggestions


def test_normalize_folds_case_accents_and_british_spelling() -> None:
    assert normalize("Haematopoïesis") == normalize("hematopoiesis")
    assert normalize("Leucocyte") == normalize("leukocyte")
    assert normalize("T-cell") == normalize("t cell")


def test_lineage_of_the_erythrocyte_walks_every_true_step(kg) -> None:
    lineage = kg.lineage("erythrocyte")
    chain = labels_of(lineage, lineage.chains()[0])
    assert chain[0] == "hematopoietic stem cell" and chain[-1] == "erythrocyte"
    for earlier, later in [
        ("proerythroblast", "orthochromatic erythroblast"),
        ("orthochromatic erythroblast", "reticulocyte"),
    ]:
        assert chain.index(earlier) < chain.index(later)
    assert chain.index("reticulocyte") == len(chain) - 2  # one direct step, no shortcut


def test_lineage_of_the_neutrophil_comes_from_the_stem_cell_through_the_myeloid_line(kg) -> None:
    lineage = kg.lineage("neutrophil")
    ancestors = set(labels_of(lineage, lineage.ancestors()))
    assert {"hematopoietic stem cell", "common myeloid progenitor"} <= ancestors
    assert "common lymphoid progenitor" not in ancestors


def test_lineage_downward_from_the_myeloblast(kg) -> None:
    lineage = kg.lineage("myeloblast")
    below = set(labels_of(lineage, lineage.descendants()))
    # the stages of each granulocyte line, not the generic classes that group them (the article: a myeloblast forms
    # a myelocyte, which becomes a basophil, eosinophil or neutrophil)
    for kind in ("neutrophilic", "eosinophilic", "basophilic"):
        assert {f"{kind} promyelocyte", f"{kind} myelocyte"} <= below, below
    assert not {"promyelocyte", "myelocyte", "granulocyte"} & below
    assert "erythrocyte" not in below


def test_stored_query_with_a_label_parameter(kg) -> None:
    rows = kg.query("develops-from-steps", cell="Erythrocyte")
    assert "reticulocyte" in {r.precursor_label.value for r in rows if r.precursor_label}


def test_errors_are_typed_and_say_what_was_wrong(kg, tmp_path: Path) -> None:
    path = tmp_path / "needs-cell.rq"
    path.write_text("#+ summary: s\n#+ params: {cell: a cell}\nSELECT ?p WHERE { ?_cell_iri ?p ?o }\n")
    with pytest.raises(ParameterError, match="'cell'"):
        kg.query(hemokg.StoredQuery.from_file(path))
    with pytest.raises(TermNotFoundError, match="neutrofil"):
        kg.query(hemokg.StoredQuery.from_file(path), cell="neutrofil")
    with pytest.raises(ParameterError, match="'colour'"):
        kg.query("develops-from-steps", cell="neutrophil", colour="red")
    with pytest.raises(SPARQLSyntaxError, match=r"\d+:\d+"):
        kg.sparql("SELECT ?x WHERE {\n  ?x ?y \n}")
    with pytest.raises(UpdateRefusedError):
        kg.sparql("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises(UpdateRefusedError):
        kg.sparql("PREFIX x: <urn:x>\nDROP ALL")
    assert kg.sparql("ASK { <urn:a> <urn:b> <urn:c> }").boolean is False


def test_malformed_ontology_names_file_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e .\n")
    with pytest.raises(OntologyParseError) as info:
        hemokg.load(bad, reasoned=False)
    assert f"{bad}:3:" in str(info.value)


def test_two_graphs_are_isolated(tmp_path: Path) -> None:
    """No global state: two knowledge graphs over different files answer differently."""
    mini = tmp_path / "mini.ttl"
    mini.write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<https://w3id.org/hemokg/HEMO_9999999> rdfs:label "only here" .\n'
    )
    small, full = hemokg.load(mini, reasoned=False), hemokg.load(reasoned=False)
    assert small.resolve("only here").endswith("9999999")
    with pytest.raises(TermNotFoundError):
        full.resolve("only here")
    with pytest.raises(TermNotFoundError):
        small.resolve("neutrophil")


def test_eight_threads_get_the_same_answers_as_one(kg) -> None:
    names = ["neutrophil", "erythrocyte", "platelet", "monocyte", "B cell", "T cell", "basophil", "eosinophil"]

    def answer(name: str) -> tuple:
        lineage = kg.lineage(name)
        return tuple(map(tuple, lineage.chains())), kg.lookup(name).iri, len(kg.query("term-labels"))

    serial = [answer(n) for n in names * 3]
    with ThreadPoolExecutor(8) as pool:
        parallel = list(pool.map(answer, names * 3))
    assert parallel == serial


def test_results_writers(kg) -> None:
    import csv
    import io
    import json

    results = kg.query("develops-from-steps", cell="platelet")
    data = json.loads(results.to_json())
    assert data["head"]["vars"] == list(results.vars) and len(data["results"]["bindings"]) == len(results)
    assert data["results"]["bindings"][0]["cell"]["type"] == "uri"
    rows = list(csv.reader(io.StringIO(results.to_csv())))
    assert rows[0] == list(results.vars) and len(rows) == len(results) + 1
    tsv = results.to_tsv().splitlines()
    assert tsv[0].startswith("?cell") and tsv[1].startswith("<https://w3id.org/hemokg/HEMO_")
    assert json.loads(kg.sparql("ASK { ?s ?p ?o }").to_json()) == {"head": {}, "boolean": True}


def test_a_stage_without_its_own_step_inherits_its_superclass_steps(kg) -> None:
    """Thymocytes are T cells, and every T cell develops from a pro-T cell: the chain runs through it."""
    thymocyte = kg.lineage("thymocyte")
    assert {"pro-T cell", "common lymphoid progenitor", "hematopoietic stem cell"} <= set(
        labels_of(thymocyte, thymocyte.ancestors())
    )
    mature = kg.lineage("mature T cell")
    chain = labels_of(mature, mature.chains()[0])
    assert chain[0] == "hematopoietic stem cell" and chain[-2:] == ["thymocyte", "mature T cell"]
    assert "common myeloid progenitor" not in chain
