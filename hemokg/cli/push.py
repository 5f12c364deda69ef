"""``hemokg push``: upload the reasoned graph to a SPARQL 1.1 server (imported only when the command runs)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

from hemokg.cli.options import bounded_option, shared_option

__all__ = ["push_cmd"]


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr when it is a terminal, else nothing."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("pushing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("push", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


@click.command(
    "push",
    epilog="Examples:\n\n\b\n"
    "  hemokg push --endpoint http://127.0.0.1:7878/query --store-endpoint http://127.0.0.1:7878/store\n"
    "  hemokg push --endpoint http://127.0.0.1:7878/query --update-endpoint http://127.0.0.1:7878/update"
    "   # SPARQL Update, as for Virtuoso's /sparql\n"
    "  HEMOKG_USER=u HEMOKG_PASSWORD=p hemokg push --endpoint http://127.0.0.1:7878/query "
    "--store-endpoint http://127.0.0.1:7878/store --with-imports",
)
@shared_option(
    "endpoint",
    required=True,
    help="The server's SPARQL query URL (also used for updates unless --update-endpoint is given).",
)
@shared_option("update_endpoint", help="The server's SPARQL Update URL, if separate.")
@shared_option(
    "store_endpoint",
    help="The server's Graph Store Protocol URL (e.g. Oxigraph's /store): one atomic PUT per graph.",
)
@shared_option("graph_iri", help="Named graph to replace [default: https://w3id.org/hemokg/hemo.owl].")
@shared_option("with_imports", help="Also push each import module into https://w3id.org/hemokg/graph/imports/<name>.")
@shared_option("asserted", help="Push the asserted ontology only (no inferences).")
@click.option(
    "--method",
    type=click.Choice(["auto", "gsp", "update"]),
    default="auto",
    show_default=True,
    help="gsp: Graph Store PUT; update: SPARQL Update batches into a temporary graph, then MOVE; "
    "auto: gsp when --store-endpoint is given.",
)
@bounded_option(
    "--batch-size",
    default=500,
    minimum=1,
    help="Triples per SPARQL Update request (Virtuoso refuses much larger ones).",
)
@bounded_option("--timeout", default=120.0, minimum=0.1, help="Seconds to wait for each HTTP answer.")
def push_cmd(
    endpoint: str,
    update_endpoint: str | None,
    store_endpoint: str | None,
    graph_iri: str | None,
    with_imports: bool,
    asserted: bool,
    method: str,
    batch_size: int,
    timeout: float,
) -> None:
    """Replace hemo's named graph on a SPARQL 1.1 server with the reasoned graph (idempotent).

    Credentials, if the server needs them, come from HEMOKG_USER and HEMOKG_PASSWORD (never printed).
    """
    from hemokg.backends.http import redact
    from hemokg.backends.remote import DEFAULT_GRAPH
    from hemokg.cli.options import auth_from_env as _auth_from_env
    from hemokg.graph.push import push

    with _progress_bar(sys.stderr.isatty()) as progress:
        report = push(
            endpoint,
            update_url=update_endpoint,
            store_url=store_endpoint,
            graph=graph_iri or DEFAULT_GRAPH,
            imports=with_imports,
            reasoned=not asserted,
            auth=_auth_from_env(),
            timeout=timeout,
            batch_size=batch_size,
            method=method,
            progress=progress,
        )
    for graph, count in report.graphs.items():
        click.echo(f"{graph}\t{count} triples", err=True)
    click.echo(
        f"pushed {report.triples} triples in {len(report.graphs)} graph(s) to {redact(endpoint)} by "
        f"{'Graph Store PUT' if report.method == 'gsp' else 'SPARQL Update'} in {report.seconds:.2f} s "
        f"({report.rate:,.0f} triples/s)",
        err=True,
    )
