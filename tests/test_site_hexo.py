"""A Hexo site, read as Hexo 8 and hexo-generator-feed 3 read it: same links, same ids,
same feed file, with no postfeed.toml (issue 9)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from xml.etree import ElementTree

import pytest

from postfeed.cli import main
from postfeed.config import ConfigError, load_config

from conftest import post_text

ATOM = "{http://www.w3.org/2005/Atom}"


def hexo_site(root: Path, config: str, posts: dict[str, str]) -> Path:
    """A Hexo site's root: `_config.yml` and `source/_posts/` with `posts` (name -> text)."""
    (root / "source" / "_posts").mkdir(parents=True)
    (root / "_config.yml").write_text(textwrap.dedent(config), encoding="utf-8")
    for name, text in posts.items():
        path = root / "source" / "_posts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


BLOG = """\
title: A blog
author: Ann
language: en
url: https://blog.example.org
timezone: UTC
"""


def build(site: Path, out: Path, *flags: str) -> list[ElementTree.Element]:
    """`postfeed build --site SITE` and the entries of the Atom feed it wrote."""
    status = main(["build", "--site", str(site), "--output", str(out), "-q", *flags])
    assert status == 0
    return ElementTree.parse(out / "atom.xml").getroot().findall(f"{ATOM}entry")


def entry(entries: list[ElementTree.Element], title: str) -> ElementTree.Element:
    return next(e for e in entries if e.findtext(f"{ATOM}title") == title)


def link_of(e: ElementTree.Element) -> str:
    return e.find(f"{ATOM}link").get("href")  # type: ignore[union-attr]


def test_a_site_root_is_read_with_no_postfeed_toml(tmp_path: Path) -> None:
    site = hexo_site(
        tmp_path / "blog", BLOG, {"hello.md": post_text("Hello", "2024-02-07 10:00:00")}
    )
    config = load_config(site=site)
    assert config.site_kind == "hexo"
    assert config.site_url == "https://blog.example.org/"
    assert config.posts == site / "source" / "_posts"
    assert (config.title, config.author, config.language) == ("A blog", "Ann", "en")
    assert config.limit == 20  # hexo-generator-feed's default
    assert config.ids == "site"


def test_running_in_the_site_root_needs_no_flag(tmp_path: Path, work_dir: Path) -> None:
    hexo_site(work_dir, BLOG, {"hello.md": post_text("Hello", "2024-02-07 10:00:00")})
    assert main(["build", "-q"]) == 0
    [only] = ElementTree.parse(work_dir / "output" / "atom.xml").getroot().findall(f"{ATOM}entry")
    assert link_of(only) == "https://blog.example.org/2024/02/07/hello/"


def test_a_postfeed_toml_overrides_the_site(tmp_path: Path) -> None:
    site = hexo_site(tmp_path / "blog", BLOG, {"a.md": post_text("A", "2024-02-07 10:00:00")})
    toml = tmp_path / "postfeed.toml"
    toml.write_text('title = "Mine"\nids = "uuid"\n')
    config = load_config(toml, site=site)
    assert (config.title, config.ids, config.site_kind) == ("Mine", "uuid", "hexo")


def test_the_item_id_is_the_link_as_hexo_generator_feed_makes_it(tmp_path: Path) -> None:
    site = hexo_site(
        tmp_path / "blog", BLOG, {"hello.md": post_text("Hello", "2024-02-07 10:00:00")}
    )
    [only] = build(site, tmp_path / "out")
    assert (
        only.findtext(f"{ATOM}id") == link_of(only) == "https://blog.example.org/2024/02/07/hello/"
    )


def test_a_date_prefix_of_new_post_name_is_not_part_of_the_title(tmp_path: Path) -> None:
    config = BLOG + "new_post_name: :year-:month-:day-:title.md\n"
    posts = {
        "2024-02-07-clean-code.md": post_text("Clean", "2024-02-07 10:00:00"),
        "no-date.md": post_text("Plain", "2024-02-08 10:00:00"),
        "2024-03-01-undated.md": post_text("Undated", None),
    }
    entries = build(hexo_site(tmp_path / "blog", config, posts), tmp_path / "out")
    assert link_of(entry(entries, "Clean")) == "https://blog.example.org/2024/02/07/clean-code/"
    # A name that does not match the pattern is slugized whole, as Hexo does.
    assert link_of(entry(entries, "Plain")) == "https://blog.example.org/2024/02/08/no-date/"
    # The file name's date is the post's date when the front matter has none.
    undated = entry(entries, "Undated")
    assert undated.findtext(f"{ATOM}published") == "2024-03-01T00:00:00Z"
    assert link_of(undated) == "https://blog.example.org/2024/03/01/undated/"


