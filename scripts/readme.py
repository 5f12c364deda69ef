"""Regenerate the README's generated blocks (stored-query table, real command output); --check fails if stale.

Each block sits between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` markers, so the prose around it stays
hand-written while the examples always show what the commands really print.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

EXAMPLES = {
    "lineage": ["lineage", "neutrophil", "--format", "table"],
    "lineage-erythrocyte": ["lineage", "erythrocyte", "--format", "table"],
    "lookup": ["lookup", "Haemopoiesis", "--format", "table"],
    "query": ["query", "develops-from-chain", "-p", "cell=platelet", "--format", "table"],
    "query-tsv": ["query", "processes-with-output", "-p", "cell=erythrocyte", "--format", "tsv"],
}
PYTHON = """import hemokg

kg = hemokg.load()  # embedded store, reasoned graph; no server, no network
term = kg.lookup("haemopoiesis")
print(term.curie, term.label, [s for s, scope in term.synonyms if scope == "exact"][:4])
lineage = kg.lineage("platelet")
print(lineage.render(lineage.chains()[0]))
for row in kg.query("processes-with-output", cell="Red blood cell"):  # a synonym works as a parameter
    print(row.label.value, "->", row.output_label.value)
"""


def run(args: list[str]) -> str:
    proc = subprocess.run([sys.executable, "-m", "hemokg", *args], capture_output=True, text=True, cwd=ROOT, check=True)
    return proc.stdout.rstrip()


def blocks() -> dict[str, str]:
    """The generated text of every block."""
    sys.path.insert(0, str(ROOT))
    import hemokg

    cat = hemokg.catalog()
    rows = ["| query | parameters | what it answers |", "|---|---|---|"]
    for name in cat:
        q = cat[name]
        params = ", ".join(f"`{p.name}`" + ("" if p.required else " (optional)") for p in q.params) or "—"
        rows.append(f"| `{name}` | {params} | {q.summary.replace('|', '/')} |")
    out = {"queries": "\n".join(rows)}
    for key, args in EXAMPLES.items():
        out[key] = f"```console\n$ hemokg {' '.join(args)}\n{run(args)}\n```"
    python_out = subprocess.run(
        [sys.executable, "-c", PYTHON], capture_output=True, text=True, cwd=ROOT, check=True
    ).stdout.rstrip()
    out["python"] = f"```python\n{PYTHON.rstrip()}\n```\n\nprints\n\n```text\n{python_out}\n```"
    return out


def render(text: str) -> str:
    for name, body in blocks().items():
        pattern = re.compile(rf"(<!-- {re.escape(name)}:start -->\n)(?:.*?\n)?(<!-- {re.escape(name)}:end -->)", re.S)
        if not pattern.search(text):
            raise SystemExit(f"README.md has no block {name!r}")
        text = pattern.sub(lambda m, b=body: m.group(1) + b + "\n" + m.group(2), text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if README.md is not up to date")
    args = parser.parse_args()
    current = README.read_text(encoding="utf-8")
    fresh = render(current)
    if args.check:
        if fresh != current:
            raise SystemExit("README.md is stale: run `python scripts/readme.py`")
        return
    sys.path.insert(0, str(ROOT))
    from hemokg.fileio import atomic_write

    atomic_write(README, fresh.encode("utf-8"))  # all or nothing: an interrupted run never leaves half a README


if __name__ == "__main__":
    main()
