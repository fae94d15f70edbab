"""A Jekyll site, read as Jekyll 4.3 and jekyll-feed 0.17 read it: same links, same ids,
same feed file, with no postfeed.toml (issue 9)."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest

from postfeed import sites
from postfeed.cli import main
from postfeed.config import ConfigError, load_config
from postfeed.sites import SitePost, jekyll

from conftest import post_text

ATOM = "{http://www.w3.org/2005/Atom}"

BLOG = """\
title: A blog
description: Notes
author:
  name: Ann
  email: ann@example.org
lang: en
url: https://blog.example.org
timezone: UTC
"""


def jekyll_site(root: Path, config: str, files: dict[str, str]) -> Path:
    """A Jekyll site's root: `_config.yml`, `_posts/`, and `files` (path in the site -> text)."""
    (root / "_posts").mkdir(parents=True)
    (root / "_config.yml").write_text(textwrap.dedent(config), encoding="utf-8")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def build(site: Path, out: Path, *flags: str) -> list[ElementTree.Element]:
    """`postfeed build --site SITE` and the entries of the Atom feed it wrote (feed.xml)."""
    status = main(["build", "--site", str(site), "--output", str(out), "-q", *flags])
    assert status == 0
    return ElementTree.parse(out / "feed.xml").getroot().findall(f"{ATOM}entry")


def only_entry(site: Path, out: Path, *flags: str) -> ElementTree.Element:
    [entry] = build(site, out, *flags)
    return entry


def link_of(entry: ElementTree.Element) -> str:
    return entry.find(f"{ATOM}link").get("href")  # type: ignore[union-attr]


def post_content(tmp_path: Path, body: str) -> str:
    """The feed's content of a one-post blog whose post has `body`."""
    files = {"_posts/2024-02-07-k.md": untitled("K", body=body)}
    entry = only_entry(jekyll_site(tmp_path / "blog", BLOG, files), tmp_path / "out")
    return entry.findtext(f"{ATOM}content") or ""


def untitled(title: str = "A post", **front_matter: object) -> str:
    """A post whose date comes from its file name, as most Jekyll posts do."""
    return post_text(title, None, **front_matter)


# --- recognizing a site and reading its configuration ---------------------------------------


def test_a_config_file_and_a_posts_folder_make_a_jekyll_site(tmp_path: Path) -> None:
    site = jekyll_site(tmp_path / "blog", BLOG, {})
    assert sites.detect(site) == "jekyll"
    (site / "_posts").rmdir()
    assert sites.detect(site) != "jekyll"


def test_the_site_configuration_gives_the_feed_settings(tmp_path: Path) -> None:
    config = load_config(site=jekyll_site(tmp_path / "blog", BLOG, {}))
    assert config.site_kind == "jekyll"
    assert config.site_url == "https://blog.example.org/"
    assert config.posts == tmp_path / "blog" / "_posts"
    assert (config.title, config.description, config.author) == ("A blog", "Notes", "Ann")
    assert config.language == "en"
    assert config.limit == 10  # jekyll-feed's posts_limit
    assert config.files == {"atom": "feed.xml"}
    assert config.ids == "site"
    assert config.drop_future  # Jekyll publishes no future post unless `future: true`
    assert config.content.mode == "full"


def test_jekyll_feed_settings_are_read(tmp_path: Path) -> None:
    extra = "future: true\nfeed:\n  path: /atom.xml\n  posts_limit: 25\n  excerpt_only: true\n"
    config = load_config(site=jekyll_site(tmp_path / "blog", BLOG + extra, {}))
    assert (config.files, config.limit) == ({"atom": "atom.xml"}, 25)
    assert config.content.mode == "summary"
    assert not config.drop_future


