"""Writing files safely: only when the bytes changed, atomically, inside the output folder.

A reader (or rsync, or a web server) sees either the old file or the new one,
never a half-written one; a file whose bytes did not change keeps its mtime.
Nothing is written, read back or removed through a symbolic link that leads out
of the output folder: whoever can plant files there must not redirect a build.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # not on Windows
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


class Staging:
    """Files written in two steps: every new version goes to a temporary file beside
    its target first (`stage`), and only when all of them are safely on disk are
    they renamed into place (`commit`). A failure before the commit (a full disk, a
    read-only folder) leaves every old file as it was.
    """

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._staged: list[tuple[str, Path]] = []  # (temporary, target)

    def stage(self, files: dict[Path, bytes]) -> None:
        """Stage those of `files` whose bytes differ from what is on disk: all of
        them, or (raising OSError) none."""
        staged: list[tuple[str, Path]] = []
        try:
            for path, data in files.items():
                self.check_inside(path.parent)
                if not _holds(path, data):
                    staged.append((_write_temporary(path, data), path))
        except BaseException:
            _remove(temporary for temporary, _ in staged)
            raise
        self._staged.extend(staged)

    @property
    def staged(self) -> list[tuple[str, Path]]:
        """(temporary, target) of every file staged and not committed yet."""
        return list(self._staged)

    def adopt(self, staged: list[tuple[str, Path]]) -> None:
        """Take over files another Staging (in a worker process) staged, as `staged`
        gave them: they are committed or discarded with this one's."""
        self._staged.extend(staged)

    def commit(self) -> list[Path]:
        """Rename every staged file into place; return the paths that changed."""
        for temporary, path in self._staged:
            os.replace(temporary, path)
        for folder in {path.parent for _, path in self._staged}:
            _fsync_folder(folder)
        changed = [path for _, path in self._staged]
        self._staged = []
        return changed

    def discard(self) -> None:
        _remove(temporary for temporary, _ in self._staged)
        self._staged = []

    def remove(self, name: str) -> None:
        """Remove a file the last build wrote (and its folder, once empty), by its path
        relative to the output folder. The list of them comes from the cache, which is
        untrusted: a name that climbs out (`..`, absolute), leads out through a link,
        or names a folder is left alone."""
        relative = PurePosixPath(name)
        if relative.is_absolute() or ".." in relative.parts or not relative.parts:
            return
        path = self.root.joinpath(*relative.parts)
        try:
            self.check_inside(path.parent)
        except OSError:
            return
        if path.is_dir() and not path.is_symlink():
            return
        path.unlink(missing_ok=True)  # a symbolic link itself, never its target
        folder = path.parent
        if folder != self.root and not any(folder.iterdir()):
            folder.rmdir()  # the folder of a category that has no posts any more

    def check_inside(self, folder: Path) -> None:
        if not folder.resolve().is_relative_to(self.root):
            raise OSError(errno.ELOOP, "leads outside the output folder", str(folder))


def _holds(path: Path, data: bytes) -> bool:
    """Whether the regular file at `path` holds exactly `data` (never blocks on a FIFO)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    except OSError:
        return False
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode) or status.st_size != len(data):
        os.close(descriptor)
        return False
    with os.fdopen(descriptor, "rb") as file:
        return file.read(len(data) + 1) == data


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
        _remove([temporary])
        raise
    return temporary


def _remove(temporaries: Iterable[str]) -> None:
    for temporary in temporaries:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


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
