"""Rules README.md promises that no other test pinned down, checked from the user's side.

Each test runs the real command line (`postfeed.cli.main` in this process, or the
program in a terminal where a terminal is the point) and reads the files it wrote.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
from lxml import etree

from postfeed.cli import main

from conftest import WritePost, post_text

SITE = "https://example.org/"
NS = {"a": "http://www.w3.org/2005/Atom", "media": "http://search.yahoo.com/mrss/"}


def run(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    """`postfeed ARGV...` in this process: (exit status, stderr lines)."""
    capsys.readouterr()
    status = main(list(argv))
    return status, capsys.readouterr().err.splitlines()


def build(
    tmp_path: Path, *flags: str, capsys: pytest.CaptureFixture[str], out: str = "out"
) -> tuple[int, list[str]]:
    posts, output = str(tmp_path / "posts"), str(tmp_path / out)
    return run(
        "build", "--posts", posts, "--output", output, "--site-url", SITE, *flags, capsys=capsys
    )


def config(tmp_path: Path, text: str) -> str:
    path = tmp_path / "postfeed.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def rss_items(out: Path) -> dict[str, etree._Element]:
    root = etree.parse(str(out / "rss.xml")).getroot()
    return {item.findtext("title"): item for item in root.iter("item")}


def atom_entries(out: Path) -> dict[str, etree._Element]:
    root = etree.parse(str(out / "atom.xml")).getroot()
    return {
        entry.findtext("a:title", namespaces=NS): entry for entry in root.iterfind("a:entry", NS)
    }


def json_items(out: Path) -> dict[str, dict]:
    feed = json.loads((out / "feed.json").read_text(encoding="utf-8"))
    return {item["title"]: item for item in feed["items"]}


def lines_about(lines: list[str], path: Path) -> list[str]:
    return [line for line in lines if line.startswith(f"{path}: ")]


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# --- dates: the future, before 1970 -------------------------------------------------


def test_a_post_dated_more_than_a_day_ahead_is_published_with_a_warning(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("now.md", post_text("Now"))
    future = write_post("future.md", post_text("Future", "2999-01-01T00:00:00Z"))
    status, lines = build(tmp_path, capsys=capsys)
    assert status == 0
    assert set(rss_items(tmp_path / "out")) == {"Now", "Future"}
    [warning] = lines_about(lines, future)
    assert warning.startswith(f"{future}: warning: date: ")


def test_drop_future_leaves_out_posts_dated_more_than_a_day_ahead(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("now.md", post_text("Now"))
    write_post("future.md", post_text("Future", "2999-01-01T00:00:00Z"))
    write_post(
        "in-two-days.md", post_text("In two days", iso(datetime.now(UTC) + timedelta(days=2)))
    )
    status, _ = build(tmp_path, "--config", config(tmp_path, "drop_future = true\n"), capsys=capsys)
    assert status == 0, "a post left out for its date is not a rejected post"
    out = tmp_path / "out"
    assert set(rss_items(out)) == {"Now"}
    assert set(atom_entries(out)) == {"Now"}
    assert set(json_items(out)) == {"Now"}


@pytest.mark.parametrize("drop_future", ["false", "true"])
def test_a_post_dated_less_than_a_day_ahead_is_neither_warned_about_nor_left_out(
    tmp_path: Path, write_post: WritePost, capsys, drop_future: str
) -> None:
    # Clocks of scraped sites run a little fast, and time zones get mixed up.
    soon = write_post("soon.md", post_text("Soon", iso(datetime.now(UTC) + timedelta(hours=12))))
    status, lines = build(
        tmp_path, "--config", config(tmp_path, f"drop_future = {drop_future}\n"), capsys=capsys
    )
    assert status == 0
    assert lines_about(lines, soon) == []
    assert set(rss_items(tmp_path / "out")) == {"Soon"}


@pytest.mark.parametrize("date", ["1969-07-20T20:17:40Z", "1900-01-01", "1969-12-31T23:59:59Z"])
def test_a_date_before_1970_draws_a_warning_but_the_post_is_published(
    tmp_path: Path, write_post: WritePost, capsys, date: str
) -> None:
    old = write_post("old.md", post_text("Old", date))
    status, lines = build(tmp_path, capsys=capsys)
    assert status == 0
    [warning] = lines_about(lines, old)
    assert warning.startswith(f"{old}: warning: date: ")
    assert "Old" in rss_items(tmp_path / "out")


def test_a_date_of_1970_itself_draws_no_warning(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    epoch = write_post("epoch.md", post_text("Epoch", "1970-01-01T00:00:00Z"))
    status, lines = build(tmp_path, capsys=capsys)
    assert status == 0
    assert lines_about(lines, epoch) == []
    assert rss_items(tmp_path / "out")["Epoch"].findtext("pubDate") == (
        "Thu, 01 Jan 1970 00:00:00 GMT"
    )


def test_the_moon_landing_keeps_its_date_in_every_format(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("moon.md", post_text("Moon", "1969-07-20T20:17:40Z"))
    build(tmp_path, capsys=capsys)
    out = tmp_path / "out"
    assert rss_items(out)["Moon"].findtext("pubDate") == "Sun, 20 Jul 1969 20:17:40 GMT"
    entry = atom_entries(out)["Moon"]
    assert entry.findtext("a:published", namespaces=NS) == "1969-07-20T20:17:40Z"
    assert json_items(out)["Moon"]["date_published"] == "1969-07-20T20:17:40Z"


# --- dates: Jekyll-style file names ---------------------------------------------------


@pytest.mark.parametrize(
    "name", ["2017-07-03-title.md", "2017-7-3-title.md", "news/2017-07-03-title.md"]
)
def test_a_post_without_a_date_takes_it_from_a_jekyll_style_file_name(
    tmp_path: Path, write_post: WritePost, capsys, name: str
) -> None:
    path = write_post(name, post_text("Jekyll", date=None))
    status, lines = build(tmp_path, capsys=capsys)
    assert status == 0
    assert lines_about(lines, path) == [], "a date from the name is a date: no warning"
    # Midnight of that day in `timezone` (Asia/Shanghai, UTC+8 by default).
    assert rss_items(tmp_path / "out")["Jekyll"].findtext("pubDate") == (
        "Sun, 02 Jul 2017 16:00:00 GMT"
    )


def test_a_date_in_front_matter_wins_over_the_file_name(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("2017-07-03-title.md", post_text("Both", "2021-09-10T11:48:10Z"))
    build(tmp_path, capsys=capsys)
    assert rss_items(tmp_path / "out")["Both"].findtext("pubDate") == (
        "Fri, 10 Sep 2021 11:48:10 GMT"
    )


def test_a_date_from_the_file_name_satisfies_strict(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("2017-07-03-title.md", post_text("Jekyll", date=None))
    status, lines = build(tmp_path, "--strict", capsys=capsys)
    assert status == 0, lines
    assert "Jekyll" in rss_items(tmp_path / "out")


def test_an_impossible_date_in_a_file_name_is_a_date_problem_not_an_internal_error(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("good.md", post_text("Good"))
    odd = write_post("2017-02-30-title.md", post_text("Odd", date=None))
    _, lines = build(tmp_path, capsys=capsys)
    [line] = lines_about(lines, odd)
    assert line.startswith((f"{odd}: date: ", f"{odd}: warning: date: ")), line
    assert "Good" in rss_items(tmp_path / "out")


# --- updated / lastmod -----------------------------------------------------------------


@pytest.mark.parametrize("key", ["updated", "lastmod", "modified", "last_modified_at"])
def test_updated_or_lastmod_sets_the_atom_updated_date(
    tmp_path: Path, write_post: WritePost, capsys, key: str
) -> None:
    write_post(
        "edited.md", post_text("Edited", "2021-09-10T11:48:10Z", **{key: "2021-09-12T08:00:00Z"})
    )
    assert build(tmp_path, capsys=capsys)[0] == 0
    entry = atom_entries(tmp_path / "out")["Edited"]
    assert entry.findtext("a:published", namespaces=NS) == "2021-09-10T11:48:10Z"
    assert entry.findtext("a:updated", namespaces=NS) == "2021-09-12T08:00:00Z"


def test_without_updated_the_atom_updated_date_is_the_date(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("plain.md", post_text("Plain", "2021-09-10T11:48:10Z"))
    build(tmp_path, capsys=capsys)
    entry = atom_entries(tmp_path / "out")["Plain"]
    assert entry.findtext("a:updated", namespaces=NS) == "2021-09-10T11:48:10Z"


# --- excerpt / description ----------------------------------------------------------------

LONG_BODY = "The body says something else entirely. " * 20


@pytest.mark.parametrize("key", ["excerpt", "description"])
def test_an_excerpt_or_description_in_front_matter_is_the_summary(
    tmp_path: Path, write_post: WritePost, capsys, key: str
) -> None:
    write_post("a.md", post_text("A", body=LONG_BODY, **{key: "Written by hand."}))
    assert build(tmp_path, capsys=capsys)[0] == 0
    out = tmp_path / "out"
    assert rss_items(out)["A"].findtext("description") == "Written by hand."
    assert atom_entries(out)["A"].findtext("a:summary", namespaces=NS) == "Written by hand."
    item = json_items(out)["A"]
    assert item["summary"] == "Written by hand."
    assert "something else entirely" in item["content_html"], "the content stays whole"


def test_without_an_excerpt_the_summary_comes_from_the_text(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("a.md", post_text("A", body=LONG_BODY))
    build(tmp_path, capsys=capsys)
    summary = rss_items(tmp_path / "out")["A"].findtext("description")
    assert summary.startswith("The body says something else entirely.")


# --- image keys -------------------------------------------------------------------------

IMAGES = {
    key: f"https://img.example.org/{key}.png" for key in ("headimg", "thumbnail", "image", "cover")
}


@pytest.mark.parametrize(
    ("keys", "winner"),
    [
        (("cover", "image", "thumbnail", "headimg"), "headimg"),
        (("cover", "image", "thumbnail"), "thumbnail"),
        (("cover", "image"), "image"),
        (("cover",), "cover"),
    ],
)
def test_the_image_is_headimg_else_thumbnail_else_image_else_cover(
    tmp_path: Path, write_post: WritePost, capsys, keys: tuple[str, ...], winner: str
) -> None:
    # Written in the opposite order: the order of the keys in the file does not count.
    write_post("a.md", post_text("A", **{key: IMAGES[key] for key in keys}))
    assert build(tmp_path, capsys=capsys)[0] == 0
    out = tmp_path / "out"
    item = rss_items(out)["A"]
    assert item.find("media:thumbnail", NS).get("url") == IMAGES[winner]
    assert item.find("media:content", NS).get("url") == IMAGES[winner]
    assert json_items(out)["A"]["image"] == IMAGES[winner]


def test_a_relative_image_is_made_absolute(tmp_path: Path, write_post: WritePost, capsys) -> None:
    write_post("a.md", post_text("A", thumbnail="/img/a.png"))
    build(tmp_path, capsys=capsys)
    item = rss_items(tmp_path / "out")["A"]
    assert item.find("media:thumbnail", NS).get("url") == "https://example.org/img/a.png"


@pytest.mark.parametrize("value", ["ftp://img.example.org/a.png", "javascript:alert(1)"])
def test_an_image_that_is_not_http_is_left_out(
    tmp_path: Path, write_post: WritePost, capsys, value: str
) -> None:
    write_post("a.md", post_text("A", headimg=value))
    assert build(tmp_path, capsys=capsys)[0] == 0
    out = tmp_path / "out"
    assert rss_items(out)["A"].find("media:thumbnail", NS) is None
    assert "image" not in json_items(out)["A"]


# --- category slugs -----------------------------------------------------------------------

# Windows refuses these as a file or folder name, with or without an extension.
DEVICE_NAMES = {"con", "prn", "aux", "nul", "conin$", "conout$", "clock$"} | {
    f"{kind}{n}" for kind in ("com", "lpt") for n in "0123456789¹²³"
}


def categories_post(
    write_post: WritePost, name: str, categories: list[str], title: str = "A"
) -> None:
    write_post(name, post_text(title, "2021-09-10", categories=categories))


def category_folders(out: Path) -> dict[str, str]:
    """Each category folder on disk, by the category its feed is for."""
    folders = {}
    for folder in (out / "categories").iterdir():
        title = etree.parse(str(folder / "rss.xml")).getroot().findtext("channel/title")
        folders[title.removeprefix("postfeed · ")] = folder.name
    return folders


@pytest.mark.parametrize(
    "names",
    [
        ["con", "PRN", "Aux", "nul", "COM1", "lpt9"],
        ["CON.txt", "nul.tar.gz", "com1.md", "Con .", "aux:", "CLOCK$", "conin$", "LPT²"],
    ],
    ids=["device-names", "device-names-with-extensions"],
)
def test_a_category_slug_is_never_a_windows_device_name(
    tmp_path: Path, write_post: WritePost, capsys, names: list[str]
) -> None:
    categories_post(write_post, "a.md", names)
    assert build(tmp_path, capsys=capsys)[0] == 0
    folders = category_folders(tmp_path / "out")
    assert set(folders) == set(names)
    for folder in folders.values():
        assert folder.split(".")[0].rstrip(" ").lower() not in DEVICE_NAMES, folder
        assert not folder.endswith((".", " ")), folder  # Windows drops those too


def test_a_category_slug_is_never_empty_dot_or_dot_dot_and_stays_in_its_folder(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    names = [".", "..", "/", "-", "?!", "../../etc", "\\", "…"]
    categories_post(write_post, "a.md", names)
    assert build(tmp_path, capsys=capsys)[0] == 0
    out = tmp_path / "out"
    folders = category_folders(out)
    assert set(folders) == set(names)
    assert len(set(folders.values())) == len(names)
    for folder in folders.values():
        assert folder not in ("", ".", "..")
        assert "/" not in folder
        assert "\\" not in folder
    # Nothing was written beside the output folder's categories/ by a name like ../../etc.
    written = {path.parent.parent for path in tmp_path.rglob("rss.xml") if path.parent != out}
    assert written == {out / "categories"}


@pytest.mark.parametrize("letter", ["a", "长"])
def test_a_long_category_name_gives_a_slug_of_at_most_80_characters(
    tmp_path: Path, write_post: WritePost, capsys, letter: str
) -> None:
    long_name = letter * 200
    categories_post(write_post, "a.md", [long_name])
    assert build(tmp_path, capsys=capsys)[0] == 0
    folder = category_folders(tmp_path / "out")[long_name]
    assert folder == letter * 80


def test_long_names_alike_in_their_first_80_characters_get_unique_slugs_of_80_at_most(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    names = ["x" * 100 + "1", "x" * 100 + "2", "x" * 100 + "3"]
    categories_post(write_post, "a.md", names)
    assert build(tmp_path, capsys=capsys)[0] == 0
    folders = sorted(category_folders(tmp_path / "out").values())
    assert folders == ["x" * 78 + "-2", "x" * 78 + "-3", "x" * 80]


def test_two_names_making_one_slug_get_dash_2_and_dash_3_each_with_its_own_posts(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    names = ["a b", "a-b", "a/b"]
    for number, name in enumerate(names):
        categories_post(write_post, f"p{number}.md", [name], title=f"Post in {name}")
    assert build(tmp_path, capsys=capsys)[0] == 0
    out = tmp_path / "out"
    folders = category_folders(out)
    assert sorted(folders.values()) == ["a-b", "a-b-2", "a-b-3"]
    for name, folder in folders.items():
        assert set(rss_items(out / "categories" / folder)) == {f"Post in {name}"}


@pytest.mark.parametrize(
    ("name", "slug"),
    [("ＡＩ新闻", "ai新闻"), ("Hong_Kong-政治", "hong_kong-政治"), ("財經 速遞", "財經-速遞")],
)
def test_a_category_slug_is_nfkc_lower_case_with_cjk_kept(
    tmp_path: Path, write_post: WritePost, capsys, name: str, slug: str
) -> None:
    categories_post(write_post, "a.md", [name])
    assert build(tmp_path, capsys=capsys)[0] == 0
    assert category_folders(tmp_path / "out") == {name: slug}


def test_every_category_folder_is_in_feeds_opml_by_its_percent_encoded_rss_url(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    categories_post(write_post, "a.md", ["金融", "con", "a b", "a-b", "x" * 200, "..", "ＡＩ"])
    assert build(tmp_path, capsys=capsys)[0] == 0
    out = tmp_path / "out"
    on_disk = sorted(folder.name for folder in (out / "categories").iterdir())
    assert len(on_disk) == 7

    opml = etree.parse(str(out / "feeds.opml")).getroot()
    urls = [outline.get("xmlUrl") for outline in opml.iter("outline") if outline.get("xmlUrl")]
    category_urls = sorted(url for url in urls if url.startswith(SITE + "categories/"))
    assert category_urls == sorted(f"{SITE}categories/{quote(name)}/rss.xml" for name in on_disk)
    for url in urls:
        assert url.isascii(), url
        assert (out / unquote(urlsplit(url).path).lstrip("/")).is_file(), url


def test_a_slug_of_80_four_byte_characters_is_still_a_valid_folder_name(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    name = "粵語𠝹𡃁" * 30  # a quarter of the characters take four bytes in UTF-8
    categories_post(write_post, "a.md", [name, "ok"])
    status, lines = build(tmp_path, capsys=capsys)
    assert status == 0, lines
    folder = category_folders(tmp_path / "out")[name]
    assert len(folder.encode()) <= 255


# --- unexpected errors: `internal error`, and -v shows the traceback -------------------------


@pytest.fixture
def content_bug(monkeypatch: pytest.MonkeyPatch) -> str:
    """A bug in content cleaning, for posts whose body holds the returned word.

    No post is known to raise an unexpected exception from the outside (each one
    found was a bug, and fixed), so a bug is injected instead. The hook is
    nh3.clean, the sanitizer the README names, not a postfeed internal: internals
    change, the sanitizing step stays.
    """
    import nh3

    clean = nh3.clean
    marker = "TRIGGERS-A-BUG"

    def buggy_clean(html: str, *args: object, **kwargs: object) -> str:
        if marker in html:
            raise RuntimeError("an injected bug")
        return clean(html, *args, **kwargs)

    monkeypatch.setattr(nh3, "clean", buggy_clean)
    return marker


def test_an_unexpected_error_is_reported_as_internal_error_and_costs_only_that_post(
    tmp_path: Path, write_post: WritePost, capsys, content_bug: str
) -> None:
    write_post("good.md", post_text("Good"))
    write_post("also-good.md", post_text("Also good", "2021-09-09T00:00:00Z"))
    buggy = write_post("buggy.md", post_text("Buggy", "2021-09-11T00:00:00Z", body=content_bug))

    status, lines = build(tmp_path, capsys=capsys)

    assert status == 1
    assert lines_about(lines, buggy) == [f"{buggy}: internal error: RuntimeError: an injected bug"]
    assert not any("Traceback" in line for line in lines), "tracebacks only with -v"
    out = tmp_path / "out"
    assert set(rss_items(out)) == {"Good", "Also good"}
    assert set(atom_entries(out)) == {"Good", "Also good"}
    assert set(json_items(out)) == {"Good", "Also good"}


def test_verbose_shows_the_traceback_of_an_internal_error(
    tmp_path: Path, write_post: WritePost, capsys, content_bug: str
) -> None:
    write_post("good.md", post_text("Good"))
    buggy = write_post("buggy.md", post_text("Buggy", body=content_bug))

    status, lines = build(tmp_path, "-v", capsys=capsys)

    assert status == 1
    assert f"{buggy}: internal error: RuntimeError: an injected bug" in lines
    text = "\n".join(lines)
    assert "Traceback (most recent call last):" in text
    assert "RuntimeError: an injected bug" in text.split("Traceback", 1)[1]
    assert set(rss_items(tmp_path / "out")) == {"Good"}


def test_an_internal_error_is_reported_again_on_the_next_run(
    tmp_path: Path, write_post: WritePost, capsys, content_bug: str
) -> None:
    write_post("good.md", post_text("Good"))
    buggy = write_post("buggy.md", post_text("Buggy", body=content_bug))
    build(tmp_path, capsys=capsys)
    status, lines = build(tmp_path, capsys=capsys)
    assert status == 1
    assert lines_about(lines, buggy) == [f"{buggy}: internal error: RuntimeError: an injected bug"]


@pytest.mark.parametrize("verbose", [False, True])
def test_check_reads_content_and_shows_an_internal_error_traceback_only_with_v(
    tmp_path: Path, write_post: WritePost, capsys, content_bug: str, verbose: bool
) -> None:
    write_post("good.md", post_text("Good"))
    buggy = write_post("buggy.md", post_text("Buggy", body=content_bug))
    flags = ["-v"] if verbose else []
    status, lines = run("check", *flags, str(tmp_path / "posts"), capsys=capsys)
    assert status == 1
    assert f"{buggy}: internal error: RuntimeError: an injected bug" in lines
    assert any("Traceback" in line for line in lines) == verbose


# --- the progress bar, at a terminal -------------------------------------------------------


def run_at_a_terminal(argv: list[str], cwd: Path) -> tuple[int, bytes]:
    """`postfeed ARGV...` as a separate program whose stderr is a terminal (80x24)."""
    controller, terminal = pty.openpty()
    # A fresh pty is 0x0; tqdm draws nothing in zero columns, and real terminals have some.
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "postfeed", *argv],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=terminal,
    )
    os.close(terminal)
    output = bytearray()
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the program has closed the terminal
            break
        if not chunk:
            break
        output += chunk
    os.close(controller)
    return process.wait(timeout=120), bytes(output)


def slow_posts(write_post: WritePost, count: int) -> None:
    """Posts whose front matter (240 KB of YAML, under the 256 KB limit) takes a tenth
    of a second or more each to read: `count` of them take seconds."""
    heavy = "".join(f"k{number}: [a, b, c]\n" for number in range(14_000))
    for number in range(count):
        text = (
            f"---\ntitle: Post {number}\ndate: 2021-09-10 10:{number:02d}:00\n{heavy}---\nText.\n"
        )
        write_post(f"p{number}.md", text)


PROGRESS_BAR = b"%|"  # tqdm's "100%|█████| 8/8 [...]"


@pytest.mark.slow
def test_a_build_that_reads_posts_for_over_a_second_shows_a_progress_bar_at_a_terminal(
    tmp_path: Path,
    write_post: WritePost,
) -> None:
    slow_posts(write_post, 40)
    argv = ["build", "--posts", "posts", "--output", "out", "--site-url", SITE, "--limit", "1"]
    status, output = run_at_a_terminal(argv, cwd=tmp_path)
    assert status == 0, output
    assert PROGRESS_BAR in output, output
    assert b"40/40" in output
    assert b"postfeed: 40 posts read" in output  # and the summary, at a terminal


@pytest.mark.slow
def test_a_slow_build_shows_no_progress_bar_with_quiet_or_under_cron(
    tmp_path: Path, write_post: WritePost
) -> None:
    slow_posts(write_post, 40)
    argv = ["build", "--posts", "posts", "--output", "out", "--site-url", SITE, "--limit", "1"]

    status, output = run_at_a_terminal([*argv, "-q"], cwd=tmp_path)
    assert (status, output) == (0, b"")

    cron = subprocess.run(
        [sys.executable, "-m", "postfeed", *argv, "--force"],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
    )
    assert (cron.returncode, cron.stderr, cron.stdout) == (0, b"", b"")


def test_a_quick_build_at_a_terminal_shows_the_summary_but_no_progress_bar(
    tmp_path: Path, write_post: WritePost
) -> None:
    write_post("a.md", post_text("A"))
    argv = ["build", "--posts", "posts", "--output", "out", "--site-url", SITE]
    status, output = run_at_a_terminal(argv, cwd=tmp_path)
    assert status == 0
    assert PROGRESS_BAR not in output, output
    assert output.startswith(b"postfeed: 1 posts read, 0 rejected"), output


@pytest.mark.parametrize("text", ["", "\n\n  \n"], ids=["0 bytes", "blank"])
def test_an_empty_file_is_not_a_post_and_says_so(
    tmp_path: Path, write_post: WritePost, capsys, text: str
) -> None:
    write_post("empty.md", text)
    write_post("real.md", post_text("Real"))
    status, lines = build(tmp_path, capsys=capsys)
    assert status == 0
    assert any(line.endswith("empty.md: warning: file: is empty: not a post") for line in lines)
    assert list(rss_items(tmp_path / "out")) == ["Real"]


def test_one_category_has_one_spelling_in_every_feed(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("a.md", post_text("First", categories=["ＡＩ"], date="2021-09-10"))
    write_post("b.md", post_text("Second", categories=["AI"], tags=["ai"], date="2021-09-11"))
    assert build(tmp_path, capsys=capsys)[0] == 0
    out = tmp_path / "out"
    rss = etree.parse(str(out / "rss.xml"))
    assert [c.text for c in rss.iter("category")] == ["ＡＩ", "ＡＩ"]
    atom = etree.parse(str(out / "atom.xml"))
    assert {c.get("term") for c in atom.iterfind(".//a:category", NS)} == {"ＡＩ"}
    feed = json.loads((out / "feed.json").read_text())
    assert [item["tags"] for item in feed["items"]] == [["ＡＩ"], ["ＡＩ"]]
    assert len(list((out / "categories").iterdir())) == 1


def test_the_library_example_runs_as_a_script_whose_build_uses_workers(
    tmp_path: Path, write_post: WritePost
) -> None:
    # The workers' processes import the script that started them (as multiprocessing's
    # fork server and spawn do): the example without its __main__ guard built again in
    # each of them, which found the lock taken, and the build failed.
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    example = readme.split("Used as a library", 1)[1].split("```python\n", 1)[1]
    example = example.split("```", 1)[0]
    for number in range(6):
        write_post(f"p{number}.md", post_text(f"第 {number} 篇"))
    (tmp_path / "postfeed.toml").write_text('posts = "posts"\noutput = "out"\n', encoding="utf-8")
    on_workers = "import postfeed.collector\npostfeed.collector.PARALLEL_FROM = 3\n"
    script = tmp_path / "make_feeds.py"
    script.write_text(on_workers + example, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stderr == ""
    assert (tmp_path / "out" / "rss.xml").is_file()


def test_a_script_that_builds_without_the_main_guard_is_told_to_add_it(
    tmp_path: Path, write_post: WritePost
) -> None:
    for number in range(6):
        write_post(f"p{number}.md", post_text(f"第 {number} 篇"))
    script = tmp_path / "make_feeds.py"
    script.write_text(
        "from pathlib import Path\n"
        "import postfeed.collector\n"
        "from postfeed.build import build\n"
        "from postfeed.config import load_config\n"
        "postfeed.collector.PARALLEL_FROM = 3\n"
        "config = load_config(None, posts=Path('posts'), output=Path('out'))\n"
        "build(config, wait=5)  # the workers waited as long for the lock, then failed\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    assert "if __name__ == '__main__':" in done.stderr  # multiprocessing's advice
    assert "LockBusy" not in done.stderr
