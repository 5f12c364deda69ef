"""Stored queries: ``queries/*.rq`` files whose leading ``#+`` lines are a YAML header (grlc style).

The body is plain SPARQL 1.1, runnable anywhere as it stands; parameters are the variables named ``?_NAME_TYPE``
(required) or ``?__NAME_TYPE`` (optional), bound as RDF terms by the backends, never pasted into the text.
A required parameter is required: ``examples:`` in the header gives a sample value for the listing, the site and
the tests, never a silent default.
The header is parsed strictly: a malformed header raises :class:`~hemokg.errors.QueryHeaderError`.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator, Mapping
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

from hemokg._hints import Any, NamedTuple
from hemokg._hints import Literal as TypingLiteral
from hemokg.errors import ParameterError, QueryHeaderError, QueryNotFoundError, UpdateRefusedError
from hemokg.resources import queries_dir
from hemokg.sparql.compiled import headers as compiled_headers
from hemokg.sparql.compiled import parameter_variables, text_checks

__all__ = [
    "READ_FORMS",
    "Catalog",
    "Param",
    "StoredQuery",
    "bind_values",
    "catalog",
    "compile_queries",
    "is_parameter",
    "parse_header",
    "query_form",
    "require_read_only",
    "substitute_terms",
    "terms_text",
    "unknown_keyword",
]

#: The read-only query forms; every other form (INSERT, DELETE, LOAD, …) is an update.
READ_FORMS = ("select", "ask", "construct", "describe")

#: A parsed ``#+`` header: YAML keys to their values.
Header = dict[str, Any]
PARAM_TYPES = ("iri", "literal", "integer")
HEADER_KEYS = {"summary", "description", "tags", "params", "examples", "competency"}
#: Texts up to this length have their analyses remembered (the stored queries); longer ones are analysed each time.
_MEMO_CHARS = 64 * 1024


class _Patterns:
    """This module's regular expressions, each compiled on first use: a shipped stored query's text is checked ahead
    (:mod:`hemokg.sparql.compiled`), so a hot command that runs one compiles none (0.05–0.5 ms each, cold)."""

    @functools.cached_property
    def param_name(self) -> re.Pattern[str]:
        """A parameter's variable name (``_cell_iri``, ``__cell_iri``): prefix, name, type."""
        return re.compile(_PARAM_NAME)

    @functools.cached_property
    def param(self) -> re.Pattern[str]:
        """A parameter variable in query text."""
        return re.compile(r"[?$]" + _PARAM_NAME + r"\b")

    @functools.cached_property
    def form(self) -> re.Pattern[str]:
        """A query form or update keyword."""
        return re.compile(
            r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE|INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b",
            re.IGNORECASE,
        )

    @functools.cached_property
    def strip(self) -> re.Pattern[str]:
        """What is blanked before a text is read: IRIs, strings and comments."""
        return re.compile(r"""<[^<>"{}|^`\\\s]*>|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|#[^\n]*""")

    @functools.cached_property
    def prologue(self) -> re.Pattern[str]:
        """The PREFIX/BASE prologue."""
        return re.compile(r"\s*(?:(?:PREFIX\s+[^\s:]*:|BASE)\s*)*", re.IGNORECASE)

    @functools.cached_property
    def word(self) -> re.Pattern[str]:
        return re.compile(r"[A-Za-z]+")

    @functools.cached_property
    def where(self) -> re.Pattern[str]:
        return re.compile(r"\bWHERE\s*\{", re.IGNORECASE)

    @functools.cached_property
    def subselect(self) -> re.Pattern[str]:
        return re.compile(r"\bSELECT\b", re.IGNORECASE)

    @functools.cached_property
    def clause(self) -> re.Pattern[str]:
        """Where a variable cannot become a constant term: a projection or DESCRIBE list (up to its WHERE or ``{``),
        the solution modifiers (GROUP BY, ORDER BY, HAVING: up to the group's end), a VALUES block."""
        return re.compile(
            r"\b(?:SELECT|DESCRIBE)\b[^{]*?(?=\bWHERE\b|\{)|\b(?:GROUP|ORDER)\s+BY\b[^{}]*|\bHAVING\b[^{}]*"
            r"|\bVALUES\b[^}]*\}",
            re.IGNORECASE,
        )

    @functools.cached_property
    def not_term(self) -> re.Pattern[str]:
        """Just before a variable that cannot become a term: ``BOUND(`` or ``AS``."""
        return re.compile(r"(?:\bBOUND\s*\(|\bAS)\s*$", re.IGNORECASE)

    @functools.cached_property
    def name(self) -> re.Pattern[str]:
        """A plain variable name."""
        return re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


