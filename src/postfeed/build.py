"""The library API: `build(config)` runs the whole pipeline and writes the feeds.

    from postfeed.build import build
    from postfeed.config import load_config

    result = build(load_config(site_url="https://example.org/"))

A build holds a lock (one build at a time per output folder), reads only new and
changed posts (the cache remembers the rest), renders content only for articles
that land in some feed, and rewrites only files whose bytes changed.

What it writes, below the output folder:

    rss.xml atom.xml feed.json      the main feeds (one file per row of formats.FORMATS)
    categories/<slug>/...           the same for every category
    <name>/...                      the same for every [[feeds]] table
    feeds.opml index.html           every feed, for readers and for people
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from postfeed import __version__, convert, state
from postfeed.article import Article, Problem, attempt
from postfeed.cache import SCHEMA_VERSION, Cache, CacheDamaged
from postfeed.collector import (
    PARALLEL_FROM,
    Collection,
    Rendering,
    collect,
    load_content,
    newest_articles,
    newest_of_category,
)
from postfeed.config import Config
from postfeed.feedsets import FeedSet, Group, categories_wanting_sets, feed_sets, select, take
from postfeed.formats import SITE_FILES
from postfeed.lock import LockBusy, exclusive_lock
from postfeed.output import Staging, remove_stale_temporaries
from postfeed.publish import channel_digest, folder_of, publish_set, site_files
from postfeed.scan import scan
from postfeed.workers import WorkerLost, Workers

if TYPE_CHECKING:
    from concurrent.futures import Future

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
    _not_in_a_worker()
    _check_folders(config)
    now = now or datetime.now(UTC)
    output_name = config.output.resolve().name or "output"
    cache_file = config.cache_location / f"{output_name}.sqlite3" if use_cache else None
    written: list[BuildResult] = []  # the result, once its feeds are in place
    try:
        with exclusive_lock(config.cache_location / f"{output_name}.lock", wait):
            try:
                return _build(config, cache_file, force, now, ping, progress, written)
            except _CACHE_DAMAGE as error:
                if cache_file is None or (written and isinstance(error, sqlite3.OperationalError)):
                    raise  # (a full disk after the feeds are written: see below)
                # The cache holds what no build wrote (it is untrusted input): build
                # it again from the posts, as if it were not there.
                Cache.discard(cache_file)
                return _build(config, cache_file, True, now, ping, progress, written)
    except WorkerLost as error:
        raise BuildError(str(error)) from None
    except (OSError, sqlite3.Error) as error:
        where = getattr(error, "filename", None) or config.cache_location
        reason = getattr(error, "strerror", None) or error
        if not written:
            raise BuildError(f"{where}: {reason}") from None
        # The feeds are written (a full disk, found when the cache is saved): saying
        # "nothing changed" would be false. The cache, not committed, is as the last
        # build left it: the next build finds the changes again and redoes them.
        result = written[-1]
        message = f"cannot be saved ({reason}); the feeds are written"
        result.problems.append(Problem(Path(where), "cache", message, fatal=False))
        return result


def _not_in_a_worker() -> None:
    """A worker process imports the script that started its build (multiprocessing's
    fork server and spawn do): a script that builds without the `if __name__ ==
    "__main__":` guard would build again there, and wait for its own lock. Say so at
    once, in multiprocessing's words (the build sees its worker end)."""
    if "multiprocessing" in sys.modules:  # (else no worker runs: nothing to import)
        from multiprocessing import spawn

        check = getattr(spawn, "_check_not_importing_main", None)  # (private: may go)
        if check is not None:
            check()


# What reading a cache that someone else wrote may raise.
_CACHE_DAMAGE = (CacheDamaged, sqlite3.DatabaseError, ValueError, TypeError, KeyError)


