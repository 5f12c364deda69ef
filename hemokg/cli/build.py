"""The ontology maintainer's commands: ``reason`` (consistency, unsatisfiable classes) and ``build``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from hemokg.cli.options import output_options, resolved_format, write_output

if TYPE_CHECKING:
    from hemokg.graph.reasoning import ReasonerReport

__all__ = ["build_cmd", "reason_cmd"]


@click.command("reason", epilog="Example: hemokg reason --reasoner pellet")
@click.option("--reasoner", type=click.Choice(["hermit", "pellet"]), default="hermit", show_default=True)
@click.option("--ontology", type=click.Path(exists=True, dir_okay=False), help="Reason over this Turtle file.")
@click.option("--with-imports", is_flag=True, help="Reason over hemo merged with the import modules.")
@output_options
def reason_cmd(reasoner: str, ontology: str | None, with_imports: bool, fmt: str | None, output: str) -> None:
    """Check the ontology with a reasoner: consistency, unsatisfiable classes, inferred subclasses."""
    from hemokg.cli.render import render_report

    report = _reason(reasoner, ontology, with_imports)
    write_output(render_report(report, resolved_format(fmt, output)), output)
    if not report.consistent or report.unsatisfiable:
        sys.exit(1)


def _reason(reasoner: str, ontology: str | None, with_imports: bool) -> ReasonerReport:
    from pyoxigraph import RdfFormat, Store, serialize

    from hemokg.graph.parse import parse_ontology
    from hemokg.graph.reasoning import reason
    from hemokg.graph.store import sources

    union = Store()
    for name, data, _graph in sources(ontology, imports=with_imports):
        union.extend(parse_ontology(data, path=name))
    return reason(serialize((q.triple for q in union), format=RdfFormat.N_TRIPLES) or b"", reasoner=reasoner)


@click.command(
    "build",
    epilog="Example:\n\n\b\n  hemokg build   # in a source checkout, `git diff --stat` then shows what changed",
)
@click.option("--reasoner", type=click.Choice(["hermit", "pellet"]), default="hermit", show_default=True)
def build_cmd(reasoner: str) -> None:
    """Rebuild ontology/hemo-reasoned.nq (the shipped reasoned graph) and queries/headers.marshal (compiled queries)."""
    from hemokg.fileio import atomic_write
    from hemokg.graph.build import build_reasoned, input_checksum, input_hash, reasoned_nquads
    from hemokg.graph.store import sources
    from hemokg.resources import reasoned_path

    inputs = sources()
    datas = [data for _, data, _ in inputs]
    blob = reasoned_nquads(
        build_reasoned(inputs, reasoner=reasoner), input_hash(datas, reasoner), input_checksum(datas, reasoner)
    )
    try:
        atomic_write(reasoned_path(), blob)
    except OSError as exc:
        from hemokg.errors import ExportError

        raise ExportError(
            f"cannot write {reasoned_path()}: {exc.strerror or exc}; the previous file is untouched"
        ) from None
    count = blob.count(b"\n") - 1
    click.echo(f"wrote {reasoned_path()} ({count} quads)", err=True)
    from hemokg.resources import queries_dir
    from hemokg.sparql.compiled import COMPILED_FILE
    from hemokg.sparql.queries import compile_queries

    headers = queries_dir() / COMPILED_FILE
    try:
        atomic_write(headers, compile_queries())
    except OSError as exc:
        from hemokg.errors import ExportError

        raise ExportError(f"cannot write {headers}: {exc.strerror or exc}; the previous file is untouched") from None
    click.echo(f"wrote {headers} (the stored queries' headers and text checks, compiled)", err=True)
    from hemokg.cli.group import write_help_pages

    try:
        pages = write_help_pages()
    except OSError as exc:
        from hemokg.errors import ExportError

        raise ExportError(f"cannot write the pre-rendered --help pages: {exc.strerror or exc}") from None
    click.echo(f"wrote {', '.join(pages)} (`hemokg --help`, pre-rendered)", err=True)