_PARAM_NAME = r"(__?)([A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*?)_(" + "|".join(PARAM_TYPES) + r")"
_RE = _Patterns()


def is_parameter(name: str) -> bool:
    """Whether a variable name (without ``?``) names a stored-query parameter."""
    return name in parameter_variables() or _RE.param_name.fullmatch(name) is not None


def _param_variables(text: str) -> list[tuple[str, str, str]]:
    """The ``(prefix, name, type)`` of each parameter variable in a query text, in order (repeats kept)."""
    checks = text_checks(text)
    if checks is not None:
        return [(prefix, name, ptype) for prefix, name, ptype in checks["params"]]
    return [(prefix, name, ptype) for prefix, name, ptype in _RE.param.findall(text)]


def query_form(text: str) -> str:
    """The query form (``select``, ``ask``, ``construct``, ``describe``) or the update keyword, lower case.

    IRIs, strings and comments are blanked and the PREFIX/BASE prologue skipped, so only the first keyword of the
    query itself counts (``PREFIX select: <…> INSERT DATA …`` is an ``insert``); anything else is ``unknown``.
    Remembered per text up to 64 KiB (a stored query is checked at every run).
    """
    if len(text) > _MEMO_CHARS:
        return _analyse_form.__wrapped__(text)
    return _query_form(text)


def _query_form(text: str) -> str:
    checks = text_checks(text)
    return checks["form"] if checks is not None else _analyse_form(text)


@functools.lru_cache(maxsize=512)
def _analyse_form(text: str) -> str:
    blanked = _RE.strip.sub(" ", text)
    prologue = _RE.prologue.match(blanked)
    match = _RE.form.match(blanked, prologue.end() if prologue else 0)
    return match.group(1).lower() if match else "unknown"