def _build(
    config: Config,
    cache_file: Path | None,
    force: bool,
    now: datetime,
    ping: bool,
    progress: Callable[[int, int], None] | None,
    written: list[BuildResult],
) -> BuildResult:
    """A build, in the lock; `written` gets its result once its feeds are in place."""
    clock = _Clock()
    resolved = _resolved(config)
    with (
        Cache(cache_file, _fingerprint(resolved), config.site_rules.one_spelling) as cache,
        _uncollected() as keep,
        Workers() as workers,  # started only if a stage has much to do
    ):
        if force:
            cache.clear()
        build_state = state.BuildState(cache)
        settings = hashlib.sha256(f"{__version__}|{resolved!r}".encode()).hexdigest()
        # A cold build reads every post: on every core if there are many, by workers
        # whose server is started as soon as the scan has found that many.
        cold = (PARALLEL_FROM, workers.prepare) if cache.is_empty() else None
        with clock("scan"):
            posts = scan(config.posts, cold)
            keep()
            files, folders = posts.files, posts.digests
            listing = state.listing_digest(folders, settings)
            last = build_state.load()
            if last.state and last.state == state.state_digest(
                listing, config.output, last.outputs
            ):
                return _unchanged(config, cache, len(files), last, clock.timings)
        incremental = not force and bool(last.settings) and last.settings == settings
        if incremental:
            cache.track_changes()
        # With the last build's folders (the cache holds what they list), only the
        # folders that differ are compared with the cache.
        changed = state.changed_folders(folders, last.folders) if last.folders else None
        rendering = Rendering(config, cache, workers)  # content, made on every core
        with clock("collect"):
            collection = collect(
                config, cache, files, now, progress, changed, posts.by_folder, workers
            )
        result = BuildResult(collection, timings=clock.timings)
        settled = len(result.problems)  # problems known before content is made
        with _SetWriter(config, last, workers) as writer:
            with clock("select"):
                counts = cache.category_counts()
                result.feed_sets = feed_sets(config, counts, now)
                _check_feed_set_count(config, counts, result)
                carried = _carried_over(config, cache, last, result) if incremental else set()
                chosen = _select(result, config, cache, now, carried, rendering, writer.chosen)
            with clock("write"):
                digests = _write(config, chosen, last, result, writer)
        written.append(result)
        if ping and config.hub:
            with clock("ping"):
                _ping(config, result)
        last_build = _last_build(config, result, listing, digests, settled, settings, folders)
        build_state.save(last_build)
    return result


def _check_folders(config: Config) -> None:
    """The output and the cache must live outside the posts folder: whoever writes
    posts must not be able to plant files (or links) where a build writes, reads
    its state or deletes, and a build must never read its own output as posts."""
    if not config.posts.is_dir():
        raise BuildError(f"{config.posts}: no such folder of posts")
    if config.cache_location.is_symlink():
        raise BuildError(
            f"{config.cache_location}: the cache folder is a symbolic link; a build keeps "
            "its cache and lock only in a real folder (set cache_dir to use another place)"
        )
    posts = config.posts.resolve()
    for name, folder in (("output", config.output), ("cache_dir", config.cache_location)):
        if folder.resolve().is_relative_to(posts):
            raise BuildError(
                f"{folder}: the {name} folder is inside the posts folder {config.posts}; "
                f"choose a folder outside it"
            )


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


def _check_feed_set_count(config: Config, counts: dict[str, int], result: BuildResult) -> None:
    eligible = len(categories_wanting_sets(config, counts))
    if eligible > config.limits.feed_sets:
        message = (
            f"{eligible:,} categories; only the {config.limits.feed_sets:,} with the most "
            "articles get feeds of their own (limits.feed_sets)"
        )
        result.problems.append(Problem(config.posts, "categories", message, fatal=False))


def _ping(config: Config, result: BuildResult) -> None:
    from postfeed import websub

    feed_files = {fmt.file_name for fmt in config.formats}
    changed = [path for path in result.changed if path.name in feed_files]
    urls = [
        config.feed_base + quote(path.relative_to(config.output).as_posix()) for path in changed
    ]
    for warning in websub.ping(config.hub, urls):
        result.problems.append(Problem(config.output, "websub", warning, fatal=False))


def _carried_over(
    config: Config, cache: Cache, last: state.LastBuild, result: BuildResult
) -> set[str]:
    """The folders of the category feed sets this build may leave as the last one wrote
    them: no post that is or was in them changed, and nothing else they show did.

    Only for a build with the same program and settings as the last one (the caller
    checks); never when the clock can change a set (posts dated in the future), or
    when a change respelt a category that unchanged articles show.
    """
    if result.collection.future or cache.respelt():
        return set()
    touched = cache.touched_categories()
    if touched and (duplicates := cache.duplicate_ids()):
        # A post that takes or gives up an id changes the id another post shows.
        touched |= cache.categories_of(p for row in duplicates for p in (row[0], row[2]))
    names = [fmt.file_name for fmt in config.formats]
    carried = set()
    for feed_set in result.feed_sets:
        record = last.sets.get(feed_set.folder)
        if (
            feed_set.group is Group.CATEGORIES
            and record is not None
            and next(iter(feed_set.categories)) not in touched
            and record.channel == channel_digest(config, feed_set)
            and state.as_left(folder_of(config, feed_set), record, names)
        ):
            carried.add(feed_set.folder)
    return carried


