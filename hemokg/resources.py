"""Where the shipped data lives: the ontology, its reasoned graph, import modules and stored queries.

In an installed wheel they sit in ``hemokg/_data/``; in a source checkout, at the repository's top level. Nothing is
ever fetched: everything the package reads at run time ships with it.
"""

from __future__ import annotations

from pathlib import Path

from hemokg._hints import Any

__all__ = ["data_dir", "imports_dir", "mappings_dir", "ontology_path", "queries_dir", "reasoned_path", "versions"]

_PACKAGE = Path(__file__).resolve().parent


def data_dir() -> Path:
    """The folder holding ``ontology/`` and ``queries/``: the wheel's ``_data`` or the source checkout's root."""
    shipped = _PACKAGE / "_data"
    return shipped if (shipped / "ontology").is_dir() else _PACKAGE.parent


def ontology_path() -> Path:
    """The asserted ontology, ``hemo.ttl``."""
    return data_dir() / "ontology" / "hemo.ttl"


def reasoned_path() -> Path:
    """The shipped reasoned graph (N-Quads with its input hash on the first line)."""
    return data_dir() / "ontology" / "hemo-reasoned.nq"


def imports_dir() -> Path:
    """The shipped import modules of the external ontologies."""
    return data_dir() / "ontology" / "imports"


def mappings_dir() -> Path:
    """The shipped SSSOM mapping sets."""
    return data_dir() / "ontology" / "mappings"


def queries_dir() -> Path:
    """The stored queries (``*.rq``)."""
    return data_dir() / "queries"


# --- versions (``hemokg --version``), read from the shipped files ---------------------------------------------------
_VERSION = rb"owl:versionInfo\s+\"([^\"]+)\"|owl#versionInfo>\s+\"([^\"]+)\""
_VERSION_IRI = rb"owl:versionIRI\s+<([^>]+)>|owl#versionIRI>\s+<([^>]+)>"


def _read(data: bytes) -> str:
    import re  # ``--version`` only

    for pattern in (_VERSION, _VERSION_IRI):
        match = re.search(pattern, data)
        if match:
            return (match.group(1) or match.group(2)).decode("utf-8", "replace")
    return "unknown"


def versions() -> dict[str, Any]:
    """``{"hemo": version, "imports": {module: version}}`` from the shipped files (no parsing of whole graphs)."""
    try:
        hemo = _read(ontology_path().read_bytes())
    except OSError:
        hemo = "missing"
    modules = {p.name.removesuffix(".ttl"): _read(p.read_bytes()) for p in sorted(imports_dir().glob("*.ttl"))}
    return {"hemo": hemo, "imports": modules}
