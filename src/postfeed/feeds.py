"""Writing feeds: Articles become RSS 2.0 and Atom 1.0 documents.

It knows nothing of how articles were read: it gets finished Articles and a
Channel, and returns bytes.

The documents are written as text, one string per element, in the bytes that feedgen
and lxml wrote before (see tests/feedgen_reference.py, which the tests compare them
with): lxml's pretty printing (two spaces a level, an element with no content as
`<x/>`) and escaping (`& < >` and a carriage return in text, also `"`, tab and newline
in attributes); a string that XML cannot hold raises ValueError, as lxml did. Building
feedgen's objects, then lxml's tree, then parsing it again to fix feedgen's dates took
ten times as long.

What feedgen got wrong, and these documents do not (see ../shared/feedcheck/README.md):
- each format has its own rel="self" URL, and the RSS channel <link> is the site;
- RSS dates are written `Fri, 10 Sep 2021 11:48:10 GMT`, Atom dates
  `2021-09-10T11:48:10Z` (feedgen wrote `+0000` and `+00:00`);
- an entry has exactly one link, without `rel` (feedgen dropped `rel` from Atom entry
  links), and no enclosure;
- the RSS author is `dc:creator` (RSS <author> must be an e-mail address);
- RSS <description> is read as HTML by readers and validators, so the plain
  summary is HTML-escaped first.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import UTC, datetime

from postfeed import __version__
from postfeed.article import Article, Channel
from postfeed.dates import format_rfc822, format_rfc3339

GENERATOR_URI = "https://pypi.org/project/postfeed/"
ATOM_NS = "http://www.w3.org/2005/Atom"
# An empty feed still needs a date; a fixed one keeps the output deterministic.
EMPTY_FEED_DATE = datetime(1970, 1, 1, tzinfo=UTC)
RSS_DOCS = "http://www.rssboard.org/rss-specification"

_DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>\n"
_RSS_OPEN = (
    '<rss xmlns:media="http://search.yahoo.com/mrss/"'
    ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
    f' xmlns:atom="{ATOM_NS}"'
    ' xmlns:content="http://purl.org/rss/1.0/modules/content/" version="2.0">\n'
)
_ATOM_OPEN = f'<feed xmlns:media="http://search.yahoo.com/mrss/" xmlns="{ATOM_NS}"'
# What lxml refuses to store: control characters but tab, newline and carriage return,
# and U+FFFE, U+FFFF (a lone surrogate fails when the document is encoded).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def render_rss(channel: Channel, articles: Sequence[Article]) -> bytes:
    if not (channel.title and channel.site_url and channel.description):
        raise ValueError("Required fields not set (title, link or description)")
    head = [
        _DECLARATION,
        _RSS_OPEN,
        "  <channel>\n",
        _element("    ", "title", channel.title),
        _element("    ", "link", channel.site_url),
        _element("    ", "description", channel.description),
        f'    <atom:link href="{_attribute(channel.self_url)}" rel="self"/>\n',
        *(f'    <atom:link href="{_attribute(hub)}" rel="hub"/>\n' for hub in channel.hubs),
        _element("    ", "docs", RSS_DOCS),
        _element("    ", "generator", "postfeed"),
        _element("    ", "language", channel.language) if channel.language else "",
        _element("    ", "lastBuildDate", format_rfc822(_newest(articles))),
    ]
    items = [_rss_item(article, channel.full_content) for article in articles]
    return "".join((*head, *items, "  </channel>\n</rss>\n")).encode()


def _rss_item(article: Article, full_content: bool) -> str:
    description = html.escape(article.summary, quote=False)
    content = article.content if full_content else ""
    if not (article.title or description or content):
        raise ValueError("Required fields not set")
    parts = ["    <item>\n"]
    if article.title:
        parts.append(_element("      ", "title", article.title))
    if article.link:
        parts.append(_element("      ", "link", article.link))
    if description:
        parts.append(_element("      ", "description", description))
        if content:
            parts.append(_element("      ", "content:encoded", content))
    elif content:
        parts.append(_element("      ", "description", content))
    if article.id:
        parts.append(f'      <guid isPermaLink="false">{_text(article.id)}</guid>\n')
    parts += [_element("      ", "category", term) for term in _terms(article)]
    parts.append(_element("      ", "pubDate", format_rfc822(article.published)))
    parts.append(_media("      ", article.image))
    if article.author:
        parts.append(_element("      ", "dc:creator", article.author))
    parts.append("    </item>\n")
    return "".join(parts)


def render_atom(channel: Channel, articles: Sequence[Article]) -> bytes:
    if not (channel.self_url and channel.title):
        raise ValueError("Required fields not set (title or id)")
    language = f' xml:lang="{_attribute(channel.language)}"' if channel.language else ""
    head = [
        _DECLARATION,
        f"{_ATOM_OPEN}{language}>\n",
        _element("  ", "id", channel.self_url),
        _element("  ", "title", channel.title),
        _element("  ", "updated", format_rfc3339(_newest(articles))),
        _author("  ", channel.author),
        f'  <link href="{_attribute(channel.self_url)}" rel="self"/>\n',
        *(f'  <link href="{_attribute(hub)}" rel="hub"/>\n' for hub in channel.hubs),
        f'  <link href="{_attribute(channel.site_url)}" rel="alternate"/>\n',
        f'  <generator uri="{GENERATOR_URI}" version="{_attribute(__version__)}">postfeed'
        "</generator>\n",
        _element("  ", "subtitle", channel.description) if channel.description else "",
    ]
    entries = [_atom_entry(article, channel.full_content) for article in articles]
    return "".join((*head, *entries, "</feed>\n")).encode()


def _atom_entry(article: Article, full_content: bool) -> str:
    if not (article.id and article.title):
        raise ValueError("Required fields not set")
    parts = [
        "  <entry>\n",
        _element("    ", "id", article.id),
        _element("    ", "title", article.title),
        _element("    ", "updated", format_rfc3339(article.updated)),
        _author("    ", article.author),
    ]
    if article.content and full_content:
        parts.append(f'    <content type="html">{_text(article.content)}</content>\n')
    parts.append(f'    <link href="{_attribute(article.link)}"/>\n')
    if article.summary:
        parts.append(f'    <summary type="text">{_text(article.summary)}</summary>\n')
    parts += [f'    <category term="{_attribute(term)}"/>\n' for term in _terms(article)]
    parts.append(_element("    ", "published", format_rfc3339(article.published)))
    parts.append(_media("    ", article.image))
    parts.append("  </entry>\n")
    return "".join(parts)


def _terms(article: Article) -> tuple[str, ...]:
    return (*article.categories, *article.tags)


def _author(indent: str, name: str | None) -> str:
    if not name:
        return ""
    return f"{indent}<author>\n{indent}  <name>{_text(name)}</name>\n{indent}</author>\n"


def _media(indent: str, image: str | None) -> str:
    """The lead image, as media:content and media:thumbnail (readers know one or the other)."""
    if not image:
        return ""
    url = _attribute(image)
    return (
        f'{indent}<media:content url="{url}" medium="image"/>\n'
        f'{indent}<media:thumbnail url="{url}"/>\n'
    )


def _element(indent: str, name: str, text: str) -> str:
    """One element of text on a line of its own (`<name/>` when the text is empty)."""
    if not text:
        return f"{indent}<{name}/>\n"
    return f"{indent}<{name}>{_text(text)}</{name}>\n"


def _text(value: str) -> str:
    """`value` as the text of an element, escaped as lxml escapes it."""
    if _NOT_XML.search(value):
        raise ValueError("All strings must be XML compatible: no NULL bytes or control characters")
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("\r", "&#13;") if "\r" in value else value


def _attribute(value: str) -> str:
    """`value` as an attribute's, in double quotes, escaped as lxml escapes it."""
    value = _text(value).replace('"', "&quot;")
    return value.replace("\n", "&#10;").replace("\t", "&#9;")


def _newest(articles: Sequence[Article]) -> datetime:
    return max((article.updated for article in articles), default=EMPTY_FEED_DATE)
