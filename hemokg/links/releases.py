"""Readers of real ontology release files: OBO, OWL functional syntax (CL's edit file), cellxgene-ontology-guide JSON.

Each reader sniffs and checks its input (format, expected ontology, empty or truncated file) and raises
:class:`~hemokg.errors.ImportsBuildError` naming the file (and line) before anything is built from it, and returns a
:class:`Release`: the terms with labels, synonyms, deprecation, parents and logical axioms, plus the release version.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from hemokg.errors import ImportsBuildError
from hemokg.vocab import OBO, REL, SCOPE_OF_PROPERTY
from hemokg.vocab import OWL as _OWL
from hemokg.vocab import RDF as _RDF
from hemokg.vocab import RDFS as _RDFS

if TYPE_CHECKING:
    from pyoxigraph import Store

__all__ = ["Release", "ReleaseTerm", "read_cellxgene", "read_obo", "read_owl_functional", "read_release"]


@dataclass
class ReleaseTerm:
    """One class of a release: names, deprecation and the logical axioms a module may keep."""

    iri: str
    label: str | None = None
    synonyms: set[tuple[str, str]] = field(default_factory=set)  # (scope, text)
    deprecated: bool = False
    replaced_by: str | None = None
    parents: set[str] = field(default_factory=set)
    some: set[tuple[str, str]] = field(default_factory=set)  # subClassOf (property some filler)
    equivalents: list[tuple[tuple[str, ...], tuple[tuple[str, str], ...]]] = field(default_factory=list)
    disjoint: set[str] = field(default_factory=set)
    ancestors: dict[str, int] = field(default_factory=dict)  # is_a + part_of closure with distance (cellxgene)
    #: The genus of every ``intersection_of`` (even one whose differentiae could not be read, so left out of
    #: ``equivalents``): a class is a subclass of each, which is what typing an edge needs.
    genera: set[str] = field(default_factory=set)


@dataclass
class Release:
    """The terms of one release file, with its version and what it covers (``partial``: a slim or a subset)."""

    path: str
    ontology_id: str
    version: str
    version_iri: str | None
    description: str
    terms: dict[str, ReleaseTerm]
    partial: bool = False

    @property
    def source_iri(self) -> str | None:
        """The IRI a module cites as its source: the release's version IRI."""
        return self.version_iri

    def only(self, prefix: str, *, ontology_id: str) -> Release:
        """The terms of one prefix, as a partial release (e.g. GO's stanzas in CL's slim)."""
        terms = {i: t for i, t in self.terms.items() if i.startswith(f"{OBO}{prefix}_")}
        return Release(
            self.path,
            ontology_id,
            self.version,
            self.version_iri,
            f"the {prefix} stanzas of {self.description}",
            terms,
            partial=True,
        )


_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_DATE = re.compile(r"v?(\d{4}-\d{2}-\d{2})")
#: An extract of an ontology's edit file names the git commit it was cut from instead of a release date
#: (``data-version: uberon/edit-<40 hex digits>``); the version is then that commit.
_EDIT_COMMIT = re.compile(r"/edit-([0-9a-f]{40})$")
#: The relation names an OBO file may write instead of a CURIE (``relationship: part_of UBERON:…``), as IRIs.
_OBO_REL_NAMES = (
    "part_of has_part develops_from capable_of occurs_in regulates negatively_regulates positively_regulates"
)
_OBO_RELATIONS = {name: REL[name] for name in _OBO_REL_NAMES.split()}
_SYNONYM = re.compile(r'^"((?:[^"\\]|\\.)*)"\s+(EXACT|RELATED|NARROW|BROAD)\b')


def _curie_iri(curie: str) -> str | None:
    prefix, sep, local = curie.partition(":")
    if not sep or not prefix or not local or not re.match(r"^[A-Za-z][A-Za-z0-9]*$", prefix) or "/" in local:
        return None
    return f"{OBO}{prefix}_{local}"


def _sniff(data: bytes) -> str:
    """The format a file's first bytes show: obo, ofn, json, zstd, rdf or unknown."""
    if data.startswith(_ZSTD_MAGIC):
        return "zstd"
    head = data[:4096].lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"format-version:"):
        return "obo"
    if head.startswith((b"Prefix(", b"Ontology(")):
        return "ofn"
    if head.startswith((b"{", b"[")):
        return "json"
    if head.startswith((b"<?xml", b"<rdf:RDF", b"@prefix", b"PREFIX")):
        return "rdf"
    return "unknown"


