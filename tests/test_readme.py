"""The README's examples are real: its generated blocks equal what the commands print now."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_examples_and_query_table_are_current() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "readme.py"), "--check"], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr + proc.stdout


def test_readme_names_the_two_commands_ci_runs() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install . && hemokg lineage neutrophil" in text
    assert "bash scripts/run-tests.sh" in text
    assert "bash scripts/run-tests.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
