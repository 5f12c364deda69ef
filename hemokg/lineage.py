"""Lineages: the develops-from chain of a cell up to the stem cell, and what it develops into below.

Steps are the asserted ``directly develops from`` (RO:0002207) edges, ordered here iteratively (no recursion), so a
chain thousands of steps deep is as safe as a short one. :func:`trace` holds all of the lineage logic (gaps filled
from superclasses, kinds chosen); it reads the graph through a :class:`Source`: :class:`QuerySource` runs the stored
queries (``develops-from-steps``, ``develops-into``, ``kind-steps``, ``kind-groupings``, ``lineage-groupings``,
``subclasses``, ``superclasses``, ``term-details``) through the query function it is handed (``KnowledgeGraph.query``,
any backend), :class:`StoreSource` answers the same questions from an embedded pyoxigraph store's own triples by
pattern lookups (no SPARQL to plan: each answer costs what the cell's neighbourhood holds, whatever the graph's size).
The two give identical answers (``tests/test_lineage_source.py`` holds them to it, cell by cell); the module never
imports the facade.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from itertools import pairwise

from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolutions, Store

from hemokg._hints import Any, NamedTuple, Protocol
from hemokg.errors import TermNotFoundError
from hemokg.sparql.results import Results, bound_value
from hemokg.vocab import DEFINITION, HEMO, OIO, OWL, RDFS, REL, SKOS, iri_to_curie

__all__ = ["Lineage", "QueryFunction", "QuerySource", "Source", "Step", "StepTable", "StoreSource", "trace"]


class QueryFunction(Protocol):
    """Runs a stored query by name with its parameters (``KnowledgeGraph.query``)."""

    def __call__(self, name: str, /, **params: object) -> Results: ...


class Step(NamedTuple):
    """One step: ``cell`` develops from ``precursor`` — directly (one true step) or, where only that is known,
    through stages not named here."""

    cell: str
    precursor: str
    direct: bool = True


class Lineage:
    """The lineage of one cell: the steps above it (toward the stem cell) and below it (toward mature cells).

    ``kinds``: kinds (subclasses) with their own direct steps; ``matched``: how the name asked for was read, when
    not as written (``label (plural of …)``). A plain class, not a dataclass: ``dataclasses`` imports ``inspect``,
    which a cold ``hemokg lineage`` cannot afford."""

    __slots__ = ("down", "iri", "kinds", "labels", "matched", "up")

    def __init__(
        self,
        iri: str,
        labels: dict[str, str] | None = None,
        up: list[Step] | None = None,
        down: list[Step] | None = None,
        kinds: list[Lineage] | None = None,
        matched: str | None = None,
    ) -> None:
        self.iri = iri
        self.labels: dict[str, str] = {} if labels is None else labels
        self.up: list[Step] = [] if up is None else up
        self.down: list[Step] = [] if down is None else down
        self.kinds: list[Lineage] = [] if kinds is None else kinds
        self.matched = matched

    def _fields(self) -> tuple[object, ...]:
        return (self.iri, self.labels, self.up, self.down, self.kinds, self.matched)

    def __eq__(self, other: object) -> bool:
        return self._fields() == other._fields() if isinstance(other, Lineage) else NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass it replaces

    def __repr__(self) -> str:
        steps = f"up={len(self.up)} steps, down={len(self.down)} steps, kinds={len(self.kinds)}"
        return f"Lineage(iri={self.iri!r}, {steps})"

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


def _paths(start: str, parents: dict[str, list[str]], limit: int = 64, budget: int = 100_000) -> list[list[str]]:
    """Paths from each root to ``start`` (roots first): a depth-first walk up the precursors, keeping the current path.

    At most ``limit`` paths and ``budget`` expansions. A path never visits a cell twice: where every precursor of a
    cell is already on the path (a develops-from cycle), the path ends there, as at a root, so a cycle costs one
    path instead of the whole budget (a synthetic graph with cycles took 16 s per lineage before)."""
    stack: list[tuple[str, int]] = [(start, 0)]  # (cell, its depth on the path)
    path: list[str] = []
    on_path: set[str] = set()
    done: list[list[str]] = []
    expanded = 0
    while stack and len(done) < limit and expanded < budget:
        iri, depth = stack.pop()
        expanded += 1
        while len(path) > depth:  # back up to where this cell hangs
            on_path.discard(path.pop())
        path.append(iri)
        on_path.add(iri)
        ups = [p for p in sorted(parents.get(iri, ()), reverse=True) if p not in on_path]
        if not ups:
            done.append(path[::-1])  # root first
            continue
        stack += [(p, depth + 1) for p in ups]
    return done


# --- what a trace reads: one protocol, two sources -----------------------------------------------------------------
Steps = tuple[list[Step], dict[str, str]]


class Source(Protocol):
    """What a trace asks of the graph, each question about one term (an IRI). Every answer is the one the stored
    query named in the method's docstring gives, in its order where the order is kept."""

    def up_steps(self, iri: str) -> Steps:
        """``develops-from-steps``: the asserted steps of the cell and of what it develops from, with labels."""
        ...

    def down_steps(self, iri: str) -> Steps:
        """``develops-into``: the asserted steps of the cells that develop from the cell, with labels."""
        ...

    def kind_steps(self, iri: str) -> Steps:
        """``kind-steps``: the asserted steps of the cell's subclasses, with labels."""
        ...

    def details(self, iri: str) -> tuple[bool, str | None]:
        """``term-details``: whether the graph says anything of the term, and its (first) label."""
        ...

    def subclasses(self, iri: str) -> set[str]:
        """``subclasses``: the hemo terms below the cell (is a, transitively), labelled ones."""
        ...

    def lineage_groupings(self, iri: str) -> set[str]:
        """``lineage-groupings``: the grouping classes among the cells that develop from the cell."""
        ...

    def kind_groupings(self, iri: str) -> set[str]:
        """``kind-groupings``: the cell's kinds that group other kinds with develops-from steps of their own."""
        ...

    def superclasses(self, iri: str) -> list[str]:
        """``superclasses``: the labelled hemo terms above the term (is a, transitively), nearest first."""
        ...

    def may_have_steps(self, iri: str) -> bool:
        """False only where the cell has no asserted develops-from step of its own (no ``up_steps`` row with it as
        the cell): a check that costs nothing, so a trace skips what could not give a step. True when unsure."""
        ...


