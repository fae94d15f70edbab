"""Every medium a reader can show, in every format: players that play, the lead image,
and authors that readers of JSON Feed 1.0 and 1.1 both find.

Each test writes posts, runs `postfeed build` in-process (`postfeed.cli.main`) and reads
the content of the item as RSS (`content:encoded`), Atom (`content`) and JSON Feed
(`content_html`) carry it.
"""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

from postfeed.cli import main

from conftest import WritePost, post_text

SITE = "https://news.example.org/"
LINK = SITE + "2021/09/10/post/"  # the link of posts/post.md
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
MEDIA = "{http://search.yahoo.com/mrss/}"
ATOM = "{http://www.w3.org/2005/Atom}"
IMAGE = "https://img.example.org/lead.jpg?w=640&h=360"


def build(tmp_path: Path, *flags: str) -> Path:
    """`postfeed build` of tmp_path/posts; the output folder."""
    output = tmp_path / "out"
    argv = ["build", "--posts", str(tmp_path / "posts"), "--output", str(output)]
    assert main([*argv, "--site-url", SITE, "-q", *flags]) == 0
    return output


def contents(output: Path) -> dict[str, str]:
    """The HTML content of the only item of the main feeds, by format ("" if none)."""
    rss = etree.parse(str(output / "rss.xml")).getroot()
    atom = etree.parse(str(output / "atom.xml")).getroot()
    items = json.loads((output / "feed.json").read_text(encoding="utf-8"))["items"]
    assert len(rss.findall("channel/item")) == len(atom.findall(ATOM + "entry")) == 1
    assert len(items) == 1
    return {
        "RSS": rss.findtext(f"channel/item/{CONTENT}") or "",
        "Atom": atom.findtext(f"{ATOM}entry/{ATOM}content") or "",
        "JSON Feed": items[0].get("content_html", ""),
    }


