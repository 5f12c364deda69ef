"""``python -m benchmarks.annotate``: map real dataset cell-type labels to CL with hemokg and its peers, side by side.

Every tool answers each label of ``benchmarks/annotate/labels.tsv`` (or ``--labels FILE``, e.g. a held-out set) with
one CL CURIE or nothing (an abstention). A row is *right* when the answer is one of the row's ``accepted`` CURIEs, or
when the tool abstains on a row whose ``accepted`` is ``abstain``; a CL answer on an abstain row, or a CURIE outside
``accepted``, is *wrong*; no answer on a row that has accepted CURIEs is *abstained*.

Peers (all offline): OAK ``annotate_text`` and ``lexmatch`` through its ``pronto:`` adapter, text2term (TF-IDF,
its default score floor), gilda (a ``Grounder`` built from the CL terms, nothing downloaded) and plain exact
label/synonym matching. Every peer reads the SAME file: CL's edit file shipped in ``ontology/sources/`` (OWL
functional syntax) converted by py-horned-owl to RDF/XML with its ``owl:imports`` removed (so no tool follows them
to the web). hemokg answers through ``hemokg.load().annotate(labels)`` and its shipped CL import module, which is
built from that same edit file. Each tool runs in its own child process, with sockets to anything but loopback
refused (an attempt is reported, not retried) and the usual offline variables set.

Speed: each tool also annotates the categorical ``obs`` column of a generated 1,000,000-cell AnnData (reading the
file is timed apart) and 10,000 distinct labels; times are reported as ratios.

The result goes to ``benchmarks/annotate/last-run.json`` and, as the section "Annotating dataset labels", into
``docs/benchmarks.md`` (``python -m benchmarks`` renders the same section from its own run).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import hashlib
import json
import logging
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.common import REPO

__all__ = ["ABSTAIN", "TOOLS", "LabelRow", "cl_release", "load_labels", "main", "render_section", "run", "score"]

ABSTAIN = "abstain"
LABELS = REPO / "benchmarks" / "annotate" / "labels.tsv"
CL_EDIT = REPO / "ontology" / "sources" / "cl-edit-v2026-03-26.owl"
LAST = REPO / "benchmarks" / "annotate" / "last-run.json"
REPORT = REPO / "docs" / "benchmarks.md"
HEADING = "## Annotating dataset labels"
CL_IRI = "http://purl.obolibrary.org/obo/CL_"
HEADER = ["label", "source", "accepted", "note"]
_CURIE = re.compile(r"^CL:\d{7}$")
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "NLTK_DATA": "",
    "PYSTOW_HOME": "",
    "no_proxy": "*",
    "NO_PROXY": "*",
}
CELLS = 1_000_000
SLOW = 60.0  # seconds for the label set past which a tool's speed is extrapolated, not re-run
DISTINCT = 10_000
Answer = str | None
Annotator = Callable[[list[str]], list[Answer]]


# --- the label set and the score --------------------------------------------------------------------------------
@dataclass(frozen=True)
class LabelRow:
    """One label with the CL CURIEs a curator accepts for it (``None``: the right answer is to abstain)."""

    label: str
    source: str
    accepted: frozenset[str] | None
    note: str

    @property
    def abstain(self) -> bool:
        """Whether the right answer is no CL term at all."""
        return self.accepted is None


def load_labels(path: str | Path = LABELS) -> list[LabelRow]:
    """Read a label file (TSV: label, source, accepted, note); a malformed row raises ValueError naming file:line."""
    path = Path(path)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or rows[0] != HEADER:
        raise ValueError(f"{path}:1: header must be {' / '.join(HEADER)} (tab-separated), found {rows[:1]}")
    out: list[LabelRow] = []
    seen: set[str] = set()
    for number, row in enumerate(rows[1:], start=2):
        where = f"{path.name}:{number}"
        if len(row) != len(HEADER):
            raise ValueError(f"{where}: {len(row)} fields, expected {len(HEADER)}")
        label, source, accepted, note = row
        if not label or not source:
            raise ValueError(f"{where}: the label and its source must not be empty")
        if label.casefold() in seen:
            raise ValueError(f"{where}: label {label!r} appears twice")
        seen.add(label.casefold())
        if accepted == ABSTAIN:
            out.append(LabelRow(label, source, None, note))
            continue
        curies = accepted.split("|")
        bad = [c for c in curies if not _CURIE.match(c)]
        if bad or not curies:
            raise ValueError(f"{where}: accepted must be CL CURIEs separated by | or {ABSTAIN!r}, found {bad}")
        out.append(LabelRow(label, source, frozenset(curies), note))
    if not out:
        raise ValueError(f"{path}: no labels")
    return out


def score(rows: Sequence[LabelRow], answers: Sequence[Answer]) -> dict[str, int]:
    """Right / wrong / abstained counts of one tool's answers (one per row, ``None`` = abstained)."""
    if len(answers) != len(rows):
        raise ValueError(f"{len(answers)} answers for {len(rows)} labels")
    counts = {"right": 0, "wrong": 0, "abstained": 0}
    for row, answer in zip(rows, answers, strict=True):
        if row.accepted is None:
            counts["right" if answer is None else "wrong"] += 1
        elif answer is None:
            counts["abstained"] += 1
        else:
            counts["right" if answer in row.accepted else "wrong"] += 1
    return counts


