"""The import modules: built from the real release files, their content, the merged reasoning, bad inputs."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, Store

import hemokg
from hemokg.errors import ImportsBuildError, ReasonerError
from hemokg.graph.build import build_reasoned
from hemokg.graph.store import sources
from hemokg.links.imports import (
    BRANCH_ROOT,
    MODULES,
    build_modules,
    default_inputs,
    read_cellxgene,
    read_obo,
    read_owl_functional,
    write_modules,
)
from hemokg.resources import imports_dir, ontology_path

OBO = "http://purl.obolibrary.org/obo/"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every module built from the real release files into a temporary folder."""
    out = tmp_path_factory.mktemp("imports")
    return {p.stem: p for p in write_modules(build_modules(default_inputs()), out)}


def _store(path: Path) -> Store:
    store = Store()
    store.bulk_load(path.read_bytes(), format=RdfFormat.TURTLE)
    return store


def _ask(store: Store, where: str) -> bool:
    prefixes = (
        "PREFIX obo: <http://purl.obolibrary.org/obo/> PREFIX owl: <http://www.w3.org/2002/07/owl#> "
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    )
    return bool(store.query(prefixes + "ASK { " + where + " }"))


def test_every_module_is_built_and_matches_the_committed_one(built: dict[str, Path]) -> None:
    assert set(built) == set(MODULES)
    for name, path in built.items():
        assert path.read_bytes() == (imports_dir() / f"{name}.ttl").read_bytes(), (
            f"{name}.ttl is stale: rebuild with `hemokg imports build`"
        )


def test_modules_keep_the_source_versions_and_licence(built: dict[str, Path]) -> None:
    expected = {
        "cl": "cl/releases/2026-03-26/cl.owl",
        "hp": "hp/releases/2025-01-16/hp.owl",
        "mondo": "mondo/releases/2026-05-05/",
        "uberon": "uberon/releases/2026-04-01/",
        "hsapdv": "hsapdv/releases/2025-01-23/",
        "go": "cl/releases/2026-06-08/subsets/",
    }
    for name, fragment in expected.items():
        rows = list(
            _store(built[name]).query(
                "PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX dcterms: <http://purl.org/dc/terms/> "
                "SELECT ?vi ?v ?lic WHERE { ?o a owl:Ontology ; owl:versionIRI ?vi ; owl:versionInfo ?v ; "
                "dcterms:license ?lic }"
            )
        )
        assert len(rows) == 1, name
        assert fragment in rows[0][0].value and rows[0][1].value
    assert _ask(
        _store(built["cl"]), "?o <http://purl.org/dc/terms/license> <http://creativecommons.org/licenses/by/4.0/>"
    )


def test_cl_module_holds_the_whole_hematopoietic_branch(built: dict[str, Path]) -> None:
    store = _store(built["cl"])
    rows = store.query(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT (COUNT(DISTINCT ?c) AS ?n) "
        "WHERE { ?c rdfs:label ?l . FILTER(STRSTARTS(STR(?c), 'http://purl.obolibrary.org/obo/CL_')) }"
    )
    count = int(next(iter(rows))[0].value)
    assert 700 <= count <= 1500
    branch = {
        i
        for i, t in read_cellxgene(default_inputs().cellxgene["CL"]).terms.items()
        if BRANCH_ROOT in t.ancestors and not t.deprecated
    }
    present = {q.subject.value for q in store.quads_for_pattern(None, None, None) if q.subject.value in branch}
    assert len(branch) > 600 and branch <= present


def test_cl_module_has_develops_from_and_no_definitions(built: dict[str, Path]) -> None:
    store = _store(built["cl"])
    assert _ask(
        store,
        "obo:CL_0000232 rdfs:label 'erythrocyte' ; rdfs:subClassOf [ owl:onProperty obo:RO_0002202 ; "
        "owl:someValuesFrom obo:CL_0000558 ]",
    )  # erythrocyte develops from reticulocyte
    assert _ask(store, "obo:CL_0000775 owl:equivalentClass ?e")  # neutrophil keeps its logical definition
    for path in built.values():
        assert b"IAO_0000115" not in path.read_bytes()  # definitions stay out
        assert b"owl:Axiom" not in path.read_bytes()


def test_go_module_links_processes_to_cells(built: dict[str, Path]) -> None:
    store = _store(built["go"])
    assert _ask(store, "obo:GO_0030218 rdfs:label 'erythrocyte differentiation' ; owl:equivalentClass ?e")
    assert not _ask(store, "obo:GO_0030220 ?p ?o")  # platelet formation: in no source we have


