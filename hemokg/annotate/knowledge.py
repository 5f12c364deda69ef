"""What ``annotate`` knows: the cell types of CL's hematopoietic branch and of hemo, their names and markers.

Read from the shipped CL import module (``ontology/imports/cl.ttl``: labels and scoped synonyms, is-a, and the marker
restrictions of CL's logical definitions — has plasma membrane part, lacks plasma membrane part, has high/low plasma
membrane amount — with the PR terms they name) and from hemo itself (labels and synonyms of every hemo term with a
``skos:exactMatch`` to CL, through whichever backend the knowledge graph uses). Nothing here is hand-made.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from hemokg.vocab import HEMO, OBO, OIO, OWL, RDF, RDFS, SKOS

if TYPE_CHECKING:
    from hemokg.sparql.results import Results

__all__ = ["MARKER_LEVELS", "CellKnowledge", "CellTerm", "Name", "NameSource"]


class NameSource(Protocol):
    """What the names of hemo are read through: SPARQL and stored queries (a ``NameSource``)."""

    def sparql(self, text: str, bindings: Any = None) -> Results: ...

    def query(self, name: str, /, **params: object) -> Results: ...


_RDFS, _OWL, _RDF, _OIO, _SKOS = str(RDFS), str(OWL), str(RDF), str(OIO), str(SKOS)
#: Name predicates -> scope.
SCOPE_OF = {
    _RDFS + "label": "label",
    _OIO + "hasExactSynonym": "exact",
    _OIO + "hasRelatedSynonym": "related",
    _OIO + "hasNarrowSynonym": "narrow",
    _OIO + "hasBroadSynonym": "broad",
}
#: Marker relations of CL's logical definitions -> the level the marker notation writes for them.
MARKER_LEVELS = {
    OBO + "RO_0002104": "+",  # has plasma membrane part
    OBO + "RO_0015015": "hi",  # has high plasma membrane amount
    OBO + "RO_0015016": "lo",  # has low plasma membrane amount
    OBO + "CL_4030046": "-",  # lacks plasma membrane part (CL's)
    OBO + "RO_0002130": "-",  # lacks plasma membrane part (RO's)
}
CL = OBO + "CL_"
PR = OBO + "PR_"
BRANCH_ROOT = OBO + "CL_0000988"


@dataclass(frozen=True)
class Name:
    """One name of a cell type: its text, scope and where it comes from (``hemo`` or ``cl``)."""

    iri: str  # the CL term it names
    text: str
    scope: str
    source: str
    hemo_id: str | None = None


@dataclass
class CellTerm:
    """A CL cell type of the hematopoietic branch: label, direct named superclasses, marker restrictions."""

    iri: str
    label: str | None = None
    parents: set[str] = field(default_factory=set)
    markers: set[tuple[str, str]] = field(default_factory=set)  # (level "+", "-", "hi", "lo"; PR IRI)


@dataclass
class CellKnowledge:
    """Every hematopoietic cell type with its names, ancestors and markers, and the names of the marker proteins."""

    terms: dict[str, CellTerm]
    names: list[Name]
    proteins: dict[str, list[tuple[str, str]]]  # PR IRI -> [(text, scope)]
    hemo_of: dict[str, str]  # CL IRI -> hemo IRI (exact match)
    ancestors: dict[str, frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.ancestors:
            self.ancestors = _closure(self.terms)

    @classmethod
    def load(cls, kg: NameSource | None = None, *, module: str | Path | None = None) -> CellKnowledge:
        """From the CL import module (the shipped one by default) and, when given, hemo's names through ``kg``."""
        from hemokg.resources import imports_dir

        path = Path(module) if module is not None else imports_dir() / "cl.ttl"
        terms, names, proteins = _read_module(path)
        hemo_of: dict[str, str] = {}
        if kg is not None:
            hemo_names, hemo_of = _hemo_names(kg, set(terms))
            names += hemo_names
        return cls(terms, names, proteins, hemo_of)

    def is_cell(self, iri: str) -> bool:
        """Whether the IRI is a cell type of the hematopoietic branch."""
        return iri in self.terms


