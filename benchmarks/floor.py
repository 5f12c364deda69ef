"""The floor of a cold hot command (issue 18): a bare pyoxigraph script doing the same work as ``hemokg query
develops-from-chain -p cell=LABEL``, with nothing of hemokg imported.

It parses the shipped reasoned graph (``ontology/hemo-reasoned.nq``), resolves the label with one SPARQL query,
runs the stored ``queries/develops-from-chain.rq`` text with the cell's IRI in place of ``?_cell_iri`` and prints
the rows as tab-separated values. Run from the repository root: ``python benchmarks/floor.py neutrophil``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pyoxigraph import Literal, QuerySolutions, RdfFormat, Store, Variable

__all__ = ["main"]

ROOT = Path(__file__).resolve().parent.parent


def main(label: str) -> None:
    store = Store()
    store.bulk_load(path=str(ROOT / "ontology" / "hemo-reasoned.nq"), format=RdfFormat.N_QUADS)
    found = store.query(
        "SELECT ?c ?l WHERE { ?c <http://www.w3.org/2000/01/rdf-schema#label> ?l } LIMIT 1",
        substitutions={Variable("l"): Literal(label)},
        use_default_graph_as_union=True,
    )
    assert isinstance(found, QuerySolutions)
    iri = next(iter(found))[0]
    text = (ROOT / "queries" / "develops-from-chain.rq").read_text(encoding="utf-8").replace("?_cell_iri", str(iri))
    rows = store.query(text, use_default_graph_as_union=True)
    assert isinstance(rows, QuerySolutions)
    sys.stdout.write("".join("\t".join("" if v is None else str(v) for v in row) + "\n" for row in rows))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "neutrophil")