def test_build_is_deterministic() -> None:
    inputs = default_inputs()
    inputs.cellxgene = None
    inputs.hp_obo = None
    assert build_modules(inputs) == build_modules(inputs)


# --- merged graph ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def merged() -> hemokg.KnowledgeGraph:
    return hemokg.load(imports=True)


def _values(results: hemokg.Results, column: int = 0) -> list[str]:
    return [row[column].value for row in results]


def test_merged_graph_is_consistent_and_crosses_the_links(merged: hemokg.KnowledgeGraph) -> None:
    subtypes = _values(merged.query("xo-cl-subtypes", cell="T cell"))
    assert OBO + "CL_0000624" in subtypes  # CD4-positive, alpha-beta T cell
    assert OBO + "CL_0000232" not in subtypes and len(subtypes) > 100
    uncovered = _values(merged.query("xo-cl-uncovered"))
    assert OBO + "CL_0000820" in uncovered  # B-1a B cell: hemo has no term for it
    assert OBO + "CL_0000232" not in uncovered and OBO + "CL_0000775" not in uncovered
    processes = merged.query("xo-go-processes-for-cell", cell="erythrocyte")
    assert (OBO + "GO_0030218", "produces (results in acquisition of features of)") in {
        (r[0].value, r[2].value) for r in processes
    }
    assert _values(merged.query("xo-go-processes-for-cell", cell="CL:0000232")) == _values(processes)


def test_a_wrong_exact_mapping_is_caught_by_the_reasoner(tmp_path: Path) -> None:
    wrong = tmp_path / "hemo.ttl"
    text = ontology_path().read_text(encoding="utf-8")
    hemo = _store(ontology_path())
    neutrophil = next(
        iter(
            hemo.query(
                'SELECT ?c WHERE { ?c <http://www.w3.org/2000/01/rdf-schema#label> "neutrophil" '
                'FILTER(STRSTARTS(STR(?c), "https://w3id.org/hemokg/")) }'
            )
        )
    )[0].value
    wrong.write_text(
        text + f"\n<{neutrophil}> skos:exactMatch obo:CL_0000232 .  # neutrophil = CL erythrocyte\n", encoding="utf-8"
    )
    inputs = [s for s in sources(wrong, imports=True) if s[2] is None or s[2].endswith("/cl")]
    with pytest.raises(ReasonerError, match=r"unsatisfiable|inconsistent"):
        build_reasoned(inputs, exact_as_equivalent=True)


# --- bad release files -----------------------------------------------------------------------------------------
def _hashes() -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(imports_dir().glob("*"))}


def test_bad_release_files_give_one_clear_error(tmp_path: Path) -> None:
    inputs = default_inputs()
    data = inputs.hp_obo.read_bytes()
    truncated = tmp_path / "hp.obo"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImportsBuildError, match=r"hp\.obo: the file is truncated"):
        read_obo(truncated, expect="hp")
    with pytest.raises(ImportsBuildError, match=r"this is the 'hp' ontology, expected 'cl'"):
        read_obo(inputs.hp_obo, expect="cl")
    with pytest.raises(ImportsBuildError, match="this is OWL functional syntax, expected an OBO release"):
        read_obo(inputs.cl_edit, expect="hp")
    cut = tmp_path / "cl-edit-v2026-03-26.owl"
    cut.write_bytes(inputs.cl_edit.read_bytes()[:200_000])
    with pytest.raises(ImportsBuildError, match=r"cl-edit-v2026-03-26\.owl:\d+:\d+: OWL functional syntax error"):
        read_owl_functional(cut)
    zst = tmp_path / "CL-ontology-v2026-03-26.json.zst"
    zst.write_bytes(inputs.cellxgene["CL"].read_bytes()[:5000])
    with pytest.raises(ImportsBuildError, match="truncated"):
        read_cellxgene(zst, expect="CL")
    with pytest.raises(ImportsBuildError, match="holds MONDO terms, expected CL"):
        read_cellxgene(inputs.cellxgene["MONDO"], expect="CL")
    empty = tmp_path / "empty.obo"
    empty.write_bytes(b"")
    with pytest.raises(ImportsBuildError, match="empty"):
        read_obo(empty)


