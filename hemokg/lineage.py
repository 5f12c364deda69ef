"""Lineages: the develops-from chain of a cell up to the stem cell, and what it develops into below.

Steps are the asserted ``directly develops from`` (RO:0002207) edges, fetched by two stored queries and ordered
here iteratively (no recursion), so a chain thousands of steps deep is as safe as a short one. :func:`trace` holds all
of the lineage logic (gaps filled from superclasses, kinds chosen); it runs stored queries through the query function
it is handed (``KnowledgeGraph.query``), so it never imports the facade.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Protocol

from pyoxigraph import NamedNode

from hemokg.errors import TermNotFoundError
from hemokg.sparql.results import Results
from hemokg.vocab import REL, iri_to_curie

__all__ = ["Lineage", "QueryFunction", "Step", "trace"]


class QueryFunction(Protocol):
    """Runs a stored query by name with its parameters (``KnowledgeGraph.query``)."""

    def __call__(self, name: str, /, **params: object) -> Results: ...


@dataclass(frozen=True)
class Step:
    """One step: ``cell`` develops from ``precursor`` — directly (one true step) or, where only that is known,
    through stages not named here."""

    cell: str
    precursor: str
    direct: bool = True


@dataclass
class Lineage:
    """The lineage of one cell: the steps above it (toward the stem cell) and below it (toward mature cells)."""

    iri: str
    labels: dict[str, str] = field(default_factory=dict)
    up: list[Step] = field(default_factory=list)
    down: list[Step] = field(default_factory=list)
    kinds: list[Lineage] = field(default_factory=list)  # kinds (subclasses) with their own direct steps

    @classmethod
    def from_edges(cls, iri: str, up: Iterable[Step], down: Iterable[Step], labels: dict[str, str]) -> Lineage:
        """Keep only the steps reachable from ``iri`` (upward along precursors, downward along descendants); a cell
        with direct steps keeps only those, so an indirect edge never adds a shortcut beside the true chain."""
        up_by_cell: dict[str, list[Step]] = {}
        for step in _prefer_direct(up):
            up_by_cell.setdefault(step.cell, []).append(step)
        down_by_precursor: dict[str, list[Step]] = {}
        for step in _prefer_direct(down):
            down_by_precursor.setdefault(step.precursor, []).append(step)
        return cls(
            iri, labels, _walk(iri, up_by_cell, lambda s: s.precursor), _walk(iri, down_by_precursor, lambda s: s.cell)
        )

    def label(self, iri: str) -> str:
        """A term's label, else its CURIE, else its IRI."""
        return self.labels.get(iri) or iri_to_curie(iri) or iri

    def is_direct(self, cell: str, precursor: str) -> bool:
        """Whether the step from ``precursor`` to ``cell`` is one true step (not through unnamed stages)."""
        return (cell, precursor) in {(s.cell, s.precursor) for s in (*self.up, *self.down) if s.direct}

    def render(self, path: list[str]) -> str:
        """A path as text: ``a → b`` for a direct step, ``a ⇢ b`` where stages in between are not named."""
        direct = {(s.cell, s.precursor) for s in (*self.up, *self.down) if s.direct}
        out = self.label(path[0])
        for precursor, cell in pairwise(path):
            out += (" → " if (cell, precursor) in direct else " ⇢ ") + self.label(cell)
        return out

    def ancestors(self) -> list[str]:
        """Every cell this one develops from, nearest first."""
        return _order([s.precursor for s in self.up])

    def descendants(self) -> list[str]:
        """Every cell that develops from this one, nearest first."""
        return _order([s.cell for s in self.down])

    def chains(self) -> list[list[str]]:
        """Each develops-from path from a root (a cell with no recorded precursor) down to this cell."""
        return _paths(self.iri, _group(self.up, lambda s: s.cell, lambda s: s.precursor))

    def outcomes(self) -> list[list[str]]:
        """Each develops-into path from this cell down to a cell that develops into nothing further."""
        return [list(reversed(p)) for p in _paths(self.iri, _group(self.down, lambda s: s.precursor, lambda s: s.cell))]

    def asdict(self) -> dict:
        """A JSON-friendly dict: the chains and outcomes as lists of {iri, curie, label}."""

        def node(i: str) -> dict:
            return {"iri": i, "curie": iri_to_curie(i), "label": self.labels.get(i)}

        return {
            "cell": node(self.iri),
            "develops_from": [[node(i) for i in chain] for chain in self.chains()],
            "develops_into": [[node(i) for i in chain] for chain in self.outcomes()],
            "kinds": [kind.asdict() for kind in self.kinds],
        }


