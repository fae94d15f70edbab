"""Simplified ↔ Traditional Chinese per feed set (`opencc`), as a subscriber sees it.

A `[[feeds]]` table, or the top level for the main and category feeds, takes
`opencc = "s2t"` (or t2s, s2tw, s2hk, tw2s, hk2s, s2twp, tw2sp): titles,
summaries, categories and the text of the content are converted, never URLs,
attributes, code or names of people; filters match the original and the
converted spelling.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from lxml import etree, html

from postfeed.cli import main

from conftest import WritePost, post_text

pytest.importorskip("opencc", reason="the opencc package (OpenCC's own converter) is missing")

SITE = "https://news.example.org/"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
ATOM = "{http://www.w3.org/2005/Atom}"
TAG = re.compile(r"<[^>]*>")

# A Simplified post with something of everything: converted text, and code, a link
# and an image whose text and URLs must stay as written.
SIMPLIFIED_BODY = """\
这是**软件**发展的历史，&lt;b&gt;不是标签&lt;/b&gt; &amp; 没有脚本。

行内代码 `发展 = "软件"` 保持原样，按 <kbd>软件键</kbd> 显示 <samp>发展</samp>。

```
预格式的发展历史
```

[阅读发展历史](https://example.org/发展?q=软件 "链接标题发展")

![图片说明发展](https://img.example.org/发展.png)
"""


def simplified_post(write_post: WritePost, name: str = "a.md", **front: Any) -> None:
    front = {"categories": ["财经"], "tags": ["历史"], "author": "张三丰", **front}
    write_post(name, post_text("软件发展的历史", "2021-09-10 10:00:00", SIMPLIFIED_BODY, **front))


def build(tmp_path: Path, config: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """`postfeed build` with `config` as postfeed.toml; the exit status and stderr."""
    config_file = tmp_path / "postfeed.toml"
    config_file.write_text(textwrap.dedent(config), encoding="utf-8")
    argv = ["build", "--posts", str(tmp_path / "posts"), "--output", str(tmp_path / "out")]
    status = main([*argv, "--config", str(config_file), "--site-url", SITE, "-q"])
    return status, capsys.readouterr().err


def items(folder: Path) -> list[dict[str, Any]]:
    """The items of a feed set as RSS, Atom and JSON Feed all carry them (asserted equal)."""
    rss = [
        {
            "title": item.findtext("title"),
            "summary": html.fromstring(item.findtext("description")).text_content(),
            "categories": [c.text for c in item.findall("category")],
            "content": item.findtext(CONTENT) or "",
            "author": item.findtext("{http://purl.org/dc/elements/1.1/}creator"),
        }
        for item in etree.parse(str(folder / "rss.xml")).iter("item")
    ]
    atom = [
        {
            "title": entry.findtext(ATOM + "title"),
            "summary": entry.findtext(ATOM + "summary"),
            "categories": [c.get("term") for c in entry.findall(ATOM + "category")],
            "content": entry.findtext(ATOM + "content") or "",
            "author": entry.findtext(f"{ATOM}author/{ATOM}name"),
        }
        for entry in etree.parse(str(folder / "atom.xml")).iter(ATOM + "entry")
    ]
    feed = json.loads((folder / "feed.json").read_text(encoding="utf-8"))
    jsonfeed = [
        {
            "title": item["title"],
            "summary": item.get("summary"),
            "categories": item.get("tags", []),
            "content": item.get("content_html", ""),
            "author": item["authors"][0]["name"] if "authors" in item else None,
        }
        for item in feed["items"]
    ]
    assert rss == atom == jsonfeed
    return rss


def titles(folder: Path) -> list[str]:
    return [item["title"] for item in items(folder)]


def verbatim_text(content: str) -> list[str]:
    """The text of the code, pre, kbd and samp elements of a content."""
    root = html.fragment_fromstring(content, create_parent="div")
    return [element.text_content() for element in root.iter("code", "pre", "kbd", "samp")]


# --- what is converted -------------------------------------------------------


def test_s2t_converts_title_summary_categories_and_the_text_of_the_content(
    tmp_path: Path, write_post: WritePost, capsys: pytest.CaptureFixture[str]
) -> None:
    simplified_post(write_post)
    assert build(tmp_path, 'opencc = "s2t"', capsys) == (0, "")
    [item] = items(tmp_path / "out")
    assert item["title"] == "軟件發展的歷史"
    assert item["summary"].startswith("這是軟件發展的歷史，<b>不是標籤</b> & 沒有腳本。")
    assert item["categories"] == ["財經", "歷史"]
    root = html.fragment_fromstring(item["content"], create_parent="div")
    for verbatim in root.xpath(".//code | .//pre | .//kbd | .//samp"):
        verbatim.drop_tree()
    assert " ".join(root.text_content().split()) == (
        "這是軟件發展的歷史，<b>不是標籤</b> & 沒有腳本。"
        " 行內代碼 保持原樣，按 顯示 。 閱讀發展歷史"
    )


def test_code_urls_attributes_and_escaped_markup_stay_as_written(
    tmp_path: Path, write_post: WritePost, capsys: pytest.CaptureFixture[str]
) -> None:
    simplified_post(write_post)
    build(tmp_path, "", capsys)
    [plain] = items(tmp_path / "out")
    build(tmp_path, 'opencc = "s2t"', capsys)
    [converted] = items(tmp_path / "out")
    # Every tag, with its attributes and URLs, byte for byte; code, pre, kbd and samp text too.
    assert TAG.findall(converted["content"]) == TAG.findall(plain["content"])
    assert 'alt="图片说明发展"' in converted["content"]
    assert 'title="链接标题发展"' in converted["content"]
    assert verbatim_text(converted["content"]) == verbatim_text(plain["content"])
    assert verbatim_text(plain["content"]) == [
        '发展 = "软件"',
        "软件键",
        "发展",
        "预格式的发展历史\n",
        "预格式的发展历史\n",
    ]
    # Text that looks like markup is still text.
    assert "&lt;b&gt;不是標籤&lt;/b&gt; &amp; 沒有腳本" in converted["content"]
    root = html.fragment_fromstring(converted["content"], create_parent="div")
    assert not list(root.iter("b", "script"))


def test_names_of_people_are_not_converted(
    tmp_path: Path, write_post: WritePost, capsys: pytest.CaptureFixture[str]
) -> None:
    simplified_post(write_post)
    build(tmp_path, 'opencc = "s2t"', capsys)
    [item] = items(tmp_path / "out")
    assert item["author"] == "张三丰"


def test_t2s_converts_a_traditional_post(
    tmp_path: Path, write_post: WritePost, capsys: pytest.CaptureFixture[str]
) -> None:
    body = '立場新聞報導：**選舉**結果公佈。\n\n    程式碼 = "繁體"\n'
    write_post("a.md", post_text("選舉結果公佈", body=body, categories=["政治", "香港新聞"]))
    assert build(tmp_path, 'opencc = "t2s"', capsys) == (0, "")
    [item] = items(tmp_path / "out")
    assert item["title"] == "选举结果公布"
    assert item["summary"].startswith("立场新闻报导：选举结果公布。")
    assert item["categories"] == ["政治", "香港新闻"]
    assert "<strong>选举</strong>结果公布" in item["content"]
    assert verbatim_text(item["content"]) == ['程式碼 = "繁體"\n'] * 2  # <pre><code>


def test_names_that_become_one_spelling_are_written_once(
    tmp_path: Path, write_post: WritePost, capsys: pytest.CaptureFixture[str]
) -> None:
    write_post("a.md", post_text("一", categories=["财经", "財經"], tags=["经济", "經濟"]))
    write_post("b.md", post_text("二", "2021-09-09", categories=["财经"], tags=["財經", "历史"]))
    build(tmp_path, 'opencc = "s2t"', capsys)
    first, second = items(tmp_path / "out")
    assert first["categories"] == ["財經", "經濟"]
    assert second["categories"] == ["財經", "歷史"]  # the tag 財經 is the category now


# --- which feed sets -----------------------------------------------------------


def test_the_main_feeds_stay_as_written_when_only_a_custom_set_converts(
    tmp_path: Path, write_post: WritePost, capsys: pytest.CaptureFixture[str]
) -> None:
    simplified_post(write_post)
    config = """
        [[feeds]]
        name = "hk"
        opencc = "s2hk"
    """
    assert build(tmp_path, config, capsys) == (0, "")
    out = tmp_path / "out"
    assert titles(out) == ["软件发展的历史"]
    assert titles(out / "categories" / "财经") == ["软件发展的历史"]
    assert titles(out / "hk") == ["軟件發展的歷史"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "软件发展的历史" in index
    assert "軟件發展的歷史" not in index


def test_category_feeds_follow_the_top_level_conversion_in_the_same_folder(
    tmp_path: Path, write_post: WritePost, capsys: pytest.CaptureFixture[str]
) -> None:
    simplified_post(write_post)
    build(tmp_path, 'title = "新闻"\nopencc = "s2t"', capsys)
    folder = tmp_path / "out" / "categories" / "财经"  # named as the category is written
    assert titles(folder) == ["軟件發展的歷史"]
    channel = etree.parse(str(folder / "rss.xml")).find("channel")
    assert channel.findtext("title") == "新闻 · 財經"  # the site's own title as configured
    assert "軟件發展的歷史" in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


def test_a_change_of_conversion_writes_the_feeds_again(
    tmp_path: Path, write_post: WritePost, capsys: pytest.CaptureFixture[str]
) -> None:
    simplified_post(write_post)
    for conversion, title in [
        ("", "软件发展的历史"),
        ("s2t", "軟件發展的歷史"),
        ("s2twp", "軟體發展的歷史"),
    ]:
        build(tmp_path, f'[[feeds]]\nname = "tw"\nopencc = "{conversion}"', capsys)
        assert titles(tmp_path / "out" / "tw") == [title]


# --- filters -----------------------------------------------------------------


def test_custom_feed_filters_match_the_original_and_the_converted_spelling(
    tmp_path: Path, write_post: WritePost, capsys: pytest.CaptureFixture[str]
) -> None:
    write_post("a.md", post_text("央行宣布降准", body="央行今日宣布降准。\n", categories=["财经"]))
    write_post("b.md", post_text("天气预报", body="明天有雨。\n", categories=["生活"]))
    config = """
        [[feeds]]
        name = "traditional-keyword"
        opencc = "s2t"
        keywords = ["宣佈"]

        [[feeds]]
        name = "original-keyword"
        opencc = "s2t"
        keywords = ["宣布"]

        [[feeds]]
        name = "traditional-category"
        opencc = "s2t"
        categories = ["財經"]

        [[feeds]]
        name = "traditional-exclusion"
        opencc = "s2t"
        exclude_keywords = ["宣佈"]

        [[feeds]]
        name = "no-conversion"
        keywords = ["宣佈"]
    """
    assert build(tmp_path, config, capsys) == (0, "")
    out = tmp_path / "out"
    assert titles(out / "traditional-keyword") == ["央行宣佈降準"]
    assert titles(out / "original-keyword") == ["央行宣佈降準"]
    assert titles(out / "traditional-category") == ["央行宣佈降準"]
    assert titles(out / "traditional-exclusion") == ["天氣預報"]
    assert titles(out / "no-conversion") == []


# --- configuration -----------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "named"),
    [
        ('opencc = "s2x"', "'opencc'"),
        ('opencc = "zh-TW"', "'opencc'"),
        ('[[feeds]]\nname = "tw"\nopencc = "t2tw2"', "'tw'"),
    ],
    ids=["top-level", "a-language-tag", "custom-feed"],
)
def test_an_unknown_conversion_is_a_configuration_error(
    tmp_path: Path,
    write_post: WritePost,
    capsys: pytest.CaptureFixture[str],
    config: str,
    named: str,
) -> None:
    simplified_post(write_post)
    status, err = build(tmp_path, config, capsys)
    assert status == 2
    assert "opencc" in err
    assert named in err
    assert "s2t" in err  # the message says what is allowed
    assert not (tmp_path / "out").exists()


def test_an_article_in_many_sets_is_converted_once_per_conversion(
    tmp_path: Path,
    write_post: WritePost,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from postfeed import convert

    simplified_post(write_post)
    calls: list[tuple[str, str]] = []
    original = convert.convert_article

    def counting(article: Any, conversion: str) -> Any:
        calls.append((article.title, conversion))
        return original(article, conversion)

    monkeypatch.setattr(convert, "convert_article", counting)
    config = "".join(
        f'[[feeds]]\nname = "{name}"\nopencc = "{conversion}"\n'
        for name, conversion in [("a", "s2t"), ("b", "s2t"), ("c", "s2t"), ("d", "s2tw")]
    )
    build(tmp_path, config, capsys)
    assert sorted(calls) == [("软件发展的历史", "s2t"), ("软件发展的历史", "s2tw")]


def test_text_stays_text_whatever_a_conversion_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    """OpenCC's dictionaries hold no "<"; if a future one did, it would still be text."""
    from postfeed import convert

    monkeypatch.setattr(convert, "convert_text", lambda text, _: text.replace("软", "<i>"))
    converted = convert.convert_html('<p title="软">软件</p>', "s2t")
    assert converted == '<p title="软">&lt;i&gt;件</p>'
