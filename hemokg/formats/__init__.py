"""Every file format the ecosystem reads (Turtle, N-Triples/N-Quads, RDF/XML, JSON-LD, OBO, OBO Graphs, SSSOM,
CSV/TSV), one module per format, one registry feeding ``hemokg export``, and the release products.

Works on the graph or store it is handed (typed against a protocol); may import everything below the facade
(``errors``, ``vocab``, ``fileio``, ``resources``, ``sparql``, ``backends``, ``graph``), never ``hemokg.kg``.
"""
