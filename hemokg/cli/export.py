"""The ``export``, ``release`` and ``format`` commands: files in every ecosystem format, and canonical hemo.ttl.

The format choices come from :data:`hemokg.formats.registry.FORMATS`; everything heavy is imported inside the commands.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from hemokg.cli.options import open_kg, shared_option, write_output
from hemokg.formats.registry import FORMATS

__all__ = ["export_cmd", "format_cmd", "release_cmd"]

_BY_EXTENSION = {f".{spec.extension}": name for name, spec in FORMATS.items()}


@click.command(
    "export",
    epilog="Examples:\n\n\b\n  hemokg export --format obo -o hemo.obo\n"
    "  hemokg export --reasoned --format turtle -o hemo-reasoned.ttl\n"
    "  hemokg export --format jsonld --frame term -o terms.jsonld\n"
    "  hemokg export --format jsonld --jsonld10 -o hemo-1.0.jsonld",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(FORMATS)),
    default=None,
    help="Output format [default: from the -o file extension].",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    show_default=True,
    help="Write to FILE (atomically) or '-' for standard output.",
)
@click.option("--reasoned", is_flag=True, help="Export the reasoned graph (asserted + inferred + relation graph).")
@shared_option("with_imports", help="Include the CL/GO/Uberon/MONDO/HsapDv/HP import modules.")
@click.option("--ontology", type=click.Path(exists=True, dir_okay=False), help="Export this Turtle file instead.")
@shared_option(
    "endpoint",
    envvar=False,
    help="Export the graph held by this SPARQL 1.1 endpoint (credentials from HEMOKG_USER/HEMOKG_PASSWORD).",
)
@shared_option("graph_iri", help="With --endpoint: the named graph holding hemo.")
@shared_option("timeout", help="With --endpoint: seconds to wait for the endpoint.")
@click.option(
    "--frame",
    type=click.Choice(["term"]),
    default=None,
    help="JSON-LD only: one object per class (label, synonyms, parents, lineage, mappings).",
)
@click.option(
    "--jsonld10",
    is_flag=True,
    help="JSON-LD only: a JSON-LD 1.0 context (no @version/@prefix) for 1.0 processors; the same graph.",
)
def export_cmd(
    fmt: str | None,
    output: str,
    reasoned: bool,
    with_imports: bool,
    ontology: str | None,
    endpoint: str | None,
    graph_iri: str | None,
    timeout: float,
    frame: str | None,
    jsonld10: bool,
) -> None:
    """Write the graph (the asserted ontology by default) in an ecosystem format."""
    from hemokg.formats.registry import export

    if fmt is None:
        fmt = next((name for ext, name in _BY_EXTENSION.items() if output != "-" and output.endswith(ext)), None)
        if fmt is None:
            raise click.UsageError(f"give --format (one of {', '.join(FORMATS)}) or an -o FILE with a known extension")
    for name, given in (("--frame", frame), ("--jsonld10", jsonld10)):
        if given and fmt != "jsonld":
            raise click.UsageError(f"{name} applies to --format jsonld only")
    if endpoint:
        refused = [
            name
            for name, on in (("--reasoned", reasoned), ("--with-imports", with_imports), ("--ontology", ontology))
            if on
        ]
        if refused:
            raise click.UsageError(
                f"{refused[0]} does not apply with --endpoint (the endpoint's graph is exported as "
                "it is; choose it with --graph)"
            )
    elif graph_iri:
        raise click.UsageError("--graph applies with --endpoint only")
    kg = open_kg(
        endpoint=endpoint,
        graph_iri=graph_iri,
        timeout=timeout,
        ontology=ontology,
        asserted=not reasoned,
        with_imports=with_imports,
    )
    if endpoint:
        empty = kg.empty_graph_hint()
        if empty:
            from hemokg.errors import EndpointError

            raise EndpointError(f"nothing to export: {empty}")
    data = export(kg, fmt, frame=frame, jsonld10=jsonld10 or None)
    write_output(data or b"", output)


@click.command("release", epilog="Example: hemokg release -o release/ --version 2026-11-25")
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(file_okay=False),
    required=True,
    help="Folder to write the release products into.",
)
@click.option("--version", "version", metavar="YYYY-MM-DD", help="Release date for the version IRI [default: today].")
@click.option("--reasoner", type=click.Choice(["hermit", "pellet"]), default="hermit", show_default=True)
def release_cmd(out_dir: str, version: str | None, reasoner: str) -> None:
    """Write hemo-base.* (own axioms) and hemo-full.* (imports merged, reasoned) in every format, ODK-style."""
    from hemokg.formats.registry import release

    written, notes = release(out_dir, version=version, reasoner=reasoner)
    for note in notes:
        click.echo(f"hemokg: note: {note}", err=True)
    for path in written:
        click.echo(f"wrote {path}", err=True)


@click.command("format", epilog="Example: hemokg format --check   # exits 1 when hemo.ttl is not canonical")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--check", is_flag=True, help="Only check; exit 1 with a message when the file is not canonical.")
@click.option("--drop-comments", is_flag=True, help="Allow dropping '#' comments canonical Turtle cannot keep.")
def format_cmd(file: str | None, check: bool, drop_comments: bool) -> None:
    """Rewrite FILE (default: ontology/hemo.ttl) in canonical Turtle, atomically."""
    from hemokg.formats.turtle import NotCanonicalError, format_file
    from hemokg.resources import ontology_path

    path = Path(file) if file else ontology_path()
    try:
        changed = format_file(path, check=check, drop_comments=drop_comments)
    except NotCanonicalError as exc:
        click.echo(f"hemokg: {exc}", err=True)
        sys.exit(1)
    if not check:
        click.echo(f"{'reformatted' if changed else 'already canonical'}: {path}", err=True)
