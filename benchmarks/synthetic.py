"""Deterministic synthetic ontologies shaped like hemo, for benchmarks and hardening tests at any size.

``synthetic_ontology(scale)`` writes N-Triples with ``scale`` times hemo's classes, in hemo's proportions — named
``rdfs:subClassOf`` edges, existential restrictions per relation (lineage chains of ``directly develops from``,
processes that occur in sites and have cells as output, …), labels, synonyms, definitions with their axiom
annotations, SKOS mappings and cross-references — all counted from ``ontology/hemo.ttl`` when it is read (a built-in
profile stands in when it is missing). Classes come in blocks of hemo's size, so depth stays hemo-like while the
graph grows wide, as real ontologies do. ``deep_chain`` and ``wide_class`` build the two degenerate shapes.
Same arguments, same bytes: the only randomness is a ``random.Random(seed)``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from hemokg.errors import OntologyParseError
from hemokg.vocab import HEMO as _HEMO
from hemokg.vocab import OBO as _OBO
from hemokg.vocab import OIO as _OIO
from hemokg.vocab import OWL as _OWL
from hemokg.vocab import RDF as _RDF
from hemokg.vocab import RDFS as _RDFS
from hemokg.vocab import SKOS as _SKOS

__all__ = ["HemoProfile", "deep_chain", "hemo_profile", "iter_synthetic", "synthetic_ontology", "wide_class"]

_TYPE, _LABEL, _SUB = f"<{_RDF}type>", f"<{_RDFS}label>", f"<{_RDFS}subClassOf>"
_DEF = f"<{_OBO}IAO_0000115>"
DIRECT = _OBO + "RO_0002207"
#: Annotation predicates counted on hemo's classes and reproduced in proportion.
ANNOTATIONS = (
    _OIO + "hasExactSynonym",
    _OIO + "hasRelatedSynonym",
    _OIO + "hasNarrowSynonym",
    _OIO + "hasBroadSynonym",
    _OIO + "hasDbXref",
    _RDFS + "comment",
)
MAPPINGS = (_SKOS + "exactMatch", _SKOS + "closeMatch", _SKOS + "broadMatch", _SKOS + "narrowMatch")
#: Class kinds and their share of each block (hemo: processes, cells, sites, stages/functions/disorders).
KINDS = {"process": 0.2, "cell": 0.5, "site": 0.15, "other": 0.15}
_SUFFIX = {"process": "poiesis", "cell": "cyte", "site": " marrow", "other": " stage"}
#: The lineage relations besides ``directly develops from``, each True where the filler is an earlier class (develops
#: from), False where it is a later one (develops into): a cell never develops from itself, however many steps away
#: (random pairs made cycles, and a cycle makes every cell on it develop from every other, as no lineage does).
_LINEAGE = {"RO_0002202": True, "RO_0002203": False}
#: Subject and filler kinds of the restrictions on each relation; unlisted relations go other -> process.
_DOMAINS = {
    "RO_0002207": ("cell", "cell"),
    "RO_0002202": ("cell", "cell"),
    "RO_0002203": ("cell", "cell"),
    "BFO_0000050": ("process", "process"),
    "BFO_0000051": ("process", "process"),
    "BFO_0000066": ("process", "site"),
    "RO_0001025": ("site", "site"),
    "RO_0002234": ("process", "cell"),
    "RO_0002215": ("cell", "process"),
    "RO_0002216": ("cell", "process"),
    "RO_0002092": ("process", "other"),
}
_FALLBACK_DECLARATIONS = (
    f"<{_OBO}RO_0002202> {_TYPE} <{_OWL}TransitiveProperty> .",
    f"<{_OBO}RO_0002207> <{_RDFS}subPropertyOf> <{_OBO}RO_0002202> .",
    f"<{_OBO}BFO_0000050> {_TYPE} <{_OWL}TransitiveProperty> .",
)


@dataclass(frozen=True)
class HemoProfile:
    """hemo's counts: classes, named subclass edges, restrictions per relation, annotations, mappings."""

    classes: int
    subclass_edges: int
    restrictions: dict[str, int]
    annotations: dict[str, int]
    axioms: int
    disjoint: int
    declarations: tuple[str, ...] = field(repr=False)
    source: str = "built-in"

    @property
    def triples_per_class(self) -> float:
        """About how many triples one synthetic class costs (for sizing runs)."""
        per = (
            3
            + self.subclass_edges
            + 4 * sum(self.restrictions.values())
            + sum(self.annotations.values())
            + 5 * self.axioms
            + self.disjoint
        )
        return per / self.classes + 2


