"""The one record passed between the stages of the pipeline."""

from __future__ import annotations

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
    digest: str = ""  # of the article's link and body: what its content is made from


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
        kind = "" if self.fatal else "warning: "
        return f"{self.path}: {kind}{self.field}: {self.message}"


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
