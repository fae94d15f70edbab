"""Specification of postfeed.fields: front-matter values made ready for a feed."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from postfeed import fields, urls
from postfeed.collector import read_one
from postfeed.config import Config

from conftest import WritePost, post_text

SITE = "https://news.example.org/"
PAGE = "https://news.example.org/2021/09/10/finance/post/"
SHANGHAI = ZoneInfo("Asia/Shanghai")
UUID_URN = re.compile(r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


# --- title --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<b>长江</b>中游", "长江中游"),
        ("长江<em>中游</em>三省", "长江中游三省"),
        ('<font color="red">新闻</font>联播', "新闻联播"),
    ],
)
def test_title_strips_inline_tags_without_adding_text(value: str, expected: str) -> None:
    assert fields.title(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<b>Bold</b> title", "Bold title"),
        ('<a href="https://x.org/">Link</a> text', "Link text"),
        ("<!-- note --> Commented", "Commented"),
        ("<span class='x'>新闻</span>", "新闻"),
    ],
)
def test_title_has_no_tags_left(value: str, expected: str) -> None:
    assert fields.title(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("&#123;x&#125;", "{x}"),
        ("A &amp; B", "A & B"),
        ("&quot;quoted&quot;", '"quoted"'),
        ("caf&eacute;", "café"),
        ("&#x4E2D;&#x6587;", "中文"),
    ],
)
def test_title_decodes_html_entities(value: str, expected: str) -> None:
    assert fields.title(value) == expected


@pytest.mark.parametrize(
    "value",
    ["  many   spaces  ", "many\nspaces", "many\t\tspaces", "\n many \r\n spaces \n"],
)
def test_title_collapses_whitespace_and_trims(value: str) -> None:
    assert fields.title(value) == "many spaces"


@pytest.mark.parametrize("control", ["\x00", "\x07", "\x08", "\x1b", "\x1f", "\x7f", "\x9f"])
def test_title_removes_control_characters(control: str) -> None:
    result = fields.title(f"ab{control}cd")
    assert control not in result
    assert result.replace(" ", "") == "abcd"


def test_a_title_of_200_characters_is_kept_whole() -> None:
    text = "长" * 200
    assert fields.title(text) == text


def test_a_title_over_200_characters_is_cut_with_an_ellipsis() -> None:
    text = "长" * 150 + "江" * 150
    result = fields.title(text)
    assert len(result) <= 200
    assert result.endswith("…")
    assert text.startswith(result[:-1])
    assert len(result) > 150  # cut near the limit, not somewhere early


@pytest.mark.parametrize(
    ("value", "expected"),
    [(2021, "2021"), (1.5, "1.5"), (date(2021, 9, 10), "2021-09-10"), ("1.10", "1.10")],
)
def test_title_turns_yaml_values_that_are_not_strings_into_text(value, expected) -> None:
    assert fields.title(value) == expected


@pytest.mark.parametrize("value", [None, "", "   ", "<br/>"])
def test_an_empty_title_is_an_empty_string(value: object) -> None:
    assert fields.title(value) == ""


# --- categories ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["金融", "新浪财经"], ("金融", "新浪财经")),
        ("金融", ("金融",)),
        ("金融, 新浪财经,科技", ("金融", "新浪财经", "科技")),
        (["a", ["b", ["c"]], "d"], ("a", "b", "c", "d")),
        (None, ()),
        ([], ()),
        ([2021, 1.5], ("2021", "1.5")),
        (2021, ("2021",)),
    ],
)
def test_categories_accept_lists_strings_and_comma_separated_strings(value, expected) -> None:
    assert fields.categories(value) == expected


def test_categories_are_trimmed_and_their_whitespace_collapsed() -> None:
    assert fields.categories(["  金融  ", "新浪\n  财经"]) == ("金融", "新浪 财经")


@pytest.mark.parametrize("value", [["", "  ", None, "a"], "a,, ,", ["a", ""]])
def test_empty_categories_are_dropped(value: object) -> None:
    assert fields.categories(value) == ("a",)


def test_duplicate_categories_are_removed_keeping_the_first_order() -> None:
    assert fields.categories(["b", "a", "b", "c", "a"]) == ("b", "a", "c")


def test_categories_equal_after_nfkc_are_one_and_the_first_spelling_is_kept() -> None:
    # The full-width hyphen (U+FF0D) folds to "-" under NFKC.
    assert fields.categories(["新浪财经－国內", "新浪财经-国內"]) == ("新浪财经－国內",)


def test_the_first_spelling_is_kept_whichever_it_is() -> None:
    assert fields.categories(["新浪财经-国內", "新浪财经－国內"]) == ("新浪财经-国內",)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["ＡＩ", "AI", "ai"], ("ＡＩ",)),
        (["ai", "ＡＩ", "AI"], ("ai",)),
        (["AI", "ai", "科技"], ("AI", "科技")),
        (["Straße", "STRASSE"], ("Straße",)),
    ],
)
def test_categories_equal_after_case_folding_are_one(value, expected) -> None:
    assert fields.categories(value) == expected


def test_category_aliases_are_applied() -> None:
    assert fields.categories(["AI", "金融"], {"AI": "人工智能"}) == ("人工智能", "金融")


def test_category_aliases_match_any_spelling_that_folds_alike() -> None:
    assert fields.categories(["ＡＩ"], {"ai": "人工智能"}) == ("人工智能",)


def test_an_alias_and_its_target_are_one_category() -> None:
    assert fields.categories(["人工智能", "AI"], {"AI": "人工智能"}) == ("人工智能",)


def test_category_tags_and_entities_are_cleaned() -> None:
    assert fields.categories(["<b>金融</b>", "A &amp; B"]) == ("金融", "A & B")


# --- author -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("新浪财经", "新浪财经"),
        ("  新浪财经 ", "新浪财经"),
        (["刘茜", "张伟贤"], "刘茜, 张伟贤"),
        ({"name": "刘茜", "email": "liu@example.org"}, "刘茜"),
        ([{"name": "刘茜"}, {"name": "张伟贤"}], "刘茜, 张伟贤"),
    ],
)
def test_author_from_a_string_a_list_or_a_name_and_email_mapping(value, expected) -> None:
    assert fields.author(value) == expected


@pytest.mark.parametrize("value", [None, "", "  ", []])
def test_no_author_is_none(value: object) -> None:
    assert fields.author(value) is None


# --- image --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://img.example.org/a.png", "https://img.example.org/a.png"),
        ("http://img.example.org/a.png", "http://img.example.org/a.png"),
        ("//n.img.example.org/a.png", "https://n.img.example.org/a.png"),
        ("/img/a.png", "https://news.example.org/img/a.png"),
        ("img/a.png", PAGE + "img/a.png"),
        ("../b.png", "https://news.example.org/2021/09/10/finance/b.png"),
    ],
)
def test_image_is_an_absolute_http_url(value: str, expected: str) -> None:
    assert fields.image(value, PAGE) == expected


@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:image/png;base64,iVBORw0KGgo=",
        "ftp://img.example.org/a.png",
        "file:///etc/passwd",
        None,
    ],
)
def test_image_that_is_not_http_is_dropped(value: object) -> None:
    assert fields.image(value, PAGE) is None


@pytest.mark.parametrize("value", ["", "   "])
def test_a_blank_image_is_no_image_not_the_base_url(value: str) -> None:
    assert fields.image(value, PAGE) is None


def test_image_non_ascii_characters_are_percent_encoded() -> None:
    assert (
        fields.image("https://img.example.org/图片 1.png", PAGE)
        == "https://img.example.org/%E5%9B%BE%E7%89%87%201.png"
    )


def test_image_existing_percent_escapes_are_not_encoded_twice() -> None:
    url = "https://img.example.org/%E5%9B%BE.png?w=1&h=2"
    assert fields.image(url, PAGE) == url


# --- link ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://finance.example.com/a/1.shtml", "https://finance.example.com/a/1.shtml"),
        ("http://finance.example.com/a", "http://finance.example.com/a"),
        ("/2021/09/10/x.html", "https://news.example.org/2021/09/10/x.html"),
        ("x.html", "https://news.example.org/x.html"),
        ("example.com/x", "https://example.com/x"),
        ("www.example.com", "https://www.example.com"),
        ("//cdn.example.com/a", "https://cdn.example.com/a"),
    ],
)
def test_link_is_an_absolute_http_url(value: str, expected: str) -> None:
    assert fields.link(value, SITE) == expected


@pytest.mark.parametrize(
    "value",
    ["javascript:alert(1)", "mailto:editor@example.org", "ftp://example.com/x", "data:text/html,x"],
)
def test_link_with_a_scheme_that_is_not_http_is_none(value: str) -> None:
    assert fields.link(value, SITE) is None


@pytest.mark.parametrize("value", [None, "", "   "])
def test_a_blank_link_is_none(value: object) -> None:
    assert fields.link(value, SITE) is None


def test_link_non_ascii_characters_are_percent_encoded() -> None:
    assert fields.link("https://x.org/新闻 1", SITE) == "https://x.org/%E6%96%B0%E9%97%BB%201"


# --- permalink ----------------------------------------------------------------------------


def test_permalink_follows_the_hexo_pattern() -> None:
    published = datetime(2021, 9, 10, 11, 48, 10, tzinfo=UTC)
    url = urls.permalink(":year/:month/:day/:title/", SITE, "000_abc", published, SHANGHAI)
    assert url == "https://news.example.org/2021/09/10/000_abc/"


def test_permalink_date_parts_are_in_the_configured_zone() -> None:
    # 20:00 UTC on the 10th is 04:00 on the 11th in Shanghai.
    published = datetime(2021, 9, 10, 20, 0, tzinfo=UTC)
    url = urls.permalink(":year/:month/:day/:title/", SITE, "a", published, SHANGHAI)
    assert url == "https://news.example.org/2021/09/11/a/"


def test_permalink_date_parts_follow_a_different_zone() -> None:
    published = datetime(2021, 9, 10, 20, 0, tzinfo=UTC)
    url = urls.permalink(":year/:month/:day/:title/", SITE, "a", published, ZoneInfo("UTC"))
    assert url == "https://news.example.org/2021/09/10/a/"


def test_permalink_title_is_the_path_without_suffix_with_folders() -> None:
    published = datetime(2021, 9, 10, 11, 48, 10, tzinfo=UTC)
    url = urls.permalink(":title/", SITE, "finance/2021/post", published, SHANGHAI)
    assert url == "https://news.example.org/finance/2021/post/"


def test_permalink_cjk_and_spaces_are_percent_encoded() -> None:
    published = datetime(2021, 9, 10, 11, 48, 10, tzinfo=UTC)
    url = urls.permalink(":title/", SITE, "新闻/长江 中游", published, SHANGHAI)
    news, river = "%E6%96%B0%E9%97%BB", "%E9%95%BF%E6%B1%9F%20%E4%B8%AD%E6%B8%B8"
    assert url == f"https://news.example.org/{news}/{river}/"


def test_permalink_time_parts_and_name() -> None:
    published = datetime(2021, 9, 10, 11, 48, 10, tzinfo=UTC)
    pattern = ":year/:hour-:minute-:second/:name.html"
    url = urls.permalink(pattern, "https://x.org/blog/", "dir/post", published, SHANGHAI)
    assert url == "https://x.org/blog/2021/19-48-10/post.html"


def test_a_post_without_a_link_gets_the_permalink_of_its_path_without_suffix(
    tmp_path: Path, write_post: WritePost
) -> None:
    path = write_post("finance/新闻.md", post_text("标题", "2021-09-10T20:00:00Z"))
    config = Config(posts=tmp_path / "posts", site_url=SITE, timezone="Asia/Shanghai")
    article = read_one(path, config).article
    assert article is not None
    assert article.link == "https://news.example.org/2021/09/11/finance/%E6%96%B0%E9%97%BB/"


# --- article_id ---------------------------------------------------------------------------


def test_article_id_from_the_path_is_the_uuid_urn_readme_shows_in_every_version() -> None:
    # Readers know an item by its id: one that changed with a new version of postfeed
    # would show every post of every feed again. The README's sample post and its guid:
    readme = fields.article_id(None, "https://feeds.example.org/", "000_43e460d1b31f5d9a")
    assert readme == "urn:uuid:9dda1fcf-3306-5321-8b8d-243eba3aa18b"
    assert UUID_URN.match(fields.article_id(None, SITE, "finance/post"))


def test_article_id_differs_for_different_paths() -> None:
    assert fields.article_id(None, SITE, "a/post") != fields.article_id(None, SITE, "b/post")


def test_article_id_differs_for_different_sites() -> None:
    assert fields.article_id(None, SITE, "post") != fields.article_id(
        None, "https://other.example.org/", "post"
    )


@pytest.mark.parametrize(
    "given",
    [
        "tag:news.example.org,2021:000_43e460d1b31f5d9a",
        "https://finance.example.com/a/1.shtml",
        "urn:uuid:9dda1fcf-3306-5321-8b8d-243eba3aa18b",
    ],
)
def test_a_uri_looking_front_matter_id_is_kept(given: str) -> None:
    assert fields.article_id(given, SITE, "post") == given


def test_a_plain_front_matter_id_does_not_depend_on_the_path() -> None:
    first = fields.article_id("12345", SITE, "a/post")
    assert UUID_URN.match(first)
    assert first == fields.article_id("12345", SITE, "b/other")


def test_different_plain_front_matter_ids_give_different_ids() -> None:
    assert fields.article_id("12345", SITE, "post") != fields.article_id("12346", SITE, "post")


def _ids(tmp_path: Path) -> dict[str, str]:
    """The id of every post below tmp_path/posts, as the collector describes it."""
    config = Config(posts=tmp_path / "posts", site_url=SITE)
    ids = {}
    for path in sorted(config.posts.iterdir()):
        result = read_one(path, config)
        assert result.article is not None, result.problems
        ids[path.name] = result.article.id
    return ids


def test_front_matter_guid_is_used_as_the_id(tmp_path: Path, write_post: WritePost) -> None:
    guid = "https://finance.example.com/doc-abc.shtml"
    write_post("post.md", post_text("标题", "2021-09-10", categories=["金融"], guid=guid))
    assert _ids(tmp_path)["post.md"] == guid


# --- clean_text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "forbidden",
    ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x0e", "\x1b", "\x1f", "\ufffe", "\uffff"],
)
def test_clean_text_removes_characters_xml_forbids(forbidden: str) -> None:
    assert fields.clean_text(f"长{forbidden}江") == "长江"


def test_clean_text_keeps_tab_newline_and_cjk() -> None:
    text = "第一行\t制表\n第二行 ＡＩ「引号」😀"
    assert fields.clean_text(text) == text


def test_clean_text_removes_every_forbidden_character_at_once() -> None:
    text = "".join(chr(c) for c in range(0x20)) + "ok\ufffe\uffff"
    assert fields.clean_text(text) == "\t\n\rok"


# --- flags --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [True, "true", "True", "TRUE", "yes", "Yes", "on", "1", 1, " yes "]
)
def test_is_true_accepts_the_usual_spellings_of_true(value: object) -> None:
    assert fields.is_true(value) is True
    assert fields.is_false(value) is False


@pytest.mark.parametrize("value", [False, "false", "False", "no", "NO", "off", "0", 0, " no "])
def test_is_false_accepts_the_usual_spellings_of_false(value: object) -> None:
    assert fields.is_false(value) is True
    assert fields.is_true(value) is False


@pytest.mark.parametrize("value", [None, "", "maybe", "2", "draft"])
def test_values_that_are_neither_are_neither_true_nor_false(value: object) -> None:
    assert fields.is_true(value) is False
    assert fields.is_false(value) is False


@pytest.mark.parametrize("name", ["https://feeds.example.org/a/b", "中文/路径", "", "x" * 500])
def test_ids_are_the_uuid5_of_the_url(name: str) -> None:
    import uuid

    from postfeed.fields import _uuid5

    assert _uuid5(name) == str(uuid.uuid5(uuid.NAMESPACE_URL, name))


def test_plain_text_takes_the_short_way_only_where_it_ends_the_same() -> None:
    import random
    import re

    from postfeed import fields

    pieces = ["a", " ", "\t", "\n", "<", "&", "amp;", "lt;", "b>", "\x01", "\x85", "\xa0",
              "\u3000", "\u200b", "\ufeff", "中", "\x7f", "\ud800", "<!--", "-->",
              "\x1c"]  # fmt: skip
    chooser = random.Random(7)
    texts = ["".join(chooser.choices(pieces, k=chooser.randint(0, 10))) for _ in range(3000)]
    short = [fields.plain_line(text) for text in texts]
    fields._PLAIN, kept = re.compile("(?!)"), fields._PLAIN  # the long way for every text
    try:
        assert [fields.plain_line(text) for text in texts] == short
    finally:
        fields._PLAIN = kept


def test_urls_are_percent_encoded_as_quote_encodes_them() -> None:
    import random
    from urllib.parse import quote

    chooser = random.Random(2)
    pieces = [chr(code) for code in range(0x250)] + ["中", "文", "😀", "%2F", "%", " "]
    for _ in range(5000):
        url = "".join(chooser.choices(pieces, k=chooser.randint(0, 12)))
        assert urls.encode(url) == quote(url, safe=urls._SAFE), url