@pytest.mark.parametrize(
    ("permalink", "extra", "expected"),
    [
        (":year/:month/:day/:title/", "", "2024/02/07/My-Post/"),
        ("/:year/:i_month/:i_day/:name.html", "", "2024/2/7/My-Post.html"),
        (":hour-:minute-:second/:title", "", "09-05-03/My-Post"),
        (":category/:title/", "", "Tech/Web/My-Post/"),
        (":category/:title/", "filename_case: 1\n", "tech/web/My-Post/"),
        (":post_title/", "", "hello-there-world/"),
        (":lang/:title/", "permalink_defaults:\n  lang: en\n", "en/My-Post/"),
        (":year/:title.html", "pretty_urls:\n  trailing_html: false\n", "2024/My-Post"),
        (":title/index.html", "pretty_urls:\n  trailing_index: false\n", "My-Post/"),
    ],
)
def test_every_permalink_placeholder_and_pretty_url_setting(
    tmp_path: Path, permalink: str, extra: str, expected: str
) -> None:
    config = BLOG + f"permalink: {permalink}\n" + extra
    text = post_text("Hello, there: world!", "2024-02-07 09:05:03", categories=["Tech", "Web"])
    [only] = build(hexo_site(tmp_path / "blog", config, {"My-Post.md": text}), tmp_path / "out")
    assert link_of(only) == "https://blog.example.org/" + expected


def test_dates_are_in_the_sites_zone_and_links_as_a_build_in_utc_makes_them(
    tmp_path: Path,
) -> None:
    # Hexo reads the date in `timezone` but fills the permalink from the instant in
    # the zone of the machine that builds the site (CI services run in UTC).
    config = BLOG.replace("timezone: UTC", "timezone: America/New_York")
    text = post_text("Late", "2023-03-26 23:56:51")
    [only] = build(hexo_site(tmp_path / "blog", config, {"late.md": text}), tmp_path / "out")
    assert only.findtext(f"{ATOM}published") == "2023-03-27T03:56:51Z"
    assert link_of(only) == "https://blog.example.org/2023/03/27/late/"


def test_a_front_matter_permalink_wins(tmp_path: Path) -> None:
    text = post_text("Own", "2024-02-07 10:00:00", permalink="about/me/")
    [only] = build(hexo_site(tmp_path / "blog", BLOG, {"own.md": text}), tmp_path / "out")
    assert link_of(only) == "https://blog.example.org/about/me/"


def test_a_site_in_a_sub_folder_keeps_its_path(tmp_path: Path) -> None:
    config = BLOG.replace("url: https://blog.example.org", "url: https://example.org/blog")
    text = post_text("Sub", "2024-02-07 10:00:00")
    [only] = build(hexo_site(tmp_path / "blog", config, {"sub.md": text}), tmp_path / "out")
    assert link_of(only) == "https://example.org/blog/2024/02/07/sub/"


def test_cjk_names_are_percent_encoded_in_the_link(tmp_path: Path) -> None:
    text = post_text("中文", "2024-02-07 10:00:00")
    [only] = build(hexo_site(tmp_path / "blog", BLOG, {"你好.md": text}), tmp_path / "out")
    assert link_of(only) == "https://blog.example.org/2024/02/07/%E4%BD%A0%E5%A5%BD/"


def test_out_of_range_seconds_roll_over_with_a_warning(tmp_path: Path, capsys) -> None:
    site = hexo_site(tmp_path / "blog", BLOG, {"odd.md": post_text("Odd", "2023-09-19 21:43:79")})
    status = main(["build", "--site", str(site), "--output", str(tmp_path / "out")])
    assert status == 0
    assert "odd.md: warning: date: 2023-09-19 21:43:79 has 79 seconds" in capsys.readouterr().err
    [only] = ElementTree.parse(tmp_path / "out" / "atom.xml").getroot().findall(f"{ATOM}entry")
    assert only.findtext(f"{ATOM}published") == "2023-09-19T21:44:19Z"


def test_soft_line_breaks_are_breaks_as_in_hexo_renderer_marked(tmp_path: Path) -> None:
    text = post_text("Poem", "2024-02-07 10:00:00", body="Roses are red\nViolets are blue\n")
    [only] = build(hexo_site(tmp_path / "blog", BLOG, {"poem.md": text}), tmp_path / "out")
    assert "Roses are red<br" in (only.findtext(f"{ATOM}content") or "")


def test_breaks_can_be_turned_off(tmp_path: Path) -> None:
    config = BLOG + "marked:\n  breaks: false\n"
    text = post_text("Poem", "2024-02-07 10:00:00", body="Roses are red\nViolets are blue\n")
    [only] = build(hexo_site(tmp_path / "blog", config, {"poem.md": text}), tmp_path / "out")
    assert "<br" not in (only.findtext(f"{ATOM}content") or "")


