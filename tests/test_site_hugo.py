"""A Hugo site, read as Hugo 0.168 reads it for its home RSS feed: same links, same
guids, same feed file, with no postfeed.toml (issue 9).

Each test writes a small site in tmp_path: its configuration, and its pages (through
`write_post`) in `content/`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest

from postfeed.cli import main
from postfeed.config import ConfigError, load_config
from postfeed.sites import SitePost, hugo

from conftest import WritePost, post_text

SITE = """\
baseURL = "https://example.org/"
title = "A Hugo site"
languageCode = "en-us"
"""
Page = Callable[..., Path]


@pytest.fixture
def site(tmp_path: Path) -> Callable[..., Path]:
    """site(config, name="hugo.toml"): writes the configuration; returns the site's root."""

    def write(config: str = SITE, name: str = "hugo.toml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(config), encoding="utf-8")
        (tmp_path / "content").mkdir(exist_ok=True)
        return tmp_path

    return write


@pytest.fixture
def page(write_post: WritePost) -> Page:
    """page(name, text): a file below the site's content/ folder."""
    return lambda name, text: write_post(f"../content/{name}", text)


def build(root: Path, *flags: str) -> dict[str, dict[str, str]]:
    """`postfeed build --site ROOT`: the items of the index.xml it wrote, by title."""
    out = root / "out"
    assert main(["build", "--site", str(root), "--output", str(out), "-q", *flags]) == 0
    items = ElementTree.parse(out / "index.xml").getroot().iter("item")
    return {
        item.findtext("title", ""): {child.tag: child.text or "" for child in item}
        for item in items
    }


def links(root: Path) -> dict[str, str]:
    return {title: item["link"] for title, item in build(root).items()}


def utc(item: dict[str, str]) -> str:
    return parsedate_to_datetime(item["pubDate"]).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- the site's configuration


def test_a_hugo_site_is_read_with_no_postfeed_toml(site: Callable[..., Path]) -> None:
    root = site(
        """\
        baseURL = "https://example.org/blog"
        title = "A Hugo site"
        languageCode = "en-us"
        timeZone = "Europe/Paris"
        buildFuture = false
        [params]
          description = "Notes"
          author = "Ann"
        [services.rss]
          limit = 20
        """
    )
    config = load_config(site=root)
    assert config.site_kind == "hugo"
    assert config.site_url == "https://example.org/blog/"
    assert config.posts == root / "content"
    assert (config.title, config.description, config.author) == ("A Hugo site", "Notes", "Ann")
    assert (config.language, config.timezone, config.limit) == ("en-us", "Europe/Paris", 20)
    assert config.files == {"rss": "index.xml"}
    assert config.ids == "site"
    assert config.drop_future is True


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("hugo.toml", 'baseURL = "https://a.example/"\ntitle = "T"\n'),
        ("hugo.yaml", "baseURL: https://a.example/\ntitle: T\n"),
        ("config.toml", 'BaseUrl = "https://a.example/"\nTitle = "T"\n'),
        ("config.yml", "baseurl: https://a.example/\ntitle: T\n"),
        ("config.json", '{"baseURL": "https://a.example/", "title": "T"}'),
    ],
)
def test_every_configuration_file_name_and_format_is_read_keys_in_any_case(
    site: Callable[..., Path], name: str, text: str
) -> None:
    config = load_config(site=site(text, name))
    assert (config.site_kind, config.site_url, config.title) == ("hugo", "https://a.example/", "T")


def test_hugo_toml_is_read_before_config_toml_and_only_one_of_them(
    site: Callable[..., Path],
) -> None:
    site('baseURL = "https://old.example/"\ntitle = "Old"\n', "config.toml")
    root = site('baseURL = "https://new.example/"\n', "hugo.toml")
    config = load_config(site=root)
    assert config.site_url == "https://new.example/"
    assert config.title == "postfeed"  # config.toml's title is not read


