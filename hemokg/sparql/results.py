"""One result type for every backend: rows of pyoxigraph terms, and the standard SPARQL result writers.

Embedded and remote queries both come back as :class:`Results`, so code (and the CLI) never cares where a query ran.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence

from pyoxigraph import BlankNode, Literal, NamedNode, QueryBoolean, QuerySolutions, QueryTriples, Triple

from hemokg._hints import Any, SupportsIndex, overload
from hemokg._hints import Literal as TypingLiteral
from hemokg.vocab import RDF, XSD, iri_to_curie

__all__ = [
    "RESULT_FORMATS",
    "RDFTerm",
    "Results",
    "Row",
    "bound_value",
    "delimited",
    "solutions",
    "table",
    "term_text",
    "term_to_json",
]

#: The one result-format table: format name (the CLI's ``--format``) -> media type (``serve``'s content negotiation).
#: :meth:`Results.serialize` takes either. (``hemokg serve`` adds SPARQL Results XML, with its own checking writer.)
RESULT_FORMATS: dict[str, str] = {
    "table": "text/plain",
    "json": "application/sparql-results+json",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}

RDFTerm = NamedNode | Literal | BlankNode
_XSD_STRING = XSD.string
_RDF_LANG_STRING = RDF.langString


class Row(tuple[RDFTerm | None, ...]):
    """A result row: a tuple of terms (None where unbound) that also answers ``row.var`` and ``row["var"]``.

    A variable always wins over the tuple's own attributes: ``row.count`` and ``row.index`` are the values of
    ``?count`` and ``?index`` when the query has them (the tuple methods stay reachable as ``tuple.count(row, x)``).
    Typed accessors: :meth:`get` (a term or a default) and :meth:`text` (the lexical value as ``str``).
    """

    _index: dict[str, int]

    def __new__(cls, values: Sequence[RDFTerm | None], variables: Sequence[str] | dict[str, int]) -> Row:
        row = super().__new__(cls, values)
        index = variables if isinstance(variables, dict) else {name: i for i, name in enumerate(variables)}
        object.__setattr__(row, "_index", index)
        return row

    def __getattribute__(self, name: str) -> Any:
        if name[:2] != "__":
            index = object.__getattribute__(self, "_index")
            if name in index:
                return tuple.__getitem__(self, index[name])
        return object.__getattribute__(self, name)

    def __getattr__(self, name: str) -> RDFTerm | None:
        # reached only for a name that is neither a variable nor an attribute: say which variables there are
        raise AttributeError(f"the row has no variable {name!r}; variables: {', '.join(self._names())}")

    @overload
    def __getitem__(self, key: SupportsIndex | str) -> RDFTerm | None: ...
    @overload
    def __getitem__(self, key: slice) -> tuple[RDFTerm | None, ...]: ...
    def __getitem__(self, key: SupportsIndex | str | slice) -> RDFTerm | tuple[RDFTerm | None, ...] | None:
        if isinstance(key, str):
            position = object.__getattribute__(self, "_index").get(key)
            if position is None:
                raise KeyError(key)
            term: RDFTerm | None = tuple.__getitem__(self, position)
            return term
        return tuple.__getitem__(self, key)

    def __getnewargs__(self) -> tuple[tuple[RDFTerm | None, ...], dict[str, int]]:  # pickling and copying
        return tuple(self), dict(object.__getattribute__(self, "_index"))

    def _names(self) -> list[str]:
        return list(object.__getattribute__(self, "_index"))

    def get(self, name: str, default: RDFTerm | None = None) -> RDFTerm | None:
        """The term bound to ``?name``, or ``default`` where it is unbound; an unknown variable raises ``KeyError``
        (a typo is an error, not a silent None)."""
        term = self[name]
        return default if term is None else term

    def text(self, name: str, default: str = "") -> str:
        """The lexical value of ``?name`` (an IRI's IRI, a literal's text), or ``default`` where it is unbound;
        an unknown variable raises ``KeyError``."""
        term = self[name]
        return default if term is None else term.value

    def asdict(self) -> dict[str, RDFTerm | None]:
        """The row as a dict from variable name to term."""
        return dict(zip(self._names(), self, strict=True))


def solutions(answer: QuerySolutions | QueryBoolean | QueryTriples) -> QuerySolutions:
    """The solutions of a SELECT run directly on a pyoxigraph ``Store``: ``Store.query`` may also answer a boolean
    or triples, which a caller that iterates rows must not be handed (a wrong query form raises ``TypeError``)."""
    if not isinstance(answer, QuerySolutions):
        raise TypeError(f"expected the solutions of a SELECT query, not {type(answer).__name__}")
    return answer


def bound_value(term: RDFTerm | None) -> str:
    """The lexical value of a term a query must bind (an IRI's IRI, a literal's text); an unbound one means the
    query or the endpoint broke its contract, and raises :class:`~hemokg.errors.HemoError` instead of ``None``."""
    if term is None:
        from hemokg.errors import HemoError

        raise HemoError("a query answer left a required variable unbound; check the query or the endpoint")
    return term.value


def term_text(term: RDFTerm | None, *, curies: bool = True) -> str:
    """A human-readable text for a term: CURIE (or IRI) for named nodes, the lexical form for literals."""
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        return (iri_to_curie(term.value) if curies else None) or term.value
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    return term.value


def term_to_json(term: RDFTerm) -> dict[str, str]:
    """A term in the SPARQL 1.1 Query Results JSON form."""
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value not in (_XSD_STRING, _RDF_LANG_STRING):
        out["datatype"] = term.datatype.value
    return out


class Results:
    """Rows of a SELECT, the answer of an ASK, or the triples of a CONSTRUCT/DESCRIBE."""

    def __init__(
        self,
        kind: TypingLiteral["select", "ask", "graph"],
        variables: Sequence[str] = (),
        rows: Sequence[Sequence[RDFTerm | None]] = (),
        *,
        boolean: bool | None = None,
        triples: Sequence[Triple] = (),
    ) -> None:
        self.kind = kind
        self.vars: tuple[str, ...] = tuple(variables)
        index = {name: i for i, name in enumerate(self.vars)}
        self.rows: list[Row] = [Row(r, index) for r in rows]
        self.boolean = boolean
        self.triples: list[Triple] = list(triples)

    def __iter__(self) -> Iterator[Any]:
        """The rows of a SELECT (:class:`Row`), the triples of a CONSTRUCT/DESCRIBE; an ASK has none (see
        ``boolean``). ``.rows`` and ``.triples`` are the same, precisely typed."""
        return iter(self.triples) if self.kind == "graph" else iter(self.rows)

    def __len__(self) -> int:
        return len(self.triples) if self.kind == "graph" else len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.boolean) if self.kind == "ask" else len(self) > 0

    def __repr__(self) -> str:
        if self.kind == "ask":
            return f"<Results ask={self.boolean}>"
        return f"<Results {self.kind} vars={list(self.vars)} n={len(self)}>"

    def column(self, var: str) -> list[RDFTerm | None]:
        """Every value of one variable, in row order."""
        return [row[var] for row in self.rows]

    def texts(self, var: str) -> list[str]:
        """Every value of one variable as text (CURIEs for IRIs), in row order."""
        return [term_text(row[var]) for row in self.rows]

    # --- writers -------------------------------------------------------------------------------------------
    def serialize(self, format: str) -> str:
        """The results in one of :data:`RESULT_FORMATS`, by name (``json``) or media type; a graph result is written
        as N-Triples for ``csv``/``tsv``, as Turtle otherwise."""
        name = format if format in RESULT_FORMATS else _BY_MEDIA_TYPE.get(format)
        if name is None:
            raise ValueError(f"unknown result format {format!r}; known: {', '.join(RESULT_FORMATS)}")
        if self.kind == "graph":
            return self.to_ntriples() if name in ("csv", "tsv") else self.to_turtle()
        writers = {
            "table": self.to_table,
            "json": self.to_json,
            "csv": self.to_csv,
            "tsv": self.to_tsv,
        }
        return writers[name]()

    def to_json(self) -> str:
        """SPARQL 1.1 Query Results JSON (SELECT, ASK); for graphs, N-Triples lines are not JSON: use to_ntriples."""
        import json  # here, not at the top: a cold command that writes no JSON does not pay for it

        if self.kind == "ask":
            return json.dumps({"head": {}, "boolean": bool(self.boolean)}) + "\n"
        if self.kind == "graph":
            raise TypeError("a CONSTRUCT/DESCRIBE result is a graph: write it as Turtle or N-Triples")
        bindings = [{v: term_to_json(t) for v, t in zip(self.vars, row, strict=True) if t is not None} for row in self]
        document = {"head": {"vars": list(self.vars)}, "results": {"bindings": bindings}}
        return json.dumps(document, ensure_ascii=False) + "\n"

    def to_csv(self) -> str:
        """SPARQL 1.1 Query Results CSV: plain values, CRLF line ends."""
        import csv

        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        if self.kind == "ask":
            writer.writerow(["boolean"])
            writer.writerow(["true" if self.boolean else "false"])
            return buf.getvalue()
        writer.writerow(self.vars)
        for row in self._select_rows():
            writer.writerow([term_text(t, curies=False) if not isinstance(t, BlankNode) else str(t) for t in row])
        return buf.getvalue()

    def to_tsv(self) -> str:
        """SPARQL 1.1 Query Results TSV: terms in N-Triples syntax, ``?var`` header."""
        if self.kind == "ask":
            return "?boolean\n" + ("true" if self.boolean else "false") + "\n"
        lines = ["\t".join(f"?{v}" for v in self.vars)]
        lines += ["\t".join("" if t is None else str(t) for t in row) for row in self._select_rows()]
        return "\n".join(lines) + "\n"

    def to_ntriples(self) -> str:
        """The triples of a graph result, one N-Triples line each, sorted."""
        return "".join(sorted(f"{t.subject} {t.predicate} {t.object} .\n" for t in self.triples))

    def to_turtle(self) -> str:
        """The triples of a graph result as Turtle with the package's prefixes."""
        from pyoxigraph import RdfFormat, serialize

        from hemokg.vocab import PREFIXES

        data = serialize(sorted(self.triples, key=str), format=RdfFormat.TURTLE, prefixes=PREFIXES)
        return data.decode("utf-8") if isinstance(data, bytes) else str(data)

    def to_table(self, *, title: str | None = None) -> str:
        """A readable table (CURIEs for IRIs) for a terminal."""
        from hemokg.sparql.results import table

        if self.kind == "ask":
            return "yes\n" if self.boolean else "no\n"
        if self.kind == "graph":
            return self.to_turtle()
        return table(self.vars, [[term_text(t) for t in row] for row in self], title=title)

    def _select_rows(self) -> list[Row]:
        if self.kind != "select":
            raise TypeError(f"a {self.kind} result has no rows")
        return self.rows


_BY_MEDIA_TYPE = {media: name for name, media in RESULT_FORMATS.items()}


# --- text tables (terminal and pipes), shared by every writer of tabular text ---------------------------------------
def table(header: Sequence[str], rows: Sequence[Sequence[str]], *, title: str | None = None) -> str:
    """A plain aligned table for a terminal (rich, imported only here)."""
    from rich.console import Console
    from rich.table import Table

    tab = Table(title=title, title_justify="left", header_style="bold", show_edge=False)
    for name in header:
        tab.add_column(name, overflow="fold")
    for row in rows:
        tab.add_row(*[str(c) for c in row])
    console = Console(file=io.StringIO(), width=140, force_terminal=False, color_system=None)
    console.print(tab)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    return "".join(line.rstrip() + "\n" for line in text.splitlines())


def delimited(header: Sequence[str], rows: Sequence[Sequence[str]], fmt: str) -> str:
    """CSV or TSV (tabs and newlines inside values are replaced by spaces in TSV)."""
    if fmt == "csv":
        import csv

        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return buf.getvalue()

    def clean(v: object) -> str:
        return str(v).replace("\t", " ").replace("\n", " ")

    return "".join("\t".join(clean(v) for v in row) + "\n" for row in [header, *rows])
