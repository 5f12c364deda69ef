"""The annotation engine: free-text cell-type labels to CL terms of the hematopoietic branch, or an abstention.

A label is tried, in order: as a name (label or synonym of CL or hemo, after :func:`hemokg.lookup.normalize`), as a
plural or in another word order, as an abbreviation of the field (``abbreviations.tsv``, each entry with a source),
and finally by composition: its words, abbreviations expanded and marker notation (``CD14+``, ``CD56bright``,
``FCGR3A``) read against CL's names and CL's own logical definitions (has/lacks plasma membrane part, high/low
amount), answered by the most general term that explains the most of what the label says. A label naming several
types (``Tcm/Naive cytotoxic T cells``, ``G/M prog``) is read part by part. When all that fails, the label is read
again with less: abbreviations written out (``PB``, ``DZ GCB``), without words of state or stage (``B intermediate``,
``Early MK``), without gene-symbol tags (``CD8.c01.Tn.MAL``), in CL's other words (precursor, progenitor), by a broad
synonym, without one unknown modifier; such answers are broad matches and say what was left out. A synonym that
CL's own definitions contradict (``CD16+ monocyte``) decides nothing. Labels that name no cell type (``Doublet``,
``Unknown``, cluster numbers) and cells outside hematopoiesis get no ID: a wrong ID is worse than none.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from importlib import resources

from hemokg.annotate.knowledge import CellKnowledge, Name
from hemokg.lookup import normalize, order_key, singular, singular_key
from hemokg.vocab import OBO, curie_to_iri, iri_to_curie

__all__ = ["Abbreviation", "Annotation", "Annotator", "load_abbreviations"]

_SCOPE_SCORE = {"label": 1.0, "exact": 0.95, "related": 0.8, "narrow": 0.75, "broad": 0.6}
_NAME_MATCHES = frozenset({"exact label", "exact synonym", "related synonym", "narrow synonym", "plural/spelling"})
_SCOPE_MATCH = {
    "label": "exact label",
    "exact": "exact synonym",
    "related": "related synonym",
    "narrow": "narrow synonym",
}
#: Words that say a label names no cell type (quality-control and clustering vocabulary), in any letter case.
_NOT_A_CELL = re.compile(
    r"^(doublets?|multiplets?|unknown|undefined|unassigned|unclassified|unidentified|ambiguous|na|nan|none|"
    r"null|low ?quality|lowq|lq|debris|dead|dying|damaged|contaminat\w*|ambient|empty|unannotated|"
    r"not ?applicable|artifacts?|artefacts?|noise|junk|filtered|removed|excluded|discard\w*)\d*$"
)
#: Words that qualify a label without naming a cell type ("other T", "Mixed cells"): dropped; alone, no cell type.
_VAGUE = frozenset({"other", "others", "mixed", "misc", "miscellaneous", "various", "rest", "remaining"})
#: Words that say a cell's state or stage, not its type: a label that names a type with them is that type (broad).
_STATE = frozenset(
    {
        "cycling",
        "proliferating",
        "proliferative",
        "dividing",
        "activated",
        "active",
        "resting",
        "quiescent",
        "kappa",
        "lambda",
        "circulating",
        "differentiating",
        "intermediate",
        "stressed",
        "interferon",
        "ifn",
        "mature",
    }
)
_STAGE = frozenset({"early", "late", "mid", "middle"})
#: Where in a tissue a cell sits, when a label says it ("DZ GCB": a germinal centre B cell of the dark zone).
_PLACE = frozenset({"dark", "light", "zone", "resident", "tissue"})
#: A gene symbol or tag as labels write it: capitals and digits, two or more (MAL, PDCD1, LYVE1, GZMK, EI).
#: Words CL uses for one thing, either of which a label may write.
#: Kinds too general to answer a label of markers alone with: hematopoietic cell, leukocyte.
_TOO_GENERAL = frozenset({OBO + "CL_0000988", OBO + "CL_0000738"})
_SAME_WORD = {"precursor": "progenitor", "progenitor": "precursor", "precursors": "progenitors"}
_RUN_IN = re.compile(r"^([a-z]{2,})(\d{1,2})$")  # helper2, mono1
_JOINED = re.compile(r"^(pre|pro)([a-z]{1,})$")  # preb, prob, pret
_HUMAN_PREFIX = re.compile(r"^h(?=[A-Z])")
_TOKEN = re.compile(r"[^A-Za-z0-9]+")
_GENE = re.compile(r"^(?=.*[A-Z]{2})[A-Z][A-Z0-9]{1,9}$")
_CLUSTER = re.compile(r"^(cluster|cl|c|clust|group|leiden|louvain)?\s*\d+([._ ]\d+)*$")
_PARENTHESES = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_CLUSTER_SUFFIX = re.compile(r"( \d+)+$")
_WEAK = re.compile(r"^(\d+[a-z]?|c\d+|[ivx]{1,4}|like|subset|population|type|cell)$")
_SOFT = frozenset({"alpha", "beta", "human", "mature", "positive"})
_SIGNED_MARKER = re.compile(r"\b[a-z]*\d[a-z0-9]* (positive|negative|bright|dim)\b")
_MARKER_WORD = re.compile(r"^cd\d+[a-z]{0,3}$")
_PARALOG = re.compile(r"^[a-z]{2,6}\d+[ab]$")  # fcgr3a, cd8a: one gene of a family PR names as one protein
_MARKS = ("+", "-", "hi", "lo")
_OPPOSITE = {"+": "-", "-": "+"}
_SIGNS = {"positive": "+", "negative": "-", "bright": "hi", "dim": "lo"}


@dataclass(frozen=True)
class Annotation:
    """One distinct label and what it maps to (``cl_id`` None: abstained, the ``note`` says why)."""

    label: str
    count: int
    cl_id: str | None
    cl_label: str | None
    hemo_id: str | None
    match: str
    score: float
    note: str = ""
    predicate: str = ""  # the SKOS mapping predicate that holds: skos:exactMatch or skos:broadMatch

    def asdict(self) -> dict[str, object]:
        """A JSON-friendly dict."""
        return asdict(self)


@dataclass(frozen=True)
class Abbreviation:
    """An abbreviation of the field: what it stands for (words, or a CL term) and where that is written."""

    text: str
    expansion: str
    cl_id: str | None
    source: str


def load_abbreviations() -> dict[str, Abbreviation]:
    """The shipped abbreviation table, by normalised abbreviation."""
    table: dict[str, Abbreviation] = {}
    text = resources.files("hemokg.annotate").joinpath("abbreviations.tsv").read_text(encoding="utf-8")
    rows = csv.DictReader((line for line in text.splitlines() if not line.startswith("#")), delimiter="\t")
    for row in rows:
        expansion = row["expansion"].strip()
        cl_id = expansion if re.match(r"^CL:\d{7}$", expansion) else None
        table[normalize(row["abbreviation"])] = Abbreviation(row["abbreviation"], expansion, cl_id, row["source"])
    return table


@dataclass(frozen=True)
class _Hit:
    iri: str
    match: str
    score: float
    note: str = ""
    predicate: str = "skos:exactMatch"
    curated: bool = False


class Annotator:
    """Annotates labels against one :class:`CellKnowledge`; build once, call many times (results are cached)."""

    def __init__(self, knowledge: CellKnowledge, abbreviations: dict[str, Abbreviation] | None = None) -> None:
        self.k = knowledge
        self.abbreviations = load_abbreviations() if abbreviations is None else abbreviations
        self._marker_of: dict[str, str] = {}  # normalised protein name without spaces -> PR IRI
        for pr, names in sorted(knowledge.proteins.items()):
            for text, scope in sorted(names, key=lambda n: n[1] != "exact"):
                if scope in ("label", "exact", "related"):
                    self._marker_of.setdefault(normalize(text).replace(" ", ""), pr)
                for cd in re.findall(r"\bCD\d+[A-Z]{0,3}\b", text) if scope == "label" else ():  # 'isoform CD45RA'
                    self._marker_of.setdefault(cd.lower(), pr)
        self._exact: dict[str, list[Name]] = {}
        self._plural: dict[str, list[Name]] = {}
        self._bare: dict[str, list[Name]] = {}  # without a final "cell": "MAIT" for "MAIT cells"
        self._order: dict[str, list[Name]] = {}
        for name in knowledge.names:
            key = normalize(name.text)
            self._exact.setdefault(key, []).append(name)
            self._plural.setdefault(singular_key(key), []).append(name)
            self._bare.setdefault(singular_key(key).removesuffix(" cell"), []).append(name)
            order = order_key(key)
            if order is not None:
                self._order.setdefault(order, []).append(name)
        self._openings = {" ".join(key.split(" ")[:2]) for key in self._exact if " " in key}  # first two words
        # one-word names (pDC, HSC, MEP) expand inside longer labels: "pDC precursor"
        self._word: dict[str, str] = {}
        for key, same in self._exact.items():
            best = self._best_names(same, scopes=("label", "exact", "related"))
            word = key.removesuffix(" cell")
            if " " not in word and best is not None:
                self._word.setdefault(word, best.iri)
        # closure features: what a term is (its and its ancestors' label and exact synonyms) and its markers
        own: dict[str, set[str]] = {i: set() for i in knowledge.terms}
        own_heads: dict[str, set[str]] = {i: set() for i in knowledge.terms}
        for name in knowledge.names:
            if name.scope in ("label", "exact"):
                own[name.iri] |= self.features(name.text)
                own_heads[name.iri] |= self._heads(name.text)
        self._features: dict[str, frozenset[str]] = {}
        self._kinds: dict[str, frozenset[str]] = {}  # the head words of what a term is (its and its ancestors')
        self._postings: dict[str, set[str]] = {}
        for iri in knowledge.terms:
            feats = set(own[iri])
            heads = set(own_heads[iri])
            for up in knowledge.ancestors.get(iri, ()):
                feats |= own.get(up, set())
                heads |= own_heads.get(up, set())
            feats |= {"=" + iri} | {"=" + up for up in knowledge.ancestors.get(iri, ())}  # what it is, by IRI
            heads |= {"=" + iri} | {"=" + up for up in knowledge.ancestors.get(iri, ())}
            self._kinds[iri] = frozenset(heads)
            for level, pr in self._markers(iri):
                feats.add(level + pr)
                if level in ("hi", "lo"):  # a high or low amount is there: CD56-bright and CD56-dim are CD56+
                    feats.add("+" + pr)
            self._features[iri] = frozenset(feats)
            for f in feats:
                self._postings.setdefault(f, set()).add(iri)
        self._cache: dict[tuple[str, bool, bool, str], _Hit | str] = {}
        self._claims: dict[str, list[tuple[frozenset[str], frozenset[str], bool]]] = {}
        self._name_features: dict[str, set[str]] = {}

    # --- text -------------------------------------------------------------------------------------------------
    def _markers(self, iri: str) -> set[tuple[str, str]]:
        found = set(self.k.terms[iri].markers)
        for up in self.k.ancestors.get(iri, ()):
            found |= self.k.terms[up].markers
        return found

    def features(self, text: str) -> set[str]:
        """The features of a text: its singular words (``cell`` dropped) and its markers as ``+PR…``/``-PR…``."""
        words = [singular(w) for w in normalize(text).split(" ") if w]
        return self._word_features(words)

    def _word_features(self, words: list[str]) -> set[str]:
        out: set[str] = set()
        i = 0
        while i < len(words):
            word = words[i]
            nxt = words[i + 1] if i + 1 < len(words) else ""
            if nxt in _SIGNS and word not in _SIGNS:
                out.add(_SIGNS[nxt] + (self._protein(word) or word))
                i += 2
                continue
            if word in _SIGNS:  # a sign with nothing to attach to
                i += 1
                continue
            if word.startswith("="):  # a term named by one word (pDC) or by a curated abbreviation
                out.add(word)
                i += 1
                continue
            if _MARKER_WORD.match(word) or (any(c.isdigit() for c in word) and self._protein(word)):
                out.add("+" + (self._protein(word) or word))
            elif word != "cell":
                out.add(word)
            i += 1
        return out

    def _protein(self, word: str) -> str | None:
        """The PR term a normalised word names (``cd16``, ``ncam1``), or None. A gene symbol of one paralog of a
        family that PR names as a whole (``FCGR3A`` of ``Fcgr3``, ``CD8A`` of ``CD8``) names the family's term."""
        found = self._marker_of.get(word)
        if found is None and _PARALOG.match(word):
            found = self._marker_of.get(word[:-1])
        return found

    def _heads(self, text: str) -> set[str]:
        """The head word of a name: its last word that is no marker (``granulocyte monocyte progenitor`` ->
        ``progenitor``), and for a name that ends in a comma clause (``B cell, CD19-positive``) the word before it."""
        out: set[str] = set()
        for part in text.split(",")[:1]:
            words = [f for f in self._ordered(part) if not f.startswith(("+", "-", "hi", "lo")) and not _WEAK.match(f)]
            if words:
                out.add(words[-1])
        return out

    def _ordered(self, text: str) -> list[str]:
        words = [singular(w) for w in normalize(text).split(" ") if w]
        return [w for w in words if w not in _SIGNS and w != "cell"]

    # --- annotation -------------------------------------------------------------------------------------------
    def annotate(self, labels: Iterable[object]) -> list[Annotation]:
        """One :class:`Annotation` per distinct label, in order of first appearance, with its count."""
        counts: Counter[str] = Counter()
        for label in labels:
            counts[_as_text(label)] += 1
        return [self.one(label, count) for label, count in counts.items()]

    def one(self, label: str, count: int = 1) -> Annotation:
        """The annotation of one label."""
        hit = self._cached(label, normalize(label))
        if isinstance(hit, str):
            return Annotation(label, count, None, None, None, "none", 0.0, hit)
        term = self.k.terms[hit.iri]
        return Annotation(
            label,
            count,
            iri_to_curie(hit.iri),
            term.label,
            iri_to_curie(self.k.hemo_of[hit.iri]) if hit.iri in self.k.hemo_of else None,
            hit.match,
            round(hit.score, 3),
            hit.note,
            hit.predicate,
        )

    def _cached(self, label: str, key: str) -> _Hit | str:
        """:meth:`_resolve`, remembered by normalised text (and by what of the raw text it reads: slashes and
        brackets), so "CD8 TEM_1" … "CD8 TEM_30" cost one resolution."""
        genes = "" if label.islower() or label.isupper() else ",".join(t for t in _TOKEN.split(label) if _GENE.match(t))
        memo = (key, "/" in label, "(" in label or "[" in label, genes)  # gene symbols are read in capitals
        hit = self._cache.get(memo)
        if hit is None:
            if len(self._cache) >= 200_000:  # bounded: a file may hold any number of distinct texts
                self._cache.clear()
            hit = self._cache[memo] = self._resolve(label, key)
        return hit

    def is_curated(self, annotation: Annotation) -> bool:
        """Whether an annotation came from the curated abbreviation table (manual curation, not lexical)."""
        return annotation.match == "abbreviation"

    def _written_out(self, key: str) -> str:
        """The normalised text with every abbreviation that stands for words written out (two-word ones first)."""
        words = key.split(" ")
        out: list[str] = []
        i = 0
        while i < len(words):
            pair = " ".join(words[i : i + 2]) if i + 1 < len(words) else ""
            abbr, step = (self.abbreviations.get(pair), 2) if pair in self.abbreviations else (None, 1)
            if abbr is None:
                abbr = self.abbreviations.get(words[i])
            out.append(normalize(abbr.expansion) if abbr is not None and abbr.cl_id is None else words[i])
            i += step
        return " ".join(out)

    def _resolve(self, label: str, key: str, *, expand: bool = True, others: bool = True) -> _Hit | str:
        if not key:
            return "empty label"
        if _CLUSTER.match(key):
            return "a cluster number, not a cell type"
        stripped = _CLUSTER_SUFFIX.sub("", key)  # "CD8 TEM_1", "B_cells_1": a cluster number after the name
        if stripped != key and re.search(r"[a-z]", stripped):
            return self._cached(label, stripped)
        words = key.split(" ")
        bad = [w for w in words if _NOT_A_CELL.match(w)]
        if bad or _NOT_A_CELL.match("".join(w for w in words if singular(w) != "cell")):
            return f"not a cell type ({(bad or [key])[0]!r}: a quality-control or placeholder label)"
        if all(singular(w) in _VAGUE or w == "cell" or _WEAK.match(w) for w in words):
            return f"not a cell type ({key!r} names none)"
        hit = self._by_name(key, orders="/" not in label)
        abbr = self.abbreviations.get(key) or self.abbreviations.get(singular_key(key))
        curated = curie_to_iri(abbr.cl_id) if abbr is not None and abbr.cl_id is not None else None
        if hit is not None and hit.match != "exact label" and _SIGNED_MARKER.search(key):
            # a synonym that is a marker profile ("CD16+ monocyte", CL's synonym of the CD14+CD16+ monocyte) holds
            # only if CL's definitions agree: where other terms carry those markers as well, no guess
            check = self._compose(key)
            if isinstance(check, str) and check.startswith("ambiguous"):
                return check
            if isinstance(check, _Hit) and check.iri in self.k.ancestors.get(hit.iri, ()) and "kind of" in check.note:
                return check  # the kind that CL's definitions leave, not the one the synonym picks
        if hit is not None and (curated is None or hit.iri == curated or hit.match == "exact label"):
            return hit
        if abbr is not None and curated in self.k.terms:
            # a curated abbreviation, with its source, before a synonym of CL that names another term: CL's
            # "DC2" (a plasmacytoid dendritic cell, in an older use) is not the DC2 of single-cell atlases
            note = f"{abbr.text} = {abbr.cl_id} ({abbr.source})"
            if hit is not None:
                note += f"; not CL's {hit.note or hit.match}"
            return _Hit(curated, "abbreviation", 0.9, note, curated=True)
        if hit is not None:
            return hit
        if "/" in label or " or " in key:
            union = self._union(label)
            if union is not None:
                return union  # an answer, or why a label naming several cell types gets none
        found = self._compose(key)
        inner = _PARENTHESES.sub(" ", label).strip()
        if isinstance(found, str) and inner != label.strip() and inner:  # "T(agonist)", "TN (resting)"
            again = self._cached(inner, normalize(inner))
            if not isinstance(again, str):
                dropped = ", ".join(_PARENTHESES.findall(label))
                note = f"read without {dropped}" + (f"; {again.note}" if again.note else "")
                return _Hit(again.iri, again.match, again.score * 0.9, note, "skos:broadMatch", again.curated)
        if isinstance(found, str) and expand:  # abbreviations written out, read again whole: "PB", "DZ GCB"
            written = self._written_out(key)
            if written != key:
                again = self._resolve(label, written, expand=False, others=others)
                if not isinstance(again, str):
                    if again.match in _NAME_MATCHES:  # a name once the abbreviations are written out
                        note = f"read as {written!r}" + (f"; {again.note}" if again.note else "")
                        return _Hit(again.iri, "abbreviation", again.score * 0.95, note, again.predicate, True)
                    return again
        if isinstance(found, str):
            readings = (self._without_qualifiers, self._without_genes, self._other_words, self._broad_name)
            for reading in (*readings, self._without_modifier):
                if reading == self._other_words and not others:
                    continue
                hit = reading(label, key)
                if hit is not None:
                    return hit
        return found

    def _without_modifier(self, label: str, key: str) -> _Hit | None:
        """One word the knowledge does not have before a name of a cell type ("Erythrophagocytic macrophages",
        "Atypical memory B cells"): that cell type, as a broad match (the word narrows it, it cannot widen it)."""
        words = key.split(" ")
        first = words[0]
        if len(words) < 2 or not first.isalnum() or sum(c.isalpha() for c in first) < 5 or first in self._postings:
            return None
        if first in self.abbreviations or singular(first) in self._word or _NOT_A_CELL.match(first):
            return None
        if self._protein(first) is not None or _MARKER_WORD.match(first):  # a marker: its reading stands
            return None
        rest = " ".join(words[1:])
        hit = self._by_name(rest)
        if hit is None:
            return None
        note = f"read without {words[0]!r} (a word CL does not use)" + (f"; {hit.note}" if hit.note else "")
        return _Hit(hit.iri, hit.match, hit.score * 0.8, note, "skos:broadMatch")

    def _other_words(self, label: str, key: str) -> _Hit | None:
        """The label in CL's other words for the same thing: "precursor" for "progenitor" and the reverse ("DC
        precursor", "Megakaryocyte precursor"); a word run into its number ("T Helper2", "Mono1") or a prefix run
        into a name ("PreB cell", "ProB") split; a leading h for human dropped ("hMono2")."""
        words = key.split(" ")
        if _HUMAN_PREFIX.match(label) and len(words[0]) > 2:  # "hMono2", "hTreg": human, in a two-species atlas
            words = [words[0][1:], *words[1:]]
        swapped = [_SAME_WORD.get(w, w) for w in words]
        swapped = [" ".join(m.groups()) if (m := _RUN_IN.match(w)) and self._knows(m.group(1)) else w for w in swapped]
        swapped = [" ".join(m.groups()) if (m := _JOINED.match(w)) and self._knows(m.group(2)) else w for w in swapped]
        if swapped == key.split(" "):
            return None
        text = " ".join(swapped)
        again = self._resolve(label, text, others=False)
        if again is None or isinstance(again, str):
            return None
        note = f"read as {text!r}" + (f"; {again.note}" if again.note else "")
        return _Hit(again.iri, again.match, again.score * 0.9, note, again.predicate, again.curated)

    def _knows(self, word: str) -> bool:
        """Whether a normalised word is a word of CL's or hemo's names, or an abbreviation of the table."""
        return word in self._postings or word in self.abbreviations or singular(word) in self._word

    def _broad_name(self, label: str, key: str) -> _Hit | None:
        """A label that is a broad synonym of one CL term and nothing else ("lymphoid progenitor cell"): that term,
        noted (CL gives the name as broader than the term, yet no other term has it)."""
        for lookup in (self._exact.get(key), self._bare.get(singular_key(key).removesuffix(" cell"))):
            broad = {n.iri: n for n in lookup or [] if n.scope == "broad"}
            if lookup and len(broad) == 1 and len({n.iri for n in lookup}) == 1:
                name = next(iter(broad.values()))
                return _Hit(name.iri, "broad synonym", 0.6, f"broad name {name.text!r} of {name.source}")
        return None

    def _without_qualifiers(self, label: str, key: str) -> _Hit | None:
        """A label that names a cell type and its state or stage ("B intermediate", "Activated T cells", "Cycling
        NK", "B naive kappa", "Late Eryth"): the cell type, as a broad match. An early stage of a kind that CL has
        one progenitor of ("Early MK", "Early Eryth") is that progenitor."""
        words = key.split(" ")
        # a qualifier that begins a name of CL ("early lymphoid progenitor", "mature NK T cell") is no qualifier
        said = [
            w
            for i, w in enumerate(words)
            if (singular(w) in _STATE or w in _STAGE or w in _PLACE)
            and " ".join(words[i : i + 2]) not in self._openings
        ]
        rest = " ".join(w for w in words if w not in said)
        if not said or not rest or rest == key:
            return None
        again = self._cached(rest, rest)
        if isinstance(again, str):
            return None
        if "early" in said and " " not in rest:
            for word in ("progenitor", "precursor"):
                progenitor = self._cached(f"{rest} {word}", f"{rest} {word}")
                if not isinstance(progenitor, str) and progenitor.iri != again.iri:
                    note = f"early {rest!r} read as its progenitor" + (
                        f"; {progenitor.note}" if progenitor.note else ""
                    )
                    return _Hit(progenitor.iri, progenitor.match, progenitor.score * 0.8, note, "skos:broadMatch")
        note = f"read without {', '.join(repr(w) for w in said)} (a state or stage)"
        note += f"; {again.note}" if again.note else ""
        return _Hit(again.iri, again.match, again.score * 0.85, note, "skos:broadMatch", again.curated)

    def _without_genes(self, label: str, key: str) -> _Hit | None:
        """A label with marker genes the knowledge does not resolve, written as gene symbols ("CD8.c01.Tn.MAL",
        "GZMK cytotoxic CD4 T cell", "Cycling LYVE1 macrophage"): the rest, as a broad match, the genes noted."""
        if label.isupper() or label.islower():  # capitals tell a gene symbol only among other letters
            return None
        genes = {t.lower() for t in _TOKEN.split(label) if _GENE.match(t)}
        genes = {
            g
            for g in genes
            if g not in self.abbreviations
            and g not in self._word
            and not _MARKER_WORD.match(g)
            and (self._protein(g) is None or not any(c.isdigit() for c in g))  # MAL, HLA: not read as markers
        }
        words = key.split(" ")
        rest = " ".join(w for w in words if w not in genes)
        if not genes or not rest or rest == key or not re.search(r"[a-z]{2}", rest):
            return None
        again = self._cached(rest, rest)
        if isinstance(again, str):
            return None
        note = f"read without the genes {', '.join(sorted(g.upper() for g in genes))}"
        note += f"; {again.note}" if again.note else ""
        return _Hit(again.iri, again.match, again.score * 0.85, note, "skos:broadMatch", again.curated)

    def _by_name(self, key: str, *, orders: bool = True) -> _Hit | None:
        bare = singular_key(key).removesuffix(" cell")
        for table, lookup, how in (
            (self._exact, key, ""),
            (self._plural, singular_key(key), "plural/spelling"),
            (self._plural, _joined_prefix(singular_key(key)), "plural/spelling"),  # "Pro-erythroblast"
            (self._bare, bare, "plural/spelling"),  # "MAIT cells" for CL's "MAIT", "B" for "B cell"
            (self._order, order_key(key) if " " in key and orders else None, "word order"),
            (self._bare, f"{bare} lineage" if " " not in bare else None, "plural/spelling"),  # "Erythroid"
        ):
            if lookup is None:
                continue
            names = table.get(lookup)
            best = self._best_names(names or [], scopes=("label", "exact", "related", "narrow"))
            if best is not None:
                match = how or _SCOPE_MATCH[best.scope]
                score = _SCOPE_SCORE[best.scope] * (1.0 if not how else 0.95)
                predicate = "skos:broadMatch" if best.scope == "narrow" else "skos:exactMatch"
                note = f"{best.scope} name {best.text!r} of {best.source}" if how or best.scope != "label" else ""
                return _Hit(best.iri, match, score, note, predicate)
        return None

    def _best_names(self, names: list[Name], *, scopes: tuple[str, ...]) -> Name | None:
        """The name that decides: the best scope present, only if it names one term (else ambiguous: None)."""
        for scope in scopes:
            found = [n for n in names if n.scope == scope]
            targets = {n.iri for n in found}
            if len(targets) == 1:
                return sorted(found, key=lambda n: n.source != "hemo")[0]
            if len(targets) > 1:
                # one term an ancestor of all the others: the names agree up to specificity, take the general one
                general = [t for t in targets if all(t in self.k.ancestors.get(o, ()) for o in targets - {t})]
                if general:
                    return next(n for n in found if n.iri == general[0])
                return None
        return None

    def _union(self, label: str) -> _Hit | str | None:
        """``Myeloid/Mono``, ``T/NK``: each part a cell type. The answer is the part that includes the others, else
        none (a reason); None when the parts are not all cell types (``CD4+/CD25+``: markers of one cell)."""
        parts = [p.strip() for p in re.split(r"/|\bor\b", label) if p.strip()]
        if len(parts) < 2:
            return None
        hits = self._parts(parts)
        if hits is None:
            # the words the parts share written once: "Tcm/Naive cytotoxic T cells", "B_pro/pre", "G/M prog"
            words = [re.split(r"[\s_]+", p) for p in parts]
            if any(_SIGNED_MARKER.search(normalize(p)) for p in parts[:-1]):  # "CD4+/CD45RA+/CD25- Naive T"
                return None
            if all(len(w) == 1 for w in words[:-1]) and len(words[-1]) > 1:
                tail = " ".join(words[-1][1:])
                shared = [f"{w[0]} {tail}" for w in words[:-1]] + [parts[-1]]
                if all(len(w[0]) <= 2 for w in words):
                    return self._initials([w[0] for w in words], tail)
            elif all(len(w) == 1 for w in words[1:]) and len(words[0]) > 1:
                head = " ".join(words[0][:-1])
                shared = [parts[0].replace("_", " ")] + [f"{head} {w[0]}" for w in words[1:]]
            else:
                return None
            hits = self._parts(shared)
            if hits is None:
                return None
            said = tail if all(len(w) == 1 for w in words[:-1]) else head
        else:
            said = ""
        iris = {h.iri for h in hits}
        if len(iris) == 1:
            only = hits[0]
            return _Hit(only.iri, only.match, only.score * 0.95, only.note, only.predicate, only.curated)
        # a term CL labels as another's with a qualifying clause or words put in is a kind of it, stated or not
        named = {i: (self.k.terms[i].label or "") for i in iris}
        within = {i for i in iris if any(o != i and _narrows(named[i], named[o]) for o in iris)}
        if within and len(iris - within) == 1:
            (outer,) = iris - within
            names = " and ".join(sorted(named.values()))
            return _Hit(outer, "union (common ancestor)", 0.7, f"the more general of {names} (by CL's labels)")
        common = set.intersection(*({i} | set(self.k.ancestors.get(i, ())) for i in iris))
        nearest = [c for c in common if not any(c in self.k.ancestors.get(o, ()) for o in common - {c})]
        # a common ancestor says less than each part: answer only when it is one of the parts ("B cells/plasma
        # B cells"); "Megakaryocytes/platelets" gets no ID rather than "myeloid cell"
        names = " and ".join(sorted(self.k.terms[i].label or i for i in iris))
        if len(nearest) == 1 and nearest[0] not in iris and said and nearest[0] not in _TOO_GENERAL:
            # the parts share words ("Tcm/Naive cytotoxic T cells"): the nearest kind of them all that says them
            shared_words = self._expand(self._written_out(normalize(said)).split(" "))[0]
            if {f for f in shared_words if not _WEAK.match(f)} <= self._features[nearest[0]]:
                return _Hit(nearest[0], "union (common ancestor)", 0.65, f"the kind {names} share", "skos:broadMatch")
        if len(nearest) != 1 or nearest[0] not in iris:
            return f"names two cell types ({names}) and neither includes the other"
        return _Hit(nearest[0], "union (common ancestor)", 0.7, f"the more general of {names}")

    def _parts(self, parts: list[str]) -> list[_Hit] | None:
        """Each part of a label resolved, or None when one is no cell type (``CD4+/CD25+``: markers of one cell)."""
        hits = []
        for part in parts:
            hit = self._cached(part, normalize(part))
            if isinstance(hit, str) or not self._features_say_cell(normalize(part)):
                return None
            hits.append(hit)
        return hits

    def _initials(self, letters: list[str], tail: str) -> _Hit | str | None:
        """``G/M prog``, ``MK/E prog``: the one term with a name whose first words begin with the parts (an
        abbreviation written out first: MK megakaryocyte) and that says the rest (progenitor)."""
        starts = []
        for letter in letters:
            abbr = self.abbreviations.get(normalize(letter))
            starts.append(
                normalize(abbr.expansion).split(" ")[0]
                if abbr is not None and abbr.cl_id is None
                else normalize(letter)
            )
        rest = {singular(w) for w in self._written_out(normalize(tail)).split(" ") if w and w != "cell"}
        found: list[Name] = []
        for key, names in self._exact.items():
            words = [singular(w) for w in key.split(" ")]
            if not rest <= set(words):
                continue
            if len(words) > len(starts) and all(words[j].startswith(start) for j, start in enumerate(starts)):
                found += names
        best = self._best_names(found, scopes=("label", "exact", "related"))
        if best is None:
            return None
        note = f"{'/'.join(letters)} read as the initials of {best.text!r} ({best.scope} name of {best.source})"
        return _Hit(best.iri, "initials", 0.75, note)

    def _features_say_cell(self, key: str) -> bool:
        """Whether a part of a label names a cell type by itself (not only markers)."""
        return any(not f.startswith(("+", "-", "hi", "lo")) for f in self._expand(key.split(" "))[0])

    def _expand(self, words: list[str]) -> tuple[set[str], set[str]]:
        """Features of a label's words, abbreviations expanded (two-word ones first); the words expansions bring
        are never weak (the 1 of "T-helper 1 cell" for Th1) and come back second."""
        protected: set[str] = set()
        out: list[str] = []
        i = 0
        while i < len(words):
            pair = " ".join(words[i : i + 2]) if i + 1 < len(words) else None
            abbr = self.abbreviations.get(pair) if pair else None
            step = 2
            if abbr is None:
                abbr, step = self.abbreviations.get(words[i]) or self.abbreviations.get(singular(words[i])), 1
            if abbr is not None:
                expansion = self._abbr_words(abbr)
                out += expansion
                protected.update(expansion)
            elif singular(words[i]) in self._word and not _MARKER_WORD.match(words[i]):
                label = self.k.terms[self._word[singular(words[i])]].label or ""
                expansion = [singular(w) for w in normalize(label).split(" ") if w]
                out += expansion
                protected.update(expansion)
            else:
                out.append(singular(words[i]))
            i += step
        return self._word_features(out), protected

    def _abbr_words(self, abbr: Abbreviation) -> list[str]:
        if abbr.cl_id is not None:
            iri = curie_to_iri(abbr.cl_id) or ""
            return ["=" + iri] if iri in self.k.terms else []
        else:
            text = abbr.expansion
        return [singular(w) for w in normalize(text).split(" ") if w]

    def _compose(self, key: str) -> _Hit | str:
        wanted, protected = self._expand(key.split(" "))
        strong = {f for f in wanted if (f in protected or not _WEAK.match(f)) and f not in _VAGUE}
        if not strong:
            return "no cell-type word in the label"
        found = self._select(strong, heads=True, signed=bool(_SIGNED_MARKER.search(key)))
        if isinstance(found, str):
            # "CD4 Naive", "CD8+ central": the cell is implied by the marker, not said; answer only a term that
            # explains every part of the label, and only one
            if any(f.startswith(_MARKS) for f in strong) and any(not f.startswith(_MARKS) for f in strong):
                again = self._select(strong, heads=False)
                if not isinstance(again, str) and not again.note:
                    return again
        return found

    def _select(self, strong: set[str], *, heads: bool, signed: bool = False) -> _Hit | str:
        only_markers = not heads or not any(not f.startswith(("+", "-", "hi", "lo")) for f in strong)
        every: Counter[str] = Counter()  # per term, how many of the label's features it has (from the postings)
        candidates: set[str] = set()
        for f in strong:  # a term must name a kind the label says: only the postings of its words can hold it
            posting = self._postings.get(f)
            if posting:
                every.update(posting)
                if only_markers or not f.startswith(_MARKS):
                    candidates |= posting
        opposite = {_OPPOSITE[f[0]] + f[1:] for f in strong if f[0] in _OPPOSITE}
        excluded: set[str] = set()  # terms with a marker the label says they lack, or the reverse
        for f in opposite:
            excluded |= self._postings.get(f, set())
        counts: Counter[str] = Counter()
        for iri in candidates - excluded:
            if only_markers or not self._kinds[iri].isdisjoint(strong):
                counts[iri] = every[iri]
        if not counts:
            return "no hematopoietic cell type matches (a cell outside the hematopoietic branch of CL?)"
        best = max(counts.values())
        top = {i for i, c in counts.items() if c == best}
        # never more specific than the label: a term whose every name says more than the label (CD16-positive,
        # CD56-dim NK cell or decidual NK cell for "CD56+ NK") gives way to its nearest ancestor that says no more
        # (a label of two or more markers, all of them the term's, is a definition: "CD4+/CD25+" names CL's
        # CD4-positive, CD25-positive, alpha-beta regulatory T cell although it does not say "regulatory")
        profile = sum(1 for f in strong if f.startswith(_MARKS)) >= 2
        plain = {t for t in top if self._says_no_more(t, strong, profile=profile)}
        if not plain:
            general_top = {t for t in top if not (self.k.ancestors.get(t, frozenset()) & top)}
            marks = {f for f in strong if f.startswith(_MARKS)}
            if marks:
                # the one class of its kind CL names by the label's markers and one marker more ("CD16+ NK cells":
                # CL's CD16-positive, CD56-dim natural killer cell, the only one so named)
                more = {t: m for t in general_top if (m := self._one_marker_more(t, strong)) is not None}
                if len(more) == 1:
                    only, extra = more.popitem()
                    note = f"the one such class in CL; its name also states {extra}"
                    return _Hit(only, "marker expression", 0.75, note)
            lifted = {up for up in (self._lift(t, strong) for t in top) if up is not None}
            if len(lifted) > 1 and len(top) > 1:  # the nearest ancestor they share, if it says no more than the label
                shared = set.intersection(*(set(self.k.ancestors.get(t, ())) for t in top))
                nearest = [c for c in shared if not any(c in self.k.ancestors.get(o, ()) for o in shared - {c})]
                if len(nearest) == 1 and self._says_no_more(nearest[0], strong):
                    lifted = {nearest[0]}
            if len(lifted) == 1:
                up = lifted.pop()
                if strong <= self._features[up]:
                    return _Hit(up, "marker expression", 0.7, "", "skos:exactMatch")
                words = strong - marks
                opposite = {_OPPOSITE[f[0]] + f[1:] for f in marks if f[0] in _OPPOSITE}
                if words and words <= self._features[up] and not opposite & self._features[up] and len(top) > 1:
                    # several subsets of a kind carry the marker, the kind itself does not state it ("CD56+ NK":
                    # the CD56-bright, CD56-dim, decidual … NK cells): the kind, the label being narrower or equal
                    unstated = ", ".join(sorted(_show(f) for f in marks - self._features[up]))
                    note = f"not stated by CL for it: {unstated}"
                    return _Hit(up, "marker expression", 0.65, note, "skos:broadMatch")
            return "every cell type that fits says more than the label (markers or kinds it does not name)"
        others = {t for t in top - plain if not (self.k.ancestors.get(t, frozenset()) & plain)}
        if others and not any(self._says_no_more(t, strong, profile=profile, labels_only=True) for t in plain):
            # only a synonym says the label, and terms it does not include fit as well ("CD16+ monocyte", CL's
            # synonym of the CD14+CD16+ monocyte, and the CD14-low, CD16+ one): the names conflict, no guess
            names = ", ".join(sorted(self.k.terms[t].label or t for t in plain | others)[:4])
            fits = plain | others
            shared = set.intersection(*(set(self.k.ancestors.get(t, ())) for t in fits))
            nearest = [c for c in shared if not any(c in self.k.ancestors.get(o, ()) for o in shared - {c})]
            if signed and len(nearest) == 1 and not self._says_no_more(nearest[0], strong):
                kind = self._lift(nearest[0], strong)
                nearest = [kind] if kind is not None else []
            if signed and len(nearest) == 1 and nearest[0] not in _TOO_GENERAL:
                # a marker the label states with its sign ("CD16+ Mono"), which several of a kind carry: the kind,
                # as for "CD56+ NK" (a name without the sign, "CD16 Mono", stays unanswered)
                note = f"the kind of {names}, which all carry the label's markers"
                return _Hit(nearest[0], "marker expression", 0.6, note, "skos:broadMatch")
            return f"ambiguous: a synonym names one, but the label fits {names}"
        top = plain
        # what the label's words and markers the answer explains, read off the candidate that explains the most
        # markers (all explain as many features), in a fixed order: the answer never depends on set order
        rep = max(sorted(top), key=lambda t: sum(1 for f in strong & self._features[t] if f.startswith(_MARKS)))
        explained = strong & self._features[rep]
        words = {f for f in explained if not f.startswith(("+", "-", "hi", "lo"))}
        said = {f for f in strong if not f.startswith(("+", "-", "hi", "lo"))}
        if said and not words:
            return "no hematopoietic cell type matches the cell-type words of the label"
        if said - words:  # every word of the label must be understood; only a marker may go unexplained
            missing = ", ".join(sorted(said - words))
            return f"not every word of the label is understood (not matched: {missing})"
        resolved = {f for f in strong - explained if f.startswith(("+", "-", "hi", "lo")) and "/PR_" in f}
        if resolved and (not words or any(f.startswith(_MARKS) for f in explained)):
            # the label names a CL marker the answer does not state: only a kind named by the words alone may be
            # the answer, the markers unstated ("T_CD8_MAIT"); one chosen for some markers may contradict the rest
            missing = ", ".join(sorted(_show(f) for f in resolved))
            return f"no hematopoietic cell type has every marker of the label (not matched: {missing})"
        unread = {f for f in strong - explained if f.startswith(_MARKS) and "/PR_" not in f}  # no marker CL knows
        if best * 2 < len(strong - unread) or not best:
            missing = ", ".join(sorted(_show(f) for f in strong - explained))
            return f"too little of the label is understood (not matched: {missing})"
        general = sorted(t for t in top if not (self.k.ancestors.get(t, frozenset()) & top))
        if len(general) > 1:  # incomparable answers: prefer the one with a name closest to the label, else abstain
            fit = {t: self._fit(t, strong) for t in general}
            most = max(fit.values())
            general = [t for t in general if fit[t] == most]
            said = {f for f in strong if not f.startswith(_MARKS)}
            if len(general) > 1 and not said:  # markers only ("CD34+"): the nearest kind all of them are
                shared = set.intersection(*(set(self.k.ancestors.get(t, ())) for t in general))
                nearest = [c for c in shared if not any(c in self.k.ancestors.get(o, ()) for o in shared - {c})]
                if len(nearest) == 1 and nearest[0] not in _TOO_GENERAL:
                    names = ", ".join(sorted(self.k.terms[t].label or t for t in general)[:3])
                    note = f"the nearest kind of {names}, …: CL states the markers for each of them"
                    return _Hit(nearest[0], "marker expression", 0.55, note, "skos:broadMatch")
            if len(general) > 1:
                names = ", ".join(self.k.terms[t].label or t for t in general[:4])
                return f"ambiguous: the label fits {names} equally"
            # a marker profile stated whole by one name is that name's class ("CD4+/CD25+"); else no name of it
            # says what the label says: do not guess
            if (most[0] < len(said) or most[1] < -1.5) and not (profile and not said and most[0] == len(strong)):
                return f"no name of {self.k.terms[general[0]].label!r} says what the label says"
        iri = general[0]
        unexplained = sorted(_show(f) for f in strong - explained)
        markers = any(f.startswith(("+", "-", "hi", "lo")) for f in explained)
        match = "marker expression" if markers else "words"
        score = 0.85 * best / len(strong)
        note = f"not matched: {', '.join(unexplained)}" if unexplained else ""
        predicate = "skos:broadMatch" if unexplained else "skos:exactMatch"
        return _Hit(iri, match, score, note, predicate)

    def _says_no_more(self, iri: str, wanted: set[str], *, profile: bool = False, labels_only: bool = False) -> bool:
        """Whether one of the term's names says no more than the label: no marker the label does not name, and a
        word more ("thymus-derived") only where that name itself states every marker of the label (so CL's
        decidual NK cell, CD56+ by its logical definition alone, is not "CD56+ NK")."""
        markers = {f for f in wanted if f.startswith(_MARKS)}
        negatives = set() if markers else self._negatives.get(iri, frozenset()) - wanted
        for marks, words, is_label in self._claim_sets(iri):
            # "CD7-negative lymphoid progenitor" is more than "Lymph prog"
            if (labels_only and not is_label) or not marks <= wanted or negatives:
                continue
            extra = words - wanted
            if extra and markers and markers <= marks:  # what its ancestors are called goes without saying
                extra -= self._ancestor_heads(iri)
            if not extra or (profile and marks) or (markers and markers <= marks and len(extra) <= 2):
                return True
        return False

    def _one_marker_more(self, iri: str, wanted: set[str]) -> str | None:
        """The one marker a label or exact name of the term states beyond the label's, when that name states every
        marker of the label (a high or low amount counts as present) and every word of it and no other (soft words
        aside), else None."""
        markers = {f for f in wanted if f.startswith(_MARKS)}
        words = wanted - markers
        for name in self._names_of(iri):
            if name.scope not in ("label", "exact"):
                continue
            feats = {f for f in self.features(name.text) if f not in _SOFT}
            marks = {f for f in feats if f.startswith(_MARKS)}
            present = marks | {"+" + f[2:] for f in marks if f.startswith(("hi", "lo"))}
            said = feats - marks
            extra = marks - markers
            if markers <= present and len(extra) <= 1 and said <= words <= said | self._ancestor_heads(iri):
                return ", ".join(sorted(_show(f) for f in extra)) or "no more"
        return None

    def _ancestor_heads(self, iri: str) -> frozenset[str]:
        """The head words of the names of a term's ancestors ("t" for every kind of T cell)."""
        heads: set[str] = set()
        for parent in self.k.terms[iri].parents:
            heads |= self._kinds.get(parent, frozenset())
        return frozenset(heads)

    def _claim_sets(self, iri: str) -> list[tuple[frozenset[str], frozenset[str], bool]]:
        """Per label or exact name of a term, the markers and the words it states (soft words and the markers a
        cell lacks left out: "CD16-negative" claims less than a marker it has; a name's numbers are claims)."""
        claims = self._claims.get(iri)
        if claims is None:
            claims = []
            for name in self._names_of(iri):
                if name.scope in ("label", "exact"):
                    feats = {f for f in self.features(name.text) if f not in _SOFT and f[0] != "-"}
                    marks = frozenset(f for f in feats if f.startswith(_MARKS))
                    claims.append((marks, frozenset(feats - marks), name.scope == "label"))
            self._claims[iri] = claims
        return claims

    @property
    def _negatives(self) -> dict[str, frozenset[str]]:
        """Per term, the negative markers its names state (``CD16-negative``)."""
        if not hasattr(self, "_negatives_cache"):
            found: dict[str, set[str]] = {}
            for name in self.k.names:
                if name.scope in ("label", "exact"):
                    neg = {f for f in self.features(name.text) if f.startswith("-")}
                    if neg:
                        found.setdefault(name.iri, set()).update(neg)
            self._negatives_cache = {i: frozenset(n) for i, n in found.items()}
        return self._negatives_cache

    def _lift(self, iri: str, wanted: set[str]) -> str | None:
        """The nearest ancestor (breadth first) with a name that says nothing beyond the label."""
        frontier = sorted(self.k.terms[iri].parents)
        seen: set[str] = set()
        while frontier:
            fits = [p for p in frontier if self._says_no_more(p, wanted)]
            if fits:
                return fits[0] if len(fits) == 1 else None
            seen |= set(frontier)
            frontier = sorted({g for p in frontier for g in self.k.terms[p].parents} - seen)
        return None

    def _fit(self, iri: str, wanted: set[str]) -> tuple[int, float]:
        """How close a term's best name is to the label: words explained, then (negated) words it adds."""
        best = (0, -99.0)
        for name in self._names_of(iri):
            if name.scope not in ("label", "exact"):
                continue
            feats = self._name_features.get(name.text)
            if feats is None:
                feats = self._name_features[name.text] = self.features(name.text)
            extra = sum(0.15 if f in _SOFT else 1.0 for f in feats - wanted)
            best = max(best, (len(feats & wanted), -extra))
        return best

    def _names_of(self, iri: str) -> list[Name]:
        if not hasattr(self, "_by_iri"):
            self._by_iri: dict[str, list[Name]] = {}
            for name in self.k.names:
                self._by_iri.setdefault(name.iri, []).append(name)
        return self._by_iri.get(iri, [])


