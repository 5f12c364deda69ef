"""Options and plumbing every command shares: which graph to open, output format and file, credentials.

The shared options are data in :mod:`hemokg.cli.spec`; the click decorators here are built from that table (click is
imported only when a decorator is built), so :func:`open_kg`, :func:`write_output`, :func:`resolved_format` and
:func:`render_results` can be used without importing click (the fast path in :mod:`hemokg.cli.fast` does). A command
that words a shared option its own way takes it with :func:`shared_option`; a bounded number option with its default
shown is :func:`bounded_option`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from hemokg._hints import TYPE_CHECKING, Any
from hemokg.cli.spec import HOT_COMMANDS, OUTPUT_FORMATS, OUTPUT_OPTIONS, SOURCE_OPTIONS, Option

if TYPE_CHECKING:
    from typing import TypeVar

    from hemokg.kg import KnowledgeGraph

    F = TypeVar("F", bound=Callable[..., Any])

__all__ = [
    "OUTPUT_FORMATS",
    "auth_from_env",
    "bounded_option",
    "click_option",
    "command_params",
    "open_kg",
    "output_options",
    "render_results",
    "resolved_format",
    "shared_option",
    "source_options",
    "write_output",
]


def click_option(option: Option, **extra: Any) -> Any:
    """The click decorator for one option of the table in :mod:`hemokg.cli.spec` (``extra``: more click keywords)."""
    import click

    kwargs: dict[str, Any] = {"help": option.help}
    if option.metavar is not None:
        kwargs["metavar"] = option.metavar
    if option.envvar is not None:
        kwargs["envvar"] = option.envvar
    if option.show_default:
        kwargs["show_default"] = True
    if option.kind == "flag":
        kwargs["is_flag"] = True
    elif option.kind == "float":
        kwargs["type"] = click.FloatRange(option.minimum) if option.minimum is not None else click.FLOAT
        kwargs["default"] = option.default
    elif option.kind == "choice":
        kwargs["type"] = click.Choice(option.choices)
        kwargs["default"] = option.default
    elif option.kind == "path":
        kwargs["type"] = click.Path(dir_okay=False, allow_dash=True)
        kwargs["default"] = option.default
    elif option.kind == "multiple":
        kwargs["multiple"] = True
    elif option.default is not None:
        kwargs["default"] = option.default
    return click.option(*option.decls, option.dest, **kwargs, **extra)


def _apply(options: tuple[Option, ...], func: Any) -> Any:
    for option in reversed(options):
        func = click_option(option)(func)
    return func


def shared_option(dest: str, *, help: str, envvar: bool = True, required: bool = False) -> Callable[[F], F]:
    """The source option ``dest`` of :data:`~hemokg.cli.spec.SOURCE_OPTIONS` as one command words it (``help``);
    ``envvar=False``: not read from the environment; ``required``: the command cannot run without it."""
    option = next(o for o in SOURCE_OPTIONS if o.dest == dest)
    decorate: Callable[[F], F] = click_option(
        option._replace(help=help, envvar=option.envvar if envvar else None), required=required
    )
    return decorate


def bounded_option(
    *decls: str, default: float, minimum: float, maximum: float | None = None, help: str, **extra: Any
) -> Callable[[F], F]:
    """A number option from ``minimum`` to ``maximum`` (whole when ``default`` is an int), its default shown in
    ``--help``; ``extra``: more of click's keywords (e.g. ``metavar``)."""
    import click

    bounds = (
        click.IntRange(int(minimum), None if maximum is None else int(maximum))
        if isinstance(default, int)
        else click.FloatRange(minimum, maximum)
    )
    decorate: Callable[[F], F] = click.option(
        *decls, type=bounds, default=default, show_default=True, help=help, **extra
    )
    return decorate


def source_options(func: Any) -> Any:
    """Options choosing the graph: embedded (asserted/reasoned, with imports) or a remote endpoint."""
    return _apply(SOURCE_OPTIONS, func)


def output_options(func: Any) -> Any:
    """``--format`` (table on a terminal, tsv otherwise) and ``-o FILE``."""
    return _apply(OUTPUT_OPTIONS, func)


def command_params(name: str) -> Callable[[F], F]:
    """Every argument and option of the hot command ``name``, as click decorators, from the table."""
    import click

    spec = HOT_COMMANDS[name]

    def decorate(func: F) -> F:
        out = _apply(spec.options, func)
        for argument in reversed(spec.arguments):
            out = click.argument(argument.name)(out)
        return out  # type: ignore[no-any-return]

    return decorate


def open_kg(
    endpoint: str | None = None,
    graph_iri: str | None = None,
    update_endpoint: str | None = None,
    store_endpoint: str | None = None,
    asserted: bool = False,
    with_imports: bool = False,
    timeout: float = 30.0,
    allow_service: bool = False,
    ontology: str | None = None,
    **_: Any,
) -> KnowledgeGraph:
    """The knowledge graph the options name: the one place every command opens its graph (an endpoint, or the
    embedded store over hemo.ttl or ``ontology``)."""
    if endpoint:
        from hemokg.kg import connect

        return connect(
            endpoint,
            update_url=update_endpoint,
            store_url=store_endpoint,
            graph=graph_iri or None,
            use_server_default_graph=graph_iri == "",  # --graph '': the server's own default graph
            auth=auth_from_env(),
            timeout=timeout,
        )
    from hemokg.kg import load

    return load(ontology, reasoned=not asserted, imports=with_imports, allow_service=allow_service)


def auth_from_env() -> tuple[str, str] | None:
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

    from hemokg.fileio import atomic_write

    try:
        atomic_write(Path(output), data)
    except OSError as exc:
        from hemokg.errors import ExportError

        raise ExportError(f"cannot write {output}: {exc.strerror or exc}; nothing was written") from None


def render_results(results: Any, fmt: str) -> str:
    """A :class:`~hemokg.sparql.results.Results` in one of the result formats (graphs as Turtle/N-Triples)."""
    return str(results.serialize(fmt))
