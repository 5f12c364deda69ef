"""The Ubergraph-style relation graph: existential restrictions between named classes as direct ``C R D`` triples.

Pure Python over a pyoxigraph Store (no rdflib, no owlready2). From the OWL axioms in one graph it collects

* ``C rdfs:subClassOf [owl:onProperty R; owl:someValuesFrom D]`` and the same restriction as an operand of an
  ``owl:intersectionOf`` that is ``owl:equivalentClass`` (or ``rdfs:subClassOf``) of C — CL's genus-differentia form;
  the named operands of such an intersection (the genus) count as superclasses of C; a restriction that is itself
  ``owl:equivalentClass`` of C counts too;
* named ``rdfs:subClassOf`` / ``owl:equivalentClass`` edges (an equivalence is a subclass edge both ways),
  ``rdfs:subPropertyOf`` / ``owl:equivalentProperty`` and ``owl:TransitiveProperty`` declarations,

and returns the closure of ``C R D`` under inheritance (C' ⊑* C), filler generalisation (D ⊑* D'), sub-properties
(R ⊑* S) and transitivity of the properties declared transitive, plus the transitive ``rdfs:subClassOf`` closure
between named classes (not reflexive, never owl:Thing / owl:Nothing).

Not done (by design, like Ubergraph's defaults): property chains (``owl:propertyChainAxiom``), inverse properties
(``owl:inverseOf`` — a restriction on an inverse property expression is skipped, and ``C R D`` does not give
``D R⁻ C``), restrictions other than ``owl:someValuesFrom`` (``allValuesFrom``, ``hasValue``, cardinalities),
fillers that are class expressions rather than named classes, nested intersections, ``owl:unionOf``, and any
reasoning the graph does not already hold (run the reasoner first to get inferred ``rdfs:subClassOf``).

Implementation: classes and properties are numbered in IRI order; per property the targets of each class are a
sorted tuple of class numbers (a sparse set: no row is wider than what the class really reaches). Closures are unions
over the strongly connected components a class reaches (iterative Tarjan, no recursion), so a 3,000-deep chain costs
one pass (the subclass graph's components are found once and reused by every non-transitive property); a
component that adds nothing to the one row it inherits shares that row's tuple instead of copying it.
Output comes out sorted by walking classes, properties and the sorted rows in number order.

Complexity, for n classes, e named edges, m restrictions and K output triples: reading is O(triples of the patterns
above); each closure costs O(n + e) for Tarjan plus O(Σ_edges |row of the edge's target| · log) for the unions —
O(K log K) when rows are short, as in ontologies (each class reaches a few dozen others); memory is O(n + e + K)
(rows only hold what is emitted). Degenerate shapes stay quadratic only because their output is: a chain of n
steps under a transitive property has n(n+1)/2 triples. The previous Python-int bitsets indexed by the global class
number cost O(n²) bits whatever the output (8.8 GB at 140k classes); per-component numbering would not have helped,
since hemo-shaped ontologies are one weakly connected component under a few root classes.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import repeat

import pyoxigraph

from hemokg.vocab import OWL as _OWL
from hemokg.vocab import RDF as _RDF
from hemokg.vocab import RDFS as _RDFS

__all__ = ["relation_graph"]

SUBCLASS_OF = _RDFS + "subClassOf"
_P = {
    name: pyoxigraph.NamedNode(iri)
    for name, iri in {
        "type": _RDF + "type",
        "first": _RDF + "first",
        "rest": _RDF + "rest",
        "nil": _RDF + "nil",
        "subClassOf": SUBCLASS_OF,
        "subPropertyOf": _RDFS + "subPropertyOf",
        "equivalentClass": _OWL + "equivalentClass",
        "equivalentProperty": _OWL + "equivalentProperty",
        "intersectionOf": _OWL + "intersectionOf",
        "onProperty": _OWL + "onProperty",
        "someValuesFrom": _OWL + "someValuesFrom",
        "TransitiveProperty": _OWL + "TransitiveProperty",
    }.items()
}
_EXCLUDED = frozenset({_OWL + "Thing", _OWL + "Nothing"})
Node = pyoxigraph.NamedNode | pyoxigraph.BlankNode
Row = tuple[int, ...]  # sorted class ids


def relation_graph(
    store: pyoxigraph.Store,
    *,
    graph: str | pyoxigraph.NamedNode | None = None,
) -> list[tuple[str, str, str]]:
    """Sorted ``(C, R, D)`` IRI triples of the relation graph of the ontology in ``graph`` (default graph if None)."""
    with _gc_paused():  # millions of new tuples, no reference cycles: collections would only rescan them
        return _relation_graph(store, graph)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (if it runs) for the block; ~15 % of the time at 1,000× hemo."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _relation_graph(store: pyoxigraph.Store, graph: str | pyoxigraph.NamedNode | None) -> list[tuple[str, str, str]]:
    """The work of :func:`relation_graph`."""
    reader = _Reader(store, graph)
    sub_edges, restrictions = reader.axioms()
    sub_props = reader.pairs("subPropertyOf") + [(b, a) for a, b in reader.pairs("equivalentProperty")]
    sub_props += [(a, b) for a, b in reader.pairs("equivalentProperty")]
    transitive = {
        q.subject.value
        for q in reader.quads(None, _P["type"], _P["TransitiveProperty"])
        if isinstance(q.subject, pyoxigraph.NamedNode)
    }

    classes = {c for edge in sub_edges for c in edge} | {c for c, _, d in restrictions for c in (c, d)}
    classes -= _EXCLUDED
    props = {r for _, r, _ in restrictions} | {p for edge in sub_props for p in edge}
    iris = sorted(classes | props | {SUBCLASS_OF})
    ident = {iri: i for i, iri in enumerate(iris)}

    # Subclass graph: class id -> direct superclass ids; ancestors (reflexive) as sorted id tuples.
    parents: dict[int, list[int]] = {}
    for child, parent in sub_edges:
        if child in classes and parent in classes and child != parent:
            parents.setdefault(ident[child], []).append(ident[parent])
    class_ids = sorted(ident[c] for c in classes)
    order = list(_components(class_ids, parents))  # subclass SCCs, superclasses first; reused per property
    ancestors = _propagate(order, parents, {c: (c,) for c in class_ids})

    parts: dict[int, dict[int, list[Row]]] = {}  # property -> class -> filler rows (fillers generalised)
    for c, r, d in restrictions:
        if c in classes and d in classes:
            parts.setdefault(ident[r], {}).setdefault(ident[c], []).append(ancestors[ident[d]])
    seeds = {p: {c: _union(rows) for c, rows in by_class.items()} for p, by_class in parts.items()}
    del parts

    # Properties, sub-properties first (Tarjan yields successors' components first); an SCC shares one result.
    subs: dict[int, list[int]] = {}
    for sub, sup in sub_props:
        if sub != sup:
            subs.setdefault(ident[sup], []).append(ident[sub])
    results: dict[int, dict[int, Row]] = {}
    for component in _components(sorted(ident[p] for p in props), subs):
        members = set(component)
        gathered: dict[int, list[Row]] = {}
        for source in [seeds.get(m, {}) for m in component] + [
            results[sub] for m in component for sub in subs.get(m, ()) if sub not in members
        ]:
            for cls, row in source.items():
                gathered.setdefault(cls, []).append(row)
        merged = {c: _union(rows) for c, rows in gathered.items()}
        closed = _close(order, class_ids, parents, merged, any(iris[m] in transitive for m in component))
        for member in component:
            results[member] = closed
    results[ident[SUBCLASS_OF]] = ancestors  # reflexive: _emit drops C rdfs:subClassOf C
    return _emit(iris, class_ids, results, ident[SUBCLASS_OF])


class _Reader:
    """Reads the few OWL patterns the relation graph needs from one graph of a Store."""

    def __init__(self, store: pyoxigraph.Store, graph: str | pyoxigraph.NamedNode | None) -> None:
        self.store = store
        self.graph = (
            pyoxigraph.DefaultGraph()
            if graph is None
            else (graph if isinstance(graph, pyoxigraph.NamedNode) else pyoxigraph.NamedNode(graph))
        )

    def quads(self, s: Node | None, p: pyoxigraph.NamedNode, o: Node | None) -> Iterator[pyoxigraph.Quad]:
        """Quads of the chosen graph matching the pattern."""
        return self.store.quads_for_pattern(s, p, o, self.graph)

    def pairs(self, predicate: str) -> list[tuple[str, str]]:
        """(subject, object) IRIs of the triples with this predicate between named nodes."""
        return [
            (q.subject.value, q.object.value)
            for q in self.quads(None, _P[predicate], None)
            if isinstance(q.subject, pyoxigraph.NamedNode) and isinstance(q.object, pyoxigraph.NamedNode)
        ]

    def _one(self, subject: Node, predicate: str) -> pyoxigraph.NamedNode | pyoxigraph.BlankNode | None:
        """The object of the first triple (subject, predicate, ?), if it is a node."""
        for q in self.quads(subject, _P[predicate], None):
            if isinstance(q.object, pyoxigraph.NamedNode | pyoxigraph.BlankNode):
                return q.object
        return None

    def _list(self, head: Node) -> Iterator[Node]:
        """Members of an RDF list, iteratively; stops at rdf:nil, a malformed node or a cycle."""
        seen: set[Node] = set()
        node: Node | None = head
        while isinstance(node, pyoxigraph.BlankNode | pyoxigraph.NamedNode) and node != _P["nil"] and node not in seen:
            seen.add(node)
            first = self._one(node, "first")
            if first is not None:
                yield first
            node = self._one(node, "rest")

    def _restriction(self, node: Node) -> tuple[str, str] | None:
        """(R, D) when ``node`` is ``[owl:onProperty R; owl:someValuesFrom D]`` with R and D named."""
        prop, filler = self._one(node, "onProperty"), self._one(node, "someValuesFrom")
        if isinstance(prop, pyoxigraph.NamedNode) and isinstance(filler, pyoxigraph.NamedNode):
            return prop.value, filler.value
        return None

    def axioms(self) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
        """Named subclass edges (child, parent) and existential restrictions (C, R, D)."""
        sub_edges = self.pairs("subClassOf")
        restrictions: list[tuple[str, str, str]] = []
        candidates: list[tuple[str, Node]] = []  # (named class, anonymous superclass or equivalent)
        for q in self.quads(None, _P["subClassOf"], None):
            if isinstance(q.subject, pyoxigraph.NamedNode) and isinstance(q.object, pyoxigraph.BlankNode):
                candidates.append((q.subject.value, q.object))
        for q in self.quads(None, _P["equivalentClass"], None):
            s, o = q.subject, q.object
            if isinstance(s, pyoxigraph.NamedNode) and isinstance(o, pyoxigraph.NamedNode):
                sub_edges += [(s.value, o.value), (o.value, s.value)]
            elif isinstance(s, pyoxigraph.NamedNode) and isinstance(o, pyoxigraph.BlankNode):
                candidates.append((s.value, o))
            elif isinstance(o, pyoxigraph.NamedNode) and isinstance(s, pyoxigraph.BlankNode):
                candidates.append((o.value, s))
        for cls, node in candidates:
            found = self._restriction(node)
            if found is not None:
                restrictions.append((cls, *found))
            head = self._one(node, "intersectionOf")
            for operand in self._list(head) if head is not None else ():
                if isinstance(operand, pyoxigraph.NamedNode):
                    sub_edges.append((cls, operand.value))
                elif (found := self._restriction(operand)) is not None:
                    restrictions.append((cls, *found))
        return sub_edges, restrictions


def _union(rows: list[Row]) -> Row:
    """The sorted union of sorted id tuples; a row that is the only distinct one is returned as is (shared)."""
    first = rows[0]
    if all(row is first for row in rows):
        return first
    merged = set(first)
    for row in rows:
        if row is not first:
            merged.update(row)
    return tuple(sorted(merged))


def _close(
    order: list[list[int]], class_ids: list[int], parents: dict[int, list[int]], seeds: dict[int, Row], transitive: bool
) -> dict[int, Row]:
    """Close one property's class -> filler rows under inheritance (and transitivity when asked).

    Inheritance alone follows the subclass graph, whose component ``order`` is computed once; transitivity adds the
    property's own edges (C R D: D's targets are C's too), so that graph gets its own Tarjan pass.
    """
    if not seeds:
        return {}
    if not transitive:
        return _propagate(order, parents, seeds)
    successors = {c: parents.get(c, []) + list(seeds[c]) if c in seeds else parents.get(c, []) for c in class_ids}
    return _propagate(list(_components(class_ids, successors)), successors, seeds)


def _components(nodes: Iterable[int], successors: dict[int, list[int]]) -> Iterator[list[int]]:
    """Strongly connected components, each after all components it reaches (iterative Tarjan)."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    for root in nodes:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(successors.get(root, ())))]
        while work:
            node, it = work[-1]
            for nxt in it:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(successors.get(nxt, ()))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    yield component


