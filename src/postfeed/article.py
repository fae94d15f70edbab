"""The one record passed between the stages of the pipeline."""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
# A warning about one field of a post, as (field, message); the post is still published.
FieldWarning = tuple[str, str]
Warn = Callable[[str, str], None]


@dataclass(frozen=True, slots=True)
class Article:
    """A post, normalized: every field is ready to be written to a feed.

    Datetimes are aware and in UTC; text fields hold no characters that XML 1.0
    forbids; `content` is sanitized HTML and `summary` plain text.
    """

    source: Path
    title: str
    link: str
    id: str
    published: datetime
    updated: datetime
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()  # written to feeds as categories too, as jekyll-feed does
    author: str | None = None
    image: str | None = None
    summary: str = ""
    content: str = ""


@dataclass(frozen=True, slots=True)
class PostResult:
    """What reading one post gave: an article, or none (rejected or skipped), and problems."""

    article: Article | None
    problems: tuple[Problem, ...] = ()
    skipped: bool = False  # a draft, or `published: false`
    digest: str = ""  # of the article's link and file: what its content is made from
    own_id: str = ""  # the id derived from the post's path, used if another post keeps its id


@dataclass(frozen=True, slots=True)
class Channel:
    """What a feed says about itself: the neutral record a writer gets beside Articles."""

    title: str
    description: str
    site_url: str  # the web site the articles belong to
    self_url: str  # where this very feed file is served
    language: str
    author: str
    full_content: bool = True  # False: summaries only, no full HTML
    hubs: tuple[str, ...] = ()  # WebSub hubs


class PostError(Exception):
    """A post cannot be published; `field` names what is wrong with it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with one post, reported as `PATH: field: message`."""

    path: Path
    field: str
    message: str
    fatal: bool  # True: the post was left out of the feeds; False: a warning
    detail: str = ""  # a traceback, for an unexpected error (shown with -v)

    @classmethod
    def from_exception(cls, path: Path, error: Exception) -> Problem:
        """An unexpected error: a bug, reported against the one post it happened in."""
        detail = "".join(traceback.format_exception(error)).rstrip()
        return cls(path, "internal error", f"{type(error).__name__}: {error}", True, detail)

    def __str__(self) -> str:
        """One line, safe to print at a terminal: control characters from a file name
        or a post (an escape sequence could retitle the terminal or fake a line) are
        shown escaped, and a long value is cut."""
        kind = "" if self.fatal else "warning: "
        where = printable(str(self.path), MAX_SHOWN)
        return f"{where}: {kind}{printable(self.field, 80)}: {printable(self.message, MAX_SHOWN)}"


# How much of a value a message shows: a rejected field can be megabytes long.
MAX_SHOWN = 300
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str, limit: int | None = None, keep_newlines: bool = False) -> str:
    """`text` with control characters escaped (\\x1b, \\u202e), cut at `limit` characters."""
    if limit is not None and len(text) > limit:
        text = f"{text[:limit]}… ({len(text):,} characters)"

    def escape(match: re.Match[str]) -> str:
        character = match.group(0)
        if keep_newlines and character == "\n":
            return character
        code = ord(character)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _UNPRINTABLE.sub(escape, text)


def attempt(path: Path, problems: list[Problem], work: Callable[[], T]) -> T | None:
    """work(), or None when it fails, the failure reported against the post at `path`.

    Whatever goes wrong with one post, a bug included, costs only that post.
    """
    try:
        return work()
    except PostError as error:
        problems.append(Problem(path, error.field, error.message, fatal=True))
    except Exception as error:  # a bug, but it must cost only this post
        problems.append(Problem.from_exception(path, error))
    return None