def test_a_toml_configuration_and_locale_are_read(tmp_path: Path) -> None:
    site = tmp_path / "blog"
    (site / "_posts").mkdir(parents=True)
    (site / "_config.toml").write_text('url = "https://t.example"\nlocale = "fr-FR"\n')
    config = load_config(site=site)
    assert (config.site_kind, config.site_url, config.language) == (
        "jekyll",
        "https://t.example/",
        "fr-FR",
    )


def test_a_byte_order_mark_does_not_hide_the_configuration(tmp_path: Path) -> None:
    site = jekyll_site(tmp_path / "blog", BLOG, {})
    (site / "_config.yml").write_bytes(b"\xef\xbb\xbf" + (site / "_config.yml").read_bytes())
    assert load_config(site=site).site_url == "https://blog.example.org/"


def test_a_configuration_yaml_refuses_is_an_error_naming_the_file(tmp_path: Path) -> None:
    site = jekyll_site(tmp_path / "blog", "url: [unclosed\n", {})
    with pytest.raises(ConfigError, match=r"_config\.yml"):
        load_config(site=site)


def test_without_url_the_given_site_url_is_used_and_build_v_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = jekyll_site(
        tmp_path / "blog", "baseurl: /b\n", {"_posts/2024-02-07-hello.md": untitled("Hello")}
    )
    out = tmp_path / "out"
    assert main(["build", "--site", str(site), "--output", str(out), "-v"]) == 0
    assert "has no http(s) `url`" in capsys.readouterr().err
    flags = ("--site-url", "https://mine.example/b/")
    entry = only_entry(site, tmp_path / "out2", *flags)
    assert link_of(entry) == "https://mine.example/b/2024/02/07/hello.html"


def test_a_postfeed_toml_overrides_the_site(tmp_path: Path) -> None:
    site = jekyll_site(tmp_path / "blog", BLOG, {})
    toml = tmp_path / "postfeed.toml"
    toml.write_text('title = "Mine"\nids = "uuid"\n')
    config = load_config(toml, site=site)
    assert (config.title, config.ids, config.site_kind) == ("Mine", "uuid", "jekyll")


def test_an_unknown_placeholder_in_the_site_permalink_is_an_error(tmp_path: Path) -> None:
    site = jekyll_site(tmp_path / "blog", BLOG + "permalink: /:year/:nope/\n", {})
    with pytest.raises(ConfigError, match=":nope"):
        load_config(site=site)


# --- links ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("permalink", "expected"),
    [
        ("date", "news/2024/02/07/My-Post.html"),  # Jekyll's default
        ("pretty", "news/2024/02/07/My-Post/"),
        ("ordinal", "news/2024/038/My-Post.html"),
        ("weekdate", "news/2024/W06/Wed/My-Post.html"),
        ("none", "news/My-Post.html"),
        ("/:categories/:title/", "news/My-Post/"),
        ("/:year/:i_month/:i_day/:slug:output_ext", "2024/2/7/my-post.html"),
        ("/:short_year/:month_:day/:name/", "24/02_07/2024-02-07-my-post/"),
        (
            "/:hour:minute:second/:y_day/:short_month/:long_day/:title",
            "093005/038/Feb/Wednesday/My-Post",
        ),
    ],
)
def test_permalink_styles_and_placeholders_are_jekylls(
    tmp_path: Path, permalink: str, expected: str
) -> None:
    config = BLOG + f"permalink: {permalink}\n"
    posts = {"_posts/2024-02-07-My Post.md": post_text("P", "2024-02-07 09:30:05", category="News")}
    entry = only_entry(jekyll_site(tmp_path / "blog", config, posts), tmp_path / "out")
    assert link_of(entry) == f"https://blog.example.org/{expected}"


def test_a_front_matter_permalink_is_the_link(tmp_path: Path) -> None:
    posts = {"_posts/2024-02-07-x.md": untitled("X", permalink="/talks/:year/deck.html")}
    entry = only_entry(jekyll_site(tmp_path / "blog", BLOG, posts), tmp_path / "out")
    assert link_of(entry) == "https://blog.example.org/talks/2024/deck.html"


