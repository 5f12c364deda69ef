"""Issue 13, item 5: one abusive client cannot starve ``hemokg serve``'s other clients or its memory.

Real ``hemokg serve`` processes and the real server class on 127.0.0.1: two clients loop a cartesian product while
a third asks simple queries (it must never get a 503, and every answer must be right); a query that needs more
memory than a worker may use stops only that worker; an answer over the size cap is a 413 decided in the worker; a
client that announces a body it never sends is dropped after the socket timeout. The latency figures (p95 of the
third client) come from ``benchmarks/serve_dos.py`` and ``docs/reliability.md``, not from assertions here.
"""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.servers import start_serve

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ORDERED = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
SIMPLE = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://www.w3.org/2002/07/owl#Ontology> }"


def _start(site: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    proc, base = start_serve(site, *extra)
    return proc, base + "/sparql"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "index.html").write_text("<!DOCTYPE html><title>hemo</title>")
    return tmp_path


def _ask(endpoint: str, query: str) -> tuple[int, bytes]:
    url = endpoint + "?" + urllib.parse.urlencode({"query": query})
    try:
        with urllib.request.urlopen(url, timeout=120) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.mark.slow
def test_two_clients_looping_a_cartesian_product_do_not_starve_a_third(site: Path) -> None:
    proc, endpoint = _start(site, "--timeout", "3", "--workers", "2")
    try:
        expected = _ask(endpoint, SIMPLE)
        assert expected[0] == 200
        # The attack lasts until the third client has asked 25 times and each attacker has had 2 queries stopped
        # (so the asking spans whole attack cycles); counted, not timed, so a loaded machine only makes it longer.
        done = threading.Event()
        deadline = time.monotonic() + 300  # a bound on a hang, never reached when the server behaves
        attackers: list[list[int]] = [[], []]

        def attacker(answers: list[int]) -> None:
            while not done.is_set() and time.monotonic() < deadline:
                answers.append(_ask(endpoint, CARTESIAN)[0])

        threads = [threading.Thread(target=attacker, args=(a,), daemon=True) for a in attackers]
        for t in threads:
            t.start()
        time.sleep(0.5)
        victim = []
        while (len(victim) < 25 or min(map(len, attackers)) < 2) and time.monotonic() < deadline:
            victim.append(_ask(endpoint, SIMPLE))
            time.sleep(0.05)
        done.set()
        for t in threads:
            t.join(60)
        stopped = [status for answers in attackers for status in answers]
        assert min(map(len, attackers)) >= 2 and 200 not in stopped, attackers  # every cartesian query: 503 at 3 s
        assert len(victim) >= 25
        assert [s for s, _ in victim if s != 200] == []
        assert all(json.loads(body) == json.loads(expected[1]) for _, body in victim)
    finally:
        proc.terminate()
        proc.wait(30)


@pytest.mark.slow
def test_a_query_over_the_memory_cap_stops_only_its_worker(site: Path) -> None:
    proc, endpoint = _start(site, "--timeout", "60", "--workers", "1", "--max-memory", "400")
    try:
        status, body = _ask(endpoint, ORDERED)
        assert status == 500 and (b"memory" in body or b"crashed" in body), (status, body[:300])
        assert _ask(endpoint, SIMPLE)[0] == 200
        assert proc.poll() is None
    finally:
        proc.terminate()
        proc.wait(30)


@pytest.fixture
def small_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The real server class over the asserted graph: a 20,000-byte answer cap and a 1 s socket timeout."""
    from hemokg.graph.store import load_nquads
    from hemokg.web import serve

    monkeypatch.setattr(serve._Handler, "timeout", 1.0)
    pool = serve.WorkerPool(load_nquads(reasoned=False), size=1, reserve=0, standby=0, max_bytes=20_000)
    server = serve.EndpointServer(("127.0.0.1", 0), pool, tmp_path)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    finally:
        server.shutdown()
        server.server_close()
        pool.close()


def test_an_answer_over_the_size_cap_is_413(small_server: str) -> None:
    status, body = _ask(small_server, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 413 and b"20,000" in body, (status, body[:200])
    assert _ask(small_server, SIMPLE)[0] == 200


def test_a_client_that_never_sends_its_body_is_dropped(small_server: str) -> None:
    port = int(small_server.split(":")[2].split("/")[0])
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(
            f"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/sparql-query\r\n"
            "Content-Length: 1000\r\n\r\nASK".encode()
        )
        try:
            data = sock.recv(65536)
        except TimeoutError:
            pytest.fail("the server held the connection of a client that never sent its body")
    assert data == b"" or data.startswith(b"HTTP/"), data[:100]
