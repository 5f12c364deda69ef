"""The ``hemokg`` command line: every command imports what it needs inside itself, so ``--help`` is instant.

Every command lives in a module of this package (one per family), registered by name in ``COMMANDS`` and imported
only when run; errors become one line on stderr and a non-zero exit, never a traceback. The hot commands (``lineage``,
``lookup``, ``query``) first go through a fast path that reads the same option table as click
(:mod:`hemokg.cli.spec`, :mod:`hemokg.cli.fast`) and never imports click; everything else, and every command line the
fast path does not fully understand, goes to the click group (:mod:`hemokg.cli.group`). ``HEMOKG_NO_FAST_PATH=1``
sends everything to click. Importing this module imports neither click nor the group.

Layer: the top one; may import every other part of hemokg (lazily, inside the commands).
"""

from __future__ import annotations

import os
import sys

from hemokg._hints import Any
from hemokg.cli.commands import COMMANDS, SUMMARIES

__all__ = ["COMMANDS", "SUMMARIES", "cli", "main"]


def __getattr__(name: str) -> Any:
    if name == "cli":  # the click group, imported on first use
        from hemokg.cli.group import cli

        return cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _say(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; a :class:`~hemokg.errors.HemoError` becomes one line on stderr and exit status 1."""
    from hemokg.errors import HemoError

    try:
        if not os.environ.get("HEMOKG_NO_FAST_PATH"):
            from hemokg.cli.fast import run

            if run(sys.argv[1:] if argv is None else list(argv)):
                return
        from hemokg.cli.group import run_click

        run_click(argv)
    except HemoError as exc:
        from hemokg.backends.http import printable

        _say(f"hemokg: error: {printable(str(exc))}")  # no terminal escapes from a server's text
        sys.exit(1)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except KeyboardInterrupt:
        _say("hemokg: interrupted")
        sys.exit(130)
    except Exception as exc:  # the CLI never shows a traceback; HEMOKG_DEBUG=1 shows it
        if os.environ.get("HEMOKG_DEBUG"):
            raise
        _say(f"hemokg: internal error: {type(exc).__name__}: {exc} (set HEMOKG_DEBUG=1 for details)")
        sys.exit(70)
