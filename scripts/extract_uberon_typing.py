"""Cut, from a full OBO file carrying Uberon stanzas, the lines that type Uberon's edges for ``hemokg imports build``.

The cellxgene Uberon release (the one the Uberon module is built from) gives each term's ancestors with is_a and
part_of mixed; the builder types them from OBO files that keep the two apart (``ontology/sources/*-typing.obo``).
Those files are extracts made by this script from much larger files (GO's Uberon import module, 3.3 MB; Uberon's
edit file, 12 MB), so that the repository ships only what the build reads:

* the stanzas of the seed terms (by default every Uberon class of ``ontology/imports/uberon.ttl``) and of every term
  they reach through ``is_a``, the genus and ``part_of`` differentiae of ``intersection_of``, and ``relationship:
  part_of`` (the typed ancestors the builder's closure walks);
* of each stanza only the lines ``id``, ``name``, ``is_obsolete``, ``is_a``, ``intersection_of`` and ``relationship:``
  with part of (``part_of``, ``BFO:0000050``) or one of its sub-properties (``RO:0002007``, ``RO:0002571``,
  ``RO:0002572``), copied unchanged (qualifiers and ``! label`` comments included); everything else
  (definitions, synonyms, xrefs, other relations) is left out.

The header names where the lines come from. Usage (see ``ontology/sources/README.md`` for the exact inputs)::

    python scripts/extract_uberon_typing.py FULL.obo --data-version go/releases/2025-01-22/imports/uberon_import.owl \\
        --remark "GO's Uberon import (geneontology/go-ontology 7efb9cd7, 2025-01-22)" \\
        -o ontology/sources/go-uberon_import-2025-01-22-typing.obo
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEPT_TAGS = ("id", "name", "is_obsolete", "is_a", "intersection_of")
#: part of, and the sub-properties of part of Uberon uses (bounding layer of, lumen of, luminal space of).
PART_OF = ("part_of", "BFO:0000050", "RO:0002007", "RO:0002571", "RO:0002572")
_ID = re.compile(r"^UBERON:\d+$")
_MODULE_CLASS = re.compile(r"^obo:UBERON_(\d+) a owl:Class", re.MULTILINE)


def module_seeds(module: Path) -> set[str]:
    """The Uberon classes an import module declares, as CURIEs."""
    return {f"UBERON:{n}" for n in _MODULE_CLASS.findall(module.read_text(encoding="utf-8"))}


def read_stanzas(text: str) -> dict[str, list[str]]:
    """Each [Term] stanza's lines by id (Uberon terms only)."""
    out: dict[str, list[str]] = {}
    for block in re.split(r"\n(?=\[)", text):
        lines = block.strip().splitlines()
        if not lines or lines[0].strip() != "[Term]":
            continue
        ident = next((ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("id:")), "")
        if _ID.match(ident):
            out[ident] = lines[1:]
    return out


def _kept(line: str) -> bool:
    tag, _, value = line.partition(":")
    words = value.split()
    return tag in KEPT_TAGS or (tag == "relationship" and bool(words) and words[0] in PART_OF)


def _targets(lines: list[str]) -> set[str]:
    """The Uberon terms a stanza's kept lines point to (is_a, genus, part_of)."""
    out: set[str] = set()
    for line in lines:
        tag, _, value = line.partition(":")
        words = value.split("!", 1)[0].split()
        if tag in ("is_a", "intersection_of") and len(words) >= 1 and _ID.match(words[0]):
            out.add(words[0])
        if tag in ("relationship", "intersection_of") and len(words) >= 2 and words[0] in PART_OF:
            if _ID.match(words[1]):
                out.add(words[1])
    return out


def extract(stanzas: dict[str, list[str]], seeds: set[str]) -> dict[str, list[str]]:
    """The seeds present in the file and every term they reach, each with its kept lines."""
    out: dict[str, list[str]] = {}
    todo = sorted(s for s in seeds if s in stanzas)
    while todo:
        ident = todo.pop()
        if ident in out:
            continue
        out[ident] = [ln for ln in stanzas[ident] if _kept(ln)]
        todo += sorted(t for t in _targets(out[ident]) if t in stanzas and t not in out)
    return out


def render(kept: dict[str, list[str]], *, data_version: str, remark: str) -> str:
    head = ["format-version: 1.2", f"data-version: {data_version}", "ontology: uberon/typing-extract"]
    head.append(f"remark: {remark}; lines kept by scripts/extract_uberon_typing.py (is_a, intersection_of, part_of)")
    body = ["", *("\n".join(["[Term]", *kept[i]]) + "\n" for i in sorted(kept))]
    return "\n".join(head) + "\n" + "\n".join(body)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("source", type=Path, help="the full OBO file (GO's uberon_import.obo, uberon-edit.obo, …)")
    parser.add_argument("-o", "--out", type=Path, required=True, help="the extract to write")
    parser.add_argument("--data-version", required=True, help="the data-version header to give the extract")
    parser.add_argument("--remark", required=True, help="where the source file comes from (repository, commit)")
    parser.add_argument(
        "--seeds",
        type=Path,
        help="a file of Uberon CURIEs, one a line [default: the classes of ontology/imports/uberon.ttl]",
    )
    args = parser.parse_args(argv)
    seeds = (
        {ln.split("#", 1)[0].strip() for ln in args.seeds.read_text(encoding="utf-8").splitlines()} - {""}
        if args.seeds
        else module_seeds(ROOT / "ontology" / "imports" / "uberon.ttl")
    )
    kept = extract(read_stanzas(args.source.read_text(encoding="utf-8")), seeds)
    if not kept:
        print(f"{args.source}: none of the {len(seeds)} seed terms has a stanza there", file=sys.stderr)
        return 1
    args.out.write_text(render(kept, data_version=args.data_version, remark=args.remark), encoding="utf-8")
    print(f"wrote {args.out}: {len(kept)} stanzas ({len(seeds & set(kept))} of {len(seeds)} seeds)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
