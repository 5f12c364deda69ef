"""The fast path of the hot commands: byte-identical to the click CLI, never importing click, rich or yaml.

Every hot command line runs twice as a real process, through :func:`hemokg.cli.main` with the fast path and with
``HEMOKG_NO_FAST_PATH=1`` (the click group), and the two must agree on stdout, stderr, exit status and any file
written. The fast path's parser is also checked against click's own parsing of the same command lines, and its
table against the parameters of the click commands built from it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest

from hemokg.cli import fast
from hemokg.cli.spec import HOT_COMMANDS

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("click", "rich", "yaml")

#: Runs main() on argv and writes which of HEAVY were imported to the file named by HEMOKG_TEST_MODULES.
CHILD = (
    "import atexit, os, sys\n"
    "def report():\n"
    "    with open(os.environ['HEMOKG_TEST_MODULES'], 'w') as f:\n"
    f"        f.write(' '.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    "atexit.register(report)\n"
    "from hemokg.cli import main\n"
    "main(sys.argv[1:])\n"
)


def run(args: list[str], tmp: Path, *, click_route: bool, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``hemokg ARGS`` in a fresh interpreter; ``{out}`` in an argument becomes a per-run output path."""
    tag = "click" if click_route else "fast"
    out = tmp / f"out-{tag}.txt"
    modules = tmp / f"modules-{tag}.txt"
    full_env = {**os.environ, **(env or {}), "HEMOKG_TEST_MODULES": str(modules)}
    full_env["PYTHONPATH"] = os.pathsep.join([str(ROOT), full_env.get("PYTHONPATH", "")])
    full_env.pop("HEMOKG_NO_FAST_PATH", None)
    if click_route:
        full_env["HEMOKG_NO_FAST_PATH"] = "1"
    argv = [a.replace("{out}", str(out)) for a in args]
    proc = subprocess.run([sys.executable, "-c", CHILD, *argv], capture_output=True, env=full_env, timeout=120)
    return {
        "code": proc.returncode,
        "out": proc.stdout,
        "err": proc.stderr.replace(str(out).encode(), b"{out}"),
        "file": out.read_bytes() if out.exists() else None,
        "heavy": modules.read_text().split() if modules.exists() else None,
    }


#: Command lines the fast path runs itself: same bytes as click, and nothing heavy imported.
FAST_CASES = [
    ["lineage", "neutrophil"],
    ["lineage", "neutrophil", "--format", "json"],
    ["lineage", "--format=csv", "erythrocyte", "--asserted"],
    ["lineage", "--", "neutrophil"],
    ["lookup", "hemopoiesis"],
    ["lookup", "hemopoiesis", "--format", "json", "--asserted"],
    ["lookup", "CL:0000775", "--format", "csv"],
    ["query", "develops-from-chain", "-p", "cell=platelet"],
    ["query", "develops-from-chain", "--format", "json", "-pcell=platelet", "--timeout", "5"],
    ["query", "develops-from-chain", "-p", "cell=platelet", "-o", "{out}"],
    ["query", "develops-from-chain", "--param=cell=erythrocyte", "--format", "csv", "--output={out}"],
    ["lineage", "nosuchcell"],  # a missing term: the same error line and exit status
    ["query", "no-such-query", "-p", "cell=platelet"],
    ["query", "develops-from-chain"],  # a missing required parameter: hemokg's own error
    ["lineage", "neutrophil", "-o", "{out}.missing/x.tsv"],  # a folder that does not exist: one error line
]


@pytest.mark.parametrize("args", FAST_CASES, ids=" ".join)
def test_fast_path_is_byte_identical_to_click_and_imports_nothing_heavy(args: list[str], tmp_path: Path) -> None:
    fast_run, click_run = run(args, tmp_path, click_route=False), run(args, tmp_path, click_route=True)
    assert fast_run["heavy"] == [], f"the fast path imported {fast_run['heavy']}"
    assert "click" in (click_run["heavy"] or [])  # the comparison really went through click
    for key in ("code", "out", "err", "file"):
        assert fast_run[key] == click_run[key], key
    assert fast_run["out"] or fast_run["file"] or fast_run["err"]


#: Command lines the fast path hands to click: click's own messages, help and exit statuses.
CLICK_CASES: list[tuple[list[str], dict[str, str]]] = [
    (["query", "develops-from-chain", "-p", "cellplatelet"], {}),
    (["query", "develops-from-chain", "-p", "cell=platelet", "-p", "cell=neutrophil"], {}),
    (["lineage"], {}),
    (["lineage", "neutrophil", "extra"], {}),
    (["lineage", "neutrophil", "--bogus"], {}),
    (["lineage", "neutrophil", "--format", "xml"], {}),
    (["lineage", "neutrophil", "--timeout", "0.01"], {}),
    (["lineage", "neutrophil", "--asserted=yes"], {}),
    (["lineage", "neutrophil", "--format"], {}),
    (["lineage", "--help"], {}),
    (["query", "-h"], {}),
    (["lineage", "neutrophil", "-o", "."], {}),
    (["lineage", "neutrophil"], {"HEMOKG_TIMEOUT": "soon"}),
]


