"""SPARQL as hemokg speaks it: the stored queries and their grlc-style headers, binding parameters as RDF terms,
and the one result type (with its writers) every backend returns.

May import: ``hemokg.errors``, ``hemokg.vocab``, ``hemokg.resources`` and pyoxigraph. Nothing above it.
"""
