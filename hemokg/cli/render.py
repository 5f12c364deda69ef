"""Rendering rows, terms, lineages and reasoner reports for the terminal (table) and for pipes (tsv, csv, json)."""

from __future__ import annotations

from collections.abc import Sequence

from hemokg._hints import Any
from hemokg.sparql.results import delimited, table
from hemokg.vocab import iri_to_curie

__all__ = ["render_lineage", "render_report", "render_rows", "render_term"]


def render_rows(fmt: str, header: Sequence[str], rows: Sequence[Sequence[str]], *, data: object) -> str:
    """``data`` as indented JSON, or ``header`` and ``rows`` as a table, CSV or TSV."""
    if fmt == "json":
        import json

        return json.dumps(data, indent=2) + "\n"
    return table(header, rows) if fmt == "table" else delimited(header, rows, fmt)


def render_term(term: Any, fmt: str) -> str:
    """A looked-up term in the given format."""
    if fmt == "json":
        import json

        return json.dumps(term.asdict(), indent=2, ensure_ascii=False) + "\n"
    rows: list[list[str]] = [
        ["iri", term.iri],
        ["curie", term.curie or ""],
        ["label", term.label or ""],
        ["definition", term.definition or ""],
    ]
    rows += [[f"synonym ({scope})", text] for text, scope in term.synonyms]
    rows += [["parent", f"{label or ''} ({iri_to_curie(iri) or iri})"] for iri, label in term.parents]
    rows += [[predicate, target] for predicate, target in term.mappings]
    if term.matched:
        rows.append(["matched by", term.matched])
    if fmt == "table":
        return table(["field", "value"], rows, title=f"{term.label or term.iri}")
    return delimited(["field", "value"], rows, fmt)


def render_lineage(lineage: Any, fmt: str) -> str:
    """A lineage: its develops-from chains and its develops-into paths."""
    if fmt == "json":
        import json

        return json.dumps(lineage.asdict(), indent=2, ensure_ascii=False) + "\n"
    chains, outcomes = lineage.chains(), lineage.outcomes()
    if fmt == "table":
        name = lineage.label(lineage.iri)
        lines = [f"{name} ({iri_to_curie(lineage.iri) or lineage.iri})", "", "develops from, step by step:"]
        if lineage.matched:
            lines[1:1] = [f"matched by {lineage.matched}"]
        lines += ["  " + lineage.render(chain) for chain in chains if len(chain) > 1] or ["  (no recorded precursor)"]
        for kind in lineage.kinds:
            lines += ["", f"one kind of {name}, {kind.label(kind.iri)}, step by step:"]
            lines += ["  " + kind.render(chain) for chain in kind.chains() if len(chain) > 1]
        lines += ["", "develops into:"]
        lines += ["  " + lineage.render(path) for path in outcomes if len(path) > 1] or [
            "  (nothing further: a mature cell)"
        ]
        if any(not s.direct for s in (*lineage.up, *lineage.down)):
            lines += ["", "→ one step; ⇢ develops from, through stages not named in between"]
        return "\n".join(lines) + "\n"
    rows = []
    groups = [("develops_from", lineage, chains), ("develops_into", lineage, outcomes)]
    groups += [(f"kind:{iri_to_curie(k.iri) or k.iri}", k, k.chains()) for k in lineage.kinds]
    for direction, owner, paths in groups:
        for n, path in enumerate(p for p in paths if len(p) > 1):
            for step, iri in enumerate(path):
                rows.append([direction, str(n + 1), str(step + 1), iri_to_curie(iri) or iri, owner.label(iri)])
    return delimited(["direction", "path", "step", "id", "label"], rows, fmt)


def render_report(report: Any, fmt: str) -> str:
    """A reasoner report: consistency, unsatisfiable classes, number of inferred axioms."""
    data = {
        "reasoner": report.reasoner,
        "consistent": report.consistent,
        "unsatisfiable": list(report.unsatisfiable),
        "inferred": len(report.inferred),
        "seconds": round(report.seconds, 3),
    }
    rows = [
        ["reasoner", report.reasoner],
        ["consistent", "yes" if report.consistent else "NO"],
        ["unsatisfiable classes", ", ".join(iri_to_curie(i) or i for i in report.unsatisfiable) or "none"],
        ["inferred axioms", str(len(report.inferred))],
        ["seconds", f"{report.seconds:.2f}"],
    ]
    return render_rows(fmt, ["check", "result"], rows, data=data)