def test_cli_build_with_a_bad_file_leaves_the_modules_untouched(tmp_path: Path, hemokg_cli) -> None:
    truncated = tmp_path / "hp.obo"
    truncated.write_bytes(default_inputs().hp_obo.read_bytes()[:100_000])
    before = _hashes()
    run = hemokg_cli("imports", "build", "--hp-obo", str(truncated))
    assert run.code == 1
    assert run.err.strip().count("\n") == 0 and "truncated" in run.err and "Traceback" not in run.err
    assert _hashes() == before
    wrong = hemokg_cli("imports", "build", "--cl-slim", str(default_inputs().hp_obo))
    assert wrong.code == 1 and "expected 'cl'" in wrong.err and _hashes() == before


def test_cli_build_into_a_folder_and_list(tmp_path: Path, hemokg_cli) -> None:
    run = hemokg_cli("imports", "build", "--no-cellxgene", "--no-hp", "--out", str(tmp_path))
    assert run.code == 0, run.err
    assert sorted(p.name for p in tmp_path.glob("*.ttl")) == ["cl.ttl", "go.ttl"]
    assert b"obo:GO_0030218 a owl:Class" in (tmp_path / "go.ttl").read_bytes()
    listing = hemokg_cli("imports", "list", "--format", "tsv")
    assert listing.code == 0
    rows = {line.split("\t")[0]: line.split("\t") for line in listing.out.splitlines()[1:]}
    assert set(rows) == set(MODULES) and rows["go"][3] == "partial" and rows["cl"][3] == "complete"


def test_shipped_modules_are_reasonably_small() -> None:
    total = sum(p.stat().st_size for p in imports_dir().glob("*.ttl"))
    assert total < 2_000_000


# --- issue 15, section 5: what the modules may not say -------------------------------------------------------------
def test_no_module_has_a_one_operand_intersection(built: dict[str, Path]) -> None:
    """An intersection of one class states the class equivalent to it (hematopoietic tissue = tissue) and makes
    pronto and OAK refuse the OBO; an equivalence whose differentiae could not be read is left out instead."""
    for name, path in built.items():
        store = _store(path)
        rows = list(
            store.query(
                "PREFIX owl: <http://www.w3.org/2002/07/owl#> "
                "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
                "SELECT ?c WHERE { ?c owl:equivalentClass ?x . ?x owl:intersectionOf ?list . "
                "?list rdf:rest rdf:nil }"
            )
        )
        assert rows == [], f"{name}: one-operand intersections on {[r[0] for r in rows]}"
    uberon = _store(built["uberon"])
    assert not _ask(uberon, "obo:UBERON_0012429 owl:equivalentClass ?x")  # hematopoietic tissue: `site_of` unread
    assert _ask(uberon, "obo:UBERON_0012429 rdfs:subClassOf obo:UBERON_0034769")


def test_cl_module_keeps_a_parent_given_only_by_an_equivalence(built: dict[str, Path]) -> None:
    """ILC is defined (EquivalentClasses) as a lymphocyte with markers; its genus is its parent in the module."""
    cl = _store(built["cl"])
    first = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#first>"
    assert _ask(cl, f"obo:CL_0001065 owl:equivalentClass [ owl:intersectionOf/{first} obo:CL_0000542 ]")


def test_mondo_hierarchy_is_is_a(built: dict[str, Path]) -> None:
    """MONDO's parents are is-a (subClassOf), not "overlaps": --with-imports walks its tree."""
    mondo = _store(built["mondo"])
    assert _ask(mondo, "obo:MONDO_0001475 rdfs:subClassOf obo:MONDO_0001609")  # neutropenia is an agranulocytosis
    assert _ask(mondo, "obo:MONDO_0001609 rdfs:subClassOf obo:MONDO_0003785")  # agranulocytosis is a leukopenia
    assert not _ask(mondo, "?c rdfs:subClassOf [ owl:onProperty obo:RO_0002131 ]")


def _part_of(child: str, whole: str) -> str:
    return f"obo:{child} rdfs:subClassOf [ owl:onProperty obo:BFO_0000050 ; owl:someValuesFrom obo:{whole} ]"


def _overlaps(store: Store) -> list[tuple[str, str]]:
    rows = store.query(
        "SELECT ?c ?f WHERE { ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf> [ "
        "<http://www.w3.org/2002/07/owl#onProperty> <http://purl.obolibrary.org/obo/RO_0002131> ; "
        "<http://www.w3.org/2002/07/owl#someValuesFrom> ?f ] }"
    )
    return sorted((r[0].value.removeprefix(OBO), r[1].value.removeprefix(OBO)) for r in rows)