_FORMAT_NAMES = {
    "obo": "an OBO file",
    "ofn": "OWL functional syntax",
    "json": "JSON",
    "zstd": "zstd-compressed data",
    "rdf": "RDF/XML or Turtle",
    "unknown": "not a format hemokg reads",
}


def _read(path: Path, want: tuple[str, ...], what: str) -> tuple[bytes, str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportsBuildError(f"{path}: cannot read it ({exc.strerror or exc}); give the path of {what}") from None
    if not data.strip():
        raise ImportsBuildError(f"{path}: the file is empty; expected {what}")
    kind = _sniff(data)
    if kind not in want:
        raise ImportsBuildError(f"{path}: this is {_FORMAT_NAMES[kind]}, expected {what}")
    return data, kind


def read_release(path: str | Path) -> Release:
    """Any release file hemokg reads (OBO, OWL functional syntax, cellxgene JSON), its ontology told by its content."""
    path = Path(path)
    _, kind = _read(path, ("obo", "ofn", "json", "zstd"), "an OBO, OWL functional syntax or cellxgene JSON release")
    if kind == "obo":
        return read_obo(path)
    if kind == "ofn":
        return read_owl_functional(path)
    return read_cellxgene(path)


def read_obo(path: str | Path, *, expect: str | None = None) -> Release:
    """An OBO release (``hp.obo``, CL's slim): stanzas of [Term]; checks the header's ontology id and truncation."""
    path = Path(path)
    data, _ = _read(path, ("obo",), f"an OBO release of {expect or 'an ontology'}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportsBuildError(f"{path}: not UTF-8 text (byte {exc.start}); expected an OBO file") from None
    if not text.endswith("\n"):
        raise ImportsBuildError(f"{path}: the file is truncated (its last line is cut off); download it again")
    header: dict[str, str] = {}
    terms: dict[str, ReleaseTerm] = {}
    stanza: str | None = None
    term: ReleaseTerm | None = None
    genus: list[str] = []
    diff: list[tuple[str, str]] = []
    partial: list[bool] = [False]  # an intersection_of line that could not be read: the equivalence is left out

    def close() -> None:
        if term is not None and (genus or diff) and not partial[0]:
            term.equivalents.append((tuple(sorted(genus)), tuple(sorted(diff))))

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("!"):
            continue
        if line.startswith("["):
            close()
            stanza, term, genus, diff = line, None, [], []
            partial[0] = False
            continue
        tag, sep, value = line.partition(":")
        if not sep:
            raise ImportsBuildError(f"{path}:{number}: not an OBO tag-value line: {line[:60]!r}")
        value = value.strip()
        if stanza is None:
            header.setdefault(tag, value)
            continue
        if stanza != "[Term]":
            continue
        if tag == "id":
            iri = _curie_iri(value)
            term = terms.setdefault(iri, ReleaseTerm(iri)) if iri else None
            continue
        if term is None:
            continue
        if tag == "synonym":
            match = _SYNONYM.match(value)
            if match:
                term.synonyms.add((match.group(2).lower(), match.group(1).replace('\\"', '"')))
            continue
        value = re.sub(r"\s*\{[^}]*\}\s*", " ", value.split(" ! ", 1)[0]).strip() if tag != "name" else value
        quals = line[line.find("{") :] if "{" in line else ""
        parts = value.split()
        if tag == "name":
            term.label = value
        elif tag == "is_obsolete" and value == "true":
            term.deprecated = True
        elif tag == "replaced_by" and parts:
            term.replaced_by = _curie_iri(parts[0])
        elif tag == "is_a" and parts and _curie_iri(parts[0]):
            term.parents.add(_curie_iri(parts[0]) or "")
        elif tag == "disjoint_from" and parts and _curie_iri(parts[0]):
            term.disjoint.add(_curie_iri(parts[0]) or "")
        elif tag in ("relationship", "intersection_of") and len(parts) >= 2 and "all_only" not in quals:
            rel = _OBO_RELATIONS.get(parts[0]) or _curie_iri(parts[0])
            filler = _curie_iri(parts[1])
            if rel and filler:
                (diff.append((rel, filler)) if tag == "intersection_of" else term.some.add((rel, filler)))
            elif tag == "intersection_of":
                partial[0] = True  # e.g. `site_of` (no RO id here): a part of the definition would be lost
        elif tag == "intersection_of" and len(parts) == 1 and _curie_iri(parts[0]):
            genus.append(_curie_iri(parts[0]) or "")
            term.genera.add(_curie_iri(parts[0]) or "")
        elif tag == "intersection_of":
            partial[0] = True
    close()
    ontology = header.get("ontology", "").removesuffix(".obo").removesuffix(".owl")
    main = ontology.split("/", 1)[0]
    if not ontology or not terms:
        raise ImportsBuildError(f"{path}: no 'ontology:' header or no [Term] stanzas; expected an OBO release")
    if expect and main != expect:
        raise ImportsBuildError(f"{path}: this is the {ontology!r} ontology, expected {expect!r}; check the file given")
    data_version = header.get("data-version", "")
    date = _DATE.search(data_version) or _DATE.search(path.name) or _EDIT_COMMIT.search(data_version)
    if not date:
        raise ImportsBuildError(f"{path}: no release date in its data-version header or its name; expected a release")
    version_iri = OBO + data_version if "/releases/" in data_version else None
    if version_iri and not version_iri.endswith((".owl", ".obo")):
        version_iri += f"/{main}.owl"
    return Release(
        str(path), main, date.group(1), version_iri, f"{path.name} ({ontology})", terms, partial=ontology != main
    )


def read_cellxgene(path: str | Path, *, expect: str | None = None) -> Release:
    """A cellxgene-ontology-guide release (``PREFIX-ontology-vDATE.json.zst``): labels, exact synonyms, deprecation
    and the is_a + part_of ancestors (mixed, so only usable as ``overlaps``)."""
    path = Path(path)
    data, kind = _read(path, ("json", "zstd"), f"a cellxgene-ontology-guide JSON release of {expect or 'an ontology'}")
    if kind == "zstd":
        import zstandard

        try:
            data = zstandard.ZstdDecompressor().decompressobj().decompress(data)
        except zstandard.ZstdError as exc:
            raise ImportsBuildError(f"{path}: corrupt or truncated zstd data ({exc}); download it again") from None
    try:
        content = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = f"{path}:{exc.lineno}" if isinstance(exc, json.JSONDecodeError) else str(path)
        raise ImportsBuildError(f"{where}: not valid JSON ({exc}); the file may be truncated") from None
    if not isinstance(content, dict) or not content or not all(isinstance(v, dict) for v in content.values()):
        raise ImportsBuildError(f"{path}: not a cellxgene ontology file (expected an object of term id -> record)")
    prefixes = sorted({k.partition(":")[0] for k in content})
    main = max(prefixes, key=lambda p: sum(k.startswith(p + ":") for k in content))
    if expect and main != expect:
        raise ImportsBuildError(f"{path}: this release holds {main} terms, expected {expect}; check the file given")
    match = re.search(r"-ontology-(v?[\w.-]+?)\.json", path.name)
    if not match:
        raise ImportsBuildError(f"{path}: cannot tell the release version; name it PREFIX-ontology-vDATE.json.zst")
    version = match.group(1)
    name = main.lower()
    date = _DATE.fullmatch(version)
    version_iri = f"{OBO}{name}/releases/{date.group(1)}/{name}.owl" if date else None
    terms: dict[str, ReleaseTerm] = {}
    for curie, rec in content.items():
        iri = _curie_iri(curie)
        if iri is None:
            continue
        term = ReleaseTerm(
            iri,
            rec.get("label"),
            {("exact", s) for s in rec.get("synonyms") or ()},
            bool(rec.get("deprecated")),
            _curie_iri(rec["replaced_by"]) if rec.get("replaced_by") else None,
        )
        term.ancestors = {a: int(d) for c, d in (rec.get("ancestors") or {}).items() if (a := _curie_iri(c))}
        terms[iri] = term
    return Release(str(path), name, version, version_iri, f"the {main} release in cellxgene-ontology-guide", terms)


def read_owl_functional(path: str | Path, *, expect: str | None = None) -> Release:
    """An OWL functional-syntax file (CL's edit file), parsed by py-horned-owl; parse errors name file:line."""
    path = Path(path)
    data, _ = _read(path, ("ofn",), f"an OWL functional-syntax file of {expect or 'an ontology'}")
    text = data.decode("utf-8", "replace")
    found = re.search(r"^Ontology\(<([^>]+)>(?:\s*<([^>]+)>)?", text, re.M)
    if not found:
        raise ImportsBuildError(f"{path}: no Ontology(<IRI>) declaration; expected OWL functional syntax")
    if expect and found.group(1) != expect:
        raise ImportsBuildError(f"{path}: this is the ontology <{found.group(1)}>, expected <{expect}>")
    try:
        import pyhornedowl
    except ImportError:
        raise ImportsBuildError("OWL functional syntax needs py-horned-owl: pip install py-horned-owl") from None
    try:
        ontology = pyhornedowl.open_ontology(str(path), "ofn")
    except (ValueError, OSError) as exc:
        at = re.search(r"line_col: Pos\(\((\d+), (\d+)\)\)", str(exc))
        where = f"{path}:{at.group(1)}:{at.group(2)}" if at else str(path)
        raise ImportsBuildError(f"{where}: OWL functional syntax error (truncated or malformed file)") from None
    from pyoxigraph import RdfFormat, Store

    store = Store()
    store.bulk_load(ontology.save_to_string("owl").encode("utf-8"), format=RdfFormat.RDF_XML)
    date = _DATE.search(found.group(2) or "") or _DATE.search(path.name)
    if not date:
        raise ImportsBuildError(f"{path}: no version IRI and no vYYYY-MM-DD in its name; cannot tell its release")
    name = found.group(1).rsplit("/", 1)[-1].removesuffix(".owl")
    version_iri = found.group(2) or f"{OBO}{name}/releases/{date.group(1)}/{name}.owl"
    return Release(
        str(path), name, "v" + date.group(1), version_iri, f"{path.name} (OWL functional syntax)", _owl_terms(store)
    )


def _owl_terms(store: Store) -> dict[str, ReleaseTerm]:
    """Terms from OWL in RDF: labels, synonyms, deprecation, subclass/equivalence/disjointness axioms."""
    from pyoxigraph import BlankNode, NamedNode

    def one(s: object, p: str) -> object | None:
        # only a node has properties: None (a missing list item) must not become the wildcard subject
        if not isinstance(s, NamedNode | BlankNode):
            return None
        return next((q.object for q in store.quads_for_pattern(s, NamedNode(p), None)), None)

    def restriction(node: object) -> tuple[str, str] | None:
        prop, filler = one(node, _OWL + "onProperty"), one(node, _OWL + "someValuesFrom")
        return (prop.value, filler.value) if isinstance(prop, NamedNode) and isinstance(filler, NamedNode) else None

    terms: dict[str, ReleaseTerm] = {}

    def get(node: NamedNode) -> ReleaseTerm:
        return terms.setdefault(node.value, ReleaseTerm(node.value))

    scopes = SCOPE_OF_PROPERTY
    for quad in store:
        s, p, o = quad.subject, quad.predicate.value, quad.object
        if not isinstance(s, NamedNode) or not s.value.startswith(OBO):
            continue
        if p == _RDFS + "label":
            get(s).label = o.value
        elif p in scopes:
            get(s).synonyms.add((scopes[p], o.value))
        elif p == _OWL + "deprecated" and o.value == "true":
            get(s).deprecated = True
        elif p == OBO + "IAO_0100001":
            get(s).replaced_by = o.value if isinstance(o, NamedNode) else _curie_iri(o.value)
        elif p == _OWL + "disjointWith" and isinstance(o, NamedNode):
            get(s).disjoint.add(o.value)
            get(o).disjoint.add(s.value)
        elif p == _RDFS + "subClassOf":
            if isinstance(o, NamedNode):
                get(s).parents.add(o.value)
            elif (r := restriction(o)) is not None:
                get(s).some.add(r)
        elif p == _OWL + "equivalentClass" and isinstance(o, BlankNode):
            members, node = [], one(o, _OWL + "intersectionOf")
            while node is not None and node != NamedNode(_RDF + "nil"):
                members.append(one(node, _RDF + "first"))
                node = one(node, _RDF + "rest")
            genus = tuple(sorted(m.value for m in members if isinstance(m, NamedNode)))
            rs = [restriction(m) for m in members if not isinstance(m, NamedNode)]
            if members and None not in rs:
                get(s).equivalents.append((genus, tuple(sorted(r for r in rs if r))))
    return terms
