"""Writing feeds: Articles become RSS 2.0 and Atom 1.0 documents.

The only module that imports feedgen. It knows nothing of how articles were read:
it gets finished Articles and a Channel, and returns bytes.

feedgen's traps, worked around here (see ../shared/feedcheck/README.md):
- one FeedGenerator per format, so each gets its own rel="self" URL and the RSS
  channel <link> is the site (feedgen takes the last link added);
- RSS dates are rewritten as `Fri, 10 Sep 2021 11:48:10 GMT` and Atom dates as
  `2021-09-10T11:48:10Z` (feedgen writes `+0000` and `+00:00`);
- an entry gets exactly one link and no enclosure (feedgen drops `rel` from Atom
  entry links, so a second link would become a second alternate link);
- the RSS author is `dc:creator` (RSS <author> must be an e-mail address);
- RSS <description> is read as HTML by readers and validators, so the plain
  summary is HTML-escaped first.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, datetime

from feedgen.feed import FeedEntry, FeedGenerator
from lxml import etree

from postfeed import __version__
from postfeed.article import Article, Channel
from postfeed.dates import format_rfc822, format_rfc3339

GENERATOR_URI = "https://pypi.org/project/postfeed/"
ATOM_NS = "http://www.w3.org/2005/Atom"
# An empty feed still needs a date; a fixed one keeps the output deterministic.
EMPTY_FEED_DATE = datetime(1970, 1, 1, tzinfo=UTC)


def render_rss(channel: Channel, articles: Sequence[Article]) -> bytes:
    generator = _generator(channel, articles, rss=True)
    for article in articles:
        entry = _entry(generator, article, channel.full_content)
        entry.description(html.escape(article.summary, quote=False) or None)
        if article.author:
            entry.dc.dc_creator(article.author)
    root = etree.fromstring(generator.rss_str())
    for item, article in zip(root.iter("item"), articles, strict=True):
        item.find("pubDate").text = format_rfc822(article.published)
    root.find("channel/lastBuildDate").text = format_rfc822(_newest(articles))
    self_link = root.find(f"channel/{{{ATOM_NS}}}link")
    for hub in reversed(channel.hubs):
        self_link.addnext(etree.Element(f"{{{ATOM_NS}}}link", href=hub, rel="hub"))
    return _serialize(root)


def render_atom(channel: Channel, articles: Sequence[Article]) -> bytes:
    generator = _generator(channel, articles, rss=False)
    for article in articles:
        entry = _entry(generator, article, channel.full_content)
        if article.summary:
            entry.summary(article.summary, type="text")
        if article.author:
            entry.author({"name": article.author})
    root = etree.fromstring(generator.atom_str())
    for element in root.iter(f"{{{ATOM_NS}}}updated", f"{{{ATOM_NS}}}published"):
        element.text = format_rfc3339(datetime.fromisoformat(element.text))
    self_link = root.find(f"{{{ATOM_NS}}}link[@rel='self']")
    for hub in reversed(channel.hubs):
        self_link.addnext(etree.Element(f"{{{ATOM_NS}}}link", href=hub, rel="hub"))
    return _serialize(root)


def _generator(channel: Channel, articles: Sequence[Article], rss: bool) -> FeedGenerator:
    generator = FeedGenerator()
    generator.load_extension("media")
    if rss:
        generator.load_extension("dc", atom=False, rss=True)
    generator.id(channel.self_url)
    generator.title(channel.title)
    generator.link(href=channel.self_url, rel="self")
    generator.link(href=channel.site_url, rel="alternate")
    generator.description(channel.description)  # RSS description and Atom subtitle
    generator.language(channel.language)
    generator.author({"name": channel.author})
    generator.generator("postfeed", version=__version__, uri=GENERATOR_URI)
    newest = _newest(articles)
    generator.updated(newest)
    generator.lastBuildDate(newest)
    return generator


def _entry(generator: FeedGenerator, article: Article, full_content: bool) -> FeedEntry:
    entry = generator.add_entry(order="append")
    entry.id(article.id)
    entry.title(article.title)
    entry.link(href=article.link)
    entry.published(article.published)
    entry.updated(article.updated)
    terms = [*article.categories, *article.tags]
    if terms:  # in one call: feedgen rebuilds the whole list on every call
        entry.category([{"term": term} for term in terms])
    if article.content and full_content:
        entry.content(article.content, type="html")
    if article.image:
        entry.media.thumbnail(url=article.image, group=None)
        entry.media.content(url=article.image, medium="image", group=None)
    return entry


def _newest(articles: Sequence[Article]) -> datetime:
    return max((article.updated for article in articles), default=EMPTY_FEED_DATE)


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
