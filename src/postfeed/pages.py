"""Files for people rather than feed readers: an OPML list and an index page.

- render_opml: every feed as an OPML 2.0 subscription list, to import into a reader;
- render_index: one self-contained HTML page listing the feeds and the newest articles.

There is no XSLT stylesheet for viewing feeds in a browser, on purpose: Chromium
(156 here) applies one only to feeds served as application/xml, not with the feed
types a server should send, and then shows a banner saying XSLT is being removed.
index.html is the page for people, and every browser shows it.

Like feeds.py, this module gets finished records and returns bytes; nothing in the
output depends on the time of the build, so unchanged input gives identical files.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo
from urllib.parse import urlsplit

from lxml import etree

from postfeed.article import Article
from postfeed.dates import format_rfc3339
from postfeed.feeds import Channel

# Every format a FeedLink may have, with the media type of its autodiscovery link.
FEED_TYPES: dict[str, str] = {
    "RSS": "application/rss+xml",
    "Atom": "application/atom+xml",
    "JSON Feed": "application/feed+json",
}
MAIN_GROUP = "Main"  # the group whose feeds get autodiscovery links in the index page


@dataclass(frozen=True, slots=True)
class FeedLink:
    """One feed file, as the OPML list and the index page show it."""

    title: str
    format: str  # a key of FEED_TYPES
    url: str  # absolute: the OPML list and the copied address are used away from the site
    html_url: str  # the web page the feed follows
    group: str  # "Main", "Categories", "Custom", ...

    def __post_init__(self) -> None:
        # Caught here, a typo would otherwise only drop a link from the page.
        if self.format not in FEED_TYPES:
            raise ValueError(f"unknown feed format {self.format!r}: not one of {list(FEED_TYPES)}")
        if _safe_url(self.url) is None:
            raise ValueError(f"feed URL must be absolute http(s): {self.url!r}")


def render_opml(title: str, links: Sequence[FeedLink]) -> bytes:
    """An OPML 2.0 subscription list: one outline per link, in a folder per group.

    Every link given becomes an outline, whatever its format: choosing which formats
    to offer is the caller's job. A reader that imports the list subscribes to each
    outline, so a caller that wants one subscription per feed passes one format each.
    There is no dateCreated: the list would change on every build.
    """
    opml = etree.Element("opml", version="2.0")
    head = etree.SubElement(opml, "head")
    etree.SubElement(head, "title").text = title
    body = etree.SubElement(opml, "body")
    for group, members in _by_group(links).items():
        folder = etree.SubElement(body, "outline", {"text": group, "title": group})
        for link in members:
            label = f"{link.title} ({link.format})"
            attributes = {
                "type": "rss",  # what OPML calls any feed
                "text": label,
                "title": label,
                "xmlUrl": link.url,
                "htmlUrl": link.html_url,
            }
            etree.SubElement(folder, "outline", attributes)
    return etree.tostring(opml, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def render_index(
    channel: Channel, links: Sequence[FeedLink], articles: Sequence[Article], zone: tzinfo
) -> bytes:
    """An HTML5 page: the feeds with copyable addresses, then the articles in the order given.

    Every piece of text goes through html.escape; dates are shown in `zone`.
    """
    autodiscovery = [
        f'<link rel="alternate" type="{FEED_TYPES[link.format]}"'
        f' title="{_e(link.title)} ({_e(link.format)})" href="{_e(link.url)}">'
        for link in links
        if link.group == MAIN_GROUP
    ]
    lines = [
        "<!DOCTYPE html>",
        f'<html lang="{_e(channel.language)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(channel.title)}</title>",
        f'<meta name="description" content="{_e(channel.description)}">',
        *autodiscovery,
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{_a(channel.site_url, channel.title)}</h1>",
        f"<p>{_e(channel.description)}</p>",
        "</header>",
        "<main>",
        '<section id="feeds">',
        "<h2>Feeds</h2>",
        '<p class="note">To subscribe, copy an address into your feed reader.</p>',
        *_feed_lines(links),
        "</section>",
        '<section id="articles">',
        "<h2>Newest articles</h2>",
        *_article_lines(articles, zone),
        "</section>",
        "</main>",
        "</body>",
        "</html>",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _feed_lines(links: Sequence[FeedLink]) -> list[str]:
    lines = []
    for group, members in _by_group(links).items():
        lines += [f"<h3>{_e(group)}</h3>", '<ul class="feeds">']
        # A feed's formats (RSS, Atom, JSON Feed) share one entry.
        feeds: dict[tuple[str, str], list[FeedLink]] = {}
        for link in members:
            feeds.setdefault((link.title, link.html_url), []).append(link)
        for (title, html_url), formats in feeds.items():
            lines.append(f"<li>{_a(html_url, title)}")
            for link in formats:
                lines.append(
                    f'<div class="url">{_a(link.url, link.format)} <input readonly'
                    f' value="{_e(link.url)}" aria-label="{_e(link.format)}: {_e(title)}"></div>'
                )
            lines.append("</li>")
        lines.append("</ul>")
    return lines


def _article_lines(articles: Sequence[Article], zone: tzinfo) -> list[str]:
    if not articles:
        return ['<p class="note">No articles yet.</p>']
    lines = ['<ol class="articles">']
    for article in articles:
        local = article.published.astimezone(zone)
        shown = f"{local.year:04d}-{local:%m-%d %H:%M}"  # %Y does not pad years before 1000
        meta = f'<time datetime="{format_rfc3339(article.published)}">{shown}</time>'
        if article.categories:
            meta += " · " + " · ".join(_e(name) for name in article.categories)
        lines.append(f'<li>{_a(article.link, article.title)}<div class="meta">{meta}</div></li>')
    lines.append("</ol>")
    return lines


def _by_group(links: Sequence[FeedLink]) -> dict[str, list[FeedLink]]:
    """The links by group, groups in order of first appearance."""
    groups: dict[str, list[FeedLink]] = {}
    for link in links:
        groups.setdefault(link.group, []).append(link)
    return groups


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _a(url: str, text: str) -> str:
    """A link, or only the text when the URL is not http(s) (no javascript: in a page)."""
    safe = _safe_url(url)
    return f'<a href="{_e(safe)}">{_e(text)}</a>' if safe else _e(text)


def _safe_url(url: str) -> str | None:
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


STYLE = (
    ":root{color-scheme:light dark}"
    "body{font:1rem/1.5 system-ui,sans-serif;max-width:46rem;margin:0 auto;padding:1rem;"
    "overflow-wrap:anywhere}"
    "h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.25rem;margin:1.5rem 0 .5rem}"
    "h3{font-size:1rem;margin:1rem 0 .25rem}"
    "ul,ol{padding-left:1.25rem}li{margin:.6rem 0}"
    ".url{display:flex;gap:.5rem;align-items:center;margin:.2rem 0}.url a{min-width:5.5rem}"
    "input{flex:1;min-width:0;width:100%;box-sizing:border-box;font:.85rem ui-monospace,monospace}"
    ".meta,.note{color:GrayText;font-size:.9rem}"
)
