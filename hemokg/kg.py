"""The knowledge graph a user holds: stored queries, SPARQL, lookup and lineage over one backend.

``hemokg.load()`` builds one over the embedded store, ``hemokg.connect()`` over a remote endpoint; every method
works the same on both because each is built on the backend's one ``execute`` call.
"""

from __future__ import annotations

from _thread import allocate_lock  # threading.Lock itself, without importing threading (~1 ms cold)
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from pyoxigraph import Literal, NamedNode

from hemokg._hints import TYPE_CHECKING, Any, overload
from hemokg.errors import ParameterError, SPARQLSyntaxError, TermNotFoundError
from hemokg.lookup import LabelIndex, Term, as_iri
from hemokg.sparql.queries import Catalog, StoredQuery, catalog, unknown_keyword
from hemokg.sparql.results import RDFTerm, Results, bound_value
from hemokg.vocab import HEMO, SYNONYM_SCOPES, XSD, iri_to_curie

if TYPE_CHECKING:
    from hemokg.annotate import Annotation, Annotator
    from hemokg.backends import Backend
    from hemokg.lineage import Lineage, Source, StepTable

__all__ = ["KnowledgeGraph", "connect", "default_annotator", "load"]

_MAPPING_ORDER = ("skos:exactMatch", "skos:closeMatch", "skos:narrowMatch", "skos:broadMatch", "oboInOwl:hasDbXref")
_SCOPES = tuple(SYNONYM_SCOPES)