class QuerySource:
    """A :class:`Source` running the stored queries through ``query`` (``KnowledgeGraph.query``): any backend."""

    def __init__(self, query: QueryFunction) -> None:
        self.query = query

    def up_steps(self, iri: str) -> Steps:
        return _rows(self.query("develops-from-steps", cell=NamedNode(iri)))

    def down_steps(self, iri: str) -> Steps:
        return _rows(self.query("develops-into", cell=NamedNode(iri)))

    def kind_steps(self, iri: str) -> Steps:
        return _rows(self.query("kind-steps", cell=NamedNode(iri)))

    def details(self, iri: str) -> tuple[bool, str | None]:
        rows = self.query("term-details", term=NamedNode(iri)).rows
        found = [bound_value(r[1]) for r in rows if bound_value(r[0]) == "label"]
        return bool(rows), found[0] if found else None

    def subclasses(self, iri: str) -> set[str]:
        return {row[0].value for row in self.query("subclasses", term=NamedNode(iri))}

    def lineage_groupings(self, iri: str) -> set[str]:
        return {row[0].value for row in self.query("lineage-groupings", cell=NamedNode(iri))}

    def kind_groupings(self, iri: str) -> set[str]:
        return {row[0].value for row in self.query("kind-groupings", cell=NamedNode(iri))}

    def superclasses(self, iri: str) -> list[str]:
        return [row[0].value for row in self.query("superclasses", term=NamedNode(iri))]

    def may_have_steps(self, iri: str) -> bool:
        return True  # no query answers it for nothing


