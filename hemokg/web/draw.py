"""Pictures generated from the graph: the lineage tree (coloured by lineage, with sites) and the sites of production.

Everything drawn comes from SPARQL over the knowledge graph: the develops-from axioms, the is-a hierarchy, the
relation graph (has output, occurs in, located in, happens during, disease causes disruption of) and the labels.
The only fixed knowledge here is which external classes *define* a lineage (``LINEAGES``: CL cells and GO
processes); which hemo cells belong to it is read from the graph. Layout is Graphviz ``dot`` (imported lazily).
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hemokg.errors import DrawError
from hemokg.vocab import HEMO, OBO, RDFS, REL, iri_to_curie

if TYPE_CHECKING:
    from hemokg.kg import KnowledgeGraph

__all__ = [
    "LINEAGES",
    "DrawError",
    "LineageGraph",
    "draw_lineage",
    "draw_sites",
    "focus_on",
    "lineage_dot",
    "lineage_graph",
    "render",
    "sites_dot",
]

SUBCLASS = RDFS + "subClassOf"
#: Lineage name, colour, and the external classes that define it (a cell is-a one, or a process has it as output).
#: Listed most specific first: a mature cell takes the first lineage it belongs to.
LINEAGES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("erythroid", "#e15759", ("CL:0000764", "CL:0000232", "CL:0000558", "GO:0030218")),
    ("megakaryocytic", "#b07aa1", ("CL:0000556", "CL:0000233", "CL:0000553", "GO:0030219", "GO:0030220")),
    ("lymphoid", "#59a14f", ("CL:0000542", "CL:0000838", "GO:0030098")),
    ("myeloid", "#4e79a7", ("CL:0000763", "CL:0000766", "GO:0030099", "GO:0002573")),
)
NO_LINEAGE = "#bab0ac"
PICTURE_FORMATS = ("svg", "png", "pdf", "dot")
_LINEAGE_RELS = (REL["directly_develops_from"], REL["develops_from"])
_SITE_RELS = (REL["occurs_in"], REL["located_in"])


@dataclass
class LineageGraph:
    """Cells (IRI -> label, lineages, sites) and develops-from edges (cell, relation IRI, precursor)."""

    labels: dict[str, str] = field(default_factory=dict)
    lineages: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sites: dict[str, tuple[str, ...]] = field(default_factory=dict)
    edges: list[tuple[str, str, str]] = field(default_factory=list)
    focus: str | None = None
    supers: dict[str, set[str]] = field(default_factory=dict, repr=False)

    @property
    def nodes(self) -> list[str]:
        """Every cell drawn, by label."""
        return sorted(self.lineages, key=lambda i: (self.labels.get(i, i), i))

    def label(self, iri: str) -> str:
        """A term's label, else its CURIE."""
        return self.labels.get(iri) or iri_to_curie(iri) or iri

    def subgraph(self, keep: set[str], focus: str | None = None) -> LineageGraph:
        """Only the cells in ``keep`` and the edges between them."""
        return LineageGraph(
            {k: v for k, v in self.labels.items() if k in keep or not k.startswith(HEMO)},
            {k: v for k, v in self.lineages.items() if k in keep},
            {k: v for k, v in self.sites.items() if k in keep},
            [e for e in self.edges if e[0] in keep and e[2] in keep],
            focus,
            self.supers,
        )

    def around(self, iris: Iterable[str]) -> set[str]:
        """The given cells with every cell above them (precursors) and below them (what they develop into)."""
        up: dict[str, set[str]] = {}
        down: dict[str, set[str]] = {}
        for c, _, p in self.edges:
            up.setdefault(c, set()).add(p)
            down.setdefault(p, set()).add(c)
        keep: set[str] = set()
        for start in iris:
            for links in (up, down):
                stack = [start]
                while stack:
                    node = stack.pop()
                    if node not in keep or node == start:
                        keep.add(node)
                        stack.extend(n for n in links.get(node, ()) if n not in keep)
        return keep