def test_front_matter_defaults_give_posts_a_permalink(tmp_path: Path) -> None:
    defaults = (
        "defaults:\n  - scope: {path: '', type: posts}\n    values: {permalink: /p/:title/}\n"
    )
    posts = {"_posts/2024-02-07-x.md": untitled("X")}
    entry = only_entry(jekyll_site(tmp_path / "blog", BLOG + defaults, posts), tmp_path / "out")
    assert link_of(entry) == "https://blog.example.org/p/x/"


def test_a_slug_in_front_matter_replaces_the_file_names_title(tmp_path: Path) -> None:
    posts = {"_posts/2024-02-07-x.md": untitled("X", slug="Other Name!")}
    entry = only_entry(jekyll_site(tmp_path / "blog", BLOG, posts), tmp_path / "out")
    assert link_of(entry) == "https://blog.example.org/2024/02/07/Other-Name!.html"


def test_categories_from_front_matter_and_folders_make_the_link(tmp_path: Path) -> None:
    posts = {
        "_posts/2024-02-07-a.md": untitled("A", categories="Web Dev"),  # split on spaces
        "_posts/2024-02-08-b.md": untitled("B", categories=["Web Dev"]),
        "news/_posts/2024-02-09-c.md": untitled("C", category="Tech"),
    }
    entries = build(jekyll_site(tmp_path / "blog", BLOG, posts), tmp_path / "out")
    links = {e.findtext(f"{ATOM}title"): link_of(e) for e in entries}
    assert links == {
        "A": "https://blog.example.org/web/dev/2024/02/07/a.html",
        "B": "https://blog.example.org/web%20dev/2024/02/08/b.html",
        "C": "https://blog.example.org/news/tech/2024/02/09/c.html",
    }


def test_a_baseurl_is_part_of_every_link(tmp_path: Path) -> None:
    config = BLOG + "baseurl: /notes/\npermalink: pretty\n"
    posts = {"_posts/2024-02-07-x.md": untitled("X")}
    entry = only_entry(jekyll_site(tmp_path / "blog", config, posts), tmp_path / "out")
    assert link_of(entry) == "https://blog.example.org/notes/2024/02/07/x/"


def test_links_are_percent_encoded_as_jekyll_feed_writes_them(tmp_path: Path) -> None:
    posts = {"_posts/2024-02-07-你好 世界.md": untitled("CJK")}
    entry = only_entry(jekyll_site(tmp_path / "blog", BLOG, posts), tmp_path / "out")
    assert link_of(entry) == (
        "https://blog.example.org/2024/02/07/%E4%BD%A0%E5%A5%BD-%E4%B8%96%E7%95%8C.html"
    )


# --- ids --------------------------------------------------------------------------------------


def test_the_item_id_is_jekyll_feeds_document_id(tmp_path: Path) -> None:
    # The folder of the link, then the slug as written (not slugified), made absolute.
    posts = {"_posts/2024-02-07-x.md": untitled("X", slug="My Slug")}
    config = BLOG + "permalink: /:title/\n"
    entry = only_entry(jekyll_site(tmp_path / "blog", config, posts), tmp_path / "out")
    assert link_of(entry) == "https://blog.example.org/My-Slug/"
    assert entry.findtext(f"{ATOM}id") == "https://blog.example.org/My%20Slug"


def test_a_url_ending_in_a_slash_gives_jekyll_feeds_double_slash(tmp_path: Path) -> None:
    config = BLOG.replace("https://blog.example.org", "https://blog.example.org/")
    config += "permalink: pretty\n"
    posts = {"_posts/2018-01-03-last-post.md": untitled("Last", category="daily")}
    entry = only_entry(jekyll_site(tmp_path / "blog", config, posts), tmp_path / "out")
    assert link_of(entry) == "https://blog.example.org//daily/2018/01/03/last-post/"
    assert entry.findtext(f"{ATOM}id") == "https://blog.example.org//daily/2018/01/03/last-post"


