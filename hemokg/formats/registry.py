"""Export in every format the ecosystem reads, from one registry (name -> writer, media type, extension).

Owns :data:`FORMATS` (which also feeds the CLI's ``--format`` choices: adding a format is one entry), :func:`export`
(behind ``KnowledgeGraph.export``), the CSV/TSV table of terms and :func:`release` (base and full products, with the
version IRI stamped). Every writer renders the whole output in memory first; files are then written atomically,
so a failed export leaves no partial file and an existing file untouched.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Store, Triple, serialize

from hemokg.errors import ExportError, ParameterError
from hemokg.vocab import ONTOLOGY_IRI, OWL, RDF, RELEASE_BASE, iri_to_curie

if TYPE_CHECKING:
    from hemokg.backends import GraphSource

__all__ = ["FORMATS", "Format", "Source", "export", "release", "stamp_version"]

log = logging.getLogger(__name__)
RDF_TYPE = RDF + "type"


class Source:
    """The graph being exported: its knowledge graph (anything with a backend) and, read once on first use, its
    quads."""

    def __init__(self, kg: GraphSource | None = None, quads: list[Quad] | None = None) -> None:
        if kg is None and quads is None:
            raise ExportError("nothing to export: give a knowledge graph or quads (Source(None) is an empty graph)")
        self.kg = kg
        if quads is not None:
            self.__dict__["quads"] = quads

    @cached_property
    def quads(self) -> list[Quad]:
        """Every quad of the graph (a remote graph comes through one CONSTRUCT, into the default graph)."""
        from hemokg.backends import all_quads

        return all_quads(self.kg.backend) if self.kg is not None else []

    @cached_property
    def triples(self) -> list[Triple]:
        """The graphs merged into one (formats without named graphs merge the relation graph in)."""
        return sorted({q.triple for q in self.quads}, key=str)


# --- writers -----------------------------------------------------------------------------------------------------
def _canonical_quads(source: Source, *, merge: bool) -> list[Quad]:
    from pyoxigraph import CanonicalizationAlgorithm, Dataset

    quads = (
        (Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in source.triples)
        if merge
        else iter(source.quads)
    )
    dataset = Dataset(quads)
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)  # blank-node labels from content: stable bytes
    return sorted(dataset, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))


def _turtle(source: Source) -> bytes:
    from hemokg.formats.turtle import canonical_turtle

    return canonical_turtle(source.triples).encode("utf-8")


def _ntriples(source: Source) -> bytes:
    return "".join(f"{q.triple} .\n" for q in _canonical_quads(source, merge=True)).encode("utf-8")


def _nquads(source: Source) -> bytes:
    return "".join(f"{q} .\n" for q in _canonical_quads(source, merge=False)).encode("utf-8")


def _rdfxml(source: Source) -> bytes:
    from hemokg.formats.turtle import WRITER_PREFIXES

    onto = NamedNode(ONTOLOGY_IRI)  # the ontology header first, as Protégé writes it
    triples = sorted((q.triple for q in _canonical_quads(source, merge=True)), key=lambda t: t.subject != onto)
    used = {
        p: iri
        for p, iri in WRITER_PREFIXES.items()
        if iri.endswith(("#", "/")) and p in ("owl", "rdf", "rdfs", "xsd", "skos", "oboInOwl", "dcterms", "obo")
    }
    return serialize(triples, format=RdfFormat.RDF_XML, prefixes=used) or b""


def _jsonld(source: Source, frame: str | None = None, jsonld10: bool = False) -> bytes:
    from hemokg.formats.jsonld import FRAMES, compact_jsonld, framed_terms

    if frame is None:
        return compact_jsonld(source.triples, jsonld10=jsonld10).encode("utf-8")
    if frame not in FRAMES:
        raise ParameterError(f"unknown JSON-LD frame {frame!r}; known: {', '.join(FRAMES)}")
    if jsonld10:
        raise ParameterError("the JSON-LD 1.0 form is of the compact document only, not of a frame (ids are CURIEs)")
    return framed_terms(source.triples).encode("utf-8")


def _model(source: Source) -> Any:
    from hemokg.formats.obo import describe
    from hemokg.formats.turtle import GraphView

    return describe(GraphView(source.triples))


def _obo(source: Source) -> bytes:
    from hemokg.formats.obo import obo_text

    return obo_text(_model(source)).encode("utf-8")


def _obographs(source: Source) -> bytes:
    from hemokg.formats.obo import obographs_json

    return obographs_json(_model(source)).encode("utf-8")


def _sssom(source: Source) -> bytes:
    from hemokg.formats.sssom import sssom_tsv

    if source.kg is None:
        raise ExportError("SSSOM export needs a knowledge graph, not bare quads")
    return sssom_tsv(source.kg).encode("utf-8")


TERM_COLUMNS = ("id", "label", "synonyms", "definition", "parents", "mappings")


def _term_rows(source: Source) -> list[list[str]]:
    rows = []
    for c in _model(source).classes:

        def curie(iri: str) -> str:
            return iri_to_curie(iri) or iri

        mappings = [f"{curie(p)} {curie(t)}" for p, t in c.mappings]
        rows.append(
            [
                curie(c.iri),
                c.label or "",
                "|".join(text for _, text, _ in c.synonyms),
                c.definition or "",
                "|".join(curie(p) for p in c.parents),
                "|".join(mappings),
            ]
        )
    return rows


def _csv(source: Source) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(TERM_COLUMNS)
    writer.writerows(_term_rows(source))
    return buf.getvalue().encode("utf-8")


def _tsv(source: Source) -> bytes:
    def clean(value: str) -> str:
        return re.sub(r"[\t\r\n]+", " ", value)

    lines = ["\t".join(TERM_COLUMNS)] + ["\t".join(clean(v) for v in row) for row in _term_rows(source)]
    return ("\n".join(lines) + "\n").encode("utf-8")


@dataclass(frozen=True)
class Format:
    """One export format: its writer, media type, file extension, and who reads it."""

    name: str
    writer: Callable[..., bytes]
    media_type: str
    extension: str
    description: str
    options: tuple[str, ...] = ()


#: Every export format, by the name the CLI uses (``hemokg export --format NAME``).
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("turtle", _turtle, "text/turtle", "ttl", "canonical Turtle (byte-stable, diff-friendly)"),
        Format("ntriples", _ntriples, "application/n-triples", "nt", "sorted N-Triples, canonical blank nodes"),
        Format("nquads", _nquads, "application/n-quads", "nq", "sorted N-Quads, named graphs kept apart"),
        Format("rdfxml", _rdfxml, "application/rdf+xml", "owl", "RDF/XML for Protégé, the OWL API and owlready2"),
        Format(
            "jsonld",
            _jsonld,
            "application/ld+json",
            "jsonld",
            "compact JSON-LD 1.1 (--frame term: per class; --jsonld10: a JSON-LD 1.0 context)",
            ("frame", "jsonld10"),
        ),
        Format("obo", _obo, "text/obo", "obo", "OBO 1.4 flat file for pronto, obonet, fastobo, goatools"),
        Format("obographs", _obographs, "application/json", "json", "OBO Graphs JSON for OAK and OLS"),
        Format("sssom", _sssom, "text/tab-separated-values", "sssom.tsv", "SSSOM mapping set"),
        Format("csv", _csv, "text/csv", "csv", "terms table: id, label, synonyms, definition, parents, mappings"),
        Format("tsv", _tsv, "text/tab-separated-values", "tsv", "terms table, tab-separated"),
    )
}


def _render(source: Source, format: str, options: dict[str, Any]) -> bytes:
    spec = FORMATS.get(format)
    if spec is None:
        raise ParameterError(f"unknown export format {format!r}; known: {', '.join(FORMATS)}")
    unknown = sorted(k for k, v in options.items() if k not in spec.options and v is not None)
    if unknown:
        raise ParameterError(f"export option {unknown[0]!r} does not apply to format {format!r}")
    return spec.writer(source, **{k: v for k, v in options.items() if v is not None})


def _write(path: str | Path, data: bytes) -> None:
    from hemokg.fileio import atomic_write

    try:
        atomic_write(Path(path), data)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}; nothing was written") from None


@overload
def export(kg: GraphSource | Source, format: str, path: None = None, **options: Any) -> bytes: ...
@overload
def export(kg: GraphSource | Source, format: str, path: str | Path, **options: Any) -> None: ...
def export(kg: GraphSource | Source, format: str, path: str | Path | None = None, **options: Any) -> bytes | None:
    """Render ``kg`` in ``format`` (see :data:`FORMATS`); the bytes when ``path`` is None, else write the file
    atomically. Options: ``frame="term"`` or ``jsonld10=True`` (for JSON-LD 1.0 processors) for ``jsonld``."""
    source = kg if isinstance(kg, Source) else Source(kg)
    data = _render(source, format, options)
    if path is None:
        return data
    _write(path, data)
    return None


# --- release -----------------------------------------------------------------------------------------------------
RELEASE_FORMATS = {
    "ttl": "turtle",
    "owl": "rdfxml",
    "json": "obographs",
    "jsonld": "jsonld",
    "obo": "obo",
    "nt": "ntriples",
}


def stamp_version(quads: list[Quad], version_iri: str, version_info: str) -> list[Quad]:
    """The quads with the ontology's ``owl:versionIRI`` and ``owl:versionInfo`` replaced by the given ones."""
    onto = NamedNode(ONTOLOGY_IRI)
    drop = {OWL + "versionIRI", OWL + "versionInfo"}
    out = [q for q in quads if not (q.subject == onto and q.predicate.value in drop)]
    if not any(q.subject == onto and q.predicate.value == RDF_TYPE for q in out):
        out.append(Quad(onto, NamedNode(RDF_TYPE), NamedNode(OWL + "Ontology"), DefaultGraph()))
    out.append(Quad(onto, NamedNode(OWL + "versionIRI"), NamedNode(version_iri), DefaultGraph()))
    out.append(Quad(onto, NamedNode(OWL + "versionInfo"), Literal(version_info), DefaultGraph()))
    return out