_BUILT_IN = HemoProfile(
    classes=142,
    subclass_edges=162,
    restrictions={
        "RO_0002207": 32,
        "BFO_0000050": 25,
        "RO_0002202": 19,
        "RO_0002234": 11,
        "BFO_0000051": 11,
        "RO_0002092": 9,
        "BFO_0000066": 9,
        "RO_0004024": 5,
        "RO_0002216": 4,
        "RO_0002212": 3,
        "RO_0002215": 3,
        "RO_0002211": 2,
        "RO_0001025": 1,
        "RO_0002213": 1,
    },
    annotations={
        _OIO + "hasExactSynonym": 225,
        _OIO + "hasRelatedSynonym": 32,
        _OIO + "hasDbXref": 168,
        _RDFS + "comment": 66,
        _SKOS + "exactMatch": 105,
        _SKOS + "broadMatch": 37,
        _SKOS + "closeMatch": 24,
        _SKOS + "narrowMatch": 2,
    },
    axioms=148,
    disjoint=11,
    declarations=_FALLBACK_DECLARATIONS,
)


@lru_cache(maxsize=4)
def hemo_profile(path: str | Path | None = None) -> HemoProfile:
    """Count hemo's classes and axioms in ``ontology/hemo.ttl`` (or ``path``); an unreadable or empty file is an
    error (a benchmark must never report sizes from a profile that is not the ontology's)."""
    from pyoxigraph import BlankNode, NamedNode, RdfFormat, Store

    from hemokg.resources import ontology_path

    where = Path(path) if path is not None else ontology_path()
    store = Store()
    try:
        store.bulk_load(path=where, format=RdfFormat.TURTLE)
    except OSError as exc:
        raise OntologyParseError(str(where), f"cannot read the ontology to profile it: {exc.strerror or exc}") from None
    except SyntaxError as exc:
        raise OntologyParseError(str(where), f"cannot profile the ontology: {exc}", exc.lineno) from None
    typed = store.quads_for_pattern(None, NamedNode(_RDF + "type"), NamedNode(_OWL + "Class"))
    classes = {q.subject.value for q in typed if isinstance(q.subject, NamedNode) and q.subject.value.startswith(_HEMO)}
    if not classes:
        raise OntologyParseError(str(where), f"no hemo class ({_HEMO}…) to profile; is this hemo.ttl?")
    sub_edges, restrictions = 0, dict.fromkeys(_BUILT_IN.restrictions, 0)
    on_prop = NamedNode(_OWL + "onProperty")
    for q in store.quads_for_pattern(None, NamedNode(_RDFS + "subClassOf"), None):
        if q.subject.value not in classes:
            continue
        if isinstance(q.object, NamedNode):
            sub_edges += 1
        elif isinstance(q.object, BlankNode):
            for r in store.quads_for_pattern(q.object, on_prop, None):
                local = r.object.value.removeprefix(_OBO)
                restrictions[local] = restrictions.get(local, 0) + 1
    annotations = {
        p: sum(1 for q in store.quads_for_pattern(None, NamedNode(p), None) if q.subject.value in classes)
        for p in (*ANNOTATIONS, *MAPPINGS)
    }
    axioms = sum(1 for _ in store.quads_for_pattern(None, NamedNode(_RDF + "type"), NamedNode(_OWL + "Axiom")))
    disjoint = sum(1 for _ in store.quads_for_pattern(None, NamedNode(_OWL + "disjointWith"), None))
    props = {
        q.subject
        for kind in ("ObjectProperty", "AnnotationProperty")
        for q in store.quads_for_pattern(None, NamedNode(_RDF + "type"), NamedNode(_OWL + kind))
    }
    declarations = tuple(
        sorted(f"{q.subject} {q.predicate} {q.object} ." for p in props for q in store.quads_for_pattern(p, None, None))
    )
    return HemoProfile(
        len(classes),
        sub_edges,
        {k: v for k, v in restrictions.items() if v},
        {k: v for k, v in annotations.items() if v},
        axioms,
        disjoint,
        declarations,
        str(where),
    )


