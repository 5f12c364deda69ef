"""The reasoned-graph cache: a corrupted, truncated or stale cache file is detected (checksum, seal, input hash) and
rebuilt; processes that need it at the same time build it once (the others wait for the first), all get the right
answer and leave one intact file behind.

Each test reasons over a small synthetic ontology with the real reasoner (HermiT, through Java) in a private cache
folder; the log line ``reasoning over …`` tells when the reasoner ran.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import hemokg
from benchmarks.synthetic import deep_chain
from hemokg.graph.build import input_checksum, input_hash, read_reasoned
from hemokg.resources import ontology_path, reasoned_path

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A 12-step develops-from chain as an ontology file, and an empty private cache folder."""
    monkeypatch.setenv("HEMOKG_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "chain.ttl"
    path.write_bytes(deep_chain(12))
    return path


def _cached(small: Path) -> Path:
    files = list((small.parent / "cache").glob("hemo-reasoned-*.nq"))  # (not the .nq.sha256 seals)
    assert len(files) == 1, files
    return files[0]


def _answers(kg: hemokg.KnowledgeGraph) -> tuple:
    lineage = kg.lineage("chain cell 12")
    count = kg.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0].value
    return tuple(lineage.ancestors()), count


def _load(small: Path, caplog: pytest.LogCaptureFixture) -> tuple[tuple, bool]:
    """The answers of a load, and whether the reasoner ran for it."""
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="hemokg"):
        kg = hemokg.load(small)
    reasoned = any("reasoning over" in r.getMessage() for r in caplog.records)
    return _answers(kg), reasoned


def test_second_load_uses_the_cache(small: Path, caplog: pytest.LogCaptureFixture) -> None:
    first, ran = _load(small, caplog)
    assert ran and len(first[0]) == 12
    second, ran_again = _load(small, caplog)
    assert not ran_again and second == first


