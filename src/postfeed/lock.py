"""One build at a time: an OS lock on a file beside the cache.

filelock takes an flock on Unix and a msvcrt lock on Windows; either way the
operating system releases it when its process dies, so a killed build never
leaves a stale lock behind (a pid file would).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import filelock


class LockBusy(Exception):
    """Another build holds the lock."""


@contextmanager
def exclusive_lock(path: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold an exclusive lock on `path`, waiting up to `wait` seconds for it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink():  # planted: no build locks through a link (filelock refuses it)
        path.unlink()
    lock = filelock.FileLock(path, mode=0o644)
    try:
        lock.acquire(timeout=wait, poll_interval=0.05)
    except filelock.Timeout:
        raise LockBusy(f"another build is running (lock: {path})") from None
    try:
        yield
    finally:
        lock.release()