def test_a_configuration_folder_is_merged_as_hugo_merges_it(site: Callable[..., Path]) -> None:
    site('baseURL = "https://example.org/"\ntitle = "Base"\n', "config/_default/hugo.toml")
    site('description = "From params.toml"\n', "config/_default/params.toml")
    site('[en]\n  title = "English title"\n', "config/_default/languages.toml")
    site("[goldmark.renderer]\n  hardWraps = true\n", "config/_default/markup.toml")
    root = site('baseURL = "https://production.example/"\n', "config/production/hugo.toml")
    config = load_config(site=root)
    assert config.site_kind == "hugo"
    assert config.site_url == "https://production.example/"  # `hugo` builds for production
    assert config.title == "English title"  # the default language's own title
    assert config.description == "From params.toml"
    assert config.site_rules.breaks is True


@pytest.mark.parametrize(
    ("setting", "limit"),
    [
        ("rssLimit = 10", 10),
        ("[services.rss]\nlimit = -1", hugo.UNLIMITED),
        ("", hugo.UNLIMITED),
    ],
)
def test_the_feed_limit_is_hugos_and_no_limit_is_every_page(
    site: Callable[..., Path], setting: str, limit: int
) -> None:
    assert load_config(site=site(SITE + setting + "\n")).limit == limit


def test_an_unknown_time_zone_is_an_error_naming_the_file(site: Callable[..., Path]) -> None:
    root = site(SITE + 'timeZone = "Mars/Olympus"\n')
    with pytest.raises(ConfigError, match=r"hugo\.toml.*Mars/Olympus"):
        load_config(site=root)


def test_build_v_says_what_was_read_from_where(
    site: Callable[..., Path], page: Page, capsys: pytest.CaptureFixture[str]
) -> None:
    root = site()
    page("posts/a.md", post_text("A", "2024-01-02T10:00:00Z"))
    assert main(["build", "--site", str(root), "--output", str(root / "out"), "-v"]) == 0
    err = capsys.readouterr().err
    assert "is a hugo site" in err
    assert "site_url: https://example.org/ (from hugo.toml baseurl)" in err


# -- which files are pages


def test_the_home_feed_holds_every_regular_page_newest_first(
    site: Callable[..., Path], page: Page
) -> None:
    root = site()
    page("posts/first.md", post_text("First", "2024-01-01T10:00:00Z"))
    page("notes/second.md", post_text("Second", "2024-01-02T10:00:00Z"))
    page("about.md", post_text("About", "2024-01-03T10:00:00Z"))
    page("posts/_index.md", post_text("The posts section", "2024-01-04T10:00:00Z"))
    page("posts/notes.txt", "Not content.\n")
    assert list(links(root).items()) == [
        ("About", "https://example.org/about/"),
        ("Second", "https://example.org/notes/second/"),
        ("First", "https://example.org/posts/first/"),
    ]
    assert (root / "out" / "index.xml").is_file()


def test_a_page_bundle_is_one_page_named_by_its_folder(
    site: Callable[..., Path], page: Page
) -> None:
    root = site()
    page("posts/My Trip/index.md", post_text("Trip", body="![map](map.png)\n"))
    page("posts/My Trip/notes.md", post_text("Bundle resource"))
    page("posts/My Trip/more/deeper.md", post_text("Deeper resource"))
    items = build(root, "--config", str(_full_content(root)))
    assert list(items) == ["Trip"]
    assert items["Trip"]["link"] == "https://example.org/posts/my-trip/"
    # Its images sit beside index.md and are published below its URL.
    encoded = items["Trip"]["{http://purl.org/rss/1.0/modules/content/}encoded"]
    assert "https://example.org/posts/my-trip/map.png" in encoded


def test_pages_of_the_other_languages_are_left_out(site: Callable[..., Path], page: Page) -> None:
    root = site(
        SITE + "defaultContentLanguage = 'en'\n[languages.en]\nweight = 1\n[languages.fr]\n"
    )
    page("posts/hello.md", post_text("Hello"))
    page("posts/hello.fr.md", post_text("Bonjour"))
    page("posts/both.en.md", post_text("Both"))
    page("posts/trip/index.md", post_text("Trip"))
    page("posts/trip/index.fr.md", post_text("Voyage"))
    page("posts/notes.de.md", post_text("Not a language of the site"))
    assert links(root) == {
        "Hello": "https://example.org/posts/hello/",
        "Both": "https://example.org/posts/both/",
        "Trip": "https://example.org/posts/trip/",
        "Not a language of the site": "https://example.org/posts/notes.de/",
    }