def _share(total: int, start: int, end: int, n: int) -> int:
    """The part of ``total`` that falls on classes ``start..end`` of ``n`` (shares add up to ``total`` exactly)."""
    return round(total * end / n) - round(total * start / n)


_SYLLABLES = ("ba", "de", "ki", "lo", "mu", "na", "pe", "ri", "so", "ta", "vi", "xo", "zu", "gra", "nel", "phi")


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(3))


def iter_synthetic(scale: float, *, seed: int = 0, profile: HemoProfile | None = None) -> Iterator[str]:
    """The N-Triples of :func:`synthetic_ontology`, one block of hemo's size at a time (for streaming to disk)."""
    if not scale > 0 or not math.isfinite(scale):
        raise ValueError(f"scale must be a positive number, not {scale!r}")
    prof = profile or hemo_profile()
    rng = random.Random(seed)
    n = max(len(KINDS), round(scale * prof.classes))
    iri = [f"<{_HEMO}{i + 1:07d}>" for i in range(n)] if n < 2_000_000 else None
    name = (lambda i: iri[i]) if iri else (lambda i: f"<{_HEMO}{i + 1:07d}>")
    roots = {kind: k for k, kind in enumerate(KINDS)}
    head = [f"<https://w3id.org/hemokg/synthetic.owl> {_TYPE} <{_OWL}Ontology> .", *prof.declarations]
    for kind, k in roots.items():
        head += [f"{name(k)} {_TYPE} <{_OWL}Class> .", f'{name(k)} {_LABEL} "synthetic {kind}" .']
    yield "\n".join(head) + "\n"
    block, blank, serial = prof.classes, 0, 0
    for start in range(len(KINDS), n, block):
        end = min(n, start + block)
        out: list[str] = []
        members: dict[str, list[int]] = {kind: [] for kind in KINDS}
        bounds, acc = [], start
        for kind, share in KINDS.items():
            acc2 = end if kind == "other" else min(end, acc + max(1, round(share * (end - start))))
            members[kind] = list(range(acc, acc2))
            bounds.append((kind, acc, acc2))
            acc = acc2
        for kind, lo, hi in bounds:
            for i in range(lo, hi):
                c = name(i)
                out += [
                    f"{c} {_TYPE} <{_OWL}Class> .",
                    f'{c} {_LABEL} "{_word(rng)}{_SUFFIX[kind]} {i}" .',
                    f'{c} {_DEF} "Synthetic {kind} {i}, generated in hemo\'s proportions." .',
                ]
                parent = roots[kind] if i == lo else rng.randrange(lo, i)
                out.append(f"{c} {_SUB} {name(parent)} .")
        everyone = range(start, end)

        def part(count: int, start: int = start, end: int = end) -> int:
            return _share(round(count * n / prof.classes), start, end, n)

        for _ in range(max(0, part(prof.subclass_edges - prof.classes))):
            child = rng.randrange(start + 1, end) if end - start > 1 else start
            kind = next(k for k, lo, hi in bounds if lo <= child < hi)
            lo = next(lo for k, lo, hi in bounds if k == kind)
            if child > lo:
                out.append(f"{name(child)} {_SUB} {name(rng.randrange(lo, child))} .")
        for rel, count in prof.restrictions.items():
            subject_kind, filler_kind = _DOMAINS.get(rel, ("other", "process"))
            subjects, fillers = members[subject_kind] or list(everyone), members[filler_kind] or list(everyone)
            edges = part(count)
            for j in range(edges):
                if rel == DIRECT.removeprefix(_OBO) and len(subjects) > 1:  # lineage chains, mostly one step back
                    c = subjects[1 + j % (len(subjects) - 1)]
                    d = c - 1 if rng.random() < 0.7 else rng.randrange(subjects[0], c)
                elif rel in _LINEAGE and len(subjects) > 1:  # acyclic, as a lineage is: back from, forward into
                    c, d = sorted(rng.sample(subjects, 2), reverse=_LINEAGE[rel])
                else:
                    c, d = rng.choice(subjects), rng.choice(fillers)
                blank += 1
                out += [
                    f"{name(c)} {_SUB} _:r{blank} .",
                    f"_:r{blank} {_TYPE} <{_OWL}Restriction> .",
                    f"_:r{blank} <{_OWL}onProperty> <{_OBO}{rel}> .",
                    f"_:r{blank} <{_OWL}someValuesFrom> {name(d)} .",
                ]
        for pred, count in prof.annotations.items():
            for j in range(part(count)):
                c, serial = rng.randrange(start, end), serial + 1
                if pred in MAPPINGS:
                    value = f"<{_OBO}CL_{serial:08d}>"
                elif "Synonym" in pred:
                    value = f'"{_word(rng)} {pred[len(_OIO) + 3 : -7].lower()} {c}.{j}"'
                else:
                    value = f'"CL:{serial:08d}"' if pred.endswith("hasDbXref") else f'"note {c}.{j}"'
                out.append(f"{name(c)} <{pred}> {value} .")
        for j in range(part(prof.axioms)):
            c = start + j % (end - start)
            blank += 1
            out += [
                f"_:a{blank} {_TYPE} <{_OWL}Axiom> .",
                f"_:a{blank} <{_OWL}annotatedSource> {name(c)} .",
                f"_:a{blank} <{_OWL}annotatedProperty> {_DEF} .",
                f"_:a{blank} <{_OWL}annotatedTarget> \"Synthetic {_kind(bounds, c)} {c}, generated in hemo's "
                f'proportions." .',
                f'_:a{blank} <{_OIO}hasDbXref> "CL:{9_000_000 + c:07d}" .',
            ]
        for _ in range(part(prof.disjoint)):
            a, b = rng.sample(members["cell"], 2) if len(members["cell"]) > 1 else (start, start)
            if a != b:
                out.append(f"{name(a)} <{_OWL}disjointWith> {name(b)} .")
        yield "\n".join(out) + "\n"