def _propagate(order: Iterable[list[int]], successors: dict[int, list[int]], base: dict[int, Row]) -> dict[int, Row]:
    """For every node, the union of ``base`` over the nodes it reaches through ``successors`` (itself included).

    ``order`` is the strongly connected components of that graph, each after all components it reaches (what
    :func:`_components` yields). Nodes that reach no base row are left out: the result only holds non-empty rows.
    """
    value: dict[int, Row] = {}
    for component in order:
        rows: list[Row] = []
        for member in component:
            if (own := base.get(member)) is not None:
                rows.append(own)
            for nxt in successors.get(member, ()):
                if (row := value.get(nxt)) is not None:  # members of this component are not set yet
                    rows.append(row)
        if rows:
            merged = _union(rows)
            for member in component:
                value[member] = merged
    return value


def _emit(
    iris: list[str], class_ids: list[int], results: dict[int, dict[int, Row]], reflexive: int
) -> list[tuple[str, str, str]]:
    """Triples in (C, R, D) IRI order (ids follow IRI order, rows are sorted); drops ``C reflexive C``."""
    prop_ids = sorted(p for p, by_class in results.items() if by_class)
    out: list[tuple[str, str, str]] = []
    for c in class_ids:
        subject = iris[c]
        for p in prop_ids:
            row = results[p].get(c)
            if row:
                targets = [d for d in row if d != c] if p == reflexive else row
                out.extend(zip(repeat(subject), repeat(iris[p]), map(iris.__getitem__, targets)))
    return out
