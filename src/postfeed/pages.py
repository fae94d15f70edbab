"""Files for people rather than feed readers: an OPML list and an index page.

- render_opml: every feed as an OPML 2.0 subscription list, to import into a reader;
- render_index: one self-contained HTML page listing the feeds and the newest articles.

There is no XSLT stylesheet for viewing feeds in a browser, on purpose: Chromium
(156 here) applies one only to feeds served as application/xml, not with the feed
types a server should send, and then shows a banner saying XSLT is being removed.
index.html is the page for people, and every browser shows it.

index.html speaks the site's language (the channel's `language`): its words and its
dates come from one table, WORDS, chosen by words_for(). The OPML list is for readers
and keeps its group names as they are given.

Like feeds.py, this module gets finished records and returns bytes; nothing in the
output depends on the time of the build, so unchanged input gives identical files.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
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
class Words:
    """What index.html says in one language, dates included."""

    feeds: str  # the heading of the list of feeds
    note: str  # how to subscribe
    articles: str  # the heading of the list of articles
    no_articles: str
    groups: dict[str, str]  # group labels as publish gives them (feedsets.Group.label)
    date: str  # str.format pattern: {year} {month} {month_name} {day} {hour} {minute}
    months: tuple[str, ...] = ()  # {month_name}, January first

    def group(self, label: str) -> str:
        """A group's heading; a group the table does not know keeps its label."""
        return self.groups.get(label, label)

    def shown(self, moment: datetime, zone: tzinfo) -> str:
        """A date and time as people of this language write them, in `zone`."""
        local = moment.astimezone(zone)
        month_name = self.months[local.month - 1] if self.months else ""
        return self.date.format(
            year=local.year, month=local.month, month_name=month_name, day=local.day,
            hour=local.hour, minute=local.minute,
        )  # fmt: skip


_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Keyed by lower-case language tag. Dates: "10 Sep 2021, 19:48" (day first: no reader
# takes 09/10 for 9 October or 10 September, and it is the form of the RSS pubDate),
# "2021年9月10日 19:48" (months and days unpadded, as people write them in Chinese).
WORDS: dict[str, Words] = {
    "en": Words(
        feeds="Feeds",
        note="To subscribe, copy an address into your feed reader.",
        articles="Newest articles",
        no_articles="No articles yet.",
        groups={"Main": "Main", "Categories": "Categories", "Custom": "Custom"},
        date="{day} {month_name} {year}, {hour:02}:{minute:02}",
        months=_MONTHS_EN,
    ),
    "zh-cn": Words(
        feeds="订阅源",
        note="复制地址，粘贴到 RSS 阅读器中即可订阅。",
        articles="最新文章",
        no_articles="暂无文章。",
        groups={"Main": "全站", "Categories": "分类", "Custom": "自定义"},
        date="{year}年{month}月{day}日 {hour:02}:{minute:02}",
    ),
    "zh-tw": Words(
        feeds="訂閱來源",
        note="複製網址，貼到 RSS 閱讀器中即可訂閱。",
        articles="最新文章",
        no_articles="尚無文章。",
        groups={"Main": "全站", "Categories": "分類", "Custom": "自訂"},
        date="{year}年{month}月{day}日 {hour:02}:{minute:02}",
    ),
}
# Tags that have no words of their own but are written in the script of another's.
_SAME_WORDS = {
    "zh": "zh-cn",
    "zh-hans": "zh-cn",
    "zh-sg": "zh-cn",
    "zh-my": "zh-cn",
    "zh-hant": "zh-tw",
    "zh-hk": "zh-tw",
    "zh-mo": "zh-tw",
}
FALLBACK_LANGUAGE = "en"


def words_for(language: str) -> Words:
    """The words for a language tag, found as RFC 4647 "lookup" finds them: the whole tag,
    then the tag less its last subtag, and so on (zh-Hant-TW, zh-Hant, zh); English when
    nothing matches. Case does not matter, and `_` is read as `-` (zh_CN)."""
    subtags = language.strip().lower().replace("_", "-").split("-")
    while subtags:
        tag = "-".join(subtags)
        tag = _SAME_WORDS.get(tag, tag)
        if tag in WORDS:
            return WORDS[tag]
        subtags.pop()
    return WORDS[FALLBACK_LANGUAGE]


@dataclass(frozen=True, slots=True)
class FeedLink:
    """One feed file, as the OPML list and the index page show it."""

    title: str
    format: Format  # a row of formats.FORMATS, perhaps under another file name
    url: str  # absolute: the OPML list and the copied address are used away from the site
    html_url: str  # the web page the feed follows
    group: str  # the heading it is listed under: "Main", "Categories", "Custom", ...
    discoverable: bool  # True (the main feeds): the index page has a <link rel="alternate">

    def __post_init__(self) -> None:
        # Caught here, a wrong value would otherwise only fail or drop a link later.
        if not isinstance(self.format, Format) or not any(
            replace(known, file_name=self.format.file_name) == self.format for known in FORMATS
        ):
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

    The markup is templates/index.html, where every value is escaped on output; its
    words follow the channel's language (see words_for), and dates are shown in `zone`.
    """
    groups = {
        # A feed's formats (RSS, Atom, JSON Feed) share one entry.
        group: _by_key(members, lambda link: (link.title, link.html_url))
        for group, members in _by_group(links).items()
    }
    page = _template().render(
        channel=channel,
        links=links,
        groups=groups,
        articles=articles,
        zone=zone,
        words=words_for(channel.language),
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
    return environment.get_template("index.html")


def _escape(value: object) -> Markup:
    # Autoescaping would write ' and " as &#39; and &#34;; escaping with html.escape
    # first keeps the bytes of every index.html that earlier versions wrote.
    return value if isinstance(value, Markup) else Markup(html.escape(str(value), quote=True))


def _by_group(links: Sequence[FeedLink]) -> dict[str, list[FeedLink]]:
    """The links by group, groups in order of first appearance."""
    return _by_key(links, lambda link: link.group)


def _by_key(links: Sequence[FeedLink], key: Callable[[FeedLink], K]) -> dict[K, list[FeedLink]]:
    """The links by key, keys in order of first appearance."""
    grouped: dict[K, list[FeedLink]] = {}
    for link in links:
        grouped.setdefault(key(link), []).append(link)
    return grouped
