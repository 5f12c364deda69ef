"""Session-wide test set-up: a private cache folder, the fixture modules of each part of the suite, and the rules that
mark a test ``slow`` (the fast target is ``pytest -m "not slow"``)."""

from __future__ import annotations

import os
import tempfile

import pytest
from hypothesis import settings

# Reasoned-graph caches go to a private folder, never the user's ~/.cache.
os.environ.setdefault("HEMOKG_CACHE_DIR", tempfile.mkdtemp(prefix="hemokg-test-cache-"))

# No test may depend on state an earlier run left behind: no example database (.hypothesis/); under CI the examples
# are derandomized too, so a CI result can be reproduced exactly (locally they vary, to keep finding new cases).
settings.register_profile("hemokg", database=None, derandomize=os.environ.get("CI") == "true", print_blob=True)
settings.load_profile("hemokg")

pytest_plugins = [
    "tests.fixtures.core",
    "tests.fixtures.servers",
    "tests.fixtures.browser",
]

#: Fixtures that start something heavy: a SPARQL server, a browser, or a ``python -m hemokg`` process per call.
SLOW_FIXTURES = {
    "oxigraph_server": "starts an Oxigraph server",
    "virtuoso_server": "starts Virtuoso",
    "oxigraph_kg": "starts an Oxigraph server",
    "virtuoso_kg": "starts Virtuoso",
    "server_kg": "starts a SPARQL server",
    "browser": "starts Chromium",
    "page": "starts Chromium",
    "serve_folder": "starts hemokg serve",
    "hemokg_cli": "starts a python -m hemokg process per call",
}
#: Parameters that put a test on a server (the embedded variant of the same test stays fast).
SLOW_PARAMS = {"oxigraph", "virtuoso", "served", "oxigraph_server", "virtuoso_server"}
#: Modules whose every test starts a JVM, a server, Node.js or a build, or runs for seconds (measured with
#: ``--durations``).
SLOW_MODULES = {
    "test_benchmarks": "runs the benchmarks",
    "test_conformance": "holds every server to the embedded answers",
    "test_jena": "starts Apache Jena (a JVM)",
    "test_jsonld_node": "starts Node.js",
    "test_wheel": "builds the wheel",
    "test_concurrency": "many threads and processes for seconds",
    "test_cache": "several processes build the cache at once",
    "test_fuzz": "hypothesis runs hundreds of examples per test",
    "test_imports": "builds the import modules from real release files",
    "test_readme": "runs the README's commands",
    "test_competency": "answers every competency question through the CLI",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        module = item.module.__name__.rpartition(".")[2] if item.module else ""
        why = SLOW_MODULES.get(module) or next(
            (reason for name, reason in SLOW_FIXTURES.items() if name in getattr(item, "fixturenames", ())), None
        )
        params = getattr(getattr(item, "callspec", None), "params", {})
        if why is None and any(isinstance(v, str) and v in SLOW_PARAMS for v in params.values()):
            why = "runs on a SPARQL server"
        if why is not None:
            item.add_marker(pytest.mark.slow(reason=why))
