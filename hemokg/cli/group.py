"""The click group of ``hemokg``: commands imported only when invoked (or asked for help), and click's error handling.

Imported by :func:`hemokg.cli.main` only when the fast path (:mod:`hemokg.cli.fast`) does not handle a command line,
so a hot command never imports click.

Layer: the command line.
"""

from __future__ import annotations

import sys
from importlib import import_module

import click

from hemokg._version import __version__
from hemokg.cli.commands import COMMANDS, SUMMARIES

__all__ = ["HELP_WIDTHS", "LazyGroup", "cli", "help_page", "run_click", "write_help_pages"]


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


#: The widths ``hemokg --help`` is pre-rendered at (:func:`write_help_pages`): what click uses on a pipe or an
#: 80-column terminal (78) and on any terminal of 110 columns or more (108, the group's ``max_content_width`` - 2).
HELP_WIDTHS = (78, 108)


def help_page(width: int) -> str:
    """``hemokg --help`` as click writes it when its help formatter is ``width`` wide."""
    settings = {**cli.context_settings, "terminal_width": width}
    with click.Context(cli, info_name="hemokg", **settings) as ctx:
        return ctx.get_help() + "\n"


def write_help_pages() -> list[str]:
    """Write ``help-WIDTH.txt`` beside :mod:`hemokg.cli.fast` for each of :data:`HELP_WIDTHS` (``hemokg build``
    does): the fast path prints one for ``hemokg --help`` without importing click. Returns the paths written."""
    from pathlib import Path

    from hemokg.fileio import atomic_write

    written = []
    for width in HELP_WIDTHS:
        path = Path(__file__).with_name(f"help-{width}.txt")
        atomic_write(path, help_page(width).encode("utf-8"))
        written.append(str(path))
    return written


def run_click(argv: list[str] | None) -> None:
    """Run the click group on ``argv``; click's own exits, aborts and usage errors end the process here."""
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
