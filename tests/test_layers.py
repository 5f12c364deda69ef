"""The package's import graph, read from the source (module-level and function-level imports, ``TYPE_CHECKING`` ones
too): no cycle, and no import from a lower layer into a higher one. The layer order is :data:`LAYERS`; the same table
is in docs/architecture.md ("Layers"), and a test keeps the two in step."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "hemokg"

#: Layers, lowest first: a module may import modules of its own layer or of a lower one, never of a higher one.
#: Each entry is a module or a package (a package stands for every module inside it).
LAYERS: list[tuple[str, ...]] = [
    ("hemokg._version", "hemokg._hints", "hemokg.errors", "hemokg.vocab", "hemokg.fileio", "hemokg.resources"),
    ("hemokg.sparql",),
    ("hemokg.backends",),
    ("hemokg.graph",),
    ("hemokg.lookup", "hemokg.lineage", "hemokg.annotate"),
    ("hemokg.formats", "hemokg.links", "hemokg.interop.owl"),  # owl: the graph it is handed, as owlready2 objects
    ("hemokg.kg",),
    ("hemokg.web", "hemokg.interop"),
    ("hemokg",),  # the package's own __init__: the curated lazy API (it re-exports interop's annotate_anndata)
    ("hemokg.cli", "hemokg.__main__"),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}

#: Known violations, each to be removed by its owner (issue 16, annotate): the annotator reads hemo's names through
#: the KnowledgeGraph (a type import) and loads the shipped graph for its default (a lazy import), while the facade
#: delegates ``kg.annotate`` to it. Any other upward import or cycle fails.
#: And (issue 17, interop): ``kg.owl()`` delegates to interop.owl, which is handed the KnowledgeGraph; the OAK
#: adapter opens graphs through the package's lazy API (``hemokg.load``/``connect``).


def layer_of(module: str) -> int:
    best, rank = -1, -1
    for index, layer in enumerate(LAYERS):
        for prefix in layer:
            if module == prefix or (module.startswith(prefix + ".") and prefix != "hemokg"):
                if len(prefix) > best:
                    best, rank = len(prefix), index
    if rank < 0:
        raise AssertionError(f"{module} is in no layer: add it (or its package) to LAYERS in tests/test_layers.py")
    return rank


def imports_of(module: str) -> dict[str, int]:
    """The hemokg modules ``module`` imports anywhere in its source (target -> first line)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                base_name = ".".join(base + ([node.module] if node.module else []))
            else:
                base_name = node.module or ""
            # `from hemokg.graph import store` imports the module hemokg.graph.store; `from hemokg.vocab import X` not
            targets = [f"{base_name}.{a.name}" if f"{base_name}.{a.name}" in MODULES else base_name for a in node.names]
        for target in targets:
            if target.split(".")[0] != "hemokg":
                continue
            while target not in MODULES and "." in target:  # `import hemokg.graph.store.x` -> the module
                target = target.rpartition(".")[0]
            if target != module:
                found.setdefault(target, node.lineno)
    return found


GRAPH = {module: imports_of(module) for module in MODULES}


def test_every_module_has_a_layer() -> None:
    for module in MODULES:
        layer_of(module)


def test_no_import_goes_up_a_layer() -> None:
    upward = [
        f"{MODULES[m].relative_to(ROOT)}:{line}: {m} (layer {layer_of(m)}) imports {t} (layer {layer_of(t)})"
        for m, targets in GRAPH.items()
        for t, line in targets.items()
        if layer_of(t) > layer_of(m)
    ]
    assert not upward, "imports from a lower layer into a higher one:\n" + "\n".join(upward)


def test_the_import_graph_has_no_cycle() -> None:
    import graphlib

    try:
        graphlib.TopologicalSorter({m: set(ts) for m, ts in GRAPH.items()}).prepare()
    except graphlib.CycleError as exc:
        cycle = exc.args[1]
        raise AssertionError("an import cycle (lazy imports included): " + " -> ".join(cycle)) from None


def test_the_checker_sees_function_level_and_relative_imports(tmp_path: Path) -> None:
    """The graph holds imports made inside functions (the lazy ones), not only those at the top of a module."""
    assert "hemokg.formats.registry" in GRAPH["hemokg.kg"]  # inside KnowledgeGraph.export
    assert "hemokg.backends.embedded" in GRAPH["hemokg.kg"]  # inside load()
    assert "hemokg.sparql.queries" in GRAPH["hemokg.backends.embedded"]  # at the top


@pytest.mark.parametrize("package", sorted(m for m, p in MODULES.items() if p.name == "__init__.py" and m != "hemokg"))
def test_each_package_says_what_it_owns_and_may_import(package: str) -> None:
    doc = ast.get_docstring(ast.parse(MODULES[package].read_text(encoding="utf-8")))
    assert doc, f"{package} has no docstring saying what it owns and what it may import"
    assert re.search(r"\bmay import\b", doc, re.IGNORECASE), f"{package}'s docstring does not say what it may import"


def test_the_architecture_page_lists_the_same_layers() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## Layers", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if re.match(r"\|\s*\d+\s*\|", line)]
    documented = [tuple(re.findall(r"`([\w.]+)`", row.split("|")[2])) for row in rows]
    assert documented == LAYERS


def test_the_version_lives_in_one_place() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["hatch"]["version"]["path"] == "hemokg/_version.py"


def test_ci_and_pre_commit_run_the_same_checks() -> None:
    script = (ROOT / "scripts" / "run-tests.sh").read_text(encoding="utf-8")
    hooks = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    for check in ("ruff check", "ruff format --check", "mypy --strict hemokg"):
        assert f"-m {check}" in script and f"-m {check}" in hooks, check
    assert script.index("mypy --strict hemokg") < script.index("-m pytest")


#: Names that are one concept each, and the one module that defines them.
ONE_HOME = {
    "FORMATS": "hemokg.formats.registry",
    "RESULT_FORMATS": "hemokg.sparql.results",
    "READ_FORMS": "hemokg.sparql.queries",
    "SYNONYM_SCOPES": "hemokg.vocab",
    "PREFIXES": "hemokg.vocab",
    "RDFTerm": "hemokg.sparql.results",
    "Term": "hemokg.lookup",
}


def test_each_concept_is_defined_in_one_module() -> None:
    homes: dict[str, set[str]] = {name: set() for name in ONE_HOME}
    for module, path in MODULES.items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            names = (
                [t.id for t in node.targets if isinstance(t, ast.Name)]
                if isinstance(node, ast.Assign)
                else [node.target.id]
                if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                else [node.name]
                if isinstance(node, ast.ClassDef | ast.FunctionDef)
                else []
            )
            for name in names:
                if name in homes:
                    homes[name].add(module)
    assert homes == {name: {module} for name, module in ONE_HOME.items()}


def test_the_cli_output_formats_are_result_formats() -> None:
    from hemokg.cli.options import OUTPUT_FORMATS
    from hemokg.sparql.results import RESULT_FORMATS

    assert set(OUTPUT_FORMATS) <= set(RESULT_FORMATS)
