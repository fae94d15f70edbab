"""Writing JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/): Articles become JSON bytes.

The JSON twin of feeds.py: it gets finished Articles and a Channel and returns bytes.
Authors are written twice, as 1.1's `authors` and as 1.0's `author`, as the 1.1
spec allows, so that readers of either version show them.

Keys are written in a fixed order (dicts keep insertion order; sort_keys would move
`version` away from the top, where people look for it) and optional keys are left
out rather than written as null or "", so unchanged posts give identical bytes.

The text is json.dumps(feed, ensure_ascii=False, indent=2)'s, written by `_json`: with
an indent, json.dumps encodes in Python, a generator per value, and took five times as
long (strings are still escaped by json's own C function).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from json.encoder import encode_basestring as _string  # json's own, in C
from typing import Any

from postfeed.article import Article, Channel
from postfeed.dates import format_rfc3339

VERSION = "https://jsonfeed.org/version/1.1"
MEDIA_TYPE = "application/feed+json"


def render_json(channel: Channel, articles: Sequence[Article]) -> bytes:
    """The feed as UTF-8 JSON, items in the order given."""
    # ensure_ascii=False: Chinese text stays readable and a third the size.
    return (_json(feed_object(channel, articles), "") + "\n").encode("utf-8")


def feed_object(channel: Channel, articles: Sequence[Article]) -> dict[str, Any]:
    """The feed as the object the JSON document writes."""
    feed: dict[str, Any] = {
        "version": VERSION,
        "title": channel.title,
        "home_page_url": channel.site_url,
        "feed_url": channel.self_url,
        "description": channel.description,
        "language": channel.language,
        **_authors(channel.author),
    }
    if channel.hubs:
        feed["hubs"] = [{"type": "WebSub", "url": hub} for hub in channel.hubs]
    feed["items"] = [_item(article, channel.full_content) for article in articles]
    return feed


def _json(value: object, indent: str) -> str:
    """`value` as json.dumps(value, ensure_ascii=False, indent=2) writes it at `indent`."""
    if type(value) is str:
        return _string(value)
    inner = indent + "  "
    if isinstance(value, dict):
        if not value:
            return "{}"
        members = [
            f"{inner}{_string(key)}: "
            + (_string(item) if type(item) is str else _json(item, inner))  # (most are text)
            for key, item in value.items()
        ]
        return "{\n" + ",\n".join(members) + f"\n{indent}}}"
    if isinstance(value, list):
        if not value:
            return "[]"
        items = [_string(item) if type(item) is str else _json(item, inner) for item in value]
        return f"[\n{inner}" + f",\n{inner}".join(items) + f"\n{indent}]"
    return json.dumps(value, ensure_ascii=False)


def _item(article: Article, full_content: bool) -> dict[str, Any]:
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
