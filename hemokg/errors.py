"""The package's errors: one small hierarchy, so callers catch ``HemoError`` and the CLI prints one clear line."""

from __future__ import annotations

__all__ = [
    "DrawError",
    "EndpointError",
    "ExportError",
    "HemoError",
    "ImportsBuildError",
    "NotCanonicalError",
    "OntologyParseError",
    "ParameterError",
    "PushError",
    "QueryHeaderError",
    "QueryNotFoundError",
    "ReasonerError",
    "ReasonerUnavailableError",
    "SPARQLSyntaxError",
    "TermNotFoundError",
    "UnknownReasonerError",
    "UpdateRefusedError",
]


class HemoError(Exception):
    """Base of every error hemokg raises on purpose; its message is one line saying what, where and what to do."""


class OntologyParseError(HemoError):
    """An ontology or RDF file could not be parsed; names the file, line and column."""

    def __init__(self, path: str, message: str, line: int | None = None, column: int | None = None) -> None:
        self.path, self.line, self.column = path, line, column
        where = path if line is None else f"{path}:{line}" + (f":{column}" if column is not None else "")
        one_line = message.replace("\r", "\\r").replace("\n", "\\n")  # a parser may quote the bad character
        super().__init__(f"{where}: {one_line}")


class QueryHeaderError(HemoError):
    """A stored query's ``#+`` YAML header is malformed; names the file and line."""


class QueryNotFoundError(HemoError, KeyError):
    """No stored query has that name; the message lists the known ones."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ParameterError(HemoError, ValueError):
    """A stored-query parameter is missing, unknown or of the wrong type; names the parameter."""


class TermNotFoundError(HemoError, LookupError):
    """No term matches the text; carries the closest labels as ``suggestions`` (or, when the graph read is empty,
    a ``hint`` saying which graph to read instead)."""

    def __init__(self, text: str, suggestions: list[str] | tuple[str, ...] = (), *, hint: str | None = None) -> None:
        self.text, self.suggestions = text, tuple(suggestions)
        hint = (
            f"; did you mean: {', '.join(self.suggestions)}?"
            if self.suggestions
            else f": {hint}"
            if hint
            else "; give a label, synonym, CURIE or IRI (see `hemokg lookup`)"
        )
        super().__init__(f"no term matches {text!r}{hint}")


class SPARQLSyntaxError(HemoError, ValueError):
    """A SPARQL query does not parse; carries the parser's message with line and column."""


class UpdateRefusedError(HemoError):
    """An update (INSERT/DELETE/LOAD/CLEAR/DROP/…) was sent where only read-only queries are allowed."""


class ReasonerError(HemoError):
    """The reasoner failed or found the ontology inconsistent."""


class UnknownReasonerError(ReasonerError, ValueError):
    """The reasoner name is not one hemokg knows (``hermit``, ``pellet``)."""


class ReasonerUnavailableError(ReasonerError):
    """The reasoner cannot run here (no ``java``, or owlready2 missing); says what to install."""


class EndpointError(HemoError):
    """A remote SPARQL endpoint failed; names the endpoint and what went wrong (never shows credentials)."""


class PushError(EndpointError):
    """A push failed or was interrupted; says whether the previous graph on the server is intact."""


class ExportError(HemoError):
    """An export could not be written; the previous file, if any, is left untouched."""


class DrawError(ExportError):
    """A picture could not be drawn (Graphviz missing, unknown format, a term with no lineage)."""


class NotCanonicalError(HemoError):
    """A Turtle file is not in canonical form (``hemokg format --check``); says how to fix it."""


class ImportsBuildError(HemoError):
    """An import module could not be built from a release file; the committed modules are left untouched."""


class AnnotateInputError(HemoError, ValueError):
    """Labels to annotate could not be read: a missing column, an unreadable, non-UTF-8 or truncated file, no labels."""


class MissingExtraError(HemoError, ImportError):
    """An optional feature needs a package that is not installed; the message names the extra to install."""