class KnowledgeGraph:
    """Stored queries, SPARQL, lookup and lineage over one backend. Safe to share between threads."""

    def __init__(self, backend: Backend, *, queries: Catalog | None = None, description: str = "") -> None:
        self.backend = backend
        self.catalog = queries or catalog()
        self.description = description or backend.name
        self._index: LabelIndex | None = None
        self._names: dict[str, tuple[str, str]] = {}  # text -> (IRI, how matched): the graph never changes
        self._annotator: Annotator | None = None
        self._content_key: tuple[object, ...] | None = None  # set by load() for the shipped graph: shared caches
        self._steps: tuple[tuple[int, int], StepTable] | None = None  # the lineage step table, by store and generation
        self._lock = allocate_lock()

    def __repr__(self) -> str:
        return f"<KnowledgeGraph {self.description}>"

    # --- queries ---------------------------------------------------------------------------------------------
    def sparql(self, text: str, bindings: Mapping[str, RDFTerm | str] | None = None) -> Results:
        """Run a read-only SPARQL query; ``bindings`` maps variable names to terms (strings become literals)."""
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:  # undecodable bytes in a file or argv arrive as lone surrogates
            raise SPARQLSyntaxError(
                f"the query is not valid Unicode text (undecodable character at position {exc.start}); save it as UTF-8"
            ) from None
        unknown = unknown_keyword(text)
        if unknown:
            raise SPARQLSyntaxError(f"SPARQL syntax error: {unknown}")
        terms = {k.lstrip("?$"): v if not isinstance(v, str) else Literal(v) for k, v in (bindings or {}).items()}
        return self.backend.execute(text, terms)

    def query(self, name: str | StoredQuery, /, **params: object) -> Results:
        """Run a stored query by name, its parameters given by name (a term accepts label, synonym, CURIE or IRI)."""
        stored = name if isinstance(name, StoredQuery) else self.catalog[name]
        values = stored.check_params(params)
        by_name = {p.name: p for p in stored.params}
        bindings: dict[str, RDFTerm] = {}
        for key, value in values.items():
            param = by_name[key]
            bindings[param.variable] = self._bind(stored.name, param.name, param.type, value)
        return self.backend.execute(stored.text, bindings)

    def _bind(self, query: str, name: str, ptype: str, value: object) -> RDFTerm:
        if isinstance(value, NamedNode | Literal):
            return value
        text = str(value)
        problem = _unusable(text)
        if problem:
            raise ParameterError(f"query {query!r}: parameter {name!r} is not a usable value ({problem})")
        if ptype == "iri":
            try:
                return NamedNode(self.resolve(text))
            except ValueError:
                raise ParameterError(f"query {query!r}: parameter {name!r}: {text!r} is not a valid IRI") from None
        if ptype == "integer":
            try:
                return Literal(str(int(text)), datatype=NamedNode(XSD.integer))
            except ValueError:
                raise ParameterError(f"query {query!r}: parameter {name!r} must be an integer, not {text!r}") from None
        return Literal(text)

    # --- lookup ----------------------------------------------------------------------------------------------
    @property
    def index(self) -> LabelIndex:
        """The label/synonym index, built on first use from the ``term-labels`` stored query."""
        if self._index is None:
            with self._lock:
                if self._index is None:
                    rows = self.query("term-labels")
                    self._index = LabelIndex((r[0].value, r[1].value, r[2].value) for r in rows)
        return self._index

    def resolve(self, text: str, *, prefer_hemo: bool = False) -> str:
        """The IRI a text names: an IRI or CURIE as is (or, with ``prefer_hemo``, the hemo term mapped to it),
        else the term whose label or synonym matches. Raises :class:`TermNotFoundError` with suggestions, also
        for an IRI or CURIE that the graph does not mention."""
        direct = as_iri(text)
        if direct is not None:
            if prefer_hemo and not direct.startswith(HEMO):
                mapped = self.query("hemo-term-for-external", external=NamedNode(direct))
                if mapped.rows:
                    return bound_value(mapped.rows[0][0])
            if not self.mentions(direct):
                raise self._not_found(text, self._suggest_iri(direct))
            return direct
        return self._by_name(text)[0]

    def mentions(self, iri: str) -> bool:
        """Whether the graph says anything of or about an IRI (as subject, predicate or object of a triple)."""
        term = NamedNode(iri)
        asked = "ASK { { ?t ?p ?o } UNION { ?s ?t ?o } UNION { ?s ?p ?t } }"
        return bool(self.backend.execute(asked, {"t": term}).boolean)

    def _not_found(self, text: str, suggestions: list[str]) -> TermNotFoundError:
        """The error for a text naming no term; with no suggestion to make, it says whether the graph is empty."""
        return TermNotFoundError(text, suggestions, hint=None if suggestions else self.empty_graph_hint())

    def empty_graph_hint(self) -> str | None:
        """None when the graph read holds triples; else what is wrong and which ``--graph`` to give instead: the
        server's graph holding hemo's ontology, its own default graph (``--graph ''``), or the graphs it has."""
        if self.backend.execute("ASK { ?s ?p ?o }").boolean:
            return None
        graphs = getattr(self.backend, "graphs", None)
        if graphs is None:
            return "the graph is empty"
        import copy

        from hemokg.vocab import ONTOLOGY_IRI

        shown = ", ".join(f"<{g}>" for g in graphs[:2]) + (f" and {len(graphs) - 2} more" if len(graphs) > 2 else "")
        where = f"the endpoint's graph {shown} holds no triples" if graphs else "the endpoint's default graph is empty"
        server: Any = copy.copy(self.backend)  # a remote backend: the same client, another dataset
        server.graphs = ()  # no default-graph-uri: the server's own dataset, its named graphs included
        header = f"<{ONTOLOGY_IRI}> a <http://www.w3.org/2002/07/owl#Ontology>"
        named = server.execute(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ {header} }} }} LIMIT 5").rows
        if named:
            return f"{where}; hemo is in the named graph <{named[0][0].value}>: give --graph {named[0][0].value}"
        if graphs and server.execute(f"ASK {{ {header} }}").boolean:
            return f"{where}; hemo is in the server's default graph: give --graph ''"
        others = [r[0].value for r in server.execute("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 20")]
        if others:
            return f"{where}; the server's named graphs (none holds hemo): {', '.join(others)}; give --graph IRI"
        if graphs and server.execute("ASK { ?s ?p ?o }").boolean:
            return f"{where}; the server's default graph holds other triples: give --graph '' to read it"
        return f"{where} and the server holds no other graph: upload hemo with `hemokg push`"

    def _suggest_iri(self, iri: str, n: int = 5) -> list[str]:
        """The terms whose CURIE or IRI is closest to one the graph does not mention, as ``CURIE (label)``."""
        import difflib

        names = {iri_to_curie(known) or known: known for known in self.index.labels}
        wanted = iri_to_curie(iri) or iri
        close = difflib.get_close_matches(wanted, list(names), n=n, cutoff=0.8)
        return [f"{name} ({self.index.labels[names[name]]})" for name in close]

    def _by_name(self, text: str) -> tuple[str, str]:
        """The term a name names, remembered per knowledge graph (a label parameter costs one query once)."""
        found = self._names.get(text)
        if found is None:
            found = self._find_name(text)
            if len(self._names) >= 4096:  # bounded: a server may see any number of spellings
                self._names.clear()
            self._names[text] = found
        return found

    def _find_name(self, text: str) -> tuple[str, str]:
        if _unusable(text):  # NUL, broken Unicode, a megabyte of text: no term has such a name
            raise TermNotFoundError(text if len(text) <= 80 else text[:80] + "…")
        exact = self.query("term-by-name", name=text.strip())
        hits = sorted({(r[0].value, r[1].value) for r in exact}, key=lambda h: (not h[0].startswith(HEMO), h))
        if hits:
            return hits[0][0], "label" if hits[0][1].endswith("#label") else "synonym"
        matches = self.index.find(text)
        if not matches:
            raise self._not_found(text, self.index.suggest(text))
        best = matches[0]
        return best.iri, f"{best.scope} ({best.variant} of {best.text!r})" if best.variant else best.scope

    def lookup(self, text: str) -> Term:
        """A term with its IRI, CURIE, label, definition, synonyms, parents and mappings."""
        direct = as_iri(text)
        matched = "IRI" if "://" in text or text.strip().startswith("<") else "CURIE"
        if direct is None:
            iri, matched = self._by_name(text)
        else:
            iri = self.resolve(text, prefer_hemo=True)
            if iri != direct:
                matched = "mapping"
        rows = self.query("term-details", term=NamedNode(iri)).rows
        if not rows:
            suggestions = self.index.suggest(text) if direct is None else self._suggest_iri(iri)
            raise self._not_found(text, suggestions)
        labels = [bound_value(r[1]) for r in rows if bound_value(r[0]) == "label"]
        definitions = [bound_value(r[1]) for r in rows if bound_value(r[0]) == "definition"]
        synonyms = tuple((bound_value(r[1]), bound_value(r[0])) for r in rows if bound_value(r[0]) in _SCOPES)
        mappings = tuple(
            sorted(
                (
                    (bound_value(r[0]), iri_to_curie(bound_value(r[1])) or bound_value(r[1]))
                    for r in rows
                    if bound_value(r[0]) in _MAPPING_ORDER
                ),
                key=lambda m: (_MAPPING_ORDER.index(m[0]), m[1]),
            )
        )
        parents = tuple(
            (bound_value(r[1]), r[2].value if r[2] is not None else None) for r in rows if bound_value(r[0]) == "parent"
        )
        return Term(
            iri,
            iri_to_curie(iri),
            labels[0] if labels else None,
            definitions[0] if definitions else None,
            tuple(sorted(synonyms, key=lambda s: (_SCOPES.index(s[1]), s[0].casefold()))),
            mappings,
            tuple(sorted(parents, key=lambda p: (p[1] or "", p[0]))),
            matched,
        )

    # --- annotation ------------------------------------------------------------------------------------------
    def annotate(self, labels: Iterable[object]) -> list[Annotation]:
        """Map free-text cell-type labels to CL (one :class:`~hemokg.annotate.Annotation` per distinct label, in
        order of first appearance, with its count; ``cl_id`` is None where it abstains). See ``hemokg annotate``."""
        return self.annotator.annotate(labels)

    @property
    def annotator(self) -> Annotator:
        """The annotation engine over CL's hematopoietic branch and hemo's names, built on first use."""
        if self._annotator is None:
            from hemokg.annotate import annotator, shared_annotator

            with self._lock:
                if self._annotator is None:
                    key = self._content_key
                    self._annotator = annotator(self) if key is None else shared_annotator(key, lambda: annotator(self))
        return self._annotator

    # --- lineage ---------------------------------------------------------------------------------------------
    def lineage(self, cell: str) -> Lineage:
        """What a cell develops from, step by step up to the stem cell, and what it develops into.

        When the cell itself has no direct step (CL's neutrophil includes its own immature forms), the lineages of
        its kinds that do have direct steps come along in ``kinds`` (mature neutrophil: … → metamyelocyte → it).
        """
        from hemokg.lineage import trace  # imported by the commands that trace only

        lineage = trace(self.lineage_source(), self.resolve(cell, prefer_hemo=True), cell)
        if as_iri(cell) is None:
            matched = self._by_name(cell)[1]
            if "(" in matched:  # a plural, spelling or word-order form: say how the name was read
                lineage.matched = matched
        return lineage

    def lineage_source(self) -> Source:
        """What :meth:`lineage` reads: the embedded store's own triples (:class:`~hemokg.lineage.StoreSource`,
        pattern lookups and a :class:`~hemokg.lineage.StepTable` built on first use, again whenever the backend's
        ``generation`` moves), else the stored queries through :meth:`query` (a remote endpoint). Same answers."""
        from hemokg.backends.embedded import EmbeddedBackend
        from hemokg.lineage import QuerySource, StepTable, StoreSource

        backend = self.backend
        if not isinstance(backend, EmbeddedBackend):
            return QuerySource(self.query)
        key = (id(backend.store), backend.generation)
        built = self._steps
        if built is None or built[0] != key:
            with self._lock:
                built = self._steps = (key, StepTable(backend.store))
        return StoreSource(backend.store, built[1])

    # --- other libraries' objects ------------------------------------------------------------------------------
    def owl(self, *, imports: bool = False) -> Any:
        """An owlready2 ontology of the OWL graph (asserted + inferred, not the relation graph) in a fresh World of
        its own; ``imports=True`` loads the import modules too, imported by it (see :mod:`hemokg.interop.owl`)."""
        from hemokg.interop.owl import owl_ontology

        return owl_ontology(self, imports=imports)

    # --- files -----------------------------------------------------------------------------------------------
    @overload
    def export(self, format: str, path: None = None, **options: object) -> bytes: ...
    @overload
    def export(self, format: str, path: str | Path, **options: object) -> None: ...
    def export(self, format: str, path: str | Path | None = None, **options: object) -> bytes | None:
        """The graph in an ecosystem format (see ``hemokg export --help``): the bytes when no path is given, else
        the file is written atomically and None returned."""
        from hemokg.formats.registry import export

        return export(self, format, path, **options)


