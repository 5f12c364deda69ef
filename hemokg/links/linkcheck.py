"""Checking hemo's links to external terms: missing, obsolete (with replacement) or relabelled targets.

Every skos mapping and xref of ``hemo.ttl`` is looked up in the shipped import modules, or in release files given
instead (OBO, CL's OWL functional-syntax edit file, cellxgene JSON), which take over for the prefixes they cover. A
target whose prefix no complete source covers (GO: only CL's slim has GO stanzas) is *unverified*, not broken.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from hemokg.links.imports import MODULES, Release, ReleaseTerm, read_release
from hemokg.vocab import (
    DCTERMS,
    HEMO,
    OBO,
    OIO,
    OWL,
    RDFS,
    REPLACED_BY,
    SCOPE_OF_PROPERTY,
    SYNONYM_SCOPES,
    curie_to_iri,
    iri_to_curie,
)
from hemokg.vocab import SKOS as _SKOS

if TYPE_CHECKING:
    from pyoxigraph import Store

__all__ = ["KINDS", "Link", "LinkIssue", "LinkReport", "check_links", "hemo_links", "module_sources"]

#: Issue kinds; all but ``unverified`` fail the check.
KINDS = ("missing", "obsolete", "label", "unverified")
_PREDICATES = {_SKOS + m: f"skos:{m}" for m in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch")}
_XREF = OIO.hasDbXref
_LABEL = RDFS.label
_EXACT = SYNONYM_SCOPES["exact"]


@dataclass(frozen=True)
class Link:
    """One mapping of a hemo term to an external term."""

    subject: str
    subject_label: str
    subject_names: tuple[str, ...]
    predicate: str
    target: str


@dataclass(frozen=True)
class LinkIssue:
    """A link that failed (``missing``, ``obsolete``, ``label``) or could not be checked (``unverified``)."""

    kind: str
    link: Link
    detail: str
    source: str

    def row(self) -> list[str]:
        """The issue as table cells: kind, subject, label, predicate, target, detail, source."""
        return [
            self.kind,
            iri_to_curie(self.link.subject) or self.link.subject,
            self.link.subject_label,
            self.link.predicate,
            iri_to_curie(self.link.target) or self.link.target,
            self.detail,
            self.source,
        ]


@dataclass
class LinkReport:
    """The result of a check: every issue, how many links were checked and against what."""

    checked: int
    sources: list[str]
    issues: list[LinkIssue] = field(default_factory=list)

    @property
    def problems(self) -> list[LinkIssue]:
        """The links that fail the check: missing, obsolete or relabelled targets."""
        return [i for i in self.issues if i.kind != "unverified"]

    @property
    def unverified(self) -> list[LinkIssue]:
        """The links no available source covers (reported apart; they do not fail the check)."""
        return [i for i in self.issues if i.kind == "unverified"]

    @property
    def ok(self) -> bool:
        """True when no link is missing, obsolete or relabelled (unverified links do not fail the check)."""
        return not self.problems

    def summary(self) -> str:
        """One line: how many links were checked against what, and how many of each kind of issue."""
        counts = {k: sum(i.kind == k for i in self.issues) for k in KINDS}
        return (
            f"checked {self.checked} links against {', '.join(self.sources) or 'no source'}: "
            f"{counts['missing']} missing, {counts['obsolete']} obsolete, {counts['label']} label mismatches; "
            f"{counts['unverified']} unverified (no source covers them)"
        )


def hemo_links(hemo: str | Path | None = None) -> list[Link]:
    """Every skos mapping and external xref (CURIE) of the hemo terms in ``hemo.ttl`` (or the given file)."""
    from hemokg.graph.parse import parse_ontology
    from hemokg.resources import ontology_path

    path = Path(hemo) if hemo is not None else ontology_path()
    store = parse_ontology(path.read_bytes(), path=str(path))
    names: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    found: dict[tuple[str, str], str] = {}
    for quad in store:
        s, p, o = quad.subject, quad.predicate.value, quad.object
        if not s.value.startswith(HEMO):
            continue
        if p in (_LABEL, _EXACT):
            names.setdefault(s.value, []).append(o.value)
            if p == _LABEL:
                labels[s.value] = o.value
        elif p in _PREDICATES and o.value.startswith(OBO):
            found[(s.value, o.value)] = _PREDICATES[p]
        elif p == _XREF:
            target = curie_to_iri(o.value.strip())
            if target and target.startswith(OBO) and _prefix(target) in MODULES.values():
                found.setdefault((s.value, target), "oboInOwl:hasDbXref")
    return [
        Link(s, labels.get(s, ""), tuple(sorted(set(names.get(s, [])))), pred, t)
        for (s, t), pred in sorted(found.items())
    ]


def _prefix(iri: str) -> str:
    return iri[len(OBO) :].partition("_")[0] if iri.startswith(OBO) else ""


@dataclass
class _Source:
    name: str
    terms: dict[str, ReleaseTerm]
    complete: bool


def module_sources(folder: Path | None = None) -> dict[str, _Source]:
    """The shipped import modules by CURIE prefix (terms with label, synonyms, deprecation, replacement)."""
    from pyoxigraph import NamedNode, RdfFormat, Store

    from hemokg.resources import imports_dir

    out: dict[str, _Source] = {}
    for path in sorted((folder or imports_dir()).glob("*.ttl")):
        prefix = MODULES.get(path.stem)
        if prefix is None:
            continue
        store = Store()
        store.bulk_load(path.read_bytes(), format=RdfFormat.TURTLE)
        terms: dict[str, ReleaseTerm] = {}
        coverage = "complete"
        base = f"{OBO}{prefix}_"
        for quad in store:
            s, p, o = quad.subject, quad.predicate.value, quad.object
            if p == DCTERMS.coverage:
                coverage = o.value
            if not isinstance(s, NamedNode) or not s.value.startswith(base):
                continue
            term = terms.setdefault(s.value, ReleaseTerm(s.value))
            if p == _LABEL:
                term.label = o.value
            elif p in SCOPE_OF_PROPERTY:
                term.synonyms.add(("exact" if p == _EXACT else "other", o.value))
            elif p == OWL.deprecated and o.value == "true":
                term.deprecated = True
            elif p == REPLACED_BY:
                term.replaced_by = o.value
        terms = {i: t for i, t in terms.items() if t.label or t.deprecated}  # bare declarations are not terms
        out[prefix] = _Source(f"{path.name} ({store_version(store)})", terms, coverage == "complete")
    return out


def store_version(store: Store) -> str:
    """The owl:versionInfo of the ontology in a store (an import module), or "unknown version"."""
    from hemokg.sparql.results import solutions

    rows = list(
        solutions(
            store.query(
                "PREFIX owl: <http://www.w3.org/2002/07/owl#> "
                "SELECT ?v WHERE { ?o a owl:Ontology ; owl:versionInfo ?v }"
            )
        )
    )
    version = rows[0][0] if rows else None
    return version.value if version is not None else "unknown version"


def _release_sources(releases: Iterable[Release]) -> dict[str, _Source]:
    out: dict[str, _Source] = {}
    for release in releases:
        by_prefix: dict[str, dict[str, ReleaseTerm]] = {}
        for iri, term in release.terms.items():
            by_prefix.setdefault(_prefix(iri), {})[iri] = term
        for prefix, terms in by_prefix.items():
            complete = not release.partial and prefix.lower() == release.ontology_id.lower()
            named = {i: t for i, t in terms.items() if t.label or t.deprecated}
            if prefix in MODULES.values() and (complete or prefix not in out):
                out[prefix] = _Source(f"{Path(release.path).name} ({release.version})", named, complete)
    return out


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("_", " ")).strip().casefold()


def check_links(
    hemo: str | Path | None = None, releases: Sequence[str | Path] = (), *, modules: Path | None = None
) -> LinkReport:
    """Check every link of hemo against the shipped modules, overridden by the given release files per prefix."""
    sources = module_sources(modules)
    sources.update(_release_sources(read_release(r) for r in releases))
    links = hemo_links(hemo)
    report = LinkReport(len(links), sorted({s.name for s in sources.values()}))
    labels = {i: t.label for s in sources.values() for i, t in s.terms.items() if t.label}
    for link in links:
        source = sources.get(_prefix(link.target))
        if source is None:
            report.issues.append(LinkIssue("unverified", link, f"no source covers {_prefix(link.target)}", "-"))
            continue
        term = source.terms.get(link.target)
        if term is None:
            kind = "missing" if source.complete else "unverified"
            detail = "not in the release" if source.complete else "not in this partial source"
            report.issues.append(LinkIssue(kind, link, detail, source.name))
        elif term.deprecated:
            if term.replaced_by:
                repl = iri_to_curie(term.replaced_by) or term.replaced_by
                label = labels.get(term.replaced_by)
                detail = f"obsolete; replaced by {repl}" + (f" ({label})" if label else "")
            else:
                detail = "obsolete; no replacement given"
            report.issues.append(LinkIssue("obsolete", link, detail, source.name))
        elif link.predicate == "skos:exactMatch":
            theirs = {_norm(term.label or "")} | {_norm(t) for _, t in term.synonyms}
            if not theirs & {_norm(n) for n in link.subject_names}:
                report.issues.append(
                    LinkIssue(
                        "label",
                        link,
                        f"labelled {term.label!r} there, {link.subject_label!r} in hemo (no shared name)",
                        source.name,
                    )
                )
    return report