@pytest.mark.parametrize(("args", "env"), CLICK_CASES, ids=lambda v: " ".join(v) if isinstance(v, list) else str(v))
def test_what_the_fast_path_does_not_understand_is_clicks(args: list[str], env: dict[str, str], tmp_path: Path) -> None:
    fast_run, click_run = (
        run(args, tmp_path, click_route=False, env=env),
        run(args, tmp_path, click_route=True, env=env),
    )
    for key in ("code", "out", "err", "file"):
        assert fast_run[key] == click_run[key], key
    assert fast_run["code"] != 0 or args[-1] in ("--help", "-h")


def test_environment_variables_come_from_the_table(tmp_path: Path) -> None:
    args = ["lineage", "neutrophil"]
    env = {"HEMOKG_TIMEOUT": "7", "HEMOKG_ENDPOINT": ""}  # an empty variable counts as unset, as in click
    fast_run, click_run = (
        run(args, tmp_path, click_route=False, env=env),
        run(args, tmp_path, click_route=True, env=env),
    )
    assert fast_run["heavy"] == [] and fast_run["code"] == 0
    assert (fast_run["out"], fast_run["err"]) == (click_run["out"], click_run["err"])


def click_command(name: str) -> click.Command:
    from hemokg.cli.group import cli

    command = cli.get_command(click.Context(cli), name)
    assert command is not None
    return command


@pytest.mark.parametrize("name", list(HOT_COMMANDS))
def test_the_table_and_the_click_parameters_agree(name: str) -> None:
    spec = HOT_COMMANDS[name]
    params = [p for p in click_command(name).params if p.name != "help"]
    assert [p.name for p in params] == [a.name for a in spec.arguments] + [o.dest for o in spec.options]
    for param in params[: len(spec.arguments)]:
        assert isinstance(param, click.Argument) and param.required and param.nargs == 1
    for param, option in zip(params[len(spec.arguments) :], spec.options, strict=True):
        assert isinstance(param, click.Option)
        assert tuple(param.opts + param.secondary_opts) == option.decls
        assert param.envvar == option.envvar and param.is_flag == (option.kind == "flag")
        assert param.multiple == (option.kind == "multiple") and not param.required
        assert param.help == option.help and param.metavar == option.metavar
        if option.kind == "choice":
            assert isinstance(param.type, click.Choice) and tuple(param.type.choices) == option.choices
        if option.kind == "float":
            assert isinstance(param.type, click.FloatRange) and param.type.min == option.minimum


#: Command lines for the parser comparison (``lineage``'s and ``query``'s options; the same table for ``lookup``).
PARSE_CASES = [
    ["lineage", "neutrophil"],
    ["lineage", "--asserted", "neutrophil", "--with-imports", "--asserted"],
    ["lineage", "neutrophil", "--format", "json", "--format", "csv"],
    ["lineage", "neutrophil", "-o-", "--endpoint", "http://127.0.0.1:9/sparql", "--graph", ""],
    ["lineage", "neutrophil", "--timeout=0.5", "--update-endpoint", "u", "--store-endpoint=s"],
    ["lineage", "--", "-neutrophil"],
    ["lineage", "-", "--output", "-"],
    ["lineage", "neutrophil", "--timeout", "0.05"],
    ["lineage", "neutrophil", "--timeout", "inf"],
    ["lineage", "neutrophil", "-x"],
    ["lineage", "neutrophil", "--form", "json"],
    ["lineage", "neutrophil", "-o"],
    ["lineage", "neutrophil", "--format", "JSON"],
    ["lineage", "-5"],
    ["lineage"],
    ["lineage", "a", "b"],
    ["query", "develops-from-chain", "-p", "cell=platelet", "-pcell=x", "--param", "a=b", "--param=c=d"],
    ["query", "develops-from-chain", "-p=cell=x"],
    ["query", "-p", "cell=platelet", "develops-from-chain"],
    ["query", "develops-from-chain", "-p"],
    ["lookup", "", "--endpoint="],
]
#: Lines click parses but the fast path leaves to click on purpose (click reads ``=cell=x`` as the value of -p).
DECLINED = [["query", "develops-from-chain", "-p=cell=x"]]