def release(
    out_dir: str | Path, *, version: str | None = None, ontology: str | Path | None = None, reasoner: str = "hermit"
) -> tuple[list[Path], list[str]]:
    """Write hemo-base.* (hemo's own axioms) and hemo-full.* (imports merged, reasoned) in every release format,
    each with its version IRI stamped. Returns the files written and notes for the user (e.g. no imports)."""
    from hemokg.graph.store import load_nquads
    from hemokg.resources import imports_dir
    from hemokg.vocab import GRAPH_RELATION

    date = version or dt.datetime.now(dt.timezone.utc).date().isoformat()
    try:
        dt.date.fromisoformat(date)
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
            raise ValueError(date)
    except ValueError:
        raise ParameterError(f"release version {date!r} is not a date YYYY-MM-DD (e.g. --version 2026-11-25)") from None
    notes: list[str] = []
    with_imports = any(imports_dir().glob("*.ttl")) and ontology is None
    if ontology is not None:
        notes.append(f"releasing {ontology}: hemo-full is its reasoned graph, without imports")
    elif not with_imports:
        notes.append(f"no import modules in {imports_dir()}: hemo-full is the reasoned hemo without imports")
    graphs = {
        "base": load_nquads(ontology, reasoned=False),
        "full": load_nquads(ontology, reasoned=True, imports=with_imports, reasoner=reasoner),
    }
    products: dict[Path, bytes] = {}
    for kind, nquads in graphs.items():
        store = Store()
        store.bulk_load(nquads, format=RdfFormat.N_QUADS)
        quads = [q for q in store if not (isinstance(q.graph_name, NamedNode) and q.graph_name.value == GRAPH_RELATION)]
        name = f"hemo-{kind}"
        source = Source(None, stamp_version(quads, f"{RELEASE_BASE}{date}/{name}.owl", date))
        for ext, fmt in RELEASE_FORMATS.items():
            products[Path(out_dir) / f"{name}.{ext}"] = _render(source, fmt, {})
    # everything rendered first (a failure above writes nothing); then every file goes to a temporary sibling and
    # only once all are written are they renamed into place: a failure midway leaves every previous file as it was
    from hemokg.fileio import replace_all

    try:
        Path(out_dir).mkdir(exist_ok=True)
        replace_all(products)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise ExportError(
            f"cannot write the release into {out_dir}: {exc.strerror or exc}{where}; the previous files are untouched"
        ) from None
    return list(products), notes
