"""The library API: `build(config)` runs the whole pipeline and writes the feeds.

from postfeed.config import load_config
from postfeed.build import build
result = build(load_config(site_url="https://example.org/"))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from postfeed import feeds
from postfeed.article import Article, PostError, Problem
from postfeed.collector import Collection, collect, load_content
from postfeed.config import Config
from postfeed.output import write_if_changed

# Feed file name -> the function that renders it.
FEED_FILES: dict[str, Callable[[feeds.Channel, Sequence[Article]], bytes]] = {
    "rss.xml": feeds.render_rss,
    "atom.xml": feeds.render_atom,
}


class BuildError(Exception):
    """The build could not run or write its feeds; the feeds already there are untouched."""


@dataclass
class BuildResult:
    collection: Collection
    articles: list[Article] = field(default_factory=list)  # as written, newest first
    written: list[Path] = field(default_factory=list)  # every feed file of this build
    changed: list[Path] = field(default_factory=list)  # those whose bytes changed

    @property
    def problems(self) -> list[Problem]:
        return self.collection.problems


def newest_first(articles: Sequence[Article]) -> list[Article]:
    """Newest first; equal dates in the order of their file paths, so runs agree."""
    by_path = sorted(articles, key=lambda article: article.source.as_posix())
    return sorted(by_path, key=lambda article: article.published, reverse=True)


def build(config: Config, now: datetime | None = None) -> BuildResult:
    """Read every post, write the newest `config.limit` articles as feeds."""
    if not config.posts.is_dir():
        raise BuildError(f"{config.posts}: no such folder of posts")
    collection = collect(config, now)
    result = BuildResult(collection)
    for article in newest_first(collection.articles):
        if len(result.articles) == config.limit:
            break
        try:
            result.articles.append(load_content(article, config))
        except PostError as error:
            collection.problems.append(Problem(article.source, error.field, error.message, True))
    for name, render in FEED_FILES.items():
        path = config.output / name
        data = render(channel(config, name), result.articles)
        try:
            if write_if_changed(path, data):
                result.changed.append(path)
        except OSError as error:
            raise BuildError(f"{path}: cannot write: {error.strerror or error}") from None
        result.written.append(path)
    return result


def channel(config: Config, file_name: str) -> feeds.Channel:
    return feeds.Channel(
        title=config.title,
        description=config.feed_description,
        site_url=config.site_url,
        self_url=config.feed_base + file_name,
        language=config.language,
        author=config.feed_author,
    )
