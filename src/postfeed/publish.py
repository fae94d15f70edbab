"""What a build publishes: every feed set's files, feeds.opml and index.html, as bytes.

It gets one feed set with its articles and gives its files (a build asks for one set
at a time, so memory does not grow with the number of sets, or for many at once in
its worker processes); writing them is output.py's job. A feed set made from exactly
what made its files on disk, files still as the last build left them, is not
rendered again: an archive may have hundreds of category feeds, and one new post
touches few of them.

A feed set with a conversion (`opencc`) gets its articles converted here, after
selection: the cache and the filters work on the articles as written, and an
article is converted once per conversion, when a set that carries it is rendered
(one `convert.Converted` given to publish_set() and site_files() makes that once per
build, in each process); a set whose files are kept converts nothing.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from postfeed import __version__, convert, state, urls
from postfeed.article import Article, Channel, Problem
from postfeed.config import Config
from postfeed.feedsets import FeedSet, Group
from postfeed.formats import INDEX_FILE, OPML_FILE, Format

if TYPE_CHECKING:
    from postfeed import pages

# Articles shown on index.html.
INDEX_ARTICLES = 20
# An article's image at the top of a content that has none, as content.sanitize writes images.
_LEAD_IMAGE = '<p><img src="{}" alt="" referrerpolicy="no-referrer"></p>'


@dataclass
class SetFiles:
    """The files of one feed set."""

    feed_set: FeedSet
    folder: Path
    digest: str  # of everything they are made from
    files: dict[Path, bytes] = field(default_factory=dict)  # rendered now
    kept: list[Path] = field(default_factory=list)  # left as the last build wrote them


def channel(config: Config, feed_set: FeedSet, file_name: str) -> Channel:
    """What the feed `file_name` of `feed_set` says about itself."""
    return Channel(
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


def folder_of(config: Config, feed_set: FeedSet) -> Path:
    return config.output / feed_set.folder if feed_set.folder else config.output


def publish_set(
    config: Config,
    feed_set: FeedSet,
    articles: list[Article] | None,
    last: state.SetRecord | None,
    problems: list[Problem],
    converted: convert.Converted,
    article_digests: dict[str, str],
) -> SetFiles:
    """The files of one feed set. An article that cannot be written is reported in
    `problems` and taken out of `articles`. `last` is what the last build wrote of the
    set; `converted` holds the articles converted so far, `article_digests` the digest
    of each article by id (see set_digest). Articles None: the set is carried over, and
    its files stay as the last build wrote them (the caller checked they are)."""
    names = [fmt.file_name for fmt in config.formats]
    folder = folder_of(config, feed_set)
    if articles is None:
        assert last is not None
        return SetFiles(feed_set, folder, last.digest, kept=[folder / name for name in names])
    digest = set_digest(config, feed_set, articles, article_digests)
    set_files = SetFiles(feed_set, folder, digest)
    if last and last.digest == digest and state.as_left(folder, last, names):
        set_files.kept = [folder / name for name in names]
    else:
        rendered = _render_set(config, feed_set, articles, problems, converted)
        set_files.files = {folder / name: data for name, data in rendered.items()}
    return set_files


def channel_digest(config: Config, feed_set: FeedSet) -> str:
    """A digest of what a set's feeds say about themselves (title, links, ...)."""
    return hashlib.sha256(f"{__version__}|{channel(config, feed_set, '')!r}".encode()).hexdigest()


def set_digest(
    config: Config, feed_set: FeedSet, articles: list[Article], memo: dict[str, str]
) -> str:
    """A digest of everything the feeds of a set are made from."""
    digest = hashlib.sha256(f"{__version__}|{channel(config, feed_set, '')!r}".encode())
    if feed_set.opencc:
        # OpenCC's dictionaries are part of what the feeds are made from.
        digest.update(f"|opencc {feed_set.opencc} {convert.version()}".encode())
    for article in articles:
        if article.id not in memo:
            memo[article.id] = hashlib.sha256(repr(article).encode()).hexdigest()
        digest.update(memo[article.id].encode())
    return digest.hexdigest()


def _render_set(
    config: Config,
    feed_set: FeedSet,
    articles: list[Article],
    problems: list[Problem],
    converted: convert.Converted,
) -> dict[str, bytes]:
    """The feeds of one set. An article that cannot be written (or converted) is
    reported and left out: normalizing should make every article writable, and if
    one slips through, it must cost only itself, never the feed."""
    try:
        return _render_feeds(config, feed_set, articles, converted)
    except Exception:
        writable = []
        for article in articles:
            try:
                _render_feeds(config, feed_set, [article], converted)
                writable.append(article)
            except Exception as error:
                problems.append(Problem.from_exception(article.source, error))
        articles[:] = writable
        return _render_feeds(config, feed_set, writable, converted)


def _render_feeds(
    config: Config, feed_set: FeedSet, articles: list[Article], converted: convert.Converted
) -> dict[str, bytes]:
    articles = [
        converted(_checked(article, feed_set.full_content), feed_set.opencc) for article in articles
    ]
    return {
        fmt.file_name: fmt.render(channel(config, feed_set, fmt.file_name), articles)
        for fmt in config.formats
    }


def _checked(article: Article, full_content: bool) -> Article:
    """The article as a feed may carry it: every URL checked where it is written (the
    articles come from the cache, which is read as untrusted input)."""
    if not urls.is_web_url(article.link):
        raise ValueError(f"the link is not an http(s) URL: {article.link[:80]!r}")
    if article.image and not urls.is_web_url(article.image):
        article = replace(article, image=None)
    if not full_content:
        return replace(article, content="")
    if article.image and "<img" not in article.content:
        # Readers that ignore media:* show the lead image too. Added here, not in the
        # cached content: the image can change while the body does not.
        lead = _LEAD_IMAGE.format(html.escape(article.image))
        article = replace(article, content="\n".join(filter(None, (lead, article.content))))
    return article


def site_files(
    config: Config, chosen: dict[FeedSet, list[Article] | None], converted: convert.Converted
) -> dict[Path, bytes]:
    """feeds.opml and index.html, which list the feed sets of `chosen`; the articles
    on index.html are the main feeds' (in its conversion, if it has one)."""
    from postfeed import pages  # lxml and jinja2: imported only when a page is made

    links = [
        pages.FeedLink(
            title=feed_set.title,
            format=fmt,
            url=feed_url(config, feed_set, fmt.file_name),
            html_url=config.site_url,
            group=feed_set.group.label,
            discoverable=feed_set.group is Group.MAIN,
        )
        for feed_set in chosen
        for fmt in config.formats
    ]
    main, articles = next(iter(chosen.items()))
    shown = (articles or [])[:INDEX_ARTICLES]  # the main set is never carried over
    articles = [converted(article, main.opencc) for article in shown]
    return {
        config.output / OPML_FILE: pages.render_opml(config.title, _only(links, config.formats[0])),
        config.output / INDEX_FILE: pages.render_index(
            channel(config, main, config.formats[0].file_name), links, articles,
            config.zone,
        ),
    }  # fmt: skip


def _only(links: list[pages.FeedLink], fmt: Format) -> list[pages.FeedLink]:
    return [link for link in links if link.format == fmt]
