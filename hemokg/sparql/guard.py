"""Checks on query text before any SPARQL engine parses it: federation, nesting depth, size, and the IRIs hemokg
itself formats into query or update text.

pyoxigraph's parser and optimiser recurse on the query's structure: a few thousand nested braces, chained operators
or OPTIONALs overflow the native stack and kill the process (SIGSEGV, no message); and its ``SERVICE`` makes an HTTP
request to any address the query names. :func:`check_query` tokenizes the text (skipping strings, long quotes, IRIs
and comments, so ``"service"`` in a literal is data) and refuses, with one :class:`SPARQLSyntaxError` naming the
limit, a ``SERVICE`` keyword (unless allowed) and text over the limits below. :func:`check_iri` is the strict IRI
check every IRI goes through before it is written between ``<`` and ``>`` in a query or update.
"""

from __future__ import annotations

import re
from functools import cached_property, lru_cache

from hemokg.errors import ParameterError, SPARQLSyntaxError
from hemokg.sparql.compiled import text_checks

__all__ = ["MAX_DEPTH", "MAX_OPERATORS", "MAX_OPTIONALS", "MAX_QUERY_CHARS", "check_iri", "check_query", "iri_ref"]

#: Most characters of query text accepted.
MAX_QUERY_CHARS = 1_000_000
#: Deepest nesting of ``{``, ``(`` and ``[`` together (the stored queries need under 10).
MAX_DEPTH = 64
#: Most OPTIONAL keywords in one query (each nests the plan one level; 300 take the optimiser 18 s).
MAX_OPTIONALS = 64
#: Most operators and joins (``. ; , | / ^ ! + - * = < > || &&``, UNION, MINUS, FILTER, BIND, OPTIONAL, GRAPH); 5,000
#: MINUS or BIND clauses already crash pyoxigraph 0.5.
MAX_OPERATORS = 1_000


class _Patterns:
    """This module's regular expressions, each compiled on first use: a shipped stored query's text was scanned when
    it was compiled (:mod:`hemokg.sparql.compiled`), so a hot command that runs one compiles none (the token scanner
    alone costs a cold start ~1.5 ms)."""

    @cached_property
    def token(self) -> re.Pattern[str]:
        """One token of query text: strings, IRIs and comments skipped whole."""
        return re.compile(_TOKEN, re.VERBOSE)

    @cached_property
    def scheme(self) -> re.Pattern[str]:
        return re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")

    @cached_property
    def bad_iri_char(self) -> re.Pattern[str]:
        return re.compile(r'[\x00-\x20<>"{}|^`\\\x7f-\x9f]')


_TOKEN = r"""
    (?P<skip>
        \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"          # long strings
      | '''(?:[^'\\]|\\.|'(?!''))*'''
      | "(?:[^"\\\n\r]|\\.)*"                        # short strings
      | '(?:[^'\\\n\r]|\\.)*'
      | <[^<>"{}|^`\\\x00-\x20]*>                    # IRIs
      | \#[^\n\r]*                                   # comments
    )
    | (?P<number> \d+(?:\.\d*)?(?:[eE][+-]?\d+)? | \.\d+(?:[eE][+-]?\d+)? )
    | (?P<word> [?$][\w\u00b7\u0300-\u036f\u203f\u2040]* | [^\W\d]\w*(?:[\w\-.]*:[\w\-.:%\\]*)? | :[\w\-.:%\\]* )
    | (?P<open> [{(\[] )
    | (?P<close> [})\]] )
    | (?P<op> \|\| | && | != | <= | >= | \^\^ | [!^|/+\-*=<>.;,] )
    | (?P<other> \S )
    """
_RE = _Patterns()
_JOINS = frozenset({"union", "minus", "filter", "bind", "optional", "graph", "service"})