def _read_module(path: Path) -> tuple[dict[str, CellTerm], list[Name], dict[str, list[tuple[str, str]]]]:
    from pyoxigraph import BlankNode, NamedNode, RdfFormat, parse

    out: dict[str, list[tuple[str, object]]] = {}
    for triple in parse(path=str(path), format=RdfFormat.TURTLE):
        key = triple.subject.value if isinstance(triple.subject, NamedNode) else "_:" + triple.subject.value
        out.setdefault(key, []).append((triple.predicate.value, triple.object))

    def node_key(obj: object) -> str:
        return obj.value if isinstance(obj, NamedNode) else "_:" + getattr(obj, "value", "")

    def one(key: str, predicate: str) -> object | None:
        return next((o for p, o in out.get(key, ()) if p == predicate), None)

    def members(key: str) -> list[object]:  # an rdf:List
        items: list[object] = []
        while key and key != _RDF + "nil" and len(items) < 10_000:
            first = one(key, _RDF + "first")
            if first is None:
                break
            items.append(first)
            rest = one(key, _RDF + "rest")
            key = node_key(rest) if rest is not None else ""
        return items

    def restriction(obj: object) -> tuple[str, str] | None:
        if not isinstance(obj, BlankNode):
            return None
        prop, filler = one(node_key(obj), _OWL + "onProperty"), one(node_key(obj), _OWL + "someValuesFrom")
        if isinstance(prop, NamedNode) and isinstance(filler, NamedNode):
            return prop.value, filler.value
        return None

    terms: dict[str, CellTerm] = {}
    names: list[Name] = []
    proteins: dict[str, list[tuple[str, str]]] = {}
    for subject, pairs in out.items():
        if subject.startswith("_:"):
            continue
        deprecated = any(p == _OWL + "deprecated" and getattr(o, "value", "") == "true" for p, o in pairs)
        if deprecated:
            continue
        if subject.startswith(PR):
            proteins[subject] = [(o.value, SCOPE_OF[p]) for p, o in pairs if p in SCOPE_OF]  # type: ignore[attr-defined]
            continue
        if not subject.startswith(CL):
            continue
        term = terms.setdefault(subject, CellTerm(subject))
        supers: list[object] = []
        for p, o in pairs:
            if p in SCOPE_OF:
                text = o.value  # type: ignore[attr-defined]
                names.append(Name(subject, text, SCOPE_OF[p], "cl"))
                if p == _RDFS + "label":
                    term.label = text
            elif p == _RDFS + "subClassOf":
                supers.append(o)
            elif p == _OWL + "equivalentClass" and isinstance(o, BlankNode):
                inter = one(node_key(o), _OWL + "intersectionOf")
                if inter is not None:
                    supers += members(node_key(inter))
        for sup in supers:
            if isinstance(sup, NamedNode):
                if sup.value.startswith(CL) and sup.value != subject:
                    term.parents.add(sup.value)
                continue
            found = restriction(sup)
            if found and found[0] in MARKER_LEVELS and found[1].startswith(PR):
                term.markers.add((MARKER_LEVELS[found[0]], found[1]))
    _name_proteins(terms, names, proteins)
    # keep the hematopoietic branch only: the module also holds the classes above it and the few other cell types
    # hemo names
    ancestors = _closure(terms)
    above = ancestors.get(BRANCH_ROOT, frozenset())
    branch = {i for i, a in ancestors.items() if i not in above and (BRANCH_ROOT in a or i == BRANCH_ROOT)}
    terms = {i: t for i, t in terms.items() if i in branch}
    for term in terms.values():
        term.parents &= branch
    names = [n for n in names if n.iri in branch]
    return terms, names, proteins


#: How CL's labels write a marker level ("CD16-positive", "CD56-dim"), by the levels of the restrictions that state it.
_WRITTEN_LEVELS = {
    "positive": ("+", "hi", "lo"),
    "negative": ("-",),
    "high": ("hi",),
    "bright": ("hi",),
    "low": ("lo",),
    "dim": ("lo",),
}
_WRITTEN_MARKER = re.compile(r"(?:^|[\s,(])([A-Za-z0-9][\w.\-]*?)-(positive|negative|high|low|bright|dim)\b")


