"""The README's test command picks the right Python: a venv's, one whose pip may install, or a new .venv for a
system Python that refuses installs (PEP 668); and apt waits for a lock held by another process."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "run-tests.sh"


def plan(python: str) -> dict[str, str]:
    """What scripts/run-tests.sh would do with this interpreter (its plan mode installs and runs nothing)."""
    env = {**os.environ, "PYTHON": python, "HEMOKG_RUN_TESTS_PLAN": "1"}
    out = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, check=True, timeout=60)
    return dict(line.split(": ", 1) for line in out.stdout.splitlines() if ": " in line)


def test_an_interpreter_whose_pip_may_install_is_used_as_it_is() -> None:
    assert plan(sys.executable) == {**plan(sys.executable), "python": sys.executable, "venv": "0"}


def test_inside_a_virtual_environment_its_python_is_used(tmp_path: Path) -> None:
    env = tmp_path / "v"
    venv.EnvBuilder(with_pip=False).create(env)
    python = str(env / "bin" / "python")
    assert plan(python)["python"] == python and plan(python)["venv"] == "0"


def test_an_externally_managed_system_python_gets_a_venv() -> None:
    system = Path("/usr/bin/python3")
    managed = list(Path("/usr/lib").glob("python3*/EXTERNALLY-MANAGED"))
    if not system.exists() or not managed:
        pytest.fail("this test needs Debian's externally managed /usr/bin/python3 (package python3)")
    steps = plan(str(system))
    assert steps["venv"] == "1", steps


def test_apt_waits_for_the_dpkg_lock() -> None:
    """Every apt-get call waits for a lock another process holds, instead of failing at once."""
    assert plan(sys.executable)["apt-options"] == "-o DPkg::Lock::Timeout=600"
    lines = SCRIPT.read_text().splitlines()
    calls = [ln for ln in lines if "apt-get " in ln and not ln.lstrip().startswith(("#", "echo"))]
    assert calls and all('"${lock[@]}"' in ln for ln in calls), calls