def test_headless_bundles_and_pages_left_out_of_lists_are_not_published(
    site: Callable[..., Path], page: Page
) -> None:
    root = site()
    page("posts/shown.md", post_text("Shown"))
    page("headless/index.md", post_text("Headless", headless=True))
    page("posts/unlisted.md", post_text("Unlisted", build={"list": "never"}))
    page("posts/draft.md", post_text("Draft", Draft=True))
    assert list(links(root)) == ["Shown"]


def test_ignore_files_leaves_matching_files_out(site: Callable[..., Path], page: Page) -> None:
    root = site(SITE + "ignoreFiles = ['\\.draft\\.md$']\n")
    page("posts/shown.md", post_text("Shown"))
    page("posts/wip.draft.md", post_text("Work in progress"))
    assert list(links(root)) == ["Shown"]


def test_an_expired_page_is_skipped_with_a_warning(site: Callable[..., Path]) -> None:
    rules = load_config(site=site()).site_rules
    reason = rules.skip("posts/old", {"expiryDate": "2001-02-03"})
    assert reason is not None and "expired on 2001-02-03" in reason
    assert rules.skip("posts/new", {"ExpiryDate": "2999-01-01"}) is None
    assert rules.skip("posts/none", {}) is None
    assert (
        load_config(site=site(SITE + "buildExpired = true\n")).site_rules.skip(
            "posts/old", {"expirydate": "2001-02-03"}
        )
        is None
    )


# -- links


def test_a_page_link_is_its_folders_and_name_lower_case_spaces_as_hyphens(
    site: Callable[..., Path], page: Page
) -> None:
    root = site()
    page("Posts/Sub Dir/Hello World.md", post_text("Hello"))
    page("posts/slugged.md", post_text("Slugged", slug="My Own Slug"))
    assert links(root) == {
        "Hello": "https://example.org/posts/sub-dir/hello-world/",
        "Slugged": "https://example.org/posts/my-own-slug/",
    }


@pytest.mark.parametrize(
    ("pattern", "front_matter", "expected"),
    [
        ("/:year/:month/:day/:slug/", {}, "2024/03/05/café-au-lait-%E4%B8%AD%E6%96%87/"),
        ("/:year/:month/:slug/", {"slug": "Own Slug"}, "2024/03/own-slug/"),
        ("/:section/:title/", {}, "posts/café-au-lait-%E4%B8%AD%E6%96%87/"),
        (":monthname-:weekday-:weekdayname-:yearday", {}, "march-2-tuesday-65/"),
        ("/:sections/:filename/", {}, "posts/2024-03-05-the-file/"),
        ("/:slugorfilename/", {}, "2024-03-05-the-file/"),
        ("/:contentbasename/", {}, "2024-03-05-the-file/"),
        ("/:2006/:Jan/", {}, "2024/mar/"),
        # An escaped colon is no token, and then a character paths do not keep.
        ("/a\\:b/:year/", {}, "ab/2024/"),
    ],
)
def test_permalinks_tokens_are_filled_as_hugo_fills_them(
    site: Callable[..., Path],
    page: Page,
    pattern: str,
    front_matter: dict[str, str],
    expected: str,
) -> None:
    root = site(SITE + f"[permalinks]\nposts = '{pattern}'\n")
    title = "Café au lait: 中文!"
    page("posts/2024-03-05-The File.md", post_text(title, "2024-03-05T10:00:00Z", **front_matter))
    expected = expected.replace("é", "%C3%A9")
    assert links(root)[title] == f"https://example.org/{expected}"


def test_a_titles_slashes_become_hyphens_and_a_slugs_make_folders(
    site: Callable[..., Path], page: Page
) -> None:
    root = site(SITE + "[permalinks]\nposts = '/:slug/'\n")
    page("posts/a.md", post_text("OpenSMTPD: crypto/compress fixes"))
    page("posts/b.md", post_text("B", slug="x/y"))
    assert links(root) == {
        "OpenSMTPD: crypto/compress fixes": "https://example.org/opensmtpd-crypto-compress-fixes/",
        "B": "https://example.org/x/y/",
    }