def check_query(text: str, *, allow_service: bool = False, what: str = "query") -> None:
    """Refuse, with :class:`SPARQLSyntaxError` naming the limit, text that holds a ``SERVICE`` keyword (unless
    ``allow_service``) or goes over :data:`MAX_QUERY_CHARS`, :data:`MAX_DEPTH`, :data:`MAX_OPTIONALS` or
    :data:`MAX_OPERATORS`. One regular-expression pass, remembered for texts seen before; a shipped stored query's
    text was scanned when it was compiled (:mod:`hemokg.sparql.compiled`). Total: it never raises anything else."""
    if len(text) > MAX_QUERY_CHARS:
        raise SPARQLSyntaxError(
            f"the {what} is {len(text):,} characters long, over the limit of {MAX_QUERY_CHARS:,}; shorten it"
        )
    if len(text) <= 20_000:  # remembered: stored queries and other short texts (at most 512 × 20 kB held)
        checks = text_checks(text)
        if checks is not None and checks["guard"]:  # a shipped stored query, passed with SERVICE off when compiled
            return
        _scan_cached(text, allow_service, what)
    else:
        _scan(text, allow_service, what)


@lru_cache(maxsize=512)
def _scan_cached(text: str, allow_service: bool, what: str) -> None:
    _scan(text, allow_service, what)


def _scan(text: str, allow_service: bool, what: str) -> None:
    depth = deepest = optionals = operators = 0
    for match in _RE.token.finditer(text):
        kind = match.lastgroup
        if kind == "open":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    raise SPARQLSyntaxError(
                        f"the {what} nests brackets ({{ ( [) more than {MAX_DEPTH} deep (at character "
                        f"{match.start()}), the limit; flatten it"
                    )
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind == "op":
            operators += 1
        elif kind == "word":
            word = match.group()
            if word[0] in "?$":
                continue
            head = word.split(":", 1)[0].casefold()  # `SERVICE:x` reads as the keyword and a prefixed name
            if head == "service" and not allow_service:
                raise SPARQLSyntaxError(
                    f"the {what} uses SERVICE (at character {match.start()}): federated queries are off here, "
                    "since they make the query engine send requests to any address the query names; "
                    "run the query without SERVICE (or opt in with allow_service=True / --allow-service)"
                )
            if head in _JOINS and ":" not in word:
                operators += 1
                if head == "optional":
                    optionals += 1
                    if optionals > MAX_OPTIONALS:
                        raise SPARQLSyntaxError(
                            f"the {what} has more than {MAX_OPTIONALS} OPTIONAL clauses, the limit; split it"
                        )
        if operators > MAX_OPERATORS:
            raise SPARQLSyntaxError(
                f"the {what} has more than {MAX_OPERATORS:,} operators and joins (. ; , | / ! UNION FILTER …), "
                "the limit; split it or use VALUES"
            )


def check_iri(value: object, *, what: str = "IRI") -> str:
    """``value`` if it is a strict absolute IRI (a scheme, no whitespace, control characters or ``<>"{}|^`\\``),
    safe to write as ``<value>`` in query or update text; else :class:`ParameterError` naming ``what``."""
    text = value if isinstance(value, str) else None
    problem = None
    if text is None:
        problem = f"not a string but {type(value).__name__}"
    elif not text:
        problem = "empty"
    elif len(text) > 4096:
        problem = "over 4,096 characters"
    elif not _RE.scheme.match(text):
        problem = "not absolute (it needs a scheme such as https:)"
    else:
        bad = _RE.bad_iri_char.search(text)
        if bad:
            problem = f"it holds {bad.group()!r} at position {bad.start()}, which no IRI may hold"
        else:
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                problem = "not valid Unicode (a lone surrogate)"
    if problem is not None:
        shown = repr(value)[:120]
        raise ParameterError(f"{what} {shown} is not a usable IRI: {problem}; give an absolute IRI such as https://…")
    assert text is not None
    return text


def iri_ref(value: object, *, what: str = "IRI") -> str:
    """``<value>`` for query or update text, after :func:`check_iri`."""
    return f"<{check_iri(value, what=what)}>"
