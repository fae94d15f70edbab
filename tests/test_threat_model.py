"""The threat model of the README, attacked: posts, their file names and the cache
folder's neighbours are hostile. Nothing outside the posts folder is published,
no post stops the feeds or floods a build, no markup survives in a text field,
the cache is not trusted, and nothing a post holds reaches a terminal raw.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from lxml import etree

from postfeed.article import PostError
from postfeed.cli import main
from postfeed.collector import time_limit

from conftest import WritePost, post_text

SITE = "https://news.example.org/"
ATOM = "{http://www.w3.org/2005/Atom}"


def build(tmp_path: Path, capsys, *flags: str, config: str = "") -> tuple[int, str]:
    """`postfeed build` of tmp_path/posts into tmp_path/out; (status, stderr)."""
    args = ["build", "--posts", str(tmp_path / "posts"), "--output", str(tmp_path / "out")]
    args += ["--site-url", SITE, "--limit", "500", *flags]
    if config:
        (tmp_path / "postfeed.toml").write_text(config, encoding="utf-8")
        args += ["--config", str(tmp_path / "postfeed.toml")]
    status = main(args)
    return status, capsys.readouterr().err


def titles(tmp_path: Path) -> list[str]:
    rss = etree.parse(str(tmp_path / "out" / "rss.xml"))
    return [item.findtext("title") for item in rss.iter("item")]


# --- 1. files outside the posts folder ------------------------------------------------------


@pytest.mark.parametrize("target", ["secret.txt", "../secret.md", "/proc/self/environ"])
def test_a_post_that_is_a_symlink_is_not_read_and_says_so(
    tmp_path: Path, write_post: WritePost, capsys, target: str
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("---\ntitle: SECRET-KEY-123\n---\nPRIVATE\n")
    write_post("good.md", post_text("好"))
    link = tmp_path / "posts" / "leak.md"
    link.symlink_to(secret if target == "secret.txt" else target)
    status, err = build(tmp_path, capsys)
    assert status == 0, err
    assert titles(tmp_path) == ["好"]
    everything = b"".join(p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert b"SECRET" not in everything and b"PRIVATE" not in everything
    assert f"{link.name}: warning: file: is a symbolic link" in err


@pytest.mark.parametrize("on_workers", [False, True])
def test_a_folder_replaced_by_a_link_after_the_scan_publishes_nothing_outside(
    tmp_path: Path, write_post: WritePost, capsys, monkeypatch, on_workers: bool
) -> None:
    # A scraper swaps a folder of posts for a link between the scan and the reads (a
    # cold build on workers reads long after its scan): the post was opened by its
    # path, and only its last component was checked for a link.
    import postfeed.build
    import postfeed.collector

    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "leak.md").write_text("---\ntitle: SECRET-KEY-123\n---\nPRIVATE\n")
    write_post("good.md", post_text("好"))
    write_post("news/leak.md", post_text("新闻"))
    scan = postfeed.build.scan

    def scan_then_swap(*args, **kwargs):
        found = scan(*args, **kwargs)
        news = tmp_path / "posts" / "news"
        (news / "leak.md").unlink()
        news.rmdir()
        news.symlink_to(secret)
        return found

    monkeypatch.setattr(postfeed.build, "scan", scan_then_swap)
    if on_workers:
        monkeypatch.setattr(postfeed.collector, "PARALLEL_FROM", 2)
    status, err = build(tmp_path, capsys)
    assert titles(tmp_path) == ["好"]
    everything = b"".join(p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert b"SECRET" not in everything and b"PRIVATE" not in everything
    assert status == 1 and "news/leak.md: file: " in err


def test_a_symlink_to_another_post_does_not_publish_it_twice(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("a.md", post_text("甲"))
    (tmp_path / "posts" / "b.md").symlink_to(tmp_path / "posts" / "a.md")
    assert build(tmp_path, capsys)[0] == 0
    assert titles(tmp_path) == ["甲"]


@pytest.mark.parametrize("name", ["out", "out/inner"])
def test_an_output_folder_inside_the_posts_folder_is_refused(
    tmp_path: Path, write_post: WritePost, capsys, name: str
) -> None:
    write_post("a.md", post_text("甲"))
    args = ["build", "--posts", str(tmp_path / "posts"), "--output", str(tmp_path / "posts" / name)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "inside the posts folder" in err
    assert not (tmp_path / "posts" / name).exists()


def test_a_cache_folder_inside_the_posts_folder_is_refused(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("a.md", post_text("甲"))
    status, err = build(tmp_path, capsys, config=f'cache_dir = "{tmp_path / "posts" / "c"}"\n')
    assert status == 2 and "cache_dir" in err and "inside the posts folder" in err


def test_a_symlink_planted_in_the_output_folder_never_redirects_a_write(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("a.md", post_text("甲", categories=["新闻"]))
    assert build(tmp_path, capsys)[0] == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    category = next((tmp_path / "out" / "categories").iterdir())
    for name in ("rss.xml", "atom.xml", "feed.json"):
        (category / name).unlink()
    category.rmdir()
    category.symlink_to(elsewhere)  # the category's folder now leads out
    write_post("b.md", post_text("乙", categories=["新闻"]))
    status, err = build(tmp_path, capsys)
    assert status == 1 and "cannot be written" in err
    assert list(elsewhere.iterdir()) == []
    assert titles(tmp_path) == ["甲", "乙"]


# --- 2. one post never stops the feeds --------------------------------------------------------


@pytest.mark.parametrize("name", ["𠝹" * 80, "粵語𠝹𡃁" * 30, "a" * 300])
def test_a_category_name_the_file_system_would_refuse_costs_nothing(
    tmp_path: Path, write_post: WritePost, capsys, name: str
) -> None:
    write_post("a.md", post_text("甲", categories=[name, "ok"]))
    status, err = build(tmp_path, capsys)
    assert status == 0, err
    assert titles(tmp_path) == ["甲"]
    folders = [p.name for p in (tmp_path / "out" / "categories").iterdir()]
    assert len(folders) == 2 and all(len(f.encode()) <= 240 for f in folders)


def test_a_feed_set_that_cannot_be_written_costs_only_that_set(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("a.md", post_text("甲", categories=["blocked", "open"]))
    (tmp_path / "out" / "categories").mkdir(parents=True)
    (tmp_path / "out" / "categories" / "blocked").write_text("a file where a folder goes")
    status, err = build(tmp_path, capsys)
    assert status == 1
    assert "categories/blocked: feed set: cannot be written" in err
    assert titles(tmp_path) == ["甲"]
    assert (tmp_path / "out" / "categories" / "open" / "rss.xml").is_file()
    assert (tmp_path / "out" / "index.html").is_file()


# --- 3. what one post can claim is bounded ----------------------------------------------------


def test_a_post_with_a_thousand_categories_gets_twenty_feed_sets_and_a_warning(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    names = [f"c{number}" for number in range(1000)]
    write_post("greedy.md", post_text("贪", categories=names, tags=names))
    status, err = build(tmp_path, capsys)
    assert status == 0
    assert len(list((tmp_path / "out" / "categories").iterdir())) == 20
    assert "greedy.md: warning: categories: 1,000 of them; only the first 20" in err
    assert "greedy.md: warning: tags: 980 of them; only the first 50" in err
    item = next(etree.parse(str(tmp_path / "out" / "rss.xml")).iter("item"))
    assert len(item.findall("category")) == 70


def test_the_limits_are_settings(tmp_path: Path, write_post: WritePost, capsys) -> None:
    for number in range(5):
        write_post(f"{number}.md", post_text(f"p{number}", categories=[f"a{number}", "b", "c"]))
    config = "[limits]\ncategories_per_post = 2\nfeed_sets = 3\n"
    status, err = build(tmp_path, capsys, config=config)
    assert status == 0
    # b has five posts; of the a's, a0-a4 have one each: the first two by name fill up.
    assert sorted(p.name for p in (tmp_path / "out" / "categories").iterdir()) == ["a0", "a1", "b"]
    assert "warning: categories: 6 categories; only the 3 with the most articles" in err


def test_a_limit_must_be_positive(tmp_path: Path, write_post: WritePost, capsys) -> None:
    write_post("a.md", post_text("甲"))
    status, err = build(tmp_path, capsys, config="[limits]\npost_seconds = 0\n")
    assert status == 2 and "limits.post_seconds" in err


def test_a_post_over_the_time_limit_is_rejected_as_too_slow() -> None:
    with pytest.raises(PostError) as caught, time_limit(0.05):
        while True:
            pass
    assert caught.value.field == "content" and "took too long" in caught.value.message


# --- 5. markup never survives in a text field -------------------------------------------------

MARKUP = [
    "<scr<b>ipt>alert(1)</script>",
    "<scr<scr<i>ipt>ipt>x",
    "<img src=x onerror=alert(1)",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&amp;lt;iframe src=javascript:alert(1)&amp;gt;",
    "<!-- <script> -->after",
    "<<script>script>",
]


@pytest.mark.parametrize("text", MARKUP, ids=repr)
def test_no_text_field_of_any_format_holds_a_tag(
    tmp_path: Path, write_post: WritePost, capsys, text: str
) -> None:
    fields = {"categories": [text], "tags": [text], "author": text, "description": text}
    write_post("a.md", post_text(text, **fields))
    assert build(tmp_path, capsys)[0] == 0
    out = tmp_path / "out"
    rss = etree.parse(str(out / "rss.xml"))
    atom = etree.parse(str(out / "atom.xml"))
    feed = json.loads((out / "feed.json").read_text())
    texts = [
        *(e.text or "" for e in rss.iter("title", "category", "description")),
        *(e.text or "" for e in rss.iter("{http://purl.org/dc/elements/1.1/}creator")),
        *(e.text or "" for e in atom.iter(f"{ATOM}title", f"{ATOM}summary", f"{ATOM}name")),
        *(e.get("term") for e in atom.iter(f"{ATOM}category")),
    ]
    for item in feed["items"]:
        texts += [item["title"], item.get("summary", ""), *item.get("tags", [])]
        texts += [author["name"] for author in item.get("authors", [])]
    assert [t for t in texts if re.search(r"<[a-zA-Z/!?]", t)] == []


# --- 6. the cache is untrusted input ----------------------------------------------------------


def cache_file(tmp_path: Path) -> Path:
    return next((tmp_path / ".postfeed-cache").glob("*.sqlite3"))


def test_a_crafted_cache_never_makes_a_build_delete_outside_the_output_folder(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("a.md", post_text("甲", categories=["新闻"]))
    assert build(tmp_path, capsys)[0] == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    with sqlite3.connect(cache_file(tmp_path)) as db:
        (value,) = db.execute("SELECT value FROM meta WHERE key = 'last_build'").fetchone()
        last = json.loads(value)
        last["outputs"] += ["../victim.txt", str(victim), "categories/../../victim.txt"]
        last["outputs"] += ["categories/..", "categories", ".", ""]  # folders, not files
        last["state"] = ""
        db.execute("UPDATE meta SET value = ? WHERE key = 'last_build'", (json.dumps(last),))
    write_post("b.md", post_text("乙", categories=["新闻"]))
    assert build(tmp_path, capsys)[0] == 0
    assert victim.read_text() == "keep me"
    assert (tmp_path / "out" / "categories" / "新闻" / "rss.xml").is_file()


@pytest.mark.parametrize(
    "damage",
    [
        "UPDATE meta SET value = '{\"outputs\": 5, \"sets\": []}' WHERE key = 'last_build'",
        "UPDATE meta SET value = 'not json' WHERE key = 'last_build'",
        "UPDATE posts SET published = 'yesterday'",
        "UPDATE posts SET problems = 'not json'",
        "DROP TABLE categories",
    ],
)
def test_a_damaged_cache_is_rebuilt_never_an_error(
    tmp_path: Path, write_post: WritePost, capsys, damage: str
) -> None:
    write_post("a.md", post_text("甲"))
    assert build(tmp_path, capsys)[0] == 0
    with sqlite3.connect(cache_file(tmp_path)) as db:
        db.execute(damage)
    write_post("b.md", post_text("乙", "2021-09-11 10:00"))
    status, err = build(tmp_path, capsys)
    assert status == 0, err
    assert titles(tmp_path) == ["乙", "甲"]


def test_a_cached_link_that_is_not_http_is_never_written(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("a.md", post_text("甲", headimg="https://img.example.org/a.png"))
    assert build(tmp_path, capsys)[0] == 0
    with sqlite3.connect(cache_file(tmp_path)) as db:
        db.execute("UPDATE posts SET link = 'javascript:alert(1)', image = 'javascript:x'")
        db.execute("UPDATE meta SET value = '{}' WHERE key = 'last_build'")
    status, err = build(tmp_path, capsys)
    assert status == 0, err
    everything = b"".join(p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert b"javascript:" not in everything
    assert titles(tmp_path) == ["甲"]


# --- 9. nothing from a post reaches the terminal raw ------------------------------------------


def test_control_characters_in_a_file_name_are_shown_escaped(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("\x1b]0;owned\x07\x1b[2J.md", "---\ntitle: [unclosed\n---\n")
    status, err = build(tmp_path, capsys)
    assert status == 1
    assert "\x1b" not in err and "\x07" not in err
    assert "\\x1b]0;owned\\x07" in err


def test_a_long_rejected_value_is_cut_in_the_message(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("a.md", post_text("甲", link="x" * 200_000))
    write_post("b.md", post_text("乙", "9" * 200_000))
    status, err = build(tmp_path, capsys)
    assert status == 1
    lines = err.splitlines()
    assert len(lines) == 2 and all(len(line) < 600 for line in lines), lines
    assert "b.md: date: too long to be a date (200,000 characters)" in err


@pytest.mark.parametrize(
    "text",
    [
        "---\ntitle: 甲\ndate: \x1b[31mred\x1b[0m\n---\n正文。\n",  # raw: not even YAML
        post_text("甲", "\x1b[31mred\x1b[0m"),  # a YAML escape: the date is the sequence
    ],
    ids=["raw", "yaml-escape"],
)
def test_escape_sequences_inside_a_post_are_not_printed(
    tmp_path: Path, write_post: WritePost, capsys, text: str
) -> None:
    write_post("a.md", text)
    _, err = build(tmp_path, capsys)
    assert "a.md" in err
    assert "\x1b" not in err


# --- 4. shapes that make a parser work with the square of the input --------------------------

SQUARE_SHAPES = {
    "nested": "<div>" * 20_000 + "x" + "</div>" * 20_000,
    "formatting rebuilt at every block": "".join(f"<b class=c{n}><p>x" for n in range(5_000)),
    "attributes": "<p " + " ".join(f"a{n}=1" for n in range(20_000)) + ">x</p>",
}


@pytest.mark.parametrize("body", SQUARE_SHAPES.values(), ids=SQUARE_SHAPES.keys())
def test_html_shaped_to_blow_up_the_parsers_is_rejected_before_they_run(
    tmp_path: Path, write_post: WritePost, capsys, body: str
) -> None:
    write_post("good.md", post_text("好"))
    write_post("bad.html", post_text("坏", body=body))
    status, err = build(tmp_path, capsys)
    assert status == 1
    assert "bad.html: content: " in err and ("nested over" in err or "attributes" in err)
    assert titles(tmp_path) == ["好"]


def test_ordinary_html_with_unclosed_paragraphs_and_a_long_data_url_is_published(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    body = "<p>段落" * 3_000 + f'<img src="data:image/png;base64,{"A" * 50_000}">'
    write_post("a.html", post_text("甲", body=body))
    status, err = build(tmp_path, capsys)
    assert status == 0, err
    assert titles(tmp_path) == ["甲"]


def test_links_planted_in_the_cache_folder_are_removed_not_followed(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("a.md", post_text("甲"))
    victim = tmp_path / "victim"
    victim.write_text("precious")
    cache = tmp_path / ".postfeed-cache"
    cache.mkdir()
    for name in ("out.lock", "out.sqlite3"):
        (cache / name).symlink_to(victim)
    status, err = build(tmp_path, capsys)
    assert status == 0, err
    assert victim.read_text() == "precious"
    assert titles(tmp_path) == ["甲"]


def test_a_cache_folder_that_is_a_link_is_refused(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("a.md", post_text("甲"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / ".postfeed-cache").symlink_to(elsewhere)
    status, err = build(tmp_path, capsys)
    assert status == 2 and "the cache folder is a symbolic link" in err
    assert list(elsewhere.iterdir()) == []


def test_a_paragraph_of_megabytes_of_ampersands_is_sanitized_in_linear_time(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    """The sanitizer's serializer looks ahead from every "&": long texts are cut before it
    reads them, and the cuts must survive the dropping of tags HTML does not know."""
    write_post("a.html", post_text("甲", body="<p>" + "a&b " * 500_000 + "</p>"))
    status, err = build(tmp_path, capsys)  # the square of it: over limits.post_seconds
    assert status == 0, err
    assert titles(tmp_path) == ["甲"]


def test_content_too_long_for_feed_readers_is_reported_and_left_out(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("good.md", post_text("好"))
    # 6 MB of post, 12 MB of HTML ("&" is written "&amp;")
    write_post("huge.html", post_text("大", body="<p>" + "a&b " * 1_500_000 + "</p>"))
    status, err = build(tmp_path, capsys)
    assert status == 1
    assert "huge.html: content: over 10,000,000 bytes" in err
    assert titles(tmp_path) == ["好"]
