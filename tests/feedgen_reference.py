"""The feed writers as postfeed had them before it wrote feeds as text: feedgen and lxml
for RSS and Atom, json.dumps for JSON Feed. test_feed_writers checks that feeds.py and
jsonfeed.py write the very same bytes (and refuse the same input).

The XML writers are kept as they were; for JSON Feed only the encoder changed, so the
reference writes jsonfeed's own object with json.dumps.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from datetime import UTC, datetime

from feedgen.feed import FeedEntry, FeedGenerator
from lxml import etree

from postfeed import __version__, jsonfeed
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


# --- JSON Feed -----------------------------------------------------------------------------


def render_json(channel: Channel, articles: Sequence[Article]) -> bytes:
    """The same object as jsonfeed builds, written by json.dumps (its Python encoder)."""
    feed = jsonfeed.feed_object(channel, articles)
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
