"""Reading posts: find the files, decode them, split front matter from body."""

from __future__ import annotations

import codecs
import errno
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import Any, ClassVar, NamedTuple

import frontmatter
import yaml

from postfeed.article import FieldWarning, PostError
from postfeed.salvage import SalvageError, salvage_front_matter

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # not on Windows, where links are rare
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO put in a post's place must not block
POST_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".html"})

# Front matter larger than this is refused before YAML sees it.
MAX_FRONT_MATTER_CHARS = 256 * 1024
# Nodes visited when walking the loaded front matter; aliases count each time
# they are used, so an alias bomb is refused instead of expanded.
MAX_FRONT_MATTER_NODES = 20_000

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_FRONT_MATTER_START = re.compile(r"\A\s*^-{3,}[ \t]*$", re.MULTILINE)
# The lines around front matter, as python-frontmatter finds them, and `...`
# (YAML's end of document) closing it, as Jekyll allows.
_OPENING = frontmatter.YAMLHandler.FM_BOUNDARY
_CLOSING = re.compile(r"^(?:-{3,}|\.{3})\s*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Post:
    """One file as read: its front matter (a dict) and its body (text)."""

    path: Path
    name: str  # path inside the posts folder, POSIX style, without suffix
    meta: dict[str, Any]
    body: str
    mtime: float
    warnings: tuple[FieldWarning, ...] = ()


class _FrontMatterLoader(yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader):  # type: ignore[misc]
    """Safe loading, and plain scalars stay text.

    YAML 1.1 would turn `title: yes` into True and `title: 1.10` into 1.1, losing
    what the author wrote; front matter is text, so only null is resolved. Dates
    stay text too: postfeed.dates reads more formats than YAML, and reports an
    impossible date such as 2021-02-30 as a date error. Tags that would build
    objects are refused by the safe constructor.
    """

    yaml_implicit_resolvers: ClassVar = {
        first: [
            (tag, regexp)
            for tag, regexp in resolvers
            if not tag.endswith((":bool", ":int", ":float", ":timestamp"))
        ]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


class _YAMLHandler(frontmatter.YAMLHandler):
    def load(self, fm: str, **kwargs: object) -> Any:
        return yaml.load(fm, Loader=_FrontMatterLoader)


_HANDLER = _YAMLHandler()


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
    found: list[PostFile] = []
    folders = [(str(root), "")]  # (folder on disk, its key prefix)
    while folders:
        folder, prefix = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as error:
            if not prefix:
                raise  # the posts folder itself: nothing can be built
            reason = f"folder cannot be read: {error.strerror or error}"
            found.append(PostFile(folder, _utf8(prefix), 0, 0, reason))
            continue
        for entry in entries:
            name = entry.name
            if name[0] == ".":
                continue
            if entry.is_dir(follow_symlinks=False):
                folders.append((entry.path, f"{prefix}{name}/"))
                continue
            dot = name.rfind(".")
            if dot < 0 or name[dot:].lower() not in POST_SUFFIXES:
                continue
            key = prefix + name
            unusable = ""
            if not key.isascii():
                utf8 = _utf8(key)
                unusable = "" if utf8 == key else "name is not valid UTF-8: rename it"
                key = utf8
            if entry.is_symlink():
                found.append(PostFile(entry.path, key, 0, 0, unusable, SYMLINK_IGNORED))
                continue
            try:
                if not entry.is_file(follow_symlinks=False):  # a FIFO or a device would block
                    continue
                stat = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            found.append(PostFile(entry.path, key, stat.st_size, stat.st_mtime_ns, unusable))
    found.sort(key=lambda post_file: post_file.key)
    return found


def _utf8(name: str) -> str:
    """A file name as valid UTF-8 text: bytes that are not UTF-8 shown as escapes."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:  # os.fsdecode kept undecodable bytes as surrogates
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def read_post(path: Path, root: Path, max_size: int, salvage: bool = True) -> Post:
    """Read one post file. Raises PostError when it cannot be used.

    Opened without following a symbolic link, and only if it is a regular file:
    the file may have been replaced since the posts folder was listed.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise PostError("file", SYMLINK_IGNORED) from None
        raise PostError("file", error.strerror or str(error)) from None
    with os.fdopen(descriptor, "rb") as file:
        stat = os.fstat(descriptor)
        if not S_ISREG(stat.st_mode):
            raise PostError("file", "is not a regular file")
        if stat.st_size > max_size:
            raise PostError("file", f"is {stat.st_size:,} bytes, over max_post_size ({max_size:,})")
        try:
            data = file.read(max_size + 1)
        except OSError as error:
            raise PostError("file", error.strerror or str(error)) from None
    text, warnings = decode(data)
    meta, body, more_warnings = read_front_matter(text, salvage)
    name = path.relative_to(root).with_suffix("").as_posix()
    return Post(path, name, meta, body, stat.st_mtime, (*warnings, *more_warnings))


def decode(data: bytes) -> tuple[str, tuple[FieldWarning, ...]]:
    """Bytes to text with LF line ends: BOMs honoured, UTF-8 first, then detection."""
    warnings: list[FieldWarning] = []
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data.decode(encoding, errors="replace")
            break
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            import charset_normalizer  # slow to import, rarely needed

            best = charset_normalizer.from_bytes(data).best()
            if best is not None and best.encoding not in ("utf_8", "ascii"):
                text = str(best)
                warnings.append(("file", f"not UTF-8; read as {best.encoding}"))
            else:
                text = data.decode("utf-8", errors="replace")
                warnings.append(("file", "invalid UTF-8 bytes were replaced with U+FFFD"))
    text = text.lstrip("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, tuple(warnings)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Front matter between `---` lines (blank lines before the first are fine), read
    as strict YAML. A post without front matter is all body."""
    meta, body, _ = read_front_matter(text, salvage=False)
    return meta, body


def read_front_matter(text: str, salvage: bool) -> tuple[dict[str, Any], str, list[FieldWarning]]:
    """(front matter, body, warnings). The front matter ends at a `---` line or, as
    Jekyll allows, a `...` line. With `salvage`, front matter that strict YAML
    refuses is read as the simple `key: value` lines scrapers write (see
    postfeed.salvage), with a warning saying what was guessed."""
    if _FRONT_MATTER_START.match(text) is None:
        return {}, text, []
    start = len(text) - len(text.lstrip())
    opening = _OPENING.match(text, start)
    closing = _CLOSING.search(text, opening.end()) if opening else None
    if opening is None or closing is None:
        raise PostError("front matter", "starts with --- but has no closing --- line")
    raw, body = text[opening.end() : closing.start()], text[closing.end() :]
    if len(raw) > MAX_FRONT_MATTER_CHARS:
        raise PostError("front matter", f"is over {MAX_FRONT_MATTER_CHARS:,} characters")
    first_line = text.count("\n", 0, opening.end()) + 1  # the line `raw` starts on
    warnings: list[FieldWarning] = []
    try:
        meta = _HANDLER.load(raw)
    except _YAML_ERRORS as error:
        problem = _yaml_problem(error, first_line)
        if not salvage or not isinstance(error, _SALVAGEABLE):
            raise PostError("front matter", problem) from None
        try:
            meta, notes = salvage_front_matter(raw, _HANDLER.load, first_line)
        except SalvageError as failure:
            raise PostError("front matter", f"{problem} (not salvaged: {failure})") from None
        guessed = "; ".join(notes)
        warnings.append(("front matter", f"{problem}; read as simple lines: {guessed}"))
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise PostError("front matter", f"must be a mapping of keys, not {type(meta).__name__}")
    if "*" in raw:  # only aliases can make a small text expand into a huge value
        _check_size(meta)
    return {str(key).strip(): value for key, value in meta.items()}, body, warnings


# PyYAML's constructors raise more than YAMLError: ValueError for !!timestamp
# 2021-02-30, IndexError for `!!int` with no value, KeyError for `!!bool maybe`.
_YAML_ERRORS = (yaml.YAMLError, ValueError, TypeError, OverflowError, LookupError, RecursionError)
# Only a syntax error is worth a tolerant reading: a value YAML read but could not
# construct was written as YAML on purpose.
_SALVAGEABLE = (yaml.MarkedYAMLError,)


def _yaml_problem(error: Exception, first_line: int) -> str:
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        where = f" at line {first_line + mark.line}" if mark else ""
        return f"invalid YAML{where}: {error.problem or error.context or 'syntax error'}"
    if isinstance(error, yaml.YAMLError):
        return f"invalid YAML: {error}"
    return f"invalid value: {error}"


def _check_size(meta: dict[str, Any]) -> None:
    for count, _ in enumerate(_walk(meta), start=1):
        if count > MAX_FRONT_MATTER_NODES:
            raise PostError("front matter", "too many values (an alias bomb?)")


def _walk(value: Any) -> Iterator[Any]:
    stack = [value]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set):  # !!pairs and !!omap make tuples
            stack.extend(item)