def test_permalinks_match_a_section_and_below_it_the_first_written_wins(
    site: Callable[..., Path], page: Page
) -> None:
    root = site(
        SITE
        + """\
        [permalinks]
          "posts/tech" = "/t/:slug/"
          posts = "/p/:slug/"
          "/" = "/top/:slug/"
        [permalinks.page]
          notes = "/n/:year/:slug/"
        """
    )
    page("posts/a.md", post_text("A"))
    page("posts/deep/b.md", post_text("B"))
    page("posts/tech/c.md", post_text("C"))
    page("notes/d.md", post_text("D", "2020-01-01T00:00:00Z"))
    page("e.md", post_text("E"))
    assert links(root) == {
        "A": "https://example.org/p/a/",
        "B": "https://example.org/p/b/",
        "C": "https://example.org/t/c/",
        "D": "https://example.org/n/2020/d/",
        "E": "https://example.org/top/e/",
    }


def test_sections_are_the_folders_with_an_index_page(site: Callable[..., Path], page: Page) -> None:
    root = site(SITE + "[permalinks]\nposts = '/:sections/:slug/'\n")
    page("posts/a/b/_index.md", post_text("Section b"))
    page("posts/a/b/one.md", post_text("One"))
    page("posts/x/two.md", post_text("Two"))
    assert links(root) == {
        "One": "https://example.org/posts/a/b/one/",  # posts/a has no _index: no section
        "Two": "https://example.org/posts/two/",
    }


def test_a_front_matter_url_is_the_link_with_a_trailing_slash_added(
    site: Callable[..., Path], page: Page
) -> None:
    root = site(SITE + "[permalinks]\nposts = '/:year/:slug/'\n")
    page("posts/a.md", post_text("A", url="2022/11/23/Go/Daily"))
    page("posts/b.md", post_text("B", URL="/fixed/"))
    page("posts/c.md", post_text("C", url="/page.html"))
    page("posts/d.md", post_text("D", "2021-05-06T00:00:00Z", url="/archive/:year/"))
    assert links(root) == {
        "A": "https://example.org/2022/11/23/Go/Daily/",
        "B": "https://example.org/fixed/",
        "C": "https://example.org/page.html",
        "D": "https://example.org/archive/2021/",
    }


def test_ugly_urls_end_in_html(site: Callable[..., Path], page: Page) -> None:
    root = site(SITE + "uglyURLs = true\n")
    page("posts/a.md", post_text("A"))
    page("posts/trip/index.md", post_text("Trip", body="![map](map.png)\n"))
    items = build(root, "--config", str(_full_content(root)))
    assert items["A"]["link"] == "https://example.org/posts/a.html"
    assert items["Trip"]["link"] == "https://example.org/posts/trip.html"
    encoded = items["Trip"]["{http://purl.org/rss/1.0/modules/content/}encoded"]
    assert "https://example.org/posts/trip/map.png" in encoded  # where Hugo publishes it


def test_path_case_and_accents_follow_the_sites_settings(
    site: Callable[..., Path], page: Page
) -> None:
    root = site(SITE + "disablePathToLower = true\nremovePathAccents = true\n")
    page("Posts/Crème Brûlée.md", post_text("Dessert"))
    assert links(root) == {"Dessert": "https://example.org/Posts/Creme-Brulee/"}


def test_the_default_language_in_a_subfolder_prefixes_every_link(
    site: Callable[..., Path], page: Page
) -> None:
    root = site(SITE + "defaultContentLanguageInSubdir = true\n")
    page("posts/a.md", post_text("A"))
    page("posts/b.md", post_text("B", url="/kept/"))
    page("posts/c.md", post_text("C", url="below/"))
    assert links(root) == {
        "A": "https://example.org/en/posts/a/",
        "B": "https://example.org/kept/",
        "C": "https://example.org/en/below/",
    }
    assert load_config(site=root).feed_url == "https://example.org/en/"