_PREFIX = re.compile(r"\b(pro|pre|meta|promyelo|myelo|mega|poly|mono|proto) (?=[a-z]{4,})")


_NEGATING = frozenset({"non", "un", "not", "negative", "lacking", "without", "no"})


def _narrows(label: str, other: str) -> bool:
    """Whether a CL label is another's with a qualifying clause or with words put in, none of them negating
    ("effector memory CD8-positive, alpha-beta T cell, terminally differentiated" of "effector memory CD8-positive,
    alpha-beta T cell"; "effector memory CD4-positive …" of "effector CD4-positive …"; not "non-classical monocyte"
    of "classical monocyte")."""
    if label.startswith(other + ", "):
        return True
    words, base = normalize(label).split(" "), normalize(other).split(" ")
    if len(words) <= len(base):
        return False
    rest = iter(words)
    if not all(any(w == b for w in rest) for b in base):  # base is a subsequence of the label
        return False
    extra = list(words)
    for b in base:
        extra.remove(b)
    return not any(w in _NEGATING for w in extra)


def _joined_prefix(key: str) -> str | None:
    """The text with a detached prefix joined to its word (``pro erythroblast`` -> ``proerythroblast``), or None."""
    joined = normalize(_PREFIX.sub(r"\1", key))
    return joined if joined != key else None


def _show(feature: str) -> str:
    """A feature as a reader writes it: ``+PR:000001024`` for a marker."""
    for sign in ("hi", "lo", "+", "-"):
        if feature.startswith(sign):
            iri = feature[len(sign) :]
            return sign + (iri_to_curie(iri) or iri.removeprefix(OBO).replace("_", ":", 1))
    return feature


def _as_text(label: object) -> str:
    """A label as text: None, NaN and the like become the empty string."""
    if label is None:
        return ""
    if isinstance(label, float) and label != label:  # NaN
        return ""
    return str(label).strip()
