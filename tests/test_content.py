"""postfeed.content: how a post body becomes safe HTML and a plain-text summary.

Each step is specified on its own (render, clean, sanitize, summarize), and the
parts that depend on front matter (`format`) or configuration (`[content] drop`)
are checked end to end through the command line.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from postfeed import content, markdown
from postfeed.cli import main

from conftest import WritePost, post_text

SITE = "https://feeds.example.org/"
POST_URL = "https://news.example.org/2021/09/10/post/"
CONTENT_NS = "{http://purl.org/rss/1.0/modules/content/}encoded"


# --- helpers -------------------------------------------------------------------------------


def pipeline(body: str, **clean_options) -> str:
    """The whole content pipeline, as the collector runs it."""
    return content.sanitize(content.clean(markdown.render(body), **clean_options), POST_URL)


def fragment(html: str) -> lxml.html.HtmlElement:
    """An HTML fragment parsed into a <div> wrapper."""
    return lxml.html.fragment_fromstring(html, create_parent="div")


def tags(html: str) -> list[str]:
    return [element.tag for element in fragment(html).iter() if isinstance(element.tag, str)][1:]


def text_of(html: str) -> str:
    return fragment(html).text_content()


def build_post(
    tmp_path: Path,
    write_post: WritePost,
    body: str,
    config: str | None = None,
    **front_matter: object,
) -> str:
    """Build one post with `body` through the CLI; return its RSS content:encoded."""
    posts = write_post("post.md", post_text("t", "2021-09-10", body=body, **front_matter)).parent
    args = ["build", "--posts", str(posts), "--output", str(tmp_path / "out"), "--site-url", SITE]
    if config is not None:
        config_path = tmp_path / "postfeed.toml"
        config_path.write_text(textwrap.dedent(config), encoding="utf-8")
        args += ["--config", str(config_path)]
    assert main(args) == 0
    rss = etree.parse(str(tmp_path / "out" / "rss.xml")).getroot()
    items = rss.findall("channel/item")
    assert len(items) == 1
    return items[0].findtext(CONTENT_NS) or ""


# A body shaped like the scraped Sina posts: HTML whose tail, after blank lines, is
# indented by 12 spaces -- Markdown would make that an indented code block.
INDENTED_HTML_BODY = """\
<div>
<p cms-style="font-L">　　第一段正文。</p>
<!-- 文末 start -->



            <div class="note">
                <p>缩进十二个空格的段落</p>
            </div>

            <p>又一个缩进的段落</p>
