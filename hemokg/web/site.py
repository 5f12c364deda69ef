"""The static documentation site of the ontology (in the spirit of OLS and pyLODE), generated from the graph.

``write_site(kg, DIR)`` writes an index, one page per hemo term (label, definition, synonyms with scope, parents,
children, relations, sites, functions, lineage picture, mappings linked to their OBO PURLs), a page of the stored
queries with their text and a sample result, the lineage and sites pictures, and a client-side search over labels
and synonyms (a JS file, so the pages work from ``file://`` and from ``hemokg serve`` alike; nothing remote).
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from hemokg.errors import ExportError
from hemokg.vocab import HEMO, OIO, ONTOLOGY_IRI, RDFS, REL, SCOPE_OF_PROPERTY, SKOS, iri_to_curie

if TYPE_CHECKING:
    from hemokg.kg import KnowledgeGraph

__all__ = ["page_name", "write_site"]

ASSETS = Path(__file__).with_name("site_assets")
_SCOPES = {iri.removeprefix(OIO): scope for iri, scope in SCOPE_OF_PROPERTY.items()}  # local name -> scope
_KINDS = {
    "CL": "cells",
    "GO": "processes",
    "UBERON": "anatomy",
    "HsapDv": "stages",
    "MONDO": "disorders",
    "HP": "disorders",
}
_FUNCTION_RELS = (REL["capable_of"], REL["capable_of_part_of"])
_SITE_RELS = (REL["occurs_in"], REL["located_in"])


def page_name(iri: str) -> str:
    """The file name of a term's page: ``HEMO_0000002.html``."""
    return (iri_to_curie(iri) or iri.rsplit("/", 1)[-1]).replace(":", "_") + ".html"


def _literal_rows(kg: KnowledgeGraph) -> dict[str, dict[str, list[str]]]:
    rows = kg.sparql(f"""
        SELECT ?t ?p ?v WHERE {{
          ?t ?p ?v . FILTER(isIRI(?t) && STRSTARTS(STR(?t), "{HEMO}") && (isLiteral(?v) || STRSTARTS(STR(?p),
            "{SKOS}")))
        }} ORDER BY ?t ?p ?v""")
    out: dict[str, dict[str, list[str]]] = {}
    for t, p, v in rows:
        key = p.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        out.setdefault(t.value, {}).setdefault(key, []).append(v.value)
    return out


def _restrictions(kg: KnowledgeGraph) -> list[tuple[str, str, str]]:
    rows = kg.sparql(f"""
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        SELECT DISTINCT ?c ?p ?d WHERE {{
          ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf> ?r . ?r owl:onProperty ?p ; owl:someValuesFrom ?d .
          FILTER(isIRI(?c) && isIRI(?d) && STRSTARTS(STR(?c), "{HEMO}"))
        }} ORDER BY ?c ?p ?d""")
    return [(c.value, p.value, d.value) for c, p, d in rows]


def _progress(total: int) -> tuple[Callable[[], None], Callable[[], None]]:
    """A rich progress bar on a terminal (stderr), else nothing."""
    if not sys.stderr.isatty():
        return (lambda: None), (lambda: None)
    from rich.progress import Progress

    bar = Progress(transient=True)
    task = bar.add_task("writing the site", total=total)
    bar.start()
    return (lambda: bar.advance(task)), bar.stop