def _kind(bounds: list[tuple[str, int, int]], c: int) -> str:
    return next(k for k, lo, hi in bounds if lo <= c < hi)


def synthetic_ontology(scale: float, *, seed: int = 0, profile: HemoProfile | None = None) -> bytes:
    """N-Triples of a hemo-shaped ontology with ``scale`` times hemo's classes (same scale and seed, same bytes)."""
    return "".join(iter_synthetic(scale, seed=seed, profile=profile)).encode()


def _named(i: int) -> str:
    return f"<{_HEMO}{i + 1:07d}>"


def deep_chain(n: int) -> bytes:
    """N-Triples of ``n + 1`` cells where each ``directly develops from`` the one before: an ``n``-step lineage."""
    lines = list(_FALLBACK_DECLARATIONS)
    for i in range(n + 1):
        lines += [f"{_named(i)} {_TYPE} <{_OWL}Class> .", f'{_named(i)} {_LABEL} "chain cell {i}" .']
        if i:
            lines += [
                f"{_named(i)} {_SUB} _:s{i} .",
                f"_:s{i} {_TYPE} <{_OWL}Restriction> .",
                f"_:s{i} <{_OWL}onProperty> <{DIRECT}> .",
                f"_:s{i} <{_OWL}someValuesFrom> {_named(i - 1)} .",
            ]
    return ("\n".join(lines) + "\n").encode()


def wide_class(n: int) -> bytes:
    """N-Triples of one class (``wide parent``) with ``n`` direct subclasses (``wide child 1`` … ``wide child n``)."""
    lines = [f"{_named(0)} {_TYPE} <{_OWL}Class> .", f'{_named(0)} {_LABEL} "wide parent" .']
    for i in range(1, n + 1):
        lines += [
            f"{_named(i)} {_TYPE} <{_OWL}Class> .",
            f'{_named(i)} {_LABEL} "wide child {i}" .',
            f"{_named(i)} {_SUB} {_named(0)} .",
        ]
    return ("\n".join(lines) + "\n").encode()
