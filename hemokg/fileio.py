"""Writing files all or nothing: a temporary sibling, fsync, then a rename; several files at once, or none.

The one home of file writing for every command (exports, builds, caches, sites): a failure leaves the previous file
as it was. Imports nothing of hemokg but its errors.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

__all__ = ["atomic_write", "replace_all", "write_temporary"]


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename: all or nothing.

    The folder must exist (a typo in ``-o`` must not create directories): else FileNotFoundError saying so. The file
    gets mode 0644 (set explicitly: changing the process umask to read it is not thread-safe).
    """
    tmp = write_temporary(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_temporary(path: Path, data: bytes) -> Path:
    """Write ``data`` to a new temporary sibling of ``path`` (fsynced, mode 0644) and return it; the caller renames
    it onto ``path`` (or removes it). Lets a writer of several files put them all in place only once all are written."""
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, f"folder {path.parent} does not exist (create it first)", str(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o644)  # mkstemp makes 0600; a written file gets the usual permissions
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def replace_all(files: Mapping[Path, bytes]) -> None:
    """Write several files all or nothing: every one to a temporary sibling first, then the renames. A failure
    before the renames leaves every old file as it was (the temporaries are removed)."""
    written: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            written.append((write_temporary(path, data), Path(path)))
        for _tmp, path in written:  # checked before any rename, so that no rename fails on it midway
            if path.is_dir():
                raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(path))
        for tmp, path in written:
            os.replace(tmp, path)
    finally:
        for tmp, _path in written:
            tmp.unlink(missing_ok=True)
