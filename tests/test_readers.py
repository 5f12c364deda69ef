"""The exports as the ecosystem's own readers take them (issue 14): sssom-py's RDF and JSON round trips, OAK with
the HEMO prefix, fastobo's OBO->OWL and pronto, a JSON-LD 1.0 processor, and Jena ARQ on the merged graph."""

from __future__ import annotations

import json
import re
import shlex
import warnings
from pathlib import Path

import pytest
from pyoxigraph import CanonicalizationAlgorithm, Dataset, NamedNode, RdfFormat, parse

import hemokg
from hemokg.backends.remote import parse_json_results
from hemokg.resources import mappings_dir
from hemokg.sparql.queries import bind_values
from hemokg.sparql.results import term_text
from tests.test_jena import jena

DOCS = Path(__file__).resolve().parents[1] / "docs" / "export.md"
HEMO_IRI = "https://w3id.org/hemokg/hemo.owl"


def _canonical(data: bytes, fmt: RdfFormat) -> set[str]:
    dataset = Dataset(parse(data, format=fmt))
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q.triple) for q in dataset}


# --- 12: SSSOM through sssom-py ---------------------------------------------------------------------------------
def test_sssom_round_trips_through_sssom_py_rdf_and_json(tmp_path: Path) -> None:
    from sssom.parsers import parse_sssom_json, parse_sssom_rdf, parse_sssom_table
    from sssom.writers import write_fhir_json, write_json, write_rdf

    shipped = mappings_dir() / "hemo.sssom.tsv"
    assert re.search(r'^# mapping_set_version: "\d{4}-\d\d-\d\d"$', shipped.read_text(encoding="utf-8"), re.M)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = parse_sssom_table(str(shipped))
        version = table.metadata["mapping_set_version"]
        assert isinstance(version, str)
        expected = {tuple(r) for r in table.df[["subject_id", "predicate_id", "object_id"]].itertuples(index=False)}
        assert len(expected) > 100
        for writer, reader, name in ((write_rdf, parse_sssom_rdf, "m.ttl"), (write_json, parse_sssom_json, "m.json")):
            with open(tmp_path / name, "w", encoding="utf-8") as handle:
                writer(table, handle)
            back = reader(str(tmp_path / name))
            assert str(back.metadata["mapping_set_version"]) == version, name
            cols = back.df[["subject_id", "predicate_id", "object_id"]].itertuples(index=False)
            assert {tuple(r) for r in cols} == expected, name
        with open(tmp_path / "fhir.json", "w", encoding="utf-8") as handle:
            write_fhir_json(table, handle)
    assert json.loads((tmp_path / "fhir.json").read_text(encoding="utf-8"))["resourceType"] == "ConceptMap"


# --- 13: OAK, with the HEMO prefix -------------------------------------------------------------------------------
def _runoak_lines() -> list[str]:
    return [line.strip() for line in DOCS.read_text(encoding="utf-8").splitlines() if line.startswith("runoak ")]


@pytest.mark.slow
def test_oak_reads_every_export_with_the_documented_prefix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner
    from oaklib.cli import main

    lines = _runoak_lines()
    formats = {".ttl": "turtle", ".owl": "rdfxml", ".json": "obographs"}
    asked = {Path(shlex.split(line)[shlex.split(line).index("-i") + 1]).suffix for line in lines}
    assert asked == set(formats), lines  # every file OAK reads is documented
    asserted = hemokg.load(reasoned=False)
    monkeypatch.chdir(tmp_path)
    for line in lines:
        args = shlex.split(line)[1:]
        file = Path(args[args.index("-i") + 1])
        asserted.export(formats[file.suffix], file)
        run = CliRunner().invoke(main, args, catch_exceptions=False)
        assert run.exit_code == 0, (line, run.output)
        found = dict(row.split("\t", 1) for row in run.output.splitlines()[1:])
        assert found["HEMO:0000123"] == "neutrophil" and found["HEMO:0000122"] == "granulocyte", (line, run.output)
        assert found["HEMO:0000100"] == "hematopoietic cell", (line, run.output)


