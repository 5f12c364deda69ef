"""What ``hemokg lineage``, ``lookup`` and ``query`` do, without click: open the graph, run, render, write.

The click commands in :mod:`hemokg.cli.query` and the fast path in :mod:`hemokg.cli.fast` both call these functions
with the keywords the table in :mod:`hemokg.cli.spec` names, so there is one copy of each command's work. A problem
with a value the command line accepted raises :class:`~hemokg.cli.spec.UsageProblem` before anything is opened or
written.

Layer: the command line; imports the rest of hemokg inside the functions.
"""

from __future__ import annotations

from hemokg._hints import Any
from hemokg.cli.options import open_kg, render_results, resolved_format, write_output
from hemokg.cli.spec import UsageProblem

__all__ = ["lineage", "lookup", "parse_params", "query"]


def parse_params(values: tuple[str, ...]) -> dict[str, str]:
    """``-p NAME=VALUE`` values as a mapping; each name once."""
    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageProblem(f"{item!r} is not NAME=VALUE", param_hint="-p/--param")
        if name.strip() in out:
            raise UsageProblem(f"{name.strip()!r} is given twice; give each parameter once", param_hint="-p/--param")
        out[name.strip()] = value
    return out


def query(*, name: str, params: tuple[str, ...], fmt: str | None, output: str, **source: Any) -> None:
    """Run the stored query ``name`` with ``-p`` values and write its results."""
    values = parse_params(params)
    kg = open_kg(**source)
    results = kg.query(name, **values)
    write_output(render_results(results, resolved_format(fmt, output)), output)


def lookup(*, text: str, fmt: str | None, output: str, **source: Any) -> None:
    """Find a term by label, synonym, CURIE or IRI and write it."""
    from hemokg.cli.render import render_term

    kg = open_kg(**source)
    write_output(render_term(kg.lookup(text), resolved_format(fmt, output)), output)


def lineage(*, cell: str, fmt: str | None, output: str, **source: Any) -> None:
    """Write what ``cell`` develops from, step by step, and what it develops into."""
    from hemokg.cli.render import render_lineage

    kg = open_kg(**source)
    write_output(render_lineage(kg.lineage(cell), resolved_format(fmt, output)), output)