_QUERY_KEYWORDS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def unknown_keyword(text: str) -> str | None:
    """Why a query opens with no SPARQL keyword (``SELEC * …``: names the word, its line and column and the
    nearest keyword), or None when its first word after the prologue is a keyword or not a word at all."""
    import difflib

    blanked = _RE.strip.sub(lambda m: " " * len(m.group(0)), text)
    prologue = _RE.prologue.match(blanked)
    start = prologue.end() if prologue else 0
    if _RE.form.match(blanked, start):
        return None
    word = _RE.word.match(blanked, start)
    if word is None:
        return None
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    close = difflib.get_close_matches(word.group(0).upper(), _QUERY_KEYWORDS, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return (
        f"unknown keyword {word.group(0)!r} at {line}:{column}{hint}; a query starts with "
        "SELECT, ASK, CONSTRUCT or DESCRIBE (after any PREFIX/BASE lines)"
    )


def require_read_only(text: str, *, hint: str = "") -> str:
    """The query's form when it is read-only (``unknown`` when no form keyword is found: the engine's parser then
    says what is wrong); an update raises :class:`~hemokg.errors.UpdateRefusedError` (``hint`` is added to it).
    The one read-only check every backend, the endpoint server and the stored queries use."""
    form = query_form(text)
    if form not in (*READ_FORMS, "unknown"):
        raise UpdateRefusedError(
            f"only read-only queries (SELECT, ASK, CONSTRUCT, DESCRIBE) run here, not {form.upper()}{hint}"
        )
    return form


def _closing(blanked: str, opening: int) -> int:
    """The index of the ``}`` closing the group whose ``{`` is at ``opening`` (the end of the text if none)."""
    depth = 0
    for i in range(opening, len(blanked)):
        if blanked[i] == "{":
            depth += 1
        elif blanked[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    return len(blanked)


def bind_values(
    query: str, bindings: Mapping[str, object], *, style: TypingLiteral["values", "bind"] = "values"
) -> str:
    """The query with its variables bound by a ``VALUES`` block (or ``BIND(term AS ?var)`` lines, ``style="bind"``,
    for engines that do not count a VALUES-bound variable as a property path's start) opening its WHERE clause,
    and the WHERE clause of every sub-SELECT that uses one of them.

    The values are RDF terms (pyoxigraph ``NamedNode``/``Literal``) written in their own escaped N-Triples syntax,
    so no value can close the block or change the query; the block goes first in the WHERE group, so the variables
    are bound for every pattern, path and FILTER in it. A sub-SELECT is a scope of its own (a variable it does not
    project is not the outer one), so it gets its own block for the variables it uses. Works on every SPARQL 1.1
    engine.
    """
    if not bindings:
        return query
    from pyoxigraph import Literal, NamedNode

    for name, term in bindings.items():
        if not _RE.name.fullmatch(name) or not isinstance(term, NamedNode | Literal):
            raise ParameterError(f"cannot bind ?{name} to {term!r}: only IRIs and literals bind to plain variables")
    blanked = _RE.strip.sub(lambda m: " " * len(m.group(0)), query)
    if query_form(query) == "construct":
        match = _RE.where.search(blanked)
        position = match.end() if match else -1
    else:
        position = blanked.find("{") + 1
    if position <= 0:
        raise ParameterError("the query has no WHERE clause to bind its parameters in")
    groups = [(position, dict(bindings))]
    for select in _RE.subselect.finditer(blanked, position):
        opening = blanked.find("{", select.end())
        if opening < 0:
            continue
        body = blanked[opening : _closing(blanked, opening) + 1]
        used = {n: t for n, t in bindings.items() if re.search(r"[?$]" + re.escape(n) + r"(?![A-Za-z0-9_])", body)}
        if used:
            groups.append((opening + 1, used))
    out = query
    for at, terms in sorted(groups, key=lambda g: g[0], reverse=True):  # from the end: earlier offsets stay valid
        if style == "bind":
            block = " " + " ".join(f"BIND({t} AS ?{n})" for n, t in terms.items())
        else:
            names = " ".join(f"?{n}" for n in terms)
            values = " ".join(str(t) for t in terms.values())
            block = f" VALUES ({names}) {{ ({values}) }}"
        out = out[:at] + block + out[at:]
    return out


def substitute_terms(query: str, bindings: Mapping[str, object]) -> str | None:
    """The query with each bound variable written as its term where it occurs (``?_cell_iri`` becomes
    ``<https://…>``), or ``None`` where that would not mean what :func:`bind_values` means: a variable in a projection,
    GROUP BY, ORDER BY, HAVING or VALUES clause, in ``BOUND(…)`` or after ``AS``.

    The same answers as the VALUES block, for engines that plan a constant better than a VALUES join (pyoxigraph
    evaluates an OPTIONAL or UNION that uses a VALUES-bound variable over the whole graph, then joins). The terms are
    pyoxigraph ``NamedNode``/``Literal`` in their own escaped N-Triples syntax, as in the VALUES block; a variable
    is matched only outside IRIs, strings and comments. Where each variable sits is worked out once per query text.
    """
    from pyoxigraph import Literal, NamedNode

    if not bindings:
        return query
    if not all(isinstance(term, NamedNode | Literal) for term in bindings.values()):
        return None
    spots = _spots(query, tuple(bindings))
    if spots is None:
        return None
    out, done = [], 0
    for start, end, name in spots:
        out += [query[done:start], str(bindings[name])]
        done = end
    out.append(query[done:])
    return "".join(out)


def _spots(query: str, names: tuple[str, ...]) -> tuple[tuple[int, int, str], ...] | None:
    """Where the variables ``names`` occur in ``query`` as terms, in order; ``None`` if one occurs where no term may.
    A shipped stored query's are recorded ahead; other texts' are worked out once (up to 64 KiB)."""
    checks = text_checks(query)
    if checks is not None and all(name in checks["spots"] for name in names):
        found: list[tuple[int, int, str]] = []
        for name in names:
            recorded = checks["spots"][name]
            if recorded is None:
                return None
            found += [(start, end, name) for start, end in recorded]
        return tuple(sorted(found))
    return (_find_spots if len(query) <= _MEMO_CHARS else _find_spots.__wrapped__)(query, names)


def terms_text(query: str, bindings: Mapping[str, object]) -> str | None:
    """The query with its stored-query parameters written as their terms (:func:`substitute_terms`), or None when a
    binding is not a parameter or a term cannot be written where it occurs: then bind them by :func:`bind_values`.
    What every backend tries first (an engine plans a constant better than a join with a VALUES block)."""
    return substitute_terms(query, bindings) if bindings and all(map(is_parameter, bindings)) else None


@functools.lru_cache(maxsize=512)
def _find_spots(query: str, names: tuple[str, ...]) -> tuple[tuple[int, int, str], ...] | None:
    if not all(_RE.name.fullmatch(name) for name in names):
        return None
    blanked = _RE.strip.sub(lambda m: " " * len(m.group(0)), query)
    clauses = [m.span() for m in _RE.clause.finditer(blanked)]
    found: list[tuple[int, int, str]] = []
    for name in names:
        for m in re.finditer(r"[?$]" + re.escape(name) + r"(?![A-Za-z0-9_])", blanked):
            if any(a <= m.start() < b for a, b in clauses) or _RE.not_term.search(blanked, 0, m.start()):
                return None
            found.append((m.start(), m.end(), name))
    return tuple(sorted(found))


class Param(NamedTuple):
    """One parameter of a stored query, as named by its variable (``?_cell_iri`` is ``cell``, type ``iri``)."""

    name: str
    type: str
    required: bool
    variable: str
    description: str = ""
    example: str | None = None  # a sample value from the header's ``examples:``; never filled in for a missing value


def parse_header(text: str, *, source: str = "<query>") -> tuple[Header, int]:
    """Parse the leading ``#+`` lines as YAML; return (mapping, number of header lines). Strict: errors raise.

    A header whose text is in the shipped ``headers.marshal`` (:mod:`hemokg.sparql.compiled`, keyed by the header's
    SHA-256) is read from there, so the hot path never imports PyYAML; an edited header is not in it and is
    parsed from its YAML as before, so the compiled file can never make a query answer differently."""
    header = _header_lines(text, source)
    block = "\n".join(header)
    compiled = compiled_headers().get(_digest(block))
    data = dict(compiled) if compiled is not None else _parse_yaml(block, source)
    return _checked(data, source), len(header)


def _header_lines(text: str, source: str) -> list[str]:
    header: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#+"):
            body = stripped[2:]
            header.append(body[1:] if body.startswith(" ") else body)
        elif stripped == "" and not header:
            continue
        else:
            break
    if not header:
        raise QueryHeaderError(f"{source}:1: no '#+' header; add at least '#+ summary: ...'")
    return header


def _parse_yaml(block: str, source: str) -> Header:
    import yaml

    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise QueryHeaderError(f"{source}{line}: malformed '#+' YAML header: {problem}") from None
    if not isinstance(data, dict):
        raise QueryHeaderError(f"{source}:1: the '#+' header must be a YAML mapping (key: value lines)")
    return data


def _checked(data: Header, source: str) -> Header:
    unknown = sorted(set(data) - HEADER_KEYS)
    if unknown:
        raise QueryHeaderError(f"{source}: unknown header key(s) {unknown}; allowed: {sorted(HEADER_KEYS)}")
    if not isinstance(data.get("summary"), str) or not data["summary"].strip():
        raise QueryHeaderError(f"{source}: the header needs a one-line 'summary:'")
    for key, kind in (("description", str), ("tags", list), ("params", dict), ("examples", dict), ("competency", list)):
        if key in data and not isinstance(data[key], kind):
            raise QueryHeaderError(f"{source}: header key {key!r} must be a {kind.__name__}")
    return data


def _digest(block: str) -> str:
    from hemokg.fileio import sha256

    return str(sha256(block.encode("utf-8", "surrogatepass")).hexdigest())


def compile_queries(folder: Path | None = None) -> bytes:
    """The compiled file of a folder of stored queries: every header parsed from its YAML (strictly) and every text
    checked by the same functions that check it at run time (:mod:`hemokg.sparql.compiled` reads it back).
    ``hemokg build`` writes it."""
    import marshal

    from hemokg.errors import SPARQLSyntaxError
    from hemokg.sparql import guard

    folder = folder or queries_dir()
    heads: dict[str, Any] = {}
    texts: dict[str, Any] = {}
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        block = "\n".join(_header_lines(text, str(path)))
        heads[_digest(block)] = _checked(_parse_yaml(block, str(path)), str(path))
        try:
            guard._scan(text, False, "query")
            passes = True
        except SPARQLSyntaxError:
            passes = False
        params = [list(found) for found in _RE.param.findall(text)]  # from the text, never the file being rebuilt
        variables = sorted({f"{prefix}{name}_{ptype}" for prefix, name, ptype in params})
        spots = {v: _find_spots(text, (v,)) for v in variables}
        texts[text] = {
            "form": _analyse_form(text),
            "guard": passes,
            "params": params,
            "spots": {v: None if s is None else [list(spot[:2]) for spot in s] for v, s in spots.items()},
        }
    return marshal.dumps(_sorted({"headers": heads, "texts": texts}), 2)


def _sorted(value: Any) -> Any:
    """``value`` with every mapping's keys in sorted order (a canonical file whatever the YAML's key order)."""
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


#: The header of a query built without one (an empty, read-only mapping).
_NO_HEADER: Mapping[str, Any] = MappingProxyType({})


class StoredQuery(NamedTuple):
    """A stored query: its name (the file stem), SPARQL text and header metadata."""

    name: str
    path: Path
    text: str
    summary: str
    description: str = ""
    tags: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    competency: tuple[str, ...] = ()
    form: str = "select"
    header: Mapping[str, Any] = _NO_HEADER

    def __repr__(self) -> str:
        return f"StoredQuery(name={self.name!r}, path={str(self.path)!r}, form={self.form!r})"

    @classmethod
    def from_file(cls, path: Path) -> StoredQuery:
        """Read and validate one ``.rq`` file (strict header, declared parameters, read-only form)."""
        text = path.read_text(encoding="utf-8")
        data, _ = parse_header(text, source=str(path))
        try:
            form = require_read_only(text)
        except UpdateRefusedError:
            form = query_form(text)
        if form not in READ_FORMS:
            raise QueryHeaderError(
                f"{path}: stored queries are read-only (SELECT/ASK/CONSTRUCT/DESCRIBE), found {form!r}"
            )
        found: dict[str, Param] = {}
        docs = data.get("params") or {}
        examples = data.get("examples") or {}
        for optional, name, ptype in _param_variables(text):
            variable = f"{optional}{name}_{ptype}"
            previous = found.get(name)
            if previous and previous.variable != variable:
                raise QueryHeaderError(f"{path}: parameter {name!r} is used as ?{previous.variable} and ?{variable}")
            if name not in docs:
                raise QueryHeaderError(f"{path}: parameter {name!r} (?{variable}) is not documented under 'params:'")
            example = examples.get(name)
            found[name] = Param(
                name, ptype, optional == "_", variable, str(docs[name]), None if example is None else str(example)
            )
        for key in set(docs) - set(found):
            raise QueryHeaderError(f"{path}: 'params:' documents {key!r}, which no ?_{key}_TYPE variable uses")
        for key in set(examples) - set(found):
            raise QueryHeaderError(f"{path}: 'examples:' names {key!r}, which is not a parameter")
        return cls(
            name=path.stem,
            path=path,
            text=text,
            summary=data["summary"].strip(),
            description=str(data.get("description") or "").strip(),
            tags=tuple(map(str, data.get("tags") or ())),
            params=tuple(found.values()),
            competency=tuple(map(str, data.get("competency") or ())),
            form=form,
            header=data,
        )

    def check_params(self, given: Mapping[str, object]) -> dict[str, object]:
        """Return the values to bind, by parameter name; raise on unknown ones and on a missing required one
        (naming it and the query's parameters: an example value is never taken in its place)."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(given) - set(known))
        if unknown:
            choices = ", ".join(known) or "none"
            raise ParameterError(f"query {self.name!r} has no parameter {unknown[0]!r} (parameters: {choices})")
        values: dict[str, object] = {}
        for p in self.params:
            value = given.get(p.name)
            if value is None:
                if p.required:
                    example = f", e.g. -p {p.name}={p.example!r}" if p.example is not None else ""
                    listed = ", ".join(q.name + ("" if q.required else "?") for q in self.params)
                    raise ParameterError(
                        f"query {self.name!r} needs parameter {p.name!r} ({p.description}){example}; "
                        f"its parameters: {listed}"
                    )
                continue
            values[p.name] = value
        return values


class Catalog(Mapping[str, StoredQuery]):
    """The stored queries of a folder, read lazily, by name."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or queries_dir()

    @cached_property
    def _paths(self) -> dict[str, Path]:
        try:  # os.scandir, not Path.glob: no pattern to compile on a hot command's way
            names = sorted(entry.name for entry in os.scandir(self.folder) if entry.name.endswith(".rq"))
        except OSError:
            names = []
        return {name[:-3]: self.folder / name for name in names}

    @cached_property
    def _loaded(self) -> dict[str, StoredQuery]:
        return {}

    def __getitem__(self, name: str) -> StoredQuery:
        if name not in self._loaded:
            path = self._paths.get(name)
            if path is None:
                raise QueryNotFoundError(f"no stored query {name!r}; known: {', '.join(self._paths) or 'none'}")
            self._loaded[name] = StoredQuery.from_file(path)
        return self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


_default: Catalog | None = None


def catalog() -> Catalog:
    """The shipped stored queries."""
    global _default
    if _default is None:
        _default = Catalog()
    return _default
