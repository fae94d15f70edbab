"""Reading one post file: decode it, split its front matter from its body, read the front matter."""

from __future__ import annotations

import codecs
import errno
import json
import os
import re
import threading
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import Any, ClassVar

import frontmatter
import yaml

from postfeed.article import FieldWarning, PostError
from postfeed.salvage import SalvageError, salvage_front_matter
from postfeed.scan import SYMLINK_IGNORED

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # not on Windows, where links are rare
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO put in a post's place must not block
_FILE = os.O_RDONLY | _NOFOLLOW | _NONBLOCK
_FOLDER = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
_BY_DESCRIPTOR = os.open in os.supports_dir_fd and os.sep == "/" and bool(_NOFOLLOW)

# Front matter larger than this is refused before YAML sees it.
MAX_FRONT_MATTER_CHARS = 256 * 1024
# Nodes visited when walking the loaded front matter; aliases count each time
# they are used, so an alias bomb is refused instead of expanded.
MAX_FRONT_MATTER_NODES = 20_000
# Tables and arrays inside TOML or JSON front matter; real posts nest two or three
# levels, and the code that reads the values walks them recursively.
MAX_FRONT_MATTER_DEPTH = 100

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
# Hugo's other two kinds: TOML between `+++` lines, and a JSON object that is the
# first thing in the file. Only `{"` or `{}` can open a JSON object, so a body that
# starts with `{% raw %}` or `{{< shortcode >}}` stays a body.
_TOML_START = re.compile(r"\A\s*^\+{3}[ \t]*$", re.MULTILINE)
_TOML_FENCE = re.compile(r"^\+{3}[ \t]*$", re.MULTILINE)
_JSON_START = re.compile(r"\A\s*(\{)\s*[\"}]")
_JSON_SPECIAL = re.compile(r'[{}"\\]')
# A dotted key (`a.b.c = 1`, `[a.b.c]`) of more parts than MAX_FRONT_MATTER_DEPTH:
# tomllib's time and memory grow with the square of the parts (40,000 take 20 s).
# Keys are on one line; a run of dotted words this long is invalid TOML anywhere else.
_TOML_KEY_PART = r"""(?:[\w-]+|"[^"\n]*"|'[^'\n]*')[ \t]*\.[ \t]*"""
_TOML_LONG_KEY = re.compile(rf"""(?<![\w"'.-])(?:{_TOML_KEY_PART}){{{MAX_FRONT_MATTER_DEPTH}}}""")
_TOML_WHERE = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)$")


