"""The library API: `build(config)` runs the whole pipeline and writes the feeds.

    from postfeed.build import build
    from postfeed.config import load_config

    result = build(load_config(site_url="https://example.org/"))

A build holds a lock (one build at a time per output folder), reads only new and
changed posts (the cache remembers the rest), renders content only for articles
that land in some feed, and rewrites only files whose bytes changed.

What it writes, below the output folder:

    rss.xml atom.xml feed.json      the main feeds
    categories/<slug>/...           the same three for every category
    <name>/...                      the same three for every [[feeds]] table
    feeds.opml index.html           every feed, for readers and for people
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from postfeed import __version__
from postfeed.article import Article, PostError, Problem
from postfeed.cache import SCHEMA_VERSION, Cache
from postfeed.collector import Collection, collect, load_content, newest_articles, prerender
from postfeed.config import Config
from postfeed.feedsets import FeedSet, feed_sets, select
from postfeed.lock import LockBusy, exclusive_lock
from postfeed.output import remove_stale_temporaries, write_changed
from postfeed.reader import PostFile, scan_posts

if TYPE_CHECKING:
    from postfeed import feeds, pages

# The feed files of every feed set, by format.
FEED_FILES = {"rss.xml": "RSS", "atom.xml": "Atom", "feed.json": "JSON Feed"}
# The files that list the feeds, in the output folder itself.
SITE_FILES = ("feeds.opml", "index.html")
# Articles shown on index.html.
INDEX_ARTICLES = 20

__all__ = ["BuildError", "BuildResult", "LockBusy", "build", "check"]


class BuildError(Exception):
    """The build could not run or write its feeds; the feeds already there are untouched."""


@dataclass
class BuildResult:
    collection: Collection
    articles: list[Article] = field(default_factory=list)  # the main feed's, newest first
    feed_sets: list[FeedSet] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)  # every file of this build
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
    ping: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> BuildResult:
    """Read every post and write every feed set.

    `force` re-reads every post (and refreshes the cache); `use_cache=False`
    keeps no cache at all; `ping` tells the WebSub hub (if configured) which
    feeds changed; `progress(done, total)` follows the reading of new posts.
    Raises LockBusy when another build holds the lock for
    longer than `wait` seconds, BuildError when the build cannot run or write.
    """
    if not config.posts.is_dir():
        raise BuildError(f"{config.posts}: no such folder of posts")
    now = now or datetime.now(UTC)
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
                listing = _listing(files, config)
                last_outputs = json.loads(cache.get("outputs") or "[]")
                state = _state(listing, config, last_outputs)
            if state and cache.get("state") == state:
                return _unchanged(config, cache, files, last_outputs, clock.timings)
            with clock("collect"):
                collection = collect(config, cache, files, now, progress)
            result = BuildResult(collection, timings=clock.timings)
            with clock("select"):
                result.feed_sets = feed_sets(config, cache.category_counts(), now)
                chosen = _select(result, config, cache, now)
            with clock("render"):
                known_sets = json.loads(cache.get("sets") or "{}")
                rendered, kept, made_from = _render_all(config, result, chosen, known_sets)
            with clock("write"):
                _write(config, rendered, kept, result, last_outputs)
                cache.set("sets", json.dumps(_set_records(config, made_from), ensure_ascii=False))
            if ping and config.hub:
                with clock("ping"):
                    _ping(config, result)
            outputs = sorted(path.relative_to(config.output).as_posix() for path in result.written)
            cache.set("outputs", json.dumps(outputs, ensure_ascii=False))
            # The next run may skip all work if nothing changes, unless the clock matters.
            clock_matters = collection.future or any(s.since for s in result.feed_sets)
            cache.set("state", "" if clock_matters else _state(listing, config, outputs))
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
            _finish(article, config, None, collection.problems)
    collection.problems.sort(key=lambda problem: problem.path.as_posix())
    return collection


def channel(config: Config, feed_set: FeedSet, file_name: str) -> feeds.Channel:
    """What the feed `file_name` of `feed_set` says about itself."""
    from postfeed import feeds

    return feeds.Channel(
        title=feed_set.title,
        description=config.feed_description,
        site_url=config.site_url,
        self_url=feed_url(config, feed_set, file_name),
        language=config.language,
        author=config.feed_author,
        full_content=feed_set.full_content,
        hubs=(config.hub,) if config.hub else (),
    )


def feed_url(config: Config, feed_set: FeedSet, file_name: str) -> str:
    """The absolute URL a feed file is served at (CJK slugs percent-encoded)."""
    folder = quote(feed_set.folder) + "/" if feed_set.folder else ""
    return f"{config.feed_base}{folder}{file_name}"


def _ping(config: Config, result: BuildResult) -> None:
    from postfeed import websub

    changed = [path for path in result.changed if path.name in FEED_FILES]
    urls = [
        config.feed_base + quote(path.relative_to(config.output).as_posix()) for path in changed
    ]
    for warning in websub.ping(config.hub, urls):
        result.problems.append(Problem(config.output, "websub", warning, fatal=False))


def _select(
    result: BuildResult, config: Config, cache: Cache, now: datetime
) -> dict[FeedSet, list[Article]]:
    from postfeed import content  # imported on first use: a no-change run never needs it

    shown: set[str] = set()  # cache keys of the content of every article in a feed

    def finish(article: Article) -> Article | None:
        finished = _finish(article, config, cache, result.problems)
        if finished is not None:
            shown.add(finished[1])
            return finished[0]
        return None

    # A first walk without content finds what the sets without keyword filters will
    # take, so that a cold build can render all of it on every core at once.
    plain_sets = [feed_set for feed_set in result.feed_sets if not feed_set.reads_content]
    planned = select(plain_sets, newest_articles(config, cache, now), lambda a: a, str)
    wanted = {article.source: article for taken in planned.values() for article in taken}
    prerender(list(wanted.values()), config, cache)

    newest = newest_articles(config, cache, now)
    chosen = select(result.feed_sets, newest, finish, content.plain_text)
    cache.keep_content(shown)
    result.articles = chosen[result.feed_sets[0]]
    return chosen


def _finish(
    article: Article, config: Config, cache: Cache | None, problems: list[Problem]
) -> tuple[Article, str] | None:
    """The article with content; a post that fails here is reported and left out."""
    try:
        return load_content(article, config, cache)
    except PostError as error:
        problems.append(Problem(article.source, error.field, error.message, True))
    except Exception as error:  # a bug, but it must cost only this post
        problems.append(Problem.from_exception(article.source, error))
    return None


def _render_all(
    config: Config,
    result: BuildResult,
    chosen: dict[FeedSet, list[Article]],
    known_sets: dict[str, list],
) -> tuple[dict[Path, bytes], list[Path], dict[str, str]]:
    """Every file of the build: (rendered files by path, files kept as they are,
    and what each feed set was made from).

    A feed set made from exactly what made the files it has on disk, files that
    are still as the last build left them, is not rendered again: an archive
    may have hundreds of category feeds, and one new post touches few of them.
    """
    # The writers (feedgen, lxml) are imported on first use: they take a noticeable
    # part of a second to import, and a build with nothing to do never needs them.
    from postfeed import pages

    rendered: dict[Path, bytes] = {}
    kept: list[Path] = []
    made_from: dict[str, str] = {}
    links: list[pages.FeedLink] = []
    article_digests: dict[str, str] = {}
    for feed_set in result.feed_sets:
        articles = chosen[feed_set]
        folder = config.output / feed_set.folder if feed_set.folder else config.output
        digest = _set_digest(config, feed_set, articles, article_digests)
        made_from[feed_set.folder] = digest
        known = known_sets.get(feed_set.folder)
        if known and known[0] == digest and _as_left(folder, known[1]):
            kept.extend(folder / name for name in FEED_FILES)
        else:
            for name, data in _render_set(config, feed_set, articles, result).items():
                rendered[folder / name] = data
        links.extend(
            pages.FeedLink(feed_set.title, format_name, feed_url(config, feed_set, name),
                           config.site_url, feed_set.group)
            for name, format_name in FEED_FILES.items()
        )  # fmt: skip
    main = result.feed_sets[0]
    site_channel = channel(config, main, "rss.xml")
    # One outline per feed set: importing three formats of one feed would show every
    # article three times. RSS is the format every reader knows.
    rss_links = [link for link in links if link.format == FEED_FILES["rss.xml"]]
    rendered[config.output / "feeds.opml"] = pages.render_opml(config.title, rss_links)
    rendered[config.output / "index.html"] = pages.render_index(
        site_channel, links, chosen[main][:INDEX_ARTICLES], config.zone
    )
    return rendered, kept, made_from


def _set_digest(
    config: Config, feed_set: FeedSet, articles: list[Article], memo: dict[str, str]
) -> str:
    """A digest of everything the feeds of a set are made from."""
    digest = hashlib.sha256(f"{__version__}|{channel(config, feed_set, '')!r}".encode())
    for article in articles:
        if article.id not in memo:
            memo[article.id] = hashlib.sha256(repr(article).encode()).hexdigest()
        digest.update(memo[article.id].encode())
    return digest.hexdigest()


def _as_left(folder: Path, stats: dict[str, list[int]]) -> bool:
    """Whether the feed files in `folder` are as the last build left them."""
    for name in FEED_FILES:
        try:
            stat = (folder / name).stat()
        except OSError:
            return False
        if stats.get(name) != [stat.st_size, stat.st_mtime_ns]:
            return False
    return True


def _set_records(config: Config, made_from: dict[str, str]) -> dict[str, list]:
    """For the next build: what each set was made from, and its files as written."""
    records = {}
    for folder_name, digest in made_from.items():
        folder = config.output / folder_name if folder_name else config.output
        stats = {}
        for name in FEED_FILES:
            stat = (folder / name).stat()
            stats[name] = [stat.st_size, stat.st_mtime_ns]
        records[folder_name] = [digest, stats]
    return records


def _render_set(
    config: Config, feed_set: FeedSet, articles: list[Article], result: BuildResult
) -> dict[str, bytes]:
    """The three feeds of one set. An article that cannot be written is reported and
    left out: normalizing should make every article writable, and if one slips
    through, it must cost only itself, never the feed."""
    try:
        return _render_feeds(config, feed_set, articles)
    except Exception:
        writable = []
        for article in articles:
            try:
                _render_feeds(config, feed_set, [article])
                writable.append(article)
            except Exception as error:
                result.problems.append(Problem.from_exception(article.source, error))
        articles[:] = writable
        return _render_feeds(config, feed_set, writable)


def _render_feeds(
    config: Config, feed_set: FeedSet, articles: Sequence[Article]
) -> dict[str, bytes]:
    from postfeed import feeds, jsonfeed

    renderers = {
        "rss.xml": feeds.render_rss,
        "atom.xml": feeds.render_atom,
        "feed.json": jsonfeed.render_json,
    }
    if not feed_set.full_content:
        articles = [replace(article, content="") for article in articles]
    return {name: renderers[name](channel(config, feed_set, name), articles) for name in FEED_FILES}


def _write(
    config: Config,
    rendered: dict[Path, bytes],
    kept: list[Path],
    result: BuildResult,
    last_outputs: list[str],
) -> None:
    """Write what changed; remove the files of feed sets that are gone."""
    folders = {path.parent for path in rendered}
    for folder in folders:
        remove_stale_temporaries(folder, tuple(FEED_FILES) + SITE_FILES)
    try:
        result.changed = write_changed(rendered)
    except OSError as error:
        where = error.filename or config.output
        raise BuildError(f"{where}: cannot write: {error.strerror or error}") from None
    result.written = [*rendered, *kept]
    sizes = {path: len(data) for path, data in rendered.items()}
    sizes.update((path, path.stat().st_size) for path in kept)
    for path, size in sizes.items():
        if size > config.max_feed_size and path.name in FEED_FILES:
            message = f"{size:,} bytes, over max_feed_size ({config.max_feed_size:,})"
            result.problems.append(Problem(path, "feed size", message, fatal=False))
    current = {path.relative_to(config.output).as_posix() for path in result.written}
    for gone in sorted(set(last_outputs) - current):
        path = config.output / gone
        path.unlink(missing_ok=True)
        if path.parent != config.output and not any(path.parent.iterdir()):
            path.parent.rmdir()  # the folder of a category that has no posts any more


def _listing(files: list[PostFile], config: Config) -> str:
    """A digest of the settings and of every post file's path, size and time."""
    lines = "".join(f"{f.key}\0{f.size}\0{f.mtime_ns}\n" for f in files)
    return hashlib.sha256(f"{__version__}|{config!r}|{lines}".encode()).hexdigest()


