"""A tolerant reading of front matter that strict YAML refuses.

Scrapers write front matter line by line without quoting (`title: @someone: hi`,
a title wrapped in quotes again on every run, a long title broken over lines that
are not indented), and YAML then refuses the whole post for one line. This reads
the simple shape such generators write:

    key: value        one entry per line, at the indentation of the first key
    key:              a list: `- item` lines, indented or not
      - item
    # comment         comments and blank lines anywhere

Each top-level entry is first given to the caller's strict YAML loader on its own.
An entry that is valid YAML therefore gets exactly the value strict loading gives it
(quoted text with its escapes, lists, block scalars, null). Only an entry YAML
refuses is read tolerantly, and every such guess is described in a note. The
result holds only text, null and lists of those: a value YAML would make a mapping,
a nested list, binary data or anything else (a tag, an alias) is never guessed at,
and a shape other than the one above cannot be salvaged: SalvageError names the
line.

Duplicate keys: the last value is used, as PyYAML and Jekyll's Psych do (strict
loading here does the same); a note says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import yaml

# The reader refuses larger front matter before YAML sees it; this is a backstop.
MAX_CHARS = 256 * 1024
# Each entry costs a YAML load (about 20 µs); this caps the time spent guessing.
MAX_LINES = 5_000

_QUOTES = "\"'"
# YAML indicators that cannot start a plain key (`-`, `?` and `:` can, before a non-space).
_NOT_KEY_START = frozenset("[]{},#&*!|>%@`")
# A value YAML refused that starts like this meant something other than text.
_NOT_TEXT_START = {
    "&": "an anchor (&)",
    "*": "an alias (*)",
    "!": "a tag (!)",
    "[": "a [ list ] that is not valid YAML",
    "{": "a { mapping } that is not valid YAML",
    "|": "a block scalar (|) that is not valid YAML",
    ">": "a block scalar (>) that is not valid YAML",
}
# What strict loading raises; PyYAML's constructors also raise IndexError (`!!int` with
# no value) and KeyError (`!!bool maybe`).
_LOAD_ERRORS = (yaml.YAMLError, ValueError, TypeError, OverflowError, LookupError, RecursionError)
_FAILED = object()
_PREVIEW_CHARS = 60


class SalvageError(ValueError):
    """The front matter is not of the simple shape; `line` is where it stops being so."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


class Salvaged(NamedTuple):
    meta: dict[str, Any]  # str keys; values str, None, or lists of str and None
    notes: list[str]  # one per guess: "line 3: title: read as text, as written: @x"


def salvage_front_matter(raw: str, load: Callable[[str], Any], first_line: int = 1) -> Salvaged:
    """Read front matter of the simple `key: value` shape that `load` (strict YAML) refused.

    `raw` is the text between the `---` lines, `load` the strict loader (it raises
    on invalid YAML), `first_line` the file's line number of the first line of `raw`
    (notes and errors use file line numbers). Raises SalvageError when it cannot.
    """
    if len(raw) > MAX_CHARS:
        raise SalvageError(first_line, f"front matter over {MAX_CHARS:,} characters")
    lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if len(lines) > MAX_LINES:
        raise SalvageError(first_line, f"front matter over {MAX_LINES:,} lines is not salvaged")
    reader = _Reader(lines, load, first_line)
    reader.read()
    return Salvaged(reader.meta, reader.notes)


def _kind(line: str) -> str:
    """blank, comment, marker (--- or ...), item (- x), key (k: v) or text."""
    stripped = line.lstrip(" \t")
    if not stripped.rstrip(" \t"):
        return "blank"
    first = stripped[0]
    if first == "#":
        return "comment"
    if line[:3] in ("---", "...") and line[3:4] in ("", " ", "\t"):
        return "marker"
    if first == "-" and stripped[1:2] in ("", " ", "\t"):
        return "item"
    if first in _NOT_KEY_START or (first in "?:" and stripped[1:2] in ("", " ", "\t")):
        return "text"
    return "key" if _key_colon(stripped) > 0 else "text"


def _key_colon(text: str) -> int:
    """Index of the first `:` that ends a key (a space, a tab or the end follows), or -1."""
    colon = text.find(":")
    while colon >= 0:
        if text[colon + 1 : colon + 2] in ("", " ", "\t"):
            return colon
        colon = text.find(":", colon + 1)
    return -1


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _is_simple(value: Any) -> bool:
    if value is None or isinstance(value, str):
        return True
    return isinstance(value, list) and all(item is None or isinstance(item, str) for item in value)


