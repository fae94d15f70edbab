"""Build state: what the last build wrote, and what it was made from.

It is the third store of the cache, beside the posts' metadata and their
rendered content, and it is what makes a run from cron cheap: when the posts,
the settings and the output files are all as the last build left them, there is
nothing to do; and a feed set whose articles did not change, and whose files
nobody touched, is not rendered again.

Its schema is `LastBuild`, stored as one JSON document. Like the rest of the
cache it is untrusted input: a document that does not fit the schema is read
as "no last build", which costs one full build and nothing else.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from postfeed.cache import Cache

_KEY = "last_build"


@dataclass(frozen=True)
class SetRecord:
    """One feed set as the last build left it."""

    digest: str  # of everything its files were made from (see publish.set_digest)
    files: dict[str, list[int]]  # file name -> [size, mtime_ns] as written
    channel: str = ""  # of what the set says about itself (see publish.channel_digest)


@dataclass(frozen=True)
class LastBuild:
    # A digest of the posts, the settings and every output file; "" when the next
    # run must build whatever it finds (the clock mattered, or nothing was built).
    state: str = ""
    outputs: tuple[str, ...] = ()  # every file written, relative to the output folder
    sets: dict[str, SetRecord] = field(default_factory=dict)  # by folder ("" is the main set)
    # A digest of the program and the settings: while it stays, a build may carry
    # over the feed sets no changed post belongs to (see build._select).
    settings: str = ""
    # A digest of each folder's post files (see reader.Scan), as the cache has them:
    # the next build compares with the cache only the files of folders that changed.
    folders: dict[str, str] = field(default_factory=dict)


class BuildState:
    """The last build, kept in the cache's key-value table."""

    def __init__(self, cache: Cache) -> None:
        self._cache = cache

    def load(self) -> LastBuild:
        try:
            data = json.loads(self._cache.get(_KEY) or "{}")
            sets = {str(k): SetRecord(str(v["digest"]), dict(v["files"]), str(v["channel"]))
                    for k, v in data.get("sets", {}).items()}  # fmt: skip
            folders = {str(k): str(v) for k, v in data.get("folders", {}).items()}
            return LastBuild(
                str(data.get("state", "")),
                tuple(data.get("outputs", ())),
                sets,
                str(data.get("settings", "")),
                folders,
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            return LastBuild()

    def save(self, last: LastBuild) -> None:
        self._cache.set(_KEY, json.dumps(asdict(last), ensure_ascii=False))


def folder_of(key: str) -> str:
    """The folder of a post file's key ("" for the posts folder itself)."""
    return key.rpartition("/")[0]


def changed_folders(now: dict[str, str], before: dict[str, str]) -> set[str]:
    """The folders whose post files are not as they were: changed, new or gone."""
    gone = before.keys() - now.keys()
    return gone | {folder for folder, digest in now.items() if before.get(folder) != digest}


def listing_digest(folders: dict[str, str], settings: str) -> str:
    """A digest of the settings and of every post file's path, size and time."""
    lines = "".join(f"{folder}\0{digest}\n" for folder, digest in sorted(folders.items()))
    return hashlib.sha256(f"{settings}|{lines}".encode()).hexdigest()


def state_digest(listing: str, output: Path, outputs: tuple[str, ...]) -> str:
    """A digest of everything a build's output depends on but the clock.

    Equal to the last build's: every post file and output file is as that
    build left it, and so are the settings, so there is nothing to do.
    """
    if not outputs:
        return ""
    digest = hashlib.sha256(listing.encode())
    for name in outputs:
        try:
            stat = (output / name).stat()
        except OSError:
            return ""  # a file is missing: build it
        digest.update(f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def file_stats(folder: Path, names: list[str]) -> dict[str, list[int]]:
    """[size, mtime_ns] of each file, to know later whether it is as written."""
    stats = {}
    for name in names:
        stat = (folder / name).stat()
        stats[name] = [stat.st_size, stat.st_mtime_ns]
    return stats


def as_left(folder: Path, record: SetRecord, names: list[str]) -> bool:
    """Whether the files `names` of a feed set are as the last build left them."""
    try:
        return file_stats(folder, names) == record.files
    except OSError:
        return False