def test_relative_images_are_below_the_site_root(tmp_path: Path) -> None:
    text = post_text("Pic", "2024-02-07 10:00:00", body="![x](images/x.png)\n")
    [only] = build(hexo_site(tmp_path / "blog", BLOG, {"pic.md": text}), tmp_path / "out")
    assert 'src="https://blog.example.org/images/x.png"' in (only.findtext(f"{ATOM}content") or "")


def test_the_more_marker_ends_the_summary(tmp_path: Path) -> None:
    body = "First part.\n\n<!-- more -->\n\nSecond part.\n"
    [only] = build(
        hexo_site(
            tmp_path / "blog", BLOG, {"m.md": post_text("M", "2024-02-07 10:00:00", body=body)}
        ),
        tmp_path / "out",
    )
    assert only.findtext(f"{ATOM}summary") == "First part."
    assert "Second part." in (only.findtext(f"{ATOM}content") or "")


def test_the_feed_plugins_type_path_limit_and_content(tmp_path: Path) -> None:
    feed = "type: [atom, rss2]\n  path: [feed.atom, rss2.xml]\n  limit: 1\n  content: false"
    config = BLOG + f"feed:\n  {feed}\n"
    posts = {f"p{n}.md": post_text(f"P{n}", f"2024-02-0{n} 10:00:00", body="Body.") for n in (1, 2)}
    out = tmp_path / "out"
    assert (
        main(
            [
                "build",
                "--site",
                str(hexo_site(tmp_path / "blog", config, posts)),
                "--output",
                str(out),
                "-q",
            ]
        )
        == 0
    )
    assert (out / "feed.atom").is_file() and (out / "rss2.xml").is_file()
    assert not (out / "atom.xml").exists() and not (out / "rss.xml").exists()
    entries = ElementTree.parse(out / "feed.atom").getroot().findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["P2"]
    assert entries[0].find(f"{ATOM}content") is None  # content: false, summaries only


def test_files_hexo_does_not_publish_are_left_out(tmp_path: Path) -> None:
    posts = {
        "shown.md": post_text("Shown", "2024-02-07 10:00:00"),
        "_partial.md": post_text("Partial", "2024-02-07 10:00:00"),
        "_drafts/x.md": post_text("Folder", "2024-02-07 10:00:00"),
        "hidden.md": post_text("Hidden", "2024-02-07 10:00:00", hidden=True),
        "unpublished.md": post_text("Unpublished", "2024-02-07 10:00:00", published=False),
    }
    config = BLOG + "hide_posts:\n  filter: hidden\n"
    entries = build(hexo_site(tmp_path / "blog", config, posts), tmp_path / "out")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Shown"]


def test_with_asset_folders_other_files_are_assets(tmp_path: Path) -> None:
    posts = {
        "post.md": post_text("Post", "2024-02-07 10:00:00"),
        "post/notes.html": "<p>an asset</p>",
    }
    config = BLOG + "post_asset_folder: true\n"
    entries = build(hexo_site(tmp_path / "blog", config, posts), tmp_path / "out")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Post"]


def test_a_site_without_a_usable_url_is_a_clear_error(tmp_path: Path) -> None:
    site = hexo_site(tmp_path / "blog", "title: x\nurl: nowhere\n", {})
    with pytest.raises(ConfigError, match=r"_config\.yml.*url"):
        load_config(site=site)


def test_a_folder_that_is_no_site_builds_as_before(tmp_path: Path, write_post) -> None:
    write_post("a.md", post_text("A"))
    config = load_config(site=tmp_path / "posts")
    assert (config.site_kind, config.ids) == ("folder", "uuid")


def test_verbose_says_what_was_read_from_where(tmp_path: Path, capsys) -> None:
    site = hexo_site(tmp_path / "blog", BLOG, {"a.md": post_text("A", "2024-02-07 10:00:00")})
    main(["build", "--site", str(site), "--output", str(tmp_path / "out"), "-v"])
    err = capsys.readouterr().err
    assert f"{site} is a hexo site" in err
    assert "site_url: https://blog.example.org/ (from _config.yml url)" in err


def test_quotes_are_curly_as_hexo_renderer_marked_makes_them(tmp_path: Path) -> None:
    text = post_text("Q", "2024-02-07 10:00:00", body='He said "hi" -- twice.\n')
    [only] = build(hexo_site(tmp_path / "blog", BLOG, {"q.md": text}), tmp_path / "out")
    assert "He said “hi” – twice." in (only.findtext(f"{ATOM}content") or "")


# --- bodies as Hexo renders them ------------------------------------------------------------


def content_of(
    tmp_path: Path, body: str, config: str = BLOG, files: dict[str, str] | None = None
) -> str:
    """The content postfeed writes for one post `p.md` of 2024-02-07 with `body`."""
    posts = {"p.md": post_text("P", "2024-02-07 10:00:00", body=body), **(files or {})}
    [only] = build(hexo_site(tmp_path / "blog", config, posts), tmp_path / "out")
    return only.findtext(f"{ATOM}content") or ""