# --- 14: the OBO header identifies hemo --------------------------------------------------------------------------
def test_fastobo_converts_the_obo_file_to_owl_and_pronto_reads_its_header(tmp_path: Path) -> None:
    import fastobo
    import pronto

    path = tmp_path / "hemo.obo"
    hemokg.load(reasoned=False).export("obo", path)
    owl = tmp_path / "hemo.ofn"
    fastobo.dump_owl(fastobo.load(str(path)), str(owl), format="ofn")  # needs `ontology` and `default-namespace`
    text = owl.read_text(encoding="utf-8")
    header = next(line for line in text.splitlines() if line.startswith("Ontology("))
    assert re.fullmatch(r"Ontology\(obo:hemo\.owl obo:hemo/releases/\d{4}-\d\d-\d\d/hemo\.owl", header), header
    assert f"Annotation(<http://purl.org/dc/terms/identifier> <{HEMO_IRI}>)" in text
    assert "<https://w3id.org/hemokg/HEMO_0000123>" in text or "HEMO:0000123" in text
    ontology = pronto.Ontology(str(path))
    assert ontology.metadata.ontology == "hemo" and ontology.metadata.default_namespace == "hemo"
    identifiers = {a.resource for a in ontology.metadata.annotations if a.property.endswith("/identifier")}
    assert identifiers == {HEMO_IRI}
    assert ontology["HEMO:0000123"].name == "neutrophil"


# --- 15: JSON-LD 1.0 --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("readers")
    kg = hemokg.load()
    out = {}
    for name, fmt, options in (
        ("hemo.nt", "ntriples", {}),
        ("hemo.nq", "nquads", {}),
        ("hemo10.jsonld", "jsonld", {"jsonld10": True}),
        ("hemo11.jsonld", "jsonld", {}),
    ):
        kg.export(fmt, folder / name, **options)
        out[name] = folder / name
    return out


def test_pyld_in_json_ld_1_0_mode_reads_the_1_0_export(exports: dict[str, Path]) -> None:
    from pyld import jsonld

    options = {"processingMode": "json-ld-1.0", "format": "application/n-quads"}
    doc = json.loads(exports["hemo10.jsonld"].read_text(encoding="utf-8"))
    assert "@version" not in doc["@context"]
    nquads = jsonld.to_rdf(doc, options)
    assert _canonical(nquads.encode(), RdfFormat.N_QUADS) == _canonical(
        exports["hemo.nt"].read_bytes(), RdfFormat.N_TRIPLES
    )
    with pytest.raises(jsonld.JsonLdError):  # the 1.1 document, which is why the 1.0 one exists
        jsonld.to_rdf(json.loads(exports["hemo11.jsonld"].read_text(encoding="utf-8")), options)


@pytest.mark.slow
def test_jena_jsonld10_reads_the_1_0_export(exports: dict[str, Path]) -> None:
    proc = jena("riotcmd.riot", "--syntax=jsonld10", "--output=nt", str(exports["hemo10.jsonld"]))
    assert proc.returncode == 0, proc.stderr.decode()
    assert "ERROR" not in proc.stderr.decode()
    assert _canonical(proc.stdout, RdfFormat.N_TRIPLES) == _canonical(
        exports["hemo.nt"].read_bytes(), RdfFormat.N_TRIPLES
    )


def test_the_term_frame_has_no_1_0_form(hemokg_cli) -> None:
    run = hemokg_cli("export", "--format", "jsonld", "--frame", "term", "--jsonld10")
    assert run.code == 1 and "compact document only" in run.err and run.out == ""


# --- 16: the merged graph for tools without a union default graph -----------------------------------------------
@pytest.mark.slow
def test_jena_arq_answers_develops_from_chain_on_the_merged_export(kg, exports: dict[str, Path]) -> None:
    stored = hemokg.catalog()["develops-from-chain"]
    expected = kg.query(stored, cell="mature neutrophil")
    text = bind_values(stored.text, {"_cell_iri": NamedNode(kg.resolve("mature neutrophil"))})

    def arq(name: str) -> hemokg.Results:
        proc = jena("arq.sparql", "--results=JSON", "--data", str(exports[name]), text)
        assert proc.returncode == 0, proc.stderr.decode()
        return parse_json_results(proc.stdout)

    merged = arq("hemo.nt")
    assert [tuple(map(term_text, r)) for r in merged] == [tuple(map(term_text, r)) for r in expected]
    assert len(expected) == 9
    assert len(arq("hemo.nq")) == 0  # the relation graph is a named graph: what docs/export.md warns of
    docs = " ".join(DOCS.read_text(encoding="utf-8").split())
    assert "in its own named graph" in docs and "hemokg export --reasoned --format ntriples" in docs