def _unusable(text: str) -> str | None:
    """Why a text cannot be a parameter value or a term name (NUL, lone surrogates, over 10,000 characters), or None."""
    if len(text) > 10_000:
        return "over 10,000 characters"
    if "\x00" in text:
        return "a NUL character"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "not valid Unicode: it holds a lone surrogate, e.g. from undecodable bytes"
    return None


# --- opening a knowledge graph ------------------------------------------------------------------------------------
def load(
    ontology: str | Path | None = None,
    *,
    reasoned: bool = True,
    imports: bool = False,
    reasoner: str = "hermit",
    allow_service: bool = False,
) -> KnowledgeGraph:
    """The knowledge graph in a fresh embedded store: reasoned (asserted + inferred + relation graph) by default,
    the asserted axioms only with ``reasoned=False``; the external import modules too with ``imports=True``.

    ``allow_service=True`` lets queries use ``SERVICE``: the embedded engine then sends an HTTP request to any
    address a query names (your network, cloud metadata services, …). Off by default; turn it on only for queries
    you wrote yourself."""
    from hemokg.backends.embedded import EmbeddedBackend
    from hemokg.graph.store import load_nquads, reasoned_file

    what = ("reasoned" if reasoned else "asserted") + (" + imports" if imports else "")
    path = reasoned_file(ontology, imports=imports, reasoner=reasoner) if reasoned else None
    backend = None
    if path is not None:  # checked, then read by pyoxigraph: the file's bytes are not held beside the store
        try:
            backend = EmbeddedBackend.from_file(path, allow_service=allow_service)
        except (OSError, SyntaxError, ValueError):  # replaced or removed since the check: read it the long way
            backend = None
    if backend is None:
        data = load_nquads(ontology, reasoned=reasoned, imports=imports, reasoner=reasoner, header=True)
        backend = EmbeddedBackend.from_nquads(data, allow_service=allow_service)
    kg = KnowledgeGraph(backend, description=f"embedded, {what}")
    if ontology is None:  # the shipped graph: every load of it may share what is built from it
        kg._content_key = ("shipped", reasoned, imports, reasoner)
    return kg


