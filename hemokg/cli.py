"""The ``hemokg`` command line: every command imports what it needs inside itself, so ``--help`` is instant.

Commands from other modules are registered by name in ``COMMANDS`` and imported only when run; errors become one
line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import os
import sys
from importlib import import_module
from typing import Any

import click

from hemokg._version import __version__

__all__ = ["COMMANDS", "FORMATS", "cli", "main", "open_kg", "output_options", "source_options", "write_output"]

#: The one set of format names every command uses.
FORMATS = (
    "table",
    "json",
    "csv",
    "tsv",
    "turtle",
    "ntriples",
    "nquads",
    "rdfxml",
    "jsonld",
    "obo",
    "obographs",
    "sssom",
)
RESULT_FORMATS = ("table", "json", "csv", "tsv")

#: Commands that live in their own modules: name -> "module:attribute" (imported when the command runs).
COMMANDS: dict[str, str] = {
    "queries": "hemokg.cli:queries_cmd",
    "query": "hemokg.cli:query_cmd",
    "sparql": "hemokg.cli:sparql_cmd",
    "lookup": "hemokg.cli:lookup_cmd",
    "lineage": "hemokg.cli:lineage_cmd",
    "reason": "hemokg.cli:reason_cmd",
    "build": "hemokg.cli:build_cmd",
    "export": "hemokg.commands.export:export_cmd",
    "release": "hemokg.commands.export:release_cmd",
    "format": "hemokg.commands.export:format_cmd",
    "push": "hemokg.commands.remote:push_cmd",
    "imports": "hemokg.commands.imports:imports_group",
    "check-links": "hemokg.commands.imports:check_links_cmd",
    "draw": "hemokg.commands.site:draw_group",
    "site": "hemokg.commands.site:site_cmd",
    "serve": "hemokg.commands.site:serve_cmd",
}
SUMMARIES = {
    "queries": "List the stored queries with their summaries and parameters.",
    "query": "Run a stored query: hemokg query NAME -p name=value.",
    "sparql": "Run a read-only SPARQL query given inline or with -f FILE.",
    "lookup": "Find a term by label, synonym, CURIE or IRI.",
    "lineage": "What a cell develops from, step by step, and what it develops into.",
    "reason": "Check the ontology with a reasoner (HermiT or Pellet): consistency and unsatisfiable classes.",
    "build": "Rebuild the shipped reasoned graph (ontology/hemo-reasoned.nq) from hemo.ttl.",
    "export": "Write the graph in an ecosystem format (Turtle, JSON-LD, OBO, RDF/XML, …).",
    "release": "Write the release products (base and full, every format) in one go.",
    "format": "Rewrite hemo.ttl in canonical Turtle (or --check that it is).",
    "push": "Upload the reasoned graph to a SPARQL 1.1 server.",
    "imports": "Build the external ontology import modules from release files.",
    "check-links": "Check every mapping target against the shipped modules or release files.",
    "draw": "Draw the lineage tree or the sites of blood production (SVG/PNG).",
    "site": "Write a static, searchable documentation site of the ontology.",
    "serve": "Serve the site and a read-only SPARQL endpoint on 127.0.0.1.",
}


class LazyGroup(click.Group):
    """A group whose commands are imported only when invoked (or asked for help)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, attr = target.partition(":")
        try:
            return getattr(import_module(module), attr)
        except (ImportError, AttributeError) as exc:
            raise click.ClickException(f"the {cmd_name!r} command is not available: {exc}") from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, SUMMARIES.get(name, "")) for name in COMMANDS])


def _version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from hemokg.versions import versions

    info = versions()
    click.echo(f"hemokg {__version__}")
    click.echo(f"ontology hemo {info['hemo']}")
    for name, version in info["imports"].items():
        click.echo(f"import {name} {version}")
    ctx.exit()


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110},
    epilog="Example:\n\n\b\n  hemokg lineage neutrophil\n  hemokg lookup haemopoiesis\n"
    "  hemokg query develops-from-steps -p cell=erythrocyte --format json",
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_version,
    help="Show the package, ontology and import versions.",
)
def cli() -> None:
    """hemokg: the knowledge graph of hematopoiesis (blood cell production).

    Queries an OBO-style OWL ontology linked to CL, GO, Uberon, MONDO and HP, on an embedded store by default
    (no server, no network) or on any SPARQL 1.1 endpoint with --endpoint.
    """


