"""Writing files safely: only when the bytes changed, and atomically.

A reader (or rsync, or a web server) sees either the old file or the new one,
never a half-written one; a file whose bytes did not change keeps its mtime.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from pathlib import Path

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # not on Windows


def write_changed(files: dict[Path, bytes]) -> list[Path]:
    """Write every file whose bytes differ from what is on disk; return those paths.

    In two steps: every new version goes to a temporary file beside its target
    first, and only when all of them are safely on disk are they renamed into
    place. A failure in the first step (a full disk, a read-only folder) leaves
    every old file as it was.
    """
    changed = [path for path, data in files.items() if not _holds(path, data)]
    temporaries: list[str] = []
    try:
        for path in changed:
            temporaries.append(_write_temporary(path, files[path]))
    except BaseException:
        for temporary in temporaries:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        raise
    for temporary, path in zip(temporaries, changed, strict=True):
        os.replace(temporary, path)
    for folder in {path.parent for path in changed}:
        _fsync_folder(folder)
    return changed


def _holds(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except (FileNotFoundError, NotADirectoryError):
        return False


def _write_temporary(path: Path, data: bytes) -> str:
    if path.is_dir():  # found now, not when renaming: by then other files are replaced
        raise IsADirectoryError(errno.EISDIR, "a folder is in the way", str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = str(path.parent / f".{path.name}.{secrets.token_hex(8)}.tmp")
    # Mode 0666 less the umask, applied by the kernel: feeds are served to others
    # (mkstemp would make 0600, and reading the umask means changing it, for every
    # thread of the process). O_EXCL: never write through a file planted there.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return temporary


def remove_stale_temporaries(folder: Path, names: tuple[str, ...]) -> None:
    """Remove the temporary files of writes that were killed before their rename.

    Call it only while holding the build lock: then no write is under way.
    """
    for name in names:
        for stale in folder.glob(f".{name}.*.tmp"):
            stale.unlink(missing_ok=True)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (a no-op where folders cannot be opened)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
