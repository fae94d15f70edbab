"""Specification of the JSON Feed writer (jsonfeed.py) and the pages for people (pages.py)."""

from __future__ import annotations

import html
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import lxml.html
import pytest
from lxml import etree

from postfeed.article import Article, Channel
from postfeed.feedsets import Group
from postfeed.formats import FORMATS, Format
from postfeed.jsonfeed import render_json
from postfeed.pages import WORDS, FeedLink, Words, render_index, render_opml, words_for

SITE = "https://news.example.org/"
FEEDS = "https://news.example.org/feeds/"
SHANGHAI = ZoneInfo("Asia/Shanghai")
EVIL_TITLE = "<script>alert(1)</script> 一口气签七份协议"
BY_LABEL = {fmt.label: fmt for fmt in FORMATS}
RSS, ATOM, JSON_FEED = BY_LABEL["RSS"], BY_LABEL["Atom"], BY_LABEL["JSON Feed"]

CHANNEL = Channel(
    title="新浪财经 · 国内",
    description="Scraped news & more",
    site_url=SITE,
    self_url=FEEDS + "feed.json",
    language="zh-CN",
    author="News robot",
)

FIRST = Article(
    source=Path("posts/a.md"),
    title=EVIL_TITLE,
    link=SITE + "2021/09/10/a/",
    id="urn:uuid:9dda1fcf-3306-5321-8b8d-243eba3aa18b",
    published=datetime(2021, 9, 10, 11, 48, 10, tzinfo=UTC),
    updated=datetime(2021, 9, 11, 2, 0, 0, tzinfo=UTC),
    categories=("金融", "新浪财经"),
    tags=("长江",),
    author="新浪财经",
    image="https://n.sinaimg.cn/finance/343233024.png",
    summary="AT&T <b>不是标签</b> 原标题：一口气签七份协议。",
    content="<p>正文</p>",
)
# Late on the 9th in UTC is the morning of the 10th in Shanghai.
SECOND = Article(
    source=Path("posts/b.md"),
    title="Second & last",
    link=SITE + "2021/09/09/b/",
    id="tag:news.example.org,2021:b",
    published=datetime(2021, 9, 9, 23, 5, 0, tzinfo=UTC),
    updated=datetime(2021, 9, 9, 23, 5, 0, tzinfo=UTC),
)
ARTICLES = (FIRST, SECOND)

CATEGORY_PAGE = SITE + "categories/jr/"
JR = FEEDS + "categories/jr/"
LINKS = (
    FeedLink("新浪财经 · 国内", RSS, FEEDS + "rss.xml", SITE, "Main", discoverable=True),
    FeedLink("新浪财经 · 国内", ATOM, FEEDS + "atom.xml", SITE, "Main", discoverable=True),
    FeedLink("新浪财经 · 国内", JSON_FEED, FEEDS + "feed.json", SITE, "Main", discoverable=True),
    FeedLink("金融", RSS, JR + "rss.xml", CATEGORY_PAGE, "Categories", discoverable=False),
    FeedLink("金融", ATOM, JR + "atom.xml", CATEGORY_PAGE, "Categories", discoverable=False),
    FeedLink("A & <B>", ATOM, FEEDS + "custom/ab.xml", SITE, "Custom", discoverable=False),
)  # fmt: skip


def with_channel(**changes: object) -> Channel:
    fields = {name: getattr(CHANNEL, name) for name in Channel.__slots__}
    return Channel(**{**fields, **changes})


# --- JSON Feed ----------------------------------------------------------------------------


def feed_json(channel: Channel = CHANNEL, articles: tuple[Article, ...] = ARTICLES) -> dict:
    return json.loads(render_json(channel, articles).decode("utf-8"))


