"""The library API: `build(config)` runs the whole pipeline and writes the feeds.

    from postfeed.build import build
    from postfeed.config import load_config

    result = build(load_config(site_url="https://example.org/"))

A build holds a lock (one build at a time per output folder), reads only new and
changed posts (the cache remembers the rest), renders content only for articles
that land in a feed, and rewrites only feed files whose bytes changed.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from postfeed import __version__
from postfeed.article import Article, PostError, Problem
from postfeed.cache import SCHEMA_VERSION, Cache
from postfeed.collector import Collection, collect, load_content, newest_articles
from postfeed.config import Config
from postfeed.lock import LockBusy, exclusive_lock
from postfeed.output import remove_stale_temporaries, write_if_changed
from postfeed.reader import PostFile, scan_posts

if TYPE_CHECKING:
    from postfeed import feeds

# The feed files a build writes, each named for its format.
FEED_FILES = ("rss.xml", "atom.xml")

__all__ = ["BuildError", "BuildResult", "LockBusy", "build", "check"]


class BuildError(Exception):
    """The build could not run or write its feeds; the feeds already there are untouched."""


@dataclass
class BuildResult:
    collection: Collection
    articles: list[Article] = field(default_factory=list)  # as written, newest first
    written: list[Path] = field(default_factory=list)  # every feed file of this build
    changed: list[Path] = field(default_factory=list)  # those whose bytes changed
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    up_to_date: bool = False  # nothing changed since the last build: nothing was done

    @property
    def problems(self) -> list[Problem]:
        return self.collection.problems


def build(
    config: Config,
    *,
    now: datetime | None = None,
    force: bool = False,
    use_cache: bool = True,
    wait: float = 0.0,
) -> BuildResult:
    """Read every post, write the newest `config.limit` articles as feeds.

    `force` re-reads every post (and refreshes the cache); `use_cache=False`
    keeps no cache at all. Raises LockBusy when another build holds the lock for
    longer than `wait` seconds, BuildError when the build cannot run or write.
    """
    if not config.posts.is_dir():
        raise BuildError(f"{config.posts}: no such folder of posts")
    clock = _Clock()
    output_name = config.output.resolve().name or "output"
    cache_file = config.cache_location / f"{output_name}.sqlite3" if use_cache else None
    try:
        with (
            exclusive_lock(config.cache_location / f"{output_name}.lock", wait),
            Cache(cache_file, _fingerprint(config)) as cache,
        ):
            if force:
                cache.clear()
            with clock("scan"):
                files = scan_posts(config.posts)
                state = _state(files, config)
            if cache.get("state") == state:
                return _unchanged(config, cache, files, clock.timings)
            with clock("collect"):
                collection = collect(config, cache, files, now)
            result = BuildResult(collection, timings=clock.timings)
            with clock("content"):
                digests = _fill_content(result, newest_articles(config, cache, now), config, cache)
                cache.keep_content(digests)
            with clock("render"):
                rendered = _render_isolating_failures(config, result)
            with clock("write"):
                remove_stale_temporaries(config.output, FEED_FILES)
                _write(rendered, result)
            # The next run may skip all work if nothing changes, unless the clock matters.
            cache.set("state", "" if collection.future else _state(files, config))
    except (OSError, sqlite3.Error) as error:
        where = getattr(error, "filename", None) or config.cache_location
        reason = getattr(error, "strerror", None) or error
        raise BuildError(f"{where}: {reason}") from None
    return result


def check(config: Config, now: datetime | None = None) -> Collection:
    """Read and normalize every post, content included, and write nothing.

    For `postfeed check`: every problem of every post, in path order.
    """
    if not config.posts.is_dir():
        raise BuildError(f"{config.posts}: no such folder of posts")
    with Cache(None, "") as memory:
        collection = collect(config, memory, now=now)
        for article in newest_articles(config, memory, now):
            try:
                load_content(article, config, None)
            except PostError as error:
                collection.problems.append(
                    Problem(article.source, error.field, error.message, True)
                )
            except Exception as error:
                collection.problems.append(Problem.from_exception(article.source, error))
    collection.problems.sort(key=lambda problem: problem.path.as_posix())
    return collection


def _render_isolating_failures(config: Config, result: BuildResult) -> dict[Path, bytes]:
    """The feeds; an article that cannot be written is reported and left out.

    Normalizing should make every article writable; if one slips through, it
    must cost only itself, never the feed.
    """
    try:
        return _render(config, result.articles)
    except Exception:
        writable = []
        for article in result.articles:
            try:
                _render(config, [article])
                writable.append(article)
            except Exception as error:
                result.problems.append(Problem.from_exception(article.source, error))
        result.articles = writable
        return _render(config, writable)


def _render(config: Config, articles: Sequence[Article]) -> dict[Path, bytes]:
    # feedgen and lxml are imported here, on first use: they take a noticeable part
    # of a second to import, and a build with nothing to write never needs them.
    from postfeed import feeds

    renderers = {"rss.xml": feeds.render_rss, "atom.xml": feeds.render_atom}
    return {
        config.output / name: renderers[name](channel(config, name), articles)
        for name in FEED_FILES
    }


def channel(config: Config, file_name: str) -> feeds.Channel:
    from postfeed import feeds

    return feeds.Channel(
        title=config.title,
        description=config.feed_description,
        site_url=config.site_url,
        self_url=config.feed_base + file_name,
        language=config.language,
        author=config.feed_author,
    )


def _fill_content(
    result: BuildResult, newest: Iterable[Article], config: Config, cache: Cache
) -> set[str]:
    """Render the newest `limit` articles; a post that fails here makes room for the next."""
    digests = set()
    for article in newest:
        if len(result.articles) == config.limit:
            break
        try:
            finished, digest = load_content(article, config, cache)
        except PostError as error:
            result.problems.append(Problem(article.source, error.field, error.message, True))
            continue
        except Exception as error:  # a bug, but it must cost only this post
            result.problems.append(Problem.from_exception(article.source, error))
            continue
        result.articles.append(finished)
        digests.add(digest)
    return digests


def _write(rendered: dict[Path, bytes], result: BuildResult) -> None:
    for path, data in rendered.items():
        try:
            if write_if_changed(path, data):
                result.changed.append(path)
        except OSError as error:
            raise BuildError(f"{path}: cannot write: {error.strerror or error}") from None
        result.written.append(path)


def _state(files: list[PostFile], config: Config) -> str:
    """A digest of everything a build's output depends on but the clock.

    Equal to the last build's: every post file and feed file is as that build
    left it, so there is nothing to do.
    """
    digest = hashlib.sha256(f"{_fingerprint(config)}|{config.limit}".encode())
    for post_file in files:
        digest.update(f"{post_file.key}\0{post_file.size}\0{post_file.mtime_ns}\n".encode())
    for name in FEED_FILES:
        try:
            stat = (config.output / name).stat()
        except FileNotFoundError:
            return ""  # a feed is missing: build it
        digest.update(f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _unchanged(
    config: Config, cache: Cache, files: list[PostFile], timings: dict[str, float]
) -> BuildResult:
    """The result of a build that found nothing to do: the problems are still reported."""
    collection = Collection(posts_read=len(files), skipped=cache.skipped())
    collection.problems = cache.problems(config.posts)
    written = [config.output / name for name in FEED_FILES]
    return BuildResult(collection, written=written, timings=timings, up_to_date=True)


def _fingerprint(config: Config) -> str:
    """What the cached results depend on: the program and every setting but the limit."""
    settings = repr({k: v for k, v in vars(config).items() if k not in ("limit", "output")})
    return hashlib.sha256(f"{SCHEMA_VERSION}|{__version__}|{settings}".encode()).hexdigest()


class _Clock:
    """Seconds spent in each stage, for -v."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[stage] = time.perf_counter() - started