def _name_proteins(terms: dict[str, CellTerm], names: list[Name], proteins: dict[str, list[tuple[str, str]]]) -> None:
    """Name the marker proteins the module carries without a name, from the CL classes they define.

    CL writes a class's markers into its label ("CD4-positive, CD25-positive, alpha-beta regulatory T cell") and
    states them in its logical definition (has plasma membrane part PR:000001004, PR:000001380). Where, for one
    level, a name writes exactly one marker that no stated protein's name explains and the definition states
    exactly one protein at that level that has no name, that text names that protein (``CD25`` for
    PR:000001380). Every class votes; a protein is named only when all its votes agree. Repeated until nothing more
    is learnt (a name learnt from one class explains a marker of the next). The names are added as related names."""
    from hemokg.lookup import normalize

    def key(text: str) -> str:
        return normalize(text).replace(" ", "")

    known: dict[str, set[str]] = {pr: {key(t) for t, _ in found} for pr, found in proteins.items()}
    ancestors = _closure(terms)
    written: list[tuple[set[tuple[str, str]], str, dict[str, str]]] = []  # (markers stated, word, {key: text})
    for name in names:
        term = terms.get(name.iri)
        if name.scope not in ("label", "exact") or term is None or not term.markers:
            continue
        found = [(m.group(2).lower(), m.group(1)) for m in _WRITTEN_MARKER.finditer(name.text)]
        if not found:
            continue
        stated = set(term.markers).union(*(terms[a].markers for a in ancestors.get(name.iri, ()) if a in terms))
        for word in {w for w, _ in found}:
            written.append((stated, word, {key(t): t for w, t in found if w == word}))
    learnt: dict[str, str] = {}
    for _ in range(4):
        votes: dict[str, set[str]] = {}
        texts: dict[str, str] = {}
        for markers, word, said in written:
            levels = _WRITTEN_LEVELS[word]
            prs = {pr for level, pr in markers if level in levels}
            unexplained = [k for k in said if not any(k in known.get(pr, ()) for pr in prs)]
            unnamed = [pr for pr in prs if not known.get(pr)]
            if len(unexplained) == 1 and len(unnamed) == 1:
                votes.setdefault(unnamed[0], set()).add(unexplained[0])
                texts.setdefault(unexplained[0], said[unexplained[0]])
        named = [next(iter(v)) for v in votes.values() if len(v) == 1]
        taken = {k for found in known.values() for k in found}
        new = {
            pr: texts[k]
            for pr, v in votes.items()
            if len(v) == 1 and named.count(k := next(iter(v))) == 1 and k not in taken
        }
        if not new:
            break
        for pr, text in new.items():
            known[pr] = {key(text)}
            learnt[pr] = text
    for pr, text in sorted(learnt.items()):
        proteins.setdefault(pr, []).append((text, "related"))


def _closure(terms: dict[str, CellTerm]) -> dict[str, frozenset[str]]:
    """Each term's ancestors (itself excluded) along the named superclasses."""
    done: dict[str, frozenset[str]] = {}

    def visit(iri: str, path: frozenset[str]) -> frozenset[str]:
        if iri in done:
            return done[iri]
        found: set[str] = set()
        term = terms.get(iri)
        for parent in term.parents if term else ():
            if parent in path:
                continue
            found.add(parent)
            found |= visit(parent, path | {parent})
        done[iri] = frozenset(found)
        return done[iri]

    for iri in terms:
        visit(iri, frozenset({iri}))
    return done


def _hemo_names(kg: NameSource, cells: Iterable[str]) -> tuple[list[Name], dict[str, str]]:
    """hemo's names for the CL cell types it matches exactly, and CL IRI -> hemo IRI."""
    cell_set = set(cells)
    rows = kg.sparql(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?h ?c WHERE { ?h skos:exactMatch ?c . FILTER(STRSTARTS(STR(?h), STR(?hemo))) }",
        {"hemo": HEMO},
    )
    cl_of: dict[str, str] = {}
    hemo_of: dict[str, str] = {}
    for row in rows:
        hemo, cl = row[0].value, row[1].value
        if cl in cell_set:
            cl_of.setdefault(hemo, cl)
            hemo_of.setdefault(cl, hemo)
    names = []
    for row in kg.query("term-labels"):
        hemo, predicate, text = row[0].value, row[1].value, row[2].value
        if hemo in cl_of and predicate in SCOPE_OF:
            names.append(Name(cl_of[hemo], text, SCOPE_OF[predicate], "hemo", hemo))
    return names, hemo_of