</div>
"""


# --- is_html / render ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("<p>Hello</p>", True),
        ("<div>\n<p>x</p>\n</div>", True),
        ("\n\n   <div>after blank lines</div>", True),
        ("<!-- a comment first -->\n<p>x</p>", True),
        ("<DIV>upper case tag</DIV>", True),
        ("<br>\nline", False),  # text outside any element
        ("<p>a</p>\n\n<p>b</p>\n", True),
        ("<p>unclosed\n\n    indented text inside it", True),
        ("<!-- never closed", True),
        ("<p>A block</p>\n\nthen **Markdown**", False),
        ('<p align="center"><img src="x.png"></p>\n\n## Heading\n', False),
        ("Hello <b>world</b>", False),
        ("# A heading\n\ntext", False),
        ("Plain text only.", False),
        ("<3 love this", False),
        ("<https://example.com> is where the story is", False),
        ("<editor@example.com> wrote this", False),
        ("", False),
    ],
    ids=repr,
)
def test_is_html_only_for_a_body_that_is_html_throughout(body, expected):
    assert markdown.is_html(body) is expected


def test_html_body_is_returned_unchanged_by_render():
    assert markdown.render(INDENTED_HTML_BODY) == INDENTED_HTML_BODY


def test_html_body_indented_after_blank_lines_is_not_turned_into_a_code_block():
    html = pipeline(INDENTED_HTML_BODY)
    assert "pre" not in tags(html)
    assert "code" not in tags(html)
    assert "&lt;" not in html  # no markup shown as text
    paragraphs = [p.text_content() for p in fragment(html).iter("p")]
    assert "缩进十二个空格的段落" in paragraphs
    assert "又一个缩进的段落" in paragraphs


def test_html_body_indented_after_blank_lines_stays_html_through_the_build(
    tmp_path, write_post: WritePost
):
    encoded = build_post(tmp_path, write_post, INDENTED_HTML_BODY)
    assert "pre" not in tags(encoded)
    assert "code" not in tags(encoded)
    paragraphs = [p.text_content() for p in fragment(encoded).iter("p")]
    assert "缩进十二个空格的段落" in paragraphs


def test_markdown_body_is_rendered_as_commonmark():
    html = markdown.render(
        "# Title\n\nSome *emphasis*, **strong** and [a link](https://example.com/).\n\n"
        "    indented code\n\n- one\n- two\n"
    )
    root = fragment(html)
    assert root.findtext("h1") == "Title"
    assert root.findtext("p/em") == "emphasis"
    assert root.findtext("p/strong") == "strong"
    assert root.find("p/a").get("href") == "https://example.com/"
    assert [li.text_content().strip() for li in root.iterfind("ul/li")] == ["one", "two"]
    assert root.findtext("pre/code") == "indented code\n"


def test_markdown_tables_become_html_tables():
    html = markdown.render("| 省份 | 人口 |\n| --- | ---: |\n| 湖北 | 5775 |\n| 湖南 | 6644 |\n")
    table = fragment(html).find("table")
    assert table is not None
    assert [th.text for th in table.iterfind("thead/tr/th")] == ["省份", "人口"]
    assert [[td.text for td in tr.iterfind("td")] for tr in table.iterfind("tbody/tr")] == [
        ["湖北", "5775"],
        ["湖南", "6644"],
    ]


def test_markdown_body_keeps_raw_html_blocks():
    html = markdown.render('Intro.\n\n<div class="box">\n<p>raw html</p>\n</div>\n\nOutro.\n')
    root = fragment(html)
    assert root.find("div/p").text == "raw html"
    assert [p.text for p in root.iterfind("p")] == ["Intro.", "Outro."]


def test_single_line_breaks_stay_soft_without_breaks():
    html = markdown.render("床前明月光，\n疑是地上霜。\n")
    assert "br" not in tags(html)
    assert fragment(html).findtext("p") == "床前明月光，\n疑是地上霜。"


def test_breaks_makes_each_line_break_inside_a_paragraph_a_br():
    html = markdown.render(
        "床前明月光，\n疑是地上霜。\n举头望明月，\n\n低头思故乡。\n", breaks=True
    )
    paragraphs = fragment(html).findall("p")
    assert [len(p.findall("br")) for p in paragraphs] == [2, 0]
    assert [p.text_content() for p in paragraphs] == [
        "床前明月光，\n疑是地上霜。\n举头望明月，",
        "低头思故乡。",
    ]


@pytest.mark.parametrize(
    "source",
    [
        "*one*\n**two**\n[three](https://example.com/)",
        "> quoted\n> lines",
        "- an item\n  that goes on",
        "ends with a space \nand a line",
    ],
    ids=repr,
)
def test_breaks_keeps_the_markup_around_each_line_break(source):
    soft = fragment(markdown.render(source))
    hard = fragment(markdown.render(source, breaks=True))
    assert len(hard.findall(".//br")) == source.count("\n")
    for br in hard.findall(".//br"):
        br.drop_tree()
    assert [e.tag for e in hard.iter()] == [e.tag for e in soft.iter()]
    assert " ".join(hard.text_content().split()) == " ".join(soft.text_content().split())


@pytest.mark.parametrize(
    "source",
    ["```\nfirst line\nsecond line\n```\n", "    first line\n    second line\n"],
    ids=["fenced", "indented"],
)
def test_breaks_leaves_line_breaks_in_code_blocks_alone(source):
    html = markdown.render(source, breaks=True)
    assert "br" not in tags(html)
    assert fragment(html).findtext("pre/code") == "first line\nsecond line\n"


def test_breaks_leaves_line_breaks_in_raw_html_and_code_spans_alone():
    html = markdown.render("<div>\nraw\nhtml\n</div>\n\nsome `code\nspan` here\n", breaks=True)
    assert "br" not in tags(html)


def test_breaks_runs_through_the_build_pipeline():
    html = content.sanitize(content.clean(markdown.render("一\n二\n", breaks=True)), POST_URL)
    assert html == "<p>一<br>\n二</p>"


def test_strikethrough_is_an_s_element():
    html = markdown.render("~~old~~ new")
    assert fragment(html).findtext("p/s") == "old"


def test_strikethrough_next_to_a_raw_del_element_is_del_too():
    html = markdown.render("~~old~~ and <del>gone</del>")
    assert [e.text for e in fragment(html).iter("del")] == ["old", "gone"]


@pytest.mark.parametrize("space", ["\u3000", "\u00a0", "\u2003"], ids=repr)
def test_unicode_spaces_at_the_edges_of_a_block_are_trimmed(space):
    html = markdown.render(f"{space * 2}首行\n\n# {space}标题{space}\n\n- {space}项目{space}\n")
    root = fragment(html)
    assert root.findtext("p") == "首行"
    assert root.findtext("h1") == "标题"
    assert root.findtext("ul/li") == "项目"


def test_unicode_spaces_inside_a_paragraph_are_kept():
    assert fragment(markdown.render("前\u3000\u3000后")).findtext("p") == "前\u3000\u3000后"


def test_a_body_with_more_table_pipes_than_any_real_table_is_rendered_without_tables():
    row = "|a|\n|-|\n|b|\n\n"
    few = row * 10
    many = row * (markdown.MAX_TABLE_PIPES // row.count("|") + 1)
    assert len(fragment(markdown.render(few)).findall("table")) == 10
    html = markdown.render(many)
    assert "table" not in tags(html)
    assert text_of(html).count("|a|") == many.count("|a|")  # the text is all there


def test_format_html_keeps_a_markdown_looking_body_as_html():
    body = "Plain **not bold** text\n\n    <p>indented</p>\n"
    assert markdown.render(body, "html") == body


def test_format_markdown_renders_a_body_that_starts_with_a_tag():
    html = markdown.render("<div>\n\n*emph*\n\n</div>\n", "markdown")
    assert "<em>emph</em>" in html


def test_front_matter_format_html_overrides_the_guess(tmp_path, write_post: WritePost):
    encoded = build_post(
        tmp_path,
        write_post,
        "Plain **not bold** text\n\n    <p>indented html</p>\n",
        format="html",
    )
    assert "strong" not in tags(encoded)
    assert "pre" not in tags(encoded)
    assert "**not bold**" in text_of(encoded)
    assert "indented html" in [p.text for p in fragment(encoded).iter("p")]


def test_front_matter_format_markdown_overrides_the_guess(tmp_path, write_post: WritePost):
    encoded = build_post(
        tmp_path,
        write_post,
        "<p>starts with a tag</p>\n\nthen **bold** Markdown\n",
        format="markdown",
    )
    assert fragment(encoded).findtext(".//strong") == "bold"
    assert "**" not in text_of(encoded)


def test_a_body_that_opens_with_an_html_block_and_goes_on_in_markdown_is_markdown(
    tmp_path, write_post: WritePost
):
    encoded = build_post(
        tmp_path,
        write_post,
        '<p align="center"><img src="https://x.org/a.png"></p>\n\n'
        "then **bold** and a [link](https://x.org/)\n\n* one\n* two\n",
    )
    assert {"strong", "li", "img"} <= set(tags(encoded))
    assert "**" not in encoded and "[link]" not in encoded


def test_a_scraped_page_with_indented_lines_and_blank_lines_never_becomes_code(
    tmp_path, write_post: WritePost
):
    body = (
        "<div>\n    <p>第一段</p>\n\n        第二段，缩进了八个空格\n\n    <p>第三段</p>\n</div>\n"
    )
    encoded = build_post(tmp_path, write_post, body)
    assert "code" not in tags(encoded) and "pre" not in tags(encoded)
    assert "第二段" in encoded


# --- clean ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("boilerplate", "leftover"),
    [
        ("<!-- 编辑姓名及工作代码 -->", "编辑姓名"),
        ('<!--article_adlist[<p cms-style="font-M">-->', "article_adlist"),
        ("<style>.appendQr_wrap{border:1px solid #E6E6E6;}</style>", "border"),
        ("<script>var tracker = 1;</script>", "tracker"),
        (
            '<div class="clearfix appendQr_wrap"><div class="appendQr_normal">'
            '<img src="https://n.example.cn/qr.png"></div>'
            '<div class="appendQr_normal_txt">海量资讯、精准解读，尽在APP</div></div>',
            "海量资讯",
        ),
        ('<p class="article-editor">责任编辑：某某 </p>', "责任编辑"),
        ('<ins class="adsbygoogle" data-ad-client="ca-pub-1">广告位</ins>', "广告位"),
        ("<div hidden>隐藏内容</div>", "隐藏内容"),
        ('<div style="display:none">隐藏内容</div>', "隐藏内容"),
        ('<span style="display: none;">隐藏内容</span>', "隐藏内容"),
        ('<div style="color: red; display:none !important">隐藏内容</div>', "隐藏内容"),
        ('<div style="DISPLAY: NONE">隐藏内容</div>', "隐藏内容"),
        ('<div style="color: red; display : none">隐藏内容</div>', "隐藏内容"),
    ],
    ids=[
        "comment",
        "comment-with-markup",
        "style",
        "script",
        "appendQr_wrap",
        "article-editor",
        "adsbygoogle",
        "hidden-attribute",
        "display-none",
        "display-none-spaced",
        "display-none-important",
        "display-none-uppercase",
        "display-none-space-before-colon",
    ],
)
def test_clean_removes_boilerplate_and_keeps_the_article(boilerplate, leftover):
    html = content.clean(f"<div><p>正文第一段。</p>{boilerplate}<p>正文第二段。</p></div>")
    assert leftover not in html
    assert "<!--" not in html
    paragraphs = [p.text_content() for p in fragment(html).iter("p")]
    assert paragraphs == ["正文第一段。", "正文第二段。"]


def test_clean_keeps_an_ordinary_ins_element():
    html = content.clean("<p>价格<ins>上调</ins>了</p>")
    assert fragment(html).findtext(".//ins") == "上调"


def test_clean_removes_the_drop_selectors_passed_in():
    html = (
        '<p>正文</p><div class="share-buttons">分享到微博</div>'
        '<section id="related"><a href="/x">相关阅读</a></section>'
    )
    assert "分享到微博" in content.clean(html)
    cleaned = content.clean(html, drop_selectors=[".share-buttons", "#related"])
    assert "分享到微博" not in cleaned
    assert "相关阅读" not in cleaned
    assert "正文" in cleaned


def test_content_drop_setting_removes_boilerplate_in_the_build(tmp_path, write_post: WritePost):
    encoded = build_post(
        tmp_path,
        write_post,
        '<div><p>正文</p><div class="share-buttons">分享到微博</div></div>\n',
        config='[content]\ndrop = [".share-buttons"]\n',
    )
    assert "正文" in text_of(encoded)
    assert "分享到微博" not in encoded


def test_clean_unwraps_font_and_keeps_its_text():
    html = content.clean(
        '<p>前文<font cms-style="font-L strong-Bold" color="red">记者刘某 武汉报道</font>后文</p>'
    )
    assert "font" not in tags(html)
    assert fragment(html).findtext("p") == "前文记者刘某 武汉报道后文"


def test_clean_unwraps_nested_font_elements():
    html = content.clean('<p><font size="3"><font color="red">嵌套</font>文字</font></p>')
    assert "font" not in tags(html)
    assert text_of(html) == "嵌套文字"


@pytest.mark.parametrize("attribute", ["data-src", "data-original", "data-actualsrc"])
def test_clean_gives_lazy_images_a_real_src(attribute):
    real = "https://n.example.cn/news/real.jpg"
    html = content.clean(
        f'<p><img src="/images/loading.gif" {attribute}="{real}">'
        f'<img {attribute}="{real}" alt="no src at all"></p>'
    )
    assert [img.get("src") for img in fragment(html).iter("img")] == [real, real]


def test_clean_keeps_the_src_of_an_ordinary_image():
    html = content.clean('<img src="https://n.example.cn/a.jpg">')
    assert fragment(html).find("img").get("src") == "https://n.example.cn/a.jpg"


def test_clean_turns_an_untrusted_iframe_into_a_link_to_its_source():
    html = content.clean(
        '<p>看视频</p><iframe src="https://player.example.com/embed/42" width="640"></iframe>'
    )
    root = fragment(html)
    assert "iframe" not in tags(html)
    links = [a.get("href") for a in root.iter("a")]
    assert links == ["https://player.example.com/embed/42"]


def test_clean_keeps_an_iframe_whose_host_is_trusted():
    frame = '<iframe src="https://player.example.com/embed/42"></iframe>'
    html = content.clean(frame, iframe_hosts=["player.example.com"])
    assert [f.get("src") for f in fragment(html).iter("iframe")] == [
        "https://player.example.com/embed/42"
    ]
    assert "a" not in tags(html)
    sanitized = content.sanitize(html, POST_URL)
    assert [f.get("src") for f in fragment(sanitized).iter("iframe")] == [
        "https://player.example.com/embed/42"
    ]


def test_clean_trusts_only_the_listed_iframe_hosts():
    html = content.clean(
        '<iframe src="https://evil.example.net/embed/42"></iframe>',
        iframe_hosts=["player.example.com"],
    )
    assert "iframe" not in tags(html)
    assert fragment(html).find(".//a").get("href") == "https://evil.example.net/embed/42"


def test_protocol_relative_iframe_becomes_an_https_link():
    html = pipeline('<iframe src="//player.example.com/embed/7"></iframe>')
    assert "iframe" not in tags(html)
    assert fragment(html).find(".//a").get("href") == "https://player.example.com/embed/7"


def test_clean_removes_an_iframe_without_a_source():
    html = content.clean("<p>a</p><iframe srcdoc='<p>inline</p>'></iframe>")
    assert "iframe" not in tags(html)
    assert "inline" not in html


# --- sanitize ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<a href="other/">x</a>', POST_URL + "other/"),
        ('<a href="/about/">x</a>', "https://news.example.org/about/"),
        ('<a href="../up/">x</a>', "https://news.example.org/2021/09/10/up/"),
        ('<a href="?page=2">x</a>', POST_URL + "?page=2"),
        ('<a href="#section-2">x</a>', POST_URL + "#section-2"),
        ('<a href="//cdn.example.com/x">x</a>', "https://cdn.example.com/x"),
        ('<a href="http://plain.example.com/x">x</a>', "http://plain.example.com/x"),
        ('<a href="https://secure.example.com/x">x</a>', "https://secure.example.com/x"),
        ('<a href="mailto:editor@example.com">x</a>', "mailto:editor@example.com"),
        ('<img src="images/a.png">', POST_URL + "images/a.png"),
        ('<img src="//n.sinaimg.example/a.jpg">', "https://n.sinaimg.example/a.jpg"),
    ],
    ids=[
        "relative",
        "root-relative",
        "parent",
        "query",
        "anchor",
        "protocol-relative",
        "http",
        "https",
        "mailto",
        "image-relative",
        "image-protocol-relative",
    ],
)
def test_sanitize_makes_every_url_absolute(html, expected):
    element = next(iter(fragment(content.sanitize(html, POST_URL))))
    assert (element.get("href") or element.get("src")) == expected


@pytest.mark.parametrize(
    "html",
    [
        '<img src="https://n.example.cn/a.jpg">',
        '<img src="https://n.example.cn/a.jpg" referrerpolicy="unsafe-url">',
        '<p><img src="/a.jpg" alt="x"></p>',
    ],
)
def test_sanitize_gives_images_no_referrer_policy(html):
    images = list(fragment(content.sanitize(html, POST_URL)).iter("img"))
    assert images
    assert [img.get("referrerpolicy") for img in images] == ["no-referrer"] * len(images)


@pytest.mark.parametrize(
    "attribute",
    [
        'cms-style="font-L"',
        'style="color:red;font-size:20px"',
        'class="ori_titlesource"',
        'align="center"',
        'bgcolor="#ffffff"',
    ],
)
def test_sanitize_drops_presentational_attributes(attribute):
    html = content.sanitize(f"<p {attribute}>　　正文</p>", POST_URL)
    paragraph = fragment(html).find("p")
    assert paragraph.text == "　　正文"
    assert dict(paragraph.attrib) == {}


def test_sanitize_drops_presentational_attributes_in_tables_and_images():
    html = content.sanitize(
        '<table class="t" style="width:100%"><tr><td style="x" class="y" colspan="2">1</td></tr>'
        '</table><img class="pic" style="width:74px" src="https://n.example.cn/a.jpg">',
        POST_URL,
    )
    for element in fragment(html).iter():
        assert "style" not in element.attrib
        assert "class" not in element.attrib
    assert fragment(html).find(".//td").get("colspan") == "2"


def test_sanitize_keeps_the_reference_article_text_and_structure():
    body = Path(__file__).resolve().parent.parent / "posts" / "000_43e460d1b31f5d9a.txt"
    text = body.read_text(encoding="utf-8").split("---", 2)[2]
    html = pipeline(text)
    for unwanted in ("<!--", "<style", "<font", "cms-style", "appendQr", "责任编辑", "class="):
        assert unwanted not in html
    paragraphs = [p.text_content() for p in fragment(html).iter("p")]
    assert paragraphs[0] == "　　原标题：一口气签七份协议，长江中游三省成立协同发展联合办公室"
    assert paragraphs[-1] == "　　（作者：刘茜 编辑：张伟贤）"
    assert len(paragraphs) == 9


@pytest.mark.parametrize(
    ("opening", "closing"),
    [("<p>", "</p>"), ("<pre>", "</pre>"), ("<table><tr><td>", "</td></tr></table>")],
    ids=["paragraph", "pre", "table cell"],
)
@pytest.mark.parametrize("unit", ["&amp;", "°", "&nbsp;·", "a&lt;b&gt;c "], ids=repr)
def test_a_long_text_comes_out_of_sanitize_whole(opening, closing, unit):
    # Such runs are cut before the sanitizer reads them (its serializer takes time with
    # the square of a text's length): the cuts must leave no trace.
    text = unit * (3 * content.MAX_TEXT_RUN // len(unit))
    html = content.sanitize(f"{opening}{text}{closing}", POST_URL)
    short = content.sanitize(f"{opening}{unit}{closing}", POST_URL)
    assert html == short.replace(content.sanitize(unit, POST_URL), content.sanitize(text, POST_URL))
    assert "cut" not in html and "<!--" not in html


@pytest.mark.parametrize("element", ["textarea", "title", "xmp", "noembed"])
def test_a_long_raw_text_comes_out_of_sanitize_whole(element):
    text = "&amp;&lt;b&gt; °·" * content.MAX_TEXT_RUN
    html = content.sanitize(f"<p>a</p><{element}>{text}</{element}><p>z</p>", POST_URL)
    short = content.sanitize(f"<p>a</p><{element}>x</{element}><p>z</p>", POST_URL)
    assert html == short.replace("x", content.sanitize(f"<{element}>{text}", POST_URL), 1)
    assert element not in html


def test_a_long_text_after_plaintext_stays_text():
    text = "<b>not bold</b> &amp; °" * content.MAX_TEXT_RUN
    html = content.sanitize("<p>before</p><plaintext>" + text, POST_URL)
    assert html.startswith("<p>before</p>")
    assert "<b>" not in html
    assert text_of(html).endswith("<b>not bold</b> &amp; °")


def test_sanitize_drops_an_attribute_value_longer_than_the_bound():
    long_alt = "°" * (content.MAX_ATTRIBUTE_CHARS + 1)
    images = f'<img src="/a.png" alt="{long_alt}"><img src="/b.png" alt="ok">'
    html = content.sanitize(images, POST_URL)
    alts = [img.get("alt") for img in fragment(html).iter("img")]
    assert alts == [None, "ok"]


def test_check_structure_refuses_html_with_more_tags_than_the_bound():
    content.check_structure("<h1></h1>" * (content.MAX_TAGS // 2))
    with pytest.raises(content.StructureError, match="tags"):
        content.check_structure("<h1></h1>" * (content.MAX_TAGS // 2 + 1))


def test_a_markdown_body_of_a_million_empty_headings_is_refused(tmp_path, write_post: WritePost):
    posts = write_post("post.md", post_text("t", "2021-09-10", body="#\n" * 500_000)).parent
    args = ["build", "--posts", str(posts), "--output", str(tmp_path / "out"), "--site-url", SITE]
    assert main(args) == 1


# --- clean: how the tree is read -------------------------------------------------------------


def test_clean_keeps_the_text_between_many_removed_elements():
    html = content.clean("".join(f'<p style="display:none">x</p>{i} ' for i in range(1000)))
    assert text_of(html).split() == [str(i) for i in range(1000)]


def test_clean_keeps_control_characters_it_cannot_store_out_of_lazy_urls():
    html = content.clean('<img data-src="https://e.example/a\x01b.png">')
    assert fragment(html).find("img").get("src") == "https://e.example/ab.png"


def test_clean_reads_content_after_a_stray_end_of_document():
    html = content.clean("<head><title>t</title></head></html><p>after</p><!-- c -->")
    assert text_of(html) == "after"


# --- summarize -----------------------------------------------------------------------------


def test_summary_of_short_text_is_the_text_unchanged():
    assert content.summarize("<p>短文本。</p>") == "短文本。"
    assert content.summarize("<p>A short English sentence.</p>") == "A short English sentence."


def test_summary_is_plain_text_with_paragraphs_separated_by_a_space():
    html = (
        '<p>第一段，<strong>重点</strong>。</p><p>第二段<a href="https://x.example/">链接</a>。</p>'
    )
    assert content.summarize(html) == "第一段，重点。 第二段链接。"


def test_summary_of_empty_content_is_empty():
    assert content.summarize("") == ""
    assert content.summarize("<p> </p>") == ""


def test_summary_length_is_counted_in_characters_not_bytes():
    summary = content.summarize("<p>" + "长" * 400 + "</p>")
    assert summary.endswith("…")
    assert 130 <= len(summary) <= 141
    assert len(summary.encode("utf-8")) > 140 * 3  # three bytes a character


@pytest.mark.parametrize("mark", ["。", "！", "？", "；"])
def test_summary_is_cut_at_a_sentence_end_when_one_is_near(mark):
    first = "甲" * 119 + mark  # the sentence ends at character 120
    html = f"<p>{first}{'乙' * 200}</p>"
    assert content.summarize(html) == first


def test_summary_is_cut_at_the_last_sentence_end_within_the_length():
    html = "<p>" + "甲" * 100 + "。" + "乙" * 30 + "。" + "丙" * 100 + "</p>"
    assert content.summarize(html) == "甲" * 100 + "。" + "乙" * 30 + "。"


def test_summary_without_a_near_sentence_end_is_cut_at_the_length_with_an_ellipsis():
    html = "<p>" + "甲" * 20 + "。" + "乙" * 300 + "</p>"
    summary = content.summarize(html)
    assert summary.startswith("甲" * 20 + "。")
    assert summary.endswith("…")
    assert 130 <= len(summary) <= 141


def test_summary_does_not_cut_a_latin_word_in_two():
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"] * 10
    summary = content.summarize("<p>" + " ".join(words) + "</p>")
    assert summary.endswith("…")
    assert len(summary) <= 141
    assert all(word in words for word in summary[:-1].split())


@pytest.mark.parametrize(
    "html",
    [
        "<p>"
        + "字" * 130
        + '<a href="https://example.com/a/very/long/path">链接的文字很长很长很长</a></p>',
        "<p>" + "字" * 135 + '<img src="https://example.com/x.png" alt="图"><b>粗</b>' + "字" * 50,
        "<div>" + "<p><em>强调</em>，<strong>加粗</strong>，<a href='/x'>链接</a>。</p>" * 20,
        "<p>" + "字" * 139 + "<br>" + "字" * 10 + "</p>",
    ],
    ids=["link-at-the-cut", "image-at-the-cut", "many-inline-tags", "br-at-the-cut"],
)
def test_summary_never_contains_a_tag_or_part_of_one(html):
    summary = content.summarize(content.sanitize(html, POST_URL))
    assert "<" not in summary
    assert ">" not in summary
    assert "href" not in summary
    assert "src=" not in summary


# Pieces of sanitized HTML from which the first kilobyte is cut: tags, text with spaces
# or none (CJK), URLs in text and across tags, entities, block and inline tags.
_SUMMARY_PIECES = st.sampled_from([
    "<p>", "</p>", "<li>", "</li>", "<br>", "<b>", "</b>", '<a href="https://x.example/a?b=1&amp;c">',
    "</a>", '<img src="https://x.example/i.png" alt="a<b">', "字" * 37, "word " * 9, " ",
    "https://example.com/" + "p" * 50, "www.example.org/x", "&amp;", "&lt;", "。", ". ", "\u3000",
    "<pre>", "</pre>", "\n",
])  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_SUMMARY_PIECES, min_size=30, max_size=120))
def test_a_summary_from_the_first_kilobyte_is_the_one_from_all_of_it(pieces):
    html = "".join(pieces)
    first = content.summarize(html)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(content, "SUMMARY_FIRST_CHARS", 10**9)  # read all of it at once
        assert first == content.summarize(html)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.sampled_from([*"a *\n\t>-|", "\u3000", "\xa0", "\u2028", "  \n", "<br>", "</p>"])
    ).map("".join)
)
def test_blocks_are_trimmed_as_when_every_body_went_through_the_trimming_pass(body):
    rendered = markdown.render(body, "markdown", breaks=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(markdown, "_TRIMMED_END_REVERSED", re.compile(""))  # always a pass
        assert rendered == markdown.render(body, "markdown", breaks=True)


def test_summary_removes_full_width_indents():
    html = "<p>　　第一段正文。</p><p>　　第二段正文。</p>"
    summary = content.summarize(html)
    assert "\u3000" not in summary
    assert summary == "第一段正文。 第二段正文。"


@pytest.mark.parametrize(
    ("html", "kept"),
    [
        ("<p>详见 https://example.com/a?b=1 的报道。</p>", ["详见", "的报道。"]),
        ("<p>访问 www.example.com 了解更多。</p>", ["访问", "了解更多。"]),
        ("<p>原文见https://example.com/a.html。今天天气很好。</p>", ["原文见", "今天天气很好。"]),
        ("<p>链接：http://example.com/x，请查看附件。</p>", ["链接：", "请查看附件。"]),
    ],
    ids=["https", "www", "url-then-chinese-sentence", "url-then-full-width-comma"],
)
def test_summary_removes_bare_urls_and_keeps_the_text_around_them(html, kept):
    summary = content.summarize(html)
    assert "example.com" not in summary
    assert "http" not in summary
    for text in kept:
        assert text in summary


def test_summary_of_a_bare_url_alone_is_empty():
    assert content.summarize("<p>http://example.com/only</p>") == ""


def test_summary_of_the_reference_article():
    body = Path(__file__).resolve().parent.parent / "posts" / "000_43e460d1b31f5d9a.txt"
    html = pipeline(body.read_text(encoding="utf-8").split("---", 2)[2])
    summary = content.summarize(html)
    assert summary.startswith("原标题：一口气签七份协议")
    assert summary.endswith("。")
    assert len(summary) <= 141
    assert "\u3000" not in summary


def test_summary_reads_at_most_the_first_part_of_a_long_article():
    for padding in range(7):  # wherever the bound falls, inside a tag too
        html = "x" * padding + "<p></p>" * (content.SUMMARY_MAX_SOURCE_CHARS // 7)
        assert content.summarize(html + "<p>far away</p>") == "x" * padding
    assert content.summarize("<p></p>" * 1000 + "<p>near</p>") == "near"


def test_smart_punctuation_makes_quotes_curly_and_dashes_typographic() -> None:
    html = markdown.render('"Quoted" -- it\'s ... done\n', smart="goldmark")
    assert "“Quoted” – it’s … done" in html
    assert '"Quoted" -- it' in markdown.render('"Quoted" -- it\n').replace("&quot;", '"')


def test_footnotes_are_rendered_when_asked() -> None:
    body = "A claim.[^1]\n\n[^1]: The source.\n"
    assert "[^1]" not in markdown.render(body, footnotes="goldmark")
    assert "The source." in markdown.render(body, footnotes="goldmark")
    assert "[^1]" in markdown.render(body)


@pytest.mark.parametrize(
    ("style", "note_id", "back"),
    [
        # a link back to each reference, as each renderer writes them
        (
            "goldmark",
            "fn:1",
            '<a href="#fnref:1">\u21a9\ufe0e</a>\u00a0<a href="#fnref1:1">\u21a9\ufe0e</a>',
        ),
        (
            "kramdown",
            "fn:source",
            '<a href="#fnref:source">\u21a9</a> <a href="#fnref:source:1">\u21a9<sup>2</sup></a>',
        ),
    ],
)
def test_footnotes_are_gathered_at_the_end_in_the_order_they_are_referred_to(
    style: str, note_id: str, back: str
) -> None:
    body = (
        "First[^source], then[^aside] and again[^source].\n\n"
        "[^aside]: An aside.\n\n[^never]: Referred to by no one.\n\nMiddle.\n\n"
        "[^source]: The source.\n"
    )
    html = markdown.render(body, footnotes=style)
    notes = html[html.index('<div class="footnotes">') :]
    assert html.index("Middle.") < html.index('<div class="footnotes">')
    assert notes.index("The source.") < notes.index("An aside.")  # referred to first
    assert f'<li id="{note_id}">' in notes
    assert f"The source.\u00a0{back}</p>" in notes
    assert "Referred to by no one" not in html  # as both renderers leave it out
    assert html.count(f'<a href="#{note_id}">1</a>') == 2


def test_a_footnote_with_unbalanced_html_stays_where_it_was_written() -> None:
    body = "A[^1].\n\n[^1]: <div>\n    open and never closed\n\nAfter.\n"
    html = markdown.render(body, footnotes="goldmark")
    assert "open and never closed" in html and "After." in html


def test_loose_emphasis_closes_next_to_punctuation_as_kramdown_does() -> None:
    body = "**备注：**后面的话，*注：*这里。\n"
    assert "<strong>备注：</strong>后面的话，<em>注：</em>这里。" in markdown.render(
        body, loose_emphasis=True
    )
    assert "**备注：**" in markdown.render(body)  # CommonMark leaves them as text


def test_loose_emphasis_may_hold_inline_markup_but_not_cross_blocks() -> None:
    body = "里的*[服务层（Service Layer）](https://x.org/)* 。\n"
    html = markdown.render(body, loose_emphasis=True)
    assert '里的<em><a href="https://x.org/">服务层（Service Layer）</a></em> 。' in html
    html = markdown.render("的*<b>注：*后</b>\n\n- *注：\n- 后*\n", loose_emphasis=True)
    assert "<em>" not in html  # a tag left open inside; a pair across two list items


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        ("\\*注：x\\* 后\n", "*注：x* 后"),  # escaped by the author
        ("`**注：**后` and\n\n    **注：**后\n", "<code>**注：**后</code>"),  # code
        ("<div>\n**注：**后 \\*\n</div>\n", "**注：**后 \\*"),  # raw HTML block
        ("2 * 3 * 4\n", "2 * 3 * 4"),  # stars between spaces
    ],
)
def test_loose_emphasis_leaves_escapes_code_and_raw_html_alone(body: str, kept: str) -> None:
    html = markdown.render(body, loose_emphasis=True)
    assert kept in html
    assert "<strong>" not in html and "<em>" not in html


def test_task_list_items_lose_their_brackets_when_asked() -> None:
    body = "- [ ] to do\n- [x] done\n"
    assert "[ ]" in markdown.render(body)
    html = content.sanitize(markdown.render(body, tasklists=True), POST_URL)
    assert "[ ]" not in html and "[x]" not in html
    assert "to do" in html and "done" in html


def test_loose_emphasis_reads_escapes_as_kramdown_does() -> None:
    html = markdown.render(
        "[x](http://a.org/\\*b*c) ![a\\*b*c](x.png) \\\\*a* \\*b\\*\n", loose_emphasis=True
    )
    assert '<a href="http://a.org/\\*b*c">' in html  # kept in a URL
    assert 'alt="a*b*c"' in html  # an escape, in text
    assert "\\<em>a</em>" in html  # an escaped backslash, then emphasis
    assert " *b*</p>" in html


@pytest.mark.parametrize(
    ("source", "marked"),
    [
        # SmartyPants' rules on each piece of text: a quote after a letter closes
        ('一张"引用表"，"0"\n', "一张\u201d引用表\u201d\uff0c\u201d0\u201d"),
        ("press '-' now\n", "press \u2018-\u2018 now"),
        ("a---b c--d wait...\n", "a\u2014b c\u2013d wait\u2026"),
        # a piece starts after a bare URL (marked makes it a link): there, a quote opens
        ('("https://x.org/a/")\n', "(\u201chttps://x.org/a/\u201c)"),
        # code, raw HTML and escaped quotes are left as written
        ('`"x"` and \\"y\\"\n', '<code>"x"</code> and "y"'),
    ],
)
def test_marked_smart_punctuation_is_hexos(source: str, marked: str) -> None:
    html = markdown.render(source, smart="marked").replace("&quot;", '"')
    assert marked in html


def test_marked_quotes_may_be_set() -> None:
    html = markdown.render("\"a\" 'b'\n", smart="marked", quotes="«»‹›")
    assert "«a» ‹b›" in html


def test_a_line_break_that_ends_a_links_text_is_no_break() -> None:
    html = markdown.render("use [the lib\n](https://x.org/)now\nand then\n", breaks=True)
    assert "the lib\n</a>now<br />" in html


@pytest.mark.parametrize("name", ["int", "set", "vector", "text", "path", "unknown-thing"])
def test_text_inside_a_tag_html_does_not_know_is_kept(name: str) -> None:
    html = content.sanitize(f"<p>a List<{name}> holds items</p>", POST_URL)
    assert html == "<p>a List holds items</p>"


@pytest.mark.parametrize(
    ("source", "goldmark"),
    [
        ('He said "hi" -- and...\n', "He said \u201chi\u201d \u2013 and\u2026"),
        ("don't stop 'til the '90s\n", "don\u2019t stop \u2019til the \u201990s"),
        ("a ---- b\n", "a \u2014- b"),  # an em dash, then a hyphen
        ('an "unclosed quote\n', "an \u201cunclosed quote"),
        ('a 21" screen\n', 'a 21" screen'),  # closes only what is open on the page
        ('an "open\n\na 21" screen\n', "a 21\u201d screen"),
        ('`"code"` and \\"escaped\\"\n', '<code>"code"</code> and "escaped"'),
    ],
)
def test_goldmark_typographer_is_hugos(source: str, goldmark: str) -> None:
    assert goldmark in markdown.render(source, smart="goldmark").replace("&quot;", '"')


@pytest.mark.parametrize(
    ("source", "kramdown"),
    [
        # by the character before the quote: after a letter a quote closes (RubyPants)
        ('的"Failures" 他说 "hi"\n', "\u7684\u201dFailures\u201d \u4ed6\u8bf4 \u201chi\u201d"),
        ("don't (\"x\") the '80s\n", "don\u2019t (\u201cx\u201d) the \u201980s"),
        ("\"'Quoted' words\"\n", "\u201c\u2018Quoted\u2019 words\u201d"),
        ('**"b"**\n', "<strong>\u201cb\u201d</strong>"),  # first in its text: by what follows
        ("a---b c--d << e >>\n", "a\u2014b c\u2013d \u00ab\u00a0e\u00a0\u00bb"),
        ("INTERACT\\_ACROSS --user\n", "INTERACT_ACROSS \u2013user"),  # after an escape
    ],
)
def test_kramdown_smart_quotes_are_kramdowns(source: str, kramdown: str) -> None:
    assert kramdown in markdown.render(source, smart="kramdown")
