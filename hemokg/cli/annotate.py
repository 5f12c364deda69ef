"""``hemokg annotate``: map cell-type labels (arguments, a text/CSV/TSV file or an AnnData obs column) to CL."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
from pathlib import Path
from typing import Any

import click

from hemokg.cli.options import open_kg, resolved_format, source_options, write_output

__all__ = ["annotate_cmd", "read_labels", "render_annotations"]

_FORMATS = ("table", "tsv", "csv", "json", "sssom")
_COLUMNS = ("label", "count", "cl_id", "cl_label", "hemo_id", "match", "score", "note")


@click.command(
    "annotate",
    epilog="Examples (an AnnData file: -f cells.h5ad --column cell_label --out annotated.h5ad):\n\n\b\n"
    "  hemokg annotate 'CD14+ Mono' Treg NK_CD56bright Doublet\n"
    "  hemokg annotate 'CD14+ Mono' Treg pDC --format tsv -o annotated.tsv\n"
    "  hemokg annotate -f annotated.tsv --column label --format json",
)
@click.argument("labels", nargs=-1)
@click.option(
    "-f", "--file", "path", type=click.Path(dir_okay=False), help="Read labels from a text, CSV/TSV or .h5ad file."
)
@click.option("--column", metavar="NAME", help="The CSV/TSV column or AnnData obs column holding the labels.")
@click.option(
    "--format", "fmt", type=click.Choice(_FORMATS), help="Output format [default: table on a terminal, else tsv]."
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-", help="Write the table here."
)
@click.option(
    "--out",
    "out_h5ad",
    type=click.Path(dir_okay=False),
    help="Write a copy of the .h5ad with cell_type_ontology_term_id.",
)
@click.option(
    "--with-labels", is_flag=True, help="With --out, add a cell_type column too (for analysis, not submission)."
)
@click.option("--check", "check_column", metavar="COLUMN", help="Compare an existing CL ID column with the labels.")
@click.option("--rollup", metavar="TERM,…", help="Map each label to the nearest of these ancestors too.")
@source_options
def annotate_cmd(
    labels: tuple[str, ...],
    path: str | None,
    column: str | None,
    fmt: str | None,
    output: str,
    out_h5ad: str | None,
    with_labels: bool,
    check_column: str | None,
    rollup: str | None,
    **source: Any,
) -> None:
    """Map free-text cell-type labels to Cell Ontology terms (or abstain with a note): one row per distinct label,
    in order of first appearance, with its count."""
    from hemokg.errors import AnnotateInputError

    if bool(labels) == bool(path):
        raise click.UsageError("give labels as arguments or with -f FILE (one of them)")
    if out_h5ad and not (path and path.lower().endswith(".h5ad")):
        raise click.UsageError("--out needs an .h5ad input (-f FILE.h5ad)")
    if with_labels and not out_h5ad:
        raise click.UsageError("--with-labels goes with --out")
    adata = None
    checks: list[tuple[str, str]] = []
    if path is None:
        values: list[str] = list(labels)
    elif path.lower().endswith(".h5ad"):
        from hemokg.interop.anndata import read_h5ad

        if not column:
            raise click.UsageError("an .h5ad file needs --column NAME (the obs column holding the labels)")
        _progress(f"reading {path} …")
        adata = read_h5ad(path)
        values = []
        if check_column:
            checks = _h5ad_pairs(adata, column, check_column)
    else:
        values, checks = read_labels(path, column=column, check=check_column)
    kg = open_kg(**source)
    if adata is not None:
        from hemokg.interop.anndata import annotate_anndata

        _progress(f"annotating {adata.n_obs:,} cells …")
        results = annotate_anndata(adata, column or "", kg=kg)
        if not results:
            raise AnnotateInputError(f"{path}: the obs column {column!r} holds no cells")
    else:
        if not values:
            raise AnnotateInputError(f"{path or 'the arguments'}: no labels to annotate")
        results = kg.annotate(values)
    chosen = resolved_format(fmt, output)
    if check_column:
        write_output(_render_check(results, checks, chosen), output)
    else:
        extra = _rollup(kg, results, rollup) if rollup else None
        write_output(render_annotations(results, chosen, extra=extra, annotator=kg.annotator), output)
    if adata is not None and out_h5ad:
        from hemokg.interop.anndata import with_ontology_column, write_h5ad

        _progress(f"writing {out_h5ad} …")
        write_h5ad(with_ontology_column(adata, column or "", results, with_labels=with_labels), out_h5ad, source=path)


def _progress(text: str) -> None:
    if sys.stderr.isatty():
        click.echo(text, err=True)


# --- reading ----------------------------------------------------------------------------------------------------
def read_labels(
    path: str, *, column: str | None = None, check: str | None = None
) -> tuple[list[str], list[tuple[str, str]]]:
    """The labels of a text file (one a line) or of a CSV/TSV column, and with ``check`` the (label, ID) pairs."""
    from hemokg.errors import AnnotateInputError

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise AnnotateInputError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise AnnotateInputError(
            f"{path}:{line}: not UTF-8 text (byte {exc.start}: {exc.reason}); save it as UTF-8"
        ) from None
    if "\x00" in text:
        raise AnnotateInputError(f"{path}: holds NUL characters, not a text file")
    suffix = Path(path).suffix.lower()
    if column is None and check is None and suffix not in (".csv", ".tsv"):
        return [line.strip() for line in text.splitlines() if line.strip()], []
    if column is None:
        raise AnnotateInputError(f"{path}: give --column NAME for a CSV/TSV file")
    delimiter = "," if suffix == ".csv" else "\t" if suffix == ".tsv" else _sniff(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise AnnotateInputError(f"{path}:{reader.line_num}: not valid CSV/TSV ({exc})") from None
    if not rows:
        raise AnnotateInputError(f"{path}: empty file, no header and no labels")
    header = [h.strip() for h in rows[0]]
    for wanted in (column, check):
        if wanted is not None and wanted not in header:
            raise AnnotateInputError(f"{path}: no column {wanted!r}; the columns are: {', '.join(header)}")
    at = header.index(column)
    values = [row[at] if at < len(row) else "" for row in rows[1:] if row]
    pairs: list[tuple[str, str]] = []
    if check is not None:
        cat = header.index(check)
        pairs = [(row[at].strip(), row[cat].strip() if cat < len(row) else "") for row in rows[1:] if row]
    return values, pairs


def _sniff(text: str) -> str:
    first = text.split("\n", 1)[0]
    return "\t" if first.count("\t") >= first.count(",") else ","


def _h5ad_pairs(adata: Any, column: str, check: str) -> list[tuple[str, str]]:
    from hemokg.errors import AnnotateInputError

    obs = adata.obs
    for wanted in (column, check):
        if wanted not in obs.columns:
            raise AnnotateInputError(f"no obs column {wanted!r}; the columns are: {', '.join(map(str, obs.columns))}")
    frame = obs[[column, check]].astype("object").fillna("").astype(str).drop_duplicates()
    return [(a.strip(), b.strip()) for a, b in frame.itertuples(index=False, name=None)]


# --- rendering --------------------------------------------------------------------------------------------------
def _row(a: Any) -> list[str]:
    return [a.label, str(a.count), a.cl_id or "", a.cl_label or "", a.hemo_id or "", a.match, f"{a.score:g}", a.note]


def render_annotations(
    results: list[Any], fmt: str, *, extra: list[tuple[str, str]] | None = None, annotator: Any = None
) -> str:
    """Annotations as a table, TSV, CSV, JSON (an array of objects) or an SSSOM mapping set."""
    from hemokg.sparql.results import delimited, table

    if fmt == "json":
        items = []
        for n, a in enumerate(results):
            item = {k: v for k, v in a.asdict().items() if k != "predicate"}
            if extra is not None:
                item["rollup"], item["rollup_label"] = extra[n][0] or None, extra[n][1] or None
            items.append(item)
        return json.dumps(items, indent=2, ensure_ascii=False) + "\n"
    if fmt == "sssom":
        return _sssom(results, annotator)
    header = list(_COLUMNS) + (["rollup", "rollup_label"] if extra is not None else [])
    rows = [_row(a) + (list(extra[n]) if extra is not None else []) for n, a in enumerate(results)]
    if fmt == "table":
        done = sum(1 for a in results if a.cl_id)
        return table(header, rows, title=f"{done} of {len(results)} labels mapped to CL")
    return delimited(header, rows, fmt)


def _local_id(label: str) -> str:
    return "hemokglabel:" + hashlib.sha1(label.encode("utf-8")).hexdigest()[:12]


def _sssom(results: list[Any], annotator: Any) -> str:
    """A mapping set in SSSOM/TSV: each mapped label (a generated local ID) to its CL term, abstentions left out."""
    from hemokg._version import __version__

    digest = hashlib.sha1("\n".join(a.label for a in results).encode("utf-8")).hexdigest()[:16]
    meta = [
        "#curie_map:",
        "#  CL: http://purl.obolibrary.org/obo/CL_",
        "#  hemokglabel: https://w3id.org/hemokg/annotate/label/",
        "#  semapv: https://w3id.org/semapv/vocab/",
        "#  skos: http://www.w3.org/2004/02/skos/core#",
        f"#mapping_set_id: https://w3id.org/hemokg/annotate/{digest}",
        "#mapping_set_title: Cell-type labels mapped to the Cell Ontology by hemokg annotate",
        "#license: https://creativecommons.org/publicdomain/zero/1.0/",
        f"#mapping_tool: hemokg annotate {__version__}",
    ]
    cols = ["subject_id", "subject_label", "predicate_id", "object_id", "object_label", "mapping_justification"]
    cols += ["confidence", "comment"]
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter="\t", lineterminator="\n")
    writer.writerow(cols)
    for a in results:
        if not a.cl_id:
            continue
        curated = annotator.is_curated(a) if annotator is not None else a.match == "abbreviation"
        justification = "semapv:ManualMappingCuration" if curated else "semapv:LexicalMatching"
        comment = f"{a.match}; {a.note}" if a.note else a.match
        writer.writerow(
            [
                _local_id(a.label),
                a.label,
                a.predicate or "skos:exactMatch",
                a.cl_id,
                a.cl_label or "",
                justification,
                f"{a.score:g}",
                comment,
            ]
        )
    return "\n".join(meta) + "\n" + buf.getvalue()


def _render_check(results: list[Any], pairs: list[tuple[str, str]], fmt: str) -> str:
    """The (label, existing ID) pairs where the ID disagrees with what annotate gives the label."""
    from hemokg.sparql.results import delimited, table

    by_label = {a.label: a for a in results}
    header = ["label", "existing_id", "annotate_id", "annotate_label", "note"]
    rows = []
    for label, existing in dict.fromkeys(pairs):
        a = by_label.get(label)
        ours = a.cl_id if a is not None else None
        if (ours or "unknown") != (existing or "unknown"):
            rows.append([label, existing, ours or "", (a.cl_label or "") if a else "", (a.note if a else "")])
    if fmt == "json":
        return json.dumps([dict(zip(header, r, strict=True)) for r in rows], indent=2, ensure_ascii=False) + "\n"
    if fmt == "table":
        return table(header, rows, title=f"{len(rows)} disagreements in {len(dict.fromkeys(pairs))} label/ID pairs")
    return delimited(header, rows, "tsv" if fmt == "sssom" else fmt)


def _rollup(kg: Any, results: list[Any], terms: str) -> list[tuple[str, str]]:
    """For each annotation the nearest of the given terms that is it or its ancestor ("" where none is)."""
    from hemokg.errors import AnnotateInputError, TermNotFoundError
    from hemokg.vocab import curie_to_iri, iri_to_curie

    knowledge = kg.annotator.k
    targets = []
    for text in (t.strip() for t in terms.split(",") if t.strip()):
        try:
            iri = kg.resolve(text)
        except TermNotFoundError:
            iri = None
        if iri is not None and iri not in knowledge.terms:
            mapped = {c for c, h in knowledge.hemo_of.items() if h == iri}
            iri = next(iter(mapped), iri)
        if iri is None or iri not in knowledge.terms:
            raise AnnotateInputError(f"--rollup: {text!r} is not a hematopoietic CL cell type")
        targets.append(iri)
    out = []
    for a in results:
        iri = curie_to_iri(a.cl_id) if a.cl_id else None
        if iri is None:
            out.append(("", ""))
            continue
        up = {iri} | set(knowledge.ancestors.get(iri, ()))
        fits = [t for t in targets if t in up]
        nearest = [t for t in fits if not any(t in knowledge.ancestors.get(o, ()) for o in fits if o != t)]
        best = nearest[0] if nearest else None
        out.append((iri_to_curie(best) or "", knowledge.terms[best].label or "") if best else ("", ""))
    return out