def test_uberon_and_hsapdv_hierarchies_are_is_a_and_part_of(built: dict[str, Path]) -> None:
    """Uberon's and HsapDv's edges are typed (is-a as subClassOf, part-of as BFO:0000050), not "overlaps" for all:
    CL's slim and the typing sources (ontology/sources/*-typing.obo, CL's Uberon import) state them; a lone untyped
    ancestor is the is-a parent."""
    uberon = _store(built["uberon"])
    assert _ask(uberon, "obo:UBERON_0002371 rdfs:subClassOf obo:UBERON_0000479")  # bone marrow is a tissue
    assert _ask(uberon, "obo:UBERON_0001744 rdfs:subClassOf obo:UBERON_0034769")  # lymphoid tissue (CL's import)
    part = "rdfs:subClassOf [ owl:onProperty obo:BFO_0000050 ; owl:someValuesFrom obo:UBERON_0001959 ]"
    assert _ask(uberon, f"obo:UBERON_0001249 {part}")  # spleen lymphoid follicle is part of the white pulp
    assert _ask(uberon, "obo:UBERON_0001249 rdfs:subClassOf obo:UBERON_0000444")  # ... and is a lymphoid follicle
    assert not _ask(uberon, "obo:UBERON_0001249 rdfs:subClassOf obo:UBERON_0001959")
    # Only the edges no shipped source entails stay "overlaps": skin of body and integument -> structure with
    # developmental contribution from neural crest, a class Uberon defines by has_developmental_contribution_from,
    # which is-a and part-of alone do not entail (it was every Uberon term, ~220, then 78 edges of 55 terms).
    assert _overlaps(uberon) == [("UBERON_0002097", "UBERON_0010314"), ("UBERON_0002199", "UBERON_0010314")]
    hsapdv = _store(built["hsapdv"])
    assert not _ask(hsapdv, "?c rdfs:subClassOf [ owl:onProperty obo:RO_0002131 ]")
    assert _ask(hsapdv, "obo:HsapDv_0000037 rdfs:subClassOf obo:HsapDv_0000000")  # fetal stage is a stage
    fetal_in_prenatal = "rdfs:subClassOf [ owl:onProperty obo:BFO_0000050 ; owl:someValuesFrom obo:HsapDv_0000045 ]"
    assert _ask(hsapdv, f"obo:HsapDv_0000037 {fetal_in_prenatal}")


def test_uberon_edges_are_typed_as_the_current_sources_state_them(built: dict[str, Path]) -> None:
    """The edges the cellxgene release (v2026-04-01) gives mixed are typed from the sources that keep is_a and
    part_of apart. Expected parents, as the source files state them:
    - red bone marrow: ``is_a: UBERON:0002371 ! bone marrow`` and ``relationship: BFO:0000050 UBERON:0012429 !
      hematopoietic tissue`` (Uberon v2025-01-15 in GO's Uberon import of 2025-01-22, go-ontology 7efb9cd7);
    - lymph node paracortex: ``is_a: UBERON:0001744 ! lymphoid tissue``, ``relationship: part_of UBERON:0010417 !
      lymph node T cell domain``; germinal center light zone: ``is_a`` lymphoid tissue, ``part_of UBERON:0009039 !
      lymph node germinal center``; vermiform appendix: ``part_of UBERON:0000059 ! large intestine`` (uberon-edit.obo
      at commit 01df3420 of obophenotype/uberon, after the v2026-04-01 release);
    - entailed, not stated: spleen ``is_a: UBERON:0004177 ! hemopoietic organ``, whose stanza says ``relationship:
      BFO:0000050 UBERON:0002390 ! hematopoietic system``, so the spleen is part of the hematopoietic system (GO's
      import); the appendix is an organ part of the large intestine, part of the digestive system, so it is a
      ``digestive system element`` (``intersection_of: UBERON:0000062 ! organ``, ``intersection_of: BFO:0000050
      UBERON:0001007 ! digestive system``); the capsule of a lymph node is its ``RO:0002007`` bounding layer, a
      sub-property of part of (Uberon's RO import)."""
    uberon = _store(built["uberon"])
    assert _ask(uberon, "obo:UBERON_0000361 rdfs:subClassOf obo:UBERON_0002371")  # red bone marrow is a bone marrow
    assert _ask(uberon, _part_of("UBERON_0000361", "UBERON_0012429"))  # ... part of hematopoietic tissue
    assert not _ask(uberon, "obo:UBERON_0000361 rdfs:subClassOf obo:UBERON_0012429")
    assert _ask(uberon, "obo:UBERON_8410066 rdfs:subClassOf obo:UBERON_0001744")  # paracortex is a lymphoid tissue
    assert _ask(uberon, _part_of("UBERON_8410066", "UBERON_0010417"))  # ... part of the lymph node T cell domain
    assert _ask(uberon, "obo:UBERON_8410052 rdfs:subClassOf obo:UBERON_0001744")  # light zone is a lymphoid tissue
    assert _ask(uberon, _part_of("UBERON_8410052", "UBERON_0009039"))  # ... part of the lymph node germinal center
    assert _ask(uberon, _part_of("UBERON_0001154", "UBERON_0000059"))  # appendix part of the large intestine
    assert _ask(uberon, "obo:UBERON_0001154 rdfs:subClassOf obo:UBERON_0013765")  # ... a digestive system element
    assert _ask(uberon, _part_of("UBERON_0002106", "UBERON_0002390"))  # spleen part of the hematopoietic system
    assert _ask(uberon, "obo:UBERON_0002106 rdfs:subClassOf obo:UBERON_0004177")  # ... is a hemopoietic organ
    assert _ask(uberon, _part_of("UBERON_0002194", "UBERON_0000029"))  # capsule of lymph node part of lymph node
    comment = next(iter(uberon.query("SELECT ?c WHERE { ?o <http://www.w3.org/2000/01/rdf-schema#comment> ?c }")))
    assert "go-uberon_import-2025-01-22-typing.obo" in comment[0].value
    assert "uberon-edit-01df3420-typing.obo" in comment[0].value


