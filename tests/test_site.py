"""The static site: generated pages, and a real headless Chromium using it (search, pictures, no console errors)."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from hemokg.web.site import page_name, write_site

DOCS_IMG = Path(__file__).resolve().parents[1] / "docs" / "img"


@pytest.fixture(scope="session")
def site_dir(kg, tmp_path_factory) -> Path:
    return write_site(kg, tmp_path_factory.mktemp("site") / "site")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.refs += [v for k, v in attrs if k in ("href", "src") and v]


def _refs(path: Path) -> list[str]:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.refs


def test_one_page_per_term_with_its_facts(kg, site_dir):
    iri = kg.resolve("hematopoiesis")
    page = (site_dir / "terms" / page_name(iri)).read_text(encoding="utf-8")
    term = kg.lookup("hematopoiesis")
    assert f"<h1>{term.label}</h1>" in page and term.definition in page
    for text, scope in term.synonyms:
        assert re.search(rf"{re.escape(text)} <span class=\"scope\">{scope}</span>", page), text
    assert 'href="http://purl.obolibrary.org/obo/GO_0030097"' in page
    labels = {
        r[0].value
        for r in kg.sparql(
            "SELECT ?t WHERE { ?t <http://www.w3.org/2000/01/rdf-schema#label> ?l . "
            "FILTER STRSTARTS(STR(?t), 'https://w3id.org/hemokg/HEMO_') }"
        )
    }
    assert {p.name for p in (site_dir / "terms").glob("*.html")} == {page_name(t) for t in labels}


def test_cell_page_has_parents_children_sites_functions_and_picture(kg, site_dir):
    page = (site_dir / "terms" / page_name(kg.resolve("erythrocyte"))).read_text(encoding="utf-8")
    assert "<h2>Parents</h2>" in page and "<h2>Functions</h2>" in page and "oxygen transport" in page
    assert "<h2>Lineage</h2>" in page
    thymocyte = (site_dir / "terms" / page_name(kg.resolve("thymocyte"))).read_text(encoding="utf-8")
    assert "<h2>Sites</h2>" in thymocyte and ">thymus</a>" in thymocyte
    granulocyte = (site_dir / "terms" / page_name(kg.resolve("granulocyte"))).read_text(encoding="utf-8")
    assert "<h2>Children</h2>" in granulocyte and ">neutrophil</a>" in granulocyte


def test_every_local_link_resolves_and_nothing_is_remote_but_purls(site_dir):
    pages = [site_dir / "index.html", site_dir / "queries.html", *sorted((site_dir / "terms").glob("*.html"))]
    for page in pages:
        for ref in _refs(page):
            if ref.startswith("data:"):
                continue
            if ref.startswith(("http://", "https://")):
                assert ref.startswith(("http://purl.obolibrary.org/obo/", "https://w3id.org/")), (page, ref)
                continue
            target = (page.parent / ref.split("#")[0]).resolve()
            assert target.exists(), (page.name, ref)


def test_queries_page_lists_every_stored_query_with_text_and_sample(kg, site_dir):
    page = (site_dir / "queries.html").read_text(encoding="utf-8")
    for name in kg.catalog:
        assert f'id="{name}"' in page
    assert page.count('<table class="sample">') >= 3
    assert "SELECT DISTINCT ?cell ?cell_label ?precursor ?precursor_label" in page


def test_rewriting_replaces_the_site_whole(kg, site_dir, tmp_path):
    target = tmp_path / "out"
    (target / "stale.html").parent.mkdir()
    (target / "stale.html").write_text("old")
    write_site(kg, target, pictures=False)
    assert not (target / "stale.html").exists() and (target / "index.html").exists()
    assert not list(tmp_path.glob(".out.*"))


# --- in a real browser ---------------------------------------------------------------------------------------------
def test_search_reaches_hematopoiesis_and_pages_have_no_console_errors(site_dir, serve_folder, page):
    base = serve_folder(site_dir)
    page.goto(base + "index.html")
    page.fill("#search", "haemopoiesis")
    first = page.locator("#search-results a").first
    first.wait_for()
    assert first.inner_text().splitlines()[0] == "hematopoiesis"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/terms/HEMO_\d+\.html$"))
    assert page.locator("h1").inner_text() == "hematopoiesis"
    assert page.errors == []


def test_term_page_renders_its_picture(kg, site_dir, serve_folder, page):
    base = serve_folder(site_dir)
    page.goto(base + "terms/" + page_name(kg.resolve("erythrocyte")))
    img = page.locator("figure.lineage img")
    img.wait_for()
    width = page.evaluate("(img) => img.complete ? img.naturalWidth : 0", img.element_handle())
    assert width > 100
    box = img.bounding_box()
    assert box and box["width"] > 0 and box["height"] > 0
    assert page.errors == []


def test_every_page_kind_loads_without_console_errors(kg, site_dir, serve_folder, page):
    base = serve_folder(site_dir)
    for path in [
        "index.html",
        "queries.html",
        *("terms/" + page_name(kg.resolve(t)) for t in ("neutrophil", "bone marrow", "leukemia", "fetal stage")),
    ]:
        page.goto(base + path)
        page.wait_for_load_state("load")
        assert page.errors == [], path
        broken = page.evaluate(
            "() => [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
        )
        assert broken == [], (path, broken)


def test_search_works_from_file_urls(site_dir, page):
    page.goto((site_dir / "index.html").as_uri())
    page.fill("#search", "red blood cell")
    first = page.locator("#search-results a").first
    first.wait_for()
    assert first.inner_text().splitlines()[0] == "erythrocyte"
    first.click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "erythrocyte"
    assert page.errors == []


def test_index_screenshot(site_dir, serve_folder, page, tmp_path):
    """The index renders; HEMOKG_UPDATE_SCREENSHOTS=1 also refreshes docs/img/site-index.png."""
    page.goto(serve_folder(site_dir) + "index.html")
    page.wait_for_load_state("load")
    shot = page.screenshot(full_page=False)
    assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 20_000
    if os.environ.get("HEMOKG_UPDATE_SCREENSHOTS"):
        (DOCS_IMG / "site-index.png").write_bytes(shot)
    assert page.errors == []
