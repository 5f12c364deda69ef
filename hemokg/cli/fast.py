"""The fast path of the hot commands: parse the command line with the table, run the work, never import click.

:func:`run` reads the same table as the click CLI (:mod:`hemokg.cli.spec`) and understands only the plain, valid
command lines of ``lineage``, ``lookup`` and ``query``, and prints ``hemokg --help`` from the pages ``hemokg build``
pre-renders with the click group at the widths click would use here. Anything else (a command's ``--help``, an
unknown, repeated-in-one-token or malformed option, a value click would refuse, a missing or extra argument, shell
completion) returns ``False`` before anything runs, and the click CLI handles the line, so every usage message stays
click's. It accepts what click accepts: ``--opt VALUE``, ``--opt=VALUE``, ``-o VALUE``, ``-oVALUE``, options before,
between and after arguments, ``--`` ending the options, a repeated option's last value (a repeatable one's every
value), environment variables and defaults from the table.

Layer: the command line; standard library only at import.
"""

from __future__ import annotations

import os
import sys
from importlib import import_module

from hemokg._hints import Any
from hemokg.cli.spec import HOT_COMMANDS, CommandSpec, Option, UsageProblem

__all__ = ["parse", "run"]

#: Help spellings (the group's ``help_option_names``): the fast path never renders help.
HELP = frozenset({"-h", "--help"})
#: Set by a shell asking click for completions (``_{PROG}_COMPLETE``).
COMPLETE_VAR = "_HEMOKG_COMPLETE"


class _NotMine(Exception):
    """The command line is one for click."""


def _convert(option: Option, raw: str) -> Any:
    """A value as click would convert it, or :class:`_NotMine` where click would refuse it."""
    if option.kind in ("text", "multiple"):
        return raw
    if option.kind == "float":
        try:
            value = float(raw)
        except ValueError:
            raise _NotMine from None
        if option.minimum is not None and value < option.minimum:  # click's FloatRange test (nan passes it too)
            raise _NotMine
        return value
    if option.kind == "choice":
        if raw not in option.choices:
            raise _NotMine
        return raw
    if option.kind == "path":
        if raw == "-":
            return raw
        try:
            st = os.stat(raw)
        except OSError:
            return raw
        import stat

        if stat.S_ISDIR(st.st_mode) or not os.access(raw, os.R_OK):
            raise _NotMine
        return raw
    raise _NotMine  # a kind this parser does not know


def parse(spec: CommandSpec, args: list[str]) -> dict[str, Any] | None:
    """The keywords for ``spec``'s work function from ``args`` (after the command name), or ``None``: click's turn."""
    try:
        return _parse(spec, args)
    except _NotMine:
        return None


def _parse(spec: CommandSpec, args: list[str]) -> dict[str, Any]:
    by_name = {decl: option for option in spec.options for decl in option.decls}
    given: dict[str, Any] = {}
    positional: list[str] = []
    rest = list(args)
    while rest:
        token = rest.pop(0)
        if token == "--":
            positional += rest
            break
        if token in HELP:
            raise _NotMine
        if len(token) < 2 or not token.startswith("-"):
            positional.append(token)
            continue
        if token.startswith("--"):
            name, eq, attached = token.partition("=")
            value: str | None = attached if eq else None
        else:
            name, value = token[:2], (token[2:] or None)
            if value is not None and value.startswith("="):
                raise _NotMine
        option = by_name.get(name)
        if option is None:
            raise _NotMine
        if option.kind == "flag":
            if value is not None:
                raise _NotMine
            given[option.dest] = True
            continue
        if value is None:
            if not rest or rest[0] in HELP:
                raise _NotMine
            value = rest.pop(0)
        converted = _convert(option, value)
        if option.kind == "multiple":
            given[option.dest] = (*given.get(option.dest, ()), converted)
        else:
            given[option.dest] = converted
    if len(positional) != len(spec.arguments):
        raise _NotMine
    kwargs: dict[str, Any] = {argument.name: value for argument, value in zip(spec.arguments, positional, strict=True)}
    for option in spec.options:
        if option.dest in given:
            kwargs[option.dest] = given[option.dest]
        elif option.envvar and os.environ.get(option.envvar):
            kwargs[option.dest] = _convert(option, os.environ[option.envvar])
        elif option.kind == "multiple":
            kwargs[option.dest] = ()
        elif option.kind == "flag":
            kwargs[option.dest] = bool(option.default)
        else:
            kwargs[option.dest] = option.default
    return kwargs


def _help_width() -> int:
    """The width click's help formatter takes here: ``shutil.get_terminal_size()``'s columns (``$COLUMNS``, else the
    terminal's, else 80) capped at the group's ``max_content_width`` (110), less 2, at least 50 (without ``shutil``)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return max(min(columns or 80, 110) - 2, 50)


def _help(argv: list[str]) -> bool:
    """Print ``hemokg --help`` from its pre-rendered page for this width (``hemokg build`` writes them from the click
    group itself); ``False`` where there is none for this width: click renders it."""
    if argv not in (["--help"], ["-h"]):
        return False
    page = os.path.join(os.path.dirname(os.path.abspath(__file__)), f"help-{_help_width()}.txt")
    try:
        with open(page, "rb") as handle:
            text = handle.read()
    except OSError:
        return False
    sys.stdout.buffer.write(text)
    sys.stdout.flush()
    return True


def run(argv: list[str]) -> bool:
    """Run ``argv`` (without the program name) if it is a plain hot command line; ``False``: not run, ask click.

    Errors of the command itself (:class:`~hemokg.errors.HemoError`, a broken pipe, an interrupt) propagate to the
    caller's handler, the same one the click CLI uses.
    """
    if not argv or os.environ.get(COMPLETE_VAR):
        return False
    if _help(argv):
        return True
    spec = HOT_COMMANDS.get(argv[0])
    if spec is None:
        return False
    kwargs = parse(spec, argv[1:])
    if kwargs is None:
        return False
    module, _, attr = spec.work.partition(":")
    work = getattr(import_module(module), attr)
    try:
        work(**kwargs)
    except UsageProblem:  # raised before anything is opened or written: click reports it in its own words
        return False
    return True
