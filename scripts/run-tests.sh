#!/usr/bin/env bash
# Install everything the test suite needs (system packages with apt, Python packages with pip), then run it.
# This is the README's test command, and what CI runs (.ci/run); extra arguments go to pytest. Before the tests it runs
# ruff check, ruff format --check and mypy --strict hemokg, and stops on any finding. pytest runs on one worker per
# CPU core (pytest-xdist: -n auto, each test module on one worker; tests/conftest.py says how the work is split);
# pass -n 0 to run in one process, -n N for N workers.
# The fast target (under a minute on 2 cores): scripts/run-tests.sh -m "not slow"
set -euo pipefail
cd "$(dirname "$0")/.."

# The Python to install into: $PYTHON, else python3. Inside a virtual environment, or with an interpreter whose pip
# may install (pyenv, conda, a container's Python), that one; a system Python whose pip refuses
# (PEP 668 "externally-managed-environment", as Debian's does) gets a virtual environment in .venv instead.
python=${PYTHON:-python3}
in_venv=$("$python" -c 'import sys; print(int(sys.prefix != sys.base_prefix))')
managed=$("$python" -c 'import pathlib, sysconfig
print(int((pathlib.Path(sysconfig.get_path("stdlib")) / "EXTERNALLY-MANAGED").exists()))')
use_venv=0
if [ "$in_venv" = 0 ] && [ "$managed" = 1 ]; then use_venv=1; fi

# System packages: a JVM (HermiT/Pellet), Graphviz (pictures), Virtuoso (a real SPARQL server),
# Chromium (browser tests), Jena (an independent RDF validator and SPARQL engine), hyperfine and time (benchmarks),
# curl (the Virtuoso start script), Node.js and npm (jsonld.js, a second JSON-LD processor).
need=()
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v dot >/dev/null 2>&1 || need+=(graphviz)
command -v virtuoso-t >/dev/null 2>&1 || need+=(virtuoso-opensource)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -d /usr/share/java ] && ls /usr/share/java/jena-arq*.jar >/dev/null 2>&1 || need+=(libapache-jena-java)
command -v hyperfine >/dev/null 2>&1 || need+=(hyperfine)
command -v curl >/dev/null 2>&1 || need+=(curl)
[ -x /usr/bin/time ] || need+=(time)
if [ "$use_venv" = 1 ] && ! "$python" -c "import ensurepip" >/dev/null 2>&1; then need+=(python3-venv); fi
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
lock=(-o DPkg::Lock::Timeout=600)  # another apt or dpkg may hold the lock: wait for it, up to 10 minutes
if [ "${HEMOKG_RUN_TESTS_PLAN:-}" = 1 ]; then  # say what would be done, do nothing (tests/test_run_tests.py)
  echo "python: $python"
  echo "venv: $use_venv"
  echo "apt-options: ${lock[*]}"
  echo "apt-install: ${need[*]:-}"
  exit 0
fi
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "run-tests: installing system packages: ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get "${lock[@]}" update -qq
  # Debian's virtuoso post-install tries to start a system instance; that may fail harmlessly here.
  $sudo apt-get "${lock[@]}" install -y -qq --no-install-recommends "${need[@]}" >/dev/null || \
    $sudo apt-get "${lock[@]}" install -y -qq --no-install-recommends "${need[@]}"
fi

if [ "$use_venv" = 1 ]; then
  echo "run-tests: $python is externally managed (PEP 668); installing into the virtual environment .venv" >&2
  [ -x .venv/bin/python ] || "$python" -m venv .venv
  python=.venv/bin/python
fi
"$python" -m pip install -q --disable-pip-version-check -e ".[test]"
# Node.js readers, pinned by tests/js/package-lock.json (from the npm registry)
npm ci --prefix tests/js --no-audit --no-fund --loglevel=error >/dev/null
# Lint, format and types: any finding fails the run before a test starts (the same checks as .pre-commit-config.yaml)
"$python" -m ruff check .
"$python" -m ruff format --check .
"$python" -m mypy --strict hemokg
exec "$python" -m pytest -n auto --dist loadgroup --no-loadscope-reorder "$@"
