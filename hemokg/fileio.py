"""Writing files all or nothing: a temporary sibling, fsync, then a rename; several files at once, or none.

The one home of file writing for every command (exports, builds, caches, sites): a failure leaves the previous file
as it was; also the SHA-256 that checks what hemokg wrote (:func:`sha256`). Imports nothing of hemokg but its errors.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Mapping
from pathlib import Path

from hemokg._hints import Any

__all__ = ["MAX_INPUT_BYTES", "atomic_write", "read_regular_file", "replace_all", "sha256", "write_temporary"]

#: Largest file a user may hand hemokg to read (an ontology, a query file): 64 MiB.
MAX_INPUT_BYTES = 64 * 1024 * 1024


def sha256(data: bytes | memoryview = b"") -> Any:
    """A SHA-256 hash object of ``data`` (``.update``, ``.digest``, ``.hexdigest``): the interpreter's own built-in
    implementation where it has one, else :mod:`hashlib`'s. A hot command hashes ~1.3 MB (hemo.ttl for the cache key,
    the reasoned graph's content check); loading OpenSSL for that (``import hashlib``) costs ~4 MiB of resident
    memory and its import time, the built-in code costs neither, for the same total time (``benchmarks/cold.py``)."""
    try:
        from _sha2 import sha256 as builtin  # type: ignore[import-not-found,unused-ignore]  # CPython 3.12+
    except ImportError:
        try:
            from _sha256 import sha256 as builtin  # type: ignore[import-not-found,no-redef,unused-ignore]  # 3.11
        except ImportError:
            from hashlib import sha256 as builtin  # type: ignore[assignment,unused-ignore]
    return builtin(data)


def read_regular_file(path: str | os.PathLike[str], *, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; else :class:`OSError` whose ``strerror`` says why
    (a device such as /dev/zero, a FIFO that would block forever, a socket, a folder, or too large). Checked before
    the file is opened, and the read stops at ``limit`` + 1 bytes whatever the file does meanwhile."""
    import stat

    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a device, FIFO or socket"
        raise OSError(errno.EINVAL, f"not a regular file ({kind}); give a file", str(path))
    if info.st_size > limit:
        raise OSError(errno.EFBIG, f"{info.st_size:,} bytes, over the limit of {limit:,} bytes", str(path))
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise OSError(errno.EFBIG, f"over the limit of {limit:,} bytes", str(path))
    return data


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename: all or nothing.

    The folder must exist (a typo in ``-o`` must not create directories): else FileNotFoundError saying so. A new
    file gets mode 0644 (set explicitly: changing the process umask to read it is not thread-safe); an existing file
    keeps its mode. A character device or FIFO (``-o /dev/null``, ``-o /dev/stdout``, a named pipe) is written in
    place, never replaced by a regular file; any other special file (a block device, a socket) is refused.
    """
    if _write_in_place(Path(path), data):
        return
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
    try:
        mode = os.stat(path).st_mode & 0o7777 if path.is_file() else 0o644  # an existing file keeps its mode
    except OSError:
        mode = 0o644
    import tempfile  # writers only: a read-only command does not import it

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)  # mkstemp makes 0600; a written file gets the usual permissions
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _write_in_place(path: Path, data: bytes) -> bool:
    """Write to ``path`` if it is a character device or FIFO (True); False for a regular or missing file."""
    import stat

    try:
        info = os.stat(path)
    except OSError:
        return False
    if stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode):
        return False  # a folder: the rename fails with the usual IsADirectoryError
    if not (stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        raise OSError(errno.EINVAL, "a special file (block device or socket), not written; give a file", str(path))
    flags = os.O_WRONLY | (os.O_NONBLOCK if stat.S_ISFIFO(info.st_mode) else 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise OSError(errno.ENXIO, "a FIFO with no reader; start the reader first", str(path)) from None
        raise
    try:
        os.set_blocking(fd, True)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
    return True


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