@pytest.mark.parametrize("args", PARSE_CASES, ids=" ".join)
def test_the_fast_parser_reads_a_command_line_as_click_does(args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HEMOKG_ENDPOINT", raising=False)
    monkeypatch.delenv("HEMOKG_TIMEOUT", raising=False)
    name, rest = args[0], args[1:]
    mine = fast.parse(HOT_COMMANDS[name], rest)
    try:
        with click_command(name).make_context(name, list(rest)) as ctx:
            theirs: dict[str, Any] | None = dict(ctx.params)
    except click.ClickException:
        theirs = None
    if mine is not None:  # whatever the fast path accepts, click accepts and reads the same way
        assert theirs == mine
    else:  # the fast path passes a line on to click: one click refuses, or one of the few declined on purpose
        assert theirs is None or args in DECLINED


def test_importing_the_cli_imports_no_click() -> None:
    code = "import sys, hemokg.cli, hemokg.cli.fast, hemokg.cli.options; print('click' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert proc.stdout.strip() == "False"


@pytest.mark.slow
def test_a_remote_endpoint_answers_the_same_through_both_routes(oxigraph_kg, oxigraph_server, tmp_path: Path) -> None:
    from hemokg.backends.remote import DEFAULT_GRAPH

    flags = ["--graph", DEFAULT_GRAPH, "--timeout", "60", "--format", "json"]
    cases: list[tuple[list[str], dict[str, str]]] = [
        (["query", "develops-from-chain", "-p", "cell=platelet", "--endpoint", oxigraph_server.query, *flags], {}),
        (["lineage", "neutrophil", *flags], {"HEMOKG_ENDPOINT": oxigraph_server.query}),
    ]
    for args, env in cases:
        fast_run = run(args, tmp_path, click_route=False, env=env)
        click_run = run(args, tmp_path, click_route=True, env=env)
        assert fast_run["heavy"] == [] and fast_run["code"] == 0, fast_run["err"]
        assert (fast_run["out"], fast_run["err"]) == (click_run["out"], click_run["err"])


@pytest.mark.parametrize("width", [78, 108])
def test_the_shipped_help_pages_are_current(width: int) -> None:
    """``help-WIDTH.txt`` is what the click group renders at that width now (``hemokg build`` rewrites them)."""
    from hemokg.cli.group import HELP_WIDTHS, help_page

    assert width in HELP_WIDTHS
    shipped = (ROOT / "hemokg" / "cli" / f"help-{width}.txt").read_text(encoding="utf-8")
    assert shipped == help_page(width), "the pre-rendered --help is stale: run `hemokg build` and commit"


@pytest.mark.parametrize(
    ("args", "columns", "pre_rendered"),
    [
        (["--help"], "80", True),
        (["-h"], "200", True),
        (["--help"], "", True),  # a pipe, no $COLUMNS: click's 80-column fallback
        (["--help"], "60", False),  # no page for this width: click renders it
        (["--help"], "109", False),
    ],
)
def test_top_level_help_is_clicks_own_without_click(
    tmp_path: Path, args: list[str], columns: str, pre_rendered: bool
) -> None:
    """``hemokg --help`` gives click's bytes and exit status at every width; at the pre-rendered widths the fast
    path prints them without importing click (``--help`` ≤ 4× a bare start needs that)."""
    env = {"COLUMNS": columns}
    fast_run = run(args, tmp_path, click_route=False, env=env)
    click_run = run(args, tmp_path, click_route=True, env=env)
    assert fast_run["code"] == click_run["code"] == 0
    assert fast_run["out"] == click_run["out"] and fast_run["out"].startswith(b"Usage: hemokg [OPTIONS] COMMAND")
    assert fast_run["err"] == click_run["err"]
    assert ("click" not in fast_run["heavy"]) is pre_rendered


HOT_LINES = [
    ["lineage", "neutrophil"],
    ["lookup", "hemopoiesis"],
    ["query", "develops-from-chain", "-p", "cell=platelet"],
]


@pytest.mark.parametrize("args", HOT_LINES)
def test_a_hot_command_never_imports_typing(args: list[str]) -> None:
    """From a clean start (``python -S``: no ``.pth`` hook, which may import typing itself), a hot command runs on
    :mod:`hemokg._hints`' stand-ins; importing typing would cost it ~15 M instructions (issue 18)."""
    import site

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *site.getsitepackages()])}
    env.pop("HEMOKG_NO_FAST_PATH", None)
    code = (
        "import sys\nfrom hemokg.cli import main\nmain(sys.argv[1:])\n"
        "sys.stderr.write(' '.join(m for m in ('typing', 'click') if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-S", "-c", code, *args], capture_output=True, text=True, env=env, timeout=120, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() and proc.stderr == ""
