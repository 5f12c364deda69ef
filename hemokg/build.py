"""Building the reasoned graph (asserted + inferred + relation graph) and caching it, keyed by its inputs' hash.

``ontology/hemo-reasoned.nq`` ships the result, so querying never needs Java; when ``hemo.ttl`` changes, the graph
is rebuilt once (HermiT through owlready2) and kept in the user's cache. Every file written here is written
atomically (temporary file, then rename), and a cached file whose content hash does not match is rebuilt.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from pyoxigraph import CanonicalizationAlgorithm, Dataset, DefaultGraph, NamedNode, Quad, RdfFormat, Store, serialize

from hemokg.errors import OntologyParseError, ReasonerError
from hemokg.namespaces import GRAPH_RELATION
from hemokg.namespaces import OWL as _OWL

__all__ = [
    "REASONING_VERSION",
    "atomic_write",
    "build_reasoned",
    "cache_dir",
    "input_hash",
    "parse_ontology",
    "read_reasoned",
    "reasoned_nquads",
    "replace_all",
    "write_temporary",
]

log = logging.getLogger(__name__)

#: Bumped whenever what the build writes changes, so that stale caches are not reused.
REASONING_VERSION = "1"
_HEADER = "# hemokg-input-sha256: "


def input_hash(sources: Sequence[bytes], reasoner: str) -> str:
    """The cache key: the sources' bytes, the reasoner and the build version."""
    digest = hashlib.sha256(f"hemokg-reasoned/{REASONING_VERSION}/{reasoner}\n".encode())
    for data in sources:
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


def cache_dir() -> Path:
    """``$HEMOKG_CACHE_DIR``, else ``$XDG_CACHE_HOME/hemokg``, else ``~/.cache/hemokg``."""
    env = os.environ.get("HEMOKG_CACHE_DIR")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "hemokg"


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename: all or nothing.

    The folder must exist (a typo in ``-o`` must not create directories): else FileNotFoundError saying so. The file
    gets mode 0644 (set explicitly: changing the process umask to read it is not thread-safe).
    """
    tmp = write_temporary(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_temporary(path: Path, data: bytes) -> Path:
    """Write ``data`` to a new temporary sibling of ``path`` (fsynced, mode 0644) and return it; the caller renames
    it onto ``path`` (or removes it). Lets a writer of several files put them all in place only once all are written."""
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, f"folder {path.parent} does not exist (create it first)", str(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o644)  # mkstemp makes 0600; a written file gets the usual permissions
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def replace_all(files: Mapping[Path, bytes]) -> None:
    """Write several files all or nothing: every one to a temporary sibling first, then the renames. A failure
    before the renames leaves every old file as it was (the temporaries are removed)."""
    written: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            written.append((write_temporary(path, data), Path(path)))
        for _tmp, path in written:  # checked before any rename, so that no rename fails on it midway
            if path.is_dir():
                raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(path))
        for tmp, path in written:
            os.replace(tmp, path)
    finally:
        for tmp, _path in written:
            tmp.unlink(missing_ok=True)


def parse_ontology(data: bytes, *, path: str, fmt: RdfFormat = RdfFormat.TURTLE) -> Store:
    """Parse an ontology file into a fresh store (default graph); a syntax error names file, line and column."""
    store = Store()
    try:
        store.bulk_load(data, format=fmt, base_iri="https://w3id.org/hemokg/")
    except SyntaxError as exc:
        line, column = exc.lineno, exc.offset
        message = str(exc.args[0]) if exc.args else str(exc)
        message = message.split(": ", 1)[-1] if message.startswith("Parser error") else message
        raise OntologyParseError(path, message, line, column) from None
    return store


def build_reasoned(
    sources: Iterable[tuple[str, bytes, str | None]], *, reasoner: str = "hermit", exact_as_equivalent: bool = False
) -> list[Quad]:
    """Reason over the union of the sources (name, Turtle bytes, graph IRI or None for the default graph).

    Each source's asserted triples stay in its graph; inferred subclass/equivalence triples go to the default graph
    and the relation graph to its own named graph. With ``exact_as_equivalent`` (a merge with import modules), each
    ``skos:exactMatch`` between two classes is reasoned over as ``owl:equivalentClass`` and kept as such.
    Raises :class:`ReasonerError` if the result is inconsistent or has an unsatisfiable class.
    """
    from hemokg.reasoning import reason
    from hemokg.relation_graph import relation_graph

    out, union = Store(), Store()
    for name, data, graph in sources:
        parsed = parse_ontology(data, path=name)
        target = NamedNode(graph) if graph else DefaultGraph()
        out.extend(Quad(q.subject, q.predicate, q.object, target) for q in parsed)
        union.extend(q for q in parsed)
    if exact_as_equivalent:
        rows = union.query(
            "SELECT ?a ?b WHERE { ?a <http://www.w3.org/2004/02/skos/core#exactMatch> ?b . "
            "?b a <http://www.w3.org/2002/07/owl#Class> . FILTER(isIRI(?a) && isIRI(?b)) }"
        )
        same = [Quad(r[0], NamedNode(_OWL + "equivalentClass"), r[1], DefaultGraph()) for r in rows]
        union.extend(same)
        out.extend(same)
    ntriples = serialize((q.triple for q in union), format=RdfFormat.N_TRIPLES) or b""
    report = reason(ntriples, reasoner=reasoner)
    if not report.consistent:
        raise ReasonerError(f"{reasoner} found the ontology inconsistent; run `hemokg reason` for details")
    if report.unsatisfiable:
        names = ", ".join(report.unsatisfiable)
        raise ReasonerError(f"{reasoner} found unsatisfiable classes: {names}; run `hemokg reason` for details")
    inferred = [Quad(NamedNode(s), NamedNode(p), NamedNode(o), DefaultGraph()) for s, p, o in report.inferred]
    out.extend(inferred)
    union.extend(inferred)
    relation = NamedNode(GRAPH_RELATION)
    out.extend(Quad(NamedNode(s), NamedNode(p), NamedNode(o), relation) for s, p, o in relation_graph(union))
    return list(out)


def reasoned_nquads(quads: Iterable[Quad], key: str) -> bytes:
    """The reasoned graph as sorted N-Quads (byte-stable), with the input hash and content hash on the first line."""
    dataset = Dataset(quads)
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)  # RDFC-1.0: blank-node labels from content
    body = b"".join(sorted(f"{q} .\n".encode() for q in dataset))
    return f"{_HEADER}{key} content-sha256: {hashlib.sha256(body).hexdigest()}\n".encode() + body


def read_reasoned(path: Path, key: str) -> bytes | None:
    """The N-Quads body of a reasoned-graph file if it was built from inputs with hash ``key`` and is intact."""
    try:
        with path.open("rb") as handle:
            first = handle.readline().decode("ascii", "replace").strip()
            body = handle.read()
    except OSError:
        return None
    parts = first.removeprefix(_HEADER).split()
    if not first.startswith(_HEADER) or len(parts) != 3 or parts[0] != key or parts[1] != "content-sha256:":
        return None
    if hashlib.sha256(body).hexdigest() != parts[2]:
        log.warning("%s is corrupted (content hash mismatch); rebuilding it", path)
        return None
    return body
