"""The OAK plugin (hemokg.interop.oak) through OAK's own Python API and command line (``runoak``).

Direct edges are checked against OAK's simpleobo adapter on the exported ``hemo.obo``, closures against hemokg's
stored queries and against OAK's pronto adapter on the same file, with the expected differences spelled out.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path

import pytest

import hemokg
from hemokg.vocab import HEMO

pytest.importorskip("oaklib")

from oaklib import get_adapter
from oaklib.datamodels.vocabulary import IS_A

from hemokg.interop.oak import HemokgImplementation, OakError

ROOT = Path(__file__).resolve().parents[1]
DF, DDF = "RO:0002202", "RO:0002207"


def curie(iri: str) -> str:
    return "HEMO:" + iri.removeprefix(HEMO)


@pytest.fixture(scope="module")
def adapter(kg: hemokg.KnowledgeGraph) -> HemokgImplementation:
    if not any(e.name == "hemokg" for e in entry_points(group="oaklib.plugins")):
        pytest.fail("the oaklib.plugins entry point is not installed: run `pip install -e '.[oak]'` again")
    return get_adapter("hemokg:", kg=kg)


@pytest.fixture(scope="module")
def obo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("oak") / "hemo.obo"
    hemokg.load(reasoned=False).export("obo", path)
    return path


@pytest.fixture(scope="module")
def simpleobo(obo_file: Path):  # OAK's own OBO parser
    return get_adapter(f"simpleobo:{obo_file}")


@pytest.fixture(scope="module")
def pronto(obo_file: Path):
    return get_adapter(f"pronto:{obo_file}")


@pytest.fixture(scope="module")
def classes(adapter: HemokgImplementation) -> list[str]:
    found = [c for c in adapter.entities(owl_type="owl:Class") if c.startswith("HEMO:")]
    assert len(found) > 100
    return found


#: ``runoak`` with OAK's import (seconds of CPU) paid once: a process that imports ``oaklib.cli`` and then, for each
#: command, forks a child that runs ``main()`` (what the ``runoak`` script runs) with the command's arguments, its own
#: stdout and stderr files and stdin from /dev/null, and exits with its exit code. Each command is still a process
#: of its own: nothing it does is seen by the next one.
ZYGOTE = """
import json, os, sys, traceback
from oaklib.cli import main
print("ready", flush=True)
for line in sys.stdin:
    request = json.loads(line)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            for fd, name, mode in ((0, os.devnull, os.O_RDONLY), (1, request["stdout"], os.O_WRONLY | os.O_CREAT),
                                   (2, request["stderr"], os.O_WRONLY | os.O_CREAT)):
                os.dup2(os.open(name, mode, 0o600), fd)
            os.chdir(request["cwd"])
            sys.argv = ["runoak", *request["args"]]
            try:
                main()
                code = 0
            except SystemExit as exc:  # as the interpreter exits on an uncaught SystemExit
                if exc.code is None or isinstance(exc.code, int):
                    code = exc.code or 0
                else:
                    print(exc.code, file=sys.stderr)
            except BaseException:
                traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    print(json.dumps(os.waitstatus_to_exitcode(status)), flush=True)
