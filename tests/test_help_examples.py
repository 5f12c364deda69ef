"""Every example in every command's ``--help`` runs as printed (issue 14): pasted into a shell, verbatim.

Each command's examples run as one bash script (``set -e``) in a scratch folder of their own, with ``hemokg`` on
PATH running this tree's package from a scratch copy of the source checkout (so ``build``, ``format`` and ``imports``
write into the copy, never into this tree). The examples that need a server name the port they use: ``push`` gets
an Oxigraph server on that port (tests/fixtures/servers.py), ``serve`` starts its own. The one change made to the
printed lines is that port number: each run puts a port free at the time in its place (the same one in every line
of the command), so that runs in parallel (pytest-xdist, or another checkout's suite) never meet on a fixed port.
There is no skip list: an example that cannot run as printed is rewritten until it can.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import click
import pytest

from hemokg.cli import cli
from tests.fixtures.servers import OxigraphServer, free_port

ROOT = Path(__file__).resolve().parents[1]
#: The port each command's examples expect a server on, and the fixture that provides it (serve starts its own).
SERVER_PORTS = {"push": 7878}
#: A port an example names: in a URL on 127.0.0.1, or as ``--port``.
PORT = re.compile(r"(?<=127\.0\.0\.1:)\d+\b|(?<=--port )\d+\b")


def with_free_ports(lines: list[str]) -> tuple[list[str], dict[int, int]]:
    """The lines with every port they name replaced by one free now (each printed port always by the same one), and
    the replacements (printed port -> free port)."""
    ports: dict[int, int] = {}

    def free(match: re.Match[str]) -> str:
        return str(ports.setdefault(int(match.group()), free_port()))

    return [PORT.sub(free, line) for line in lines], ports


def _commands() -> list[tuple[str, click.Command]]:
    """Every command and group, by its path (``hemokg``, ``hemokg draw``, ``hemokg draw lineage``, …)."""
    found: list[tuple[str, click.Command]] = []

    def walk(path: str, command: click.Command, parent: click.Context | None) -> None:
        found.append((path, command))
        if isinstance(command, click.Group):
            ctx = click.Context(command, info_name=path.rsplit(" ", 1)[-1], parent=parent)
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None, f"{path} {name}"
                walk(f"{path} {name}", sub, ctx)

    walk("hemokg", cli, None)
    return found


def examples(epilog: str | None) -> list[str]:
    """The shell lines of an epilog: ``Example: LINE``, or ``Example(s) …:`` then one line each (a ``\\b`` block)."""
    text = (epilog or "").replace("\b", "").strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines or not re.match(r"Examples?\b", lines[0]):
        return []
    if len(lines) == 1:
        return [lines[0].split(": ", 1)[1]]
    assert lines[0].endswith(":"), f"an epilog's first line introduces its examples and ends with ':': {lines[0]!r}"
    return lines[1:]


COMMANDS = _commands()


def test_every_command_shows_an_example() -> None:
    missing = [path for path, command in COMMANDS if not examples(command.epilog)]
    assert not missing, f"commands whose --help shows no example: {missing}"
    for path, command in COMMANDS:
        for line in examples(command.epilog):
            assert line.startswith(("hemokg ", "HEMOKG_", "curl ", "kill ")), (path, line)
            lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
            lexer.commenters = "#"
            operators = [t for t in lexer if t and set(t) <= set("|&;<>()") and t != "&"]
            assert not operators, f"{path}: one command per example line, no {operators} (pasted, it runs as shell)"


def test_the_draw_commands_name_every_picture_format() -> None:
    for path, command in COMMANDS:
        if path.startswith("hemokg draw "):
            output = next(p for p in command.params if p.name == "output")
            assert ".pdf" in (output.help or "") and ".dot" in (output.help or ""), path


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A scratch copy of the source checkout and an environment whose ``hemokg`` runs it."""
    base = tmp_path_factory.mktemp("help-examples")
    src = base / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for part in ("hemokg", "ontology", "queries"):
        shutil.copytree(ROOT / part, src / part, ignore=ignore)
    bin_dir = base / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "hemokg"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m hemokg "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", "PYTHONPATH": str(src)}
    env.pop("HEMOKG_ENDPOINT", None)
    return env


@pytest.mark.slow
@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[path for path, _ in COMMANDS])
def test_every_help_example_runs_as_printed(
    path: str, command: click.Command, checkout: dict[str, str], tmp_path: Path
) -> None:
    lines = examples(command.epilog)
    assert lines, f"{path} --help shows no example"
    work = tmp_path / "work"
    work.mkdir()
    lines, ports = with_free_ports(lines)
    with ExitStack() as stack:
        port = SERVER_PORTS.get(path.split(" ")[1] if " " in path else "")
        if port is not None:
            assert port in ports, f"{path}: its examples no longer name port {port}; update SERVER_PORTS"
            server = OxigraphServer.start_in(tmp_path / "db", port=ports[port])
            stack.callback(server.stop)
        proc = subprocess.Popen(
            ["bash", "-e", "-c", "\n".join(lines)],
            cwd=work,
            env=checkout,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # a server an example starts in the background goes with its process group
        )
        stack.callback(_kill_group, proc.pid)
        try:
            out, err = proc.communicate(timeout=900)
        except subprocess.TimeoutExpired:
            _kill_group(proc.pid)
            out, err = proc.communicate()
            pytest.fail(f"{path}: the examples did not finish in 900 s\n{err[-2000:]}")
    assert proc.returncode == 0, f"{path} example failed (exit {proc.returncode}):\n" + "\n".join(lines) + f"\n{err}"
    assert "Traceback" not in err, err
    if path == "hemokg serve":
        assert "true" in out, out


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass


def test_ports_in_examples_are_replaced_consistently() -> None:
    lines, ports = with_free_ports(
        ["hemokg serve --port 8000 &", "curl -g 'http://127.0.0.1:8000/sparql?query=ASK{?s?p?o}'", "hemokg query x"]
    )
    assert list(ports) == [8000] and ports[8000] != 8000
    assert lines == [
        f"hemokg serve --port {ports[8000]} &",
        f"curl -g 'http://127.0.0.1:{ports[8000]}/sparql?query=ASK{{?s?p?o}}'",
        "hemokg query x",
    ]