def connect(
    query_url: str,
    *,
    update_url: str | None = None,
    store_url: str | None = None,
    graph: str | Sequence[str] | None = None,
    use_server_default_graph: bool = False,
    auth: tuple[str, str] | None = None,
    timeout: float = 30.0,
) -> KnowledgeGraph:
    """The knowledge graph on a SPARQL 1.1 endpoint: stored queries, ``sparql``, lookup and lineage as with ``load``.

    Queries see ``graph`` (an IRI or several) as their default graph; by default the graph ``hemokg push`` writes,
    ``https://w3id.org/hemokg/hemo.owl``, plus the import-module graphs ``push --with-imports`` writes (empty where
    not pushed); ``use_server_default_graph=True`` sends none and uses the server's own default graph (a store
    holding only hemo, e.g. a QLever index). ``auth`` is (user, password), used for Basic or Digest authentication
    and never shown.
    """
    from hemokg.backends.remote import DEFAULT_GRAPH, RemoteBackend, shipped_graphs

    if use_server_default_graph:
        if graph is not None:
            raise ParameterError("give graph or use_server_default_graph=True, not both")
        graphs: list[str] = []
    elif graph is None:
        graphs = [DEFAULT_GRAPH, *shipped_graphs()]
    else:
        graphs = [graph] if isinstance(graph, str) else list(graph)
        if not graphs or any(not g for g in graphs):
            raise ParameterError(
                "an empty graph IRI names no graph; to query the server's own default graph, "
                "pass use_server_default_graph=True (on the command line: --graph '')"
            )
    backend = RemoteBackend(
        query_url, update_url=update_url, store_url=store_url, graphs=graphs, auth=auth, timeout=timeout
    )
    more = f" + {len(graphs) - 1} more" if len(graphs) > 1 else ""
    where = f"graph {graphs[0]}{more}" if graphs else "default graph"
    return KnowledgeGraph(backend, description=f"{backend.name}, {where}")


def default_annotator() -> Annotator:
    """The annotator of the shipped graph (``hemokg.load()``), shared with every knowledge graph loaded so."""
    from hemokg.annotate import DEFAULT_KEY, shared

    found = shared(DEFAULT_KEY)
    return found if found is not None else load().annotator
