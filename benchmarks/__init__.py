"""hemokg's benchmarks: cold starts, warm stored queries per engine (the store choice), load and reasoning, the
remote backend, and synthetic ontologies up to 10,000× hemo. Run ``python -m benchmarks``; see README.md."""