# --- which files are posts, and their dates -----------------------------------------------


def test_the_file_name_gives_date_and_title_at_midnight_in_the_site_zone(tmp_path: Path) -> None:
    config = BLOG.replace("timezone: UTC", "timezone: Asia/Shanghai")
    posts = {"_posts/2017-4-20-one-digit.md": untitled("One")}  # one-digit month is fine
    entry = only_entry(jekyll_site(tmp_path / "blog", config, posts), tmp_path / "out")
    assert entry.findtext(f"{ATOM}published") == "2017-04-19T16:00:00Z"
    assert link_of(entry) == "https://blog.example.org/2017/04/20/one-digit.html"


def test_a_posts_file_without_a_date_in_its_name_is_left_out_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    posts = {"_posts/2024-02-07-real.md": untitled("Real"), "_posts/template.md": untitled("T")}
    site = jekyll_site(tmp_path / "blog", BLOG, posts)
    assert main(["build", "--site", str(site), "--output", str(tmp_path / "out")]) == 0
    assert "template.md: warning: file: not a Jekyll post" in capsys.readouterr().err
    [entry] = ElementTree.parse(tmp_path / "out" / "feed.xml").getroot().findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Real"


def test_only_posts_folders_jekyll_reads_are_read(tmp_path: Path) -> None:
    config = BLOG + "exclude: [old]\n"
    posts = {
        "_posts/2024-02-07-a.md": untitled("A"),
        "news/_posts/2024-02-08-b.md": untitled("B"),
        "old/_posts/2024-02-09-excluded.md": untitled("Excluded"),
        "_drafts/2024-02-10-draft.md": untitled("Draft"),
        "_site/news/_posts/2024-02-11-built.md": untitled("Built"),
        "_posts/_partial.md": untitled("Partial"),
        "about.md": untitled("About"),
    }
    site = jekyll_site(tmp_path / "blog", config, posts)
    assert load_config(site=site).posts == site  # category folders: the root is read
    titles = {e.findtext(f"{ATOM}title") for e in build(site, tmp_path / "out")}
    assert titles == {"A", "B"}


# --- bodies -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kramdown", "breaks"),
    [
        ("", False),  # Jekyll's default
        ("kramdown:\n  hard_wrap: true\n", True),
        ("kramdown:\n  hard_wrap: true\n  input: kramdown\n", False),  # GFM's option only
        ("markdown: CommonMark\nkramdown:\n  hard_wrap: true\n", False),
    ],
)
def test_soft_line_breaks_follow_kramdowns_hard_wrap(
    tmp_path: Path, kramdown: str, breaks: bool
) -> None:
    site = jekyll_site(tmp_path / "blog", BLOG + kramdown, {})
    assert load_config(site=site).site_rules.breaks is breaks


def test_the_summary_is_the_first_paragraph_as_jekyll_feeds(tmp_path: Path) -> None:
    body = "\nFirst [part][1].\n\nSecond part.\n\n[1]: https://example.org/one\n"
    posts = {"_posts/2024-02-07-x.md": untitled("X", body=body)}
    site = jekyll_site(tmp_path / "blog", BLOG, posts)
    excerpt = load_config(site=site).site_rules.excerpt(body)
    # The link definition the excerpt uses comes with it, as Jekyll appends it.
    assert excerpt == "First [part][1].\n\n[1]: https://example.org/one"
    assert only_entry(site, tmp_path / "out").findtext(f"{ATOM}summary") == "First part."


def test_the_excerpt_separator_of_the_site_and_of_a_post(tmp_path: Path) -> None:
    site = jekyll_site(tmp_path / "blog", BLOG + "excerpt_separator: <!--more-->\n", {})
    rules = load_config(site=site).site_rules
    assert rules.excerpt("One.\n\nTwo.\n<!--more-->\nThree.") == "One.\n\nTwo.\n"
    assert rules.excerpt("A|B", {"excerpt_separator": "|"}) == "A"


