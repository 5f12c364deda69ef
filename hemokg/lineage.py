"""Lineages: the develops-from chain of a cell up to the stem cell, and what it develops into below.

Steps are the asserted ``directly develops from`` (RO:0002207) edges, fetched by two stored queries and ordered
here iteratively (no recursion), so a chain thousands of steps deep is as safe as a short one. :func:`trace` holds all
of the lineage logic (gaps filled from superclasses, kinds chosen); it runs stored queries through the query function
it is handed (``KnowledgeGraph.query``), so it never imports the facade.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Protocol

from pyoxigraph import NamedNode

from hemokg.errors import TermNotFoundError
from hemokg.sparql.results import Results, bound_value
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
    matched: str | None = None  # how the name asked for was read, when not as written ("label (plural of …)")

    @classmethod
    def from_edges(cls, iri: str, up: Iterable[Step], down: Iterable[Step], labels: dict[str, str]) -> Lineage:
        """Keep only the steps reachable from ``iri`` (upward along precursors, downward along descendants); a cell
        with direct steps keeps only those, so an indirect edge never adds a shortcut beside the true chain."""
        up, down = list(dict.fromkeys(up)), list(dict.fromkeys(down))  # one step once, whatever found it
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

    def asdict(self) -> dict[str, Any]:
        """A JSON-friendly dict: the chains and outcomes as lists of {iri, curie, label}."""

        def node(i: str) -> dict[str, str | None]:
            return {"iri": i, "curie": iri_to_curie(i), "label": self.labels.get(i)}

        return {
            "cell": node(self.iri),
            "develops_from": [[node(i) for i in chain] for chain in self.chains()],
            "develops_into": [[node(i) for i in chain] for chain in self.outcomes()],
            "kinds": [kind.asdict() for kind in self.kinds],
            **({"matched": self.matched} if self.matched else {}),
        }


def _prefer_direct(steps: Iterable[Step]) -> list[Step]:
    steps = list(steps)
    has_direct = {s.cell for s in steps if s.direct}
    return [s for s in steps if s.direct or s.cell not in has_direct]


def _walk(start: str, edges: dict[str, list[Step]], nxt: Callable[[Step], str]) -> list[Step]:
    seen, kept, queue = {start}, list[Step](), deque([start])
    while queue:
        for step in edges.get(queue.popleft(), ()):
            kept.append(step)
            target = nxt(step)
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return kept


def _group(steps: Iterable[Step], key: Callable[[Step], str], value: Callable[[Step], str]) -> dict[str, list[str]]:
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
    """The lineage of the cell ``iri`` as a hematologist draws it (``text`` is what the user typed, for errors).

    Upward: the asserted steps up to the stem cell, a gap (a stage with no develops-from edge of its own) filled from
    its nearest superclass that has one. Downward: what develops from the cell or from one of its kinds (an
    erythroblast's orthochromatic stage becomes a reticulocyte), through the stages only: grouping classes
    ("granulocyte", "myeloid cell": no direct step of their own, a kind of them below the cell) and the cell's own
    kinds are not stages below it. When the cell has no direct step of its own (CL's neutrophil includes its immature
    forms), the chains of its most specific, most mature kinds come along in ``kinds``, each traced to the stem cell.
    Each stored query runs at most once per trace, for one cell.
    """
    query = _once(query)
    up, down, labels = _steps(query, iri, text, down=True)
    kind_up, kind_labels = _rows(query("kind-steps", cell=NamedNode(iri)))
    labels = {**kind_labels, **labels}
    kinds = {s.cell for s in kind_up}
    if not any(s.precursor == iri for s in down):  # nothing develops from the cell itself: start from its kinds
        kinds |= {row[0].value for row in query("subclasses", term=NamedNode(iri))}
    groupings = {row[0].value for row in query("lineage-groupings", cell=NamedNode(iri))}
    below = _below(query, iri, _prune(down, groupings, kinds), kinds, text)
    lineage = _inherit(query, Lineage.from_edges(iri, up, below, labels), text)
    if not any(s.direct for s in lineage.up if s.cell == iri):
        groupings = {row[0].value for row in query("kind-groupings", cell=NamedNode(iri))}
        lineage.kinds = _kinds(query, [s for s in kind_up if s.cell not in groupings], labels, text)
    return lineage


def _prune(down: list[Step], groupings: set[str], kinds: set[str]) -> list[Step]:
    """The steps below a cell without its own kinds, and without grouping classes that end a path ("⇢ granulocyte",
    "⇢ myeloid cell"), repeatedly: a grouping with a stage below it that is not a grouping (monocyte → macrophage)
    stays, a chain of generic stages whose every end is more specific elsewhere goes."""
    steps = [s for s in down if s.cell not in kinds]
    while True:
        parents = {s.precursor for s in steps}
        leaves = {s.cell for s in steps if s.cell in groupings and s.cell not in parents}
        if not leaves:
            return steps
        steps = [s for s in steps if s.cell not in leaves]


def _once(query: QueryFunction) -> QueryFunction:
    """``query`` with each (name, parameters) answered once: a trace asks about the same superclass many times."""
    answers: dict[tuple[str, tuple[tuple[str, str], ...]], Results] = {}

    def run(name: str, /, **params: object) -> Results:
        key = (name, tuple(sorted((k, str(v)) for k, v in params.items())))
        if key not in answers:
            answers[key] = query(name, **params)
        return answers[key]

    return run


def _below(query: QueryFunction, iri: str, kept: list[Step], skip: set[str], text: str) -> list[Step]:
    """The develops-into steps as seen from ``iri``: a step out of one of the cell's kinds (``skip``) starts at the
    cell itself (not direct: through that kind); a stage below with no step of its own (early pro-B cell) takes its
    nearest superclass's steps, as upward."""
    kept = [s for s in kept if s.cell != iri]
    cells = {s.cell for s in kept}
    out: list[Step] = []
    for s in kept:
        if s.precursor in cells or s.precursor == iri:
            out.append(s)
        elif s.precursor in skip:  # out of one of the cell's kinds
            out.append(Step(s.cell, iri, False))
        else:  # out of a stage with no step of its own: fill it from its superclasses, up to the cell
            gap = _inherit(query, Lineage.from_edges(s.precursor, [], [], {}), text)
            above = [g for g in gap.up if g.precursor in cells or g.precursor == iri or g.cell == s.precursor]
            reached = any(g.precursor in cells or g.precursor == iri for g in above)
            out += [s, *above] if reached else [Step(s.cell, iri, False)]
            cells.add(s.precursor) if reached else None
    return out


def _kinds(query: QueryFunction, steps: list[Step], labels: dict[str, str], text: str) -> list[Lineage]:
    """The lineages of the most mature kinds that have steps of their own, each traced to the stem cell: a kind that
    is a stage on another kind's chain adds nothing."""
    own = {s.cell for s in steps}
    precursors = {s.precursor for s in steps if s.precursor in own}
    mature = sorted(own - precursors, key=lambda k: labels.get(k, k))
    kinds = []
    for kind in mature:
        up, _down, kind_labels = _steps(query, kind, text, down=False)
        kinds.append(_inherit(query, Lineage.from_edges(kind, up, [], {**labels, **kind_labels}), text))
    staged = {i for k in kinds for chain in k.chains() for i in chain[:-1]}
    return [k for k in kinds if k.iri not in staged]


def _inherit(query: QueryFunction, lineage: Lineage, text: str, limit: int = 64) -> Lineage:
    """Fill the gaps: a cell on the chain with no develops-from edge of its own takes those of its nearest
    superclass that has one (what holds of every T cell holds of a thymocyte: it develops from a pro-T cell).
    Only upward steps are fetched for a superclass, never its whole subtree."""
    steps, labels, tried = list(lineage.up), dict(lineage.labels), set[str]()
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
                above, _down, above_labels = _steps(query, parent, text, down=False)
                own = [s for s in above if s.cell == parent]
                if own:
                    steps += [Step(gap, s.precursor, s.direct) for s in own] + above
                    labels = {**above_labels, **labels}
                    break
        current = Lineage.from_edges(lineage.iri, steps, lineage.down, labels)
    return current


def _rows(results: Results) -> tuple[list[Step], dict[str, str]]:
    """Steps and labels from the rows of a step query (cell, cell_label, precursor, precursor_label, relation)."""
    steps: list[Step] = []
    labels: dict[str, str] = {}
    for c, c_label, p, p_label, relation in results:
        steps.append(Step(c.value, p.value, relation.value == REL["directly_develops_from"]))
        for term, lab in ((c, c_label), (p, p_label)):
            if lab is not None:
                labels.setdefault(term.value, lab.value)
    return steps, labels


def _steps(query: QueryFunction, iri: str, text: str, *, down: bool) -> tuple[list[Step], list[Step], dict[str, str]]:
    """The asserted steps above ``iri`` (and, with ``down``, below it) with the labels of the cells they name."""
    up, labels = _rows(query("develops-from-steps", cell=NamedNode(iri)))
    below: list[Step] = []
    if down:
        below, more = _rows(query("develops-into", cell=NamedNode(iri)))
        labels = {**more, **labels}
    if iri not in labels:
        rows = query("term-details", term=NamedNode(iri)).rows
        found = [bound_value(r[1]) for r in rows if bound_value(r[0]) == "label"]
        if not rows:
            raise TermNotFoundError(text)
        if found:
            labels[iri] = found[0]
    return up, below, labels
