"""Fuzzing: lookup, parameter binding, the stored-query header parser, the ontology loader and the CLI get generated
input (unicode, surrogates, control characters, huge strings, malformed IRIs/CURIEs, broken Turtle) and may raise
nothing but the package's own errors; the CLI never shows a traceback.

``HEMOKG_FUZZ_EXAMPLES=N`` multiplies the hypothesis example counts and the atheris run length (default 1).
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import tempfile
import textwrap
import urllib.parse
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from pyoxigraph import Literal, NamedNode, QuerySolutions, Store

import hemokg
from hemokg.cli import main as cli_main
from hemokg.errors import HemoError, OntologyParseError, QueryHeaderError
from hemokg.graph.parse import parse_ontology
from hemokg.lookup import as_iri, normalize
from hemokg.resources import ontology_path
from hemokg.sparql.queries import StoredQuery, bind_values, catalog, parse_header, query_form
from tests.test_injection import HOSTILE as INJECTION_HOSTILE

SCALE = int(os.environ.get("HEMOKG_FUZZ_EXAMPLES", "1"))
FUZZ = settings(
    max_examples=150 * SCALE,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ROOT = Path(__file__).resolve().parents[1]

#: Pieces an attacker or a careless paste brings: the injection suite's values (quoting, IRI and group
#: delimiters, comments, escapes, updates), plus prefixes, variables, controls and bidi marks of its own.
HOSTILE = [
    *INJECTION_HOSTILE,
    "\r",
    "\\u0000",
    "\\U0010FFFF",
    " . } INSERT DATA { <a> <b> <c> } #",
    "http://",
    "https://w3id.org/hemokg/HEMO_",
    "CL:",
    "HEMO:",
    "obo:",
    "urn:",
    "file:///etc/passwd",
    "?x",
    "$y",
    "\u202e",
    "\ufeff",
    "\u2028",
    "\x1b[31m",
    "%00",
    "\t",
    "@en",
    "^^",
]
CHARS = st.one_of(st.characters(), st.characters(categories=["Cs"]), st.sampled_from(list("\x00\x01\x7f\u0085")))
TEXT = st.one_of(
    st.text(CHARS, max_size=60),
    st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(CHARS, max_size=8)), max_size=8).map("".join),
    st.builds(
        lambda p, s: p + s,
        st.sampled_from(["http://", "CL:", "HEMO:", "<http://", "urn:", "GO:"]),
        st.text(CHARS, max_size=30),
    ),
)


def _only_hemo_errors(func, *args, **kwargs):
    """Call and return the result, or None when a HemoError was raised; any other exception fails the test."""
    try:
        return func(*args, **kwargs)
    except HemoError as exc:
        message = str(exc)
        assert message and "\n" not in message, f"not one line: {message!r}"
        return None


# --- lookup, resolve, lineage --------------------------------------------------------------------------------------
@FUZZ
@given(text=TEXT)
def test_lookup_resolve_and_lineage_raise_only_package_errors(kg: hemokg.KnowledgeGraph, text: str) -> None:
    term = _only_hemo_errors(kg.lookup, text)
    if term is not None:
        NamedNode(term.iri)  # whatever matched is a real IRI
    iri = _only_hemo_errors(kg.resolve, text)
    if iri is not None:
        NamedNode(iri)
    _only_hemo_errors(kg.lineage, text)


@pytest.mark.parametrize(
    "text",
    [
        "http://a>b",
        "CL:0000775}",
        "HEMO:>",
        "urn:x{",
        "CL:\x00",
        "\udcff",
        "neutrophil\x00",
        pytest.param("x" * 1_000_000, id="1MB"),
        "<http://a b>",
        "http://x\x01",
        "CL:<>",
        "",
        "  ",
        "\n",
    ],
)
def test_found_malformed_names_are_term_not_found(kg: hemokg.KnowledgeGraph, text: str) -> None:
    """Findings: an invalid IRI/CURIE and a lone surrogate (undecodable argv bytes) raised a bare ValueError."""
    with pytest.raises(hemokg.TermNotFoundError) as info:
        kg.lookup(text)
    assert len(str(info.value)) < 400
    with pytest.raises(hemokg.TermNotFoundError):
        kg.lineage(text)


def test_as_iri_rejects_what_is_not_an_iri() -> None:
    assert as_iri("CL:0000775") == "http://purl.obolibrary.org/obo/CL_0000775"
    assert as_iri("<https://w3id.org/hemokg/HEMO_0000001>") == "https://w3id.org/hemokg/HEMO_0000001"
    assert as_iri("http://a>b") is None and as_iri("CL:00}") is None


@FUZZ
@given(text=TEXT)
def test_normalize_is_total_and_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


# --- stored-query parameters and VALUES binding --------------------------------------------------------------------
def _param_index(query: str, name: str) -> int:
    """The position of a stored query's parameter in the list the test below draws from."""
    params = [(q.name, p.name) for q in catalog().values() for p in q.params]
    return params.index((query, name))