def _rows(kg: KnowledgeGraph, text: str) -> list[tuple[str, ...]]:
    return [tuple(t.value if t is not None else "" for t in row) for row in kg.sparql(text)]


def relations(kg: KnowledgeGraph, predicates: Iterable[str]) -> list[tuple[str, str, str]]:
    """Plain ``s p o`` triples between named classes (the relation graph and the is-a closure), for predicates."""
    from hemokg.sparql.guard import iri_ref

    values = " ".join(iri_ref(p, what="predicate") for p in predicates)
    return _rows(
        kg,
        f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o . "
        f"FILTER(isIRI(?s) && isIRI(?o) && ?s != ?o) }}",
    )  # type: ignore[return-value]


def labels(kg: KnowledgeGraph) -> dict[str, str]:
    """Every named term's label (hemo terms first, so a merged import never hides a hemo label)."""
    out: dict[str, str] = {}
    for iri, label in sorted(
        _rows(kg, f"SELECT ?t ?l WHERE {{ ?t <{RDFS}label> ?l . FILTER(isIRI(?t)) }}"),
        key=lambda r: not r[0].startswith(HEMO),
    ):
        out.setdefault(iri, label)
    return out


def lineage_graph(kg: KnowledgeGraph, term: str | None = None) -> LineageGraph:
    """The lineage tree from the graph, or with ``term`` (a cell or a process) only the part above and below it."""
    names = labels(kg)
    restrictions = _rows(
        kg,
        f"""
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        SELECT DISTINCT ?cell ?rel ?precursor WHERE {{
          VALUES ?rel {{ {" ".join(f"<{r}>" for r in _LINEAGE_RELS)} }}
          ?cell <{SUBCLASS}> ?r . ?r owl:onProperty ?rel ; owl:someValuesFrom ?precursor .
          FILTER(isIRI(?cell) && isIRI(?precursor) && STRSTARTS(STR(?cell), "{HEMO}")
                 && STRSTARTS(STR(?precursor), "{HEMO}"))
        }}""",
    )
    supers: dict[str, set[str]] = {}
    for s, _, o in relations(kg, [SUBCLASS]):
        supers.setdefault(s, set()).add(o)
    own: dict[str, list[tuple[str, str]]] = {}
    for cell, rel, precursor in restrictions:
        own.setdefault(cell, []).append((rel, precursor))
    nodes = set(own) | {p for steps in own.values() for _, p in steps}
    steps: dict[str, list[tuple[str, str]]] = {}
    for cell in nodes:  # a cell with no step of its own inherits the steps of its nearest classes that have one
        if cell in own:
            steps[cell] = own[cell]
            continue
        holders = [s for s in supers.get(cell, ()) if s in own]
        nearest = [h for h in holders if not any(h in supers.get(o, ()) for o in holders if o != h)]
        steps[cell] = [step for h in sorted(nearest) for step in own[h]]
    has_child = {p for ss in steps.values() for _, p in ss}
    subs = {n: {s for s in nodes if n in supers.get(s, ())} for n in nodes}
    grouping = {n for n in nodes if n not in has_child and subs[n]}  # generic classes drawn through their kinds
    drawn = nodes - grouping
    edges = sorted({(c, rel, p) for c in drawn for rel, p in steps[c] if p in drawn})
    edges = _reduce(edges)
    graph = LineageGraph(names, {}, {}, edges, supers=supers)
    graph.lineages = _lineages(kg, drawn, edges, supers)
    graph.sites = _sites(kg, drawn, supers)
    for rel in _LINEAGE_RELS:
        graph.labels.setdefault(rel, iri_to_curie(rel) or rel)
    return graph if term is None else focus_on(kg, graph, term)


