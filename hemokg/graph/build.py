"""Building the reasoned graph (asserted + inferred + relation graph) and caching it, keyed by its inputs' hash.

``ontology/hemo-reasoned.nq`` ships the result, so querying never needs Java; when ``hemo.ttl`` changes, the graph
is rebuilt once (HermiT through owlready2) and kept in the user's cache. Files are written atomically
(:mod:`hemokg.fileio`), and a cached file whose content checksum does not match is rebuilt.

The key (the inputs' hash, in the file name and header) is kept apart from the content check: a cache file hemokg
writes gets a seal, ``<file>.sha256``, holding the hash of the whole file as written. A cache file read back must
match its seal, so an edited file with a recomputed header hash is rebuilt, not loaded.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from pyoxigraph import CanonicalizationAlgorithm, Dataset, DefaultGraph, NamedNode, Quad, RdfFormat, Store, serialize

from hemokg._hints import TYPE_CHECKING
from hemokg.errors import ReasonerError
from hemokg.fileio import sha256
from hemokg.graph.parse import parse_ontology
from hemokg.sparql.results import solutions
from hemokg.vocab import GRAPH_RELATION
from hemokg.vocab import OWL as _OWL

if TYPE_CHECKING:
    import logging

__all__ = [
    "REASONING_VERSION",
    "build_reasoned",
    "cache_dir",
    "input_hash",
    "one_copy",
    "read_reasoned",
    "reasoned_nquads",
    "seal_path",
]


def _log() -> logging.Logger:
    """This module's logger; ``logging`` is imported only when there is something to say (a cached start has
    nothing to say, and the import costs a hot command ~4 ms)."""
    import logging

    return logging.getLogger(__name__)


#: Bumped whenever what the build writes changes, so that stale caches are not reused.
REASONING_VERSION = "3"
_HEADER = "# hemokg-input-sha256: "
_INPUT = "input-crc32:"
_CONTENT = "content-crc32:"


def input_hash(sources: Sequence[bytes], reasoner: str) -> str:
    """The cache key: the sources' bytes, the reasoner and the build version."""
    digest = sha256(f"hemokg-reasoned/{REASONING_VERSION}/{reasoner}\n".encode())
    for data in sources:
        digest.update(sha256(data).digest())
    return str(digest.hexdigest())


def input_checksum(sources: Sequence[bytes], reasoner: str) -> str:
    """A quick check of the same inputs as :func:`input_hash` (CRC-32 and length of the same bytes): what a cold start
    compares with the shipped reasoned graph's header to tell whether ``hemo.ttl`` changed since it was built, at a
    fiftieth of SHA-256's cost. Cache files are named and checked by the SHA-256 key."""
    from zlib import crc32

    crc = crc32(f"hemokg-reasoned/{REASONING_VERSION}/{reasoner}\n".encode())
    size = 0
    for data in sources:
        crc = crc32(data, crc32(str(len(data)).encode() + b"\n", crc))
        size += len(data)
    return f"{crc:08x}-{size:x}"


def cache_dir() -> Path:
    """``$HEMOKG_CACHE_DIR``, else ``$XDG_CACHE_HOME/hemokg``, else ``~/.cache/hemokg``."""
    env = os.environ.get("HEMOKG_CACHE_DIR")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "hemokg"


def build_reasoned(
    sources: Iterable[tuple[str, bytes, str | None]], *, reasoner: str = "hermit", exact_as_equivalent: bool = False
) -> list[Quad]:
    """Reason over the union of the sources (name, Turtle bytes, graph IRI or None for the default graph).

    Each source's asserted triples stay in its graph; inferred subclass/equivalence triples go to the default graph
    and the relation graph to its own named graph. With ``exact_as_equivalent`` (a merge with import modules), each
    ``skos:exactMatch`` between two classes is reasoned over as ``owl:equivalentClass`` and kept as such.
    Raises :class:`ReasonerError` if the result is inconsistent or has an unsatisfiable class.
    """
    from hemokg.graph.reasoning import reason

    out, union = Store(), Store()
    for name, data, graph in sources:
        parsed = parse_ontology(data, path=name)
        target = NamedNode(graph) if graph else DefaultGraph()
        out.extend(one_copy(parsed, target, union))  # a triple another source already holds is kept once
        union.extend(q for q in parsed)
    if exact_as_equivalent:
        rows = solutions(
            union.query(
                "SELECT ?a ?b WHERE { ?a <http://www.w3.org/2004/02/skos/core#exactMatch> ?b . "
                "?b a <http://www.w3.org/2002/07/owl#Class> . FILTER(isIRI(?a) && isIRI(?b)) }"
            )
        )
        same = [Quad(r[0], NamedNode(_OWL + "equivalentClass"), r[1], DefaultGraph()) for r in rows]
        same = [q for q in same if q not in union]
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
    inferred = [q for q in inferred if q not in union]  # an inferred triple an import module asserts: once
    out.extend(inferred)
    union.extend(inferred)
    relation = NamedNode(GRAPH_RELATION)
    out.extend(Quad(NamedNode(s), NamedNode(p), NamedNode(o), relation) for s, p, o in _new_triples(union))
    return list(out)


