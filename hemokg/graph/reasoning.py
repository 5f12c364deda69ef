"""OWL reasoning: HermiT and Pellet through owlready2, behind one function that takes N-Triples and returns a report.

This module owns every use of owlready2 in hemokg. owlready2 is imported inside functions only (``import
hemokg.graph.reasoning`` stays cheap), and each run gets a fresh ``owlready2.World()`` — never the global default world.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hemokg.errors import OntologyParseError, ReasonerError, ReasonerUnavailableError, UnknownReasonerError
from hemokg.vocab import HEMO_BASE, RDFS
from hemokg.vocab import OWL as _OWL

__all__ = [
    "REASONERS",
    "ReasonerReport",
    "UnknownReasonerError",
    "java_available",
    "reason",
    "reason_file",
]

log = logging.getLogger(__name__)

#: Reasoner names accepted by :func:`reason`, with the name shown to people.
REASONERS: dict[str, str] = {"hermit": "HermiT", "pellet": "Pellet"}

_RDFS_SUBCLASSOF = RDFS.subClassOf
_OWL_EQUIVALENTCLASS = _OWL + "equivalentClass"
_OWL_IMPORTS = _OWL + "imports"
# owlready2 imports the Python module named by this annotation when it loads an ontology: never let input do that.
_OWLREADY_PYTHON_MODULE = "http://www.lesfleursdunormal.fr/static/_downloads/owlready_ontology.owl#python_module"
_DROPPED_PREDICATES = frozenset({_OWL_IMPORTS, _OWLREADY_PYTHON_MODULE})
_INFERRED_ONTOLOGY = HEMO_BASE + "reasoning/inferred/"
_INSTALL_JAVA = "install a Java runtime, e.g. `apt-get install default-jre-headless`"
_NOISE_PREFIXES = ("java error message is", "slf4j:", "log4j:", "warning:", "picked up ", "at ", "...")

# owlready2 keeps module-level state (entity caches, the current-namespace stack): one run at a time.
_LOCK = threading.Lock()


@dataclass(frozen=True)
class ReasonerReport:
    """What one reasoner run found: consistency, unsatisfiable classes and the new class-hierarchy triples."""

    reasoner: str
    consistent: bool
    unsatisfiable: tuple[str, ...]
    inferred: tuple[tuple[str, str, str], ...]
    seconds: float


def java_available() -> bool:
    """True when a ``java`` executable is on PATH (owlready2 runs the reasoners as ``java`` subprocesses)."""
    return shutil.which("java") is not None


def reason(ntriples: bytes, *, reasoner: str = "hermit") -> ReasonerReport:
    """Classify an ontology given as N-Triples bytes with HermiT or Pellet; see :class:`ReasonerReport`.

    ``owl:imports`` are ignored (nothing is fetched). Raises :class:`ReasonerUnavailableError` without ``java`` or
    owlready2, :class:`ReasonerError` when the reasoner fails, :class:`OntologyParseError` on malformed input.
    """
    name = _check_name(reasoner)
    if not java_available():
        raise ReasonerUnavailableError(f"{REASONERS[name]} needs `java`, which is not on PATH: {_INSTALL_JAVA}")
    owlready2 = _import_owlready2()
    cleaned, asserted_equivalences = _clean_input(ntriples, "<N-Triples input>")
    with _LOCK, _status(f"Running {REASONERS[name]}…"), tempfile.TemporaryDirectory(prefix="hemokg-reason-") as tmp:
        path = Path(tmp) / "input.nt"
        path.write_bytes(cleaned)
        started = time.perf_counter()
        with _owlready_tempfiles_in(owlready2, tmp):
            report = _run(owlready2, path, name, asserted_equivalences)
        seconds = time.perf_counter() - started
    log.info(
        "%s: consistent=%s, %d unsatisfiable, %d inferred, %.2f s",
        REASONERS[name],
        report[0],
        len(report[1]),
        len(report[2]),
        seconds,
    )
    return ReasonerReport(name, report[0], report[1], report[2], seconds)


def reason_file(path: str | os.PathLike[str], *, reasoner: str = "hermit") -> ReasonerReport:
    """Reason over an RDF file (Turtle, N-Triples, RDF/XML, … chosen by its extension); see :func:`reason`."""
    import pyoxigraph

    path = Path(path)
    fmt = pyoxigraph.RdfFormat.from_extension(path.suffix.lstrip(".")) or (
        pyoxigraph.RdfFormat.RDF_XML if path.suffix in {".owl", ".rdf", ".xml"} else None
    )
    if fmt is None:
        raise OntologyParseError(str(path), "unknown RDF format; use .ttl, .nt, .owl/.rdf (RDF/XML) or .nq")
    try:
        quads = pyoxigraph.parse(path=path, format=fmt)
        data = pyoxigraph.serialize((q.triple for q in quads), format=pyoxigraph.RdfFormat.N_TRIPLES)
    except SyntaxError as exc:
        raise _parse_error(str(path), exc) from None
    except OSError as exc:
        raise OntologyParseError(str(path), exc.strerror or str(exc)) from None
    return reason(data or b"", reasoner=reasoner)


def _check_name(reasoner: str) -> str:
    """Normalise a reasoner name or raise :class:`UnknownReasonerError` naming the choices."""
    name = reasoner.lower() if isinstance(reasoner, str) else reasoner
    if name not in REASONERS:
        raise UnknownReasonerError(f"unknown reasoner {reasoner!r}; choose one of: {', '.join(REASONERS)}")
    return name


def _import_owlready2() -> types.ModuleType:
    """Import owlready2 or say how to install it."""
    try:
        import owlready2
    except ImportError:
        raise ReasonerUnavailableError("the reasoners need owlready2: pip install 'owlready2>=0.49,<0.50'") from None
    module: types.ModuleType = owlready2
    return module


def _parse_error(where: str, exc: SyntaxError) -> OntologyParseError:
    """Turn a pyoxigraph SyntaxError into an OntologyParseError with line and column."""
    return OntologyParseError(where, exc.msg or str(exc), exc.lineno, exc.offset)


def _clean_input(ntriples: bytes, where: str) -> tuple[bytes, frozenset[tuple[str, str]]]:
    """Parse and re-serialise the input without ``owl:imports``; also return the asserted named equivalences."""
    import pyoxigraph

    try:
        triples = list(pyoxigraph.parse(ntriples, format=pyoxigraph.RdfFormat.N_TRIPLES))
    except SyntaxError as exc:
        raise _parse_error(where, exc) from None
    kept = [t for t in triples if t.predicate.value not in _DROPPED_PREDICATES]
    equivalences = frozenset(
        (t.subject.value, t.object.value)
        for t in kept
        if t.predicate.value == _OWL_EQUIVALENTCLASS
        and isinstance(t.subject, pyoxigraph.NamedNode)
        and isinstance(t.object, pyoxigraph.NamedNode)
    )
    return pyoxigraph.serialize(kept, format=pyoxigraph.RdfFormat.N_TRIPLES) or b"", equivalences


def _run(
    owlready2: types.ModuleType, path: Path, name: str, asserted_equivalences: frozenset[tuple[str, str]]
) -> tuple[bool, tuple[str, ...], tuple[tuple[str, str, str], ...]]:
    """Load the file into a fresh World, run the reasoner, and read back consistency, unsatisfiable and inferred."""
    world = owlready2.World()
    try:
        try:
            world.get_ontology(path.as_uri()).load(only_local=True)
        except Exception as exc:  # owlready2 raises bare Exceptions from its parsers
            raise OntologyParseError(str(path), f"owlready2 could not load the ontology: {exc}") from None
        inferred_onto = world.get_ontology(_INFERRED_ONTOLOGY)
        sync = owlready2.sync_reasoner_hermit if name == "hermit" else owlready2.sync_reasoner_pellet
        try:
            with inferred_onto:
                sync(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            return False, (), ()
        except owlready2.OwlReadyJavaError as exc:
            raise ReasonerError(f"{REASONERS[name]} failed: {_first_meaningful_line(str(exc))}") from None
        except FileNotFoundError as exc:  # java vanished between the check and the run
            message = f"{REASONERS[name]} could not start `java` ({exc}): {_INSTALL_JAVA}"
            raise ReasonerUnavailableError(message) from None
        unsatisfiable = tuple(
            sorted(
                iri
                for iri in (getattr(c, "iri", None) for c in world.inconsistent_classes())
                if iri and not iri.startswith(_OWL)
            )
        )
        inferred = _inferred_triples(world, inferred_onto, set(unsatisfiable), asserted_equivalences)
        return True, unsatisfiable, inferred
    finally:
        world.close()


def _inferred_triples(
    world: Any, onto: Any, unsatisfiable: set[str], asserted_equivalences: frozenset[tuple[str, str]]
) -> tuple[tuple[str, str, str], ...]:
    """The subClassOf/equivalentClass triples owlready2 added between named classes, minus owl: trivia."""
    found: set[tuple[str, str, str]] = set()
    for s, p, o in onto.get_triples():
        if not (isinstance(o, int) and s > 0 and o > 0):
            continue
        s_iri, p_iri, o_iri = world._unabbreviate(s), world._unabbreviate(p), world._unabbreviate(o)
        if p_iri not in (_RDFS_SUBCLASSOF, _OWL_EQUIVALENTCLASS) or s_iri == o_iri:
            continue
        if s_iri.startswith(_OWL) or o_iri.startswith(_OWL) or s_iri in unsatisfiable or o_iri in unsatisfiable:
            continue
        if p_iri == _OWL_EQUIVALENTCLASS:
            if (s_iri, o_iri) in asserted_equivalences or (o_iri, s_iri) in asserted_equivalences:
                continue
            found.add((o_iri, p_iri, s_iri))  # report equivalences in both directions
        found.add((s_iri, p_iri, o_iri))
    return tuple(sorted(found))


@contextlib.contextmanager
def _owlready_tempfiles_in(owlready2: types.ModuleType, directory: str) -> Iterator[None]:
    """Make owlready2 write its reasoner input inside ``directory``: it leaks the file when java fails."""
    module = owlready2.reasoning
    saved = module.tempfile
    module.tempfile = types.SimpleNamespace(
        NamedTemporaryFile=functools.partial(tempfile.NamedTemporaryFile, dir=directory)
    )
    try:
        yield
    finally:
        module.tempfile = saved


def _first_meaningful_line(message: str) -> str:
    """The first line of a Java error that says something (not a banner, logger noise or a stack frame)."""
    for line in message.splitlines():
        text = line.strip()
        if text and not text.lower().startswith(_NOISE_PREFIXES):
            return text.removeprefix('Exception in thread "main" ')
    return message.strip() or "java exited with an error and no message"


@contextlib.contextmanager
def _status(text: str) -> Iterator[None]:
    """A transient status line on stderr when it is a terminal; nothing otherwise."""
    isatty = getattr(sys.stderr, "isatty", None)
    if not (isatty and isatty()):
        yield
        return
    try:
        from rich.console import Console
    except ImportError:
        yield
        return
    with Console(stderr=True).status(text):
        yield