def test_a_liquid_block_the_separator_cuts_is_closed(tmp_path: Path) -> None:
    rules = load_config(site=jekyll_site(tmp_path / "blog", BLOG, {})).site_rules
    excerpt = rules.excerpt("{% highlight ruby %}\nx = 1\n\ny = 2\n{% endhighlight %}\n")
    assert excerpt == "{% highlight ruby %}\nx = 1\n{% endhighlight %}"


def test_liquid_variables_and_post_links_are_expanded(tmp_path: Path) -> None:
    posts = {
        "_posts/2024-02-07-target.md": untitled("Target", categories="news"),
        "_posts/2024-02-08-source.md": untitled(
            "Source",
            body="On {{ site.title }}: [see]({% post_url 2024-02-07-target %}), "
            "[again]({% link _posts/2024-02-07-target.md %}).\n",
        ),
    }
    entries = build(jekyll_site(tmp_path / "blog", BLOG, posts), tmp_path / "out")
    source = next(e for e in entries if e.findtext(f"{ATOM}title") == "Source")
    content = source.findtext(f"{ATOM}content") or ""
    assert "On A blog:" in content
    assert content.count('href="https://blog.example.org/news/2024/02/07/target.html"') == 2


def test_a_site_include_that_prints_its_parameters_is_rendered(tmp_path: Path) -> None:
    files = {
        "_includes/moved": '<p class="notice">First posted on <a href="{{ include.url }}">'
        "{{ include.date }}</a>.</p>\n",
        "_posts/2024-02-07-moved.md": untitled(
            "Moved",
            body='{% include moved url="https://old.example.org/1" date="May 2" %}\n\nText.\n',
        ),
    }
    content = only_entry(jekyll_site(tmp_path / "blog", BLOG, files), tmp_path / "out").findtext(
        f"{ATOM}content"
    )
    assert 'First posted on <a href="https://old.example.org/1"' in (content or "")
    assert ">May 2</a>.</p>" in (content or "")


def test_kramdown_attribute_lists_and_extensions_are_kramdowns(tmp_path: Path) -> None:
    body = (
        "## Contents\n{:.no_toc}\n* TOC\n{:toc}\n\n"
        "## First\n\nA note.\n{: .notice--info}\n\n"
        "{::comment}\nNot shown.\n{:/comment}\n\n"
        "{::nomarkdown}\n# Not a heading\n\n*not emphasis*\n{:/}\n\n"
        "### Second {#second}\n\n```\n{: .kept-in-code}\n```\n"
    )
    content = post_content(tmp_path, body)
    assert "<li>First\n<ul>\n<li>Second</li>" in content  # the table of contents
    assert "<li>Contents" not in content and "TOC" not in content
    assert "<p>A note.</p>" in content and "notice--info" not in content
    assert "Not shown" not in content
    assert "# Not a heading\n*not emphasis*" in content
    assert "<pre><code>{: .kept-in-code}\n</code></pre>" in content
    assert "<h3>Second</h3>" in content


def test_kramdown_emphasis_footnotes_and_task_lists(tmp_path: Path) -> None:
    body = (
        "**备注：**这是*注：*的话。[^src]\n\n[^src]: 出处。\n\n"
        "- [ ] to do\n- [x] done\n\nLast paragraph.\n"
    )
    content = post_content(tmp_path, body)
    assert "<strong>备注：</strong>这是<em>注：</em>的话。" in content
    assert content.index("Last paragraph.") < content.index("出处。&nbsp;")  # notes at the end
    assert "\u21a9" in content
    assert "[ ]" not in content and "to do" in content