def _select(
    result: BuildResult,
    config: Config,
    cache: Cache,
    now: datetime,
    carried: set[str],
    rendering: Rendering,
    chosen_one: Callable[[FeedSet, list[Article] | None], None],
) -> dict[FeedSet, list[Article] | None]:
    """The articles of every feed set, with content; None for a set carried over.
    Each set is told to `chosen_one` as soon as its articles are known.

    The main and custom sets take the newest articles their filters let through;
    a category set, the newest of its category, looked up by it (a site may have a
    thousand categories). A set that converts Chinese matches categories by their
    converted spelling too, so with `opencc` every set takes from one walk.
    """
    from postfeed import content  # imported on first use: a no-change run never needs it

    shown: set[str] = set()  # cache keys of the content of every article in a feed

    def finish(article: Article) -> Article | None:
        finished = _finish(article, config, cache, result.problems, rendering.made)
        if finished is not None:
            shown.add(finished[1])
            return finished[0]
        return None

    def by_category(feed_set: FeedSet) -> bool:
        return feed_set.group is Group.CATEGORIES and not config.opencc

    walked = [s for s in result.feed_sets if not by_category(s)]
    looked_up = [s for s in result.feed_sets if by_category(s) and s.folder not in carried]

    def of_category(feed_set: FeedSet) -> Iterator[Article]:
        return newest_of_category(config, cache, next(iter(feed_set.categories)), now)

    # A first pass without content finds what the sets without keyword filters will
    # take, so that a cold build can render all of it on every core at once.
    plain = [s for s in walked if not s.reads_content]
    planned = list(select(plain, newest_articles(config, cache, now), _same, str).values())
    newest_of = {s: take(s, of_category(s), _same) for s in looked_up}
    wanted = {a.source: a for taken in [*planned, *newest_of.values()] for a in taken}
    rendering.want(wanted.values())

    # Then each set takes its articles as soon as their content is back (the workers
    # render on meanwhile), in the order they were asked for.
    chosen: dict[FeedSet, list[Article] | None] = dict.fromkeys(result.feed_sets)
    if len(plain) < len(walked):
        rendering.finish()  # a keyword filter reads the content of articles of any set
    rendering.wait_for(article for taken in planned for article in taken)
    for feed_set, articles in select(
        walked, newest_articles(config, cache, now), finish, content.plain_text
    ).items():
        chosen[feed_set] = articles
        chosen_one(feed_set, articles)
    for feed_set, first in newest_of.items():
        rendering.wait_for(first)
        more = _then_more(first, partial(of_category, feed_set))
        chosen[feed_set] = articles = take(feed_set, more, finish)
        chosen_one(feed_set, articles)
    rendering.finish()
    if not carried:
        cache.keep_content(shown)  # what carried-over sets show is not known here
    result.articles = chosen[result.feed_sets[0]] or []
    return chosen


def _same(article: Article) -> Article:
    return article


def _then_more(
    first: list[Article], articles: Callable[[], Iterator[Article]]
) -> Iterator[Article]:
    """`first` (the first articles of `articles()`, read already), then the ones after them,
    read again only if a set needs more (when an article cannot be given content)."""
    yield from first
    yield from islice(articles(), len(first), None)


def _finish(
    article: Article,
    config: Config,
    cache: Cache | None,
    problems: list[Problem],
    made: dict[str, tuple[str, str]] | None = None,
) -> tuple[Article, str] | None:
    """The article with content; a post that fails here is reported and left out."""
    return attempt(article.source, problems, lambda: load_content(article, config, cache, made))