# --- the shared CL release file ---------------------------------------------------------------------------------
def cl_release(cache: Path, source: Path = CL_EDIT) -> Path:
    """CL's edit file as RDF/XML (py-horned-owl), its ``owl:imports`` removed: the one file every peer reads."""
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:12]
    out = cache / f"{source.stem}-{digest}.rdf.owl"
    if out.exists():
        return out
    import pyhornedowl
    from pyhornedowl.model import IRI, Class, DeclareClass, DeclareObjectProperty, ObjectProperty

    cache.mkdir(parents=True, exist_ok=True)
    ontology = pyhornedowl.open_ontology_from_file(str(source), "ofn")
    # The imports declare the classes and relations CL's axioms borrow (UBERON:0000061, RO:0002216, GO and PR
    # terms); without them pronto's reader fails on the first one, so they are declared here. A declaration adds no
    # label, synonym or axiom.
    properties: set[str] = set()
    classes: set[str] = set()
    for axiom in ontology.get_axioms():
        text = str(axiom.component)
        if not text.startswith(("SubClassOf(", "EquivalentClasses(", "DisjointClasses(")):
            continue
        found = set(re.findall(r"Object(?:Some|All)ValuesFrom\(<([^>]+)>", text))
        properties |= found
        classes |= set(re.findall(r"<(http://purl\.obolibrary\.org/obo/[A-Za-z]+_[^>]+)>", text)) - found
    for iri in sorted(properties - {str(p) for p in ontology.get_object_properties()}):
        ontology.add_axiom(DeclareObjectProperty(ObjectProperty(IRI.parse(iri))))
    for iri in sorted(classes - properties - {str(c) for c in ontology.get_classes()}):
        ontology.add_axiom(DeclareClass(Class(IRI.parse(iri))))
    raw = cache / f".{out.name}.raw"
    ontology.save_to_file(str(raw), "owl")
    text = re.sub(r"\s*<owl:imports rdf:resource=\"[^\"]*\"\s*/>", "", raw.read_text(encoding="utf-8"))
    raw.unlink()
    tmp = out.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    return out


@dataclass
class ClTerm:
    """A CL class as the release file has it."""

    curie: str
    label: str | None
    synonyms: list[tuple[str, str]]  # (scope, text)
    deprecated: bool


def read_cl_terms(path: Path) -> dict[str, ClTerm]:
    """The CL classes of the release file (pyoxigraph), obsolete ones included (marked)."""
    import pyoxigraph

    oio = "http://www.geneontology.org/formats/oboInOwl#has"
    scopes = {f"{oio}{s.capitalize()}Synonym": s for s in ("exact", "related", "broad", "narrow")}
    label_p = "http://www.w3.org/2000/01/rdf-schema#label"
    deprecated_p = "http://www.w3.org/2002/07/owl#deprecated"
    terms: dict[str, ClTerm] = {}
    with path.open("rb") as handle:
        for quad in pyoxigraph.parse(handle, format=pyoxigraph.RdfFormat.RDF_XML):
            subject = quad.subject
            if not isinstance(subject, pyoxigraph.NamedNode) or not subject.value.startswith(CL_IRI):
                continue
            curie = "CL:" + subject.value[len(CL_IRI) :]
            term = terms.setdefault(curie, ClTerm(curie, None, [], False))
            predicate, value = quad.predicate.value, getattr(quad.object, "value", "")
            if predicate == label_p:
                term.label = value
            elif predicate in scopes:
                term.synonyms.append((scopes[predicate], value))
            elif predicate == deprecated_p and value == "true":
                term.deprecated = True
    return {c: t for c, t in terms.items() if t.label}


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