def test_json_feed_top_level_fields_in_a_fixed_order() -> None:
    feed = feed_json()
    assert list(feed) == [
        "version", "title", "home_page_url", "feed_url", "description", "language", "authors",
        "author", "items",
    ]  # fmt: skip
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == CHANNEL.title
    assert feed["home_page_url"] == SITE
    assert feed["feed_url"] == FEEDS + "feed.json"
    assert feed["description"] == "Scraped news & more"
    assert feed["language"] == "zh-CN"
    assert feed["authors"] == [{"name": "News robot"}]
    assert feed["author"] == {"name": "News robot"}  # JSON Feed 1.0's, which 1.1 allows beside


def test_json_feed_items_keep_the_given_ids_and_order() -> None:
    assert [item["id"] for item in feed_json()["items"]] == [FIRST.id, SECOND.id]
    reversed_order = feed_json(articles=(SECOND, FIRST))
    assert [item["id"] for item in reversed_order["items"]] == [SECOND.id, FIRST.id]


def test_json_feed_item_fields() -> None:
    item = feed_json()["items"][0]
    assert list(item) == [
        "id", "url", "title", "content_html", "summary", "image", "date_published",
        "date_modified", "tags", "authors", "author",
    ]  # fmt: skip
    assert item["url"] == FIRST.link
    assert item["title"] == EVIL_TITLE  # JSON strings are text: nothing to escape
    assert item["content_html"] == "<p>正文</p>"
    assert item["summary"] == FIRST.summary
    assert item["image"] == FIRST.image
    assert item["date_published"] == "2021-09-10T11:48:10Z"
    assert item["date_modified"] == "2021-09-11T02:00:00Z"
    assert item["tags"] == ["金融", "新浪财经", "长江"]  # categories, then tags
    assert item["authors"] == [{"name": "新浪财经"}]
    assert item["author"] == {"name": "新浪财经"}  # for readers that know only JSON Feed 1.0


def test_json_feed_leaves_out_empty_optional_fields() -> None:
    item = feed_json()["items"][1]
    assert item == {
        "id": SECOND.id,
        "url": SECOND.link,
        "title": "Second & last",
        "content_text": "",  # the spec requires content_html or content_text
        "date_published": "2021-09-09T23:05:00Z",
        "date_modified": "2021-09-09T23:05:00Z",
    }


def test_json_feed_every_item_has_content_as_the_spec_requires() -> None:
    for channel in (CHANNEL, with_channel(full_content=False)):
        for item in feed_json(channel)["items"]:
            assert isinstance(item.get("content_html", item.get("content_text")), str)


def test_json_feed_summary_only_mode_has_no_html_content() -> None:
    items = feed_json(with_channel(full_content=False))["items"]
    assert all("content_html" not in item for item in items)
    assert items[0]["content_text"] == FIRST.summary
    assert items[0]["summary"] == FIRST.summary


def test_json_feed_hubs() -> None:
    assert "hubs" not in feed_json()
    hubs = ("https://hub.example/", "https://pubsubhubbub.appspot.com/")
    feed = feed_json(with_channel(hubs=hubs))
    assert feed["hubs"] == [
        {"type": "WebSub", "url": "https://hub.example/"},
        {"type": "WebSub", "url": "https://pubsubhubbub.appspot.com/"},
    ]
    assert list(feed).index("hubs") == list(feed).index("items") - 1


def test_json_feed_bytes_are_utf8_indented_by_two_with_a_final_newline() -> None:
    data = render_json(CHANNEL, ARTICLES)
    assert data.endswith(b"}\n")
    assert "新浪财经".encode() in data  # not \\u escapes
    assert b'\n  "version": "https://jsonfeed.org/version/1.1",\n' in data  # indent=2


def test_json_feed_of_no_articles() -> None:
    assert feed_json(articles=())["items"] == []


# --- FeedLink -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fmt", ["RSS", Format("rss", "rss.xml", "RSS", "text/xml", "postfeed.feeds:render_rss")]
)
def test_feed_link_refuses_a_format_that_is_not_in_the_table(fmt: object) -> None:
    # Media types and labels come from formats.FORMATS, and only from there.
    with pytest.raises(ValueError, match="unknown feed format"):
        FeedLink("x", fmt, FEEDS + "rss.xml", SITE, "Main", discoverable=True)  # type: ignore[arg-type]