def _write(
    config: Config,
    chosen: dict[FeedSet, list[Article] | None],
    last: state.LastBuild,
    result: BuildResult,
    writer: _SetWriter,
) -> dict[str, str]:
    """Stage the files of every feed set, in order (see _SetWriter), then write what
    changed and remove the files of feed sets that are gone. Returns what each set was
    made from.

    A feed set whose files cannot be written (a name the file system refuses, a
    folder in the way) costs only that set: it is reported and its files stay as
    they were. The main feeds and the pages must be written, or nothing is.
    """
    staging = Staging(config.output)
    digests: dict[str, str] = {}
    try:
        for feed_set, articles in chosen.items():
            written = writer.written(feed_set, articles)
            result.problems.extend(written.problems)
            if written.articles is not None and articles is not None:
                articles[:] = written.articles  # without those that could not be written
            if written.error is not None:
                if feed_set.group is Group.MAIN:
                    raise written.error
                _cannot_write(config, feed_set, written.error, last, result)
                continue
            staging.adopt(written.staged)
            digests[feed_set.folder] = written.digest
            result.written += written.paths
            _check_sizes(config, written.sizes, result.problems)
        remove_stale_temporaries(config.output, tuple(SITE_FILES))
        pages = site_files(config, chosen, writer.converted)
        staging.stage(pages)
        result.written += pages
        result.changed = staging.commit()
    except OSError as error:
        staging.discard()
        where = error.filename or config.output
        raise BuildError(f"{where}: cannot write: {error.strerror or error}") from None
    except BaseException:
        staging.discard()
        raise
    current = {path.relative_to(config.output).as_posix() for path in result.written}
    for gone in sorted(set(last.outputs) - current):
        staging.remove(gone)
    return digests


class _SetWriter:
    """Where each feed set is rendered and staged. When the workers run already (a cold
    build reads and renders on every core, and every set is new), a set goes to them as
    soon as its articles are chosen; else it is done here, when _write comes to it, one
    set at a time (memory does not grow with the number of sets).

    As a context manager: sets still on the workers when the build fails are stopped,
    and their staged files removed.
    """

    def __init__(self, config: Config, last: state.LastBuild, workers: Workers) -> None:
        self._config = config
        self._last = last
        self._workers = workers
        self._on_workers: dict[FeedSet, Future[_Written]] = {}
        self.converted = convert.Converted()  # each article converted once, whatever shows it
        self._article_digests: dict[str, str] = {}  # (see publish.set_digest)

    def __enter__(self) -> _SetWriter:
        return self

    def __exit__(self, *_: object) -> None:
        staging = Staging(self._config.output)
        for future in self._on_workers.values():  # (none left after a build that succeeds)
            if not future.cancel():
                # BaseException: a set that Ctrl-C stopped on its worker gives back a
                # KeyboardInterrupt; the sets after it must still be collected.
                with contextlib.suppress(BaseException):
                    staging.adopt(future.result().staged)
        self._on_workers.clear()
        staging.discard()

    def chosen(self, feed_set: FeedSet, articles: list[Article] | None) -> None:
        if articles is not None and self._workers.started:
            last = self._last.sets.get(feed_set.folder)
            future = self._workers.submit(
                _write_set_in_worker, self._config, feed_set, articles, last
            )
            self._on_workers[feed_set] = future

    def written(self, feed_set: FeedSet, articles: list[Article] | None) -> _Written:
        future = self._on_workers.pop(feed_set, None)
        if future is not None:
            return future.result()
        last = self._last.sets.get(feed_set.folder)
        return _write_set(
            self._config, feed_set, articles, last, self.converted, self._article_digests
        )


@dataclass
class _Written:
    """What rendering and staging one feed set gave (in a worker process or in this one)."""

    digest: str  # of everything its files are made from
    paths: list[Path]  # its files, rendered now or kept as the last build wrote them
    problems: list[Problem]  # articles that could not be written
    articles: list[Article] | None = None  # those written, when some could not be
    staged: list[tuple[str, Path]] = field(default_factory=list)  # see output.Staging
    sizes: dict[Path, int] = field(default_factory=dict)  # of each file
    error: OSError | None = None  # the files cannot be written


def _write_set(
    config: Config,
    feed_set: FeedSet,
    articles: list[Article] | None,
    last: state.SetRecord | None,
    converted: convert.Converted,
    article_digests: dict[str, str],
) -> _Written:
    """Render the files of one feed set and stage those that changed (see publish_set)."""
    problems: list[Problem] = []
    count = len(articles) if articles is not None else 0
    set_files = publish_set(config, feed_set, articles, last, problems, converted, article_digests)
    written = _Written(set_files.digest, [*set_files.files, *set_files.kept], problems)
    if articles is not None and len(articles) != count:
        written.articles = articles
    remove_stale_temporaries(set_files.folder, tuple(fmt.file_name for fmt in config.formats))
    staging = Staging(config.output)
    try:
        staging.stage(set_files.files)
    except OSError as error:
        written.error = error
        return written
    written.staged = staging.staged
    written.sizes = {path: len(data) for path, data in set_files.files.items()}
    written.sizes.update((path, path.stat().st_size) for path in set_files.kept)
    return written


# What a worker keeps from the feed sets it wrote for the next ones (it lives one build).
_in_worker: tuple[convert.Converted, dict[str, str]] | None = None


