"""Pictures drawn by real Graphviz from the graph: the lineage tree and the sites of blood production."""

from __future__ import annotations

import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from hemokg.vocab import REL
from hemokg.web.draw import LINEAGES, DrawError, draw_lineage, draw_sites, lineage_graph

SVG = "{http://www.w3.org/2000/svg}"


def _nodes(path: Path) -> dict[str, dict]:
    """Graphviz SVG nodes by their label (first text line): classes, fill colours, all text lines."""
    root = ET.parse(path).getroot()
    out = {}
    for g in root.iter(f"{SVG}g"):
        classes = (g.get("class") or "").split()
        if "node" not in classes:
            continue
        texts = [t.text for t in g.iter(f"{SVG}text") if t.text]
        fills = {s.get("fill") for s in g.iter() if s.tag in (f"{SVG}polygon", f"{SVG}ellipse", f"{SVG}path")}
        out[texts[0]] = {"classes": classes, "fills": fills - {"none", None}, "texts": texts}
    return out


def _edge_labels(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    return [
        t.text
        for g in root.iter(f"{SVG}g")
        if "edge" in (g.get("class") or "").split()
        for t in g.iter(f"{SVG}text")
        if t.text
    ]


@pytest.fixture(scope="session")
def lineage_svg(kg, tmp_path_factory) -> Path:
    return draw_lineage(kg, tmp_path_factory.mktemp("draw") / "lineage.svg")


def test_lineage_tree_has_the_cells_from_stem_cell_to_mature_cells(lineage_svg):
    nodes = _nodes(lineage_svg)
    for label in (
        "hematopoietic stem cell",
        "common myeloid progenitor",
        "common lymphoid progenitor",
        "erythrocyte",
        "platelet",
        "monocyte",
        "naive B cell",
        "plasma cell",
        "natural killer cell",
        "reticulocyte",
    ):
        assert label in nodes, f"{label} missing from the lineage picture"
    labels = _edge_labels(lineage_svg)
    assert "directly develops from" in labels and "develops from" in labels


def test_lineage_colours_differ_by_lineage(lineage_svg):
    nodes = _nodes(lineage_svg)
    # B cell itself is a generic class drawn through its kinds (naive B cell, plasma cell, ...)
    expected = {
        "erythrocyte": "erythroid",
        "platelet": "megakaryocytic",
        "plasma cell": "lymphoid",
        "monocyte": "myeloid",
    }
    fills = {}
    for label, lineage in expected.items():
        assert f"lineage-{lineage}" in nodes[label]["classes"], (label, nodes[label]["classes"])
        fills[label] = frozenset(nodes[label]["fills"])
    assert len(set(fills.values())) == 4, fills
    stem = nodes["hematopoietic stem cell"]["classes"]  # a stem cell can become every lineage
    assert all(f"lineage-{name}" in stem for name, _, _ in LINEAGES)


def test_lineage_shows_sites(lineage_svg):
    nodes = _nodes(lineage_svg)
    assert any("bone marrow" in line for line in nodes["platelet"]["texts"][1:])
    assert any("thymus" in line for line in nodes["thymocyte"]["texts"][1:])


def test_every_drawn_step_is_a_develops_from_fact_of_the_graph(kg):
    graph = lineage_graph(kg)
    facts = {(r[0].value, r[1].value) for r in kg.sparql(f"SELECT ?c ?p WHERE {{ ?c <{REL['develops_from']}> ?p }}")}
    assert graph.edges
    for cell, _, precursor in graph.edges:
        assert (cell, precursor) in facts, (graph.label(cell), graph.label(precursor))


def test_lineage_of_one_cell_is_the_part_above_and_below_it(kg, tmp_path):
    path = draw_lineage(kg, tmp_path / "mep.svg", "MEP")
    nodes = _nodes(path)
    assert {"hematopoietic stem cell", "erythrocyte", "platelet"} <= set(nodes)
    assert "B cell" not in nodes and "monocyte" not in nodes
    assert "megakaryocyte-erythroid progenitor cell" in nodes


def test_lineage_of_a_process_draws_its_output_cells(kg):
    graph = lineage_graph(kg, "thrombopoiesis")
    names = {graph.label(n) for n in graph.nodes}
    assert {"platelet", "megakaryocyte", "hematopoietic stem cell"} <= names
    assert "erythrocyte" not in names


def test_a_term_without_lineage_is_a_clear_error(kg, tmp_path):
    with pytest.raises(DrawError, match="neither a cell in a lineage nor a process"):
        draw_lineage(kg, tmp_path / "x.svg", "bone marrow")
    assert not (tmp_path / "x.svg").exists()


def test_png_output_is_a_real_png(hemokg_cli, tmp_path):
    run = hemokg_cli("draw", "lineage", "neutrophil", "-o", str(tmp_path / "n.png"))
    assert run.code == 0, run.err
    data = (tmp_path / "n.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_unknown_suffix_is_refused(kg, tmp_path):
    with pytest.raises(DrawError, match=r"\.svg"):
        draw_lineage(kg, tmp_path / "tree.jpeg")


def test_missing_dot_says_how_to_install(hemokg_cli, tmp_path):
    env = {**os.environ, "PATH": str(tmp_path)}  # no Graphviz on this PATH
    run = hemokg_cli("draw", "sites", "-o", str(tmp_path / "s.svg"), env=env)
    assert run.code == 1
    assert "apt-get install graphviz" in run.err and "Traceback" not in run.err
    assert not (tmp_path / "s.svg").exists()
    assert Path(sys.executable).exists()


def test_sites_picture(kg, tmp_path):
    path = draw_sites(kg, tmp_path / "sites.svg")
    nodes = _nodes(path)
    classes = {label: n["classes"] for label, n in nodes.items()}
    for site in ("bone marrow", "liver", "spleen", "thymus", "yolk sac blood island"):
        assert "site" in classes.get(site, ()), site
    for process in ("yolk sac hematopoiesis", "fetal liver hematopoiesis", "medullary hematopoiesis"):
        assert "process" in classes.get(process, ()), process
    assert any("disease" in c for c in classes.values())
    clusters = [
        t.text
        for g in ET.parse(path).getroot().iter(f"{SVG}g")
        if "cluster" in (g.get("class") or "")
        for t in g.findall(f"{SVG}text")
    ]
    assert any("prenatal" in (c or "") for c in clusters) and any("postnatal" in (c or "") for c in clusters)
    assert "occurs in" in _edge_labels(path)
    assert "disease causes disruption of" in _edge_labels(path)