@pytest.mark.parametrize("url", ["rss.xml", "/feeds/rss.xml", "javascript:alert(1)", "https://"])
def test_feed_link_refuses_a_url_that_is_not_absolute_http(url: str) -> None:
    with pytest.raises(ValueError, match="absolute"):
        FeedLink("x", RSS, url, SITE, "Main", discoverable=True)


# --- OPML ---------------------------------------------------------------------------------


def opml() -> etree._Element:
    return etree.fromstring(render_opml("新浪财经 · 国内 & co", LINKS))


def test_opml_is_version_2_with_a_title_and_no_date() -> None:
    root = opml()
    assert root.tag == "opml"
    assert root.get("version") == "2.0"
    assert root.findtext("head/title") == "新浪财经 · 国内 & co"
    assert root.find("head/dateCreated") is None
    assert render_opml("t", LINKS).startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<opml")


def test_opml_has_one_outline_per_link_in_order() -> None:
    feeds = opml().findall(".//outline[@xmlUrl]")
    assert [outline.get("xmlUrl") for outline in feeds] == [link.url for link in LINKS]
    for outline, link in zip(feeds, LINKS, strict=True):
        assert outline.get("type") == "rss"
        assert outline.get("xmlUrl").startswith("https://")
        assert outline.get("htmlUrl") == link.html_url
        assert outline.get("text") == outline.get("title") == f"{link.title} ({link.format.label})"


def test_opml_groups_outlines_by_group_in_order_of_first_appearance() -> None:
    folders = opml().findall("body/outline")
    assert [folder.get("text") for folder in folders] == ["Main", "Categories", "Custom"]
    assert all(folder.get("xmlUrl") is None for folder in folders)
    counts = [len(folder.findall("outline[@xmlUrl]")) for folder in folders]
    assert counts == [3, 2, 1]


def test_opml_escapes_titles_in_attributes() -> None:
    assert b'text="A &amp; &lt;B&gt; (Atom)"' in render_opml("t", LINKS)


# --- index page ---------------------------------------------------------------------------


def index_bytes(zone: ZoneInfo = SHANGHAI, **changes: object) -> bytes:
    return render_index(with_channel(**changes), LINKS, ARTICLES, zone)


def index(zone: ZoneInfo = SHANGHAI) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(index_bytes(zone))


def test_index_is_html5_with_language_charset_viewport_and_title() -> None:
    page = index_bytes()
    assert page.startswith(b"<!DOCTYPE html>\n")
    root = index()
    assert root.get("lang") == "zh-CN"
    assert root.xpath("head/meta[@charset='utf-8']")
    assert root.xpath("head/meta[@name='viewport']/@content") == [
        "width=device-width, initial-scale=1"
    ]
    assert root.findtext("head/title") == CHANNEL.title
    assert root.xpath("head/meta[@name='description']/@content") == ["Scraped news & more"]
    assert root.xpath("//h1/a/@href") == [SITE]


def test_index_autodiscovery_links_are_the_main_feeds_only() -> None:
    found = [
        (link.get("type"), link.get("href"), link.get("title"))
        for link in index().xpath("head/link[@rel='alternate']")
    ]
    assert found == [
        ("application/rss+xml", FEEDS + "rss.xml", "新浪财经 · 国内 (RSS)"),
        ("application/atom+xml", FEEDS + "atom.xml", "新浪财经 · 国内 (Atom)"),
        ("application/feed+json", FEEDS + "feed.json", "新浪财经 · 国内 (JSON Feed)"),
    ]


def test_index_autodiscovery_follows_discoverable_not_the_group_name() -> None:
    links = [
        FeedLink("Hidden", RSS, FEEDS + "hidden.xml", SITE, "Main", discoverable=False),
        FeedLink("Shown", ATOM, FEEDS + "shown.xml", SITE, "Elsewhere", discoverable=True),
    ]
    root = lxml.html.document_fromstring(render_index(CHANNEL, links, ARTICLES, SHANGHAI))
    assert root.xpath("head/link[@rel='alternate']/@href") == [FEEDS + "shown.xml"]
    assert root.xpath("//input/@value") == [FEEDS + "hidden.xml", FEEDS + "shown.xml"]


