"""Session-wide test set-up: a private cache folder, and the fixture modules of each part of the suite."""

from __future__ import annotations

import os
import tempfile

# Reasoned-graph caches go to a private folder, never the user's ~/.cache.
os.environ.setdefault("HEMOKG_CACHE_DIR", tempfile.mkdtemp(prefix="hemokg-test-cache-"))

pytest_plugins = [
    "tests.fixtures.core",
    "tests.fixtures.servers",
    "tests.fixtures.browser",
]