def _prefer_direct(steps: Iterable[Step]) -> list[Step]:
    steps = list(steps)
    has_direct = {s.cell for s in steps if s.direct}
    return [s for s in steps if s.direct or s.cell not in has_direct]


def _walk(start: str, edges: dict[str, list[Step]], nxt) -> list[Step]:
    seen, kept, queue = {start}, [], deque([start])
    while queue:
        for step in edges.get(queue.popleft(), ()):
            kept.append(step)
            target = nxt(step)
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return kept


def _group(steps: Iterable[Step], key, value) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for s in steps:
        out.setdefault(key(s), []).append(value(s))
    return out


def _order(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _paths(start: str, parents: dict[str, list[str]], limit: int = 64, budget: int = 1_000_000) -> list[list[str]]:
    """Paths from each root to ``start`` (roots first), iteratively, with parent pointers (no copying per step).

    At most ``limit`` paths; at most ``budget`` expansions, so even a cyclic or huge graph ends.
    """
    nodes: list[tuple[str, int]] = [(start, -1)]
    stack = [0]
    done: list[list[str]] = []
    while stack and len(done) < limit and len(nodes) < budget:
        index = stack.pop()
        iri = nodes[index][0]
        ups = sorted(parents.get(iri, ()), reverse=True)
        if not ups:
            path, i = [], index
            while i >= 0:
                path.append(nodes[i][0])
                i = nodes[i][1]
            done.append(path)  # root first: the pointers lead from the root back to start
            continue
        for p in ups:
            if p == iri:
                continue
            nodes.append((p, index))
            stack.append(len(nodes) - 1)
    return done


# --- tracing a lineage through stored queries ----------------------------------------------------------------------
def trace(query: QueryFunction, iri: str, text: str) -> Lineage:
    """The lineage of the cell ``iri`` (``text`` is what the user typed, for errors), with gaps filled from
    superclasses; when the cell itself has no direct step (CL's neutrophil includes its own immature forms), the
    lineages of its kinds that do have direct steps come along in ``kinds`` (mature neutrophil: … → metamyelocyte)."""
    lineage = _inherit(query, _lineage(query, iri, text), text)
    if not any(s.direct for s in lineage.up if s.cell == iri):
        kinds = [_lineage(query, row[0].value, text) for row in query("subclasses", term=NamedNode(iri))]
        kinds = [k for k in kinds if any(s.direct for s in k.up if s.cell == k.iri)]
        # keep the most mature kinds: a kind that is a stage on another kind's chain adds nothing
        staged = {i for k in kinds for chain in k.chains() for i in chain[:-1]}
        lineage.kinds = [k for k in kinds if k.iri not in staged]
    return lineage


def _inherit(query: QueryFunction, lineage: Lineage, text: str, limit: int = 64) -> Lineage:
    """Fill the gaps: a cell on the chain with no develops-from edge of its own takes those of its nearest
    superclass that has one (what holds of every T cell holds of a thymocyte: it develops from a pro-T cell)."""
    steps, labels, tried = list(lineage.up), dict(lineage.labels), set()
    current = lineage
    while len(tried) < limit:
        has_own = {s.cell for s in current.up}
        gaps = [n for n in (lineage.iri, *current.ancestors()) if n not in has_own and n not in tried]
        if not gaps:
            break
        for gap in gaps:
            tried.add(gap)
            for row in query("superclasses", term=NamedNode(gap)):
                parent = row[0].value
                above = _lineage(query, parent, text)
                own = [s for s in above.up if s.cell == parent]
                if own:
                    steps += [Step(gap, s.precursor, s.direct) for s in own] + above.up
                    labels = {**above.labels, **labels}
                    break
        current = Lineage.from_edges(lineage.iri, steps, lineage.down, labels)
    return current


def _lineage(query: QueryFunction, iri: str, text: str) -> Lineage:
    labels: dict[str, str] = {}
    steps: dict[str, list[Step]] = {}
    for name in ("develops-from-steps", "develops-into"):
        steps[name] = []
        for row in query(name, cell=NamedNode(iri)):
            c, c_label, p, p_label, relation = row
            steps[name].append(Step(c.value, p.value, relation.value == REL["directly_develops_from"]))
            for term, lab in ((c, c_label), (p, p_label)):
                if lab is not None:
                    labels.setdefault(term.value, lab.value)
    if iri not in labels:
        rows = query("term-details", term=NamedNode(iri)).rows
        found = [r[1].value for r in rows if r[0].value == "label"]
        if not rows:
            raise TermNotFoundError(text)
        if found:
            labels[iri] = found[0]
    return Lineage.from_edges(iri, steps["develops-from-steps"], steps["develops-into"], labels)