# --- shared options ----------------------------------------------------------------------------------------------
def source_options(func: Any) -> Any:
    """Options choosing the graph: embedded (asserted/reasoned, with imports) or a remote endpoint."""
    options = [
        click.option(
            "--endpoint",
            metavar="URL",
            envvar="HEMOKG_ENDPOINT",
            help="Query this SPARQL 1.1 endpoint instead of the embedded store.",
        ),
        click.option("--graph", "graph_iri", metavar="IRI", help="Named graph holding hemo on the endpoint."),
        click.option("--update-endpoint", metavar="URL", help="The endpoint's SPARQL Update URL, if separate."),
        click.option("--store-endpoint", metavar="URL", help="The endpoint's Graph Store Protocol URL, if separate."),
        click.option(
            "--timeout",
            type=click.FloatRange(0.1),
            default=30.0,
            envvar="HEMOKG_TIMEOUT",
            show_default=True,
            help="Seconds to wait for the endpoint.",
        ),
        click.option("--asserted", is_flag=True, help="Use the asserted ontology only (no inferences)."),
        click.option("--with-imports", is_flag=True, help="Include the CL/GO/Uberon/MONDO/HP import modules."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def output_options(func: Any) -> Any:
    """``--format`` (table on a terminal, tsv otherwise) and ``-o FILE``."""
    func = click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, allow_dash=True),
        default="-",
        help="Write to FILE instead of standard output.",
    )(func)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(RESULT_FORMATS),
        default=None,
        help="Output format [default: table on a terminal, else tsv].",
    )(func)


def open_kg(
    endpoint: str | None = None,
    graph_iri: str | None = None,
    update_endpoint: str | None = None,
    store_endpoint: str | None = None,
    asserted: bool = False,
    with_imports: bool = False,
    timeout: float = 30.0,
    **_: Any,
):
    """The knowledge graph the options name."""
    if endpoint:
        from hemokg.backends.remote import connect

        return connect(
            endpoint,
            update_url=update_endpoint,
            store_url=store_endpoint,
            graph=graph_iri,
            auth=_auth_from_env(),
            timeout=timeout,
        )
    from hemokg.store import load

    return load(reasoned=not asserted, imports=with_imports)


def _auth_from_env() -> tuple[str, str] | None:
    user, password = os.environ.get("HEMOKG_USER"), os.environ.get("HEMOKG_PASSWORD")
    return (user, password) if user and password is not None else None


def resolved_format(fmt: str | None, output: str = "-") -> str:
    """The format to write: the one asked for, else table on a terminal and tsv elsewhere."""
    if fmt:
        return fmt
    return "table" if output == "-" and sys.stdout.isatty() else "tsv"


