"""Getting the graph into stores: parsing ontology files, the reasoned build (HermiT/Pellet through owlready2) and
its cache, the Ubergraph-style relation graph, and pushing the result to a SPARQL server.

May import: ``hemokg.errors``, ``hemokg.vocab``, ``hemokg.fileio``, ``hemokg.resources``, ``hemokg.sparql`` and
``hemokg.backends``. Never the facade (``hemokg.kg``) or anything above it.
"""