_SUBCLASS = NamedNode(RDFS.subClassOf)
_LABEL = NamedNode(RDFS.label)
_ON_PROPERTY = NamedNode(OWL.onProperty)
_SOME = NamedNode(OWL.someValuesFrom)
_DEVELOPS = NamedNode(REL["develops_from"])
_DIRECTLY = NamedNode(REL["directly_develops_from"])
#: The predicates ``term-details`` reports (besides named superclasses).
_DETAILS = tuple(
    NamedNode(p)
    for p in (
        DEFINITION,
        OIO.hasExactSynonym,
        OIO.hasRelatedSynonym,
        OIO.hasNarrowSynonym,
        OIO.hasBroadSynonym,
        SKOS.exactMatch,
        SKOS.closeMatch,
        SKOS.broadMatch,
        SKOS.narrowMatch,
        OIO.hasDbXref,
    )
)
Node = NamedNode | BlankNode
_NODE = (NamedNode, BlankNode)  # for isinstance: ``NamedNode | BlankNode`` builds a new union at every call


def _rank(term: object) -> tuple[int, str]:
    """SPARQL's ORDER BY across kinds of term: blank nodes, then IRIs, then literals, each by its text."""
    rank = 0 if isinstance(term, BlankNode) else 1 if isinstance(term, NamedNode) else 2
    return rank, getattr(term, "value", "")


#: Every asserted develops-from step of a graph: the restrictions first (few), then the classes using them.
_TABLE_QUERY = f"""SELECT ?cell ?relation ?precursor ?cell_label ?precursor_label WHERE {{
  VALUES ?relation {{ <{REL["directly_develops_from"]}> <{REL["develops_from"]}> }}
  ?restriction <{OWL.onProperty}> ?relation ;
               <{OWL.someValuesFrom}> ?precursor .
  FILTER(isIRI(?precursor))
  ?cell <{RDFS.subClassOf}> ?restriction .
  OPTIONAL {{ ?cell <{RDFS.label}> ?cell_label }}
  OPTIONAL {{ ?precursor <{RDFS.label}> ?precursor_label }}
}}"""


class StepTable:
    """Every asserted develops-from step of a store by cell (``?cell rdfs:subClassOf [owl:onProperty ?relation;
    owl:someValuesFrom ?precursor]``, the relation one of the two, the precursor an IRI), read with one query: what
    the step queries join per candidate cell, as dict lookups. Built from the store as it is; whoever holds one
    builds a new one when the store changes (``KnowledgeGraph`` does, by the embedded backend's ``generation``)."""

    def __init__(self, store: Store) -> None:
        by_cell: dict[Node, list[tuple[NamedNode, NamedNode]]] = {}
        labels: dict[Node, Any] = {}  # the first label (in SPARQL's order) of every cell and precursor; None: none
        answer = store.query(_TABLE_QUERY, use_default_graph_as_union=True)
        assert isinstance(answer, QuerySolutions)
        seen = set()
        for cell, relation, precursor, cell_label, precursor_label in answer:
            if (cell, relation, precursor) not in seen:  # one row per label pair: a step once
                seen.add((cell, relation, precursor))
                by_cell.setdefault(cell, []).append((precursor, relation))
            for term, label in ((cell, cell_label), (precursor, precursor_label)):
                known = labels.get(term)
                if known is None or (label is not None and _rank(label) < _rank(known)):
                    labels[term] = label
        #: Per cell, its steps as a step query orders them (by precursor, then relation), each with the cell's and
        #: the precursor's label text (None: none), built once: a lookup then costs what the cell's steps hold.
        self.rows: dict[Node, tuple[tuple[Step, str, str | None, str, str | None], ...]] = {}
        #: Each cell's place in SPARQL's ORDER BY (:func:`_rank`), for ordering the cells of a lookup.
        self.order: dict[Node, tuple[int, str]] = {cell: _rank(cell) for cell in by_cell}
        for cell, steps in by_cell.items():
            cell_label = labels.get(cell)
            self.rows[cell] = tuple(
                (
                    Step(cell.value, precursor.value, relation == _DIRECTLY),
                    cell.value,
                    None if cell_label is None else cell_label.value,
                    precursor.value,
                    None if (label := labels.get(precursor)) is None else label.value,
                )
                for precursor, relation in sorted(steps, key=lambda s: (_rank(s[0]), _rank(s[1])))
            )

    def __len__(self) -> int:
        return sum(len(steps) for steps in self.rows.values())