def test_kramdown_has_no_parenthesis_lists_and_takes_blanks_in_link_destinations() -> None:
    body = "1) Not a list.\n> 2) Nor this.\n\n![a](../images/flow abstract.gif) and `[b](c d)`\n"
    assert jekyll.kramdown_extensions(body) == (
        "1\\) Not a list.\n> 2\\) Nor this.\n\n![a](<../images/flow abstract.gif>) and `[b](c d)`\n"
    )


@pytest.mark.parametrize(
    ("body", "kramdowns"),
    [
        # a header starts its line, in kramdown; inside a list item, its indentation is the item's
        ("text\n\n ### Not a header\n", "text\n\n \\### Not a header\n"),
        ("- item\n\n  ### A header in the item\n", "- item\n\n  ### A header in the item\n"),
        # a line of one pipe is a table of one empty cell
        ("above\n\n|\n\nbelow\n", "above\n\n\n\nbelow\n"),
        # a <script> never closed is text (not the start of an element eating the post)
        (
            "put <script> in `<script>` and <SCRIPT src=x>\n\nrest\n",
            "put &lt;script> in `<script>` and &lt;SCRIPT src=x>\n\nrest\n",
        ),
        ("<script>closed</script> stays\n", "<script>closed</script> stays\n"),
        # an end tag further on (here in code) does not make a sentence's <script> live
        (
            "I wrote <script> here.\n\nLater: `</script>`.\n",
            "I wrote &lt;script> here.\n\nLater: `</script>`.\n",
        ),
        ("<style>\np {}\n</style>\n", "<style>\np {}\n</style>\n"),  # an HTML block
        # a backtick "fence" with a backtick in its info string is a code span
        ("``` x ```\n\n```\ncode\n```\n", "```x```\n\n```\ncode\n```\n"),
        # code spans: blanks at the edges dropped with two backticks or more, kept with one
        ("``a: ``、`` b ``、` <C-x> `\n", "``a:``、``b``、`  <C-x>  `\n"),
        ("a ` b and `c`\n", "a \\` b and `c`\n"),  # a lone backtick between blanks
        ("`one\nspan ` and ``x ``\n", "`one\nspan ` and ``x``\n"),  # one span, two lines
        # a fence never closed is text, and so is one after a list item's line that does
        # not close before the item's next blank line
        ("text\n\n```\nnot code\n", "text\n\n\\```\nnot code\n"),
        (
            "1. item two\n```\n\nafter\n\n```\nx\n```\n",
            "1. item two\n\\```\n\nafter\n\n```\nx\n```\n",
        ),
        ("* item\n```\ncode\n```\n", "* item\n```\ncode\n```\n"),
        # a reference's label is matched with its escapes undone
        ("[a\\_b][] and [c][]\n", "[a\\_b][a_b] and [c][]\n"),
        # markdown="1": the element's content is Markdown
        (
            "<blockquote markdown=1>\n*a*\n</blockquote>\n",
            "<blockquote>\n\n*a*\n\n</blockquote>\n",
        ),
        (
            '<figcaption class="c" markdown="1">`B1` *b*</figcaption>\n',
            '<figcaption class="c">\n\n`B1` *b*\n\n</figcaption>\n',
        ),
    ],
)
def test_kramdown_block_rules_commonmark_reads_otherwise(body: str, kramdowns: str) -> None:
    assert jekyll.kramdown_extensions(body) == kramdowns


@pytest.mark.parametrize(
    "line",
    [
        "{::x" + " " * 1_000_000,
        "# a" + " " * 1_000_000 + "b",
        "## a {#" + " " * 1_000_000,
        "[a](b" + " " * 1_000_000,
        "](" * 500_000,
        "<script " * 200_000,
        "> " * 40 + "x",
        "][] [" + "\\[" * 300_000,
        "<div" + " " * 1_000_000,
        "<div" + " " * 1_000_000 + "markdown=2>",
        "-\n```a\n" * 140_000 + "```",
        "- a\n````x\n" * 100_000,
        "`````\n" * 100_000 + "```\n" * 100_000,
        "- a\n" + "```\n" * 200_000,
    ],
)
def test_a_megabyte_line_of_kramdown_syntax_is_read_in_one_pass(line: str) -> None:
    assert len(jekyll.kramdown_extensions(line)) >= len(line) // 2


