"""The SSSOM mapping set: generated from hemo.ttl (no drift), valid for the sssom package's validator."""

from __future__ import annotations

import io

import pytest
import sssom.constants as sssom_constants
import sssom.parsers as sssom_parsers
import sssom.validators as sssom_validators

import hemokg
from hemokg.formats.sssom import COLUMNS, mapping_rows, sssom_tsv
from hemokg.resources import mappings_dir


@pytest.fixture(scope="module")
def generated(asserted_kg: hemokg.KnowledgeGraph) -> str:
    return sssom_tsv(asserted_kg)


def _validate(text: str) -> list[str]:
    msdf = sssom_parsers.parse_sssom_table(io.StringIO(text))
    reports = sssom_validators.validate(msdf, sssom_constants.DEFAULT_VALIDATION_TYPES, fail_on_error=False)
    return [result.message for report in reports.values() for result in report.results]


def test_committed_file_equals_the_generated_one(generated: str) -> None:
    committed = (mappings_dir() / "hemo.sssom.tsv").read_text(encoding="utf-8")
    assert committed == generated, "hemo.sssom.tsv is stale: run `hemokg imports sssom`"


def test_sssom_validator_accepts_it_and_rejects_a_broken_copy(generated: str) -> None:
    assert _validate(generated) == []
    broken = generated.replace("semapv:ManualMappingCuration", "semapv:Guessing", 1)
    assert any("Guessing" in message for message in _validate(broken))


def test_metadata_uses_only_standard_slots(generated: str) -> None:
    _, meta = sssom_parsers._read_pandas_and_metadata(io.StringIO(generated), "\t")
    slots = sssom_constants._get_sssom_schema_object().mapping_set_slots
    assert set(meta) <= set(slots)
    assert meta["mapping_set_id"].startswith("https://w3id.org/hemokg/") and meta["license"]


def test_one_row_per_skos_mapping_of_hemo(asserted_kg: hemokg.KnowledgeGraph, generated: str) -> None:
    count = (
        asserted_kg.sparql(
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT (COUNT(*) AS ?n) WHERE { "
            "VALUES ?p { skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch } ?s ?p ?o . "
            "FILTER(STRSTARTS(STR(?s), 'https://w3id.org/hemokg/HEMO_')) }"
        )
        .rows[0][0]
        .value
    )
    _, rows = mapping_rows(asserted_kg)
    assert len(rows) == int(count) > 100
    table = [line.split("\t") for line in generated.splitlines() if not line.startswith("#")]
    assert tuple(table[0]) == COLUMNS and len(table) == len(rows) + 1
    erythrocyte = next(r for r in rows if r["object_id"] == "CL:0000232")
    assert erythrocyte["subject_label"] == "erythrocyte" and erythrocyte["object_label"] == "erythrocyte"
    assert erythrocyte["predicate_id"] == "skos:exactMatch" and erythrocyte["confidence"] == "0.95"
    assert "cl/releases/2026-03-26" in erythrocyte["object_source"]
    unverified = next(r for r in rows if r["object_id"] == "GO:0030220")
    assert unverified["object_label"] == "" and "no source" in unverified["comment"]


def test_cli_writes_it_to_stdout(hemokg_cli, generated: str) -> None:
    run = hemokg_cli("imports", "sssom", "-o", "-")
    assert run.code == 0 and run.out == generated
