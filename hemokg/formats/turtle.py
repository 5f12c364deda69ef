"""Canonical Turtle: one byte-exact text per graph, so that ``hemo.ttl`` diffs stay small and reviews easy.

Owns :class:`GraphView` (the shared layout: subject order, predicate order, which blank nodes are written inline,
RDF lists, OBO axiom annotations grouped after their class), which the JSON-LD writer reuses, and the Turtle writer
built on it. The same graph gives the same bytes on every run and every ``PYTHONHASHSEED``: everything is sorted,
blank nodes referenced once are written inline as ``[ … ]`` or ``( … )`` and never get labels; the few that need one
(shared or cyclic) are labelled from their content by RDFC-1.0 canonicalization.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

from pyoxigraph import BlankNode, CanonicalizationAlgorithm, Dataset, DefaultGraph, Literal, NamedNode, Quad, Triple

from hemokg.errors import ExportError, NotCanonicalError
from hemokg.sparql.results import RDFTerm
from hemokg.vocab import DEFINITION, OIO, OWL, PREFIXES, RDF, RDFS, SKOS, XSD

__all__ = [
    "GraphView",
    "NotCanonicalError",
    "canonical_turtle",
    "find_comments",
    "format_file",
    "qname",
]

IAO_DEF = DEFINITION
RDF_TYPE, RDF_FIRST, RDF_REST, RDF_NIL = RDF + "type", RDF + "first", RDF + "rest", RDF + "nil"

#: Prefixes the writers may use (the package's CURIE prefixes plus a few common vocabularies).
WRITER_PREFIXES: dict[str, str] = {
    **{k: v for k, v in PREFIXES.items()},
    "dc": "http://purl.org/dc/elements/1.1/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "http://schema.org/",
}

#: The order predicates are written in; any other predicate follows, sorted by IRI.
PREDICATE_ORDER: tuple[str, ...] = (
    RDF_TYPE,
    OWL + "annotatedSource",
    OWL + "annotatedProperty",
    OWL + "annotatedTarget",
    OWL + "versionIRI",
    OWL + "versionInfo",
    OWL + "imports",
    RDFS + "label",
    IAO_DEF,
    OIO + "hasExactSynonym",
    OIO + "hasNarrowSynonym",
    OIO + "hasBroadSynonym",
    OIO + "hasRelatedSynonym",
    RDFS + "comment",
    RDFS + "subClassOf",
    OWL + "equivalentClass",
    OWL + "disjointWith",
    RDFS + "subPropertyOf",
    OWL + "inverseOf",
    RDFS + "domain",
    RDFS + "range",
    SKOS + "exactMatch",
    SKOS + "closeMatch",
    SKOS + "broadMatch",
    SKOS + "narrowMatch",
    SKOS + "relatedMatch",
    OIO + "hasDbXref",
)
_PRED_RANK = {p: i for i, p in enumerate(PREDICATE_ORDER)}
_PROPERTY_TYPES = {
    OWL + "AnnotationProperty": 1,
    OWL + "ObjectProperty": 2,
    OWL + "TransitiveProperty": 2,
    OWL + "DatatypeProperty": 3,
    RDF + "Property": 3,
}
_CLASS_TYPES = {OWL + "Class", RDFS + "Class"}
_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?")
_BY_LENGTH = sorted(WRITER_PREFIXES.items(), key=lambda kv: (-len(kv[1]), kv[0]))


def qname(iri: str, used: set[str] | None = None) -> str:
    """``CL:0000775`` for an IRI under a known prefix (recording the prefix in ``used``), else ``<iri>``."""
    for prefix, base in _BY_LENGTH:
        if iri.startswith(base) and _LOCAL.fullmatch(iri[len(base) :]):
            if used is not None:
                used.add(prefix)
            return f"{prefix}:{iri[len(base) :]}"
    return "<" + "".join(c if c not in '<>"{}|^`\\' and ord(c) > 0x20 else f"\\u{ord(c):04X}" for c in iri) + ">"


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


class GraphView:
    """One graph laid out for writing: subjects in their fixed order, inline blank nodes, lists and axioms."""

    def __init__(self, triples: Iterable[Triple | Quad]) -> None:
        seen = {t.triple if isinstance(t, Quad) else t for t in triples}
        view = self._index(seen)
        if view:  # some blank node needs a label: take it from the content (RDFC-1.0), never from parse order
            dataset = Dataset(Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in seen)
            dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
            self._index({q.triple for q in dataset})

    def _index(self, triples: set[Triple]) -> set[BlankNode]:
        """Build the indexes; returns the blank nodes that must be labelled."""
        self.out: dict[RDFTerm, dict[str, list[RDFTerm]]] = defaultdict(lambda: defaultdict(list))
        refs: dict[BlankNode, int] = defaultdict(int)
        for t in triples:
            if not isinstance(t.subject, NamedNode | BlankNode) or not isinstance(
                t.object, NamedNode | BlankNode | Literal
            ):
                raise ExportError(f"cannot write the RDF 1.2 triple term in {t}; hemo has none, check the input")
            self.out[t.subject][t.predicate.value].append(t.object)
            if isinstance(t.object, BlankNode):
                refs[t.object] += 1
        self.triples = triples
        bnodes = {s for s in self.out if isinstance(s, BlankNode)} | set(refs)
        self.inline: set[BlankNode] = {b for b in bnodes if refs.get(b) == 1}
        roots = [s for s in self.out if not isinstance(s, BlankNode) or s not in self.inline]
        reached: set[BlankNode] = set()
        stack = list(roots)
        while stack:
            node = stack.pop()
            for objects in self.out.get(node, {}).values():
                for o in objects:
                    if isinstance(o, BlankNode) and o in self.inline and o not in reached:
                        reached.add(o)
                        stack.append(o)
        cyclic = self.inline - reached
        self.inline -= cyclic
        self.labelled = {b for b in bnodes if b not in self.inline and refs.get(b, 0) > 0}
        self.free = sorted((b for b in bnodes if refs.get(b, 0) == 0), key=lambda b: b.value)
        self.labels: dict[str, str] = {}
        for subject, props in self.out.items():
            if isinstance(subject, NamedNode) and self.types(subject) & _CLASS_TYPES:
                found = sorted(o.value for o in props.get(RDFS + "label", []) if isinstance(o, Literal))
                if found:
                    self.labels[subject.value] = found[0].replace("\n", " ").replace("\r", " ")
        return self.labelled

    # --- structure ---------------------------------------------------------------------------------------------
    def list_items(self, node: RDFTerm) -> list[RDFTerm] | None:
        """The items of a well-formed RDF list written inline from ``node``, else None."""
        items: list[RDFTerm] = []
        while isinstance(node, BlankNode) and node in self.inline:
            props = self.out.get(node, {})
            if set(props) != {RDF_FIRST, RDF_REST} or len(props[RDF_FIRST]) != 1 or len(props[RDF_REST]) != 1:
                return None
            items.append(props[RDF_FIRST][0])
            node = props[RDF_REST][0]
        return items if isinstance(node, NamedNode) and node.value == RDF_NIL and items else None

    def predicates(self, subject: RDFTerm) -> list[tuple[str, list[RDFTerm]]]:
        """A subject's predicates in the fixed order, each with its objects (unsorted)."""
        props = self.out.get(subject, {})
        return sorted(props.items(), key=lambda kv: (_PRED_RANK.get(kv[0], len(_PRED_RANK)), kv[0]))

    def types(self, subject: RDFTerm) -> set[str]:
        """The IRIs of a subject's ``rdf:type`` objects."""
        return {o.value for o in self.out.get(subject, {}).get(RDF_TYPE, []) if isinstance(o, NamedNode)}

    def rank(self, node: NamedNode) -> tuple[int, str]:
        """Where a named subject goes: 0 ontology header, 1-3 properties, 4 classes, 5 typed, 6 untyped; then IRI."""
        types = self.types(node)
        if OWL + "Ontology" in types:
            return 0, node.value
        kinds = [_PROPERTY_TYPES[t] for t in types if t in _PROPERTY_TYPES]
        if kinds:
            return min(kinds), node.value
        if types & _CLASS_TYPES:
            return 4, node.value
        return (5 if types else 6), node.value

    def named_subjects(self) -> list[NamedNode]:
        """Ontology header first, then properties (annotation, object, data), classes, and the rest, each by IRI."""
        return sorted((s for s in self.out if isinstance(s, NamedNode)), key=self.rank)

    def axioms(self) -> tuple[dict[NamedNode, list[BlankNode]], list[BlankNode]]:
        """Unreferenced ``owl:Axiom`` annotations by their named source, and every other unreferenced blank node."""
        by_source: dict[NamedNode, list[BlankNode]] = defaultdict(list)
        rest: list[BlankNode] = []
        for b in self.free:
            sources = self.out.get(b, {}).get(OWL + "annotatedSource", [])
            if (
                OWL + "Axiom" in self.types(b)
                and len(sources) == 1
                and isinstance(sources[0], NamedNode)
                and sources[0] in self.out
            ):
                by_source[sources[0]].append(b)
            else:
                rest.append(b)
        return by_source, rest

    def iter_blocks(self) -> Iterator[tuple[str, RDFTerm]]:
        """Every top-level node in writing order, tagged ``named``, ``axiom``, ``labelled`` or ``free``."""
        by_source, rest = self.axioms()
        for subject in self.named_subjects():
            yield "named", subject
            for axiom in by_source.get(subject, []):
                yield "axiom", axiom
        for node in sorted(self.labelled, key=lambda b: b.value):
            if node in self.out:
                yield "labelled", node
        for node in rest:
            yield "free", node


