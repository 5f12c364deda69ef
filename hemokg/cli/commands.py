"""The commands of ``hemokg``: name -> the module and attribute that define it, and a one-line summary of each.

Read by the click group (:mod:`hemokg.cli.group`) to import a command only when it runs and to list them in
``--help``; re-exported by :mod:`hemokg.cli`. Imports nothing.
"""

from __future__ import annotations

__all__ = ["COMMANDS", "SUMMARIES"]

#: Commands that live in their own modules: name -> "module:attribute" (imported when the command runs).
COMMANDS: dict[str, str] = {
    "queries": "hemokg.cli.query:queries_cmd",
    "query": "hemokg.cli.query:query_cmd",
    "sparql": "hemokg.cli.query:sparql_cmd",
    "lookup": "hemokg.cli.query:lookup_cmd",
    "lineage": "hemokg.cli.query:lineage_cmd",
    "annotate": "hemokg.cli.annotate:annotate_cmd",
    "reason": "hemokg.cli.build:reason_cmd",
    "build": "hemokg.cli.build:build_cmd",
    "export": "hemokg.cli.export:export_cmd",
    "release": "hemokg.cli.export:release_cmd",
    "format": "hemokg.cli.export:format_cmd",
    "push": "hemokg.cli.push:push_cmd",
    "imports": "hemokg.cli.links:imports_group",
    "check-links": "hemokg.cli.links:check_links_cmd",
    "draw": "hemokg.cli.web:draw_group",
    "site": "hemokg.cli.web:site_cmd",
    "serve": "hemokg.cli.web:serve_cmd",
}
SUMMARIES = {
    "queries": "List the stored queries with their summaries and parameters.",
    "query": "Run a stored query: hemokg query NAME -p name=value.",
    "sparql": "Run a read-only SPARQL query given inline or with -f FILE.",
    "lookup": "Find a term by label, synonym, CURIE or IRI.",
    "lineage": "What a cell develops from, step by step, and what it develops into.",
    "annotate": "Map cell-type labels (text, CSV/TSV, .h5ad) to Cell Ontology terms, or abstain.",
    "reason": "Check the ontology with a reasoner (HermiT or Pellet): consistency and unsatisfiable classes.",
    "build": "Rebuild the shipped reasoned graph (ontology/hemo-reasoned.nq) from hemo.ttl.",
    "export": "Write the graph in an ecosystem format (Turtle, JSON-LD, OBO, RDF/XML, …).",
    "release": "Write the release products (base and full, every format) in one go.",
    "format": "Rewrite hemo.ttl in canonical Turtle (or --check that it is).",
    "push": "Upload the reasoned graph to a SPARQL 1.1 server.",
    "imports": "Build the external ontology import modules from release files.",
    "check-links": "Check every mapping target against the shipped modules or release files.",
    "draw": "Draw the lineage tree or the sites of blood production (SVG/PNG).",
    "site": "Write a static, searchable documentation site of the ontology.",
    "serve": "Serve the site and a read-only SPARQL endpoint on 127.0.0.1.",
}
