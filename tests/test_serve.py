"""``hemokg serve`` as a real subprocess: the SPARQL 1.1 Protocol endpoint, its limits, the site, and the remote
backend talking to it."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from pyoxigraph import RdfFormat, parse

import hemokg
from hemokg.web.serve import negotiate
from tests.fixtures.core import concat_separators, in_sorted_parts

LABELS = "SELECT ?t ?l WHERE { ?t <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?t ?l LIMIT 5"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="session")
def endpoint(tmp_path_factory) -> Iterator[str]:
    """A `hemokg serve` process on a free port: 2 s time limit, 1,000 results at most."""
    site = tmp_path_factory.mktemp("served")
    (site / "index.html").write_text("<!DOCTYPE html><title>hemo</title><h1>served site</h1>")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hemokg",
            "serve",
            "--port",
            "0",
            "--timeout",
            "2",
            "--max-results",
            "1000",
            "--workers",
            "2",
            "--site-dir",
            str(site),
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stderr.readline()  # "serving http://127.0.0.1:PORT/ ..." once ready
    if not line.startswith("serving http://127.0.0.1:"):
        proc.kill()
        pytest.fail(f"hemokg serve did not start: {line}{proc.stderr.read()}")
    threading.Thread(target=proc.stderr.read, daemon=True).start()  # keep the pipe drained
    yield line.split()[1].rstrip("/") + "/sparql"
    proc.terminate()
    assert proc.wait(20) == 0


def _call(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


def _get(endpoint: str, query: str, accept: str | None = None) -> tuple[int, str, bytes]:
    url = endpoint + "?" + urllib.parse.urlencode({"query": query})
    return _call(url, headers={"Accept": accept} if accept else {})


def test_get_json_is_the_default_and_matches_embedded(endpoint, kg):
    status, ctype, body = _get(endpoint, LABELS)
    assert status == 200 and ctype.startswith("application/sparql-results+json")
    rows = [(b["t"]["value"], b["l"]["value"]) for b in json.loads(body)["results"]["bindings"]]
    assert rows == [(r[0].value, r[1].value) for r in kg.sparql(LABELS)]


def test_post_form_and_post_query_body(endpoint):
    form = urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}).encode()
    status, _, body = _call(endpoint, data=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and json.loads(body)["boolean"] is True
    status, ctype, body = _call(
        endpoint, data=LABELS.encode(), headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"}
    )
    assert status == 200 and ctype.startswith("text/csv") and body.decode().startswith("t,l\r\n")


@pytest.mark.parametrize(
    "accept, media",
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", "application/sparql-results+json"),
    ],
)
def test_select_content_negotiation(endpoint, accept, media):
    status, ctype, body = _get(endpoint, LABELS, accept)
    assert status == 200 and ctype.split(";")[0] == media
    if media.endswith("xml"):
        root = ET.fromstring(body)
        assert len(root.findall(".//{http://www.w3.org/2005/sparql-results#}result")) == 5
    if media.endswith("values"):
        assert body.decode().splitlines()[0] == "?t\t?l" and len(body.decode().splitlines()) == 6


@pytest.mark.parametrize(
    "accept, fmt",
    [
        ("text/turtle", RdfFormat.TURTLE),
        ("application/n-triples", RdfFormat.N_TRIPLES),
        ("application/ld+json", RdfFormat.JSON_LD),
        ("application/rdf+xml", RdfFormat.RDF_XML),
    ],
)
def test_graph_content_negotiation(endpoint, accept, fmt):
    query = (
        "CONSTRUCT { ?t <http://www.w3.org/2000/01/rdf-schema#label> ?l } WHERE { "
        "?t <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?t LIMIT 7"
    )
    status, ctype, body = _get(endpoint, query, accept)
    assert status == 200 and ctype.split(";")[0] == accept
    assert len(list(parse(body, format=fmt))) == 7


def test_unacceptable_media_type_is_406(endpoint):
    status, _, body = _get(endpoint, LABELS, "image/png")
    assert status == 406 and b"application/sparql-results+json" in body


def test_malformed_query_is_400_with_the_parser_message(endpoint):
    status, _, body = _get(endpoint, "SELECT ?x WHERE { ?x ?y }")
    assert status == 400 and b"error at 1:" in body


@pytest.mark.parametrize("how", ["update-param", "update-body", "update-as-query"])
def test_updates_are_403(endpoint, how):
    update = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
    if how == "update-param":
        status, _, _ = _call(
            endpoint,
            data=urllib.parse.urlencode({"update": update}).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    elif how == "update-body":
        status, _, _ = _call(endpoint, data=update.encode(), headers={"Content-Type": "application/sparql-update"})
    else:
        status, _, _ = _get(endpoint, update)
    assert status == 403
    assert json.loads(_get(endpoint, "ASK { <urn:a> <urn:b> <urn:c> }")[2])["boolean"] is False


def test_result_size_limit(endpoint):
    status, _, body = _get(endpoint, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 413 and b"more than 1000 results" in body
    assert _get(endpoint, "SELECT * WHERE { ?s ?p ?o } LIMIT 1000")[0] == 200


def test_time_limit_stops_a_bad_query_and_the_server_keeps_answering(endpoint):
    slow: dict[str, tuple] = {}
    thread = threading.Thread(target=lambda: slow.update(answer=_get(endpoint, SLOW)))
    thread.start()
    during = _get(endpoint, "ASK { ?s ?p ?o }")  # the second worker answers while the first is busy
    thread.join(60)
    status, _, body = slow["answer"]
    assert status == 503 and b"time limit of 2 s" in body
    assert during[0] == 200
    for _ in range(3):  # the killed worker was replaced: queries keep working
        assert _get(endpoint, "ASK { ?s ?p ?o }")[0] == 200


def test_site_is_served_and_other_methods_are_refused(endpoint):
    base = endpoint.removesuffix("sparql")
    status, ctype, body = _call(base)
    assert status == 200 and ctype.startswith("text/html") and b"served site" in body
    assert _call(base + "index.html", data=b"x")[0] == 405
    assert _call(base + "missing.html")[0] == 404


def test_negotiate():
    assert negotiate(None, ("a/b", "c/d")) == "a/b"
    assert negotiate("c/d;q=0.4, a/b;q=0.2", ("a/b", "c/d")) == "c/d"
    assert negotiate("c/*", ("a/b", "c/d")) == "c/d"
    assert negotiate("x/y", ("a/b",)) is None
    assert negotiate("a/b;q=0", ("a/b",)) is None


def test_remote_backend_against_the_endpoint_gives_the_embedded_answers(endpoint, kg):
    remote = hemokg.connect(endpoint)
    for name in kg.catalog:
        stored = kg.catalog[name]
        params = {p.name: p.example for p in stored.params if p.example is not None}
        if any(p.required and p.example is None for p in stored.params) or stored.form == "describe":
            continue
        here, there = kg.query(name, **params), remote.query(name, **params)
        assert here.kind == there.kind, name
        if here.kind == "select":
            concat = [concat_separators(stored.text).get(v) for v in here.vars]

            def texts(row: tuple[object, ...], concat: list[str | None] = concat) -> tuple[str, ...]:
                return tuple(
                    in_sorted_parts(t.value, c) if c and t is not None else str(t)
                    for t, c in zip(row, concat, strict=True)
                )

            assert [texts(r) for r in there] == [texts(r) for r in here], name
        elif here.kind == "ask":
            assert there.boolean == here.boolean, name
        else:
            assert sorted(map(str, there.triples)) == sorted(map(str, here.triples)), name
    assert remote.lookup("haemopoiesis").iri == kg.lookup("haemopoiesis").iri
    assert remote.lineage("erythrocyte").chains() == kg.lineage("erythrocyte").chains()
