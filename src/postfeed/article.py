"""The one record passed between the stages of the pipeline."""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


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