@FUZZ
@given(value=TEXT, which=st.integers(min_value=0))
@example(value="http:0", which=_param_index("develops-from-ask", "cell"))
def test_every_stored_query_parameter_takes_any_text(kg: hemokg.KnowledgeGraph, value: str, which: int) -> None:
    params = [(q, p) for q in catalog().values() for p in q.params]
    stored, param = params[which % len(params)]
    results = _only_hemo_errors(kg.query, stored.name, **{param.name: value})
    expected = {"select": "select", "ask": "ask", "construct": "graph", "describe": "graph"}[stored.form]
    assert results is None or results.kind == expected, (stored.name, param.name, value)


@FUZZ
@given(
    value=st.lists(st.one_of(st.characters(), st.sampled_from(HOSTILE)), max_size=60).map("".join),
    language=st.sampled_from([None, "en", "en-GB"]),
)
def test_bound_literals_come_back_exactly(value: str, language: str | None) -> None:
    """Whatever a literal holds, the bound query parses and returns that very literal: nothing escapes the VALUES."""
    literal = Literal(value, language=language) if language else Literal(value)
    query = bind_values("SELECT ?x ?n WHERE { BIND(42 AS ?n) }", {"x": literal})
    answer = Store().query(query)
    assert isinstance(answer, QuerySolutions)
    rows = [tuple(r) for r in answer]
    assert rows == [(literal, Literal(42))]


@FUZZ
@given(path=st.text(st.characters(exclude_characters=' <>"{}|^`\\'), max_size=60))
def test_bound_iris_come_back_exactly(path: str) -> None:
    try:
        iri = NamedNode("http://example.org/" + path)
    except ValueError:
        return  # not an IRI: it can never be bound
    answer = Store().query(bind_values("SELECT ?x WHERE { }", {"x": iri}))
    assert [tuple(r) for r in answer] == [(iri,)]


@FUZZ
@given(name=st.text(CHARS, max_size=20))
def test_bind_values_refuses_bad_variable_names(name: str) -> None:
    try:
        query = bind_values("SELECT * WHERE { }", {name: Literal("x")})
    except hemokg.ParameterError:
        return
    assert next(iter(Store().query(query)))[0] == Literal("x")


# --- stored-query header parser ------------------------------------------------------------------------------------
HEADER_PIECES = [
    "summary: x",
    "summary:",
    "params:",
    "  cell: a cell",
    "examples:",
    "  cell: [",
    "tags: [a, b",
    "tags: a",
    "bogus: 1",
    "- a",
    "{",
    "}",
    ":",
    "'",
    '"',
    "&a *a",
    "!!python/object:os.system",
    "\t",
    "description: >",
    "  text",
    "competency: [CQ01]",
    "params: 1",
    "summary: [1]",
    "? ",
    "%YAML 1.1",
]


@FUZZ
@given(
    lines=st.lists(st.one_of(st.sampled_from(HEADER_PIECES), st.text(CHARS, max_size=30)), max_size=10),
    body=st.sampled_from(["SELECT * WHERE { ?_cell_iri ?p ?o }", "ASK {}", "DROP ALL", "", "SELECT ?__n_integer {}"]),
)
def test_header_parser_raises_only_query_header_errors(lines: list[str], body: str, tmp_path_factory) -> None:
    text = "".join(f"#+ {line}\n" for line in lines) + body
    try:
        data, count = parse_header(text, source="fuzz.rq")
    except QueryHeaderError as exc:
        assert str(exc).startswith("fuzz.rq"), exc
    else:
        assert isinstance(data.get("summary"), str) and 0 < count <= len(lines)
    folder = tmp_path_factory.mktemp("rq")
    path = folder / "fuzz.rq"
    try:
        path.write_text(text, encoding="utf-8")
    except UnicodeEncodeError:
        return
    try:
        stored = StoredQuery.from_file(path)
    except QueryHeaderError as exc:
        assert str(exc).startswith(str(path)), exc
    else:
        assert stored.form in ("select", "ask", "construct", "describe")