class StoreSource:
    """A :class:`Source` reading an embedded pyoxigraph store's own triples (over the union of its graphs, as the
    embedded backend's queries do) by pattern lookups: the stored queries' answers without planning SPARQL, each
    costing what the term's neighbourhood holds, whatever the graph's size. Each lookup is remembered for the life
    of the source (a chain's cells share most of their superclasses); :meth:`KnowledgeGraph.lineage
    <hemokg.kg.KnowledgeGraph.lineage>` makes a fresh one per call, so nothing outlives a change to the store.
    With a :class:`StepTable` of the same store, the steps of a candidate cell are one dict lookup."""

    def __init__(self, store: Store, table: StepTable | None = None) -> None:
        self.store = store
        self.table = table
        self._seen_objects: dict[tuple[Node, NamedNode], list[Any]] = {}
        self._seen_subjects: dict[tuple[NamedNode, Node], list[Node]] = {}
        self._seen_labels: dict[Node, list[Literal | None]] = {}

    def _objects(self, subject: Node, predicate: NamedNode) -> list[Any]:
        key = (subject, predicate)
        found = self._seen_objects.get(key)
        if found is None:
            found = self._seen_objects[key] = [q.object for q in self.store.quads_for_pattern(subject, predicate, None)]
        return found

    def _subjects(self, predicate: NamedNode, obj: Node) -> list[Node]:
        key = (predicate, obj)
        found = self._seen_subjects.get(key)
        if found is None:
            found = self._seen_subjects[key] = [q.subject for q in self.store.quads_for_pattern(None, predicate, obj)]  # type: ignore[misc]
        return found

    def _nodes(self, terms: Iterable[object]) -> list[Node]:
        return [t for t in dict.fromkeys(terms) if isinstance(t, _NODE)]

    def _labels(self, term: Node) -> list[Literal | None]:
        found = self._seen_labels.get(term)
        if found is None:
            found = self._seen_labels[term] = sorted(dict.fromkeys(self._objects(term, _LABEL)), key=_rank) or [None]
        return found

    def _steps(self, cells: Iterable[Node]) -> Steps:
        """The rows of a step query for these candidate cells: ``?cell rdfs:subClassOf [owl:onProperty ?relation;
        owl:someValuesFrom ?precursor]``, the relation one of the two develops-from ones and the precursor an IRI,
        distinct, ordered by cell, precursor and relation."""
        if self.table is not None:
            return self._table_steps(cells, self.table)
        rows: set[tuple[Node, NamedNode, NamedNode]] = set()
        for cell in self._nodes(cells):
            for restriction in self._nodes(self._objects(cell, _SUBCLASS)):
                relations = [r for r in self._objects(restriction, _ON_PROPERTY) if r == _DIRECTLY or r == _DEVELOPS]
                if relations:
                    for precursor in self._objects(restriction, _SOME):
                        if isinstance(precursor, NamedNode):
                            rows.update((cell, precursor, relation) for relation in relations)
        steps: list[Step] = []
        labels: dict[str, str] = {}
        for cell, precursor, relation in sorted(rows, key=lambda r: (_rank(r[0]), _rank(r[1]), _rank(r[2]))):
            steps.append(Step(cell.value, precursor.value, relation == _DIRECTLY))
            for term in (cell, precursor):
                if term.value not in labels:
                    found = self._labels(term)[0]
                    if found is not None:
                        labels[term.value] = found.value
        # one row per label pair in the query: a step with two labels is one step once (from_edges keeps it once)
        return steps, labels

    @staticmethod
    def _table_steps(cells: Iterable[object], table: StepTable) -> Steps:
        """:meth:`_steps` from the table's rows, already ordered per cell: the cells in order, their rows in turn."""
        rows = table.rows
        steps: list[Step] = []
        labels: dict[str, str] = {}
        order = table.order
        found = {c for c in cells if isinstance(c, _NODE) and c in rows}
        for cell in sorted(found, key=order.__getitem__):
            for step, cell_iri, cell_label, precursor, precursor_label in rows[cell]:
                steps.append(step)
                if cell_label is not None and cell_iri not in labels:
                    labels[cell_iri] = cell_label
                if precursor_label is not None and precursor not in labels:
                    labels[precursor] = precursor_label
        return steps, labels

    def up_steps(self, iri: str) -> Steps:
        cell = NamedNode(iri)
        return self._steps([cell, *self._objects(cell, _DEVELOPS)])  # ?_cell_iri obo:RO_0002202? ?cell

    def down_steps(self, iri: str) -> Steps:
        return self._steps(self._subjects(_DEVELOPS, NamedNode(iri)))

    def kind_steps(self, iri: str) -> Steps:
        term = NamedNode(iri)
        return self._steps(s for s in self._subjects(_SUBCLASS, term) if isinstance(s, NamedNode) and s != term)

    def details(self, iri: str) -> tuple[bool, str | None]:
        term = NamedNode(iri)
        label = self._labels(term)[0]
        if label is not None:
            return True, label.value
        said = any(next(self.store.quads_for_pattern(term, p, None, None), None) for p in _DETAILS) or any(
            isinstance(o, NamedNode) and o != term for o in self._objects(term, _SUBCLASS)
        )
        return said, None

    def _below(self, term: NamedNode) -> set[Node]:
        """Everything ``rdfs:subClassOf+`` reaches upward to ``term`` (its subclasses, transitively)."""
        seen: set[Node] = set()
        queue: deque[Node] = deque([term])
        while queue:
            for sub in self._subjects(_SUBCLASS, queue.popleft()):
                if sub not in seen and isinstance(sub, _NODE):
                    seen.add(sub)
                    queue.append(sub)
        return seen

    def _above(self, term: NamedNode) -> set[Node]:
        """Everything ``term rdfs:subClassOf+`` reaches (its superclasses, transitively)."""
        seen: set[Node] = set()
        queue: deque[Node] = deque([term])
        while queue:
            for sup in self._objects(queue.popleft(), _SUBCLASS):
                if sup not in seen and isinstance(sup, _NODE):
                    seen.add(sup)
                    queue.append(sup)
        return seen

    def _hemo(self, terms: Iterable[Node], term: NamedNode) -> list[NamedNode]:
        """The labelled hemo IRIs among ``terms``, ``term`` left out."""
        return [
            t
            for t in terms
            if isinstance(t, NamedNode) and t.value.startswith(HEMO) and t != term and self._labels(t)[0] is not None
        ]

    def subclasses(self, iri: str) -> set[str]:
        term = NamedNode(iri)
        return {t.value for t in self._hemo(self._below(term), term)}

    def superclasses(self, iri: str) -> list[str]:
        """Ordered as the query orders them: by the number of the superclass's own named superclasses, most first
        (nearest first), then by label; one row per label."""
        term = NamedNode(iri)
        rows = []
        for sup in self._hemo(self._above(term), term):
            depth = len({a for a in self._objects(sup, _SUBCLASS) if isinstance(a, NamedNode)} - {sup})
            value = sup.value
            rows += [(-depth, _rank(label), value) for label in self._labels(sup) if label is not None]
        return [value for *_key, value in sorted(rows)]

    def may_have_steps(self, iri: str) -> bool:
        return self.table is None or NamedNode(iri) in self.table.rows

    def lineage_groupings(self, iri: str) -> set[str]:
        """The cells below ``iri`` with a proper subclass also below it. Read from each one's subclasses rather than
        from each one's superclasses: a cell has a few kinds but a long chain of superclasses up to the root, so
        this reads a fraction of the triples (the same pairs, from the other end)."""
        below = {s for s in self._subjects(_DEVELOPS, NamedNode(iri)) if isinstance(s, NamedNode)}
        return {g.value for g in below if any(n in below and n != g for n in self._subjects(_SUBCLASS, g))}

    def kind_groupings(self, iri: str) -> set[str]:
        term = NamedNode(iri)
        staged: dict[NamedNode, bool] = {}

        def has_step(cell: NamedNode) -> bool:  # ?cell rdfs:subClassOf [owl:onProperty one of the two]
            if cell not in staged:
                staged[cell] = any(
                    r == _DIRECTLY or r == _DEVELOPS
                    for restriction in self._nodes(self._objects(cell, _SUBCLASS))
                    for r in self._objects(restriction, _ON_PROPERTY)
                )
            return staged[cell]

        out = set()
        for grouping in self._nodes(self._subjects(_SUBCLASS, term)):
            if isinstance(grouping, NamedNode) and grouping != term:
                narrower = self._subjects(_SUBCLASS, grouping)
                if any(isinstance(n, NamedNode) and n != grouping and has_step(n) for n in narrower):
                    out.add(grouping.value)
        return out