def test_the_guid_is_the_link(site: Callable[..., Path], page: Page) -> None:
    root = site()
    page("posts/a.md", post_text("A"))
    item = build(root)["A"]
    assert item["guid"] == item["link"] == "https://example.org/posts/a/"


# -- dates


def test_the_feed_date_is_hugos_publish_date_and_links_show_the_date(
    site: Callable[..., Path], page: Page
) -> None:
    root = site(SITE + "[permalinks]\nposts = '/:year/:slug/'\n")
    page("posts/a.md", post_text("A", "2021-03-12T00:00:00Z", publishDate="2020-01-01T00:00:00Z"))
    page("posts/b.md", post_text("B", None, lastmod="2022-01-01T00:00:00Z"))
    page("posts/c.md", post_text("C", None, PublishDate="2019-05-06T00:00:00Z"))
    items = build(root)
    assert utc(items["A"]) == "2020-01-01T00:00:00Z"
    assert items["A"]["link"] == "https://example.org/2021/a/"  # :year is .Date's
    assert utc(items["B"]) == "2022-01-01T00:00:00Z"
    assert utc(items["C"]) == "2019-05-06T00:00:00Z"


def test_frontmatter_configuration_changes_where_dates_come_from(
    site: Callable[..., Path], page: Page
) -> None:
    root = site(
        SITE
        + """\
        [frontmatter]
          date = [":filename", "myDate", ":default"]
        [permalinks]
          posts = "/:year/:slug/"
        """
    )
    page("posts/2021-03-04-first-steps.md", post_text("First", None))
    page("posts/mine.md", post_text("Mine", None, myDate="2020-02-02T00:00:00Z"))
    items = build(root)
    assert utc(items["First"]) == "2021-03-04T00:00:00Z"
    # The file name gives the slug too.
    assert items["First"]["link"] == "https://example.org/2021/first-steps/"
    assert utc(items["Mine"]) == "2020-02-02T00:00:00Z"
    assert items["Mine"]["link"] == "https://example.org/2020/mine/"


def test_dates_without_an_offset_are_in_the_sites_time_zone(
    site: Callable[..., Path], page: Page
) -> None:
    root = site(SITE + 'timeZone = "America/New_York"\n[permalinks]\nposts = "/:year/:day/"\n')
    page("posts/a.md", post_text("A", "2021-03-04T23:30:00"))
    page("posts/b.md", post_text("B", "2021-03-05T05:30:00+09:00"))
    items = build(root)
    assert utc(items["A"]) == "2021-03-05T04:30:00Z"
    assert items["A"]["link"] == "https://example.org/2021/04/"
    # A written offset is kept by Go: the link shows the day as written (the 5th),
    # not the site's (the 4th in New York).
    assert utc(items["B"]) == "2021-03-04T20:30:00Z"
    assert items["B"]["link"] == "https://example.org/2021/05/"


# -- content


def test_the_embedded_feed_template_carries_summaries_a_site_template_may_carry_more(
    site: Callable[..., Path],
) -> None:
    root = site()
    assert load_config(site=root).content.mode == "summary"
    template = root / "layouts" / "_default" / "rss.xml"
    template.parent.mkdir(parents=True)
    template.write_text("<description>{{ .Content | html }}</description>\n")
    assert load_config(site=root).content.mode == "full"


def test_the_summary_ends_at_the_more_divider_or_is_the_front_matters(
    site: Callable[..., Path], page: Page
) -> None:
    root = site()
    page("posts/a.md", post_text("A", body="Kept *here*.\n\n<!--more-->\n\nNot in the summary.\n"))
    page("posts/b.md", post_text("B", Summary="Given *here*.", body="Not in the summary.\n"))
    items = build(root)
    assert items["A"]["description"] == "Kept here."
    assert items["B"]["description"] == "Given here."


