"""hemo's links to the external ontologies: readers of real release files (OBO, OWL functional syntax,
cellxgene-ontology-guide JSON), the import modules built from them, and the link checks.

May import everything below the facade (``errors``, ``vocab``, ``fileio``, ``resources``, ``sparql``, ``graph``) and
``hemokg.formats``; never ``hemokg.kg``.
"""
