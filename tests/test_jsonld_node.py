"""A second, independent JSON-LD 1.1 processor: jsonld.js (Node.js) expands hemokg's JSON-LD to the same triples.

The document must be self-contained: the script's document loader refuses every fetch, and jsonld.js runs in safe
mode, so a term that would be dropped or a value that would be lost fails instead of passing silently.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest

import hemokg

JS = Path(__file__).parent / "js"


def canonical(quads: list[ox.Quad]) -> set[str]:
    dataset = ox.Dataset(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


@pytest.fixture(scope="module")
def node() -> str:
    binary = shutil.which("node")
    assert binary, "Node.js is needed (scripts/run-tests.sh installs it with apt)"
    assert (JS / "node_modules" / "jsonld").is_dir(), "run `npm ci --prefix tests/js` (scripts/run-tests.sh does)"
    return binary


@pytest.mark.parametrize("reasoned", [False, True], ids=["asserted", "reasoned"])
def test_jsonld_js_expands_the_export_to_the_same_graph(node: str, tmp_path: Path, reasoned: bool) -> None:
    kg = hemokg.load(reasoned=reasoned)
    path = tmp_path / "hemo.jsonld"
    kg.export("jsonld", path)
    proc = subprocess.run([node, str(JS / "to-nquads.mjs"), str(path)], capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    from_js = list(ox.parse(proc.stdout, format=ox.RdfFormat.N_QUADS))
    source = list(ox.parse(kg.export("ntriples"), format=ox.RdfFormat.N_TRIPLES))
    assert len(from_js) == len(source) > 1000
    assert canonical(from_js) == canonical([ox.Quad(t.subject, t.predicate, t.object) for t in source])


def test_jsonld_js_refuses_a_remote_context(node: str, tmp_path: Path) -> None:
    """The control: the offline loader really refuses, so the test above would catch a remote context."""
    path = tmp_path / "remote.jsonld"
    path.write_text('{"@context": "https://example.org/context.jsonld", "@id": "urn:x", "a": 1}')
    proc = subprocess.run([node, str(JS / "to-nquads.mjs"), str(path)], capture_output=True, timeout=120)
    assert proc.returncode != 0 and b"refused to fetch https://example.org/context.jsonld" in proc.stderr