def write_site(kg: KnowledgeGraph, out: str | Path, *, pictures: bool = True) -> Path:
    """Write the whole site into ``out`` (built in a sibling folder, then swapped in: never half-written)."""
    from hemokg.web.draw import focus_on, labels, lineage_dot, lineage_graph, pipe, relations, sites_dot

    target = Path(out)
    build = target.with_name(f".{target.name}.building")
    shutil.rmtree(build, ignore_errors=True)
    try:
        (build / "terms").mkdir(parents=True)
        (build / "img").mkdir()
        shutil.copytree(ASSETS, build / "assets", ignore=shutil.ignore_patterns("*.html", "__pycache__"))
    except OSError as exc:
        raise ExportError(f"cannot write the site into {target}: {exc.strerror or exc}") from None
    names = labels(kg)
    facts = _literal_rows(kg)
    terms = sorted((t for t in facts if "label" in facts[t]), key=lambda t: facts[t]["label"][0].casefold())
    supers: dict[str, set[str]] = {}
    for s, _, o in relations(kg, [RDFS.subClassOf]):
        supers.setdefault(s, set()).add(o)
    parents = {
        t: {p for p in supers.get(t, ()) if not any(p in supers.get(q, ()) for q in supers.get(t, ()))} for t in terms
    }
    children: dict[str, set[str]] = {}
    for t, ps in parents.items():
        for p in ps:
            children.setdefault(p, set()).add(t)
    own = _restrictions(kg)
    inherited = relations(kg, [*_FUNCTION_RELS, *_SITE_RELS])
    kinds = {t: _kind(t, facts, supers) for t in terms}
    graph = lineage_graph(kg)
    advance, stop = _progress(len(terms) + 2)
    try:
        jobs: dict[str, object] = {}
        if pictures:
            jobs["lineage"] = lineage_dot(graph, title="Blood cell lineages")
            jobs["sites"] = sites_dot(kg)
            for t in terms:
                try:
                    sub = focus_on(kg, graph, t) if kinds[t] in ("cells", "processes") else None
                except ExportError:
                    sub = None
                if sub is not None and sub.edges:
                    jobs[page_name(t)[:-5]] = lineage_dot(sub, title=f"Lineage of {facts[t]['label'][0]}")
        with ThreadPoolExecutor(max_workers=4) as pool:
            for name, data in zip(jobs, pool.map(lambda d: pipe(d, "svg"), jobs.values()), strict=True):
                (build / "img" / f"{name}.svg").write_bytes(data)
                advance()
        index = []
        for t in terms:
            page = _term_page(
                t,
                facts[t],
                names,
                kinds[t],
                parents[t],
                children.get(t, set()),
                own,
                inherited,
                (build / "img" / (page_name(t)[:-5] + ".svg")).exists(),
            )
            (build / "terms" / page_name(t)).write_text(page, encoding="utf-8")
            index.append(
                {
                    "l": facts[t]["label"][0],
                    "c": iri_to_curie(t),
                    "k": kinds[t],
                    "u": "terms/" + page_name(t),
                    "s": [v for key in _SCOPES for v in facts[t].get(key, [])],
                }
            )
            advance()
        (build / "assets" / "search-index.js").write_text(
            "window.HEMO_INDEX = " + json.dumps(index, ensure_ascii=False, indent=0) + ";\n", encoding="utf-8"
        )
        (build / "index.html").write_text(_index_page(kg, terms, facts, kinds, pictures), encoding="utf-8")
        (build / "queries.html").write_text(_queries_page(kg), encoding="utf-8")
    except OSError as exc:
        shutil.rmtree(build, ignore_errors=True)
        raise ExportError(f"cannot write the site into {target}: {exc.strerror or exc}") from None
    finally:
        stop()
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    build.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return target


def _kind(t: str, facts: dict[str, dict[str, list[str]]], supers: dict[str, set[str]]) -> str:
    for candidate in [t, *sorted(supers.get(t, ()))]:
        for key in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch"):
            for target in facts.get(candidate, {}).get(key, []):
                prefix = (iri_to_curie(target) or ":").split(":")[0]
                if prefix in _KINDS:
                    return _KINDS[prefix]
    return "other terms"


