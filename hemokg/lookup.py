"""Finding a term by what a person types: label, synonym, CURIE or IRI, forgiving case, accents and spelling.

``Haematopoiesis``, ``hemopoiesis``, ``CL:0000775`` and ``https://w3id.org/hemokg/HEMO_…`` all resolve. The text is
normalised the same way on both sides (case folded, accents and punctuation dropped, British spellings such as
*haem-*, *-aemia* and *leuc-* folded to American ones), and near misses come back as suggestions.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from hemokg.vocab import HEMO, curie_to_iri, iri_to_curie

__all__ = ["LabelIndex", "Match", "Term", "normalize"]

# Synonym predicates in the order a match is preferred (label first).
SCOPES = {
    "http://www.w3.org/2000/01/rdf-schema#label": ("label", 0),
    "http://www.geneontology.org/formats/oboInOwl#hasExactSynonym": ("exact", 1),
    "http://www.w3.org/2004/02/skos/core#prefLabel": ("label", 1),
    "http://www.geneontology.org/formats/oboInOwl#hasRelatedSynonym": ("related", 2),
    "http://www.geneontology.org/formats/oboInOwl#hasNarrowSynonym": ("narrow", 3),
    "http://www.geneontology.org/formats/oboInOwl#hasBroadSynonym": ("broad", 4),
}
_SPELLING = [
    (re.compile(r"ae"), "e"),  # haem-, anaemia, leukaemia
    (re.compile(r"oe"), "e"),  # oedema, oesophagus
    (re.compile(r"leuc"), "leuk"),  # leucocyte
    (re.compile(r"isation"), "ization"),
]


def normalize(text: str) -> str:
    """Fold case, accents, punctuation and British spellings, so that variants of one name compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    plain = plain.replace("æ", "ae").replace("œ", "oe")  # ligatures: hæmatopoiesis, œdema
    plain = re.sub(r"[\W_]+", " ", plain).strip()
    for pattern, repl in _SPELLING:
        plain = pattern.sub(repl, plain)
    return plain


@dataclass(frozen=True)
class Match:
    """One way a text names a term: which term, by which kind of name (label, exact, related, …)."""

    iri: str
    text: str
    scope: str
    rank: int


@dataclass(frozen=True)
class Term:
    """A term as ``lookup`` answers it."""

    iri: str
    curie: str | None
    label: str | None
    definition: str | None
    synonyms: tuple[tuple[str, str], ...]  # (text, scope)
    mappings: tuple[tuple[str, str], ...]  # (predicate CURIE, target CURIE or IRI)
    parents: tuple[tuple[str, str | None], ...]  # (IRI, label)
    matched: str | None = None  # how the text matched: "label", "exact", "CURIE", "mapping", …

    def asdict(self) -> dict:
        """A JSON-friendly dict of the term."""
        return {
            "iri": self.iri,
            "curie": self.curie,
            "label": self.label,
            "definition": self.definition,
            "synonyms": [{"text": t, "scope": s} for t, s in self.synonyms],
            "mappings": [{"predicate": p, "object": o} for p, o in self.mappings],
            "parents": [{"iri": i, "curie": iri_to_curie(i), "label": lab} for i, lab in self.parents],
            "matched": self.matched,
        }


class LabelIndex:
    """Every label and synonym of a graph, by normalised text; hemo terms and labels rank first."""

    def __init__(self, entries: Iterable[tuple[str, str, str]]) -> None:
        self._by_key: dict[str, list[Match]] = {}
        self.labels: dict[str, str] = {}
        for iri, predicate, text in entries:
            scope, rank = SCOPES.get(predicate, ("related", 5))
            if not iri.startswith(HEMO):
                rank += 10
            self._by_key.setdefault(normalize(text), []).append(Match(iri, text, scope, rank))
            if scope == "label" and (iri not in self.labels or rank < 10):
                self.labels.setdefault(iri, text)
        for matches in self._by_key.values():
            matches.sort(key=lambda m: (m.rank, m.iri))

    def find(self, text: str) -> list[Match]:
        """The terms this text names, best first (an empty list when none)."""
        return list(self._by_key.get(normalize(text), ()))

    def suggest(self, text: str, n: int = 5) -> list[str]:
        """The closest labels or synonyms to a text that matched nothing."""
        key = normalize(text)
        close = difflib.get_close_matches(key, list(self._by_key), n=n, cutoff=0.6)
        if not close and key:
            close = [k for k in self._by_key if key in k][:n]
        return [self._by_key[k][0].text for k in close]


def as_iri(text: str) -> str | None:
    """The IRI a text spells directly (an IRI, ``<IRI>`` or a known CURIE), or None."""
    stripped = text.strip()
    if stripped.startswith("<") and stripped.endswith(">"):
        stripped = stripped[1:-1]
    if re.match(r"^(https?|urn|file):\S+$", stripped):
        return _valid_iri(stripped)
    if re.match(r"^[A-Za-z][\w.-]*:[^\s/][^\s]*$", stripped):
        return _valid_iri(curie_to_iri(stripped))
    return None


def _valid_iri(iri: str | None) -> str | None:
    """The IRI if it is one (RFC 3987, as pyoxigraph checks it), else None: ``http://a>b`` is no IRI but a name."""
    if iri is None:
        return None
    from pyoxigraph import NamedNode

    try:
        NamedNode(iri)
    except ValueError:
        return None
    return iri
