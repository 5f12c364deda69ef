"""Session-wide test set-up: a private cache folder, the fixture modules of each part of the suite, the rules that
mark a test ``slow`` (the fast target is ``pytest -m "not slow"``), and how the suite is split between pytest-xdist
workers (``scripts/run-tests.sh`` runs ``pytest -n auto --dist loadgroup``).

Under xdist each test module is one work unit (its ``xdist_group``), so a module's fixtures (servers, exports, a
checkout) are built once, on one worker; the modules that take longest are handed out first, so that the two workers
of a 2-core machine finish together. Session fixtures (the servers of tests/fixtures/servers.py) start once per
worker, on free ports and in private folders. The reasoned-graph cache folder below is chosen by the controller and
inherited by every worker: a graph is reasoned once for the whole run (hemokg locks a cache entry while it builds it).
"""

from __future__ import annotations

import os
import tempfile

import pytest
from hypothesis import settings

# Reasoned-graph caches go to a private folder, never the user's ~/.cache (under xdist: the controller's folder, which
# the workers inherit through the environment).
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
    "test_faults": "kills servers and fills disks",
    "test_network": "runs the CLI offline, one process per command",
    "test_serve": "starts hemokg serve (worker processes)",
    "test_deep_wide": "graphs of 10,000 steps and 30,000 names",
    "test_injection": "every hostile value through every stored query",
    "test_site": "writes the whole site",
}
#: Single tests that take seconds (``--durations`` on 2 cores) or start a JVM; by test function name.
SLOW_TESTS = {
    "test_rdf_export_parses_back_isomorphic": "rdflib's isomorphism check on the whole graph",
    "test_round_trip_is_isomorphic_and_a_fixpoint": "rdflib's isomorphism check on the whole graph",
    "test_every_format_gives_the_same_bytes_on_every_run": "every format twice",
    "test_same_bytes_on_every_pythonhashseed": "a process per hash seed",
    "test_a_long_transitive_chain_next_to_a_wide_class": "seconds",
    "test_relation_graph_subclass_chain_and_cycle": "seconds",
    "test_relation_graph_closes_a_3000_step_chain_without_recursion": "seconds",
    "test_relation_graph_equals_the_reference_closure_on_random_graphs": "a reference closure per random graph",
    "test_push_killed_midway_keeps_the_previous_graph_and_rerun_completes": "starts and kills an Oxigraph server",
    "test_release_files_take_over_their_prefix": "reads real release files",
    "test_reasoner_catches_a_wrong_edit": "runs HermiT (a JVM)",
    "test_consistent_with_no_unsatisfiable_class": "runs HermiT (a JVM)",
    "test_mapping_targets_exist_are_current_and_agree": "reads real release files",
    "test_every_shipped_query_has_a_valid_header_and_parses_in_two_engines": "rdflib parses every query",
    "test_sssom_validator_accepts_it_and_rejects_a_broken_copy": "the sssom validator (pandas)",
    "test_eight_threads_get_the_same_answers_as_one": "seconds",
    "test_build_that_cannot_write_exits_with_one_line": "a build in a process",
    "test_release_with_a_blocked_target_keeps_every_old_file": "renders every release product",
    "test_release_products_parse_and_carry_the_version_iri": "renders every release product",
}


#: The modules that take longest (``--durations`` on 2 cores), longest first: under xdist they are handed out first.
#: A module not listed runs after these, in collection order; the list only orders work, it decides nothing else.
#: The first two go to different workers: test_benchmarks reasons over hemo with its import modules (HermiT, ~40 s)
#: while test_deep_wide, which does not need that graph, runs on the other worker.
HEAVIEST_FIRST = (
    "test_benchmarks",
    "test_deep_wide",
    "test_injection",
    "test_oak",
    "test_help_examples",
    "test_imports",
    "test_reasoning",
    "test_ontology",
    "test_readers",
    "test_jena",
    "test_turtle",
    "test_export",
    "test_serve_limits",
    "test_remote",
    "test_site",
    "test_fuzz",
    "test_annotate_anndata",
    "test_conformance",
    "test_network",
)


def _module(item: pytest.Item) -> str:
    return item.module.__name__.rpartition(".")[2] if item.module else ""


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.pluginmanager.hasplugin("xdist"):
        for item in items:  # one work unit per module (a test may name a group of its own)
            if item.get_closest_marker("xdist_group") is None:
                item.add_marker(pytest.mark.xdist_group(_module(item)))
        if os.environ.get("PYTEST_XDIST_WORKER"):  # every worker sorts alike, so their collections stay identical
            rank = {name: i for i, name in enumerate(HEAVIEST_FIRST)}
            items.sort(key=lambda item: rank.get(_module(item), len(rank)))
    for item in items:
        module = _module(item)
        name = getattr(item, "originalname", item.name)
        why = (
            SLOW_MODULES.get(module)
            or SLOW_TESTS.get(name)
            or next(
                (reason for name, reason in SLOW_FIXTURES.items() if name in getattr(item, "fixturenames", ())), None
            )
        )
        params = getattr(getattr(item, "callspec", None), "params", {})
        if why is None and any(isinstance(v, str) and v in SLOW_PARAMS for v in params.values()):
            why = "runs on a SPARQL server"
        if why is not None:
            item.add_marker(pytest.mark.slow(reason=why))
