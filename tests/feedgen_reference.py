"""The feed writers as postfeed had them before it wrote feeds as text: feedgen and lxml
for RSS and Atom, json.dumps for JSON Feed. test_feed_writers checks that feeds.py and
jsonfeed.py write the very same bytes (and refuse the same input).

Kept as they were (the two modules in one).
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

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


# --- JSON Feed -----------------------------------------------------------------------------

JSON_VERSION = "https://jsonfeed.org/version/1.1"


def render_json(channel: Channel, articles: Sequence[Article]) -> bytes:
    """The feed as UTF-8 JSON, items in the order given."""
    feed: dict[str, Any] = {
        "version": JSON_VERSION,
        "title": channel.title,
        "home_page_url": channel.site_url,
        "feed_url": channel.self_url,
        "description": channel.description,
        "language": channel.language,
        **_authors(channel.author),
    }
    if channel.hubs:
        feed["hubs"] = [{"type": "WebSub", "url": hub} for hub in channel.hubs]
    feed["items"] = [_json_item(article, channel.full_content) for article in articles]
    # ensure_ascii=False: Chinese text stays readable and a third the size.
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _json_item(article: Article, full_content: bool) -> dict[str, Any]:
    item: dict[str, Any] = {"id": article.id, "url": article.link, "title": article.title}
    if full_content and article.content:
        item["content_html"] = article.content
    else:
        # The spec requires content_html or content_text in every item; the plain
        # summary is the content of a summary-only feed.
        item["content_text"] = article.summary
    if article.summary:
        item["summary"] = article.summary
    if article.image:
        item["image"] = article.image
    item["date_published"] = format_rfc3339(article.published)
    item["date_modified"] = format_rfc3339(article.updated)
    terms = [*article.categories, *article.tags]  # as the XML feeds write them
    if terms:
        item["tags"] = terms
    if article.author:
        item.update(_authors(article.author))
    return item


def _authors(name: str) -> dict[str, Any]:
    """1.1's `authors`, and beside it 1.0's `author`, which 1.1 keeps for the readers that
    know only 1.0 (they would show no author at all)."""
    return {"authors": [{"name": name}], "author": {"name": name}}