def _describe(value: Any) -> str:
    """What YAML made of a value that is not text, for an error."""
    if isinstance(value, list):
        inner = next((item for item in value if not (item is None or isinstance(item, str))), [])
        return f"a list holding {_name(inner)}"
    return _name(value)


def _name(value: Any) -> str:
    names = {dict: "a mapping", list: "a list", bytes: "binary data", set: "a set"}
    return names.get(type(value), f"a value of type {type(value).__name__}")


def _preview(text: str) -> str:
    """The start of a value, on one line and without control characters, for a note."""
    shown = text[:_PREVIEW_CHARS] + ("…" if len(text) > _PREVIEW_CHARS else "")
    return " ".join("".join(char if char.isprintable() else " " for char in shown).split())


def _fold(first: str, lines: list[str]) -> str:
    """Lines joined as YAML joins a long plain value: a line break becomes a space, and
    each blank line between two lines a line break."""
    parts = [first]
    blanks = 0
    for line in lines:
        text = line.strip(" \t")
        if not text:
            blanks += 1
            continue
        parts.append("\n" * blanks if blanks else " ")
        parts.append(text)
        blanks = 0
    return "".join(parts)


def _unwrap(text: str) -> str | None:
    """`text` without the quotes wrapped around it, or None when it is not so wrapped.

    Wrapped means: a run of one quote character, text without that character, and a
    run of the same length, e.g. `""'x'""` (a generator that quoted the title again
    on every run); layers of both characters are removed. `"a" and "b"` and `'It's'`
    are not wrapped: which quotes belong to the text cannot be known.
    """
    start, end = 0, len(text)
    count = {quote: text.count(quote) for quote in _QUOTES}
    while end - start >= 2 and text[start] in _QUOTES and text[end - 1] == text[start]:
        quote = text[start]
        left = start
        while left < end and text[left] == quote:
            left += 1
        run = left - start
        if left == end or text[end - run : end] != quote * run or count[quote] != 2 * run:
            break
        start, end = start + run, end - run
        count[quote] = 0
    return text[start:end] if start else None


def _closes(text: str) -> bool:
    """Whether the quoted scalar `text` starts with is closed within it."""
    quote = text[0]
    index = 1
    while index < len(text):
        char = text[index]
        if quote == '"' and char == "\\":
            index += 2
            continue
        if char == quote:
            if quote == "'" and text[index + 1 : index + 2] == "'":
                index += 2  # '' is a quote inside single quotes
                continue
            return True
        index += 1
    return False