def one_copy(parsed: Iterable[Quad], target: DefaultGraph | NamedNode, seen: Store) -> list[Quad]:
    """The quads of one source put into graph ``target``, less the blank-node-free triples ``seen`` (the sources
    loaded before it, in its default graph) already holds.

    Queries read the union of the graphs, and pyoxigraph's union default graph gives one solution per quad where a
    server holding the same file gives one per triple: an import module's declaration of a class that hemo (or an
    earlier module) also declares would make `COUNT(*)` on the embedded store count it twice. Blank nodes are local
    to their file, so a triple that has one is never a copy. The first source keeps the triple (hemo before the
    modules, the modules in name order)."""
    from pyoxigraph import BlankNode

    out = []
    for q in parsed:
        plain = not isinstance(q.subject, BlankNode) and not isinstance(q.object, BlankNode)
        if plain and Quad(q.subject, q.predicate, q.object, DefaultGraph()) in seen:
            continue
        out.append(Quad(q.subject, q.predicate, q.object, target))
    return out


def _new_triples(union: Store) -> list[tuple[str, str, str]]:
    """The relation graph of ``union`` without the triples ``union`` already holds (asserted or inferred).

    Queries read the union of the graphs; pyoxigraph's union default graph keeps one solution per quad, while a
    server holding the same file (one graph, or several merged as ``default-graph-uri``) keeps one per triple. A
    triple in both graphs would make plain SPARQL over the embedded store count it twice.
    """
    from hemokg.graph.relation_graph import relation_graph

    default = DefaultGraph()
    return [
        (s, p, o)
        for s, p, o in relation_graph(union)
        if Quad(NamedNode(s), NamedNode(p), NamedNode(o), default) not in union
    ]


def reasoned_nquads(quads: Iterable[Quad], key: str, checksum: str) -> bytes:
    """The reasoned graph as sorted N-Quads (byte-stable), with the input hash and content checksum on the first line.

    The checksum is CRC-32: it catches what happens to a file by accident (a flipped byte, a truncated or interrupted
    write, a merge left half done) at a twentieth of SHA-256's cost on every cold start; a cache file's seal (SHA-256
    of the whole file, :func:`seal_path`) catches an edit made on purpose."""
    dataset = Dataset(quads)
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)  # RDFC-1.0: blank-node labels from content
    body = b"".join(sorted(f"{q} .\n".encode() for q in dataset))
    return f"{_HEADER}{key} {_INPUT} {checksum} {_CONTENT} {content_checksum(body)}\n".encode() + body


def content_checksum(body: bytes | memoryview) -> str:
    """The checksum of a reasoned graph's body written in its header: CRC-32, 8 hex digits."""
    from zlib import crc32

    return f"{crc32(body):08x}"


def seal_path(path: Path) -> Path:
    """Where the seal (SHA-256 of the whole file as written) of a cached reasoned graph is kept."""
    return path.with_name(path.name + ".sha256")


def read_reasoned(
    path: Path, key: str | None, *, checksum: str | None = None, sealed: bool = False, keep_header: bool = False
) -> bytes | None:
    """The N-Quads body of a reasoned-graph file if it was built from inputs with hash ``key`` (or, given
    ``checksum``, with that :func:`input_checksum`) and is intact; with
    ``sealed`` (a cache file), only if it also matches the seal hemokg wrote beside it. Never raises. With
    ``keep_header``, the file's bytes as read, its first line (a ``#`` comment, valid N-Quads) kept: no copy of the
    graph is made."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    end = raw.find(b"\n")
    end = len(raw) if end < 0 else end
    first = raw[:end].decode("ascii", "replace").strip()
    parts = first.removeprefix(_HEADER).split()
    if not first.startswith(_HEADER) or len(parts) != 5 or parts[1] != _INPUT or parts[3] != _CONTENT:
        return None
    if (key is None and checksum is None) or (key is not None and parts[0] != key):
        return None  # a file is only ever taken for the inputs it was built from
    if checksum is not None and parts[2] != checksum:
        return None
    body = memoryview(raw)[end + 1 :]  # checked in place
    if content_checksum(body) != parts[4]:
        _log().warning("%s is corrupted (content checksum mismatch); rebuilding it", path)
        return None
    if sealed:
        try:
            seal = seal_path(path).read_text("ascii", "replace").strip()
        except OSError:
            seal = ""
        if seal != sha256(raw).hexdigest():
            _log().warning("%s does not match its seal (edited, or written by another program); rebuilding it", path)
            return None
    return raw if keep_header else bytes(body)
