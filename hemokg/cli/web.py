"""The ``draw``, ``site`` and ``serve`` commands: pictures, the static site and the local read-only endpoint."""

from __future__ import annotations

from typing import Any

import click

from hemokg.cli.options import bounded_option, open_kg, shared_option, source_options

__all__ = ["draw_group", "serve_cmd", "site_cmd"]


@click.group(
    "draw",
    epilog="Example:\n\n\b\n  hemokg draw lineage -o lineage.svg\n  hemokg draw lineage neutrophil "
    "-o neutrophil.png\n  hemokg draw sites -o sites.svg",
)
def draw_group() -> None:
    """Draw the lineage tree or the sites of blood production (SVG, PNG, PDF or DOT, from the file suffix)."""


@draw_group.command(
    "lineage",
    epilog="Examples:\n\n\b\n  hemokg draw lineage -o lineage.svg\n  hemokg draw lineage neutrophil -o neutrophil.pdf",
)
@click.argument("term", required=False)
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="The picture file (.svg/.png/.pdf/.dot)."
)
@source_options
def draw_lineage_cmd(term: str | None, output: str, **source: Any) -> None:
    """The lineage tree, stem cell to mature cells, or the part above and below TERM (a cell or a process)."""
    from hemokg.web.draw import draw_lineage

    path = draw_lineage(open_kg(**source), output, term)
    click.echo(f"wrote {path}", err=True)


@draw_group.command(
    "sites", epilog="Examples:\n\n\b\n  hemokg draw sites -o sites.svg\n  hemokg draw sites -o sites.dot"
)
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="The picture file (.svg/.png/.pdf/.dot)."
)
@source_options
def draw_sites_cmd(output: str, **source: Any) -> None:
    """Where blood is made before and after birth, and what disrupts it in disease."""
    from hemokg.web.draw import draw_sites

    path = draw_sites(open_kg(**source), output)
    click.echo(f"wrote {path}", err=True)


@click.command("site", epilog="Example:\n\n\b\n  hemokg site -o public/   # then open public/index.html in a browser")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False), help="The folder to write.")
@click.option("--no-pictures", is_flag=True, help="Skip the Graphviz pictures.")
@source_options
def site_cmd(output: str, no_pictures: bool, **source: Any) -> None:
    """Write a static, searchable documentation site of the ontology into a folder (works from file://)."""
    import shutil

    from hemokg.web.site import write_site

    if not no_pictures and shutil.which("dot") is None:  # what the graphviz package runs, found on PATH
        from hemokg.errors import DrawError

        raise DrawError(
            "Graphviz's `dot` program is not installed, and the site's pictures need it: install it with "
            f"`apt-get install graphviz`, or write the site without pictures: hemokg site -o {output} --no-pictures"
        )
    path = write_site(open_kg(**source), output, pictures=not no_pictures)
    click.echo(f"wrote the site to {path}/index.html", err=True)


@click.command(
    "serve",
    epilog="Example (curl -g: no globbing of the braces; --retry-connrefused: until the server listens):\n\n\b\n"
    "  hemokg serve --port 8000 &\n"
    "  curl -g --retry-connrefused --retry 60 --retry-delay 1 'http://127.0.0.1:8000/sparql?query=ASK{?s?p?o}'\n"
    "  kill %1",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default).")
@bounded_option("--port", default=8000, minimum=0, maximum=65535, help="Port (0: any free).")
@click.option("--site-dir", type=click.Path(file_okay=False), help="Serve this site folder (default: build one).")
@bounded_option("--timeout", default=10.0, minimum=0.1, help="Seconds per query.")
@bounded_option("--max-results", default=100_000, minimum=1, help="Most rows (or triples) one answer may hold.")
@bounded_option("--workers", default=2, minimum=1, maximum=64, help="Query worker processes.")
@shared_option("asserted", help="Serve the asserted ontology only (no inferences).")
@shared_option("with_imports", help="Include the import modules.")
@click.option(
    "--cors",
    metavar="ORIGIN",
    help="Let web pages from ORIGIN (e.g. https://example.org) read answers; no CORS header by default.",
)
@bounded_option(
    "--max-memory",
    default=2048,
    minimum=256,
    metavar="MIB",
    help="Address space of each query worker, in MiB: a query needing more stops only its worker.",
)
def serve_cmd(asserted: bool, with_imports: bool, max_memory: int, **settings: Any) -> None:
    """Serve the site at / and a read-only SPARQL 1.1 Protocol endpoint at /sparql over the embedded store."""
    from hemokg.web.serve import serve

    # settings: host, port, site_dir, timeout, max_results, workers and cors, under serve()'s own names
    serve(**settings, reasoned=not asserted, imports=with_imports, max_memory=max_memory * 1024**2)
