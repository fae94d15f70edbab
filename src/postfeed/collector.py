"""The collector: every post file becomes an Article or a reported Problem.

Reading and normalizing metadata is cheap and done for every post; rendering and
sanitizing content is not, so `load_content` does it only for the articles that
end up in a feed (`Rendering` makes many of them on every core).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import re
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from postfeed import fields
from postfeed.article import (
    Article,
    FieldWarning,
    PostError,
    PostResult,
    Problem,
    Warn,
    attempt,
)
from postfeed.cache import Cache, Stored, stored
from postfeed.config import Config
from postfeed.dates import DateError, parse_date
from postfeed.scan import PostFile, scan_posts
from postfeed.sites import Rules, SitePost
from postfeed.state import folder_of
from postfeed.workers import Workers

if TYPE_CHECKING:
    from postfeed.reader import Post

T = TypeVar("T")
R = TypeVar("R")

UPDATED_KEYS = ("updated", "lastmod", "modified", "last_modified_at")
EARLIEST_PLAUSIBLE = datetime(1970, 1, 1, tzinfo=UTC)
FUTURE_TOLERANCE = timedelta(days=1)
# Headings, for a post without a title; each is one linear scan.
_MARKDOWN_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+([^\n]+)$", re.M)
_HTML_HEADING_OPEN = re.compile(r"<h[1-6][^<>]*>")
_HTML_HEADING_CLOSE = re.compile(r"</h[1-6]>")


# Fewer new posts than this are read in this process; more are shared among the cores.
PARALLEL_FROM = 2000
# Fewer articles to render than this are rendered in this process (unless the workers
# run already, for a cold build).
PARALLEL_CONTENT_FROM = 200


@dataclass
class Collection:
    """What the collector found: every problem, and counts.

    The articles themselves stay in the cache, where `newest_articles` reads them
    newest first: a feed needs only the first few of 100,000.
    """

    problems: list[Problem] = field(default_factory=list)
    posts_read: int = 0  # post files found
    posts_parsed: int = 0  # of those, files read this run (new or changed)
    skipped: int = 0  # drafts, unpublished and (with drop_future) future posts
    future: int = 0  # articles dated more than a day ahead (warned about, or skipped)

    @property
    def rejected(self) -> int:
        return len({problem.path for problem in self.problems if problem.fatal})


def collect(
    config: Config,
    cache: Cache,
    files: list[PostFile] | None = None,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
    changed: set[str] | None = None,
    by_folder: Mapping[str, list[PostFile]] | None = None,
    workers: Workers | None = None,
) -> Collection:
    """Bring the cache up to date with the posts below `config.posts`; report every problem.

    Only new and changed files are read; the cache answers for the others.
    `files` is the scan of the posts folder, when the caller has made it already;
    `progress(done, total)` is told how many new and changed posts have been read.
    `changed`: the only folders (keys without the file name) whose files may differ
    from the cache's; None: any may. `by_folder`: the same files by folder (see
    reader.Scan), so that only the changed folders' files are looked at. Many posts to
    read are read by `workers` (None: by workers started for this alone).
    """
    files = scan_posts(config.posts) if files is None else files
    rules = config.site_rules
    if type(rules).ignores is not Rules.ignores:  # the base rules ignore no file
        files = [f for f in files if not rules.ignores(f.key)]
    fresh = _update(cache, _in_folders(files, changed, by_folder, rules), changed)
    _store(cache, fresh, config, progress, workers)
    if changed is not None and cache.count() != len(files):
        # The cache did not hold what the last build listed (it should): compare all.
        fresh += (more := _update(cache, files, None))
        _store(cache, more, config, progress, workers)

    collection = Collection(posts_read=len(files), posts_parsed=len(fresh))
    collection.problems = cache.problems(config.posts)
    collection.skipped = cache.skipped()
    for path, id_, keeper, own_id in cache.duplicate_ids():
        message = f"{id_!r} is the id of {keeper}; published with the id {own_id}"
        collection.problems.append(Problem(config.posts / path, "id", message, fatal=False))
    # Checked on every run, not cached: tomorrow it may be true no more.
    future = cache.articles_after(config.posts, _horizon(now))
    collection.future = len(future)
    if config.drop_future:
        collection.skipped += len(future)
    else:
        for article in future:
            when = f"{article.published:%Y-%m-%d %H:%M} UTC"
            collection.problems.append(
                Problem(article.source, "date", f"{when} is in the future", fatal=False)
            )
    collection.problems.sort(key=lambda problem: problem.path.as_posix())
    return collection


def _in_folders(
    files: list[PostFile],
    changed: set[str] | None,
    by_folder: Mapping[str, list[PostFile]] | None,
    rules: Rules,
) -> list[PostFile]:
    """The files (not ignored) of the folders `changed` (None: all `files`), in key order."""
    if changed is None:
        return files
    if by_folder is None:
        return [f for f in files if folder_of(f.key) in changed]
    found = [f for folder in changed for f in by_folder.get(folder, ()) if not rules.ignores(f.key)]
    return sorted(found, key=lambda post_file: post_file.key)


def _update(cache: Cache, files: list[PostFile], changed: set[str] | None) -> list[PostFile]:
    """Forget the cached posts that are gone; return the files that are new or changed.
    `files`: every post file of the folders `changed` (None: of every folder)."""
    known = cache.stats(changed)
    cache.forget({path for path, _, _ in known} - {post_file.key for post_file in files})
    return [f for f in files if (f.key, f.size, f.mtime_ns) not in known]


def _store(
    cache: Cache,
    fresh: list[PostFile],
    config: Config,
    progress: Callable[[int, int], None] | None,
    workers: Workers | None,
) -> None:
    """Read the new and changed files and keep what they give in the cache."""
    # An empty cache has no content to compare a digest with: hashing every file of a
    # cold build would be wasted on the many posts no feed shows. The digest of those
    # that one does is taken when their content is made (see Cache.store_content).
    digest = not cache.is_empty()
    with cache.bulk() if len(fresh) >= PARALLEL_FROM else contextlib.nullcontext():
        results = zip(fresh, _read_all(fresh, config, digest, workers), strict=True)
        for done, (post_file, result) in enumerate(results):
            cache.store(post_file.key, post_file.size, post_file.mtime_ns, result)
            if progress and done % 256 == 0:
                progress(done, len(fresh))
    if progress and fresh:
        progress(len(fresh), len(fresh))


def newest_articles(config: Config, cache: Cache, now: datetime | None = None) -> Iterator[Article]:
    """Every article, newest first (equal dates in path order), without content."""
    until = _horizon(now) if config.drop_future else None
    return cache.newest(config.posts, until)


def newest_of_category(
    config: Config, cache: Cache, key: str, now: datetime | None = None
) -> Iterator[Article]:
    """The articles of one category (folded name), newest first, without content."""
    until = _horizon(now) if config.drop_future else None
    return cache.newest_in(config.posts, key, until)


def _horizon(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)) + FUTURE_TOLERANCE


def read_one(path: Path, config: Config, digest: bool = True) -> PostResult:
    """Read and describe one post file; every failure becomes a Problem, never an exception.

    `digest` False: the result has no digest (for a post the cache has no content of).
    """
    problems: list[Problem] = []
    warnings: list[FieldWarning] = []

    def work() -> PostResult:
        post = _read(path, config)
        warnings.extend(post.warnings)
        if not post.meta and not post.body.strip():
            warnings.append(("file", "is empty: not a post"))
            return PostResult(None, skipped=True)
        if not is_published(post.meta) or not config.site_rules.publishes(post.meta):
            return PostResult(None, skipped=True)
        reason = config.site_rules.skip(post.name, post.meta)
        if reason:
            warnings.append(("file", reason))
            return PostResult(None, skipped=True)
        warn: Warn = lambda field, message: warnings.append((field, message))  # noqa: E731
        own_id = fields.article_id(None, config.site_url, post.name)
        article = describe(post, config, warn, own_id)
        # Its tags and shortcodes are read now only for what they warn about, so that
        # the warnings are kept with the post's other ones; content is made later.
        # (The base rules' prepare warns of nothing.)
        if type(config.site_rules).prepare is not Rules.prepare:
            rules = config.site_rules
            rules.prepare(post.body, _site_post(post, article), article.link, config, warn)
        made_from = _content_digest(article, post) if digest else ""
        return PostResult(article, digest=made_from, own_id=own_id)

    with time_limit(config.limits.post_seconds):
        result = attempt(path, problems, work) or PostResult(None)
    problems.extend(Problem(path, field, message, fatal=False) for field, message in warnings)
    # Made for every post: the constructor costs less than dataclasses.replace.
    return PostResult(result.article, tuple(problems), result.skipped, result.digest, result.own_id)


def _read_all(
    files: list[PostFile], config: Config, digest: bool, workers: Workers | None
) -> Iterator[PostResult | Stored]:
    """read_one for every file, in order; many files are shared among the cores, which
    send back only what the cache keeps of each (cache.stored: plain values).

    Results are yielded as they come, so memory does not grow with the archive.
    """
    usable = [f.path for f in files if not f.unusable and not f.ignored]
    results: Iterator[PostResult | Stored] = (
        (read_one(Path(path), config, digest) for path in usable)
        if len(usable) < PARALLEL_FROM
        else _on_every_core(
            partial(_read_stored, config=config, digest=digest), usable, 256, workers
        )
    )
    for post_file in files:
        if post_file.unusable:
            problem = Problem(Path(post_file.key), "file", post_file.unusable, fatal=True)
            yield PostResult(None, (problem,))
        elif post_file.ignored:
            problem = Problem(Path(post_file.key), "file", post_file.ignored, fatal=False)
            yield PostResult(None, (problem,), skipped=True)
        else:
            yield next(results)


def _read_stored(path: str, config: Config, digest: bool) -> Stored:
    """In a worker: what the cache keeps of the post file at `path`."""
    return stored(read_one(Path(path), config, digest))


def _on_every_core(
    function: Callable[[T], R], items: list[T], chunksize: int, workers: Workers | None
) -> Iterator[R]:
    """function(item) for every item, in order, in worker processes (one a core): those
    of `workers`, or (None) ones started for this call alone."""
    if workers is None:
        with Workers() as own:
            yield from _on_every_core(function, items, chunksize, own)
        return
    for results in workers.map(partial(_each, function), _chunks(items, chunksize)):
        yield from results


def _chunks(items: list[T], size: int) -> list[list[T]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def _each(function: Callable[[T], R], items: list[T]) -> list[R]:
    """In a worker: function(item) for every item, with one alarm handler for them all,
    and each folder of posts opened once for the posts of it among them."""
    from postfeed.reader import folders_kept

    with _alarm_handler(), folders_kept():
        return [function(item) for item in items]


# The limit time_limit() is enforcing, while _alarm_handler() keeps its handler installed.
_limit: list[float] = []


def _expire(signum: int, frame: object) -> None:
    seconds = _limit[-1] if _limit else 0.0
    raise PostError("content", f"took too long (over {seconds:g} s, limits.post_seconds)")


def _can_time() -> bool:
    """A timer signal can only be had in the main thread on Unix."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def _alarm_handler() -> Iterator[None]:
    """Keep the handler of time_limit's signal installed through the block, so that
    each time_limit inside only sets the timer (installing a handler per post costs)."""
    global _handler_kept
    if not _can_time() or _handler_kept:
        yield
        return
    previous = signal.signal(signal.SIGALRM, _expire)
    _handler_kept = True
    try:
        yield
    finally:
        _handler_kept = False
        signal.signal(signal.SIGALRM, previous)


