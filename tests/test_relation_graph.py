"""hemokg.graph.relation_graph against a naive reference closure, on random ontologies with several components.

The reference applies the relation graph's rules (inheritance, filler generalisation, sub-properties, transitivity,
equivalences and genus-differentia intersections) by plain fixed-point iteration over Python sets, from the axioms
themselves rather than from what the module's reader makes of the Turtle, so reader and closure are both checked.
Every case is generated from a fixed seed: same seed, same ontology, same expected triples.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox
import pytest

from hemokg.graph.relation_graph import relation_graph

EX = "http://example.org/rg#"
SUB = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
THING = "http://www.w3.org/2002/07/owl#Thing"
PREFIXES = """@prefix ex: <http://example.org/rg#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
PROPS = [f"{EX}p{i}" for i in range(6)]


@dataclass
class Axioms:
    """A random ontology as plain data: what it says, before it is written as Turtle."""

    sub: list[tuple[str, str]] = field(default_factory=list)  # named C ⊑ D (D may be owl:Thing)
    equivalent: list[tuple[str, str]] = field(default_factory=list)  # named C ≡ D
    some: list[tuple[str, str, str]] = field(default_factory=list)  # C ⊑ R some D
    defined: list[tuple[str, str, list[tuple[str, str]]]] = field(default_factory=list)  # C ≡ G and (R some D)…
    sub_props: list[tuple[str, str]] = field(default_factory=list)
    transitive: set[str] = field(default_factory=set)

    def turtle(self) -> str:
        """The axioms as Turtle, restrictions as blank nodes, intersections as RDF lists."""
        lines = [PREFIXES]
        lines += [f"<{c}> rdfs:subClassOf <{d}> ." for c, d in self.sub]
        lines += [f"<{c}> owl:equivalentClass <{d}> ." for c, d in self.equivalent]
        lines += [
            f"<{c}> rdfs:subClassOf [ a owl:Restriction ; owl:onProperty <{r}> ; owl:someValuesFrom <{d}> ] ."
            for c, r, d in self.some
        ]
        for c, genus, parts in self.defined:
            ops = " ".join(f"[ owl:onProperty <{r}> ; owl:someValuesFrom <{d}> ]" for r, d in parts)
            lines.append(f"<{c}> owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( <{genus}> {ops} ) ] .")
        lines += [f"<{a}> rdfs:subPropertyOf <{b}> ." for a, b in self.sub_props]
        lines += [f"<{p}> a owl:ObjectProperty , owl:TransitiveProperty ." for p in sorted(self.transitive)]
        return "\n".join(lines)


def random_axioms(seed: int, components: int = 4, size: int = 25) -> Axioms:
    """Several disjoint groups of classes, each with random subclass edges (cycles too), restrictions inside it."""
    rng = random.Random(seed)
    ax = Axioms(transitive={p for p in PROPS if rng.random() < 0.5})
    ax.sub_props = [(PROPS[0], PROPS[1]), (PROPS[2], PROPS[3]), (PROPS[3], PROPS[2]), (PROPS[4], PROPS[1])]
    for group in range(components):
        names = [f"{EX}g{group}c{i:02d}" for i in range(size)]
        for i, c in enumerate(names[1:], 1):
            for parent in rng.sample(names[:i], k=min(i, rng.choice((1, 1, 2)))):
                ax.sub.append((c, parent))
        ax.sub += [(rng.choice(names), rng.choice(names)) for _ in range(2)]  # may close a cycle (or a self-loop)
        ax.sub.append((names[0], THING))
        ax.equivalent.append((rng.choice(names), rng.choice(names)))
        ax.some += [(rng.choice(names), rng.choice(PROPS), rng.choice(names)) for _ in range(size)]
        ax.some.append((rng.choice(names), rng.choice(PROPS), THING))  # owl:Thing as a filler: dropped
        for _ in range(2):
            parts = [(rng.choice(PROPS), rng.choice(names)) for _ in range(rng.randint(1, 2))]
            ax.defined.append((rng.choice(names), rng.choice(names), parts))
    return ax


def reference_closure(ax: Axioms) -> list[tuple[str, str, str]]:
    """The relation graph by naive fixed-point iteration over sets (slow, obviously right)."""
    edges = set(ax.sub) | set(ax.equivalent) | {(d, c) for c, d in ax.equivalent}
    edges |= {(c, genus) for c, genus, _ in ax.defined}
    edges = {(c, d) for c, d in edges if THING not in (c, d)}
    classes = {x for edge in edges for x in edge} | {x for c, _, d in ax.some for x in (c, d) if x != THING}
    classes |= {c for c, _, _ in ax.defined} | {d for _, _, parts in ax.defined for _, d in parts}
    up = _closed({(c, c) for c in classes} | edges)  # reflexive-transitive subclass closure
    prop_up = _closed({(p, p) for p in PROPS} | set(ax.sub_props))
    subs_of, supers_of, supers_of_prop = _index(up, reverse=True), _index(up), _index(prop_up)
    rel = {(c, r, d) for c, r, d in ax.some if d != THING}
    rel |= {(c, r, d) for c, _, parts in ax.defined for r, d in parts}
    while True:
        by_subject = _index({((c, r), d) for c, r, d in rel})
        new = {(c2, r, d) for c, r, d in rel for c2 in subs_of[c]}  # inheritance
        new |= {(c, r, d2) for c, r, d in rel for d2 in supers_of[d]}  # filler generalisation
        new |= {(c, s, d) for c, r, d in rel for s in supers_of_prop[r]}  # sub-properties
        new |= {(c, r, e) for c, r, d in rel if r in ax.transitive for e in by_subject[d, r]}  # transitivity
        if not (new := new - rel):
            break
        rel |= new
    return sorted(rel | {(c, SUB, d) for c, d in up if c != d})


