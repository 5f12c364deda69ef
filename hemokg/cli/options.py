"""Options and plumbing every command shares: which graph to open, output format and file, credentials."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from hemokg.kg import KnowledgeGraph

__all__ = [
    "OUTPUT_FORMATS",
    "auth_from_env",
    "open_kg",
    "output_options",
    "render_results",
    "resolved_format",
    "source_options",
    "write_output",
]

#: The --format choices of the query commands (names of :data:`hemokg.sparql.results.RESULT_FORMATS`).
OUTPUT_FORMATS = ("table", "json", "csv", "tsv")


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
        type=click.Choice(OUTPUT_FORMATS),
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
