"""The built wheel carries the ontology, the reasoned graph and the stored queries: it works with no source tree."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the freshly built wheel installed (dependencies from the test runner)."""
    base = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(base / "dist"),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next((base / "dist").glob("hemokg-*.whl"))
    env = base / "venv"
    # The dependencies come from the interpreter running the tests, whether it is a venv, pyenv or a system Python:
    # its site folders are listed in a .pth file of the new venv (not `system_site_packages`, which inside a venv
    # means the *base* interpreter's folders, where nothing is installed). The wheel's own copy of hemokg, installed
    # into the venv's site-packages, comes first on sys.path (the tests check that it is the one imported); plain
    # paths in a .pth do not run the runner's own .pth files, so its editable hemokg stays out.
    venv.EnvBuilder(with_pip=False, system_site_packages=False).create(env)
    (site_packages,) = (env / "lib").glob("python*/site-packages")
    runner_sites = [p for p in sys.path if p.endswith(("site-packages", "dist-packages")) and Path(p).is_dir()]
    (site_packages / "hemokg-test-runner-deps.pth").write_text("".join(p + "\n" for p in runner_sites))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(env / "bin" / "python"),
            "install",
            "-q",
            "--no-deps",
            "--force-reinstall",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    return env


def test_wheel_ships_ontology_queries_and_reasoned_graph(wheel_env: Path, tmp_path: Path) -> None:
    code = (
        "import hemokg, json; from hemokg import resources as r; kg = hemokg.load();"
        "rows = kg.query('develops-from-steps', cell='erythrocyte');"
        "print(json.dumps({'file': hemokg.__file__, 'data': str(r.data_dir()), 'n': len(rows),"
        " 'queries': len(hemokg.catalog())}))"
    )
    out = subprocess.run(
        [str(wheel_env / "bin" / "python"), "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "HEMOKG_CACHE_DIR": str(tmp_path)},
    )
    info = json.loads(out.stdout)
    assert info["file"].startswith(str(wheel_env)), info
    assert info["data"].startswith(str(wheel_env)) and info["data"].endswith("_data"), info
    assert info["n"] > 5 and info["queries"] >= 30
    assert not list(tmp_path.glob("*.nq")), "the shipped reasoned graph was stale: the wheel had to reason"


def test_wheel_command_line_runs_from_another_directory(wheel_env: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [str(wheel_env / "bin" / "hemokg"), "lineage", "neutrophil", "--format", "tsv"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HEMOKG_CACHE_DIR": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stderr
    assert "hematopoietic stem cell" in proc.stdout
