"""The options of the hot commands as data: the one table both the click CLI and the fast path read.

``hemokg lineage``, ``hemokg lookup`` and ``hemokg query`` are the commands people run most, often in loops; a cold
start must not pay for importing click. So their arguments and options are written here once, as plain data:
:mod:`hemokg.cli.options` builds the click decorators from this table (click's help, errors and behaviour stay
click's), and :mod:`hemokg.cli.fast` parses a command line with the same table using the standard library only,
handing everything it does not fully understand back to click. The work each command does lives in
:mod:`hemokg.cli.hot`, called by both.

Imports nothing but :mod:`hemokg._hints`, so reading the table is free.

Layer: the command line (imported by ``hemokg.cli`` and its modules only).
"""

from __future__ import annotations

from hemokg._hints import Literal, NamedTuple

__all__ = [
    "HOT_COMMANDS",
    "OUTPUT_FORMATS",
    "OUTPUT_OPTIONS",
    "SOURCE_OPTIONS",
    "Argument",
    "CommandSpec",
    "Option",
    "UsageProblem",
]

#: The --format choices of the query commands (names of :data:`hemokg.sparql.results.RESULT_FORMATS`).
OUTPUT_FORMATS = ("table", "json", "csv", "tsv")

Kind = Literal["text", "float", "flag", "choice", "path", "multiple"]


class UsageProblem(ValueError):
    """A value the command line accepted but the command cannot use (e.g. ``-p`` without ``=``).

    Raised by a command's work function before it does anything else; the click command turns it into
    ``click.BadParameter`` with ``param_hint``, the fast path hands the whole command line back to click.
    """

    def __init__(self, message: str, *, param_hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.param_hint = param_hint


class Option(NamedTuple):
    """One option: its spellings, the keyword the command receives, its type, default and environment variable.

    ``kind``: ``text`` (a string), ``float`` (at least ``minimum``), ``flag`` (on when given), ``choice`` (one of
    ``choices``, exact case), ``path`` (a file path or ``-``; an existing directory or unreadable file is refused),
    ``multiple`` (a string, repeatable, collected into a tuple).
    """

    decls: tuple[str, ...]
    dest: str
    help: str
    kind: Kind = "text"
    metavar: str | None = None
    default: str | float | bool | None = None
    envvar: str | None = None
    show_default: bool = False
    choices: tuple[str, ...] = ()
    minimum: float | None = None


class Argument(NamedTuple):
    """One required positional argument (the keyword the command receives is its name)."""

    name: str


class CommandSpec(NamedTuple):
    """A hot command: its arguments, then its options in help order; ``work`` names its click-free function."""

    name: str
    arguments: tuple[Argument, ...]
    options: tuple[Option, ...]
    work: str


_ENDPOINT_HELP = "Query this SPARQL 1.1 endpoint instead of the embedded store."

#: Options choosing the graph: the embedded store (asserted or reasoned, with imports) or a remote endpoint.
SOURCE_OPTIONS: tuple[Option, ...] = (
    Option(("--endpoint",), "endpoint", _ENDPOINT_HELP, metavar="URL", envvar="HEMOKG_ENDPOINT"),
    Option(("--graph",), "graph_iri", "Named graph holding hemo on the endpoint.", metavar="IRI"),
    Option(("--update-endpoint",), "update_endpoint", "The endpoint's SPARQL Update URL, if separate.", metavar="URL"),
    Option(
        ("--store-endpoint",), "store_endpoint", "The endpoint's Graph Store Protocol URL, if separate.", metavar="URL"
    ),
    Option(
        ("--timeout",),
        "timeout",
        "Seconds to wait for the endpoint.",
        kind="float",
        default=30.0,
        envvar="HEMOKG_TIMEOUT",
        show_default=True,
        minimum=0.1,
    ),
    Option(("--asserted",), "asserted", "Use the asserted ontology only (no inferences).", kind="flag", default=False),
    Option(
        ("--with-imports",),
        "with_imports",
        "Include the CL/GO/Uberon/MONDO/HP import modules.",
        kind="flag",
        default=False,
    ),
)

#: ``--format`` (table on a terminal, tsv otherwise) and ``-o FILE``.
OUTPUT_OPTIONS: tuple[Option, ...] = (
    Option(
        ("--format",),
        "fmt",
        "Output format [default: table on a terminal, else tsv].",
        kind="choice",
        choices=OUTPUT_FORMATS,
    ),
    Option(("-o", "--output"), "output", "Write to FILE instead of standard output.", kind="path", default="-"),
)

PARAM_OPTION = Option(
    ("-p", "--param"), "params", "A parameter value (repeatable).", kind="multiple", metavar="NAME=VALUE"
)

#: The hot commands, by name: what the fast path may run without click.
HOT_COMMANDS: dict[str, CommandSpec] = {
    "lineage": CommandSpec(
        "lineage", (Argument("cell"),), (*SOURCE_OPTIONS, *OUTPUT_OPTIONS), "hemokg.cli.hot:lineage"
    ),
    "lookup": CommandSpec("lookup", (Argument("text"),), (*SOURCE_OPTIONS, *OUTPUT_OPTIONS), "hemokg.cli.hot:lookup"),
    "query": CommandSpec(
        "query", (Argument("name"),), (PARAM_OPTION, *SOURCE_OPTIONS, *OUTPUT_OPTIONS), "hemokg.cli.hot:query"
    ),
}