class _Once:
    """A source with each question answered once per trace (a trace asks about the same superclass many times)."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.answers: dict[tuple[str, str], Any] = {}

    def _ask(self, name: str, iri: str) -> Any:
        key = (name, iri)
        if key not in self.answers:
            self.answers[key] = getattr(self.source, name)(iri)
        return self.answers[key]

    def up_steps(self, iri: str) -> Steps:
        return self._ask("up_steps", iri)  # type: ignore[no-any-return]

    def down_steps(self, iri: str) -> Steps:
        return self._ask("down_steps", iri)  # type: ignore[no-any-return]

    def kind_steps(self, iri: str) -> Steps:
        return self._ask("kind_steps", iri)  # type: ignore[no-any-return]

    def details(self, iri: str) -> tuple[bool, str | None]:
        return self._ask("details", iri)  # type: ignore[no-any-return]

    def subclasses(self, iri: str) -> set[str]:
        return self._ask("subclasses", iri)  # type: ignore[no-any-return]

    def lineage_groupings(self, iri: str) -> set[str]:
        return self._ask("lineage_groupings", iri)  # type: ignore[no-any-return]

    def kind_groupings(self, iri: str) -> set[str]:
        return self._ask("kind_groupings", iri)  # type: ignore[no-any-return]

    def superclasses(self, iri: str) -> list[str]:
        return self._ask("superclasses", iri)  # type: ignore[no-any-return]

    def may_have_steps(self, iri: str) -> bool:
        check = getattr(self.source, "may_have_steps", None)  # a source of an earlier protocol: unsure
        return True if check is None else bool(check(iri))


# --- tracing a lineage ---------------------------------------------------------------------------------------------
def trace(source: Source | QueryFunction, iri: str, text: str) -> Lineage:
    """The lineage of the cell ``iri`` as a hematologist draws it (``text`` is what the user typed, for errors);
    ``source`` is a :class:`Source` or a stored-query function (read through :class:`QuerySource`).

    Upward: the asserted steps up to the stem cell, a gap (a stage with no develops-from edge of its own) filled from
    its nearest superclass that has one. Downward: what develops from the cell or from one of its kinds (an
    erythroblast's orthochromatic stage becomes a reticulocyte), through the stages only: grouping classes
    ("granulocyte", "myeloid cell": no direct step of their own, a kind of them below the cell) and the cell's own
    kinds are not stages below it. When the cell has no direct step of its own (CL's neutrophil includes its immature
    forms), the chains of its most specific, most mature kinds come along in ``kinds``, each traced to the stem cell.
    Each question is asked at most once per trace, for one cell.
    """
    src = _Once(source if hasattr(source, "up_steps") else QuerySource(source))  # type: ignore[arg-type]
    up, down, labels = _steps(src, iri, text, down=True)
    kind_up, kind_labels = src.kind_steps(iri)
    labels = {**kind_labels, **labels}
    kinds = {s.cell for s in kind_up}
    if not any(s.precursor == iri for s in down):  # nothing develops from the cell itself: start from its kinds
        kinds |= src.subclasses(iri)
    groupings = src.lineage_groupings(iri)
    below = _below(src, iri, _prune(down, groupings, kinds), kinds, text)
    lineage = _inherit(src, Lineage.from_edges(iri, up, below, labels), text)
    if not any(s.direct for s in lineage.up if s.cell == iri):
        groupings = src.kind_groupings(iri)
        lineage.kinds = _kinds(src, [s for s in kind_up if s.cell not in groupings], labels, text)
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


def _below(src: Source, iri: str, kept: list[Step], skip: set[str], text: str) -> list[Step]:
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
            gap = _inherit(src, Lineage.from_edges(s.precursor, [], [], {}), text)
            above = [g for g in gap.up if g.precursor in cells or g.precursor == iri or g.cell == s.precursor]
            reached = any(g.precursor in cells or g.precursor == iri for g in above)
            out += [s, *above] if reached else [Step(s.cell, iri, False)]
            cells.add(s.precursor) if reached else None
    return out


def _kinds(src: Source, steps: list[Step], labels: dict[str, str], text: str) -> list[Lineage]:
    """The lineages of the most mature kinds that have steps of their own, each traced to the stem cell: a kind that
    is a stage on another kind's chain adds nothing."""
    own = {s.cell for s in steps}
    precursors = {s.precursor for s in steps if s.precursor in own}
    mature = sorted(own - precursors, key=lambda k: labels.get(k, k))
    kinds = []
    for kind in mature:
        up, _down, kind_labels = _steps(src, kind, text, down=False)
        kinds.append(_inherit(src, Lineage.from_edges(kind, up, [], {**labels, **kind_labels}), text))
    staged = {i for k in kinds for chain in k.chains() for i in chain[:-1]}
    return [k for k in kinds if k.iri not in staged]


def _inherit(src: Source, lineage: Lineage, text: str, limit: int = 64) -> Lineage:
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
        before = len(steps)
        for gap in gaps:
            tried.add(gap)
            for parent in src.superclasses(gap):
                if not src.may_have_steps(parent):  # no step of its own: nothing to take from it
                    continue
                above, _down, above_labels = _steps(src, parent, text, down=False)
                own = [s for s in above if s.cell == parent]
                if own:
                    steps += [Step(gap, s.precursor, s.direct) for s in own] + above
                    labels = {**above_labels, **labels}
                    break
        if len(steps) > before:  # else the same steps: the same lineage (a walk of a walk's steps is that walk)
            current = Lineage.from_edges(lineage.iri, steps, lineage.down, labels)
    return current


def _rows(results: Results) -> Steps:
    """Steps and labels from the rows of a step query (cell, cell_label, precursor, precursor_label, relation)."""
    steps: list[Step] = []
    labels: dict[str, str] = {}
    for c, c_label, p, p_label, relation in results:
        steps.append(Step(c.value, p.value, relation.value == REL["directly_develops_from"]))
        for term, lab in ((c, c_label), (p, p_label)):
            if lab is not None:
                labels.setdefault(term.value, lab.value)
    return steps, labels


def _steps(src: Source, iri: str, text: str, *, down: bool) -> tuple[list[Step], list[Step], dict[str, str]]:
    """The asserted steps above ``iri`` (and, with ``down``, below it) with the labels of the cells they name."""
    up, labels = src.up_steps(iri)
    labels = dict(labels)
    below: list[Step] = []
    if down:
        below, more = src.down_steps(iri)
        labels = {**more, **labels}
    if iri not in labels:
        said, label = src.details(iri)
        if not said:
            raise TermNotFoundError(text)
        if label is not None:
            labels[iri] = label
    return up, below, labels
