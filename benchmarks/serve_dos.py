"""``hemokg serve`` under attack (issue 13, item 5): two clients loop a 3-way cartesian product while a third runs a
simple SELECT; reports the third client's latency (p50/p95/max), its statuses, the attackers' statuses and the
memory (RSS of the server and its workers). Pass mark: the third client never gets a 503 and its p95 is under 1 s.

    python -m benchmarks.serve_dos [--seconds 30] [--attackers 2]

Also runs one ``ORDER BY`` over a cartesian product (the worker's memory cap stops it) and eight clients that ask
for a large answer and never read it (the answer cap and socket timeouts bound the server's memory).
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ORDERED = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
SIMPLE = "SELECT ?l WHERE { <https://w3id.org/hemokg/HEMO_0000001> <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
BIG = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def start(*extra: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "hemokg", "serve", "--port", "0", *extra], stderr=subprocess.PIPE, text=True
    )
    assert proc.stderr is not None
    line = proc.stderr.readline()
    if not line.startswith("serving http://"):
        proc.kill()
        raise SystemExit(f"hemokg serve did not start: {line}")
    threading.Thread(target=proc.stderr.read, daemon=True).start()
    return proc, line.split()[1].rstrip("/") + "/sparql"


def ask(endpoint: str, query: str, timeout: float = 60) -> tuple[int, float]:
    started = time.perf_counter()
    url = endpoint + "?" + urllib.parse.urlencode({"query": query})
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            answer.read()
            status = answer.status
    except urllib.error.HTTPError as exc:
        exc.read()
        status = exc.code
    except OSError:
        status = 0
    return status, time.perf_counter() - started


def rss(proc: subprocess.Popen[str]) -> float:
    import psutil

    try:
        parent = psutil.Process(proc.pid)
        return sum(p.memory_info().rss for p in [parent, *parent.children(recursive=True)]) / 2**20
    except psutil.Error:
        return 0.0


def attack(endpoint: str, seconds: float, attackers: int, proc: subprocess.Popen[str]) -> dict[str, object]:
    stop = time.monotonic() + seconds
    attacker_status: dict[int, int] = {}
    victim: list[tuple[int, float]] = []
    peak = [rss(proc)]
    before = peak[0]

    def attacker() -> None:
        while time.monotonic() < stop:
            status, _ = ask(endpoint, CARTESIAN)
            attacker_status[status] = attacker_status.get(status, 0) + 1

    def watch() -> None:
        while time.monotonic() < stop:
            peak[0] = max(peak[0], rss(proc))
            time.sleep(0.5)

    threads = [threading.Thread(target=attacker) for _ in range(attackers)] + [threading.Thread(target=watch)]
    for t in threads:
        t.start()
    time.sleep(1.0)  # let the attackers take the workers first
    while time.monotonic() < stop:
        victim.append(ask(endpoint, SIMPLE))
        time.sleep(0.1)
    for t in threads:
        t.join()
    latencies = sorted(t for _, t in victim)
    statuses: dict[int, int] = {}
    for status, _ in victim:
        statuses[status] = statuses.get(status, 0) + 1
    return {
        "victim_requests": len(victim),
        "victim_statuses": statuses,
        "victim_p50_s": round(statistics.median(latencies), 4),
        "victim_p95_s": round(latencies[int(0.95 * (len(latencies) - 1))], 4),
        "victim_max_s": round(latencies[-1], 4),
        "attacker_statuses": attacker_status,
        "rss_before_mb": round(before),
        "rss_peak_mb": round(peak[0]),
        "rss_after_mb": round(rss(proc)),
    }


def unread(endpoint: str, clients: int, proc: subprocess.Popen[str]) -> dict[str, float]:
    """Clients that send a query for a large answer and never read it."""
    host, port = urllib.parse.urlsplit(endpoint)[1].rsplit(":", 1)
    before = rss(proc)
    socks = []
    for _ in range(clients):
        sock = socket.create_connection((host, int(port)))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        path = "/sparql?" + urllib.parse.urlencode({"query": BIG})
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/turtle\r\n\r\n".encode())
        socks.append(sock)
    time.sleep(5)
    peak = rss(proc)
    for sock in socks:
        sock.close()
    return {"unread_clients": clients, "rss_before_mb": round(before), "rss_with_unread_mb": round(peak)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--attackers", type=int, default=2)
    args = parser.parse_args()
    proc, endpoint = start()
    try:
        report: dict[str, object] = {"attack": attack(endpoint, args.seconds, args.attackers, proc)}
        status, took = ask(endpoint, ORDERED, timeout=120)
        report["order_by_cartesian"] = {"status": status, "seconds": round(took, 2), "rss_after_mb": round(rss(proc))}
        report["unread"] = unread(endpoint, 8, proc)
        report["alive_after"] = ask(endpoint, SIMPLE)[0]
    finally:
        proc.terminate()
        proc.wait(30)
    print(json.dumps(report, indent=2))
    attack_report = report["attack"]
    assert isinstance(attack_report, dict)
    ok = 503 not in attack_report["victim_statuses"] and attack_report["victim_p95_s"] < 1.0
    print("pass" if ok else "FAIL: the third client was starved", file=sys.stderr)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