def test_an_old_typing_source_never_adds_an_edge_the_release_dropped(tmp_path: Path) -> None:
    """A typing source states red bone marrow is a "lymphoid tissue" and part of the spleen: the current release
    has neither edge, so neither is written; the edges it has are typed from the next source."""
    stale = tmp_path / "uberon-edit-0000000000000000000000000000000000000000-typing.obo"
    stale.write_text(
        "format-version: 1.2\ndata-version: uberon/edit-0000000000000000000000000000000000000000\n"
        "ontology: uberon/typing-extract\n\n[Term]\nid: UBERON:0000361\nname: red bone marrow\n"
        "is_a: UBERON:0001744 ! lymphoid tissue\nrelationship: part_of UBERON:0002106 ! spleen\n",
        encoding="utf-8",
    )
    inputs = default_inputs()
    inputs.cl_edit = inputs.hp_obo = None
    inputs.uberon_typing = [stale, *(inputs.uberon_typing or [])]
    uberon = Store()
    uberon.bulk_load(build_modules(inputs)["uberon"], format=RdfFormat.TURTLE)
    assert not _ask(uberon, "obo:UBERON_0000361 rdfs:subClassOf obo:UBERON_0001744")
    assert not _ask(uberon, _part_of("UBERON_0000361", "UBERON_0002106"))
    # the stanza above states neither of the release's edges, so both stay untyped (the first stanza is the one used)
    assert ("UBERON_0000361", "UBERON_0002371") in _overlaps(uberon)


def test_a_typing_source_must_be_an_obo_file_of_uberon_stanzas(tmp_path: Path) -> None:
    hp = tmp_path / "hp-typing.obo"
    hp.write_text(
        "format-version: 1.2\ndata-version: hp/releases/2026-01-01\nontology: hp\n\n[Term]\nid: HP:0000001\n",
        encoding="utf-8",
    )
    inputs = default_inputs()
    inputs.cl_edit = inputs.cl_slim = inputs.hp_obo = None
    inputs.uberon_typing = [hp]
    with pytest.raises(ImportsBuildError, match=r"hp-typing\.obo: this is the 'hp' ontology.*Uberon typing source"):
        build_modules(inputs)


