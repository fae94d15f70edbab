"""Finding the posts: every post file below the posts folder, and a digest of each folder.

A scan only lists and stats; it reads no file. It runs on every build, even one
that finds nothing to do, so it imports little and makes one tuple per file.
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Callable
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

POST_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".html"})


class PostFile(NamedTuple):  # a tuple: a scan makes 100,000 of them, quickly
    """A post file found on disk, with what the cache compares.

    `unusable` says why it cannot be read at all (a folder that cannot be listed,
    a name that is not UTF-8): it is reported like a post that failed. `ignored`
    says why it is not read although it could be (a symbolic link): a warning.
    """

    path: str
    key: str  # path inside the posts folder, POSIX style: the cache key
    size: int
    mtime_ns: int
    unusable: str = ""
    ignored: str = ""


# A post is a regular file inside the posts folder: a link could publish any file
# the build can read (/etc/passwd, a key), or another post a second time.
SYMLINK_IGNORED = "is a symbolic link: not read (a post must be a file in the posts folder)"


def scan_posts(root: Path) -> list[PostFile]:
    """Every post file below `root`, sorted by key; hidden files and folders are skipped.

    Symlinked folders are not followed, so a link loop cannot make this run
    forever; a symlinked file is listed as ignored.
    """
    return scan(root).files


class Scan(NamedTuple):
    """A scan of the posts folder: its post files, and the same by folder."""

    files: list[PostFile]  # sorted by key
    by_folder: dict[str, list[PostFile]]  # folder (a key without the file name) -> its files
    # A digest of each folder's files (key, size and time, in key order), by folder:
    # a build that finds a few of them changed compares only those folders' files with
    # the cache, not 100,000 (see collector.collect).
    digests: dict[str, str]


_BY_KEY = itemgetter(1)
# Where the OS allows it, a folder is listed through a descriptor, and each file is
# stat'ed relative to it (fstatat): the kernel does not walk the whole path again for
# every file, which makes the scan's system calls about a sixth cheaper.
_BY_DESCRIPTOR = os.scandir in os.supports_fd
_FOLDER = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_new_post_file = partial(tuple.__new__, PostFile)  # PostFile(...) without a Python call


def scan(root: Path, when_found: tuple[int, Callable[[], None]] | None = None) -> Scan:
    """scan_posts, with each folder's files and digest, taken in the same pass.

    `when_found` (count, call): call() once the scan has found that many post files
    (a cold build starts its workers then, while the scan goes on).
    """
    # The scan makes no reference cycles, only many objects: the collector would walk
    # them (and whatever else is alive) again and again for nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _scan(root, when_found)
    finally:
        if collecting:
            gc.enable()


def _scan(root: Path, when_found: tuple[int, Callable[[], None]] | None) -> Scan:
    by_folder: dict[str, list[PostFile]] = {}
    digests: dict[str, str] = {}
    merged: set[str] = set()
    count = 0  # post files found
    folders = [(str(root), "")]  # (folder on disk, its key prefix)
    while folders:
        folder, prefix = folders.pop()
        found: list[PostFile] = []
        lines: list[str] = []  # key, size and time of each file, for the folder's digest
        descriptor = None
        try:
            if _BY_DESCRIPTOR:  # a folder below the root was seen as no link: it must stay so
                descriptor = os.open(folder, _FOLDER | (_NOFOLLOW if prefix else 0))
            entries = list(os.scandir(folder if descriptor is None else descriptor))
        except OSError as error:
            if not prefix:
                raise  # the posts folder itself: nothing can be built
            reason = f"folder cannot be read: {error.strerror or error}"
            key = _utf8(prefix)
            found.append(PostFile(folder, key, 0, 0, reason))
            lines.append(f"{key}\0{0}\0{0}\n")
            entries = []
        try:
            _list(folder, prefix, entries, found, lines, folders, descriptor is not None)
        finally:
            if descriptor is not None:
                os.close(descriptor)
        if not found:
            continue
        count += len(found)
        if when_found and count >= when_found[0]:
            when_found[1]()
            when_found = None
        # Every key of a folder starts with its own prefix: the key of the folder is that
        # prefix, made valid UTF-8 as the keys are, without its final slash.
        group = _utf8(prefix)[:-1]
        if group in by_folder:  # two folders whose names differ only in bytes not UTF-8
            merged.add(group)
            by_folder[group] += found
        else:
            by_folder[group] = found
            # Keys are unique and "\0" sorts first: the lines sort as their keys do.
            lines.sort()
            digests[group] = _digest(lines)
    for group in merged:
        group_files = sorted(by_folder[group], key=_BY_KEY)
        digests[group] = _digest([f"{f.key}\0{f.size}\0{f.mtime_ns}\n" for f in group_files])
    files = [post_file for group_files in by_folder.values() for post_file in group_files]
    files.sort(key=_BY_KEY)
    return Scan(files, by_folder, digests)


def _list(
    folder: str,
    prefix: str,
    entries: list[os.DirEntry[str]],
    found: list[PostFile],
    lines: list[str],
    folders: list[tuple[str, str]],
    by_name: bool,
) -> None:
    """The post files among one folder's entries into `found` (and their digest lines
    into `lines`), its subfolders into `folders`. `by_name`: the entries were listed
    through a descriptor, so their `path` is their name only."""
    for entry in entries:
        name = entry.name
        if name[0] == ".":
            continue
        if entry.is_dir(follow_symlinks=False):
            folders.append((f"{folder}/{name}" if by_name else entry.path, f"{prefix}{name}/"))
            continue
        dot = name.rfind(".")
        if dot < 0 or name[dot:].lower() not in POST_SUFFIXES:
            continue
        path = f"{folder}/{name}" if by_name else entry.path
        key = prefix + name
        unusable = ""
        if not key.isascii():
            utf8 = _utf8(key)
            unusable = "" if utf8 == key else "name is not valid UTF-8: rename it"
            key = utf8
        try:
            if entry.is_file(follow_symlinks=False):
                stat = entry.stat(follow_symlinks=False)
            elif entry.is_symlink():
                found.append(PostFile(path, key, 0, 0, unusable, SYMLINK_IGNORED))
                lines.append(f"{key}\0{0}\0{0}\n")
                continue
            else:
                continue  # a FIFO or a device would block
        except OSError:
            continue
        size, mtime_ns = stat.st_size, stat.st_mtime_ns
        found.append(_new_post_file((path, key, size, mtime_ns, unusable, "")))
        lines.append(f"{key}\0{size}\0{mtime_ns}\n")


def _digest(lines: list[str]) -> str:
    return hashlib.sha256("".join(lines).encode()).hexdigest()[:32]


def _utf8(name: str) -> str:
    """A file name as valid UTF-8 text: bytes that are not UTF-8 shown as escapes."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:  # os.fsdecode kept undecodable bytes as surrogates
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