class _TurtleWriter:
    """Renders a :class:`GraphView` as Turtle text, recording which prefixes it used."""

    def __init__(self, view: GraphView) -> None:
        self.view = view
        self.used: set[str] = set()

    def term(self, t: RDFTerm) -> str:
        if isinstance(t, NamedNode):
            return "()" if t.value == RDF_NIL else qname(t.value, self.used)
        if isinstance(t, BlankNode):
            if t in self.view.inline:
                return self.inline(t)
            return f"_:{t.value}"
        if t.language:
            return f"{_string(t.value)}@{t.language}"
        if t.datatype.value == XSD + "string":
            return _string(t.value)
        return f"{_string(t.value)}^^{qname(t.datatype.value, self.used)}"

    def verb(self, predicate: str) -> str:
        return "a" if predicate == RDF_TYPE else qname(predicate, self.used)

    def objects(self, objects: list[RDFTerm]) -> list[str]:
        rendered = [
            (0 if isinstance(o, NamedNode) else 1 if isinstance(o, Literal) else 2, self.term(o)) for o in objects
        ]
        return [text for _, text in sorted(rendered, key=lambda r: (r[0], r[1].casefold(), r[1]))]

    def inline(self, node: BlankNode) -> str:
        items = self.view.list_items(node)
        if items is not None:
            return "( " + " ".join(self.term(i) for i in items) + " )"
        parts = [f"{self.verb(p)} {', '.join(self.objects(objs))}" for p, objs in self.view.predicates(node)]
        return "[ " + " ; ".join(parts) + " ]" if parts else "[]"

    def names(self, t: RDFTerm, out: list[str]) -> list[str]:
        """The labels of the classes an object mentions (for the trailing ``# label`` comment)."""
        if isinstance(t, NamedNode):
            label = self.view.labels.get(t.value)
            if label and label not in out:
                out.append(label)
        elif isinstance(t, BlankNode) and t in self.view.inline:
            for _, objects in self.view.predicates(t):
                for o in sorted(objects, key=self.term):
                    self.names(o, out)
        return out

    def block(self, kind: str, subject: RDFTerm) -> str:
        head = (
            "[]"
            if kind in ("axiom", "free")
            else self.term(subject)
            if isinstance(subject, NamedNode)
            else f"_:{subject.value}"
        )
        entries: list[tuple[str, str]] = []  # (text, trailing comment)
        preds = self.view.predicates(subject)
        for pi, (predicate, objects) in enumerate(preds):
            pairs = [(self.term(o), o) for o in objects]
            pairs.sort(
                key=lambda r: (
                    0 if isinstance(r[1], NamedNode) else 1 if isinstance(r[1], Literal) else 2,
                    r[0].casefold(),
                    r[0],
                )
            )
            for oi, (text, obj) in enumerate(pairs):
                lead = f"{self.verb(predicate)} " if oi == 0 else "    "
                last = oi == len(pairs) - 1
                sep = " ," if not last else " ;" if pi < len(preds) - 1 else " ."
                comment = ", ".join(self.names(obj, [])) if predicate != RDF_TYPE else ""
                entries.append((lead + text + sep, comment.replace("\n", " ")))
        lines = [head + " " + entries[0][0]] + ["    " + e[0] for e in entries[1:]]
        return "".join(line + (f"  # {c}" if c else "") + "\n" for line, (_, c) in zip(lines, entries, strict=True))


