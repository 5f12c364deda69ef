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

Implementation: classes and properties are numbered in IRI order; per property the targets of each class are one
Python int used as a bitset; closures are unions over reachable strongly connected components (iterative Tarjan, no
recursion), so a 3,000-deep chain costs one pass; output comes out sorted without a sort.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import repeat

import pyoxigraph

__all__ = ["relation_graph"]

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
SUBCLASS_OF = _RDFS + "subClassOf"
_P = {name: pyoxigraph.NamedNode(iri) for name, iri in {
    "type": _RDF + "type", "first": _RDF + "first", "rest": _RDF + "rest", "nil": _RDF + "nil",
    "subClassOf": SUBCLASS_OF, "subPropertyOf": _RDFS + "subPropertyOf",
    "equivalentClass": _OWL + "equivalentClass", "equivalentProperty": _OWL + "equivalentProperty",
    "intersectionOf": _OWL + "intersectionOf", "onProperty": _OWL + "onProperty",
    "someValuesFrom": _OWL + "someValuesFrom", "TransitiveProperty": _OWL + "TransitiveProperty",
}.items()}
_EXCLUDED = frozenset({_OWL + "Thing", _OWL + "Nothing"})
Node = pyoxigraph.NamedNode | pyoxigraph.BlankNode


def relation_graph(store: pyoxigraph.Store, *, graph: str | pyoxigraph.NamedNode | None = None,
                   ) -> list[tuple[str, str, str]]:
    """Sorted ``(C, R, D)`` IRI triples of the relation graph of the ontology in ``graph`` (default graph if None)."""
    reader = _Reader(store, graph)
    sub_edges, restrictions = reader.axioms()
    sub_props = reader.pairs("subPropertyOf") + [(b, a) for a, b in reader.pairs("equivalentProperty")]
    sub_props += [(a, b) for a, b in reader.pairs("equivalentProperty")]
    transitive = {q.subject.value for q in reader.quads(None, _P["type"], _P["TransitiveProperty"])
                  if isinstance(q.subject, pyoxigraph.NamedNode)}

    classes = {c for edge in sub_edges for c in edge} | {c for c, _, d in restrictions for c in (c, d)}
    classes -= _EXCLUDED
    props = {r for _, r, _ in restrictions} | {p for edge in sub_props for p in edge}
    iris = sorted(classes | props | {SUBCLASS_OF})
    ident = {iri: i for i, iri in enumerate(iris)}

    # Subclass graph: class id -> direct superclass ids; ancestors (reflexive) as bitsets.
    parents: dict[int, list[int]] = {}
    for child, parent in sub_edges:
        if child in classes and parent in classes and child != parent:
            parents.setdefault(ident[child], []).append(ident[parent])
    class_ids = sorted(ident[c] for c in classes)
    ancestors = _reach_union(class_ids, parents, {c: 1 << c for c in class_ids})

    seeds: dict[int, dict[int, int]] = {}  # property -> class -> filler bitset (fillers generalised)
    for c, r, d in restrictions:
        if c in classes and d in classes:
            by_class = seeds.setdefault(ident[r], {})
            by_class[ident[c]] = by_class.get(ident[c], 0) | ancestors[ident[d]]

    # Properties, sub-properties first (Tarjan yields successors' components first); an SCC shares one result.
    subs: dict[int, list[int]] = {}
    for sub, sup in sub_props:
        if sub != sup:
            subs.setdefault(ident[sup], []).append(ident[sub])
    results: dict[int, dict[int, int]] = {}
    for component in _components(sorted(ident[p] for p in props), subs):
        members = set(component)
        merged: dict[int, int] = {}
        for member in component:
            _or_into(merged, seeds.get(member, {}))
            for sub in subs.get(member, ()):
                if sub not in members:
                    _or_into(merged, results[sub])
        closed = _close(class_ids, parents, merged, any(iris[m] in transitive for m in component))
        for member in component:
            results[member] = closed
    results[ident[SUBCLASS_OF]] = {c: bits & ~(1 << c) for c, bits in ancestors.items() if bits & ~(1 << c)}
    return _emit(iris, class_ids, results)


class _Reader:
    """Reads the few OWL patterns the relation graph needs from one graph of a Store."""

    def __init__(self, store: pyoxigraph.Store, graph: str | pyoxigraph.NamedNode | None) -> None:
        self.store = store
        self.graph = pyoxigraph.DefaultGraph() if graph is None else (
            graph if isinstance(graph, pyoxigraph.NamedNode) else pyoxigraph.NamedNode(graph))

    def quads(self, s: Node | None, p: pyoxigraph.NamedNode, o: Node | None) -> Iterator[pyoxigraph.Quad]:
        """Quads of the chosen graph matching the pattern."""
        return self.store.quads_for_pattern(s, p, o, self.graph)

    def pairs(self, predicate: str) -> list[tuple[str, str]]:
        """(subject, object) IRIs of the triples with this predicate between named nodes."""
        return [(q.subject.value, q.object.value) for q in self.quads(None, _P[predicate], None)
                if isinstance(q.subject, pyoxigraph.NamedNode) and isinstance(q.object, pyoxigraph.NamedNode)]

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


def _or_into(target: dict[int, int], source: dict[int, int]) -> None:
    """Union the bitsets of ``source`` into ``target``, key by key."""
    for key, bits in source.items():
        target[key] = target.get(key, 0) | bits


def _close(class_ids: list[int], parents: dict[int, list[int]], seeds: dict[int, int],
           transitive: bool) -> dict[int, int]:
    """Close one property's class -> filler bitsets under inheritance (and transitivity when asked)."""
    if not seeds:
        return {}
    if transitive:  # C R D makes everything D relates to reachable from C
        successors = {c: parents.get(c, []) + _bits(seeds.get(c, 0)) for c in class_ids}
    else:
        successors = parents
    closed = _reach_union(class_ids, successors, seeds)
    return {c: bits for c, bits in closed.items() if bits}


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


def _reach_union(nodes: list[int], successors: dict[int, list[int]], base: dict[int, int]) -> dict[int, int]:
    """For every node, the union of ``base`` over the nodes it reaches through ``successors`` (itself included)."""
    value: dict[int, int] = {}
    for component in _components(nodes, successors):
        bits = 0
        for member in component:
            bits |= base.get(member, 0)
            for nxt in successors.get(member, ()):
                bits |= value.get(nxt, 0)  # members of this component are not set yet: 0
        for member in component:
            value[member] = bits
    return value


_BYTE_BITS = [tuple(i for i in range(8) if b >> i & 1) for b in range(256)]


def _bits(bits: int) -> list[int]:
    """Positions of the set bits, ascending."""
    out: list[int] = []
    for offset, byte in enumerate(bits.to_bytes((bits.bit_length() + 7) // 8, "little")):
        if byte:
            base = offset * 8
            out.extend(base + i for i in _BYTE_BITS[byte])
    return out


def _emit(iris: list[str], class_ids: list[int], results: dict[int, dict[int, int]]) -> list[tuple[str, str, str]]:
    """Triples in (C, R, D) IRI order: ids follow IRI order and bits come out ascending."""
    prop_ids = sorted(p for p, by_class in results.items() if by_class)
    out: list[tuple[str, str, str]] = []
    for c in class_ids:
        subject = iris[c]
        for p in prop_ids:
            bits = results[p].get(c)
            if bits:
                predicate = iris[p]
                out.extend(zip(repeat(subject), repeat(predicate), map(iris.__getitem__, _bits(bits))))
    return out