def test_merged_graph_walks_the_uberon_is_a_tree(merged: hemokg.KnowledgeGraph) -> None:
    """--with-imports: bone marrow -> tissue -> ... -> anatomical entity through rdfs:subClassOf alone."""
    chain = merged.sparql(
        "SELECT ?label WHERE { <" + OBO + "UBERON_0002371> <http://www.w3.org/2000/01/rdf-schema#subClassOf>+ ?up . "
        "?up <http://www.w3.org/2000/01/rdf-schema#label> ?label FILTER(STRSTARTS(STR(?up), '" + OBO + "UBERON_')) }"
    )
    labels = {row[0].value for row in chain}
    assert {"tissue", "anatomical structure", "material anatomical entity", "anatomical entity"} <= labels, labels
    spleen = merged.sparql(
        "ASK { <"
        + OBO
        + "UBERON_0002106> <http://www.w3.org/2000/01/rdf-schema#subClassOf>+ <"
        + OBO
        + "UBERON_0001062> }"
    )
    assert spleen.boolean  # spleen is an anatomical entity
    sub, part = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>", f"<{OBO}BFO_0000050>"
    step = f"{sub} [ <http://www.w3.org/2002/07/owl#onProperty> {part} ; <http://www.w3.org/2002/07/owl#someValuesFrom>"
    paracortex = merged.sparql(  # lymph node paracortex -> part of T cell domain -> part of lymph node
        f"ASK {{ <{OBO}UBERON_8410066> {step} ?d ] . ?d {step} <{OBO}UBERON_0000029> ] }}"
    )
    assert paracortex.boolean
    red = merged.sparql(f"ASK {{ <{OBO}UBERON_0000361> {sub}+ <{OBO}UBERON_0000479> }}")  # red marrow is a tissue
    assert red.boolean
    mondo = merged.sparql(
        "SELECT ?up WHERE { <" + OBO + "MONDO_0001475> <http://www.w3.org/2000/01/rdf-schema#subClassOf>+ ?up }"
    )
    ups = {row[0].value for row in mondo}
    assert {OBO + "MONDO_0001609", OBO + "MONDO_0003785", OBO + "MONDO_0000001"} <= ups, ups  # ... disease


def test_merged_graph_walks_mondo_and_lists_ilcs_as_uncovered(merged: hemokg.KnowledgeGraph) -> None:
    ask = "ASK { <%s> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <%s> }"
    assert merged.sparql(ask % (OBO + "MONDO_0001475", OBO + "MONDO_0003785")).boolean
    assert merged.sparql(ask % (OBO + "CL_0001065", OBO + "CL_0000542")).boolean
    uncovered = set(_values(merged.query("xo-cl-uncovered")))
    ilcs = _values(
        merged.sparql(
            "SELECT DISTINCT ?c WHERE { ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf> <" + OBO + "CL_0001065> "
            "OPTIONAL { ?h <http://www.w3.org/2004/02/skos/core#exactMatch> ?c . BIND(true AS ?mapped) } "
            "FILTER(!BOUND(?mapped) && STRSTARTS(STR(?c), '" + OBO + "CL_')) } ORDER BY ?c"
        )
    )
    assert ilcs, "the CL module lost the ILC branch"
    assert set(ilcs) <= uncovered, sorted(set(ilcs) - uncovered)  # every ILC hemo does not map is listed


def test_pronto_and_oak_read_the_merged_obo(merged: hemokg.KnowledgeGraph, tmp_path: Path) -> None:
    """`export --with-imports --format obo` (and so hemo-full.obo) is read by pronto and by OAK's pronto adapter."""
    import pronto

    from hemokg.formats.registry import export

    path = tmp_path / "hemo-full.obo"
    export(merged, "obo", path)
    onto = pronto.Ontology(str(path), encoding="utf-8")
    assert onto["HEMO:0000123"].name == "neutrophil" and "UBERON:0012429" in onto
    from oaklib import get_adapter

    adapter = get_adapter(f"pronto:{path}")
    assert adapter.label("HEMO:0000123") == "neutrophil"


@pytest.mark.parametrize("name", ["go-uberon_import-2025-01-22-typing.obo", "uberon-edit-01df3420-typing.obo"])
def test_shipped_typing_extracts_are_what_the_script_keeps(name: str, tmp_path: Path) -> None:
    """Each shipped extract holds only the lines scripts/extract_uberon_typing.py keeps, closed over is_a, genus and
    part_of: cutting it again, seeded with all its own terms, gives the same file byte for byte."""
    import runpy

    script = runpy.run_path(str(Path(__file__).parents[1] / "scripts" / "extract_uberon_typing.py"))
    path = Path(__file__).parents[1] / "ontology" / "sources" / name
    text = path.read_text(encoding="utf-8")
    header = dict(line.split(": ", 1) for line in text.split("\n\n", 1)[0].splitlines())
    stanzas = script["read_stanzas"](text)
    assert len(stanzas) > 5
    again = script["render"](
        script["extract"](stanzas, set(stanzas)),
        data_version=header["data-version"],
        remark=header["remark"].split("; lines kept by", 1)[0],
    )
    assert again == text
    assert read_obo(path).terms  # and the builder reads it