def focus_on(kg: KnowledgeGraph, graph: LineageGraph, term: str) -> LineageGraph:
    """The part of a lineage graph above and below a cell, or around the cells a process has as output."""
    iri = kg.resolve(term, prefer_hemo=True)
    targets = _term_cells(kg, iri, set(graph.lineages), graph.supers)
    if not targets:
        label = graph.labels.get(iri, term)
        raise DrawError(
            f"{label!r} is neither a cell in a lineage nor a process with cells as output; "
            "give a cell (e.g. neutrophil) or a process (e.g. thrombopoiesis)"
        )
    return graph.subgraph(graph.around(targets), focus=iri)


def _reduce(edges: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Drop an edge c -> p when p is also reachable from c through another drawn precursor (a shortcut)."""
    up: dict[str, set[str]] = {}
    for c, _, p in edges:
        up.setdefault(c, set()).add(p)

    def reachable(start: str, skip: str) -> set[str]:
        seen, stack = set(), [q for q in up.get(start, ()) if q != skip]
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(up.get(node, ()))
        return seen

    return [(c, rel, p) for c, rel, p in edges if p not in reachable(c, p)]


def _anchor_members(kg: KnowledgeGraph, supers: dict[str, set[str]]) -> dict[str, set[str]]:
    """Lineage name -> the hemo classes that are, or are the output of, a class mapped to one of its anchors."""
    anchors = {OBO + c.replace(":", "_"): name for name, _, cs in LINEAGES for c in cs}
    rows = _rows(
        kg,
        f"""
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT DISTINCT ?t ?anchor ?out WHERE {{
          VALUES ?anchor {{ {" ".join(f"<{a}>" for a in anchors)} }}
          ?t skos:exactMatch|skos:closeMatch ?anchor .
          OPTIONAL {{ ?t <{REL["has_output"]}> ?out . FILTER(isIRI(?out)) }}
        }}""",
    )
    outputs: dict[tuple[str, str], set[str]] = {}
    for t, anchor, out in rows:
        outputs.setdefault((anchors[anchor], t), set()).update([out] if out else [])
    members: dict[str, set[str]] = {}
    for (name, t), outs in outputs.items():
        members.setdefault(name, set()).update(_specific(outs, supers) or {t})
    return members


def _specific(items: Iterable[str], supers: dict[str, set[str]]) -> set[str]:
    """The items that are not a superclass of another item (the relation graph repeats facts for superclasses)."""
    found = set(items)
    return {i for i in found if not any(i in supers.get(j, ()) for j in found if j != i)}


def _lineages(
    kg: KnowledgeGraph, drawn: set[str], edges: list[tuple[str, str, str]], supers: dict[str, set[str]]
) -> dict[str, tuple[str, ...]]:
    """Each mature cell takes the first lineage it belongs to; a precursor, every lineage it can become."""
    members = _anchor_members(kg, supers)
    down: dict[str, set[str]] = {}
    for c, _, p in edges:
        down.setdefault(p, set()).add(c)
    order = [name for name, _, _ in LINEAGES]

    def own(cell: str) -> str | None:
        mine = {cell} | supers.get(cell, set())
        return next((name for name in order if mine & members.get(name, set())), None)

    out: dict[str, tuple[str, ...]] = {}
    for cell in drawn:
        leaves, stack, seen = set(), [cell], set()
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            if down.get(node):
                stack.extend(down[node])
            else:
                leaves.add(node)
        found = {own(leaf) for leaf in leaves} - {None}
        out[cell] = tuple(name for name in order if name in found)
    return out


def _sites(kg: KnowledgeGraph, drawn: set[str], supers: dict[str, set[str]]) -> dict[str, tuple[str, ...]]:
    """Where each cell is made or found: its own located in/part of sites, and the sites of the processes (or
    of the processes they are part of) that have the cell, or a class it belongs to, as output."""
    triples = relations(kg, [*_SITE_RELS, REL["part_of"], REL["has_part"], REL["has_output"]])
    places = {o for _, p, o in triples if p in _SITE_RELS}
    occurs: dict[str, set[str]] = {}
    outputs: dict[str, set[str]] = {}
    wholes: dict[str, set[str]] = {}
    located: dict[str, set[str]] = {}
    for s, p, o in triples:
        if p == REL["occurs_in"]:
            occurs.setdefault(s, set()).add(o)
        elif p == REL["has_output"]:
            outputs.setdefault(o, set()).add(s)
        elif p == REL["has_part"]:
            wholes.setdefault(o, set()).add(s)
        elif p == REL["part_of"] and o not in places:
            wholes.setdefault(s, set()).add(o)
        if p in (REL["located_in"], REL["part_of"]) and o in places:
            located.setdefault(s, set()).add(o)
    made: dict[str, set[str]] = {}
    for cell, procs in outputs.items():
        for proc in procs:
            made.setdefault(proc, set()).add(cell)
    outputs = {}
    for proc, cells in made.items():
        for cell in _specific(cells, supers):
            outputs.setdefault(cell, set()).add(proc)
    out: dict[str, tuple[str, ...]] = {}
    for cell in drawn:
        kinds = {cell} | supers.get(cell, set())
        found = {site for k in kinds for site in located.get(k, ())}
        for proc in {p for k in kinds for p in outputs.get(k, ())}:
            for whole in {proc} | wholes.get(proc, set()):
                found |= occurs.get(whole, set())
        out[cell] = tuple(sorted(_specific(found, supers)))
    return out


def _term_cells(kg: KnowledgeGraph, iri: str, drawn: set[str], supers: dict[str, set[str]]) -> set[str]:
    if iri in drawn:
        return {iri}
    triples = relations(kg, [REL["has_output"], REL["part_of"], REL["has_part"]])
    procs = (
        {iri}
        | {s for s, p, o in triples if p == REL["part_of"] and o == iri}
        | {o for s, p, o in triples if p == REL["has_part"] and s == iri}
    )
    outs: set[str] = set()
    for proc in procs:  # each process's own outputs, not the superclasses the relation graph repeats them for
        outs |= _specific((o for s, p, o in triples if p == REL["has_output"] and s == proc), supers)
    if not outs:
        outs = {iri}
    return {c for c in drawn if c in outs or supers.get(c, set()) & outs}


# --- Graphviz ------------------------------------------------------------------------------------------------------
def _colour(names: tuple[str, ...]) -> str:
    colours = {name: colour for name, colour, _ in LINEAGES}
    if not names:
        return NO_LINEAGE
    if len(names) == 1:
        return colours[names[0]]
    share = round(1 / len(names), 3)
    return ":".join(f"{colours[n]};{share}" for n in names)


def _node_label(title: str, sub: Iterable[str], bold: bool = False) -> str:
    name = html.escape(title)
    name = f"<B>{name}</B>" if bold else name
    lines = [f'<FONT POINT-SIZE="9">{html.escape(s)}</FONT>' for s in sub]
    return "<" + "<BR/>".join([name, *lines]) + ">"


def lineage_dot(graph: LineageGraph, *, title: str = "") -> Any:
    """A Graphviz digraph of a lineage graph: precursors above, lineage colours, relation labels, sites."""
    import graphviz

    dot = graphviz.Digraph(
        "lineage",
        graph_attr={
            "rankdir": "TB",
            "fontname": "Helvetica",
            "label": title,
            "labelloc": "t",
            "fontsize": "16",
            "nodesep": "0.25",
            "ranksep": "0.45",
            "bgcolor": "white",
        },
        node_attr={"fontname": "Helvetica", "fontsize": "11", "style": "filled", "penwidth": "1"},
        edge_attr={"fontname": "Helvetica", "fontsize": "8", "color": "#555555"},
    )
    has_child = {p for _, _, p in graph.edges}
    for iri in graph.nodes:
        names = graph.lineages.get(iri, ())
        sites = [graph.labels.get(s, iri_to_curie(s) or s) for s in graph.sites.get(iri, ())]
        mature = iri not in has_child
        attrs = {
            "shape": "ellipse" if mature else "box",
            "fillcolor": _colour(names),
            "fontcolor": "white" if len(names) == 1 else "black",
            "class": " ".join(["cell", *(f"lineage-{n}" for n in names)]),
            "tooltip": f"{iri_to_curie(iri) or iri}: {', '.join(names) or 'no lineage'}",
        }
        if len(names) > 1:
            attrs["style"] = "filled,striped" if not mature else "wedged"
        if iri == graph.focus:
            attrs["penwidth"] = "3"
        dot.node(
            _id(iri),
            _node_label(graph.label(iri), [f"in {', '.join(sites)}"] if sites else [], bold=iri == graph.focus),
            **attrs,
        )
    for cell, rel, precursor in graph.edges:
        dot.edge(
            _id(precursor),
            _id(cell),
            label=graph.labels.get(rel, rel),
            dir="back",
            style="solid" if rel == REL["directly_develops_from"] else "dashed",
            **{"class": "step"},
        )
    with dot.subgraph(
        name="cluster_legend", graph_attr={"label": "lineage", "fontsize": "10", "style": "rounded", "color": "#999999"}
    ) as legend:
        for name, colour, _ in LINEAGES:
            legend.node(
                f"legend_{name}",
                name,
                shape="box",
                fillcolor=colour,
                fontcolor="white",
                fontsize="9",
                **{"class": f"legend lineage-{name}"},
            )
    return dot


def _id(iri: str) -> str:
    """A node id without ':' (Graphviz reads ``a:b`` in an edge as node ``a``, port ``b``)."""
    return (iri_to_curie(iri) or iri).replace(":", "_")


def sites_dot(kg: KnowledgeGraph) -> Any:
    """Where blood is made: processes grouped by the stage they happen during (stages nested by part of), the
    sites they occur in, and the diseases that disrupt them."""
    import graphviz

    names = labels(kg)
    triples = relations(
        kg, [REL["occurs_in"], REL["happens_during"], REL["disease_causes_disruption_of"], REL["part_of"], SUBCLASS]
    )
    supers: dict[str, set[str]] = {}
    wholes: dict[str, set[str]] = {}
    for s_, p, o in triples:
        if p == SUBCLASS:
            supers.setdefault(s_, set()).add(o)
        elif p == REL["part_of"]:
            wholes.setdefault(s_, set()).add(o)
    above = {k: supers.get(k, set()) | wholes.get(k, set()) for k in set(supers) | set(wholes)}

    def objects(pred: str) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for s_, p, o in triples:
            if p == pred and s_.startswith(HEMO):
                out.setdefault(s_, set()).add(o)
        return {k: _specific(v, above) for k, v in out.items()}

    occurs, during = objects(REL["occurs_in"]), objects(REL["happens_during"])
    disrupts = objects(REL["disease_causes_disruption_of"])
    disrupts = {
        d: ps
        for d, ps in disrupts.items()  # said once, of the most general disease that says it
        if not any(ps <= disrupts.get(g, set()) for g in supers.get(d, ()))
    }
    procs = set(occurs) | {p for ps in disrupts.values() for p in ps}
    stage_of = {p: sorted(_specific(during.get(p, set()), above)) for p in procs}
    stages = {s_ for ss in stage_of.values() for s_ in ss}
    for stage in list(stages):
        stages |= {w for w in wholes.get(stage, ()) if w in set().union(*during.values())}
    parent = {st: next(iter(sorted(_specific(wholes.get(st, set()) & stages, above))), "") for st in stages}

    dot = graphviz.Digraph(
        "sites",
        graph_attr={
            "rankdir": "LR",
            "fontname": "Helvetica",
            "labelloc": "t",
            "label": "Where blood is made: before birth, after birth, in disease",
            "fontsize": "16",
            "nodesep": "0.2",
            "ranksep": "0.9",
            "bgcolor": "white",
        },
        node_attr={"fontname": "Helvetica", "fontsize": "11", "style": "filled"},
        edge_attr={"fontname": "Helvetica", "fontsize": "8", "color": "#555555"},
    )

    def cluster(graph: Any, stage: str) -> None:
        members = sorted((p for p in procs if (stage_of[p][:1] or [""])[0] == stage), key=lambda p: names.get(p, p))
        for proc in members:
            graph.node(
                _id(proc), names.get(proc, _id(proc)), shape="ellipse", fillcolor="#fde9c9", **{"class": "process"}
            )
        for child in sorted((c for c in stages if parent[c] == stage), key=lambda c: names.get(c, c)):
            with graph.subgraph(
                name=f"cluster_{_id(child)}",
                graph_attr={
                    "label": f"during: {names.get(child, _id(child))}",
                    "fontsize": "11",
                    "style": "rounded,filled",
                    "fillcolor": "#00000010",
                    "color": "#999999",
                },
            ) as sub:
                cluster(sub, child)

    cluster(dot, "")
    for site in sorted({o for os in occurs.values() for o in os}):
        dot.node(_id(site), names.get(site, _id(site)), shape="box", fillcolor="#c9e4f5", **{"class": "site"})
    for proc, sites in sorted(occurs.items()):
        for site in sorted(sites):
            dot.edge(_id(proc), _id(site), label=names.get(REL["occurs_in"], "occurs in"), **{"class": "occurs-in"})
    for disease, targets in sorted(disrupts.items()):
        dot.node(
            _id(disease), names.get(disease, _id(disease)), shape="octagon", fillcolor="#f6c6c6", **{"class": "disease"}
        )
        for proc in sorted(targets):
            dot.edge(
                _id(disease),
                _id(proc),
                label=names.get(REL["disease_causes_disruption_of"], "disrupts"),
                style="dashed",
                color="#b03030",
                **{"class": "disrupts"},
            )
    return dot


def render(dot: Any, path: str | Path) -> Path:
    """Lay out and write a picture, its format from the file suffix (svg, png, pdf, dot), atomically."""
    from hemokg.fileio import atomic_write

    target = Path(path)
    fmt = target.suffix.lstrip(".").lower()
    if fmt not in PICTURE_FORMATS:
        raise DrawError(
            f"{target}: cannot tell the picture format from {target.suffix or 'no suffix'!r}; "
            f"end the file name with one of {', '.join('.' + f for f in PICTURE_FORMATS)}"
        )
    data = dot.source.encode() if fmt == "dot" else pipe(dot, fmt)
    try:
        atomic_write(target, data)
    except OSError as exc:
        raise DrawError(f"cannot write {target}: {exc.strerror or exc}; nothing was written") from None
    return target


def pipe(dot: Any, fmt: str) -> bytes:
    """Run Graphviz on a graph; a missing ``dot`` program says how to install it."""
    import graphviz

    try:
        data: bytes = dot.pipe(format=fmt, quiet=True)
        return data
    except graphviz.ExecutableNotFound:
        raise DrawError(
            "Graphviz's `dot` program is not installed; install it with `apt-get install graphviz` "
            "(or your system's graphviz package)"
        ) from None
    except graphviz.CalledProcessError as exc:
        raise DrawError(f"Graphviz failed: {(exc.stderr or b'').decode(errors='replace').strip()[:300]}") from None


def draw_lineage(kg: KnowledgeGraph, path: str | Path, term: str | None = None) -> Path:
    """Draw the whole lineage tree, or the part above and below ``term``, to ``path``."""
    graph = lineage_graph(kg, term)
    title = f"Lineage of {graph.labels.get(graph.focus, term)}" if graph.focus else "Blood cell lineages"
    return render(lineage_dot(graph, title=title), path)


def draw_sites(kg: KnowledgeGraph, path: str | Path) -> Path:
    """Draw where blood is made (before and after birth, and in disease) to ``path``."""
    return render(sites_dot(kg), path)