@pytest.mark.parametrize(
    "text",
    [
        "PREFIX select: <http://x/> INSERT DATA { select:a select:b select:c }",
        "BASE <http://select/> DROP ALL",
        "# SELECT\nDELETE WHERE { ?s ?p ?o }",
        "PREFIX ask: <http://x/ask> PREFIX : <http://y/> WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        'INSERT DATA { <a> <b> "SELECT" }',
    ],
)
def test_query_form_sees_the_update_behind_a_prologue(text: str) -> None:
    """Finding: ``PREFIX select: <…> INSERT DATA …`` counted as a SELECT (the first keyword anywhere won)."""
    assert query_form(text) not in ("select", "ask", "construct", "describe")


@FUZZ
@given(text=TEXT)
def test_query_form_is_total(text: str) -> None:
    assert query_form(text) in (
        "select",
        "ask",
        "construct",
        "describe",
        "insert",
        "delete",
        "load",
        "clear",
        "drop",
        "create",
        "add",
        "move",
        "copy",
        "with",
        "unknown",
    )


# --- ontology loader -----------------------------------------------------------------------------------------------
_TTL = ontology_path().read_bytes()


@FUZZ
@given(
    position=st.integers(min_value=0, max_value=len(_TTL)),
    junk=st.one_of(
        st.binary(max_size=12),
        st.sampled_from([b"\xff", b"\x00", b"<", b">", b'"', b".", b";", b"@prefix", b"\\u"]),
        st.text(CHARS, max_size=8).map(lambda t: t.encode("utf-8", "surrogatepass")),
    ),
    mode=st.sampled_from(["insert", "truncate", "replace"]),
)
def test_broken_turtle_gives_a_parse_error_naming_file_and_line(position: int, junk: bytes, mode: str) -> None:
    data = {
        "insert": _TTL[:position] + junk + _TTL[position:],
        "truncate": _TTL[:position],
        "replace": _TTL[:position] + junk + _TTL[position + len(junk) :],
    }[mode]
    try:
        parse_ontology(data, path="hemo.ttl")
    except OntologyParseError as exc:
        assert str(exc).startswith("hemo.ttl:") and exc.line is not None and "\n" not in str(exc), str(exc)


def test_loader_reports_unreadable_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(OntologyParseError, match="cannot read"):
        hemokg.load(tmp_path / "missing.ttl", reasoned=False)
    with pytest.raises(OntologyParseError, match="cannot read"):
        hemokg.load(tmp_path, reasoned=False)
    bad = tmp_path / "bad.ttl"
    bad.write_bytes(b"@prefix : <http://x/> .\n:a :b :c .\n:d :e \xff\xfe .\n")
    with pytest.raises(OntologyParseError, match=r"bad\.ttl:3"):
        hemokg.load(bad, reasoned=False)


# --- the CLI -------------------------------------------------------------------------------------------------------
def _run_cli(argv: list[str]) -> tuple[int, str]:
    """Run the CLI in this process (as ``hemokg.cli.main`` would in its own); return exit code and stderr."""
    out, err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), io.StringIO()
    code = 0
    # generated argv may hold `-o NAME`: any file it writes lands in a scratch folder, never in the checkout
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as scratch, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        os.chdir(scratch)
        try:
            cli_main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        finally:
            os.chdir(here)
    return code, err.getvalue()


ARGV = st.one_of(
    st.tuples(st.just("lookup"), TEXT).map(list),
    st.tuples(st.just("lineage"), TEXT).map(list),
    st.tuples(
        st.just("query"),
        st.sampled_from(["term-by-name", "term-details", "nope", "develops-into"]),
        st.just("-p"),
        st.builds("{}={}".format, st.sampled_from(["name", "term", "cell", "x", ""]), TEXT),
    ).map(list),
    st.tuples(st.just("sparql"), TEXT).map(list),
    st.lists(
        st.one_of(
            st.sampled_from(
                ["--format", "json", "-o", "-p", "--endpoint", "--asserted", "query", "lookup", "--", "-", "--help"]
            ),
            TEXT,
        ),
        max_size=5,
    ),
)