# --- the contenders (each built inside its child process) --------------------------------------------------------
class NotAvailable(Exception):
    """The tool cannot run here (not installed, or hemokg has no annotate yet); the message says why."""


def _curie(iri_or_curie: str) -> Answer:
    if iri_or_curie.startswith(CL_IRI):
        return "CL:" + iri_or_curie[len(CL_IRI) :]
    return iri_or_curie if iri_or_curie.startswith("CL:") else None


def build_exact(cl: Path) -> Annotator:
    """Plain exact matching: case and whitespace folded, the label first, then exact synonyms; ambiguity abstains."""
    by_label: dict[str, set[str]] = {}
    by_synonym: dict[str, set[str]] = {}
    for term in read_cl_terms(cl).values():
        if term.deprecated:
            continue
        by_label.setdefault(_fold(term.label or ""), set()).add(term.curie)
        for scope, text in term.synonyms:
            if scope == "exact":
                by_synonym.setdefault(_fold(text), set()).add(term.curie)

    def annotate(labels: list[str]) -> list[Answer]:
        out: list[Answer] = []
        for label in labels:
            key = _fold(label)
            hits = by_label.get(key) or by_synonym.get(key) or set()
            out.append(next(iter(hits)) if len(hits) == 1 else None)
        return out

    return annotate


def build_gilda(cl: Path) -> Annotator:
    """gilda's ``Grounder`` over the CL terms (names and every synonym), default scoring; the top match or none."""
    from gilda import Grounder, Term
    from gilda.process import normalize

    terms = []
    for term in read_cl_terms(cl).values():
        if term.deprecated or not term.label:
            continue
        terms.append(Term(normalize(term.label), term.label, "CL", term.curie, term.label, "name", "cl"))
        for _, text in term.synonyms:
            terms.append(Term(normalize(text), text, "CL", term.curie, term.label, "synonym", "cl"))
    grounder = Grounder(terms)

    def annotate(labels: list[str]) -> list[Answer]:
        out: list[Answer] = []
        for label in labels:
            matches = grounder.ground(label)
            out.append(_curie(matches[0].term.id) if matches else None)
        return out

    return annotate


def build_text2term(cl: Path) -> Annotator:
    """text2term's TF-IDF mapper, its default score floor, CL classes only, no obsolete ones; CL cached once."""
    import text2term

    cache = tempfile.mkdtemp(prefix="hemokg-text2term-")
    text2term.cache_ontology(str(cl), "CL", base_iris=(CL_IRI,), cache_folder=cache)  # parsed once (owlready2)

    def annotate(labels: list[str]) -> list[Answer]:
        frame = text2term.map_terms(
            source_terms=labels,
            target_ontology="CL",
            use_cache=True,
            cache_folder=cache,
            mapper=text2term.Mapper.TFIDF,
            base_iris=(CL_IRI,),
            excl_deprecated=True,
            max_mappings=1,
        )
        best: dict[str, tuple[float, Answer]] = {}
        for source, iri, value in zip(
            frame["Source Term"], frame["Mapped Term IRI"], frame["Mapping Score"], strict=True
        ):
            if source not in best or float(value) > best[source][0]:
                best[source] = (float(value), _curie(str(iri)))
        return [best[label][1] if label in best else None for label in labels]

    return annotate


def _oak_adapter(cl: Path) -> Any:
    from oaklib import get_adapter

    return get_adapter(f"pronto:{cl}")


def build_oak_annotate(cl: Path) -> Annotator:
    """OAK's ``annotate_text`` (default configuration) on the pronto adapter; the widest CL match wins."""
    adapter = _oak_adapter(cl)
    list(adapter.annotate_text("cell"))  # builds OAK's lexical index now, so it counts as loading

    def annotate(labels: list[str]) -> list[Answer]:
        out: list[Answer] = []
        for label in labels:
            best: tuple[int, Answer] = (0, None)
            for ann in adapter.annotate_text(label):
                curie = _curie(ann.object_id or "")
                width = (ann.subject_end or 0) - (ann.subject_start or 0) + 1
                if curie and width > best[0]:
                    best = (width, curie)
            out.append(best[1])
        return out

    return annotate