def test_shortcodes_are_expanded_refs_point_at_the_pages_link(
    site: Callable[..., Path], page: Page
) -> None:
    root = site(SITE + "[params]\n  Owner = 'Ann'\n[permalinks]\nposts = '/:year/:slug/'\n")
    page("posts/other.md", post_text("Other page", "2019-01-01T00:00:00Z"))
    body = 'See [it]({{< ref "other.md" >}}), by {{< param "owner" >}}.\n'
    page("posts/a.md", post_text("A", body=body))
    items = build(root, "--config", str(_full_content(root)))
    encoded = items["A"]["{http://purl.org/rss/1.0/modules/content/}encoded"]
    assert 'href="https://example.org/2019/other-page/"' in encoded
    assert "by Ann." in encoded


def test_a_body_without_shortcodes_is_left_as_it_is(site: Callable[..., Path]) -> None:
    config = load_config(site=site())
    post = SitePost("posts/a", {}, datetime(2024, 1, 1, tzinfo=UTC), "A", ())
    body = "Text with { braces } and {{ not a shortcode.\n"
    assert config.site_rules.prepare(body, post, "https://example.org/a/", config, _fail) == body


CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"


def test_raw_html_is_omitted_as_goldmark_omits_it_unless_unsafe(
    site: Callable[..., Path], page: Page
) -> None:
    body = (
        'Text <span class="x">kept</span>, `<b>code</b>` too.\n\n'
        "<div>\n<p>A block</p>\n</div>\n\n"
        '{{< figure src="/a.png" >}}\n'
    )
    root = site()
    page("posts/a.md", post_text("A", body=body))
    encoded = build(root, "--config", str(_full_content(root)))["A"][CONTENT]
    assert "<p>Text kept, <code>&lt;b&gt;code&lt;/b&gt;</code> too.</p>" in encoded
    assert "A block" not in encoded
    assert 'src="https://example.org/a.png"' in encoded  # a shortcode's output is no raw HTML

    root = site(SITE + "[markup.goldmark.renderer]\n  unsafe = true\n")
    encoded = build(root, "--config", str(_full_content(root)))["A"][CONTENT]
    assert "A block" in encoded


def test_an_html_page_keeps_its_html(site: Callable[..., Path], page: Page) -> None:
    root = site()
    page("about.html", post_text("About", body="<p>Plain <b>HTML</b> page.</p>\n"))
    encoded = build(root, "--config", str(_full_content(root)))["About"][CONTENT]
    assert "<b>HTML</b>" in encoded


def test_the_more_divider_ends_a_paragraph(site: Callable[..., Path], page: Page) -> None:
    root = site()
    page("posts/a.md", post_text("A", body="First part. <!--more--> Second part.\n"))
    encoded = build(root, "--config", str(_full_content(root)))["A"][CONTENT]
    assert "<p>First part.</p>\n<p>Second part.</p>" in encoded


def test_the_sites_own_shortcode_templates_are_rendered(
    site: Callable[..., Path], page: Page
) -> None:
    root = site()
    templates = root / "layouts" / "shortcodes"
    templates.mkdir(parents=True)
    (templates / "tldr.html").write_text(
        "<blockquote>\n  <b>TL;DR:</b>\n  <br />{{- .Inner | markdownify -}}\n</blockquote>\n"
    )
    body = "{{< tldr >}}\n- short\n{{< /tldr >}}\n\nThe rest.\n"
    page("posts/a.md", post_text("A", body=body))
    encoded = build(root, "--config", str(_full_content(root)))["A"][CONTENT]
    assert "<b>TL;DR:</b>" in encoded
    assert "<li>short</li>" in encoded


def _full_content(root: Path) -> Path:
    """A postfeed.toml asking for full content (Hugo's embedded feed has summaries only)."""
    path = root / "full.toml"
    path.write_text('[content]\nmode = "full"\n')
    return path


def _fail(field: str, message: str) -> None:
    raise AssertionError(f"{field}: {message}")


def test_a_markdown_file_is_markdown_even_when_it_looks_like_html(
    site: Callable[..., Path], page: Page
) -> None:
    # Hugo renders every .md file with goldmark: a body made of HTML blocks with
    # Markdown between them is Markdown, though postfeed would take it for HTML.
    root = site()
    page("posts/a.md", post_text("A", body="<div>\n\n*Emphasis* here.\n\n</div>\n"))
    content = build(root, "--config", str(_full_content(root)))["A"][CONTENT]
    assert "<em>Emphasis</em>" in content