_handler_kept = False


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise PostError("content", "took too long") when the block runs over `seconds`.

    The last line of defence against a post that is slow to read or render (every
    step is meant to be linear and bounded already). A timer signal can only be
    had in the main thread on Unix: elsewhere (a build in a thread of `serve`, or
    on Windows) the block runs without a limit. It interrupts Python code, not a
    single long call into C.
    """
    if not _can_time():
        yield
        return
    kept = _handler_kept
    previous = None if kept else signal.signal(signal.SIGALRM, _expire)
    _limit.append(seconds)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _limit.pop()
        if not kept:
            signal.signal(signal.SIGALRM, previous)


def is_published(meta: dict[str, Any]) -> bool:
    """`draft: true` and `published: false` keep a post out of every feed."""
    return not fields.is_true(meta.get("draft")) and not fields.is_false(
        meta.get("published", True)
    )


def describe(post: Post, config: Config, warn: Warn, own_id: str = "") -> Article:
    """Everything about a post but its content: cheap enough for every post.

    `own_id`: the id the post's path gives it, if the caller has it already.
    """
    meta = post.meta
    published = _published(post, config, warn)
    if published < EARLIEST_PLAUSIBLE and published != config.site_rules.undated():
        warn("date", f"{published.year:04d}-{published:%m-%d} is before 1970")
    updated = _updated(meta, config, published, warn)

    rules = config.site_rules
    title = fields.title(meta.get("title"))
    title = title or fields.title(rules.title_from_name(post.name)) or _title_from_body(post)
    categories = fields.categories(rules.categories(meta, post.name), config.categories.aliases)
    categories = _bounded("categories", categories, config.limits.categories_per_post, warn)
    site_post = SitePost(post.name, meta, published, title, categories)
    link = config.site_rules.link(site_post, config, warn)
    given_id = fields.first_value(meta, fields.ID_KEYS)
    if config.ids == "site":
        id_ = config.site_rules.item_id(site_post, link)
    elif own_id and given_id is None:  # the id the path gives, which the caller has
        id_ = own_id
    else:
        id_ = fields.article_id(given_id, config.site_url, post.name)
    return Article(
        source=post.path,
        title=rules.feed_title(title),
        link=link,
        id=id_,
        published=published,
        updated=updated,
        categories=categories,
        tags=_bounded("tags", _tags(meta, categories, config), config.limits.tags_per_post, warn),
        author=fields.author(meta.get("author", meta.get("authors"))),
        image=fields.image(fields.first_value(meta, fields.IMAGE_KEYS), link),
    )


def _bounded(field: str, names: tuple[str, ...], limit: int, warn: Warn) -> tuple[str, ...]:
    """At most `limit` names: each category is a feed set of its own, so one post with
    thousands of them would make a build write thousands of folders."""
    if len(names) > limit:
        warn(
            field,
            f"{len(names):,} of them; only the first {limit} are used (limits.{field}_per_post)",
        )
    return names[:limit]


def _tags(meta: dict[str, Any], categories: tuple[str, ...], config: Config) -> tuple[str, ...]:
    """Tags that are not categories already (feeds write both as categories)."""
    known = {fields.fold(name) for name in categories}
    tags = fields.categories(config.site_rules.tags(meta), config.categories.aliases)
    return tuple(tag for tag in tags if fields.fold(tag) not in known)


def load_content(
    article: Article,
    config: Config,
    cache: Cache | None,
    made: Mapping[str, tuple[str, str]] | None = None,
) -> tuple[Article, str]:
    """The article with its content rendered and sanitized, and its summary.

    The post is read again (holding every body in memory would not scale),
    unless `made` (see Rendering: content by cache key) or the cache has its content,
    made from the bytes it has now.
    Returns the article and the cache key of its content (the post's path). With
    no cache, nothing is looked up or kept.
    """
    key = _key(article, config)
    cached = made.get(key) if made else None
    if cached is None and cache:
        cached = cache.content(key)
    if cached is None:
        digest, html, summary = _make_content(article, config)
        cached = (html, summary)
        if cache:
            cache.store_content(key, digest, *cached)
    return replace(article, content=cached[0], summary=cached[1]), key


class Rendering:
    """The content of the articles a build's feeds show, made on every core (`workers`)
    when there are many, or when the workers run already (a cold build); else
    load_content makes it when asked.

    As it comes back, in the order asked for, it is kept in the cache, and in `made`
    ((html, summary) by cache key) for load_content, which then reads none of it back.
    The build takes each feed set's articles as soon as their content is back (see
    wait_for), and the workers render the rest meanwhile.
    """

    def __init__(self, config: Config, cache: Cache, workers: Workers) -> None:
        self.made: dict[str, tuple[str, str]] = {}
        self._config = config
        self._cache = cache
        self._workers = workers
        self._keys: Iterator[str] = iter(())
        self._results: Iterator[tuple[str, str, str] | None] = iter(())
        self._pending: set[str] = set()

    def want(self, articles: Iterable[Article]) -> None:
        """Begin to make the content of `articles` that the cache has none for."""
        by_key = {_key(article, self._config): article for article in articles}
        keys = self._cache.unrendered(list(by_key))
        if not keys or (len(keys) < PARALLEL_CONTENT_FROM and not self._workers.started):
            return
        render = partial(_each, partial(_render_for_cache, config=self._config))
        chunks = self._workers.map(render, _chunks([by_key[key] for key in keys], 16))
        self._results = itertools.chain.from_iterable(chunks)  # (asked for now, taken later)
        self._keys = iter(keys)
        self._pending = set(keys)

    def wait_for(self, articles: Iterable[Article]) -> None:
        """Until the content of none of `articles` is still being made."""
        for article in articles:
            key = _key(article, self._config)
            while key in self._pending:
                self._next()

    def finish(self) -> None:
        """Until all of it is back (and in the cache)."""
        while self._pending:
            self._next()

    def _next(self) -> None:
        key, made = next(self._keys), next(self._results)
        self._pending.discard(key)
        if made is not None:  # (else load_content meets the failure again, and reports it)
            self._cache.store_content(key, *made)
            self.made[key] = made[1:]


def _render_for_cache(article: Article, config: Config) -> tuple[str, str, str] | None:
    """In a worker: (digest, html, summary), or None if anything fails (the build
    will meet the failure again in load_content, and report it there)."""
    try:
        return _make_content(article, config)
    except Exception:
        return None


def _read(path: Path, config: Config) -> Post:
    # Imported on first use: the front matter readers (YAML among them) cost a build
    # that finds nothing new to read.
    from postfeed.reader import read_post

    return read_post(path, config.posts, config.max_post_size, salvage=not config.strict)


def _make_content(article: Article, config: Config) -> tuple[str, str, str]:
    """(digest, html, summary) of an article, read again and rendered within the time
    limit; the digest is of the link and file it was made from."""
    with time_limit(config.limits.post_seconds):
        post = _read(article.source, config)
        return (_content_digest(article, post), *_render(post, article, config))


def _render(post: Post, article: Article, config: Config) -> tuple[str, str]:
    from postfeed import (
        content,
        markdown,
    )  # imported on first use: a no-change run never needs them

    rules = config.site_rules
    site_post = _site_post(post, article)
    base_url = rules.asset_base(site_post, article.link, config)

    def html_of(text: str) -> str:
        body = rules.prepare(text, site_post, article.link, config, _ignore)
        body_html = markdown.render(
            body,
            rules.body_format(post.path.suffix, post.meta),
            breaks=rules.breaks,
            smart=rules.smart_punctuation,
            quotes=rules.quotes,
            footnotes=rules.footnotes,
            tasklists=rules.tasklists,
            loose_emphasis=rules.loose_emphasis,
        )
        body_html = rules.finish(body_html)
        try:
            content.check_structure(body_html)
        except content.StructureError as error:
            raise PostError("content", str(error)) from None
        body_html = content.clean(body_html, config.content.drop, config.content.iframe_hosts)
        safe_html = content.sanitize(body_html, base_url)
        if content.too_large(safe_html):
            limit = f"{content.MAX_CONTENT_BYTES:,}"
            raise PostError("content", f"over {limit} bytes: feed readers refuse a text so long")
        return safe_html

    safe_html = html_of(post.body)
    summary = fields.plain_line(post.meta.get("description") or post.meta.get("excerpt"))
    excerpt = None if summary else rules.excerpt(post.body, post.meta)
    if excerpt:
        summary = content.summarize(html_of(excerpt))
    # An article with no text at all says its title, so no feed entry is empty.
    return safe_html, summary or content.summarize(safe_html) or article.title


def _ignore(field: str, message: str) -> None:
    """Warnings met again while content is made: they were kept when the post was read."""


def _site_post(post: Post, article: Article) -> SitePost:
    return SitePost(post.name, post.meta, article.published, article.title, article.categories)


def _content_digest(article: Article, post: Post) -> str:
    """Of the link and the whole file: content depends on the front matter too (its
    description is the summary), not on the body alone. (Hashing the bytes as read
    costs half of encoding the body to hash it.)"""
    digest = hashlib.sha256(article.link.encode())
    digest.update(b"\0")
    digest.update(post.data)
    return digest.hexdigest()


def _key(article: Article, config: Config) -> str:
    return article.source.relative_to(config.posts).as_posix()


def _published(post: Post, config: Config, warn: Warn) -> datetime:
    value = config.site_rules.date_value(fields.first_value(post.meta, config.site_rules.date_keys))
    if value is None:
        value = config.site_rules.date_in_name(post.name)
    if value is not None:
        try:
            return parse_date(
                value, config.zone, warn if config.site_rules.rolls_dates_over else None
            )
        except DateError as error:
            raise PostError("date", str(error)) from None
    if config.strict:
        raise PostError("date", "missing (and --strict is on)")
    if (undated := config.site_rules.undated()) is not None:
        warn(
            "date", f"missing; dated {undated.date().isoformat()}, as the site's generator dates it"
        )
        return undated
    mtime = datetime.fromtimestamp(post.mtime, UTC)
    warn("date", f"missing; using the file's modification time ({mtime:%Y-%m-%d %H:%M} UTC)")
    return mtime


def _updated(meta: dict[str, Any], config: Config, published: datetime, warn: Warn) -> datetime:
    value = fields.first_value(meta, UPDATED_KEYS)
    if value is None:
        return published
    try:
        roll: Warn | None = lambda _, message: warn("updated", message)  # noqa: E731
        updated = parse_date(
            value, config.zone, roll if config.site_rules.rolls_dates_over else None
        )
    except DateError as error:
        warn("updated", f"{error}; using the date")
        return published
    if updated < published:
        # A feed's entry is never updated before it was published; say so, since
        # the date written is then not the one the post gives.
        warn("updated", f"{updated:%Y-%m-%d %H:%M} UTC is before the date; using the date")
        return published
    return updated


def _first_heading(body: str) -> str | None:
    """The text of the first Markdown (`# x`) or HTML (`<h1>x</h1>`) heading."""
    markdown = _MARKDOWN_HEADING.search(body)
    opening = _HTML_HEADING_OPEN.search(body, 0, markdown.start() if markdown else len(body))
    closing = _HTML_HEADING_CLOSE.search(body, opening.end()) if opening else None
    if opening and closing:
        return body[opening.end() : closing.start()]
    return markdown.group(1).rstrip(" \t#") if markdown else None


def _title_from_body(post: Post) -> str:
    """A title for a post without one: its first heading, first line, or file name."""
    heading = _first_heading(post.body)
    if heading:
        text = fields.title(heading)
        if text:
            return text
    for line in post.body.splitlines():
        text = fields.title(line)
        if text:
            return text[:60] + ("…" if len(text) > 60 else "")
    return fields.title(post.name.rsplit("/", 1)[-1]) or post.name
