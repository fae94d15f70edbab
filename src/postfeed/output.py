"""Writing files safely: only when the bytes changed, and atomically.

A reader (or rsync, or a web server) sees either the old file or the new one,
never a half-written one; a file whose bytes did not change keeps its mtime.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path


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
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, _file_mode())  # mkstemp makes 0600; feeds are served to others
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


def _file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


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