def build_oak_annotate_whole(cl: Path) -> Annotator:
    """OAK's ``annotate_text`` with ``matches_whole_text`` (``runoak annotate --matches-whole-text``): label, then
    synonyms, case-insensitive, through the adapter's search; the first CL hit."""
    from oaklib.datamodels.text_annotator import TextAnnotationConfiguration

    adapter = _oak_adapter(cl)
    config = TextAnnotationConfiguration(matches_whole_text=True)
    list(adapter.annotate_text("cell", configuration=config))

    def annotate(labels: list[str]) -> list[Answer]:
        out: list[Answer] = []
        for label in labels:
            hits = (_curie(ann.object_id or "") for ann in adapter.annotate_text(label, configuration=config))
            out.append(next((h for h in hits if h), None))
        return out

    return annotate


def build_oak_lexmatch(cl: Path) -> Annotator:
    """OAK ``lexmatch``: the labels as a small OBO ontology, lexically matched to CL with OAK's default rules."""
    from oaklib import get_adapter
    from oaklib.implementations.aggregator.aggregator_implementation import AggregatorImplementation
    from oaklib.utilities.lexical.lexical_indexer import create_lexical_index, lexical_index_to_sssom

    cl_adapter = _oak_adapter(cl)
    scratch = Path(tempfile.mkdtemp(prefix="hemokg-lexmatch-"))

    def annotate(labels: list[str]) -> list[Answer]:
        obo = scratch / "labels.obo"
        ids = [f"LBL:{i:07d}" for i in range(len(labels))]
        stanzas = ["format-version: 1.2\nontology: lbl\n"]
        stanzas += [f"[Term]\nid: {i}\nname: {_obo_escape(label)}\n" for i, label in zip(ids, labels, strict=True)]
        obo.write_text("\n".join(stanzas), encoding="utf-8")
        both = AggregatorImplementation(implementations=[get_adapter(f"simpleobo:{obo}"), cl_adapter])
        index = create_lexical_index(both)
        frame = lexical_index_to_sssom(both, index).df  # every pair; the label-to-CL ones are kept below
        best: dict[str, tuple[float, Answer]] = {}
        if frame.empty:
            return [None] * len(labels)
        confidences = frame["confidence"] if "confidence" in frame else [0.0] * len(frame)
        for subject, obj, value in zip(frame["subject_id"], frame["object_id"], confidences, strict=True):
            if not subject.startswith("LBL:"):
                subject, obj = obj, subject
            curie = _curie(obj)
            if not subject.startswith("LBL:") or curie is None:
                continue
            confidence = float(value or 0.0)
            if subject not in best or confidence > best[subject][0]:
                best[subject] = (confidence, curie)
        return [best[i][1] if i in best else None for i in ids]

    return annotate


def _obo_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", " ")


def build_hemokg(cl: Path) -> Annotator:
    """``hemokg.load().annotate(labels)``, each result's ``cl_id`` (None = abstained)."""
    import hemokg

    kg = hemokg.load()
    engine: Any = getattr(kg, "annotate", None)
    if not callable(engine):
        raise NotAvailable("KnowledgeGraph has no annotate() at this commit")
    list(engine(["NK cell"]))  # loads whatever annotate needs, so it counts as loading

    def annotate(labels: list[str]) -> list[Answer]:
        return [result.cl_id for result in engine(labels)]

    return annotate


@dataclass(frozen=True)
class Tool:
    """A contender: its name in the table, how it is called, its builder and the distributions it needs."""

    name: str
    method: str
    build: Callable[[Path], Annotator]
    needs: tuple[str, ...]


TOOLS: dict[str, Tool] = {
    t.name: t
    for t in (
        Tool("hemokg", "`hemokg.load().annotate(labels)`, `.cl_id`", build_hemokg, ("hemokg",)),
        Tool(
            "OAK annotate",
            "`annotate_text` on `pronto:` (default config), widest CL match",
            build_oak_annotate,
            ("oaklib", "pronto"),
        ),
        Tool(
            "OAK annotate, whole label",
            "`annotate_text` with `matches_whole_text` on `pronto:`, first CL hit",
            build_oak_annotate_whole,
            ("oaklib", "pronto"),
        ),
        Tool(
            "OAK lexmatch",
            "`lexmatch` (default rules): labels as OBO vs CL, best confidence",
            build_oak_lexmatch,
            ("oaklib", "pronto"),
        ),
        Tool(
            "text2term",
            "`map_terms` TF-IDF, default `min_score`, CL IRIs, no obsolete",
            build_text2term,
            ("text2term",),
        ),
        Tool("gilda", "`Grounder` built from the CL names and synonyms, top match", build_gilda, ("gilda",)),
        Tool("exact", "label or exact synonym, case/space folded (pyoxigraph)", build_exact, ("pyoxigraph",)),
    )
}


