"""The query commands: ``queries``, ``query``, ``sparql``, ``lookup`` and ``lineage``."""

from __future__ import annotations

from typing import Any

import click

from hemokg.cli.options import (
    command_params,
    open_kg,
    output_options,
    render_results,
    resolved_format,
    source_options,
    write_output,
)
from hemokg.cli.spec import UsageProblem

__all__ = ["lineage_cmd", "lookup_cmd", "queries_cmd", "query_cmd", "sparql_cmd"]


@click.command("queries", epilog="Example: hemokg queries --format json")
@output_options
def queries_cmd(fmt: str | None, output: str) -> None:
    """List the stored queries with their summaries and parameters."""
    from hemokg.cli.render import render_rows
    from hemokg.sparql.queries import catalog

    cat = catalog()
    items = [cat[name] for name in cat]
    data = [
        {
            "name": q.name,
            "summary": q.summary,
            "description": q.description,
            "tags": list(q.tags),
            "competency": list(q.competency),
            "params": [
                {
                    "name": p.name,
                    "type": p.type,
                    "required": p.required,
                    "description": p.description,
                    "example": p.example,
                }
                for p in q.params
            ],
        }
        for q in items
    ]
    fmt = resolved_format(fmt, output)
    if fmt == "table":  # optional parameters marked with "?", for a reader
        rows = [[q.name, ", ".join(p.name + ("" if p.required else "?") for p in q.params), q.summary] for q in items]
    else:
        rows = [[q.name, ",".join(p.name for p in q.params), q.summary] for q in items]
    write_output(render_rows(fmt, ["query", "parameters", "summary"], rows, data=data), output)


def _usage(work: Any, **kwargs: Any) -> None:
    """Run a command's click-free work; a value it cannot use becomes click's ``BadParameter``."""
    try:
        work(**kwargs)
    except UsageProblem as exc:
        raise click.BadParameter(exc.message, param_hint=exc.param_hint) from None


@click.command("query", epilog="Example: hemokg query develops-from-steps -p cell=neutrophil --format json")
@command_params("query")
def query_cmd(**kwargs: Any) -> None:
    """Run the stored query NAME (see `hemokg queries`)."""
    from hemokg.cli import hot

    _usage(hot.query, **kwargs)


@click.command("sparql", epilog="Example: hemokg sparql 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'")
@click.argument("text", required=False)
@click.option("-f", "--file", "path", type=click.Path(exists=True, dir_okay=False), help="Read the query from FILE.")
@click.option(
    "--allow-service",
    is_flag=True,
    help="Let the embedded store run SERVICE (federated) clauses: it then sends requests to any address the query "
    "names. Off by default.",
)
@source_options
@output_options
def sparql_cmd(
    text: str | None, path: str | None, allow_service: bool, fmt: str | None, output: str, **source: Any
) -> None:
    """Run a read-only SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE)."""
    if (text is None) == (path is None):
        raise click.UsageError("give the query inline or with -f FILE (one of them)")
    if path is not None:
        from hemokg.errors import SPARQLSyntaxError
        from hemokg.fileio import read_regular_file
        from hemokg.sparql.guard import MAX_QUERY_CHARS

        try:
            text = read_regular_file(path, limit=4 * MAX_QUERY_CHARS).decode("utf-8")
        except OSError as exc:
            raise SPARQLSyntaxError(f"{path}: cannot read the query: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:
            raise SPARQLSyntaxError(
                f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason}); save the query as UTF-8"
            ) from None
    kg = open_kg(**source, allow_service=allow_service)
    results = kg.sparql(text or "")
    write_output(render_results(results, resolved_format(fmt, output)), output)


@click.command("lookup", epilog="Examples:\n\n\b\n  hemokg lookup Haematopoiesis\n  hemokg lookup CL:0000775")
@command_params("lookup")
def lookup_cmd(**kwargs: Any) -> None:
    """Find a term by label, synonym, CURIE or IRI (case-, accent- and spelling-insensitive)."""
    from hemokg.cli import hot

    _usage(hot.lookup, **kwargs)


@click.command("lineage", epilog="Example: hemokg lineage neutrophil")
@command_params("lineage")
def lineage_cmd(**kwargs: Any) -> None:
    """What CELL develops from, step by step from the stem cell, and what it develops into."""
    from hemokg.cli import hot

    _usage(hot.lineage, **kwargs)