def test_index_shows_every_feed_url_in_a_copyable_field_with_its_format() -> None:
    root = index()
    values = root.xpath("//input/@value")
    assert values == [link.url for link in LINKS]
    assert all(field.get("readonly") is not None for field in root.iter("input"))
    labels = [row.xpath("string(a)") for row in root.xpath("//div[@class='url']")]
    assert labels == [link.format.label for link in LINKS]
    assert root.xpath("//div[@class='url']/a/@href") == [link.url for link in LINKS]
    # A feed's formats share one entry, under the title linking to its page.
    entries = root.xpath("//ul[@class='feeds']/li")
    assert [entry.xpath("string(a)") for entry in entries] == ["新浪财经 · 国内", "金融", "A & <B>"]
    assert [len(entry.xpath("div[@class='url']")) for entry in entries] == [3, 2, 1]
    assert entries[1].xpath("a/@href") == [CATEGORY_PAGE]
    # The groups Main, Categories and Custom, in the site's language (zh-CN).
    assert [group.text for group in root.iter("h3")] == ["全站", "分类", "自定义"]


def test_index_escapes_titles() -> None:
    root = index()
    assert not list(root.iter("script"))
    first = root.xpath("//ol[@class='articles']/li")[0]
    assert first.xpath("string(a)") == EVIL_TITLE
    assert first.xpath("a/@href") == [FIRST.link]
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in index_bytes()
    custom = [a.text for a in root.xpath("//ul[@class='feeds']/li/a")]
    assert "A & <B>" in custom
    breakout = '"></title><script>x</script>'
    escaped = lxml.html.document_fromstring(index_bytes(title=breakout, description=breakout))
    assert escaped.findtext("head/title") == breakout
    assert escaped.xpath("head/meta[@name='description']/@content") == [breakout]
    assert not list(escaped.iter("script"))


def test_index_escapes_feed_urls_and_titles_in_attributes() -> None:
    url = FEEDS + '?q="><script>x</script>&amp'
    link = FeedLink('"><script>y</script>', RSS, url, SITE + '?"', "Main", discoverable=True)
    root = lxml.html.document_fromstring(render_index(CHANNEL, [link], ARTICLES, SHANGHAI))
    assert root.xpath("//input/@value") == [url]
    assert root.xpath("head/link[@rel='alternate']/@href") == [url]
    assert root.xpath("head/link[@rel='alternate']/@title") == ['"><script>y</script> (RSS)']
    assert root.xpath("//ul[@class='feeds']/li/a/@href") == [SITE + '?"']
    assert not list(root.iter("script"))


def test_index_lists_articles_in_order_with_local_dates_and_categories() -> None:
    rows = index().xpath("//ol[@class='articles']/li")
    assert [row.xpath("string(a)") for row in rows] == [EVIL_TITLE, "Second & last"]
    shown = [row.xpath("string(.//time)") for row in rows]
    assert shown == ["2021年9月10日 19:48", "2021年9月10日 07:05"]
    assert rows[0].xpath(".//time/@datetime") == ["2021-09-10T11:48:10Z"]
    assert "金融 · 新浪财经" in rows[0].xpath("string(div)")
    in_utc = index(ZoneInfo("UTC")).xpath("//ol[@class='articles']/li//time/text()")
    assert in_utc == ["2021年9月10日 11:48", "2021年9月9日 23:05"]


def test_index_makes_no_link_of_a_url_that_is_not_http() -> None:
    bad = Article(**{**{n: getattr(SECOND, n) for n in Article.__slots__}, "link": "javascript:x"})
    root = lxml.html.document_fromstring(render_index(CHANNEL, LINKS, [bad], SHANGHAI))
    assert not [href for href in root.xpath("//@href") if not href.startswith("https://")]
    assert root.xpath("string(//ol[@class='articles']/li)").startswith("Second & last")