# --- no network in a child ---------------------------------------------------------------------------------------
@contextmanager
def no_network(attempts: list[str]) -> Iterator[None]:
    """Refuse every socket connection and name lookup that is not loopback or a local socket; record the attempts."""
    real_connect, real_connect_ex, real_getaddrinfo = (
        socket.socket.connect,
        socket.socket.connect_ex,
        socket.getaddrinfo,
    )

    def local(address: Any) -> bool:
        if isinstance(address, (str, bytes)):
            return True  # AF_UNIX
        host = str(address[0]) if isinstance(address, tuple) and address else ""
        return host in ("localhost", "::1") or host.startswith("127.")

    def refuse(what: str) -> OSError:
        attempts.append(what)
        return OSError(f"network access refused by the benchmark: {what}")

    def connect(self: socket.socket, address: Any) -> None:
        if not local(address):
            raise refuse(f"connect {address!r}")
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if not local(address):
            raise refuse(f"connect {address!r}")
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in (None, "localhost", "::1") and not str(host).startswith("127."):
            raise refuse(f"resolve {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    setattr(socket.socket, "connect", connect)  # noqa: B010 (mypy refuses assigning to a method)
    setattr(socket.socket, "connect_ex", connect_ex)  # noqa: B010
    socket.getaddrinfo = getaddrinfo
    try:
        yield
    finally:
        setattr(socket.socket, "connect", real_connect)  # noqa: B010
        setattr(socket.socket, "connect_ex", real_connect_ex)  # noqa: B010
        socket.getaddrinfo = real_getaddrinfo


# --- one tool in one child process ------------------------------------------------------------------------------
def distinct_labels(rows: Sequence[LabelRow], n: int = DISTINCT) -> list[str]:
    """``n`` distinct label-like strings: the real labels, then cluster-suffixed variants of them (``CD8 TEM_3``)."""
    base = [row.label for row in rows]
    out = list(base[:n])
    seps = ("_", " ", "-", ".")
    k = 1
    while len(out) < n:
        out.extend(f"{label}{seps[k % len(seps)]}{k}" for label in base[: n - len(out)])
        k += 1
    assert len(set(out)) == len(out)
    return out


def _median_time(fn: Callable[[], object], repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def child(tool_name: str, cl: Path, labels: Path, h5ad: Path | None, budget: float) -> dict[str, Any]:
    """Build one tool, answer the label set, then time the AnnData column and the 10,000 labels."""
    os.environ.update(OFFLINE_ENV)
    os.environ["PYSTOW_HOME"] = tempfile.mkdtemp(prefix="hemokg-bench-pystow-")
    tool = TOOLS[tool_name]
    rows = load_labels(labels)
    attempts: list[str] = []
    out: dict[str, Any] = {"tool": tool.name, "method": tool.method, "versions": _versions(tool.needs)}
    with no_network(attempts):
        try:
            start = time.perf_counter()
            annotate = tool.build(cl)
            out["load_s"] = time.perf_counter() - start
        except NotAvailable as exc:
            return {**out, "unavailable": str(exc), "network_attempts": attempts}
        except ImportError as exc:
            return {**out, "unavailable": f"not installed ({exc})", "network_attempts": attempts}
        texts = [row.label for row in rows]
        first = time.perf_counter()
        answers = annotate(texts)
        once = time.perf_counter() - first
        out["seconds"] = _median_time(lambda: annotate(texts), 2)[0] if once < 5 else once
        out["answers"] = answers
        out.update(score(rows, answers))
        if once > SLOW:  # minutes per run: extrapolated from the label set (the AnnData has the same categories)
            if h5ad is not None:
                out["anndata"] = {"read_s": None, "seconds": once, "estimated": True, "how": "est. from the set"}
            out["distinct"] = {"seconds": once * DISTINCT / len(rows), "estimated": True}
        else:
            if h5ad is not None:
                out["anndata"] = _time_anndata(tool.name, annotate, h5ad)
            out["distinct"] = _time_distinct(annotate, rows, budget)
    out["network_attempts"] = attempts
    return out


def _time_anndata(tool_name: str, annotate: Annotator, h5ad: Path) -> dict[str, Any]:
    """Read the 1,000,000-cell file, then give every cell a CL ID column (``unknown`` where abstained)."""
    import anndata
    import numpy as np
    import pandas as pd

    start = time.perf_counter()
    adata = anndata.read_h5ad(h5ad)
    read_s = time.perf_counter() - start
    column = adata.obs["cell_type"]
    if tool_name == "hemokg":
        import hemokg

        if callable(getattr(hemokg, "annotate_anndata", None)):
            start = time.perf_counter()
            hemokg.annotate_anndata(adata, "cell_type")
            return {"read_s": read_s, "seconds": time.perf_counter() - start, "how": "hemokg.annotate_anndata"}

    def per_cell() -> Any:
        ids = annotate([str(c) for c in column.cat.categories])
        values = np.array([i or "unknown" for i in ids], dtype=object)
        uniques, inverse = np.unique(values, return_inverse=True)
        return pd.Categorical.from_codes(inverse[column.cat.codes.to_numpy()], categories=uniques)

    start = time.perf_counter()
    result = per_cell()
    seconds = time.perf_counter() - start
    assert len(result) == adata.n_obs
    return {"read_s": read_s, "seconds": seconds, "how": "the distinct categories, then codes → IDs"}


def _time_distinct(annotate: Annotator, rows: Sequence[LabelRow], budget: float) -> dict[str, Any]:
    """10,000 distinct labels; a tool that would take longer than ``budget`` is timed on 200 and extrapolated."""
    labels = distinct_labels(rows)
    start = time.perf_counter()
    annotate(labels[:200])
    probe = time.perf_counter() - start
    if probe * DISTINCT / 200 > budget:
        return {"seconds": probe * DISTINCT / 200, "estimated": True}
    start = time.perf_counter()
    answers = annotate(labels)
    assert len(answers) == len(labels)
    return {"seconds": time.perf_counter() - start, "estimated": False}


def _versions(names: Sequence[str]) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in names:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


# --- the parent: one child per tool, then the report -------------------------------------------------------------
def make_h5ad(rows: Sequence[LabelRow], path: Path, cells: int = CELLS) -> Path:
    """A real AnnData file: ``cells`` cells whose categorical ``obs['cell_type']`` draws from the label set."""
    import anndata
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    categories = [row.label for row in rows]
    codes = rng.integers(0, len(categories), cells)
    obs = pd.DataFrame(
        {"cell_type": pd.Categorical.from_codes(codes, categories=categories)},
        index=pd.Index([f"cell{i}" for i in range(cells)]),
    )
    anndata.AnnData(obs=obs).write_h5ad(path)
    return path


def run(
    sizes: object = None,
    *,
    labels: Path = LABELS,
    tools: Sequence[str] = tuple(TOOLS),
    cache: Path | None = None,
    with_anndata: bool = True,
    timeout: float = 3600.0,
    budget: float = 600.0,
) -> dict[str, Any]:
    """Every tool in its own child process; the scores, times and ratios (``sizes``: for ``python -m benchmarks``)."""
    if getattr(sizes, "name", None) == "quick":  # a smoke run: the light tools only, no million cells
        tools, with_anndata, budget = [t for t in tools if t in ("hemokg", "exact", "gilda")], False, 30.0
    cache = cache or Path(tempfile.gettempdir()) / "hemokg-bench-annotate"
    cache.mkdir(parents=True, exist_ok=True)
    cl = cl_release(cache)
    rows = load_labels(labels)
    h5ad = None
    if with_anndata:
        h5ad = cache / f"cells-{CELLS}-{hashlib.sha256(labels.read_bytes()).hexdigest()[:12]}.h5ad"
        if not h5ad.exists():
            logging.info("writing a %d-cell AnnData", CELLS)
            make_h5ad(rows, h5ad)
    results = []
    for name in tools:
        logging.info("annotate benchmark: %s", name)
        slug = re.sub(r"\W+", "-", name)
        out_file = cache / f"result-{slug}.json"
        out_file.unlink(missing_ok=True)
        command = [
            sys.executable,
            "-m",
            "benchmarks.annotate",
            "--child",
            name,
            "--cl",
            str(cl),
            "--labels",
            str(labels),
            "--child-out",
            str(out_file),
            "--budget",
            str(budget),
        ]
        if h5ad is not None:
            command += ["--h5ad", str(h5ad)]
        path = os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])
        env = {**os.environ, **OFFLINE_ENV, "PYTHONPATH": path}
        try:
            proc = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            results.append({"tool": name, "method": TOOLS[name].method, "error": f"timed out after {timeout:.0f} s"})
            continue
        if proc.returncode != 0 or not out_file.exists():
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            results.append(
                {"tool": name, "method": TOOLS[name].method, "error": f"exit {proc.returncode}: {tail[0][:300]}"}
            )
            continue
        results.append(json.loads(out_file.read_text(encoding="utf-8")))
    return {
        "labels": str(labels.relative_to(REPO)) if labels.is_relative_to(REPO) else str(labels),
        "rows": len(rows),
        "abstain_rows": sum(r.abstain for r in rows),
        "cl_file": CL_EDIT.name,
        "commit": _commit(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cells": CELLS if with_anndata else None,
        "distinct": DISTINCT,
        "results": results,
        "label_rows": [
            {"label": r.label, "accepted": None if r.accepted is None else sorted(r.accepted)} for r in rows
        ],
    }


def _commit() -> str:
    proc = subprocess.run(["git", "log", "-1", "--format=%h %cs"], cwd=REPO, capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "hemokg", "ontology"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    return (proc.stdout.strip() or "unknown") + (" (+ uncommitted changes)" if dirty else "")


# --- the Markdown section ---------------------------------------------------------------------------------------
def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}" if whole else "–"


def render_section(result: dict[str, Any]) -> str:
    """The "Annotating dataset labels" section of ``docs/benchmarks.md``."""
    n = result["rows"]
    out = [
        f"{HEADING}\n",
        f"`python -m benchmarks.annotate` on {result['date']}, hemokg at commit `{result['commit']}`. "
        f"{n} real labels from public datasets and tools (`{result['labels']}`, "
        f"{result['abstain_rows']} of them must be abstained on; sources in `benchmarks/annotate/README.md`). "
        "Right: the answer is one of the row's accepted CL terms, or an abstention where abstaining is right; "
        "wrong: any other CL answer (a CL answer on an abstain row included); abstained: no answer where one "
        f"was expected. Every peer reads one file: `ontology/sources/{result['cl_file']}` converted by "
        "py-horned-owl to RDF/XML (imports removed); each tool ran in its own process with the network "
        "refused. Seconds: answering the whole set once loaded; load: building the tool (parsing CL, "
        "indexing).\n",
    ]
    rows, times = [], []
    base = next((r for r in result["results"] if r["tool"] == "hemokg" and "seconds" in r), None)
    for r in result["results"]:
        if "seconds" not in r:
            why = r.get("unavailable") or r.get("error") or "no result"
            rows.append([r["tool"], "–", "–", "–", "–", "–", "–", "–", f"not available: {why}"])
            continue
        rows.append(
            [
                r["tool"],
                str(r["right"]),
                str(r["wrong"]),
                str(r["abstained"]),
                _pct(r["right"], n),
                _pct(r["wrong"], n),
                f"{r['seconds']:.2f}",
                f"{r['load_s']:.1f}",
                r["method"],
            ]
        )
        times.append(r)
    out.append(
        _md_table(["tool", "right", "wrong", "abstained", "% right", "% wrong", "seconds", "load s", "how"], rows)
    )
    if times:
        ref = base or min(times, key=lambda r: r.get("distinct", {}).get("seconds", float("inf")))
        out.append(
            f"\nSpeed, as ratios to {ref['tool']}"
            + ("" if base else " (hemokg not available: ratios to the fastest peer)")
            + ". "
            + (
                f"AnnData: the categorical `obs` column of a {result['cells']:,}-cell `.h5ad` (generated, "
                "seed 0), reading the file timed apart; "
                if result.get("cells")
                else ""
            )
            + f"distinct: {result['distinct']:,} distinct labels (the set, then cluster-suffixed variants). "
            + "est.: extrapolated, from 200 labels when 10,000 would pass the budget, or from the set itself "
            + f"when answering it took over {SLOW:.0f} s.\n"
        )
        speed = []
        for r in times:
            ad, di = r.get("anndata"), r.get("distinct", {})
            ad_cell = "–"
            if ad:
                ad_cell = f"{ad['seconds']:.2f} " + (
                    "(est. from the set)" if ad.get("estimated") else f"(read {ad['read_s']:.2f})"
                )
            ad_ratio = f"{ad['seconds'] / ref['anndata']['seconds']:.1f}×" if ad and ref.get("anndata") else "–"
            di_cell = (f"{di['seconds']:.2f}" + (" (est.)" if di.get("estimated") else "")) if di else "–"
            di_ratio = f"{di['seconds'] / ref['distinct']['seconds']:.1f}×" if di and ref.get("distinct") else "–"
            speed.append([r["tool"], ad_cell, ad_ratio, di_cell, di_ratio])
        out.append(_md_table(["tool", "AnnData s", "ratio", f"{result['distinct']:,} labels s", "ratio"], speed))
    versions = {k: v for r in result["results"] for k, v in r.get("versions", {}).items()}
    out.append("\nVersions: " + ", ".join(f"{k} {v}" for k, v in sorted(versions.items())) + ".")
    attempts = {r["tool"]: r["network_attempts"] for r in result["results"] if r.get("network_attempts")}
    out.append(
        "Network: "
        + (
            "; ".join(f"{t} tried {len(a)} connection(s), refused (first: {a[0]})" for t, a in attempts.items())
            if attempts
            else "no tool tried to connect."
        )
        + "\n"
    )
    goal = [
        ["≥ 90 % right, ≤ 2 % wrong, ahead of every peer", _verdict_quality(result)],
        ["1,000,000-cell `obs` column < 2 s beyond reading the file", _verdict_time(result, "anndata", 2.0)],
        ["10,000 distinct labels < 5 s", _verdict_time(result, "distinct", 5.0)],
    ]
    out.append(_md_table(["goal (issue 16)", "hemokg"], goal))
    return "\n".join(out) + "\n"


def _hemokg(result: dict[str, Any]) -> dict[str, Any] | None:
    return next((r for r in result["results"] if r["tool"] == "hemokg" and "seconds" in r), None)


def _verdict_quality(result: dict[str, Any]) -> str:
    mine, n = _hemokg(result), result["rows"]
    if mine is None:
        return "not measured (hemokg has no annotate yet)"
    best_peer = max((r["right"] for r in result["results"] if r["tool"] != "hemokg" and "right" in r), default=0)
    ok = mine["right"] >= 0.9 * n and mine["wrong"] <= 0.02 * n and mine["right"] > best_peer
    return f"{_pct(mine['right'], n)} % right, {_pct(mine['wrong'], n)} % wrong: " + ("met" if ok else "**missed**")


def _verdict_time(result: dict[str, Any], key: str, limit: float) -> str:
    mine = _hemokg(result)
    if mine is None or not mine.get(key):
        return "not measured"
    seconds = mine[key]["seconds"]
    return f"{seconds:.2f} s: " + ("met" if seconds < limit else "**missed**")


def _md_table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def splice(document: str, section: str) -> str:
    """``document`` with its "Annotating dataset labels" section replaced by ``section`` (added before Targets)."""
    start = document.find(HEADING + "\n")
    if start >= 0:
        end = document.find("\n## ", start + len(HEADING))
        return document[:start] + section + (document[end:] if end >= 0 else "")
    anchor = document.find("\n## Targets\n")
    if anchor >= 0:
        return document[: anchor + 1] + section + "\n" + document[anchor + 1 :]
    return document.rstrip("\n") + "\n\n" + section


def _atomic_write(path: Path, data: bytes) -> None:
    from hemokg.fileio import atomic_write

    atomic_write(path, data)


def main(argv: list[str] | None = None) -> int:
    """Run the comparison, write ``benchmarks/annotate/last-run.json`` and the section of ``docs/benchmarks.md``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.annotate", description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=LABELS, help="label file (TSV) [default: the shipped set]")
    parser.add_argument("--tools", nargs="+", choices=list(TOOLS), default=list(TOOLS))
    parser.add_argument("--no-anndata", action="store_true", help="skip the 1,000,000-cell AnnData timing")
    parser.add_argument("--budget", type=float, default=600.0, help="seconds a tool may take for 10,000 labels")
    parser.add_argument("-o", "--output", type=Path, default=REPORT, help="report to splice the section into")
    parser.add_argument("--json", type=Path, default=None, help=f"raw result [default: {LAST.relative_to(REPO)}]")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--cl", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--h5ad", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        result = child(args.child, args.cl, args.labels, args.h5ad, args.budget)
        args.child_out.write_text(json.dumps(result), encoding="utf-8")
        return 0
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    result = run(labels=args.labels.resolve(), tools=args.tools, with_anndata=not args.no_anndata, budget=args.budget)
    held_out = args.labels.resolve() != LABELS
    json_path = args.json or (None if held_out else LAST)
    if json_path:
        _atomic_write(json_path, json.dumps(result, indent=1).encode())
    section = render_section(result)
    if held_out and args.output == REPORT:
        print(section)  # a held-out set is reported, not written over the shipped set's figures
        return 0
    document = args.output.read_text(encoding="utf-8") if args.output.exists() else "# hemokg benchmarks\n"
    _atomic_write(args.output, splice(document, section).encode())
    print(section)
    print(f"wrote {args.output}" + (f" and {json_path}" if json_path else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