"""


class Runoak:
    """OAK's command line, one process per command, forked from a process that has imported OAK (:data:`ZYGOTE`)."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.count = folder, 0
        self.startup = folder / "startup.err"
        with self.startup.open("w") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", ZYGOTE],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                cwd=ROOT,
                start_new_session=True,
            )
        assert self._line(300) == "ready", self.startup.read_text()
        # a real runoak prints whatever OAK's import prints into every command's stderr: there must be none
        assert self.startup.read_text() == "", self.startup.read_text()

    def _line(self, timeout: float) -> str:
        import select

        assert self.proc.stdout is not None
        if not select.select([self.proc.stdout], [], [], timeout)[0]:
            self.close()
            pytest.fail(f"runoak did not answer in {timeout} s")
        return self.proc.stdout.readline().strip()

    def __call__(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        import json

        assert self.proc.stdin is not None and self.proc.poll() is None, self.startup.read_text()
        self.count += 1
        out, err = self.folder / f"{self.count}.out", self.folder / f"{self.count}.err"
        request = {"args": list(args), "cwd": str(ROOT), "stdout": str(out), "stderr": str(err)}
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        code = int(self._line(timeout))
        return subprocess.CompletedProcess(["runoak", *args], code, out.read_text(), err.read_text())

    def close(self) -> None:
        import os
        import signal

        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the forked children are in its session
            self.proc.wait(30)


@pytest.fixture(scope="module")
def runoak(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runoak]:
    """Run ``runoak ARGS`` (OAK's command line) as a process: exit code, stdout, stderr."""
    run = Runoak(tmp_path_factory.mktemp("runoak"))
    yield run
    run.close()


def ids(out: str) -> set[str]:
    """The CURIEs runoak printed, from its TSV (``id<TAB>label``) or info (``id ! label``) output."""
    return {line.split()[0] for line in out.splitlines() if line.strip() and line.split()[0] != "id"}


def table(out: str) -> list[list[str]]:
    """The rows of runoak's TSV output, without its header."""
    lines = [line.split("\t") for line in out.splitlines() if line.strip()]
    return lines[1:]


# --- the Python API ---------------------------------------------------------------------------------------------
def test_plugin_is_found_by_its_selector_scheme(kg: hemokg.KnowledgeGraph) -> None:
    (entry,) = [e for e in entry_points(group="oaklib.plugins") if e.name == "hemokg"]
    assert entry.value == "hemokg.interop.oak:HemokgImplementation"
    adapter = get_adapter("hemokg:", kg=kg)
    assert isinstance(adapter, HemokgImplementation)
    from oaklib.interfaces import MappingProviderInterface, OboGraphInterface, SearchInterface, TextAnnotatorInterface

    for interface in (OboGraphInterface, SearchInterface, MappingProviderInterface, TextAnnotatorInterface):
        assert isinstance(adapter, interface)


def test_labels_definitions_and_scoped_synonyms_match_lookup(
    adapter: HemokgImplementation, kg: hemokg.KnowledgeGraph, classes: list[str]
) -> None:
    scope_of = {"oio:hasExactSynonym": "exact", "oio:hasRelatedSynonym": "related", "oio:hasNarrowSynonym": "narrow"}
    scope_of["oio:hasBroadSynonym"] = "broad"
    labels = dict(adapter.labels(classes))
    definitions = {c: d for c, d, _ in adapter.definitions(classes)}
    for c in classes[:60]:
        term = kg.lookup(c)
        assert labels[c] == adapter.label(c) == term.label
        assert definitions.get(c) == adapter.definition(c) == term.definition
        aliases = adapter.entity_alias_map(c)
        assert aliases["rdfs:label"] == [term.label]
        synonyms = sorted((text, scope_of[p]) for p, texts in aliases.items() if p != "rdfs:label" for text in texts)
        assert synonyms == sorted(term.synonyms)
    assert adapter.curies_by_label("neutrophil") == ["HEMO:0000123"]
    assert adapter.label("RO:0002202") == "develops from"
    assert adapter.label("HEMO:9999999") is None  # OAK's convention in the Python API (strict=False)


def test_strict_adapter_raises_a_hemo_error_for_an_unknown_curie(kg: hemokg.KnowledgeGraph) -> None:
    strict = get_adapter("hemokg:", kg=kg, strict=True)
    with pytest.raises(hemokg.TermNotFoundError, match="HEMO:9999999"):
        strict.label("HEMO:9999999")
    with pytest.raises(hemokg.TermNotFoundError):
        list(strict.ancestors("HEMO:9999999"))


def test_ancestors_over_is_a_equal_the_superclasses_query(
    adapter: HemokgImplementation, kg: hemokg.KnowledgeGraph, classes: list[str]
) -> None:
    for c in classes:
        expected = {curie(r[0].value) for r in kg.query("superclasses", term=c)}
        found = list(adapter.ancestors(c, predicates=[IS_A]))
        assert found[0] == c and len(found) == len(set(found))
        assert set(found) == expected | {c}, c
        assert set(adapter.ancestors(c, predicates=[IS_A], reflexive=False)) == expected


def test_descendants_over_is_a_equal_the_subclasses_query(
    adapter: HemokgImplementation, kg: hemokg.KnowledgeGraph, classes: list[str]
) -> None:
    for c in classes:
        expected = {curie(r[0].value) for r in kg.query("subclasses", term=c)}
        assert set(adapter.descendants(c, predicates=[IS_A])) == expected | {c}, c


def test_develops_from_closure_is_the_relation_graph_and_holds_the_chain(
    adapter: HemokgImplementation, kg: hemokg.KnowledgeGraph
) -> None:
    for cell in ("HEMO:0000123", "HEMO:0000124", "HEMO:0000140"):
        closure = {
            curie(r[0].value)
            for r in kg.sparql(
                "SELECT ?p WHERE { ?c <http://purl.obolibrary.org/obo/RO_0002202> ?p . FILTER(isIRI(?p)) }",
                {"c": hemokg.kg.NamedNode(HEMO + cell.removeprefix("HEMO:"))},
            )
        }
        assert set(adapter.ancestors(cell, predicates=[DF], reflexive=False)) == closure
        chain = {curie(r[0].value) for r in kg.query("develops-from-chain", cell=cell)}
        assert chain and chain <= closure
        mixed = set(adapter.ancestors(cell, predicates=[IS_A, DF]))
        supers = {curie(r[0].value) for r in kg.query("superclasses", term=cell)}
        assert mixed == {cell} | supers | closure
    # the neutrophil's lineage reaches the stem cell; its class-wide step is the neutrophilic promyelocyte
    assert {"HEMO:0000104", "HEMO:0000135"} <= set(adapter.ancestors("HEMO:0000123", predicates=[DF]))


def test_direct_edges_equal_oak_on_the_exported_obo(
    adapter: HemokgImplementation, simpleobo, classes: list[str]
) -> None:
    ours = set(adapter.relationships(classes))
    theirs = {r for r in simpleobo.relationships(classes) if r[2].startswith("HEMO:")}
    assert {r for r in ours if r[1] != IS_A} == {r for r in theirs if r[1] != IS_A}
    assert {r for r in ours if r[1] == IS_A} <= theirs
    # Expected difference: the OBO file keeps asserted is_a edges that another direct parent already implies
    # (pro-B cell is_a hematopoietic precursor cell, also via committed hematopoietic precursor cell); hemokg's
    # direct edges are the non-redundant ones of the reasoned taxonomy.
    redundant = theirs - ours
    assert redundant
    for s, p, o in redundant:
        assert p == IS_A
        others = [q for _, _, q in adapter.relationships([s], predicates=[IS_A])]
        assert any(o in adapter.ancestors(q, predicates=[IS_A]) for q in others), (s, o)
    # outgoing / incoming maps agree with the edges
    assert adapter.outgoing_relationship_map("HEMO:0000123") == {IS_A: ["HEMO:0000122"], DF: ["HEMO:0000135"]}
    incoming = adapter.incoming_relationship_map("HEMO:0000123")
    assert incoming == simpleobo.incoming_relationship_map("HEMO:0000123")


def test_closures_against_oak_on_the_obo_file_differ_only_by_the_sub_property(
    adapter: HemokgImplementation, pronto
) -> None:
    for cell in ("HEMO:0000123", "HEMO:0000124", "HEMO:0000137", "HEMO:0000140"):
        ours = set(adapter.ancestors(cell, predicates=[IS_A, DF]))
        walked = set(pronto.ancestors(cell, predicates=[IS_A, DF]))
        # Expected difference: pronto/OAK do not treat "directly develops from" (RO:0002207) as a kind of
        # "develops from", so the walk over RO:0002202 stops where the chain goes on by direct steps ...
        assert walked <= ours
        # ... and walking both relations gives exactly hemokg's closure.
        assert set(pronto.ancestors(cell, predicates=[IS_A, DF, DDF])) == ours, cell
    assert set(pronto.ancestors("HEMO:0000124", predicates=[IS_A, DF])) < set(
        adapter.ancestors("HEMO:0000124", predicates=[IS_A, DF])
    )
    # descendants over is_a: the same on both
    assert set(pronto.descendants("HEMO:0000120", predicates=[IS_A])) == set(
        adapter.descendants("HEMO:0000120", predicates=[IS_A])
    )


def test_search_is_as_forgiving_as_lookup(adapter: HemokgImplementation, kg: hemokg.KnowledgeGraph) -> None:
    from oaklib.datamodels.search import create_search_configuration

    assert list(adapter.basic_search("hemopoiesis")) == ["HEMO:0000002"]  # a synonym
    for text in ("Haematopoiesis", "HEMATOPOIESIS", "hæmatopoiesis", "neutrophil leucocyte"):
        assert list(adapter.basic_search(text)) == [curie(kg.resolve(text))]
    assert list(adapter.basic_search("CL:0000775")) == ["HEMO:0000123"]  # a mapped CURIE finds the hemo term
    labels_only = create_search_configuration("l~neutrophil")
    partial = list(adapter.basic_search("neutrophil", config=labels_only))
    assert "HEMO:0000123" in partial and "HEMO:0000124" in partial
    assert all("neutrophil" in (adapter.label(c) or "").lower() for c in partial)
    assert list(adapter.basic_search("no such thing at all")) == []


def test_mappings_are_sssom_mapping_objects(adapter: HemokgImplementation, kg: hemokg.KnowledgeGraph) -> None:
    from sssom_schema import Mapping

    from hemokg.formats.sssom import mapping_rows

    everything = list(adapter.sssom_mappings())
    assert len(everything) == len(mapping_rows(kg)[1]) > 100
    assert all(isinstance(m, Mapping) for m in everything)
    (m,) = [m for m in adapter.sssom_mappings("HEMO:0000123") if m.object_id == "CL:0000775"]
    assert m.predicate_id == "skos:exactMatch" and m.subject_label == "neutrophil"
    assert m.mapping_justification == "semapv:ManualMappingCuration"
    assert [x.subject_id for x in adapter.sssom_mappings(["CL:0000775"])] == ["HEMO:0000123"]
    assert {x.object_id.partition(":")[0] for x in adapter.sssom_mappings(source="GO")} == {"GO"}


def test_annotate_text_finds_spans_with_the_lookup_normaliser(adapter: HemokgImplementation) -> None:
    text = "A haematopoietic stem cell gives rise to the Common Myeloid Progenitor, then to a neutrophil."
    found = list(adapter.annotate_text(text))
    by_id = {a.object_id: a for a in found}
    assert {"HEMO:0000104", "HEMO:0000106", "HEMO:0000123"} <= set(by_id)
    for a in found:
        assert text[a.subject_start - 1 : a.subject_end] == a.match_string
    assert by_id["HEMO:0000104"].match_string == "haematopoietic stem cell"  # longest span, British spelling
    assert "HEMO:0000198" not in by_id  # "cell" inside the longer span is not reported on its own
    from oaklib.datamodels.text_annotator import TextAnnotationConfiguration

    whole_label = TextAnnotationConfiguration(matches_whole_text=True)  # one label, through kg.annotate
    whole = list(adapter.annotate_text("Neutrophils", whole_label))
    assert [(a.object_id, a.object_label, a.matches_whole_text) for a in whole] == [
        ("HEMO:0000123", "neutrophil", True),
        ("CL:0000775", "neutrophil", True),
    ]
    assert list(adapter.annotate_text("xyzzy", whole_label)) == []  # kg.annotate abstains


def test_obo_graph_export(adapter: HemokgImplementation, classes: list[str]) -> None:
    graph = adapter.as_obograph()
    nodes = {n.id: n for n in graph.nodes}
    assert set(classes) <= set(nodes)
    neutrophil = nodes["HEMO:0000123"]
    assert neutrophil.lbl == "neutrophil" and neutrophil.meta.definition.val.startswith("A granulocyte")
    assert any(s.val == "neutrocyte" and s.pred == "hasExactSynonym" for s in neutrophil.meta.synonyms)
    edges = {(e.sub, e.pred, e.obj) for e in graph.edges}
    assert ("HEMO:0000123", "is_a", "HEMO:0000122") in edges and ("HEMO:0000123", DF, "HEMO:0000135") in edges


@pytest.mark.slow
def test_remote_endpoint_selector_answers_as_the_embedded_graph(
    oxigraph_kg: hemokg.KnowledgeGraph, oxigraph_server, adapter: HemokgImplementation
) -> None:
    remote = get_adapter(f"hemokg:{oxigraph_server.query}")
    for cell in ("HEMO:0000123", "HEMO:0000104"):
        assert set(remote.ancestors(cell, predicates=[IS_A, DF])) == set(adapter.ancestors(cell, predicates=[IS_A, DF]))
        assert set(remote.relationships([cell])) == set(adapter.relationships([cell]))
    assert list(remote.basic_search("hemopoiesis")) == ["HEMO:0000002"]


def test_selector_errors_are_hemo_errors() -> None:
    with pytest.raises(OakError, match="unknown hemokg selector 'hemokg:bogus'") as caught:
        get_adapter("hemokg:bogus")
    assert isinstance(caught.value, hemokg.HemoError)


# --- OAK's command line -----------------------------------------------------------------------------------------
@pytest.mark.slow
def test_runoak_ancestors_is_superclasses_plus_the_term(runoak: Runoak, hemokg_cli) -> None:
    run = runoak("-i", "hemokg:", "ancestors", "-p", "i", "neutrophil")
    assert run.returncode == 0, run.stderr
    found = {row[0]: row[1] for row in table(run.stdout)}
    query = hemokg_cli("query", "superclasses", "-p", "term=neutrophil", "--format", "tsv")
    assert query.code == 0, query.err
    expected = {curie(row[0].strip("<>")): row[1].strip('"') for row in table(query.out)}
    assert found == {**expected, "HEMO:0000123": "neutrophil"}
    run = runoak("-i", "hemokg:", "ancestors", "-p", f"i,{DF}", "neutrophil")
    assert run.returncode == 0, run.stderr
    lineage = {row[0] for row in table(run.stdout)}
    chain = hemokg_cli("query", "develops-from-chain", "-p", "cell=neutrophil", "--format", "tsv")
    assert {curie(row[0].strip("<>")) for row in table(chain.out)} <= lineage
    assert set(found) < lineage and "HEMO:0000104" in lineage  # up to the hematopoietic stem cell


@pytest.mark.slow
def test_runoak_commands(runoak: Runoak, kg: hemokg.KnowledgeGraph) -> None:
    info = runoak("-i", "hemokg:", "info", "neutrophil", "HEMO:0000002")
    assert info.returncode == 0 and info.stdout.split("\n")[:2] == [
        "HEMO:0000123 ! neutrophil",
        "HEMO:0000002 ! hematopoiesis",
    ]
    search = runoak("-i", "hemokg:", "search", "hemopoiesis")
    assert search.returncode == 0 and search.stdout.strip() == "HEMO:0000002 ! hematopoiesis", search.stderr
    desc = runoak("-i", "hemokg:", "descendants", "-p", "i", "leukocyte")
    expected = {curie(r[0].value) for r in kg.query("subclasses", term="leukocyte")} | {"HEMO:0000120"}
    assert desc.returncode == 0 and ids(desc.stdout) == expected
    rels = runoak("-i", "hemokg:", "relationships", "neutrophil")
    assert rels.returncode == 0
    assert {(r[0], r[1], r[2]) for r in table(rels.stdout)} == {
        ("HEMO:0000123", "rdfs:subClassOf", "HEMO:0000122"),
        ("HEMO:0000123", DF, "HEMO:0000135"),
    }
    maps = runoak("-i", "hemokg:", "mappings", "neutrophil", "-O", "sssom")
    assert maps.returncode == 0, maps.stderr
    assert any(line.split("\t")[:1] == ["HEMO:0000123"] and "CL:0000775" in line for line in maps.stdout.splitlines())
    ann = runoak("-i", "hemokg:", "annotate", "the common myeloid progenitor makes neutrophil precursors")
    assert ann.returncode == 0, ann.stderr
    assert "object_id: HEMO:0000106" in ann.stdout and "object_id: HEMO:0000123" in ann.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-i", "hemokg:", "info", "HEMO:9999999"], "Error: hemokg: no term matches 'HEMO:9999999'"),
        (["-i", "hemokg:", "ancestors", "HEMO:9999999"], "Error: hemokg: no term matches 'HEMO:9999999'"),
        (["-i", "hemokg:", "relationships", "NOPE:1"], "Error: hemokg: 'NOPE:1' is not a CURIE with a known prefix"),
        (["-i", "hemokg:bogus", "info", "neutrophil"], "Error: unknown hemokg selector 'hemokg:bogus'"),
        (["-i", "hemokg:", "info", "http://a>b"], "Error: hemokg: 'http://a>b' is not a CURIE with a known prefix"),
    ],
)
def test_runoak_errors_are_one_line(runoak: Runoak, args: list[str], message: str) -> None:
    run = runoak(*args)
    assert run.returncode != 0
    assert run.stderr.strip().startswith(message), run.stderr
    assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr
    assert "! None" not in run.stdout