_SECTIONS = {
    1: "Annotation properties",
    2: "Object properties",
    3: "Data properties",
    4: "Classes",
    5: "Individuals",
    6: "Other subjects",
    7: "Other axioms",
}
_RULE = "#" * 65


def _banner(title: str) -> str:
    return f"{_RULE}\n# {title}\n{_RULE}\n"


def canonical_turtle(triples: Iterable[Triple | Quad], *, preamble: str = "") -> str:
    """The canonical Turtle text of a graph (quads are merged into one graph); ``preamble`` is a leading comment
    block written verbatim at the top."""
    view = GraphView(triples)
    writer = _TurtleWriter(view)
    body: list[str] = []
    axioms: list[str] = []
    section = 0
    free: list[str] = []
    for kind, node in view.iter_blocks():
        text = writer.block(kind, node)
        if kind == "axiom":
            axioms.append(text)
            continue
        body.extend(sorted(axioms))
        axioms = []
        if kind == "free":
            free.append(text)
            continue
        rank = view.rank(node)[0] if isinstance(node, NamedNode) else 7
        if rank != section and rank in _SECTIONS:
            body.append(_banner(_SECTIONS[rank]))
        section = rank
        body.append(text)
    body.extend(sorted(axioms))
    if free:
        if section != 7:
            body.append(_banner(_SECTIONS[7]))
        body.extend(sorted(free))
    header = "".join(f"@prefix {p}: <{WRITER_PREFIXES[p]}> .\n" for p in sorted(writer.used, key=str.casefold))
    lead = "".join(line.rstrip() + "\n" for line in preamble.strip().splitlines())
    return (lead + "\n" if lead else "") + header + ("\n" if header and body else "") + "\n".join(body)


