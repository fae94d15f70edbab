"""Writing feeds: Articles become RSS 2.0 and Atom 1.0 documents.

It knows nothing of how articles were read: it gets finished Articles and a
Channel, and returns bytes.

The markup is templates/rss.xml and templates/atom.xml (as jekyll-feed keeps its
feed.xml), written in the bytes that feedgen and lxml wrote before (see
tests/feedgen_reference.py, which the tests compare them with): lxml's pretty printing
(two spaces a level, an element with no content as `<x/>`) and escaping (`& < >` and a
carriage return in text, also `"`, tab and newline in attributes); a string that XML
cannot hold raises ValueError, as lxml did. Building feedgen's objects, then lxml's
tree, then parsing it again to fix feedgen's dates took ten times as long.

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
from functools import cache
from typing import TYPE_CHECKING

from markupsafe import Markup

from postfeed import __version__
from postfeed.article import Article, Channel
from postfeed.dates import format_rfc822, format_rfc3339

if TYPE_CHECKING:
    import jinja2

GENERATOR_URI = "https://pypi.org/project/postfeed/"
# An empty feed still needs a date; a fixed one keeps the output deterministic.
EMPTY_FEED_DATE = datetime(1970, 1, 1, tzinfo=UTC)
# libxml2, which most feed readers parse with, refuses a text longer than this (in
# UTF-8) unless told to read huge documents: a feed holding one would be broken.
MAX_TEXT_BYTES = 10_000_000
# What XML cannot hold, and lxml refused to store: control characters but tab, newline
# and carriage return, U+FFFE, U+FFFF, and a lone surrogate (not UTF-8). config refuses
# it in the texts every feed writes, before a build does any work.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def render_rss(channel: Channel, articles: Sequence[Article]) -> bytes:
    if not (channel.title and channel.site_url and channel.description):
        raise ValueError("Required fields not set (title, link or description)")
    for article in articles:
        if not (article.title or article.summary or (channel.full_content and article.content)):
            raise ValueError("Required fields not set")
    return _render("rss.xml", channel, articles)


def render_atom(channel: Channel, articles: Sequence[Article]) -> bytes:
    if not (channel.self_url and channel.title):
        raise ValueError("Required fields not set (title or id)")
    for article in articles:
        if not (article.id and article.title):
            raise ValueError("Required fields not set")
    return _render("atom.xml", channel, articles)


def _render(template: str, channel: Channel, articles: Sequence[Article]) -> bytes:
    document = (
        _templates()
        .get_template(template)
        .render(
            channel=channel,
            articles=articles,
            updated=max((article.updated for article in articles), default=EMPTY_FEED_DATE),
            generator_uri=GENERATOR_URI,
            version=__version__,
        )
    )
    return document.encode()


@cache
def _templates() -> jinja2.Environment:
    """Made on first use: a build that writes no feed never imports Jinja2 or compiles
    the templates."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("postfeed"),
        autoescape=True,  # with finalize: every value is escaped as XML text, once
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,  # a misspelt name fails, not an empty string
        finalize=_text,
    )
    environment.filters["attribute"] = _attribute
    environment.filters["html"] = _html
    environment.filters["rfc822"] = format_rfc822
    environment.filters["rfc3339"] = format_rfc3339
    return environment


def _html(text: str) -> str:
    """RSS <description> is read as HTML: the plain summary is HTML-escaped first."""
    return html.escape(text, quote=False)


def _text(value: object) -> Markup:
    """`value` as the text of an element, escaped as lxml escapes it."""
    if isinstance(value, Markup):
        return value  # markup of the template's own, or an attribute made by _attribute
    return Markup(_escaped(str(value)))


def _attribute(value: str) -> Markup:
    """`value` as an attribute's, in double quotes, escaped as lxml escapes it."""
    text = _escaped(value).replace('"', "&quot;")
    return Markup(text.replace("\n", "&#10;").replace("\t", "&#9;"))


def _escaped(text: str) -> str:
    if NOT_XML.search(text):
        raise ValueError("All strings must be XML compatible: no NULL bytes or control characters")
    if len(text) > MAX_TEXT_BYTES // 4 and len(text.encode()) > MAX_TEXT_BYTES:
        raise ValueError(f"a text of over {MAX_TEXT_BYTES:,} bytes: feed readers refuse it")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r", "&#13;") if "\r" in text else text