class _Reader:
    def __init__(self, lines: list[str], load: Callable[[str], Any], first_line: int) -> None:
        self.lines = lines
        self.load = load
        self.first_line = first_line
        self.kinds = [_kind(line) for line in lines]
        # The last line holding each quote: an unclosed quote may be closed on a later
        # line (YAML allows quoted text over several lines), so it is not guessed at.
        self.last_quote = {quote: -1 for quote in _QUOTES}
        for index, line in enumerate(lines):
            for quote in _QUOTES:
                if quote in line:
                    self.last_quote[quote] = index
        self.meta: dict[str, Any] = {}
        self.notes: list[str] = []
        self.key_lines: dict[str, int] = {}

    def number(self, index: int) -> int:
        return self.first_line + index

    def fail(self, index: int, reason: str) -> SalvageError:
        return SalvageError(self.number(index), reason)

    def read(self) -> None:
        for start, end in self.entries():
            # The entry's text exactly as in `raw`: a block scalar keeps its last line break.
            text = "\n".join(self.lines[start:end]) + ("\n" if end < len(self.lines) else "")
            value = self.try_load(text)
            if isinstance(value, dict) and value:
                for key, item in value.items():
                    if not _is_simple(item):
                        raise self.fail(
                            start, f"{_preview(str(key))}: YAML reads {_describe(item)} here"
                        )
                    self.add(start, str(key).strip(), item)
            else:
                self.read_tolerantly(start, end)

    def entries(self) -> list[tuple[int, int]]:
        """(start, end) line ranges: a key line at the first key's indentation, and
        every line after it up to the next such key line."""
        content = [i for i, kind in enumerate(self.kinds) if kind not in ("blank", "comment")]
        if not content:
            return []
        base = _indent(self.lines[content[0]])
        starts: list[int] = []
        for index in content:
            kind, indent = self.kinds[index], _indent(self.lines[index])
            if kind == "marker":
                raise self.fail(index, "a document marker (--- or ...) inside front matter")
            if kind == "key" and indent == base:
                starts.append(index)
            elif not starts:
                raise self.fail(index, "not a `key: value` line")
            elif kind == "key" and indent < base:
                first = self.number(content[0])
                raise self.fail(index, f"a key indented less than the first key (line {first})")
        ends = [*starts[1:], len(self.lines)]
        return list(zip(starts, ends, strict=True))

    def try_load(self, text: str) -> Any:
        try:
            return self.load(text)
        except _LOAD_ERRORS:
            return _FAILED

    def add(self, index: int, key: str, value: Any) -> None:
        if key in self.key_lines:
            self.notes.append(
                f"line {self.number(index)}: {_preview(key)}: given again (before on line "
                f"{self.number(self.key_lines[key])}); the last value is used"
            )
        self.key_lines[key] = index
        self.meta[key] = value

    def read_tolerantly(self, start: int, end: int) -> None:
        line = self.lines[start].lstrip(" \t")
        colon = _key_colon(line)
        key = self.key(start, line[:colon].strip(" \t"))
        shown = _preview(key)  # keys in messages, like values, without control characters
        value = line[colon + 1 :].strip(" \t")
        if value.startswith("#"):
            value = ""  # a comment, as in YAML
        rest = [i for i in range(start + 1, end) if self.kinds[i] not in ("blank", "comment")]
        for index in rest:
            if self.kinds[index] == "key":
                raise self.fail(index, "a nested `key: value` (only top-level keys are read)")
        items = [i for i in rest if self.kinds[i] == "item"]
        texts = [i for i in rest if self.kinds[i] == "text"]
        if value and items:
            raise self.fail(items[0], f"a list item after the value of {shown}")
        if not value and texts:
            raise self.fail(texts[0], f"text after `{shown}:` that is not a `- item` line")
        if items:
            for index in items:
                if _indent(self.lines[index]) != _indent(self.lines[items[0]]):
                    raise self.fail(index, f"{shown}: list items indented differently")
            self.add(start, key, [self.item(shown, index) for index in items])
        elif texts:
            last = texts[-1]
            lines = [
                self.lines[i] for i in range(start + 1, last + 1) if self.kinds[i] != "comment"
            ]
            text, how = self.text(_fold(value, lines), start, last)
            where = f"lines {self.number(start)}-{self.number(last)}"
            self.notes.append(f"{where}: {shown}: lines joined and {how}: {_preview(text)}")
            self.add(start, key, text)
        elif value:
            text, how = self.text(value, start, start)
            self.notes.append(f"line {self.number(start)}: {shown}: {how}: {_preview(text)}")
            self.add(start, key, text)
        else:
            self.add(start, key, None)

    def key(self, index: int, text: str) -> str:
        if text[:1] in _QUOTES:
            key = self.try_load(text)
            if not isinstance(key, str):
                raise self.fail(index, "a quoted key that is not valid YAML")
            return key.strip()
        return text.strip()

    def item(self, shown: str, index: int) -> str | None:
        stripped = self.lines[index].lstrip(" \t")
        loaded = self.try_load(stripped)
        if isinstance(loaded, list) and len(loaded) == 1:
            if not _is_simple(loaded[0]) or isinstance(loaded[0], list):
                raise self.fail(index, f"{shown}: YAML reads {_name(loaded[0])} here")
            return loaded[0]
        value = stripped[1:].strip(" \t")
        if not value:  # `-` and a tab, which YAML refuses: an empty item, as `-` alone
            self.notes.append(f"line {self.number(index)}: {shown}: item read as empty")
            return None
        text, how = self.text(value, index, index)
        self.notes.append(f"line {self.number(index)}: {shown}: item {how}: {_preview(text)}")
        return text

    def text(self, value: str, index: int, last: int) -> tuple[str, str]:
        """A value YAML refused, as text, and how it was read; or SalvageError."""
        first = value[0]
        if first in _NOT_TEXT_START:
            raise self.fail(index, f"{_NOT_TEXT_START[first]} is not guessed at")
        if first in _QUOTES:
            unwrapped = _unwrap(value)
            if unwrapped is not None:
                return unwrapped, "read as text without the quotes around it"
            if not _closes(value) and self.last_quote[first] > last:
                raise self.fail(index, f"a {first} quote that is not closed on its line")
        return value, "read as text, as written"
