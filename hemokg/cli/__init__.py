"""The ``hemokg`` command line: every command imports what it needs inside itself, so ``--help`` is instant.

Every command lives in a module of this package (one per family), registered by name in ``COMMANDS`` and imported
only when run; errors become one line on stderr and a non-zero exit, never a traceback.

Layer: the top one; may import every other part of hemokg (lazily, inside the commands).
"""

from __future__ import annotations

import os
import sys
from importlib import import_module

import click

from hemokg._version import __version__

__all__ = ["COMMANDS", "cli", "main"]

#: Commands that live in their own modules: name -> "module:attribute" (imported when the command runs).
COMMANDS: dict[str, str] = {
    "queries": "hemokg.cli.query:queries_cmd",
    "query": "hemokg.cli.query:query_cmd",
    "sparql": "hemokg.cli.query:sparql_cmd",
    "lookup": "hemokg.cli.query:lookup_cmd",
    "lineage": "hemokg.cli.query:lineage_cmd",
    "annotate": "hemokg.cli.annotate:annotate_cmd",
    "reason": "hemokg.cli.build:reason_cmd",
    "build": "hemokg.cli.build:build_cmd",
    "export": "hemokg.cli.export:export_cmd",
    "release": "hemokg.cli.export:release_cmd",
    "format": "hemokg.cli.export:format_cmd",
    "push": "hemokg.cli.push:push_cmd",
    "imports": "hemokg.cli.links:imports_group",
    "check-links": "hemokg.cli.links:check_links_cmd",
    "draw": "hemokg.cli.web:draw_group",
    "site": "hemokg.cli.web:site_cmd",
    "serve": "hemokg.cli.web:serve_cmd",
}
SUMMARIES = {
    "queries": "List the stored queries with their summaries and parameters.",
    "query": "Run a stored query: hemokg query NAME -p name=value.",
    "sparql": "Run a read-only SPARQL query given inline or with -f FILE.",
    "lookup": "Find a term by label, synonym, CURIE or IRI.",
    "lineage": "What a cell develops from, step by step, and what it develops into.",
    "annotate": "Map cell-type labels (text, CSV/TSV, .h5ad) to Cell Ontology terms, or abstain.",
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
            command = getattr(import_module(module), attr)
        except (ImportError, AttributeError) as exc:
            raise click.ClickException(f"the {cmd_name!r} command is not available: {exc}") from None
        if not isinstance(command, click.Command):
            raise click.ClickException(f"the {cmd_name!r} command is not available: {target} is not a command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, SUMMARIES.get(name, "")) for name in COMMANDS])


def _version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from hemokg.resources import versions

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
        from hemokg.backends.http import printable

        click.echo(f"hemokg: error: {printable(str(exc))}", err=True)  # no terminal escapes from a server's text
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