def _html(title: str, body: str, *, root: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} — hemo</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{root}assets/style.css">
<script src="{root}assets/search-index.js" defer></script>
<script src="{root}assets/search.js" defer></script>
</head>
<body data-root="{root}">
<header><a class="home" href="{root}index.html">hemo</a>
<nav><a href="{root}index.html#terms">terms</a> <a href="{root}queries.html">queries</a></nav>
<form class="search" role="search" onsubmit="return false">
<input id="search" type="search" placeholder="Search labels and synonyms…" autocomplete="off" aria-label="Search">
<ul id="search-results" hidden></ul>
</form></header>
<main>
{body}
</main>
<footer>Generated by <code>hemokg site</code> from the hemo knowledge graph.</footer>
</body>
</html>
"""


def _name(iri: str, names: dict[str, str]) -> str:
    """What a link to ``iri`` shows: its label, else its CURIE, else the IRI."""
    return names.get(iri) or iri_to_curie(iri) or iri


def _link(iri: str, names: dict[str, str], root: str = "../") -> str:
    label = escape(_name(iri, names))
    if iri.startswith(HEMO):
        return f'<a href="{root}terms/{page_name(iri)}">{label}</a>'
    return f'<a href="{escape(iri)}">{label}</a> <span class="curie">{escape(iri_to_curie(iri) or "")}</span>'


def _term_page(
    t: str,
    fact: dict[str, list[str]],
    names: dict[str, str],
    kind: str,
    parents: set[str],
    children: set[str],
    own: list[tuple[str, str, str]],
    inherited: list[tuple[str, str, str]],
    picture: bool,
) -> str:
    label = fact["label"][0]
    curie = iri_to_curie(t) or t
    parts = [
        f"<h1>{escape(label)}</h1>",
        f'<p class="ids"><span class="curie">{escape(curie)}</span> '
        f'<code>{escape(t)}</code> <span class="kind">{escape(kind)}</span></p>',
    ]
    for definition in fact.get("IAO_0000115", []):
        parts.append(f'<p class="definition">{escape(definition)}</p>')
    synonyms = [(v, scope) for key, scope in _SCOPES.items() for v in fact.get(key, [])]
    if synonyms:
        parts.append(
            '<h2>Synonyms</h2><ul class="synonyms">'
            + "".join(f'<li>{escape(v)} <span class="scope">{scope}</span></li>' for v, scope in synonyms)
            + "</ul>"
        )

    def section(title: str, css: str, items: list[str]) -> None:
        if items:
            parts.append(f'<h2>{title}</h2><ul class="{css}">' + "".join(f"<li>{i}</li>" for i in items) + "</ul>")

    def by_label(iris: Iterable[str]) -> list[str]:  # sorted by what the reader sees, not by the markup's href
        return [_link(i, names) for i in sorted(set(iris), key=lambda i: (_name(i, names).casefold(), i))]

    section("Parents", "parents", by_label(parents))
    section("Children", "children", by_label(children))
    section(
        "Relations",
        "relations",
        [f"{escape(names.get(p, iri_to_curie(p) or p))} {_link(d, names)}" for c, p, d in own if c == t],
    )
    section("Sites", "sites", by_label(o for s, p, o in inherited if s == t and p in _SITE_RELS))
    functions = sorted(
        {(names.get(p, p), o) for s, p, o in inherited if s == t and p in _FUNCTION_RELS},
        key=lambda f: (f[0].casefold(), _name(f[1], names).casefold(), f[1]),
    )
    section("Functions", "functions", [f"{escape(rel)} {_link(o, names)}" for rel, o in functions])
    if picture:
        name = page_name(t)[:-5]
        parts.append(
            f'<h2>Lineage</h2><figure class="lineage"><a href="../img/{name}.svg">'
            f'<img src="../img/{name}.svg" alt="lineage picture of {escape(label)}"></a></figure>'
        )
    maps = [(key, v) for key in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch") for v in fact.get(key, [])]
    if maps:
        parts.append(
            '<h2>Mappings</h2><ul class="mappings">'
            + "".join(
                f'<li><span class="predicate">skos:{key}</span> <a class="purl" href="{escape(v)}">'
                f"{escape(iri_to_curie(v) or v)}</a></li>"
                for key, v in maps
            )
            + "</ul>"
        )
    for comment in fact.get("comment", []):
        parts.append(f'<p class="comment">{escape(comment)}</p>')
    return _html(label, "\n".join(parts), root="../")


def _index_page(
    kg: KnowledgeGraph, terms: list[str], facts: dict[str, dict[str, list[str]]], kinds: dict[str, str], pictures: bool
) -> str:
    rows = kg.sparql(f"SELECT ?p ?v WHERE {{ <{ONTOLOGY_IRI}> ?p ?v . FILTER(isLiteral(?v)) }} ORDER BY ?p ?v")
    meta = {p.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1]: v.value for p, v in rows}
    title = meta.get("title", "hemo")
    parts = [f"<h1>{escape(title)}</h1>"]
    if "description" in meta:
        parts.append(f'<p class="description">{escape(meta["description"])}</p>')
    parts.append(
        f'<p class="ids"><code>{ONTOLOGY_IRI}</code> version {escape(meta.get("versionInfo", "?"))} · '
        f'{len(terms)} terms · <a href="queries.html">stored queries</a></p>'
    )
    if pictures:
        parts.append(
            '<h2>Blood cell lineages</h2><figure class="lineage"><a href="img/lineage.svg">'
            '<img src="img/lineage.svg" alt="the lineage tree"></a></figure>'
        )
        parts.append(
            '<h2>Where blood is made</h2><figure class="sites"><a href="img/sites.svg">'
            '<img src="img/sites.svg" alt="sites of blood production"></a></figure>'
        )
    parts.append('<h2 id="terms">Terms</h2>')
    for kind in sorted(set(kinds.values()), key=lambda k: (k == "other terms", k)):
        items = [t for t in terms if kinds[t] == kind]
        parts.append(
            f'<h3>{escape(kind)}</h3><ul class="terms">'
            + "".join(f'<li><a href="terms/{page_name(t)}">{escape(facts[t]["label"][0])}</a></li>' for t in items)
            + "</ul>"
        )
    return _html(title, "\n".join(parts))


def _queries_page(kg: KnowledgeGraph, sample: int = 5) -> str:
    from hemokg.errors import HemoError
    from hemokg.sparql.results import term_text

    parts = [
        "<h1>Stored queries</h1>",
        "<p>Run one with <code>hemokg query NAME -p name=value</code>, or send "
        "its text to any SPARQL 1.1 endpoint holding hemo.</p>",
    ]
    for name in kg.catalog:
        q = kg.catalog[name]
        parts.append(f'<section class="query" id="{escape(name)}"><h2>{escape(name)}</h2><p>{escape(q.summary)}</p>')
        if q.description:
            parts.append(f'<p class="description">{escape(q.description)}</p>')
        for p in q.params:
            example = f" (sample: <code>{escape(p.example)}</code>)" if p.example else ""
            parts.append(f'<p class="param"><code>{escape(p.name)}</code> — {escape(p.description)}{example}</p>')
        parts.append(f"<pre><code>{escape(q.text)}</code></pre>")
        try:
            results = kg.query(name, **{p.name: p.example for p in q.params if p.example is not None})
        except HemoError as exc:
            parts.append(f'<p class="note">No sample result: {escape(str(exc))}</p></section>')
            continue
        if results.kind == "select":
            head = "".join(f"<th>{escape(v)}</th>" for v in results.vars)
            body = "".join(
                "<tr>" + "".join(f"<td>{escape(term_text(t))}</td>" for t in row) + "</tr>"
                for row in results.rows[:sample]
            )
            more = (
                f'<p class="note">{len(results)} rows; the first {sample} shown.</p>' if len(results) > sample else ""
            )
            parts.append(f'<table class="sample"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}')
        else:
            text = results.to_turtle() if results.kind == "graph" else str(results.boolean).lower()
            parts.append(f'<pre class="sample">{escape(text[:2000])}</pre>')
        parts.append("</section>")
    return _html("Stored queries", "\n".join(parts))