def fragment(content_html: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(content_html, create_parent="div")


def built_contents(tmp_path: Path, write_post: WritePost, body: str, **front: object) -> dict:
    write_post("post.md", post_text(body=body, link=LINK, **front))
    found = contents(build(tmp_path))
    assert len(set(found.values())) == 1, found  # the three formats carry the same content
    return found


# --- players ------------------------------------------------------------------------------


def test_a_lazy_loaded_video_gets_its_source_and_poster_and_controls(
    tmp_path: Path, write_post: WritePost
) -> None:
    body = (
        '<div><p>Before.</p><video data-poster="/media/frame.jpg" data-src="/media/clip.mp4" '
        'muted="" playsinline=""></video><p>After.</p></div>\n'
    )
    for content in built_contents(tmp_path, write_post, body).values():
        (video,) = fragment(content).iter("video")
        assert video.get("src") == SITE + "media/clip.mp4"
        assert video.get("poster") == SITE + "media/frame.jpg"
        assert video.get("controls") is not None  # readers drop autoplay: it must be startable
        assert not [name for name in video.attrib if name.startswith("data-")]


@pytest.mark.parametrize("lazy", ["data-src", "data-original", "data-actualsrc", "data-lazy-src"])
def test_lazy_audio_and_sources_load_as_lazy_images_do(
    tmp_path: Path, write_post: WritePost, lazy: str
) -> None:
    body = (
        f'<div><audio {lazy}="https://cdn.example.org/talk.ogg"></audio>'
        f'<video><source {lazy}="https://cdn.example.org/clip.webm" type="video/webm">'
        f'<source src="https://cdn.example.org/clip.mp4" type="video/mp4"></video></div>\n'
    )
    for content in built_contents(tmp_path, write_post, body).values():
        root = fragment(content)
        (audio,) = root.iter("audio")
        assert audio.get("src") == "https://cdn.example.org/talk.ogg"
        assert audio.get("controls") is not None
        sources = [(source.get("src"), source.get("type")) for source in root.iter("source")]
        assert sources == [
            ("https://cdn.example.org/clip.webm", "video/webm"),
            ("https://cdn.example.org/clip.mp4", "video/mp4"),
        ]


def test_a_player_written_in_markdown_gets_controls(tmp_path: Path, write_post: WritePost) -> None:
    body = 'A clip:\n\n<video src="https://cdn.example.org/clip.mp4" autoplay muted loop></video>\n'
    for content in built_contents(tmp_path, write_post, body).values():
        (video,) = fragment(content).iter("video")
        assert video.get("src") == "https://cdn.example.org/clip.mp4"
        assert video.get("controls") is not None


def test_a_source_with_no_url_goes_and_the_player_keeps_the_others(
    tmp_path: Path, write_post: WritePost
) -> None:
    body = (
        '<div><audio><source type="audio/ogg"><source src="https://cdn.example.org/talk.mp3" '
        'type="audio/mpeg">Fallback.</audio></div>\n'
    )
    for content in built_contents(tmp_path, write_post, body).values():
        root = fragment(content)
        (audio,) = root.iter("audio")
        assert [source.get("src") for source in audio.iter("source")] == [
            "https://cdn.example.org/talk.mp3"
        ]
        assert audio.get("controls") is not None
        assert "Fallback." in audio.text_content()  # kept: a reader that cannot play shows it


@pytest.mark.parametrize(
    "player",
    [
        "<video></video>",
        "<video muted playsinline>Your browser does not support video.</video>",
        "<audio>Your browser does not support audio.</audio>",
        '<video src=" "></video>',
        '<video src="javascript:alert(1)"></video>',
        '<audio><source type="audio/mpeg"><source src="" data-src=""></audio>',
        '<video data-poster="javascript:alert(1)"></video>',
    ],
)
def test_a_player_left_with_no_source_is_dropped_with_its_fallback(
    tmp_path: Path, write_post: WritePost, player: str
) -> None:
    body = f"<div><p>Before.</p>{player}<p>After.</p></div>\n"
    for content in built_contents(tmp_path, write_post, body).values():
        root = fragment(content)
        assert not root.xpath("//video | //audio | //source | //img"), content
        assert root.xpath("//text()") == ["Before.", "After."]


@pytest.mark.parametrize("poster", ['poster="/media/frame.jpg"', 'data-poster="/media/frame.jpg"'])
def test_a_video_with_no_source_leaves_its_poster_as_an_image(
    tmp_path: Path, write_post: WritePost, poster: str
) -> None:
    # All a browser shows of such a player is its poster.
    body = f"<div><p>Families.</p><p><video autoplay loop muted {poster}>&nbsp;</video></p></div>\n"
    for content in built_contents(tmp_path, write_post, body).values():
        root = fragment(content)
        assert not root.xpath("//video")
        (image,) = root.iter("img")
        assert image.get("src") == SITE + "media/frame.jpg"
        assert image.get("referrerpolicy") == "no-referrer"  # as every content image


# --- the lead image -----------------------------------------------------------------------


@pytest.mark.parametrize("key", ["headimg", "thumbnail", "image", "cover"])
def test_the_lead_image_opens_a_content_that_has_no_image(
    tmp_path: Path, write_post: WritePost, key: str
) -> None:
    # Readers that ignore media:* (and JSON Feed's `image`) would show no picture at all.
    found = built_contents(tmp_path, write_post, "<div><p>Text.</p></div>\n", **{key: IMAGE})
    for content in found.values():
        root = fragment(content)
        first = root[0]
        assert first.tag == "p"
        assert [(image.get("src"), image.get("alt")) for image in root.iter("img")] == [(IMAGE, "")]
        assert first[0].get("referrerpolicy") == "no-referrer"
        assert "Text." in root.text_content()
    rss = etree.parse(str(tmp_path / "out" / "rss.xml")).getroot()
    assert rss.find(f"channel/item/{MEDIA}thumbnail").get("url") == IMAGE  # still there too
    item = json.loads((tmp_path / "out" / "feed.json").read_bytes())["items"][0]
    assert item["image"] == IMAGE
    assert item["summary"] == "Text."  # the summary is of the text, without the image


def test_no_lead_image_where_the_content_has_an_image(
    tmp_path: Path, write_post: WritePost
) -> None:
    body = "Text.\n\n![A chart](https://img.example.org/chart.png)\n"
    for content in built_contents(tmp_path, write_post, body, headimg=IMAGE).values():
        sources = [image.get("src") for image in fragment(content).iter("img")]
        assert sources == ["https://img.example.org/chart.png"]


def test_no_lead_image_without_an_image_in_front_matter(
    tmp_path: Path, write_post: WritePost
) -> None:
    for content in built_contents(tmp_path, write_post, "Text.\n").values():
        assert content == "<p>Text.</p>"


def test_the_lead_image_follows_the_front_matter_when_the_body_stays(
    tmp_path: Path, write_post: WritePost
) -> None:
    # The cache keeps the content made from the body; the image is added when written.
    write_post("post.md", post_text(body="Text.\n", link=LINK, headimg=IMAGE))
    build(tmp_path)
    other = "https://img.example.org/other.jpg"
    write_post("post.md", post_text(body="Text.\n", link=LINK, headimg=other))
    for content in contents(build(tmp_path)).values():
        assert [image.get("src") for image in fragment(content).iter("img")] == [other]


def test_summary_only_feeds_get_no_lead_image(tmp_path: Path, write_post: WritePost) -> None:
    config = tmp_path / "postfeed.toml"
    config.write_text('[content]\nmode = "summary"\n', encoding="utf-8")
    write_post("post.md", post_text(body="Text.\n", link=LINK, headimg=IMAGE))
    output = build(tmp_path, "--config", str(config))
    assert contents(output) == {"RSS": "", "Atom": "", "JSON Feed": ""}
    item = json.loads((output / "feed.json").read_bytes())["items"][0]
    assert item["content_text"] == "Text."
    assert item["image"] == IMAGE


# --- authors in JSON Feed -----------------------------------------------------------------


def test_json_feed_writes_the_1_0_author_beside_the_1_1_authors(
    tmp_path: Path, write_post: WritePost
) -> None:
    config = tmp_path / "postfeed.toml"
    config.write_text('author = "News robot"\n', encoding="utf-8")
    write_post("a.md", post_text("By someone", author="新浪财经"))
    write_post("b.md", post_text("By no one", date="2021-09-09T00:00:00Z"))
    feed = json.loads((build(tmp_path, "--config", str(config)) / "feed.json").read_bytes())
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert (feed["authors"], feed["author"]) == ([{"name": "News robot"}], {"name": "News robot"})
    by_someone, by_no_one = feed["items"]
    assert by_someone["authors"] == [{"name": "新浪财经"}]
    assert by_someone["author"] == {"name": "新浪财经"}
    assert "author" not in by_no_one and "authors" not in by_no_one
