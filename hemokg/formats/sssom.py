"""hemo's mappings to CL, GO, Uberon, MONDO, HsapDv and HP as an SSSOM mapping set, generated from the graph.

The one truth is ``hemo.ttl`` (its ``skos:*Match`` triples); ``ontology/mappings/hemo.sssom.tsv`` is generated from it
by :func:`write_sssom` and a test keeps the two in step. Object labels and source versions come from the graph when it
holds the import modules, else from the shipped modules themselves.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from hemokg.vocab import HEMO_BASE, ONTOLOGY_IRI, PREFIXES, iri_to_curie

if TYPE_CHECKING:
    from hemokg.backends import GraphSource

__all__ = ["COLUMNS", "CONFIDENCE", "mapping_rows", "sssom_tsv", "write_sssom"]

#: The SSSOM columns written, in the specification's order.
COLUMNS = (
    "subject_id",
    "subject_label",
    "predicate_id",
    "object_id",
    "object_label",
    "mapping_justification",
    "object_source",
    "object_source_version",
    "confidence",
    "comment",
)
#: Confidence by predicate: hand-curated mappings, graded by how much the two meanings coincide.
CONFIDENCE = {"skos:exactMatch": "0.95", "skos:closeMatch": "0.8", "skos:broadMatch": "0.8", "skos:narrowMatch": "0.8"}
_SET_ID = HEMO_BASE + "mappings/hemo.sssom.tsv"
_QUERY = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?s ?slabel ?p ?o ?version ?info ?modified ?license WHERE {
  VALUES ?p { skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch }
  ?s ?p ?o .
  FILTER(STRSTARTS(STR(?s), "https://w3id.org/hemokg/HEMO_") && isIRI(?o))
  OPTIONAL { ?s rdfs:label ?slabel }
  OPTIONAL { <https://w3id.org/hemokg/hemo.owl> owl:versionIRI ?version }
  OPTIONAL { <https://w3id.org/hemokg/hemo.owl> owl:versionInfo ?info }
  OPTIONAL { <https://w3id.org/hemokg/hemo.owl> dcterms:modified ?modified }
  OPTIONAL { <https://w3id.org/hemokg/hemo.owl> dcterms:license ?license }
}
"""


def _module_info() -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """Labels of every term in the shipped import modules, and each CURIE prefix's source (version IRI, version)."""
    from pyoxigraph import RdfFormat, Store

    from hemokg.links.imports import MODULES
    from hemokg.resources import imports_dir
    from hemokg.sparql.results import bound_value, solutions

    labels: dict[str, str] = {}
    sources: dict[str, tuple[str, str]] = {}
    for path in sorted(imports_dir().glob("*.ttl")):
        store = Store()
        store.bulk_load(path.read_bytes(), format=RdfFormat.TURTLE)
        prefix = MODULES.get(path.stem)
        for row in solutions(
            store.query(
                "PREFIX owl: <http://www.w3.org/2002/07/owl#> SELECT ?v ?i WHERE { "
                "?m a owl:Ontology ; owl:versionIRI ?v ; owl:versionInfo ?i }"
            )
        ):
            if prefix:
                sources[prefix] = (bound_value(row[0]), bound_value(row[1]))
        for row in solutions(
            store.query(
                "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?t ?l WHERE { "
                "?t rdfs:label ?l . FILTER(isIRI(?t)) } ORDER BY ?t ?l"
            )
        ):
            labels.setdefault(bound_value(row[0]), bound_value(row[1]))
    return labels, sources


def mapping_rows(kg: GraphSource) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The mapping set's metadata and one row per mapping (SSSOM column -> value), sorted."""
    labels, sources = _module_info()
    rows: list[dict[str, str]] = []
    meta: dict[str, str] = {}
    for r in kg.backend.execute(_QUERY):
        s, slabel, p, o = r[0].value, r[1], r[2].value, r[3].value
        for key, term in (
            ("subject_source_version", r[4]),
            ("mapping_set_version", r[5]),
            ("mapping_date", r[6]),
            ("license", r[7]),
        ):
            if term is not None:
                meta[key] = term.value
        predicate = iri_to_curie(p) or p
        object_id = iri_to_curie(o) or o
        prefix = object_id.partition(":")[0]
        source, version = sources.get(prefix, ("", ""))
        label = labels.get(o, "")
        rows.append(
            {
                "subject_id": iri_to_curie(s) or s,
                "subject_label": slabel.value if slabel else "",
                "predicate_id": predicate,
                "object_id": object_id,
                "object_label": label,
                "mapping_justification": "semapv:ManualMappingCuration",
                "object_source": source,
                "object_source_version": version,
                "confidence": CONFIDENCE.get(predicate, "0.8"),
                "comment": "" if label else "object not in the shipped import modules (no source to check)",
            }
        )
    unique = {tuple(row.values()): row for row in rows}
    return meta, sorted(unique.values(), key=lambda row: (row["subject_id"], row["predicate_id"], row["object_id"]))


def _cell(value: str) -> str:
    return value.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def sssom_tsv(kg: GraphSource) -> str:
    """The SSSOM TSV (YAML metadata block, then the table) of hemo's skos mappings in ``kg`` (the shipped file is
    made from the asserted ontology, ``hemokg.load(reasoned=False)``)."""
    meta, rows = mapping_rows(kg)
    used = {"HEMO", "semapv", "skos", "owl", "rdfs"} | {
        row[c].partition(":")[0] for row in rows for c in ("object_id", "predicate_id")
    }
    version = json.dumps(str(meta.get("mapping_set_version", "unknown")))  # quoted: a string, never a YAML date
    lines = ["# curie_map:"] + [f"#   {p}: {PREFIXES[p]}" for p in sorted(used, key=str.lower) if p in PREFIXES]
    lines += [
        f"# mapping_set_id: {_SET_ID}",
        f"# mapping_set_version: {version}",
        "# mapping_set_title: hemo mappings to CL, GO, Uberon, MONDO, HsapDv and HP",
        "# mapping_set_description: Generated from ontology/hemo.ttl (skos mappings) by hemokg; do not edit.",
        f"# license: {meta.get('license', 'https://creativecommons.org/licenses/by/4.0/')}",
        f"# subject_source: {ONTOLOGY_IRI}",
    ]
    if "subject_source_version" in meta:
        lines.append(f"# subject_source_version: {meta['subject_source_version']}")
    if "mapping_date" in meta:
        lines.append(f"# mapping_date: {meta['mapping_date'][:10]}")
    lines.append("\t".join(COLUMNS))
    lines += ["\t".join(_cell(row[c]) for c in COLUMNS) for row in rows]
    return "\n".join(lines) + "\n"


def write_sssom(kg: GraphSource, path: str | Path | None = None) -> Path:
    """Write the SSSOM file of ``kg`` (default ``ontology/mappings/hemo.sssom.tsv``) atomically; returns its path."""
    from hemokg.fileio import atomic_write
    from hemokg.resources import mappings_dir

    target = Path(path) if path is not None else mappings_dir() / "hemo.sssom.tsv"
    data = sssom_tsv(kg).encode("utf-8")
    try:
        atomic_write(target, data)
    except OSError as exc:
        from hemokg.errors import ExportError

        raise ExportError(f"cannot write {target}: {exc.strerror or exc}; nothing was written") from None
    return target
