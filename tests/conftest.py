"""Session-wide test set-up: a private cache folder, and the fixture modules of each part of the suite."""

from __future__ import annotations

import os
import tempfile

from hypothesis import settings

# Reasoned-graph caches go to a private folder, never the user's ~/.cache.
os.environ.setdefault("HEMOKG_CACHE_DIR", tempfile.mkdtemp(prefix="hemokg-test-cache-"))

# No test may depend on state an earlier run left behind: no example database (.hypothesis/); under CI the examples
# are derandomized too, so a CI result can be reproduced exactly (locally they vary, to keep finding new cases).
settings.register_profile("hemokg", database=None, derandomize=os.environ.get("CI") == "true", print_blob=True)
settings.load_profile("hemokg")

pytest_plugins = [
    "tests.fixtures.core",
    "tests.fixtures.servers",
    "tests.fixtures.browser",
]