@pytest.mark.slow
def test_runoak_endpoint_down_is_one_line(runoak: Runoak) -> None:
    from tests.fixtures.servers import free_port

    url = f"http://127.0.0.1:{free_port()}/query"
    run = runoak("-i", f"hemokg:{url}", "info", "neutrophil")
    assert run.returncode != 0 and "Traceback" not in run.stderr
    (line,) = run.stderr.strip().splitlines()
    assert line.startswith(f"Error: {url}") and "is the server running" in line


@pytest.mark.slow  # reasons over hemo + the import modules once (HermiT), then from the cache
def test_imports_selector_merges_the_modules() -> None:
    merged = get_adapter("hemokg:imports")
    assert merged.label("CL:0000775") == "neutrophil"
    assert list(merged.basic_search("neutrophil"))[:2] == ["HEMO:0000123", "CL:0000775"]  # hemo first
    assert "CL:0000000" in set(merged.ancestors("CL:0000775", predicates=[IS_A]))  # CL's own hierarchy
    assert "HEMO:0000122" in set(merged.ancestors("HEMO:0000123", predicates=[IS_A]))
    # an equivalent class (hemo's neutrophil = CL's, by its exact mapping) does not hide the direct parent
    assert ("HEMO:0000123", IS_A, "HEMO:0000122") in set(merged.relationships(["HEMO:0000123"], predicates=[IS_A]))
    assert any(m.object_id == "CL:0000775" for m in merged.sssom_mappings("HEMO:0000123"))


def test_entailed_relationships_are_the_closure(adapter: HemokgImplementation) -> None:
    entailed = set(adapter.relationships(["HEMO:0000123"], predicates=[DF], include_entailed=True))
    assert {o for _, _, o in entailed} == set(adapter.ancestors("HEMO:0000123", predicates=[DF], reflexive=False))
    direct = set(adapter.relationships(["HEMO:0000123"], predicates=[DF]))
    assert direct == {("HEMO:0000123", DF, "HEMO:0000135")} and direct < entailed