def _closed(pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The transitive closure of a relation given as pairs, by repeated joining until nothing is new."""
    while True:
        after = _index(pairs)
        if not (new := {(a, c) for a, b in pairs for c in after[b]} - pairs):
            return pairs
        pairs |= new


def _index(pairs: set[tuple], *, reverse: bool = False) -> defaultdict:
    """Pairs as a mapping from first to the set of seconds (or second to firsts with ``reverse``)."""
    out: defaultdict = defaultdict(set)
    for a, b in pairs:
        if reverse:
            out[b].add(a)
        else:
            out[a].add(b)
    return out


def store_of(text: str) -> ox.Store:
    """A store holding the Turtle in its default graph (parsed by pyoxigraph, the real parser)."""
    store = ox.Store()
    store.load(text.encode(), format=ox.RdfFormat.TURTLE)
    return store


@pytest.mark.parametrize("seed", range(8))
def test_relation_graph_equals_the_reference_closure_on_random_graphs(seed: int) -> None:
    ax = random_axioms(seed)
    expected = reference_closure(ax)
    got = relation_graph(store_of(ax.turtle()))
    assert got == expected, (
        f"seed {seed}: missing {sorted(set(expected) - set(got))[:5]}, extra {sorted(set(got) - set(expected))[:5]}"
    )


def test_the_random_graphs_exercise_every_rule() -> None:
    """The generated cases are not trivial: cycles, transitive and non-transitive chains, several components."""
    ax = random_axioms(0)
    graph = relation_graph(store_of(ax.turtle()))
    subjects = {s.split("#g")[1].split("c")[0] for s, _, _ in graph}
    assert subjects == {"0", "1", "2", "3"}
    assert all(s.split("c")[0] == o.split("c")[0] for s, _, o in graph)  # nothing crosses components
    assert {p for _, p, _ in graph} >= {SUB, *PROPS[:4]}
    assert len(graph) > 10 * len(ax.some)  # the closure adds far more than was asserted
    rows = {(s, p): 0 for s, p, _ in graph}
    for s, p, _ in graph:
        rows[s, p] += 1
    assert max(rows.values()) < 25 * 4  # rows as wide as what a class reaches, never the whole ontology


def test_components_do_not_change_each_others_rows() -> None:
    """One component's closure is the same alone as next to three others (rows are per class, not global)."""
    together = random_axioms(3, components=4)
    alone = Axioms(
        transitive=together.transitive,
        sub_props=together.sub_props,
        sub=[e for e in together.sub if "#g2" in e[0]],
        equivalent=[e for e in together.equivalent if "#g2" in e[0]],
        some=[t for t in together.some if "#g2" in t[0]],
        defined=[t for t in together.defined if "#g2" in t[0]],
    )
    graph = relation_graph(store_of(together.turtle()))
    assert relation_graph(store_of(alone.turtle())) == [t for t in graph if "#g2" in t[0]]


def test_a_long_transitive_chain_next_to_a_wide_class() -> None:
    """Iterative closure: a 2,000-step transitive chain in one component, 2,000 children of one class in another."""
    n = 2000
    lines = [PREFIXES, f"<{PROPS[0]}> a owl:TransitiveProperty ."]
    lines += [
        f"ex:k{i:04d} rdfs:subClassOf [ owl:onProperty <{PROPS[0]}> ; owl:someValuesFrom ex:k{i - 1:04d} ] ."
        for i in range(1, n + 1)
    ]
    lines += [f"ex:w{i:04d} rdfs:subClassOf ex:wide ." for i in range(n)]
    lines += [f"ex:wide rdfs:subClassOf [ owl:onProperty <{PROPS[1]}> ; owl:someValuesFrom ex:k0000 ] ."]
    graph = relation_graph(store_of("\n".join(lines)))
    assert sum(1 for _, p, _ in graph if p == PROPS[0]) == n * (n + 1) // 2
    assert sum(1 for _, p, _ in graph if p == PROPS[1]) == n + 1
    assert sum(1 for _, p, _ in graph if p == SUB) == n
    assert graph == sorted(graph)


# --- issue 15: the union of the graphs holds each triple once ------------------------------------------------------
def test_relation_graph_repeats_no_triple_of_the_default_graph(kg) -> None:
    """The shipped reasoned graph: no triple is in both the default graph and the relation graph."""
    from pyoxigraph import DefaultGraph, NamedNode, Quad

    from hemokg.vocab import GRAPH_RELATION

    store = kg.backend.store
    relation = NamedNode(GRAPH_RELATION)
    repeated = [
        q
        for q in store.quads_for_pattern(None, None, None, relation)
        if Quad(q.subject, q.predicate, q.object, DefaultGraph()) in store
    ]
    assert repeated == []
    assert any(True for _ in store.quads_for_pattern(None, None, None, relation))


@pytest.mark.slow
def test_plain_sparql_counts_what_an_oxigraph_server_counts(kg, oxigraph_kg) -> None:
    """Plain SPARQL over the embedded store (union of its graphs) counts what a real Oxigraph server holding the
    same file counts: COUNT(*), and the neutrophil's direct subclasses asserted or inferred (5, not 8)."""
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert int(kg.sparql(count).rows[0][0].value) == int(oxigraph_kg.sparql(count).rows[0][0].value)
    subs = (
        "SELECT ?s WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#subClassOf> "
        "<https://w3id.org/hemokg/HEMO_0000123> } ORDER BY ?s"
    )
    embedded = [r[0].value for r in kg.sparql(subs)]
    assert embedded == [r[0].value for r in oxigraph_kg.sparql(subs)]
    assert len(embedded) == len(set(embedded)) >= 5
