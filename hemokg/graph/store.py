"""The inputs of the embedded store: parsing ontology files, and the N-Quads of the reasoned graph (shipped or cached).

The hot path parses one N-Quads file with pyoxigraph (tens of milliseconds); Java and owlready2 are only touched
when ``hemo.ttl`` (or an import module) changed since the shipped reasoned graph was built.

Processes that need the same graph while it is not cached build it once: the first takes a lock on that cache entry
(``<file>.lock`` beside it, an advisory ``flock`` where the platform has one), the others wait for it and then read
what it cached.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from hemokg._hints import TYPE_CHECKING
from hemokg.fileio import atomic_write, read_regular_file, sha256
from hemokg.graph.build import (
    build_reasoned,
    cache_dir,
    input_checksum,
    input_hash,
    one_copy,
    read_reasoned,
    reasoned_nquads,
    seal_path,
)
from hemokg.graph.parse import parse_ontology
from hemokg.resources import imports_dir, ontology_path, reasoned_path
from hemokg.vocab import GRAPH_IMPORTS

__all__ = ["load_nquads", "reasoned_file", "sources"]

if TYPE_CHECKING:
    import logging


def _log() -> logging.Logger:
    """This module's logger; ``logging`` is imported only when there is something to say (a cached start has
    nothing to say, and the import costs a hot command ~4 ms)."""
    import logging

    return logging.getLogger(__name__)


def sources(ontology: str | Path | None = None, *, imports: bool = False) -> list[tuple[str, bytes, str | None]]:
    """The inputs of a load: hemo.ttl (or the given file) and, with ``imports``, each shipped import module."""
    path = Path(ontology) if ontology is not None else ontology_path()
    try:
        data = path.read_bytes() if ontology is None else read_regular_file(path)  # a user's file: limits
        found: list[tuple[str, bytes, str | None]] = [(str(path), data, None)]
    except OSError as exc:
        from hemokg.errors import OntologyParseError

        raise OntologyParseError(str(path), f"cannot read the ontology: {exc.strerror or exc}") from None
    if imports:
        modules = sorted(imports_dir().glob("*.ttl"))
        if not modules:
            from hemokg.errors import HemoError

            raise HemoError(f"no import modules in {imports_dir()}; build them with `hemokg imports build`")
        found += [(str(m), m.read_bytes(), GRAPH_IMPORTS + m.name.removesuffix(".ttl")) for m in modules]
    return found


def load_nquads(
    ontology: str | Path | None = None,
    *,
    reasoned: bool = True,
    imports: bool = False,
    reasoner: str = "hermit",
    header: bool = False,
) -> bytes:
    """The N-Quads of the graph ``load`` would hold (reasoned graphs come from the shipped file or the cache).

    With ``header``, a reasoned graph read from a file comes as the file's bytes, its first line (the input and
    content hashes, a ``#`` comment) kept: valid N-Quads for a parser, and no second copy of the graph in memory."""
    inputs = sources(ontology, imports=imports)
    if not reasoned:
        from pyoxigraph import DefaultGraph, NamedNode, Quad, Store

        quads: list[Quad] = []
        seen = Store()
        for name, data, graph in inputs:
            target = NamedNode(graph) if graph else DefaultGraph()
            parsed = parse_ontology(data, path=name)
            quads += one_copy(parsed, target, seen)  # a triple two sources hold is stored once
            seen.extend(parsed)
        return "".join(f"{q} .\n" for q in quads).encode()
    datas, tag = _keyed(inputs, reasoner, imports)
    found = _stored(datas, tag, shipped=ontology is None and not imports, header=header)
    if found is not None:
        return found[1]
    checksum, key = input_checksum(datas, tag), input_hash(datas, tag)
    path = _cache_path(key)
    with _building(path):
        if (body := _read_cached(path, key, header=header)) is not None:  # built by the process we waited for
            return body
        _log().info("reasoning over %s with %s (cached afterwards)", inputs[0][0], reasoner)
        blob = reasoned_nquads(build_reasoned(inputs, reasoner=reasoner, exact_as_equivalent=imports), key, checksum)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)  # the cache folder (atomic_write makes none)
            atomic_write(path, blob)
            atomic_write(seal_path(path), sha256(blob).hexdigest().encode() + b"\n")
        except OSError as exc:  # a read-only home or a full disk still gets its answer, just not cached
            _log().warning("could not cache the reasoned graph in %s: %s", path, exc)
            with suppress(OSError):  # leave nothing behind (a process waiting for the lock builds for itself)
                _lock_path(path).unlink()
    return blob if header else blob.split(b"\n", 1)[1]