CORRUPTIONS = {
    "flipped byte": lambda b: b[:-40] + bytes([b[-40] ^ 0x01]) + b[-39:],
    "truncated half": lambda b: b[: len(b) // 2],
    "header only": lambda b: b.split(b"\n", 1)[0] + b"\n",
    "empty": lambda b: b"",
    "garbage appended": lambda b: b + b"<http://e/a> <http://e/b> <http://e/c> .\n",
    "line dropped": lambda b: b"\n".join(b.split(b"\n")[:3] + b.split(b"\n")[4:]),
    "no header": lambda b: b.split(b"\n", 1)[1],
    "binary": lambda b: bytes(range(256)) * 4,
    "stale input hash": lambda b: b.replace(b"input-sha256: ", b"input-sha256: 0", 1),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, bytes, tuple]:
    """One real build of the small ontology's reasoned graph: (ontology, cache file bytes, answers)."""
    folder = tmp_path_factory.mktemp("built")
    path = folder / "chain.ttl"
    path.write_bytes(deep_chain(12))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HEMOKG_CACHE_DIR", str(folder / "cache"))
        answers = _answers(hemokg.load(path))
    (cached,) = (folder / "cache").glob("hemo-reasoned-*.nq")
    return path, cached.read_bytes(), answers


@pytest.mark.parametrize("damage", list(CORRUPTIONS))
def test_every_damage_is_detected(built: tuple[Path, bytes, tuple], tmp_path: Path, damage: str) -> None:
    _, intact, _ = built
    key = intact.split()[2].decode()
    path = tmp_path / "cache.nq"
    path.write_bytes(intact)
    assert read_reasoned(path, key) is not None
    path.write_bytes(CORRUPTIONS[damage](intact))
    assert read_reasoned(path, key) is None


@pytest.mark.parametrize("damage", ["flipped byte", "truncated half", "empty", "stale input hash"])
def test_a_damaged_cache_is_rebuilt(
    built: tuple[Path, bytes, tuple], small: Path, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    source, intact, good = built
    small.write_bytes(source.read_bytes())
    cached = small.parent / "cache" / next(source.parent.joinpath("cache").glob("*.nq")).name
    cached.parent.mkdir()
    cached.write_bytes(CORRUPTIONS[damage](intact))
    again, ran = _load(small, caplog)
    assert ran, "a damaged cache file was used as it stood"
    assert again == good
    assert cached.read_bytes() == intact  # rebuilt byte for byte (the reasoned graph is canonical)
    if damage in ("flipped byte", "truncated half"):
        assert any("corrupted" in r.getMessage() for r in caplog.records)


def test_shipped_reasoned_graph_damage_is_detected(tmp_path: Path) -> None:
    """The same check guards the shipped ``hemo-reasoned.nq`` (a copy is damaged here, never the file itself)."""
    key = input_hash([ontology_path().read_bytes()], "hermit")
    copy = tmp_path / "hemo-reasoned.nq"
    data = reasoned_path().read_bytes()
    copy.write_bytes(data)
    assert read_reasoned(copy, key) is not None, "hemo-reasoned.nq is stale or corrupt: run `hemokg build`, commit"
    copy.write_bytes(data[:-1])
    assert read_reasoned(copy, key) is None


def test_the_quick_input_check_tells_an_edited_ontology() -> None:
    """A cold start checks the shipped file by the CRC-32 of hemo.ttl (not its SHA-256): it accepts hemo.ttl as
    shipped, and refuses it after any one-byte edit, a changed length, another reasoner or an appended byte."""
    source = ontology_path().read_bytes()
    shipped = reasoned_path()
    assert read_reasoned(shipped, None, checksum=input_checksum([source], "hermit")) is not None
    flipped = source[:1000] + bytes([source[1000] ^ 0x20]) + source[1001:]
    for changed, reasoner in (
        (flipped, "hermit"),
        (source + b"\n", "hermit"),
        (source[:-1], "hermit"),
        (source, "pellet"),
    ):
        assert read_reasoned(shipped, None, checksum=input_checksum([changed], reasoner)) is None
    assert input_checksum([b"ab", b"c"], "hermit") != input_checksum([b"a", b"bc"], "hermit")  # lengths count


BUILD = textwrap.dedent("""
    import logging, sys
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    import hemokg
    kg = hemokg.load(sys.argv[1])
    print(len(kg.lineage("chain cell 12").ancestors()),
          kg.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0].value)
""")


def test_processes_building_the_cache_at_once_do_not_corrupt_it(small: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HEMOKG_CACHE_DIR": str(small.parent / "cache")}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", BUILD, str(small)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err[-1000:] for _, err in outputs]
    answers = {out.strip() for out, _ in outputs}
    assert len(answers) == 1 and answers.pop().startswith("12 ")
    builders = sum("reasoning over" in err for _, err in outputs)
    waiters = sum("waiting for another process building" in err for _, err in outputs)
    assert builders == 1, "the reasoner ran in more than one process: " + " | ".join(err[-300:] for _, err in outputs)
    assert waiters >= 1, "the processes did not overlap; the race was not exercised"
    cached = _cached(small)
    key = cached.read_text().split()[2]
    assert read_reasoned(cached, key) is not None
    # no temporary file left behind: the cache file, its seal and its (empty) build lock
    names = [cached.name, cached.name + ".lock", cached.name + ".sha256"]
    assert sorted(p.name for p in cached.parent.iterdir()) == names
    proc = subprocess.run(
        [sys.executable, "-c", BUILD, str(small)], capture_output=True, text=True, env=env, timeout=300
    )
    assert "reasoning over" not in proc.stderr and proc.stdout.strip() == outputs[0][0].strip()


def test_load_hands_the_checked_file_to_pyoxigraph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``load()`` gives pyoxigraph the path of the intact shipped file (its bytes are not held beside the store): the
    same quads as loading the checked bytes; with no intact file (an empty cache, an edited ontology) there is none."""
    from pyoxigraph import CanonicalizationAlgorithm, Dataset

    from hemokg.backends.embedded import EmbeddedBackend
    from hemokg.graph.store import load_nquads, reasoned_file

    assert reasoned_file() == reasoned_path()
    by_path = EmbeddedBackend.from_file(reasoned_path()).store
    by_bytes = EmbeddedBackend.from_nquads(load_nquads(header=True)).store
    assert len(by_path) == len(by_bytes) == len(hemokg.load().backend) > 7000
    canonical = []
    for store in (by_path, by_bytes):  # blank nodes get fresh labels at every load: compare canonical forms
        dataset = Dataset(store)
        dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
        canonical.append(set(dataset))
    assert canonical[0] == canonical[1]
    edited = tmp_path / "hemo.ttl"
    edited.write_bytes(ontology_path().read_bytes() + b"\n# an edit\n")
    monkeypatch.setenv("HEMOKG_CACHE_DIR", str(tmp_path / "cache"))
    assert reasoned_file(edited) is None