def write_output(text: str | bytes, output: str = "-") -> None:
    """Write to stdout, or atomically to a file (nothing half-written)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    from pathlib import Path

    from hemokg.build import atomic_write

    try:
        atomic_write(Path(output), data)
    except OSError as exc:
        from hemokg.errors import ExportError

        raise ExportError(f"cannot write {output}: {exc.strerror or exc}; nothing was written") from None


def render_results(results: Any, fmt: str) -> str:
    """A :class:`~hemokg.results.Results` in one of the result formats (graphs as Turtle/N-Triples)."""
    if results.kind == "graph":
        return results.to_ntriples() if fmt in ("tsv", "csv") else results.to_turtle()
    return {"table": results.to_table, "json": results.to_json, "csv": results.to_csv, "tsv": results.to_tsv}[fmt]()


# --- core commands ------------------------------------------------------------------------------------------------
@click.command("queries", epilog="Example: hemokg queries --format json")
@output_options
def queries_cmd(fmt: str | None, output: str) -> None:
    """List the stored queries with their summaries and parameters."""
    import json

    from hemokg.queries import catalog

    cat = catalog()
    items = [cat[name] for name in cat]
    fmt = resolved_format(fmt, output)
    if fmt == "json":
        text = (
            json.dumps(
                [
                    {
                        "name": q.name,
                        "summary": q.summary,
                        "tags": list(q.tags),
                        "competency": list(q.competency),
                        "params": [
                            {
                                "name": p.name,
                                "type": p.type,
                                "required": p.required,
                                "description": p.description,
                                "default": p.default,
                            }
                            for p in q.params
                        ],
                    }
                    for q in items
                ],
                indent=2,
            )
            + "\n"
        )
    elif fmt == "table":
        from hemokg.textout import table

        text = table(
            ["query", "parameters", "summary"],
            [[q.name, ", ".join(p.name + ("" if p.required else "?") for p in q.params), q.summary] for q in items],
        )
    else:
        from hemokg.textout import delimited

        text = delimited(
            ["query", "parameters", "summary"],
            [[q.name, ",".join(p.name for p in q.params), q.summary] for q in items],
            fmt,
        )
    write_output(text, output)


def _params(values: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="-p/--param")
        if name.strip() in out:
            raise click.BadParameter(
                f"{name.strip()!r} is given twice; give each parameter once", param_hint="-p/--param"
            )
        out[name.strip()] = value
    return out


@click.command("query", epilog="Example: hemokg query develops-from-steps -p cell=neutrophil --format json")
@click.argument("name")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="A parameter value (repeatable).")
@source_options
@output_options
def query_cmd(name: str, params: tuple[str, ...], fmt: str | None, output: str, **source: Any) -> None:
    """Run the stored query NAME (see `hemokg queries`)."""
    kg = open_kg(**source)
    results = kg.query(name, **_params(params))
    write_output(render_results(results, resolved_format(fmt, output)), output)


@click.command("sparql", epilog="Example: hemokg sparql 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'")
@click.argument("text", required=False)
@click.option("-f", "--file", "path", type=click.Path(exists=True, dir_okay=False), help="Read the query from FILE.")
@source_options
@output_options
def sparql_cmd(text: str | None, path: str | None, fmt: str | None, output: str, **source: Any) -> None:
    """Run a read-only SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE)."""
    if (text is None) == (path is None):
        raise click.UsageError("give the query inline or with -f FILE (one of them)")
    if path is not None:
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except UnicodeDecodeError as exc:
            from hemokg.errors import SPARQLSyntaxError

            raise SPARQLSyntaxError(
                f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason}); save the query as UTF-8"
            ) from None
    kg = open_kg(**source)
    results = kg.sparql(text or "")
    write_output(render_results(results, resolved_format(fmt, output)), output)


@click.command("lookup", epilog="Example: hemokg lookup Haematopoiesis   |   hemokg lookup CL:0000775")
@click.argument("text")
@source_options
@output_options
def lookup_cmd(text: str, fmt: str | None, output: str, **source: Any) -> None:
    """Find a term by label, synonym, CURIE or IRI (case-, accent- and spelling-insensitive)."""
    from hemokg.textout import render_term

    kg = open_kg(**source)
    write_output(render_term(kg.lookup(text), resolved_format(fmt, output)), output)


@click.command("lineage", epilog="Example: hemokg lineage neutrophil")
@click.argument("cell")
@source_options
@output_options
def lineage_cmd(cell: str, fmt: str | None, output: str, **source: Any) -> None:
    """What CELL develops from, step by step from the stem cell, and what it develops into."""
    from hemokg.textout import render_lineage

    kg = open_kg(**source)
    write_output(render_lineage(kg.lineage(cell), resolved_format(fmt, output)), output)


@click.command("reason", epilog="Example: hemokg reason --reasoner pellet")
@click.option("--reasoner", type=click.Choice(["hermit", "pellet"]), default="hermit", show_default=True)
@click.option("--ontology", type=click.Path(exists=True, dir_okay=False), help="Reason over this Turtle file.")
@click.option("--with-imports", is_flag=True, help="Reason over hemo merged with the import modules.")
@output_options
def reason_cmd(reasoner: str, ontology: str | None, with_imports: bool, fmt: str | None, output: str) -> None:
    """Check the ontology with a reasoner: consistency, unsatisfiable classes, inferred subclasses."""
    from hemokg.textout import render_report

    report = _reason(reasoner, ontology, with_imports)
    write_output(render_report(report, resolved_format(fmt, output)), output)
    if not report.consistent or report.unsatisfiable:
        sys.exit(1)


def _reason(reasoner: str, ontology: str | None, with_imports: bool):
    from pyoxigraph import RdfFormat, Store, serialize

    from hemokg.build import parse_ontology
    from hemokg.reasoning import reason
    from hemokg.store import sources

    union = Store()
    for name, data, _graph in sources(ontology, imports=with_imports):
        union.extend(parse_ontology(data, path=name))
    return reason(serialize((q.triple for q in union), format=RdfFormat.N_TRIPLES) or b"", reasoner=reasoner)


@click.command("build", epilog="Example: hemokg build && git diff --stat ontology/hemo-reasoned.nq")
@click.option("--reasoner", type=click.Choice(["hermit", "pellet"]), default="hermit", show_default=True)
def build_cmd(reasoner: str) -> None:
    """Rebuild ontology/hemo-reasoned.nq, the shipped reasoned graph, from ontology/hemo.ttl."""
    from hemokg.build import atomic_write, build_reasoned, input_hash, reasoned_nquads
    from hemokg.resources import reasoned_path
    from hemokg.store import sources

    inputs = sources()
    key = input_hash([data for _, data, _ in inputs], reasoner)
    blob = reasoned_nquads(build_reasoned(inputs, reasoner=reasoner), key)
    try:
        atomic_write(reasoned_path(), blob)
    except OSError as exc:
        from hemokg.errors import ExportError

        raise ExportError(
            f"cannot write {reasoned_path()}: {exc.strerror or exc}; the previous file is untouched"
        ) from None
    count = blob.count(b"\n") - 1
    click.echo(f"wrote {reasoned_path()} ({count} quads)", err=True)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; a :class:`~hemokg.errors.HemoError` becomes one line on stderr and exit status 1."""
    from hemokg.errors import HemoError

    try:
        cli.main(args=argv, prog_name="hemokg", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("hemokg: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except HemoError as exc:
        click.echo(f"hemokg: error: {exc}", err=True)
        sys.exit(1)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except KeyboardInterrupt:
        click.echo("hemokg: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # the CLI never shows a traceback; HEMOKG_DEBUG=1 shows it
        if os.environ.get("HEMOKG_DEBUG"):
            raise
        click.echo(f"hemokg: internal error: {type(exc).__name__}: {exc} (set HEMOKG_DEBUG=1 for details)", err=True)
        sys.exit(70)
