"""The versions ``hemokg --version`` names: the ontology's and each import module's, read from the shipped files."""

from __future__ import annotations

import re

from hemokg.resources import imports_dir, ontology_path

__all__ = ["versions"]

_VERSION = re.compile(rb"owl:versionInfo\s+\"([^\"]+)\"|owl#versionInfo>\s+\"([^\"]+)\"")
_VERSION_IRI = re.compile(rb"owl:versionIRI\s+<([^>]+)>|owl#versionIRI>\s+<([^>]+)>")


def _read(data: bytes) -> str:
    for pattern in (_VERSION, _VERSION_IRI):
        match = pattern.search(data)
        if match:
            return (match.group(1) or match.group(2)).decode("utf-8", "replace")
    return "unknown"


def versions() -> dict:
    """``{"hemo": version, "imports": {module: version}}`` from the shipped files (no parsing of whole graphs)."""
    try:
        hemo = _read(ontology_path().read_bytes())
    except OSError:
        hemo = "missing"
    modules = {p.name.removesuffix(".ttl"): _read(p.read_bytes()) for p in sorted(imports_dir().glob("*.ttl"))}
    return {"hemo": hemo, "imports": modules}