def test_a_fence_is_hexos_code_block_with_the_caption_its_line_gives(tmp_path: Path) -> None:
    body = "```js Saving a file\nsave({ file: 1 });\n```\nSaved `twice`.\n"
    content = content_of(tmp_path, body)
    assert "<figcaption><span>Saving a file</span></figcaption>" in content
    assert "<pre><code>save({ file: 1 });</code></pre>" in content  # (classes: not kept)
    assert "<p>Saved <code>twice</code>.</p>" in content  # the line after is Markdown again


def test_a_line_that_opens_with_a_fence_and_text_opens_a_code_block(tmp_path: Path) -> None:
    # CommonMark reads "```x``` y" as inline code; Hexo's filter reads it as a fence whose
    # language is "x```" and whose caption is the rest of the line.
    body = "```setup.py``` is the file to change:\nimport os\n```\n"
    content = content_of(tmp_path, body)
    assert "<figcaption><span>is the file to change:</span></figcaption>" in content
    assert "<pre><code>import os</code></pre>" in content


def test_tags_in_fenced_code_are_shown_as_written(tmp_path: Path) -> None:
    content = content_of(tmp_path, "```\n{% img /a.png %} {{ title }}\n```\n")
    assert "<code>{% img /a.png %} {{ title }}</code>" in content


def test_fences_are_left_to_markdown_without_a_syntax_highlighter(tmp_path: Path) -> None:
    config = BLOG + "syntax_highlighter: ''\n"
    content = content_of(tmp_path, "```setup.py``` is the file.\n", config)
    assert "<p><code>setup.py</code> is the file.</p>" in content


def test_a_tag_that_starts_a_line_ends_the_paragraph_before_it(tmp_path: Path) -> None:
    # Hexo puts an HTML comment in the tag's place while the Markdown is rendered: a line
    # that starts with one is an HTML block, which ends the paragraph above it.
    body = "The path in May:\n{% img /a.png %}\nIt was `long`.\n"
    content = content_of(tmp_path, body)
    assert "<p>The path in May:</p>" in content
    assert "<p>It was <code>long</code>.</p>" in content
    assert 'src="https://blog.example.org/a.png"' in content


def test_asset_tags_name_files_of_the_posts_asset_folder(tmp_path: Path, capsys) -> None:
    config = BLOG + "post_asset_folder: true\n"
    files = {"p/here.png": "png"}
    body = "{% asset_img here.png Here %}\n\n{% asset_img gone.png Gone %}\n"
    site = hexo_site(
        tmp_path / "blog",
        config,
        {"p.md": post_text("P", "2024-02-07 10:00:00", body=body), **files},
    )
    main(["build", "--site", str(site), "--output", str(tmp_path / "out")])
    [only] = ElementTree.parse(tmp_path / "out" / "atom.xml").getroot().findall(f"{ATOM}entry")
    content = only.findtext(f"{ATOM}content") or ""
    assert 'src="https://blog.example.org/2024/02/07/p/here.png"' in content
    assert "gone.png" not in content  # Hexo renders nothing for an asset it does not have
    assert "{% asset_img gone.png Gone %}: no such file in the post's asset folder" in (
        capsys.readouterr().err
    )


def test_a_raw_img_resolves_against_the_post_a_markdown_image_against_the_root(
    tmp_path: Path,
) -> None:
    # hexo-renderer-marked's prependRoot rewrites Markdown images only; a reader resolves
    # the src of a raw <img> against the post.
    body = '![a](a.png)\n\n<img src="b.png" width="360px">\n\nAnd `<img src="c.png">` as code.\n'
    content = content_of(tmp_path, body)
    assert 'src="https://blog.example.org/a.png"' in content
    assert 'src="https://blog.example.org/2024/02/07/p/b.png"' in content
    assert '<code>&lt;img src="c.png"&gt;</code>' in content


def test_spoiler_and_math_plugins_tags_show_their_text(tmp_path: Path) -> None:
    body = (
        "Asked:\n\n{% spoiler The answer %}\nIt is **42**.\n{% endspoiler %}\n\n"
        "{% math %}\nx^2\n+ y\n{% endmath %}\n"
    )
    content = content_of(tmp_path, body)
    assert "<details><summary>The answer</summary>" in content
    assert "<strong>42</strong>" in content
    assert "x^2+ y" in content  # the TeX, as hexo-static-math's image names it


def test_a_body_of_half_a_megabyte_of_openers_is_read_in_one_pass(tmp_path: Path) -> None:
    body = "<img src=a.png " * 20_000 + "```x " * 20_000 + "\n" + "{% img /a " * 20_000
    content = content_of(tmp_path, body)
    assert "&lt;img src=a.png &lt;img" in content  # no tag: text, as it was written