def test_index_is_self_contained() -> None:
    root = index()
    assert not root.xpath("//*[@src]")
    assert not root.xpath("//link[@rel='stylesheet']")
    assert root.xpath("head/style")


def test_index_of_no_articles() -> None:
    root = lxml.html.document_fromstring(render_index(CHANNEL, LINKS, [], SHANGHAI))
    assert not root.xpath("//ol[@class='articles']")
    assert root.xpath("//section[@id='articles']/p[@class='note']/text()") == ["暂无文章。"]


def test_index_of_no_feeds() -> None:
    root = lxml.html.document_fromstring(render_index(CHANNEL, [], ARTICLES, SHANGHAI))
    assert not root.xpath("//h3 | //ul[@class='feeds'] | head/link[@rel='alternate']")
    assert len(root.xpath("//ol[@class='articles']/li")) == 2


@pytest.mark.parametrize(
    ("language", "shown"), [("zh-CN", "999年12月31日 12:00"), ("en", "31 Dec 999, 12:00")]
)
def test_index_shows_years_before_1000_as_written_and_pads_the_machine_date(
    language: str, shown: str
) -> None:
    ancient = replace(SECOND, published=datetime(999, 12, 31, 12, 0, 0, tzinfo=UTC))
    channel = with_channel(language=language)
    root = lxml.html.document_fromstring(render_index(channel, [], [ancient], ZoneInfo("UTC")))
    assert root.xpath("//time/text()") == [shown]
    assert root.xpath("//time/@datetime") == ["0999-12-31T12:00:00Z"]


MARKUP = """<script>alert("x")</script> & 'quoted' </title>"""


def test_index_escapes_markup_and_quotes_wherever_text_appears() -> None:
    channel = with_channel(title=MARKUP, description=MARKUP, language=MARKUP)
    link = FeedLink(MARKUP, RSS, FEEDS + "rss.xml", SITE, MARKUP, discoverable=True)
    article = replace(FIRST, title=MARKUP, categories=("金融", MARKUP))
    page = render_index(channel, [link], [article], SHANGHAI)
    assert b"<script" not in page
    assert b"'quoted'" not in page  # quotes are escaped in text too, not only in attributes
    # Spelt as html.escape spells it (&quot; &#x27;): the bytes earlier versions wrote.
    assert html.escape(MARKUP).encode() in page
    root = lxml.html.document_fromstring(page)
    assert root.get("lang") == MARKUP
    assert root.findtext("head/title") == MARKUP
    assert root.xpath("head/meta[@name='description']/@content") == [MARKUP]
    assert root.xpath("head/link[@rel='alternate']/@title") == [f"{MARKUP} (RSS)"]
    assert root.xpath("string(//h1)") == MARKUP
    assert root.xpath("string(//header/p)") == MARKUP
    assert root.xpath("//h3/text()") == [MARKUP]
    assert root.xpath("//ul[@class='feeds']/li/a/text()") == [MARKUP]
    assert root.xpath("//input/@aria-label") == [f"RSS: {MARKUP}"]
    assert root.xpath("//ol[@class='articles']/li/a/text()") == [MARKUP]
    assert root.xpath("string(//div[@class='meta'])").endswith(f" · 金融 · {MARKUP}")


# --- the index page's language ------------------------------------------------------------

ENGLISH, SIMPLIFIED, TRADITIONAL = WORDS["en"], WORDS["zh-cn"], WORDS["zh-tw"]