def test_kramdown_extensions_cost_in_proportion_to_the_body() -> None:
    # an opener without an end tag, many times over, is read once
    body = "{::nomarkdown}\n{: .x}\n" * 50_000
    assert jekyll.kramdown_extensions(body) == "{::nomarkdown}\n" * 50_000


# --- what the collector may ask for -------------------------------------------------------


def test_tags_and_a_missing_title_as_jekyll_has_them(tmp_path: Path) -> None:
    rules = load_config(site=jekyll_site(tmp_path / "blog", BLOG, {})).site_rules
    assert isinstance(rules, jekyll.Rules)
    assert rules.tags({"tags": "AWS  Deployment"}) == ["AWS", "Deployment"]
    assert rules.tags({"tag": "one tag", "tags": "ignored"}) == ["one tag"]
    assert rules.title_from_name("2014-09-30-short-the-build") == "Short The Build"
    post = SitePost("2024-02-07-x", {"category": "a b"}, datetime(2024, 2, 7, tzinfo=UTC), "", ())
    assert rules.categories(post.meta, post.name) == ["a b"]


def test_published_is_a_flag_not_a_date(tmp_path: Path) -> None:
    posts = {"_posts/2024-02-07-x.md": untitled("X", published=True)}
    entry = only_entry(jekyll_site(tmp_path / "blog", BLOG, posts), tmp_path / "out")
    assert entry.findtext(f"{ATOM}published") == "2024-02-07T00:00:00Z"


def test_each_post_keeps_its_own_spelling_of_a_tag(tmp_path: Path) -> None:
    posts = {
        "_posts/2024-02-07-a.md": untitled("A", tags=["AI"]),
        "_posts/2024-02-08-b.md": untitled("B", tags=["ai"]),
    }
    entries = build(jekyll_site(tmp_path / "blog", BLOG, posts), tmp_path / "out")
    terms = {
        e.findtext(f"{ATOM}title"): [c.get("term") for c in e.findall(f"{ATOM}category")]
        for e in entries
    }
    assert terms == {"A": ["AI"], "B": ["ai"]}


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("2024-03-04 03:30:00", "2024-03-04 03:30:00 +00:00"),  # YAML's timestamp: UTC
        ("2024-3-4T3:30:00.5", "2024-3-4T3:30:00.5 +00:00"),
        ("2024-03-04 03:30", "2024-03-04 03:30"),  # text: the site's zone
        ("2024-03-04", "2024-03-04"),
        ("2024-03-04 03:30:00 -0400", "2024-03-04 03:30:00 -0400"),
    ],
)
def test_a_yaml_timestamp_without_offset_is_utc_as_psych_reads_it(written: str, read: str) -> None:
    assert jekyll.Rules().date_value(written) == read


def test_build_v_says_jekyll_feeds_per_category_and_tag_are_not_written(tmp_path: Path) -> None:
    config = BLOG + "feed:\n  categories: [news]\n  tags: true\n"
    site = jekyll_site(tmp_path / "blog", config, {"_posts/2024-02-07-a.md": untitled("A")})
    said = "\n".join(load_config(site=site).site_read_from)
    assert "feed.categories: jekyll-feed's feed per category: not written" in said
    assert "feed.tags: jekyll-feed's feed per tag: not written" in said


def test_titles_are_smartified_as_jekyll_feed_writes_them(tmp_path: Path) -> None:
    files = {"_posts/2024-02-07-a.md": untitled('It\'s "done" -- almost...')}
    entry = only_entry(jekyll_site(tmp_path / "blog", BLOG, files), tmp_path / "out")
    assert entry.findtext(f"{ATOM}title") == "It\u2019s \u201cdone\u201d \u2013 almost\u2026"