def test_footnotes_and_task_lists_as_goldmark_lays_them_out(
    site: Callable[..., Path], page: Page
) -> None:
    root = site()
    body = "A claim.[^1]\n\n[^1]: The source.\n\n- [ ] to do\n- [x] done\n"
    page("posts/a.md", post_text("A", body=body))
    content = build(root, "--config", str(_full_content(root)))["A"][CONTENT]
    assert content.index("to do") < content.index("The source.")  # the notes at the end
    assert "The source.&nbsp;" in content and "\u21a9\ufe0e" in content
    assert "[ ]" not in content and "[x]" not in content


@pytest.mark.parametrize(("setting", "shown"), [("", ":laughing:"), ("enableEmoji = true\n", "😆")])
def test_emoji_names_are_emoji_when_the_site_enables_them(
    site: Callable[..., Path], page: Page, setting: str, shown: str
) -> None:
    root = site(SITE + setting)
    page("posts/a.md", post_text("A", body="It showed :laughing: at 10:30:45.\n"))
    content = build(root, "--config", str(_full_content(root)))["A"][CONTENT]
    assert f"It showed {shown} at 10:30:45." in content


def test_emoji_names_are_found_as_hugo_scans_for_them() -> None:
    # a `:x:` naming no emoji leaves its second colon to open the next name
    assert (
        hugo.emojify("vuser:10:100:/tmp :+1: :not_one: ::smile::")
        == "vuser:10💯/tmp 👍 :not_one: :😄:"
    )


def test_emoji_names_in_code_links_and_attributes_stay_as_written(
    site: Callable[..., Path], page: Page
) -> None:
    root = site(SITE + "enableEmoji = true\n")
    body = "Call `std::ok::x` at [the map](https://example.org/a:ok:b) :ok:\n\n    :ok: code\n"
    page("posts/a.md", post_text("A", body=body))
    content = build(root, "--config", str(_full_content(root)))["A"][CONTENT]
    assert "<code>std::ok::x</code>" in content and "https://example.org/a:ok:b" in content
    assert ":ok: code" in content and content.count("🆗") == 1


def test_a_page_without_a_date_is_dated_as_hugo_dates_it(
    site: Callable[..., Path], page: Page
) -> None:
    # Hugo's zero time: the page stays last, where Hugo's feed lists it, instead of
    # coming first with the time of a fresh checkout
    root = site()
    page("posts/dated.md", post_text("Dated", date="2024-05-01"))
    page("notes/undated.md", "No front matter here.\n")
    items = build(root)
    assert list(items) == ["Dated", "No front matter here."]
    # (read as it is written: RFC 822 readers take a year under 100 for 20xx)
    assert items["No front matter here."]["pubDate"] == "Mon, 01 Jan 0001 00:00:00 GMT"


def test_each_section_has_its_feed_where_hugo_writes_it(
    site: Callable[..., Path], page: Page
) -> None:
    root = site()
    page("posts/a.md", post_text("A post", date="2024-05-01"))
    page("notes/b.md", post_text("A note", date="2024-05-02"))
    page("tags/_index.md", post_text("Tags"))  # a taxonomy's folder: no section
    out = root / "out"
    assert main(["build", "--site", str(root), "--output", str(out), "-q"]) == 0
    posts = ElementTree.parse(out / "posts" / "index.xml").getroot()
    assert [item.findtext("title") for item in posts.iter("item")] == ["A post"]
    assert posts.findtext("channel/title") == "Posts on A Hugo site"
    notes = ElementTree.parse(out / "notes" / "index.xml").getroot()
    assert [item.findtext("title") for item in notes.iter("item")] == ["A note"]
    assert not (out / "tags").exists()


def test_no_section_feeds_when_the_site_s_outputs_leave_them_out(
    site: Callable[..., Path], page: Page
) -> None:
    root = site(SITE + '[outputs]\nsection = ["HTML"]\n')
    page("posts/a.md", post_text("A post", date="2024-05-01"))
    out = root / "out"
    assert main(["build", "--site", str(root), "--output", str(out), "-q"]) == 0
    assert not (out / "posts").exists()
