"""The feed writers write the very bytes feedgen, lxml and json.dumps wrote before.

feeds.py and jsonfeed.py write their documents as text; feedgen_reference.py is the
code they replace. For random channels and articles (text with markup, entities,
control characters, carriage returns, quotes, empty values, CJK), both give the same
bytes, or both refuse the input (a build then leaves the article out and reports it).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from postfeed import feeds, jsonfeed
from postfeed.article import Article, Channel

import feedgen_reference as reference

WRITERS = [
    (feeds.render_rss, reference.render_rss),
    (feeds.render_atom, reference.render_atom),
    (jsonfeed.render_json, reference.render_json),
]

# What feeds escape, refuse, or write as they are.
_TRICKY = list("ab <>&\"'\t\n\r\x00\x08\x0b\x1f\x7f\x85\u2028\ufffe\uffff\u3000é中]]>;#/=")
texts = st.one_of(
    st.just(""),
    st.text(st.sampled_from(_TRICKY), max_size=12),
    st.text(max_size=30),  # any character, lone surrogates too
)
dates = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
)
articles = st.builds(
    Article,
    source=st.just(Path("post.md")),
    title=texts,
    link=texts,
    id=texts,
    published=dates,
    updated=dates,
    categories=st.lists(texts, max_size=3).map(tuple),
    tags=st.lists(texts, max_size=2).map(tuple),
    author=st.none() | texts,
    image=st.none() | texts,
    summary=texts,
    content=texts,
)
channels = st.builds(
    Channel,
    title=texts,
    description=texts,
    site_url=texts,
    self_url=texts,
    language=texts,
    author=texts,
    full_content=st.booleans(),
    hubs=st.lists(texts, max_size=2).map(tuple),
)

SITE = "https://feeds.example.org/"
USUAL_CHANNEL = Channel("标题", "描述", SITE, SITE + "rss.xml", "zh-CN", "作者")
USUAL_ARTICLE = Article(
    source=Path("a.md"),
    title="文章 <一> & “二”",
    link=SITE + "2021/09/a/",
    id="urn:uuid:be4f8372-8783-54e2-bc60-fdbb53daa05f",
    published=datetime(2021, 9, 10, 11, 48, 10, tzinfo=UTC),
    updated=datetime(2021, 9, 11, 1, 2, 3, 456, tzinfo=UTC),
    categories=("新闻", "A&B"),
    tags=("标签",),
    author="某人",
    image=SITE + "a.png?x=1&y=2",
    summary="摘要 <b>不是标签</b>\r\n第二行",
    content='<p>正文 &amp; <a href="https://x.example/?a=1&amp;b=2">链接</a></p>\r\n<pre>\tcode</pre>',
)


def outcome(writer, channel: Channel, items: list[Article]) -> bytes | str:
    """The bytes written, or "refused" (ValueError, UnicodeEncodeError; messages differ)."""
    try:
        return writer(channel, items)
    except ValueError:
        return "refused"


@pytest.mark.parametrize(("writer", "before"), WRITERS)
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(channel=channels, items=st.lists(articles, max_size=3))
@example(channel=USUAL_CHANNEL, items=[USUAL_ARTICLE, USUAL_ARTICLE])
@example(channel=USUAL_CHANNEL, items=[])
@example(channel=Channel("t", "d", SITE, SITE, "", "", False, (SITE + "hub",)), items=[])
def test_the_bytes_are_those_written_before(writer, before, channel, items) -> None:
    assert outcome(writer, channel, items) == outcome(before, channel, items)


@pytest.mark.parametrize("writer", [feeds.render_rss, feeds.render_atom])
def test_a_text_too_long_for_feed_readers_is_refused_as_before(writer) -> None:
    """libxml2 refuses a text node of over 10,000,000 bytes (UTF-8): such an article is
    left out and reported, never written into a feed that readers cannot parse."""
    longest = [replace(USUAL_ARTICLE, content="中" * 3_333_333)]  # 9,999,999 bytes
    too_long = [replace(USUAL_ARTICLE, content="中" * 3_333_334)]  # (lxml failed to parse
    assert outcome(writer, USUAL_CHANNEL, longest) != "refused"  # what feedgen wrote)
    assert outcome(writer, USUAL_CHANNEL, too_long) == "refused"