def reasoned_file(
    ontology: str | Path | None = None, *, imports: bool = False, reasoner: str = "hermit"
) -> Path | None:
    """The intact reasoned-graph file of these inputs (the shipped one, else a sealed cache file), or None when none
    is built yet: what ``load`` hands pyoxigraph to read by itself, so the file's bytes are not held in memory beside
    the store (checked, then let go)."""
    datas, tag = _keyed(sources(ontology, imports=imports), reasoner, imports)
    found = _stored(datas, tag, shipped=ontology is None and not imports, header=True)
    return None if found is None else found[0]


def _keyed(inputs: list[tuple[str, bytes, str | None]], reasoner: str, imports: bool) -> tuple[list[bytes], str]:
    """What the input hash and checksum of a reasoned graph are taken over: the sources' bytes and the build's tag."""
    return [data for _, data, _ in inputs], reasoner + ("+imports" if imports else "")


def _stored(datas: list[bytes], tag: str, *, shipped: bool, header: bool) -> tuple[Path, bytes] | None:
    """The file holding the reasoned graph of these inputs intact, with its bytes (see :func:`load_nquads`): the
    shipped file (checked by the quick input checksum), else the cache file of the SHA-256 key."""
    if shipped:
        body = read_reasoned(reasoned_path(), None, checksum=input_checksum(datas, tag), keep_header=header)
        if body is not None:
            return reasoned_path(), body
    key = input_hash(datas, tag)
    path = _cache_path(key)
    body = _read_cached(path, key, header=header)
    return None if body is None else (path, body)


def _cache_path(key: str) -> Path:
    return cache_dir() / f"hemo-reasoned-{key[:16]}.nq"


def _lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def _read_cached(path: Path, key: str, *, header: bool = False) -> bytes | None:
    """The body of the cache file ``path`` if it holds the graph of ``key`` intact, sealed and readable; with
    ``header``, the file's bytes as read (see :func:`load_nquads`)."""
    body = read_reasoned(path, key, sealed=True, keep_header=header)
    return body if body is not None and _parses(path, body) else None


@contextmanager
def _building(path: Path) -> Iterator[None]:
    """Hold the build lock of the cache entry ``path`` (waiting while another process holds it). Without a usable
    lock (no ``fcntl``, or a cache folder that cannot be written) the build goes ahead unlocked."""
    try:
        import fcntl
    except ImportError:  # not a POSIX system: concurrent builds stay safe (atomic writes), just not shared
        yield
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = open(_lock_path(path), "ab")  # held across the yield, closed by the with below
    except OSError:
        yield
        return
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            _log().info("waiting for another process building %s", path)
            fcntl.flock(lock, fcntl.LOCK_EX)
        except OSError:  # a file system without locks
            pass
        yield  # closing the file releases the lock


def _parses(path: Path, body: bytes) -> bool:
    """Whether a cached body is N-Quads pyoxigraph reads (a cache that is not is rebuilt, never an error)."""
    from pyoxigraph import RdfFormat, parse

    try:
        for _ in parse(body, format=RdfFormat.N_QUADS):
            pass
    except (SyntaxError, ValueError, MemoryError) as exc:
        _log().warning("%s cannot be read (%s); rebuilding it", path, str(exc)[:120])
        return False
    return True


# END