def find_comments(text: str) -> list[tuple[int, str]]:
    """The ``#`` comments of a Turtle text (outside strings and IRIs), as (line number, comment)."""
    found: list[tuple[int, str]] = []
    i, line, n = 0, 1, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
        elif c == "<" and re.match(r"<[^<>\"{}|^`\\\s]*>", text[i : i + 4096]):
            i = text.index(">", i)
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            line += text.count("\n", i, j)
            i = j + len(quote) - 1
        elif c == "#":
            end = text.find("\n", i)
            end = n if end < 0 else end
            found.append((line, text[i:end].strip()))
            i = end - 1
        i += 1
    return found


def _preamble(text: str) -> str:
    """The leading comment block of a Turtle text (kept verbatim by the formatter)."""
    lines: list[str] = []
    for line in text.splitlines():
        if line.startswith("#") or (not line.strip() and lines):
            lines.append(line)
        else:
            break
    return "\n".join(lines).strip()


def format_file(path: str | Path, *, check: bool = False, drop_comments: bool = False) -> bool:
    """Rewrite a Turtle file in canonical form (atomically); returns whether it changed. With ``check``, raise
    :class:`NotCanonicalError` instead of writing. The leading comment block is kept, ``# label`` comments and
    section banners are regenerated; any other ``#`` comment makes it refuse unless ``drop_comments``."""
    from hemokg.fileio import atomic_write
    from hemokg.graph.parse import parse_ontology

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExportError(f"cannot read {path}: {exc.strerror or exc}") from None
    text = data.decode("utf-8", "replace")
    preamble = _preamble(text)
    canonical = canonical_turtle(parse_ontology(data, path=str(path)), preamble=preamble).encode("utf-8")
    if canonical == data:
        return False
    if check:
        old, new = text.splitlines(), canonical.decode("utf-8").splitlines()
        first = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new)))
        raise NotCanonicalError(f"{path}:{first + 1}: not in canonical Turtle form; run `hemokg format {path}`")
    kept = {c for _, c in find_comments(canonical.decode("utf-8"))}
    lost = [(n, c) for n, c in find_comments(text) if c not in kept and c.strip("# ")]
    if lost and not drop_comments:
        line, comment = lost[0]
        raise NotCanonicalError(
            f"{path}:{line}: {len(lost)} '#' comment(s) would be lost (first: {comment[:70]!r}); canonical Turtle "
            "keeps the leading comment block and regenerates '# label' comments only - move notes into "
            "rdfs:comment annotations, or pass --drop-comments"
        )
    atomic_write(path, canonical)
    return True