def _write_set_in_worker(
    config: Config, feed_set: FeedSet, articles: list[Article], last: state.SetRecord | None
) -> _Written:
    """_write_set, in a worker: articles are converted and digested once per worker."""
    global _in_worker
    if _in_worker is None:
        _in_worker = (convert.Converted(), {})
    return _write_set(config, feed_set, articles, last, *_in_worker)


def _cannot_write(
    config: Config, feed_set: FeedSet, error: OSError, last: state.LastBuild, result: BuildResult
) -> None:
    """Report a feed set that cannot be written; what it had on disk stays."""
    reason = error.strerror or str(error)
    message = f"cannot be written ({reason}); its feeds stay as they were"
    result.problems.append(Problem(folder_of(config, feed_set), "feed set", message, fatal=True))
    prefix = f"{feed_set.folder}/"
    result.written += [config.output / name for name in last.outputs if name.startswith(prefix)]


def _check_sizes(config: Config, sizes: dict[Path, int], problems: list[Problem]) -> None:
    for path, size in sizes.items():
        if size > config.max_feed_size:
            message = f"{size:,} bytes, over max_feed_size ({config.max_feed_size:,})"
            problems.append(Problem(path, "feed size", message, fatal=False))


def _set_records(
    config: Config, sets: list[FeedSet], digests: dict[str, str]
) -> dict[str, state.SetRecord]:
    """For the next build: what each set written was made from, and its files."""
    names = [fmt.file_name for fmt in config.formats]
    return {
        s.folder: state.SetRecord(
            digests[s.folder],
            state.file_stats(folder_of(config, s), names),
            channel_digest(config, s),
        )
        for s in sets
        if s.folder in digests
    }


def _last_build(
    config: Config,
    result: BuildResult,
    listing: str,
    digests: dict[str, str],
    settled: int,
    settings: str,
    folders: dict[str, str],
) -> state.LastBuild:
    """What the next build needs to know of this one."""
    outputs = tuple(sorted(p.relative_to(config.output).as_posix() for p in result.written))
    # The next run may skip all work if nothing changes, unless the clock matters,
    # or a post failed after it was read (only a build meets that failure again).
    must_rebuild = (
        result.collection.future
        or any(s.since for s in result.feed_sets)
        or any(p.fatal for p in result.problems[settled:])
    )
    return state.LastBuild(
        state="" if must_rebuild else state.state_digest(listing, config.output, outputs),
        outputs=outputs,
        sets=_set_records(config, result.feed_sets, digests),
        settings=settings,
        folders=folders,
    )


def _unchanged(
    config: Config, cache: Cache, posts_read: int, last: state.LastBuild, timings: dict[str, float]
) -> BuildResult:
    """The result of a build that found nothing to do: the problems are still reported."""
    collection = Collection(posts_read=posts_read, skipped=cache.skipped())
    collection.problems = cache.problems(config.posts)
    written = [config.output / name for name in last.outputs]
    return BuildResult(collection, written=written, timings=timings, up_to_date=True)


def _resolved(config: Config) -> Config:
    """The configuration with its folders as absolute paths: `--posts posts` by hand
    and `--posts /srv/news/posts` from cron are one folder, and share one cache."""
    return replace(
        config,
        posts=config.posts.resolve(),
        output=config.output.resolve(),
        cache_dir=str(Path(config.cache_dir).resolve()) if config.cache_dir else "",
        site=config.site.resolve() if config.site else None,
    )


def _fingerprint(config: Config) -> str:
    """What the cached posts depend on: the program and the settings that shape an article."""
    settings = (
        config.posts, config.site, config.site_url, config.timezone, config.permalink,
        config.strict, config.max_post_size, config.content.drop, config.content.iframe_hosts,
        sorted(config.categories.aliases.items()), config.ids, config.site_kind, config.site_rules,
    )  # fmt: skip
    return hashlib.sha256(f"{SCHEMA_VERSION}|{__version__}|{settings!r}".encode()).hexdigest()


@contextmanager
def _uncollected() -> Iterator[Callable[[], None]]:
    """keep() leaves every object alive at that moment out of the cycle collector's
    passes until the block ends (gc.freeze): the scan's 100,000 post files live through
    the build, and each pass would walk them all again (0.1 s at 100,000 posts).
    Nothing is kept out if someone else has frozen objects already."""
    own = gc.get_freeze_count() == 0
    try:
        yield gc.freeze if own else _nothing
    finally:
        if own:
            gc.unfreeze()


def _nothing() -> None:
    pass


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
