"""Bridges to the tools of the single-cell and ontology ecosystems (AnnData; OAK and OWL in their own issues)."""
