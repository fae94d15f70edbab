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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import cache
from typing import TypeVar

import jinja2
from lxml import etree
from markupsafe import Markup

from postfeed import urls
from postfeed.article import Article, Channel
from postfeed.dates import format_rfc3339
from postfeed.formats import FORMATS, Format

K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class FeedLink:
    """One feed file, as the OPML list and the index page show it."""

    title: str
    format: Format  # a row of formats.FORMATS
    url: str  # absolute: the OPML list and the copied address are used away from the site
    html_url: str  # the web page the feed follows
    group: str  # the heading it is listed under: "Main", "Categories", "Custom", ...
    discoverable: bool  # True (the main feeds): the index page has a <link rel="alternate">

    def __post_init__(self) -> None:
        # Caught here, a wrong value would otherwise only fail or drop a link later.
        if self.format not in FORMATS:
            labels = [known.label for known in FORMATS]
            raise ValueError(f"unknown feed format {self.format!r}: not one of {labels}")
        if not urls.is_web_url(self.url):
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
            label = f"{link.title} ({link.format.label})"
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

    The markup is templates/index.html, where every value is escaped on output;
    dates are shown in `zone`.
    """
    groups = {
        # A feed's formats (RSS, Atom, JSON Feed) share one entry.
        group: _by_key(members, lambda link: (link.title, link.html_url))
        for group, members in _by_group(links).items()
    }
    page = _template().render(
        channel=channel, links=links, groups=groups, articles=articles, zone=zone
    )
    return page.encode("utf-8")


@cache
def _template() -> jinja2.Template:
    """Made on first use: a build that renders no index page never compiles the template."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("postfeed"),
        autoescape=True,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,  # a misspelt name fails, not an empty string
        finalize=_escape,
    )
    environment.tests["web_url"] = urls.is_web_url
    environment.filters["rfc3339"] = format_rfc3339
    environment.filters["shown_in"] = _shown_in
    return environment.get_template("index.html")


def _escape(value: object) -> Markup:
    # Autoescaping would write ' and " as &#39; and &#34;; escaping with html.escape
    # first keeps the bytes of every index.html that earlier versions wrote.
    return value if isinstance(value, Markup) else Markup(html.escape(str(value), quote=True))


def _shown_in(moment: datetime, zone: tzinfo) -> str:
    local = moment.astimezone(zone)
    return f"{local.year:04d}-{local:%m-%d %H:%M}"  # %Y does not pad years before 1000


def _by_group(links: Sequence[FeedLink]) -> dict[str, list[FeedLink]]:
    """The links by group, groups in order of first appearance."""
    return _by_key(links, lambda link: link.group)


def _by_key(links: Sequence[FeedLink], key: Callable[[FeedLink], K]) -> dict[K, list[FeedLink]]:
    """The links by key, keys in order of first appearance."""
    grouped: dict[K, list[FeedLink]] = {}
    for link in links:
        grouped.setdefault(key(link), []).append(link)
    return grouped
