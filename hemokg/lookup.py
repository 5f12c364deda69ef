"""Finding a term by what a person types: label, synonym, CURIE or IRI, forgiving case, accents and spelling.

``Haematopoiesis``, ``hemopoiesis``, ``CL:0000775`` and ``https://w3id.org/hemokg/HEMO_…`` all resolve. The text is
normalised the same way on both sides (case folded, accents and punctuation dropped, British spellings such as
*haem-*, *-aemia* and *leuc-* folded to American ones), and near misses come back as suggestions.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from hemokg._hints import Any, NamedTuple
from hemokg.vocab import HEMO, RDFS, SKOS, SYNONYM_SCOPES, curie_to_iri, iri_to_curie

__all__ = ["LabelIndex", "Match", "Term", "normalize", "order_key", "singular", "singular_key"]

# Synonym predicates in the order a match is preferred (label first).
SCOPES = {
    RDFS.label: ("label", 0),
    SYNONYM_SCOPES["exact"]: ("exact", 1),
    SKOS.prefLabel: ("label", 1),
    SYNONYM_SCOPES["related"]: ("related", 2),
    SYNONYM_SCOPES["narrow"]: ("narrow", 3),
    SYNONYM_SCOPES["broad"]: ("broad", 4),
}
_GREEK = {"α": " alpha ", "β": " beta ", "γ": " gamma ", "δ": " delta ", "κ": " kappa ", "λ": " lambda "}
_LEVELS = {"hi": "bright", "high": "bright", "bright": "bright", "lo": "dim", "low": "dim", "dim": "dim"}
_LEVELS.update({"pos": "positive", "neg": "negative"})


@functools.cache
def _rules() -> tuple[list[tuple[re.Pattern[str], str]], tuple[re.Pattern[str], ...]]:
    """The normaliser's patterns, compiled on its first use (a cold command that matches a name exactly never
    normalises one, and compiling them costs more than its whole lookup)."""
    spelling = [
        (re.compile(r"ae"), "e"),  # haem-, anaemia, leukaemia
        (re.compile(r"oe"), "e"),  # oedema, oesophagus
        (re.compile(r"leuc"), "leuk"),  # leucocyte
        (re.compile(r"isation"), "ization"),
    ]
    signs = (
        re.compile(r"(?<=[a-z0-9])\+"),  # CD4+ -> cd4 positive
        re.compile(r"(?<=[a-z0-9]{2})-(?=$|[\s/,;)_+|])"),  # CD25- -> cd25 negative (not alpha-beta)
        # and before the next marker: CD16-CD56bright, SLAMF1-XCL+, CD45RA-CCR7+ (not CD8-alpha+, not IL-7R)
        re.compile(r"\b([a-z]{1,6}\d+[a-z]{0,3})-(?=cd\d|(?!alpha|beta|gamma|delta)[a-z][a-z0-9]* positive)"),
        re.compile(r"\b([a-z]{1,8}\d+[a-z]{0,3}?)(bright|high|hi|dim|low|lo|pos|neg)\b"),  # CD56bright
        re.compile(r"^[a-z]{1,8}\d+[a-z]{0,3}$"),  # a marker name
        re.compile(r"[\W_]+"),
    )
    return spelling, signs


def normalize(text: str) -> str:
    """Fold case, accents, punctuation, British spellings and marker notation, so variants of one name compare equal.

    ``CD4+``, ``CD4-positive`` and ``cd4 positive`` all become ``cd4 positive``; ``CD25-`` ``cd25 negative``;
    ``CD56bright``, ``CD56-hi`` and ``CD56 high`` ``cd56 bright`` (``dim``/``lo``/``low`` ``dim``); ``γδ`` ``gamma
    delta``. Plural and word-order folding are separate steps (:func:`singular`, :func:`singular_key`,
    :func:`order_key`). Results are remembered (a dataset repeats its labels; an index normalises every name).
    """
    return _normalize(text) if len(text) <= 200 else _normalize.__wrapped__(text)


@functools.lru_cache(maxsize=65536)
def _normalize(text: str) -> str:
    if text.isascii():
        plain = text.lower()
    else:
        import unicodedata  # ASCII names (nearly all) never need it

        decomposed = unicodedata.normalize("NFKD", text)
        plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
        plain = plain.replace("æ", "ae").replace("œ", "oe")  # ligatures: hæmatopoiesis, œdema
        if any(c in plain for c in _GREEK):
            plain = "".join(_GREEK.get(c, c) for c in plain)
    spelling, (sign_plus, sign_minus, sign_minus_joined, joined_level, markerish, non_word) = _rules()
    if "+" in plain or "-" in plain:
        plain = sign_plus.sub(" positive ", plain)
        plain = sign_minus.sub(" negative ", sign_minus_joined.sub(r"\1 negative ", plain))
    plain = non_word.sub(" ", plain).strip()
    folded = None
    while folded != plain:  # to a fixed point: "aae" folds to "ae" and then to "e"
        folded = plain
        for pattern, repl in spelling:
            plain = pattern.sub(repl, plain)
    plain = joined_level.sub(r"\1 \2", plain)
    words = plain.split(" ")
    if any(w in _LEVELS for w in words):
        words = [_LEVELS[w] if w in _LEVELS and i and markerish.match(words[i - 1]) else w for i, w in enumerate(words)]
        plain = " ".join(words)
    return plain


_KEEP_S = ("ss", "us", "is", "os", "ys", "as")
#: Words that end in s in the singular (or whose plural would be mangled by dropping it).
_SINGULAR_S = frozenset({"series", "species", "plus", "mucosa", "sinus", "nucleus", "thymus", "corpus", "bias"})


def singular(word: str) -> str:
    """The singular of one normalised English word (``cells`` -> ``cell``, ``bodies`` -> ``body``), else the word.

    Deliberately plain: it is applied to both sides of a comparison, so a rare mis-fold cancels out.
    """
    if len(word) < 3 or not word.endswith("s") or word in _SINGULAR_S or word.endswith(_KEEP_S):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes")):
        return word[:-2]
    return word[:-1]


def singular_key(key: str) -> str:
    """A normalised text with every word made singular (``white blood cells`` -> ``white blood cell``)."""
    return " ".join(singular(w) for w in key.split(" "))


def order_key(key: str) -> str | None:
    """The word-order-free form of a normalised 2-3 word text without the word ``cell`` (``naive b`` for both
    ``B naive`` and ``naive B cell``), or None for longer or one-word texts."""
    words = [w for w in singular_key(key).split(" ") if w and w != "cell"]
    return " ".join(sorted(words)) if 2 <= len(words) <= 3 else None


class Match(NamedTuple):
    """One way a text names a term: which term, by which kind of name (label, exact, related, …)."""

    iri: str
    text: str
    scope: str
    rank: int
    variant: str = ""  # "" for the text as normalised, "plural" or "word order" for the folded forms


class Term(NamedTuple):
    """A term as ``lookup`` answers it."""

    iri: str
    curie: str | None
    label: str | None
    definition: str | None
    synonyms: tuple[tuple[str, str], ...]  # (text, scope)
    mappings: tuple[tuple[str, str], ...]  # (predicate CURIE, target CURIE or IRI)
    parents: tuple[tuple[str, str | None], ...]  # (IRI, label)
    matched: str | None = None  # how the text matched: "label", "exact", "CURIE", "mapping", …

    def asdict(self) -> dict[str, Any]:
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
    """Every label and synonym of a graph, by normalised text; hemo terms and labels rank first.

    A text that matches no name as normalised is tried with every word made singular (``T cells``, ``Neutrophils``,
    ``white blood cells``) and then, for two or three words, in any order (``B naive``); such matches say so in
    :attr:`Match.variant`.
    """

    def __init__(self, entries: Iterable[tuple[str, str, str]]) -> None:
        self._by_key: dict[str, list[Match]] = {}
        self._by_singular: dict[str, list[Match]] = {}
        self._by_order: dict[str, list[Match]] = {}
        self.labels: dict[str, str] = {}
        for iri, predicate, text in entries:
            scope, rank = SCOPES.get(predicate, ("related", 5))
            if not iri.startswith(HEMO):
                rank += 10
            key = normalize(text)
            match = Match(iri, text, scope, rank)
            self._by_key.setdefault(key, []).append(match)
            self._by_singular.setdefault(singular_key(key), []).append(match)
            order = order_key(key)
            if order is not None:
                self._by_order.setdefault(order, []).append(match)
            if scope == "label" and (iri not in self.labels or rank < 10):
                self.labels.setdefault(iri, text)
        for table in (self._by_key, self._by_singular, self._by_order):
            for matches in table.values():
                matches.sort(key=lambda m: (m.rank, m.iri))

    def find(self, text: str) -> list[Match]:
        """The terms this text names, best first (an empty list when none)."""
        key = normalize(text)
        found = self._by_key.get(key)
        if found:
            return list(found)
        plural = singular_key(key)
        found = self._by_singular.get(plural)
        if found:
            return [m._replace(variant="plural" if plural != key else "spelling") for m in found]
        order = order_key(key)
        found = self._by_order.get(order) if order is not None and len(key.split(" ")) > 1 else None
        return [m._replace(variant="word order") for m in found] if found else []

    def suggest(self, text: str, n: int = 5) -> list[str]:
        """The closest labels or synonyms to a text that matched nothing."""
        import difflib  # only a name that matched nothing needs it

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
    prefix, colon, rest = stripped.partition(":")
    if not colon or not rest or any(c.isspace() for c in rest):
        return None
    if prefix in ("http", "https", "urn", "file"):
        return _valid_iri(stripped)
    # a CURIE: an ASCII letter, then word characters, "." or "-" (as the regex [A-Za-z][\w.-]*), then no "/"
    if prefix[:1].isascii() and prefix[:1].isalpha() and all(c.isalnum() or c in "_.-" for c in prefix[1:]):
        return None if rest[0] == "/" else _valid_iri(curie_to_iri(stripped))
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