@settings(FUZZ, max_examples=60 * SCALE)
@given(argv=ARGV)
def test_cli_never_shows_a_traceback(argv: list[str]) -> None:
    assume("--endpoint" not in argv)  # endpoints are fuzzed below, with URLs that cannot reach the network
    code, err = _run_cli(argv)
    assert "Traceback" not in err and "internal error" not in err, err
    assert code in (0, 1, 2), (code, err)


def _cannot_reach_the_network(url: str) -> bool:
    """True if ``url`` is no http(s) URL with a host (so no request can be sent): what the endpoint check refuses."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return True
    return parts.scheme.lower() not in ("http", "https") or not parts.hostname


MALFORMED_URL = st.one_of(
    TEXT,
    st.builds(
        "{}{}".format,
        st.sampled_from(
            [
                "http://[",
                "https://[::1",
                "http://127.0.0.1:",
                "http://h:-",
                "http://h:99999",
                "http:///",
                "https://:80/",
                "ftp://",
                "file:///",
                "mailto:",
                "localhost:",
                "//",
                "http:",
            ]
        ),
        TEXT,
    ),
)


@settings(FUZZ, max_examples=60 * SCALE)
@given(
    command=st.sampled_from(
        [
            ["lookup", "neutrophil"],
            ["lineage", "platelet"],
            ["sparql", "ASK {}"],
            ["query", "term-details", "-p", "term=neutrophil"],
        ]
    ),
    url=MALFORMED_URL,
)
def test_cli_refuses_a_malformed_endpoint_url_in_one_line(command: list[str], url: str) -> None:
    assume(url != "" and _cannot_reach_the_network(url))  # "" means no endpoint: the embedded store answers
    code, err = _run_cli([*command, "--endpoint", url])
    assert "Traceback" not in err and "internal error" not in err, err
    assert code == 1 and err.startswith("hemokg: error:") and err.count("\n") == 1, (code, err)


@pytest.mark.parametrize(
    "args",
    [
        [b"lookup", b"\xff\xfe"],
        [b"lookup", b"http://a>b"],
        [b"lineage", b"CL:}"],
        [b"query", b"term-by-name", b"-p", b"name=\xc3("],
        [b"sparql", b"PREFIX select: <http://x/> INSERT DATA { select:a select:b select:c }"],
        [b"sparql", b"}{"],
        [b"sparql", b'SELECT * WHERE { ?s ?p "\xff" }'],
        [b"query", b"../../etc/passwd"],
        pytest.param([b"lookup", b"x" * 100_000], id="100k"),
    ],
)
def test_cli_processes_answer_hostile_arguments_with_one_line(args: list[bytes]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "hemokg", *args],
        capture_output=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 1, err
    assert "Traceback" not in err and err.startswith("hemokg: error:") and err.count("\n") == 1, err


# --- atheris (coverage-guided), a bounded run in a subprocess -------------------------------------------------------
ATHERIS_HARNESS = textwrap.dedent("""
    import sys
    import atheris
    with atheris.instrument_imports():
        from pyoxigraph import Literal, Store
        from hemokg.errors import HemoError
        from hemokg.lookup import as_iri, normalize
        from hemokg.sparql.queries import bind_values, parse_header, query_form

    def one(data: bytes) -> None:
        fdp = atheris.FuzzedDataProvider(data)
        text = fdp.ConsumeUnicodeNoSurrogates(200)
        try:
            parse_header(text, source="f.rq")
        except HemoError:
            pass
        query_form(text)
        normalize(text)
        as_iri(text)
        value = fdp.ConsumeUnicodeNoSurrogates(100)
        rows = list(Store().query(bind_values("SELECT ?x WHERE { }", {"x": Literal(value)})))
        assert rows[0][0] == Literal(value), (value, rows)

    atheris.Setup(sys.argv, one)
    atheris.Fuzz()
""")


def test_atheris_bounded_run(tmp_path: Path) -> None:
    if sys.platform != "linux":
        pytest.skip("atheris is in the test extra on Linux only")
    import atheris  # noqa: F401 - in the test extra on Linux: missing is a failure, not a skip

    harness = tmp_path / "harness.py"
    harness.write_text(ATHERIS_HARNESS)
    runs = 4000 * SCALE
    proc = subprocess.run(
        [sys.executable, str(harness), f"-runs={runs}", "-seed=1", "-max_len=400"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"Done {runs} runs" in proc.stderr