@dataclass(frozen=True, slots=True)
class Post:
    """One file as read: its front matter (a dict) and its body (text)."""

    path: Path
    name: str  # path inside the posts folder, POSIX style, without suffix
    meta: dict[str, Any]
    body: str
    mtime: float
    warnings: tuple[FieldWarning, ...] = ()
    data: bytes = b""  # the file's bytes, front matter and all, as read


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

    def resolve(self, kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str:
        """The resolvers above, for a scalar, as one lookup (this runs for every node)."""
        if kind is yaml.ScalarNode and not value.endswith("\n"):  # "$" matches before one
            return _IMPLICIT_TAGS.get(value, _STR) if implicit[0] else _STR
        return super().resolve(kind, value, implicit)  # type: ignore[no-any-return]


_STR = "tag:yaml.org,2002:str"
# The plain scalars that _FrontMatterLoader's implicit resolvers match, and their tags.
_IMPLICIT_TAGS = {
    **dict.fromkeys(("~", "null", "Null", "NULL", ""), "tag:yaml.org,2002:null"),
    "<<": "tag:yaml.org,2002:merge",
    "=": "tag:yaml.org,2002:value",
    **dict.fromkeys(("!", "&", "*"), "tag:yaml.org,2002:yaml"),
}


class _YAMLHandler(frontmatter.YAMLHandler):
    def load(self, fm: str, **kwargs: object) -> Any:
        return _load_yaml(fm)


def _load_yaml(text: str) -> Any:
    """yaml.load(text, Loader=_FrontMatterLoader), with the usual front matter (text,
    nulls, lists and mappings of them, no aliases) built from the parsed nodes by
    _plain, several times faster than PyYAML's constructor, which builds the rest."""
    simple = _simple_yaml(text)
    if simple is not None:
        return simple
    loader = _FrontMatterLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if "*" not in text:  # no alias: no node is shared, so none is built twice
            try:
                return _plain(node)
            except (_NotPlain, RecursionError):
                pass
        return loader.construct_document(node)
    finally:
        loader.dispose()


# The commonest front matter, read without YAML's parser (see _simple_yaml): `key:` at the
# start of a line, then a quoted or plain scalar, `[]`, or nothing and `- item` lines.
# The value runs to the end of the line, its trailing spaces stripped after: `(.*?) *`
# would try to end it at every character (ten times slower on a long title).
_SIMPLE_KEY = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_-]*):(?: +(.*))?")
_SIMPLE_ITEM = re.compile(r"( *)- +(.*)")
# Plain scalars that cannot be anything else: no indicator first, no ": ", " #" or flow
# characters in them, no ":" last. Runs of other characters are taken whole, and never
# given back (each character can be read only one way, so nothing is lost by that).
_SIMPLE_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`](?:[^:#,\[\]{}]++|:(?=[^ ])|(?<! )#)*+")
# Characters PyYAML refuses (it reports them), and those it treats specially (tabs, BOM,
# line breaks other than LF): front matter holding any of them goes to YAML's parser.
_NOT_SIMPLE = re.compile(
    "[^\x0a\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)


def _simple_yaml(text: str) -> dict[str, Any] | None:
    """What YAML reads in front matter of only `key: scalar`, `key: []` and `key:` with
    `- scalar` items (scalars quoted without escapes, or plain and unambiguous), or None
    for anything else, which YAML's parser reads."""
    if _NOT_SIMPLE.search(text):
        return None
    meta: dict[str, Any] = {}
    items: list[Any] | None = None  # the list of the last key, while `- item` lines follow
    indent = ""
    key = ""
    for line in text.split("\n"):
        if not line.strip(" "):
            continue
        item = _SIMPLE_ITEM.fullmatch(line)
        if item:
            if items is None or (items and item[1] != indent):
                return None
            indent = item[1]
            value = _simple_scalar(item[2].rstrip(" "))
            if value is _NOT_SCALAR:
                return None
            items.append(value)
            meta[key] = items
            continue
        found = _SIMPLE_KEY.fullmatch(line)
        if not found or found[1] in _IMPLICIT_TAGS:
            return None
        key, raw = found[1], (found[2] or "").rstrip(" ")
        items = None
        if not raw:
            meta[key], items, indent = None, [], ""
        elif raw == "[]":
            meta[key] = []
        else:
            value = _simple_scalar(raw)
            if value is _NOT_SCALAR:
                return None
            meta[key] = value
    return meta or None  # no key: YAML says None, or why it is not a mapping


_NOT_SCALAR = object()


def _simple_scalar(raw: str) -> Any:
    """A quoted scalar without escapes or a plain one that stays text, or _NOT_SCALAR."""
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        inner = raw[1:-1]
        return _NOT_SCALAR if raw[0] in inner or "\\" in inner else inner
    if raw not in _IMPLICIT_TAGS and _SIMPLE_PLAIN.fullmatch(raw):
        return raw
    return _NOT_SCALAR


_NULL, _SEQ, _MAP = (f"tag:yaml.org,2002:{kind}" for kind in ("null", "seq", "map"))


class _NotPlain(Exception):
    """A node _plain leaves to PyYAML's constructor (another tag, a merge key...)."""


def _plain(node: yaml.Node) -> Any:
    """What the safe constructor makes of a node of text, null, sequence and mapping
    tags only; _NotPlain for any other node."""
    kind, tag = node.id, node.tag
    if kind == "scalar":
        if tag == _STR:
            return node.value
        if tag == _NULL:
            return None
    elif kind == "sequence" and tag == _SEQ:
        return [_plain(child) for child in node.value]
    elif kind == "mapping" and tag == _MAP:
        mapping = {}
        for key_node, value_node in node.value:
            key = _plain(key_node)
            if isinstance(key, list | dict):  # unhashable: PyYAML says so
                raise _NotPlain
            mapping[key] = _plain(value_node)
        return mapping
    raise _NotPlain


_HANDLER = _YAMLHandler()


def read_post(path: Path, root: Path, max_size: int, salvage: bool = True) -> Post:
    """Read one post file. Raises PostError when it cannot be used.

    Opened without following a symbolic link, and only if it is a regular file:
    the file may have been replaced since the posts folder was listed.
    """
    try:
        descriptor = _open(path, root)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise PostError("file", SYMLINK_IGNORED) from None
        raise PostError("file", error.strerror or str(error)) from None
    try:
        stat = os.fstat(descriptor)
        if not S_ISREG(stat.st_mode):
            raise PostError("file", "is not a regular file")
        if stat.st_size > max_size:
            raise PostError("file", f"is {stat.st_size:,} bytes, over max_post_size ({max_size:,})")
        try:
            data = _read_open(descriptor, stat.st_size, max_size + 1)
        except OSError as error:
            raise PostError("file", error.strerror or str(error)) from None
    finally:
        os.close(descriptor)
    text, warnings = decode(data)
    meta, body, more_warnings = read_front_matter(text, salvage)
    name = _name(path, root)
    return Post(path, name, meta, body, stat.st_mtime, (*warnings, *more_warnings), data)


def _open(path: Path, root: Path) -> int:
    """Open a post for reading without following a link anywhere below `root`: not the
    file, and not a folder between (one swapped for a link after the scan listed it
    would lead out of the posts folder). Each folder is opened relative to the one
    above it, where the OS allows; a post at the top needs no folder opened."""
    full, top = str(path), str(root)
    inner = full[len(top) + 1 :] if full.startswith(top + "/") and top != "/" else ""
    if not _BY_DESCRIPTOR or "/" not in inner:
        return os.open(path, _FILE)
    folder, name = inner.rsplit("/", 1)
    kept: dict[tuple[str, str], int] | None = getattr(_kept, "folder", None)
    if kept is not None and (top, folder) in kept:
        return os.open(name, _FILE, dir_fd=kept[top, folder])
    descriptor = _open_folder(top, folder)
    if kept is not None:  # the next posts of this folder are opened in it too
        for old in kept.values():
            os.close(old)
        kept.clear()
        kept[top, folder] = descriptor
        return os.open(name, _FILE, dir_fd=descriptor)
    try:
        return os.open(name, _FILE, dir_fd=descriptor)
    finally:
        os.close(descriptor)


def _open_folder(top: str, folder: str) -> int:
    first, *below = folder.split("/")
    # By its path: the posts folder itself may be a link (it is the configuration's).
    descriptor = os.open(f"{top}/{first}", _FOLDER | _NOFOLLOW)
    try:
        for name in below:
            inner = os.open(name, _FOLDER | _NOFOLLOW, dir_fd=descriptor)
            os.close(descriptor)
            descriptor = inner
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


# The folder the last post was opened in, while folders_kept() is on, in this thread.
_kept = threading.local()


@contextmanager
def folders_kept() -> Iterator[None]:
    """Within the block, the folder a post was opened in stays open for the next posts
    in the same folder (a build reads them in key order: opening each folder of the
    path again for every post cost 5 % of a cold build). Only for a block of posts read
    together, so that a folder replaced meanwhile is not used for long."""
    _kept.folder = {}
    try:
        yield
    finally:
        for descriptor in _kept.folder.values():
            os.close(descriptor)
        _kept.folder = None


def _name(path: Path, root: Path) -> str:
    """path.relative_to(root).with_suffix("").as_posix(), with string operations where
    the path is below the root in POSIX spelling (as the scan makes every path)."""
    full, top = str(path), str(root)
    if os.sep != "/" or top == "/" or not full.startswith(top + "/"):
        return path.relative_to(root).with_suffix("").as_posix()
    name = full[len(top) + 1 :]
    dot = name.rfind(".")
    if dot > name.rfind("/") + 1 and dot < len(name) - 1:  # as pathlib finds a suffix
        name = name[:dot]
    return name


def _read_open(descriptor: int, size: int, limit: int) -> bytes:
    """The bytes of an open file to its end, but no more than `limit`; `size` is the
    size it had when opened (asking for exactly that, not for `limit`, spares a
    buffer of `limit` bytes for every post). A file that grew since is read on."""
    chunks = []
    want = min(size + 1, limit)
    while limit > 0 and (chunk := os.read(descriptor, min(want, limit))):
        chunks.append(chunk)
        limit -= len(chunk)
        want = 1 << 16  # the read that finds the end, or a file that grew
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


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
    """(front matter, body, warnings).

    YAML front matter starts with a `---` line and ends at a `---` line or, as
    Jekyll allows, a `...` line. With `salvage`, front matter that strict YAML
    refuses is read as the simple `key: value` lines scrapers write (see
    postfeed.salvage), with a warning saying what was guessed. As Hugo allows, it
    may instead be TOML between `+++` lines, or a JSON object that opens the file;
    those are read strictly, and their dates and numbers keep their types.
    """
    toml_start = _TOML_START.match(text)
    if toml_start:
        meta, body = _read_toml(text, toml_start.end())
        return _keys_as_text(meta), body, []
    json_start = _JSON_START.match(text)
    if json_start:
        meta, body = _read_json(text, json_start.start(1))
        return _keys_as_text(meta), body, []
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
    return _keys_as_text(meta), body, warnings


def _keys_as_text(meta: dict[Any, Any]) -> dict[str, Any]:
    return {str(key).strip(): value for key, value in meta.items()}


def _read_toml(text: str, opening_end: int) -> tuple[dict[str, Any], str]:
    """TOML front matter between `+++` lines, as Hugo reads it, and the body after it;
    `opening_end` is the end of the opening `+++` line."""
    begin = opening_end + 1  # past the line end
    closing = _TOML_FENCE.search(text, begin) if begin <= len(text) else None
    if closing is None:
        raise PostError("front matter", "starts with +++ but has no closing +++ line")
    raw = text[begin : closing.start()]
    if len(raw) > MAX_FRONT_MATTER_CHARS:
        raise PostError("front matter", f"is over {MAX_FRONT_MATTER_CHARS:,} characters")
    first_line = text.count("\n", 0, begin) + 1
    if _TOML_LONG_KEY.search(raw):
        raise PostError("front matter", _TOO_DEEP)
    try:
        meta = tomllib.loads(raw)
    except RecursionError:
        raise PostError("front matter", _TOO_DEEP) from None
    except ValueError as error:  # TOMLDecodeError, or an integer of 5,000 digits
        raise PostError("front matter", _toml_problem(error, first_line, raw)) from None
    _check_depth(meta)
    return meta, _after_line_end(text, closing.end())


def _toml_problem(error: ValueError, first_line: int, raw: str) -> str:
    if not isinstance(error, tomllib.TOMLDecodeError):
        return f"invalid TOML: {error}"
    where = _TOML_WHERE.search(str(error))
    if where is None:
        return f"invalid TOML: {error}"
    line = int(where[1]) if where[1] else raw.count("\n") + 1  # the end: the closing +++
    return f"invalid TOML at line {first_line + line - 1}: {str(error)[: where.start()]}"


def _read_json(text: str, start: int) -> tuple[dict[str, Any], str]:
    """A JSON object opening the file at `start`, as Hugo reads it, and the body after it.

    Hugo ends the object where its braces balance, counting those outside strings;
    that is found first, so the size limit applies before JSON sees the text.
    """
    limit = min(len(text), start + MAX_FRONT_MATTER_CHARS + 1)
    end = _json_end(text, start, limit)
    if end is None:
        if limit < len(text):
            raise PostError("front matter", f"is over {MAX_FRONT_MATTER_CHARS:,} characters")
        raise PostError("front matter", "starts with { but the JSON object is never closed")
    first_line = text.count("\n", 0, start) + 1
    try:
        meta = json.loads(text[start:end])
    except RecursionError:
        raise PostError("front matter", _TOO_DEEP) from None
    except json.JSONDecodeError as error:
        line = first_line + error.lineno - 1
        raise PostError("front matter", f"invalid JSON at line {line}: {error.msg}") from None
    except ValueError as error:  # an integer of 5,000 digits
        raise PostError("front matter", f"invalid JSON: {error}") from None
    _check_depth(meta)
    return meta, _after_line_end(text, end)


def _json_end(text: str, start: int, limit: int) -> int | None:
    """Where the braces opened at `start` balance (Hugo's scan: braces inside strings do
    not count, a backslash hides the next character), or None before `limit`."""
    level, in_string, position = 0, False, start
    while (found := _JSON_SPECIAL.search(text, position, limit)) is not None:
        char, position = found.group(), found.end()
        if char == "\\":
            position += 1
        elif char == '"':
            in_string = not in_string
        elif not in_string:
            level += 1 if char == "{" else -1
            if level == 0:
                return position
    return None


def _after_line_end(text: str, position: int) -> str:
    """The body: the text after `position`, less the line end that closes the front matter."""
    return text[position + 1 :] if text.startswith("\n", position) else text[position:]


_TOO_DEEP = f"nested more than {MAX_FRONT_MATTER_DEPTH} levels deep"


def _check_depth(meta: dict[str, Any]) -> None:
    stack: list[tuple[Any, int]] = [(meta, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_FRONT_MATTER_DEPTH:
            raise PostError("front matter", _TOO_DEEP)
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


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