def _state(listing: str, config: Config, outputs: list[str]) -> str:
    """A digest of everything a build's output depends on but the clock.

    Equal to the last build's: every post file and output file is as that
    build left it, and so are the settings, so there is nothing to do.
    """
    if not outputs:
        return ""
    digest = hashlib.sha256(listing.encode())
    for name in outputs:
        try:
            stat = (config.output / name).stat()
        except FileNotFoundError:
            return ""  # a feed is missing: build it
        digest.update(f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _unchanged(
    config: Config,
    cache: Cache,
    files: list[PostFile],
    outputs: list[str],
    timings: dict[str, float],
) -> BuildResult:
    """The result of a build that found nothing to do: the problems are still reported."""
    collection = Collection(posts_read=len(files), skipped=cache.skipped())
    collection.problems = cache.problems(config.posts)
    written = [config.output / name for name in outputs]
    return BuildResult(collection, written=written, timings=timings, up_to_date=True)


def _fingerprint(config: Config) -> str:
    """What the cached posts depend on: the program and the settings that shape an article."""
    settings = (
        config.posts, config.site_url, config.timezone, config.permalink, config.strict,
        config.max_post_size, config.content.drop, config.content.iframe_hosts,
        sorted(config.categories.aliases.items()),
    )  # fmt: skip
    return hashlib.sha256(f"{SCHEMA_VERSION}|{__version__}|{settings!r}".encode()).hexdigest()


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