@pytest.mark.parametrize(
    ("language", "words"),
    [
        *[(tag, SIMPLIFIED) for tag in ("zh-CN", "zh-cn", "ZH-CN", "zh_CN", "zh", "zh-Hans")],
        *[(tag, SIMPLIFIED) for tag in ("zh-Hans-HK", "zh-SG")],
        *[(tag, TRADITIONAL) for tag in ("zh-TW", "zh-HK", "zh-hk", "zh-MO", "zh-Hant")],
        *[(tag, TRADITIONAL) for tag in ("zh-Hant-CN", "zh-Hant-TW", "zh_TW")],
        *[(tag, ENGLISH) for tag in ("en", "en-GB", "EN-us", "fr", "ja", "de-DE", "", "x-y")],
    ],
)
def test_index_words_are_chosen_by_language_tag_with_english_as_the_fallback(
    language: str, words: Words
) -> None:
    # A tag without words of its own takes those of the script it is written in; the
    # script subtag (Hans, Hant) decides over the region (HK, CN).
    assert words_for(language) is words


def page_words(language: str, articles: tuple[Article, ...] = ARTICLES) -> dict[str, object]:
    """What index.html shows in its own words, for a channel in `language`."""
    channel = with_channel(language=language)
    root = lxml.html.document_fromstring(render_index(channel, LINKS, articles, SHANGHAI))
    return {
        "headings": root.xpath("//h2/text()"),
        "notes": root.xpath("//p[@class='note']/text()"),
        "groups": root.xpath("//h3/text()"),
        "dates": root.xpath("//time/text()"),
        "text": root.xpath("string(//body)"),
    }


def test_index_in_english() -> None:
    shown = page_words("en")
    assert shown["headings"] == ["Feeds", "Newest articles"]
    assert shown["notes"] == ["To subscribe, copy an address into your feed reader."]
    assert shown["groups"] == ["Main", "Categories", "Custom"]
    assert shown["dates"] == ["10 Sep 2021, 19:48", "10 Sep 2021, 07:05"]
    assert page_words("en", articles=())["notes"][-1] == "No articles yet."


def test_index_in_simplified_chinese() -> None:
    shown = page_words("zh-CN")
    assert shown["headings"] == ["订阅源", "最新文章"]
    assert shown["notes"] == ["复制地址，粘贴到 RSS 阅读器中即可订阅。"]
    assert shown["groups"] == ["全站", "分类", "自定义"]
    assert shown["dates"] == ["2021年9月10日 19:48", "2021年9月10日 07:05"]
    assert page_words("zh-CN", articles=())["notes"][-1] == "暂无文章。"


def test_index_in_traditional_chinese() -> None:
    shown = page_words("zh-HK")
    assert shown["headings"] == ["訂閱來源", "最新文章"]
    assert shown["notes"] == ["複製網址，貼到 RSS 閱讀器中即可訂閱。"]
    assert shown["groups"] == ["全站", "分類", "自訂"]
    assert shown["dates"] == ["2021年9月10日 19:48", "2021年9月10日 07:05"]
    assert page_words("zh-HK", articles=())["notes"][-1] == "尚無文章。"


@pytest.mark.parametrize("language", ["zh-CN", "zh-TW"])
def test_index_in_chinese_shows_no_english_word_of_its_own(language: str) -> None:
    english = {
        ENGLISH.feeds, ENGLISH.note, ENGLISH.articles, ENGLISH.no_articles,
        *ENGLISH.groups.values(), *ENGLISH.months,
    }  # fmt: skip
    for articles in (ARTICLES, ()):
        text = page_words(language, articles)["text"]
        assert [word for word in english if word in text] == []


def test_every_language_names_every_group_and_has_every_word() -> None:
    labels = {group.label for group in Group}
    for language, words in WORDS.items():
        assert set(words.groups) == labels, language
        texts = (words.feeds, words.note, words.articles, words.no_articles)
        assert all(text.strip() for text in (*texts, *words.groups.values())), language
        assert len(words.months) in (0, 12), language


def test_index_keeps_the_language_tag_as_given_and_a_group_it_does_not_know() -> None:
    link = FeedLink("t", RSS, FEEDS + "rss.xml", SITE, "Elsewhere", discoverable=True)
    page = render_index(with_channel(language="zh-HK"), [link], ARTICLES, SHANGHAI)
    root = lxml.html.document_fromstring(page)
    assert root.get("lang") == "zh-HK"
    assert root.xpath("//h3/text()") == ["Elsewhere"]
