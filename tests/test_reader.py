"""Specification of postfeed.scan (finding post files) and postfeed.reader (decoding them,
splitting and reading front matter)."""

from __future__ import annotations

import codecs
import hashlib
import os
import queue
import re
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest

from postfeed.article import PostError
from postfeed.dates import parse_date
from postfeed.reader import (
    MAX_FRONT_MATTER_CHARS,
    decode,
    read_post,
    split_front_matter,
)
from postfeed.scan import PostFile, scan, scan_posts

from conftest import WritePost, post_text

T = TypeVar("T")

MAX_SIZE = 10_000_000

# Text written for these tests (not taken from any corpus).
TITLE = "三省签署协同发展协议，联合办公室在武汉成立"
BODY = (
    "本报记者报道：湖北、湖南、江西三省今天在武汉举行会议，签署了七份合作协议，"
    "决定成立协同发展联合办公室，推动交通、产业、生态等方面的合作。"
)
POST = f"---\ntitle: {TITLE}\ndate: 2021-09-10 19:48:10\ncategories:\n- 金融\n---\n{BODY}\n"


def posts_root(tmp_path: Path) -> Path:
    return tmp_path / "posts"


def read(path: Path, tmp_path: Path, max_size: int = MAX_SIZE):
    return read_post(path, posts_root(tmp_path), max_size)


def finishes_within(seconds: float, function: Callable[[], T]) -> T:
    """function(), or a failed test if it has not returned after `seconds`: a hang
    catcher, far above the time any machine needs."""
    outcome: queue.Queue[tuple[bool, object]] = queue.Queue()

    def run() -> None:
        try:
            outcome.put((True, function()))
        except BaseException as error:  # handed to the test
            outcome.put((False, error))

    threading.Thread(target=run, daemon=True).start()
    try:
        finished, result = outcome.get(timeout=seconds)
    except queue.Empty:
        pytest.fail(f"still running after {seconds} s")
    if not finished:
        raise result  # type: ignore[misc]
    return result  # type: ignore[return-value]


def relative(paths: list[Path], root: Path) -> list[str]:
    return [path.relative_to(root).as_posix() for path in paths]


# --- finding posts ------------------------------------------------------------------------


def find_posts(root: Path) -> list[Path]:
    return [Path(post_file.path) for post_file in scan_posts(root)]


def _digests_of(files: list[PostFile]) -> dict[str, str]:
    """Each folder's digest as the scan takes it, from the sorted list of files."""
    lines: dict[str, list[str]] = {}
    for f in files:
        lines.setdefault(f.key.rpartition("/")[0], []).append(f"{f.key}\0{f.size}\0{f.mtime_ns}\n")
    return {k: hashlib.sha256("".join(v).encode()).hexdigest()[:32] for k, v in lines.items()}


@pytest.mark.skipif(os.name != "posix", reason="file names as bytes")
def test_a_scan_groups_the_files_by_folder_with_a_digest_of_each(tmp_path) -> None:
    root = tmp_path / "posts"
    for name in ["a.md", "b/c.md", "b/d.txt", "b/e/f.md", "g/h.png", "z.md"]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x")
    # Two folders whose names escape to the same text: one folder for the digests.
    os.makedirs(os.path.join(os.fsencode(root), b"q\xff"))
    os.makedirs(os.path.join(os.fsencode(root), b"q\\xff"))
    for folder, file in ((b"q\xff", b"2.md"), (b"q\\xff", b"1.md")):
        with open(os.path.join(os.fsencode(root), folder, file), "w") as out:
            out.write("y")
    found = scan(root)
    assert found.files == scan_posts(root)
    assert [f.key for f in found.files] == [
        "a.md", "b/c.md", "b/d.txt", "b/e/f.md", "q\\xff/1.md", "q\\xff/2.md", "z.md"
    ]  # fmt: skip
    assert {k: sorted(f.key for f in v) for k, v in found.by_folder.items()} == {
        "": ["a.md", "z.md"], "b": ["b/c.md", "b/d.txt"], "b/e": ["b/e/f.md"],
        "q\\xff": ["q\\xff/1.md", "q\\xff/2.md"],
    }  # fmt: skip
    assert found.digests == _digests_of(found.files)
    before = found.digests
    (root / "b" / "d.txt").write_text("longer")
    after = scan(root).digests
    assert {k for k in after if after[k] != before[k]} == {"b"}


def test_a_scan_calls_when_found_once_it_has_found_that_many_posts(tmp_path) -> None:
    root = tmp_path / "posts"
    for name in ["a.md", "b/c.md", "b/d.md", "e/f/g.md"]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x")
    calls: list[int] = []
    for count in (1, 3, 4, 5):
        scan(root, (count, lambda count=count: calls.append(count)))
    assert calls == [1, 3, 4]


def test_find_posts_finds_every_post_suffix_recursively(tmp_path, write_post: WritePost) -> None:
    for name in ["a.md", "b.markdown", "c.txt", "d.html", "finance/e.md", "x/y/z/f.html"]:
        write_post(name, "text")
    found = relative(find_posts(posts_root(tmp_path)), posts_root(tmp_path))
    assert sorted(found) == [
        "a.md", "b.markdown", "c.txt", "d.html", "finance/e.md", "x/y/z/f.html",
    ]  # fmt: skip


@pytest.mark.parametrize("name", ["UPPER.MD", "Mixed.Markdown", "shout.TXT", "page.HTML"])
def test_find_posts_matches_suffixes_whatever_their_case(
    tmp_path, write_post: WritePost, name
) -> None:
    write_post(name, "text")
    assert relative(find_posts(posts_root(tmp_path)), posts_root(tmp_path)) == [name]


@pytest.mark.parametrize(
    "name", ["image.png", "config.yml", "post.md.bak", "post.mdx", "README", "notes.rst"]
)
def test_find_posts_skips_other_suffixes(tmp_path, write_post: WritePost, name) -> None:
    write_post("kept.md", "text")
    write_post(name, "text")
    assert relative(find_posts(posts_root(tmp_path)), posts_root(tmp_path)) == ["kept.md"]


@pytest.mark.parametrize(
    "name", [".hidden.md", ".git/post.md", "finance/.drafts/post.md", ".a/b/post.md"]
)
def test_find_posts_skips_hidden_files_and_folders(tmp_path, write_post: WritePost, name) -> None:
    write_post("kept.md", "text")
    write_post(name, "text")
    assert relative(find_posts(posts_root(tmp_path)), posts_root(tmp_path)) == ["kept.md"]


def test_find_posts_returns_the_files_sorted(tmp_path, write_post: WritePost) -> None:
    for name in ["c.md", "a.md", "b/z.md", "b/a.md", "d.html"]:
        write_post(name, "text")
    found = relative(find_posts(posts_root(tmp_path)), posts_root(tmp_path))
    assert found == ["a.md", "b/a.md", "b/z.md", "c.md", "d.html"]


def test_find_posts_on_an_empty_folder_is_empty(tmp_path) -> None:
    posts_root(tmp_path).mkdir()
    assert find_posts(posts_root(tmp_path)) == []


def test_a_folder_symlinked_to_its_parent_neither_hangs_nor_duplicates(
    tmp_path, write_post: WritePost
):
    write_post("a.md", "text")
    write_post("sub/b.md", "text")
    (posts_root(tmp_path) / "sub" / "loop").symlink_to(posts_root(tmp_path), True)
    (posts_root(tmp_path) / "self").symlink_to(".", True)
    found = finishes_within(30, lambda: find_posts(posts_root(tmp_path)))
    assert relative(found, posts_root(tmp_path)) == ["a.md", "sub/b.md"]


# --- decode -------------------------------------------------------------------------------


def test_decode_utf8_gives_the_text_without_warnings() -> None:
    assert decode(POST.encode("utf-8")) == (POST, ())


def test_decode_drops_a_utf8_bom() -> None:
    text, warnings = decode(codecs.BOM_UTF8 + POST.encode("utf-8"))
    assert text == POST
    assert warnings == ()


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF16_LE + POST.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + POST.encode("utf-16-be"),
    ],
    ids=["le", "be"],
)
def test_decode_utf16_with_a_bom(data: bytes) -> None:
    text, _ = decode(data)
    assert text == POST


def test_decode_gb18030_correctly_with_a_warning() -> None:
    text, warnings = decode(POST.encode("gb18030"))
    assert text == POST
    assert len(warnings) == 1


def test_decode_replaces_invalid_utf8_bytes_with_a_warning() -> None:
    good = POST.encode("utf-8")
    cut = good.index(BODY.encode("utf-8")) + 6
    text, warnings = decode(good[:cut] + b"\xff\xfe" + good[cut:])
    assert "\ufffd" in text
    assert text.replace("\ufffd", "") == POST
    assert len(warnings) == 1


def test_decode_replaces_a_truncated_character_at_the_end_with_a_warning() -> None:
    data = POST.encode("utf-8") + "中".encode()[:2]
    text, warnings = decode(data)
    assert text.startswith(POST)
    assert text.endswith("\ufffd")
    assert len(warnings) == 1


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_decode_turns_crlf_and_cr_line_ends_into_lf(newline: str) -> None:
    text, _ = decode(POST.replace("\n", newline).encode("utf-8"))
    assert text == POST


# --- read_post: encodings and line ends ---------------------------------------------------


def test_read_post_gives_front_matter_body_and_name(tmp_path, write_post: WritePost) -> None:
    path = write_post("finance/000_abc.md", POST)
    post = read(path, tmp_path)
    assert post.meta["title"] == TITLE
    assert post.meta["categories"] == ["金融"]
    assert post.body.strip() == BODY
    assert post.name == "finance/000_abc"
    assert post.path == path
    assert post.warnings == ()


@pytest.mark.parametrize("blank", ["\n", "\n\n\n", " \n\t\n"], ids=["one", "several", "spaces"])
def test_blank_lines_before_the_first_delimiter_are_accepted(
    tmp_path, blank, write_post: WritePost
) -> None:
    path = write_post("post.md", (blank + POST).encode("utf-8"))
    post = read(path, tmp_path)
    assert post.meta["title"] == TITLE
    assert post.body.strip() == BODY


def test_utf8_with_bom_still_has_its_front_matter_read(tmp_path, write_post: WritePost) -> None:
    path = write_post("post.md", codecs.BOM_UTF8 + POST.encode("utf-8"))
    post = read(path, tmp_path)
    assert post.meta["title"] == TITLE
    assert post.body.strip() == BODY


def test_utf8_with_bom_and_a_blank_first_line_has_its_front_matter_read(
    tmp_path, write_post: WritePost
) -> None:
    path = write_post("post.md", codecs.BOM_UTF8 + ("\n" + POST).encode("utf-8"))
    assert read(path, tmp_path).meta["title"] == TITLE


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom_is_read(tmp_path, encoding: str, write_post: WritePost) -> None:
    bom = {"utf-16": b"", "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}
    path = write_post("post.md", bom[encoding] + POST.encode(encoding))
    post = read(path, tmp_path)
    assert post.meta["title"] == TITLE
    assert post.body.strip() == BODY


def test_a_gb18030_post_is_decoded_correctly_with_a_warning(
    tmp_path, write_post: WritePost
) -> None:
    path = write_post("post.md", POST, encoding="gb18030")
    post = read(path, tmp_path)
    assert post.meta["title"] == TITLE
    assert post.meta["categories"] == ["金融"]
    assert post.body.strip() == BODY
    assert len(post.warnings) == 1


def test_a_post_with_invalid_bytes_is_read_with_them_replaced_and_a_warning(
    tmp_path, write_post: WritePost
) -> None:
    data = POST.encode("utf-8").replace(BODY[:4].encode(), BODY[:4].encode() + b"\xff")
    post = read(write_post("post.md", data), tmp_path)
    assert post.meta["title"] == TITLE
    assert post.body.strip() == BODY[:4] + "\ufffd" + BODY[4:]
    assert len(post.warnings) == 1


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_crlf_and_cr_line_ends_are_read(tmp_path, newline: str, write_post: WritePost) -> None:
    path = write_post("post.md", POST.replace("\n", newline).encode("utf-8"))
    post = read(path, tmp_path)
    assert post.meta["title"] == TITLE
    assert post.meta["categories"] == ["金融"]
    assert "\r" not in post.body
    assert post.body.strip() == BODY


def test_front_matter_indented_by_one_space_is_read(tmp_path, write_post: WritePost) -> None:
    text = "---\n title: 缩进的标题\n date: 2021-09-10\n categories: 金融\n---\n正文\n"
    post = read(write_post("post.md", text.encode()), tmp_path)
    assert post.meta == {"title": "缩进的标题", "date": "2021-09-10", "categories": "金融"}
    assert post.body.strip() == "正文"


def test_delimiter_lines_with_trailing_spaces_are_accepted(tmp_path, write_post: WritePost) -> None:
    text = "---  \ntitle: 标题\n--- \n正文\n"
    post = read(write_post("post.md", text.encode()), tmp_path)
    assert post.meta == {"title": "标题"}
    assert post.body.strip() == "正文"


# --- read_post: front matter --------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["# 标题\n\n正文一段。\n", "正文\n\n---\n\n分隔线之后\n", "<div><p>HTML 正文</p></div>\n", ""],
    ids=["markdown", "horizontal-rule-later", "html", "empty"],
)
def test_a_post_without_front_matter_is_all_body(
    tmp_path, text: str, write_post: WritePost
) -> None:
    post = read(write_post("post.md", text.encode()), tmp_path)
    assert post.meta == {}
    assert post.body == text


def test_empty_front_matter_is_an_empty_mapping(tmp_path, write_post: WritePost) -> None:
    post = read(write_post("post.md", b"---\n---\nbody\n"), tmp_path)
    assert post.meta == {}
    assert post.body.strip() == "body"


def test_the_body_may_contain_more_delimiter_lines(tmp_path, write_post: WritePost) -> None:
    text = "---\ntitle: 标题\n---\n第一段\n\n---\n\n第二段\n"
    post = read(write_post("post.md", text.encode()), tmp_path)
    assert post.meta == {"title": "标题"}
    assert post.body.strip() == "第一段\n\n---\n\n第二段"


@pytest.mark.parametrize(
    "text",
    ["---\ntitle: 标题\n\n正文\n", "\n---\ntitle: 标题\n", "---\n"],
    ids=["body", "eof", "only"],
)
def test_unterminated_front_matter_is_an_error(tmp_path, text: str, write_post: WritePost) -> None:
    with pytest.raises(PostError) as caught:
        read(write_post("post.md", text.encode()), tmp_path)
    assert caught.value.field == "front matter"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("---\ntitle: a\nx: y: z\n---\nbody\n", 3),
        ("\n---\ntitle: a\nx: y: z\n---\nbody\n", 4),
        ("\n\n\n---\ntitle: a\ndate: 2021-09-10\nx: y: z\n---\nbody\n", 7),
        ("\n---\ntitle: a\ncategories:\n- 金融\n\tbad: 1\n---\nbody\n", 6),
        ("\r\n---\r\ntitle: a\r\nx: y: z\r\n---\r\nbody\r\n", 4),
        ("\ufeff\n---\ntitle: a\nx: y: z\n---\nbody\n", 4),
    ],
    ids=["no-blank", "one-blank", "three-blanks", "tab", "crlf", "bom"],
)
def test_invalid_yaml_is_an_error_with_its_line_number_in_the_file(
    tmp_path, text, line, write_post: WritePost
) -> None:
    path = write_post("post.md", text.encode("utf-8"))
    with pytest.raises(PostError) as caught:  # strict: no salvage (see test_salvage.py)
        read_post(path, posts_root(tmp_path), MAX_SIZE, salvage=False)
    assert caught.value.field == "front matter"
    numbers = [int(n) for n in re.findall(r"\bline (\d+)", caught.value.message)]
    assert numbers == [line], caught.value.message


@pytest.mark.parametrize(
    "value",
    [
        '!!python/object/apply:os.system ["touch {marker}"]',
        '!!python/object/apply:subprocess.call [["touch", "{marker}"]]',
        '!!python/object/new:subprocess.Popen [["touch", "{marker}"]]',
        "!!python/object/apply:pathlib.Path.touch [!!python/object/apply:pathlib.Path "
        '["{marker}"]]',
    ],
    ids=["os.system", "subprocess.call", "Popen", "Path.touch"],
)
def test_python_object_tags_are_refused_and_nothing_runs(
    tmp_path, value: str, write_post: WritePost
) -> None:
    marker = tmp_path / "pwned"
    text = f"---\ntitle: 标题\nx: {value.format(marker=marker)}\n---\nbody\n"
    with pytest.raises(PostError) as caught:
        read(write_post("post.md", text.encode()), tmp_path)
    assert caught.value.field == "front matter"
    time.sleep(0.05)  # a spawned process would have had the time to create it
    assert not marker.exists()


def test_a_python_tag_on_the_whole_front_matter_is_refused_and_nothing_runs(
    tmp_path, write_post: WritePost
) -> None:
    marker = tmp_path / "pwned"
    text = f'---\n!!python/object/apply:os.system ["touch {marker}"]\n---\nbody\n'
    with pytest.raises(PostError):
        read(write_post("post.md", text.encode()), tmp_path)
    time.sleep(0.05)
    assert not marker.exists()


@pytest.mark.parametrize(
    "value", ["!!python/name:os.system", "!!python/module:os", "!!python/tuple [1, 2]"]
)
def test_other_python_tags_are_refused(tmp_path, value: str, write_post: WritePost) -> None:
    text = f"---\nx: {value}\n---\nbody\n"
    with pytest.raises(PostError):
        read(write_post("post.md", text.encode()), tmp_path)


def _lists_bomb() -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    return "\n".join(lines)


def _mappings_bomb() -> str:
    lines = ["a: &a {k1: lol, k2: lol, k3: lol, k4: lol, k5: lol, k6: lol, k7: lol, k8: lol}"]
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        items = ", ".join(f"k{i}: *{previous}" for i in range(1, 10))
        lines.append(f"{name}: &{name} {{{items}}}")
    return "\n".join(lines)


def _pairs_bomb() -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        items = ", ".join(f"k{i}: *{previous}" for i in range(1, 10))
        lines.append(f"{name}: &{name} !!pairs [{items}]")
    return "\n".join(lines)


@pytest.mark.parametrize(
    "bomb", [_lists_bomb(), _mappings_bomb(), _pairs_bomb()], ids=["lists", "mappings", "pairs"]
)
def test_an_alias_bomb_is_refused_without_being_expanded(
    tmp_path, bomb: str, write_post: WritePost
) -> None:
    # Expanded, each bomb is 9**9 (387 million) strings: that would not end in time.
    text = f"---\ntitle: lol\n{bomb}\n---\nbody\n"
    path = write_post("post.md", text.encode())
    with pytest.raises(PostError) as caught:
        finishes_within(30, lambda: read(path, tmp_path))
    assert caught.value.field == "front matter"


@pytest.mark.parametrize(
    "front_matter", ["- a\n- b", "just a sentence", "42", "[1, 2]"], ids=str.split
)
def test_front_matter_that_is_not_a_mapping_is_an_error(
    tmp_path, front_matter: str, write_post: WritePost
) -> None:
    text = f"---\n{front_matter}\n---\nbody\n"
    with pytest.raises(PostError) as caught:
        read(write_post("post.md", text.encode()), tmp_path)
    assert caught.value.field == "front matter"


@pytest.mark.parametrize(
    "value",
    ["yes", "no", "on", "off", "true", "False", "1.10", "012", "1e3", "0x1F", ".inf", "1_000"],
)
def test_plain_values_stay_the_text_the_author_wrote(
    tmp_path, value: str, write_post: WritePost
) -> None:
    text = f"---\ntitle: {value}\ncategories: [{value}]\n---\nbody\n"
    post = read(write_post("post.md", text.encode()), tmp_path)
    assert post.meta["title"] == value
    assert post.meta["categories"] == [value]


def test_dates_stay_text_for_the_date_parser(tmp_path, write_post: WritePost) -> None:
    # postfeed.dates reads them (and reports 2021-02-30); YAML's resolver would raise.
    text = "---\ndate: 2021-09-10 19:48:10\nupdated: 2021-09-11\nbad: 2021-02-30\n---\nbody\n"
    post = read(write_post("post.md", text.encode()), tmp_path)
    assert post.meta["date"] == "2021-09-10 19:48:10"
    assert post.meta["updated"] == "2021-09-11"
    assert post.meta["bad"] == "2021-02-30"


def test_epoch_numbers_stay_text(tmp_path, write_post: WritePost) -> None:
    text = "---\ndate: 1631274490\n---\nbody\n"
    post = read(write_post("post.md", text.encode()), tmp_path)
    assert post.meta["date"] == "1631274490"


# --- read_post: TOML and JSON front matter (Hugo) ---------------------------------------

SHANGHAI = ZoneInfo("Asia/Shanghai")
INSTANT = datetime(2021, 9, 10, 11, 48, 10, tzinfo=UTC)  # 19:48:10 in Shanghai

TOML_POST = f"""+++
title = "{TITLE}"
date = 2021-09-10T19:48:10+08:00
categories = ["金融", "新闻"]
draft = false
weight = 3

[params]
source = "新华社"
+++
{BODY}
"""

JSON_POST = f"""{{
  "title": "{TITLE}",
  "date": "2021-09-10T19:48:10+08:00",
  "categories": ["金融", "新闻"],
  "draft": false,
  "params": {{"source": "新华社"}}
}}
{BODY}
"""


def front_matter_error(tmp_path: Path, write_post: WritePost, text: str | bytes) -> str:
    """The message of the PostError reading a post of `text` raises (field: front matter)."""
    data = text.encode() if isinstance(text, str) else text
    path = write_post("post.md", data)
    with pytest.raises(PostError) as caught:
        finishes_within(30, lambda: read(path, tmp_path))
    assert caught.value.field == "front matter"
    return caught.value.message


def error_lines(message: str) -> list[int]:
    return [int(number) for number in re.findall(r"\bline (\d+)", message)]


@pytest.mark.parametrize("text", [TOML_POST, JSON_POST], ids=["toml", "json"])
def test_toml_and_json_front_matter_are_read_as_hugo_reads_them(
    tmp_path, text: str, write_post: WritePost
) -> None:
    post = read(write_post("post.md", text.encode()), tmp_path)
    assert post.meta["title"] == TITLE
    assert post.meta["categories"] == ["金融", "新闻"]
    assert post.meta["draft"] is False
    assert post.meta["params"] == {"source": "新华社"}
    assert parse_date(post.meta["date"], SHANGHAI) == INSTANT
    assert post.body == BODY + "\n"
    assert post.warnings == ()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-09-10T19:48:10+08:00", INSTANT),
        ("2021-09-10T11:48:10Z", INSTANT),
        ("2021-09-10 19:48:10", INSTANT),  # a local date-time: the configured zone
        ("2021-09-10", datetime(2021, 9, 9, 16, 0, tzinfo=UTC)),  # midnight there
    ],
)
def test_toml_dates_are_typed_values_the_date_reader_accepts(
    tmp_path, value: str, expected: datetime, write_post: WritePost
) -> None:
    post = read(write_post("post.md", f"+++\ndate = {value}\n+++\nbody\n".encode()), tmp_path)
    assert isinstance(post.meta["date"], date)
    assert parse_date(post.meta["date"], SHANGHAI) == expected


def test_a_quoted_toml_date_stays_text_for_the_date_reader(tmp_path, write_post) -> None:
    text = '+++\ndate = "2021-09-10T19:48:10+08:00"\n+++\nbody\n'
    post = read(write_post("post.md", text.encode()), tmp_path)
    assert post.meta["date"] == "2021-09-10T19:48:10+08:00"


@pytest.mark.parametrize(
    "prefix", [b"\n\n", codecs.BOM_UTF8, codecs.BOM_UTF8 + b" \n"], ids=["blank", "bom", "both"]
)
@pytest.mark.parametrize("text", [TOML_POST, JSON_POST], ids=["toml", "json"])
def test_toml_and_json_front_matter_may_follow_blank_lines_and_a_bom(
    tmp_path, prefix: bytes, text: str, write_post: WritePost
) -> None:
    post = read(write_post("post.md", prefix + text.encode()), tmp_path)
    assert post.meta["title"] == TITLE
    assert post.body.strip() == BODY


@pytest.mark.parametrize("text", [TOML_POST, JSON_POST], ids=["toml", "json"])
def test_toml_and_json_front_matter_with_crlf_line_ends_are_read(
    tmp_path, text: str, write_post: WritePost
) -> None:
    post = read(write_post("post.md", text.replace("\n", "\r\n").encode()), tmp_path)
    assert post.meta["title"] == TITLE
    assert post.body == BODY + "\n"


def test_the_body_after_toml_front_matter_may_hold_more_plus_lines(tmp_path, write_post) -> None:
    text = '+++\ntitle = "标题"\n+++\n第一段\n\n+++\n\n第二段\n'
    post = read(write_post("post.md", text.encode()), tmp_path)
    assert post.meta == {"title": "标题"}
    assert post.body == "第一段\n\n+++\n\n第二段\n"


@pytest.mark.parametrize("text", ["+++\n+++\nbody\n", "{}\nbody\n"], ids=["toml", "json"])
def test_empty_toml_or_json_front_matter_is_an_empty_mapping(
    tmp_path, text: str, write_post: WritePost
) -> None:
    post = read(write_post("post.md", text.encode()), tmp_path)
    assert post.meta == {}
    assert post.body == "body\n"


def test_braces_and_quotes_inside_json_strings_do_not_end_the_front_matter(
    tmp_path, write_post: WritePost
) -> None:
    text = '{"title": "a } b { c \\" }", "x": {"y": "}}"}}\n正文 {x}\n'
    post = read(write_post("post.md", text.encode()), tmp_path)
    assert post.meta == {"title": 'a } b { c " }', "x": {"y": "}}"}}
    assert post.body == "正文 {x}\n"


@pytest.mark.parametrize(
    "text",
    [
        "{% raw %}{{ x }}{% endraw %}\n正文\n",
        "{{< youtube abc >}}\n正文\n",
        "{{ site.title }}\n",
        "{x} 正文\n",
        "+++ 加号开头的一行\n正文\n",
    ],
    ids=["liquid", "shortcode", "variable", "brace-text", "plus-text"],
)
def test_a_body_that_only_starts_like_toml_or_json_is_all_body(
    tmp_path, text: str, write_post: WritePost
) -> None:
    post = read(write_post("post.md", text.encode()), tmp_path)
    assert post.meta == {}
    assert post.body == text


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('+++\ntitle = "a"\nx = = 1\n+++\nbody\n', 3),
        ('\n\n+++\ntitle = "a"\nx = = 1\n+++\nbody\n', 5),
        ('\r\n+++\r\ntitle = "a"\r\nx = = 1\r\n+++\r\nbody\r\n', 4),
        ('+++\ntitle = "a\n+++\nbody\n', 2),
        ('+++\ntitle = "a"\ntitle = "b"\n+++\nbody\n', 3),
    ],
    ids=["no-blank", "two-blanks", "crlf", "open-string", "duplicate-key"],
)
def test_invalid_toml_is_an_error_with_its_line_number_in_the_file(
    tmp_path, text: str, line: int, write_post: WritePost
) -> None:
    message = front_matter_error(tmp_path, write_post, text)
    assert "TOML" in message
    assert error_lines(message) == [line], message


def test_invalid_toml_is_never_salvaged_as_simple_lines(tmp_path, write_post: WritePost) -> None:
    path = write_post("post.md", b"+++\ntitle: not toml\n+++\nbody\n")
    with pytest.raises(PostError) as caught:
        read_post(path, posts_root(tmp_path), MAX_SIZE, salvage=True)
    assert "TOML" in caught.value.message


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('{"title": "a",\n "x": ,\n "y": 1}\nbody\n', 2),
        ('\n\n{"title": "a",\n "x": ,\n "y": 1}\nbody\n', 4),
        ('{"title": "a",\n "title2": "b",}\nbody\n', 2),
    ],
    ids=["no-blank", "two-blanks", "trailing-comma"],
)
def test_invalid_json_is_an_error_with_its_line_number_in_the_file(
    tmp_path, text: str, line: int, write_post: WritePost
) -> None:
    message = front_matter_error(tmp_path, write_post, text)
    assert "JSON" in message
    assert error_lines(message) == [line], message


@pytest.mark.parametrize(
    "text",
    ['+++\ntitle = "a"\nbody\n', "+++\n", "+++", '\n+++\ntitle = "a"\n---\nbody\n'],
    ids=["body", "only-opening-line", "no-line-end", "yaml-closing"],
)
def test_toml_front_matter_never_closed_is_an_error(
    tmp_path, text: str, write_post: WritePost
) -> None:
    assert "+++" in front_matter_error(tmp_path, write_post, text)


@pytest.mark.parametrize(
    "text",
    ['{"title": "a"\nbody\n', '{"title": "a }\nbody\n', '{"a": {"b": 1}', '{"'],
    ids=["body", "open-string", "nested", "only-opening"],
)
def test_json_front_matter_never_closed_is_an_error(
    tmp_path, text: str, write_post: WritePost
) -> None:
    assert "never closed" in front_matter_error(tmp_path, write_post, text)


def test_huge_toml_front_matter_is_refused_before_toml_reads_it(tmp_path, write_post) -> None:
    lines = "".join(f'key{n} = "{"值" * 40}"\n' for n in range(MAX_FRONT_MATTER_CHARS // 40))
    message = front_matter_error(tmp_path, write_post, f"+++\n{lines}+++\nbody\n")
    assert re.search(r"over 262,144 characters", message), message


@pytest.mark.parametrize(
    "inside",
    [
        '"title": "' + "x" * (MAX_FRONT_MATTER_CHARS + 10) + '"}',
        '"title": "' + "x" * 9_000_000,  # a string never closed: only the limit is scanned
        '"a": "' + '\\"' * 2_000_000,  # escaped quotes, over and over
        '"a": ' + "{" * 3_000_000,
    ],
    ids=["long-value", "open-string", "escaped-quotes", "open-braces"],
)
def test_huge_json_front_matter_is_refused_before_json_reads_it(
    tmp_path, inside: str, write_post: WritePost
) -> None:
    message = front_matter_error(tmp_path, write_post, "{" + inside + "\nbody\n")
    assert "over 262,144 characters" in message, message


@pytest.mark.parametrize(
    "text",
    [
        "+++\na = " + "[" * 50_000 + "]" * 50_000 + "\n+++\nbody\n",
        "+++\na = " + "{b = " * 30_000 + "1" + "}" * 30_000 + "\n+++\nbody\n",
        "+++\n[" + ".".join(["a"] * 50_000) + "]\nb = 1\n+++\nbody\n",
        "+++\n" + " . ".join(["a"] * 60_000) + " = 1\n+++\nbody\n",
        "+++\n" + ".".join(["a"] * 101) + " = 1\n+++\nbody\n",
        '{"a": ' + "[" * 50_000 + "]" * 50_000 + "}\nbody\n",
        '{"a": ' + '{"b": ' * 30_000 + "1" + "}" * 30_001 + "\nbody\n",
        '{"a": ' + "[" * 150 + "]" * 150 + "}\nbody\n",
    ],
    ids=["toml-arrays", "toml-inline-tables", "toml-dotted-table", "toml-dotted-key",
         "toml-101-parts", "json-arrays", "json-objects", "json-150-levels"],
)  # fmt: skip
def test_deeply_nested_toml_or_json_is_an_error_not_a_crash(
    tmp_path, text: str, write_post: WritePost
) -> None:
    assert "levels deep" in front_matter_error(tmp_path, write_post, text)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": ' + "[" * 20 + "1" + "]" * 20 + "}\nbody\n",
        "+++\n[" + ".".join(["a"] * 20) + "]\nb = 1\n+++\nbody\n",
    ],
    ids=["json", "toml"],
)
def test_nesting_deeper_than_real_posts_need_is_still_read(
    tmp_path, text: str, write_post: WritePost
) -> None:
    post = read(write_post("post.md", text.encode()), tmp_path)
    assert list(post.meta) == ["a"]


@pytest.mark.parametrize(
    "text",
    ["+++\nn = " + "9" * 5_000 + "\n+++\nbody\n", '{"n": ' + "9" * 5_000 + "}\nbody\n"],
    ids=["toml", "json"],
)
def test_an_integer_of_thousands_of_digits_is_an_error(
    tmp_path, text: str, write_post: WritePost
) -> None:
    front_matter_error(tmp_path, write_post, text)


# --- read_post: size limit ----------------------------------------------------------------


def test_a_file_over_max_size_is_an_error_naming_its_size(tmp_path, write_post: WritePost) -> None:
    path = write_post("big.md", b"x" * 2345)
    with pytest.raises(PostError) as caught:
        read(path, tmp_path, max_size=1000)
    assert re.search(r"2,?345", str(caught.value)), str(caught.value)


def test_a_file_over_max_size_is_refused_without_being_read(
    tmp_path, write_post: WritePost
) -> None:
    # A terabyte that takes no room on disk: read, it would not fit in memory or in any
    # time a test has; refused from its size, it costs nothing.
    path = write_post("huge.md", b"")
    os.truncate(path, 10**12)
    with pytest.raises(PostError) as caught:
        finishes_within(30, lambda: read(path, tmp_path))
    assert caught.value.field == "file"
    assert re.search(r"1,?000,?000,?000,?000", str(caught.value)), str(caught.value)


def test_a_file_of_exactly_max_size_is_read(tmp_path, write_post: WritePost) -> None:
    data = POST.encode("utf-8")
    post = read(write_post("post.md", data), tmp_path, max_size=len(data))
    assert post.meta["title"] == TITLE


# --- split_front_matter -------------------------------------------------------------------


def test_split_front_matter_returns_the_mapping_and_the_body() -> None:
    meta, body = split_front_matter("---\ntitle: 标题\ntags: [a, b]\n---\n正文\n")
    assert meta == {"title": "标题", "tags": ["a", "b"]}
    assert body.strip() == "正文"


def test_split_front_matter_accepts_a_leading_blank_line() -> None:
    meta, body = split_front_matter("\n---\ntitle: 标题\n---\n正文\n")
    assert meta == {"title": "标题"}
    assert body.strip() == "正文"


def test_split_front_matter_without_front_matter_is_all_body() -> None:
    assert split_front_matter("正文\n第二行\n") == ({}, "正文\n第二行\n")


def test_split_front_matter_keys_are_text() -> None:
    meta, _ = split_front_matter("---\n2021: year\n---\n")
    assert meta == {"2021": "year"}


def test_a_post_is_read_to_its_end_even_if_it_grew_after_it_was_opened(tmp_path) -> None:
    from postfeed.reader import _read_open

    path = tmp_path / "grown.md"
    path.write_bytes(b"x" * 200_000)
    descriptor = os.open(path, os.O_RDONLY)
    try:
        assert _read_open(descriptor, 10, 1_000_000) == b"x" * 200_000  # as if it grew
        os.lseek(descriptor, 0, os.SEEK_SET)
        assert _read_open(descriptor, 200_000, 150_001) == b"x" * 150_001  # no more than the limit
        os.lseek(descriptor, 0, os.SEEK_SET)
        assert _read_open(descriptor, 300_000, 1_000_000) == b"x" * 200_000  # it shrank
    finally:
        os.close(descriptor)


@pytest.mark.parametrize(
    "text",
    [
        "a: 1", "a: yes\nb: 1.10\nc: 2021-02-30", "a: ~\nb:\nc: null", "a: [x, y, {z: w}]",
        "? [a]\n: b", "<<: {a: 1}\nb: 2", "a: !!int 5", "a: !!str 5", "a: !!binary aGk=", "=: x",
        "a: &x [1]\nb: *x", "- a\n- b", "just text", "", "a: b\na: c", "a: !!set {x, y}",
        "a: !!str [1]", "a: !!python/object:os.system x", "a: [", "a: !!timestamp 2021-02-30",
        "? !!null\n: x", "a: !foo x", "a:\n  - [1, [2, [3]]]\n  - {k: {l: m}}", "a: 1\n---\nb: 2",
        "a: " + "[" * 3000 + "]" * 3000,
    ],
)  # fmt: skip
def test_front_matter_built_from_the_nodes_is_what_pyyaml_builds(text: str) -> None:
    import yaml

    from postfeed.reader import _FrontMatterLoader, _load_yaml

    def outcome(load: Callable[[str], object]) -> tuple[object, ...]:
        try:
            return ("value", load(text))
        except Exception as error:  # the same error, or the same value
            return ("error", type(error), str(error))

    ours, pyyaml = outcome(_load_yaml), outcome(lambda t: yaml.load(t, Loader=_FrontMatterLoader))
    # (PyYAML before 6.0.4 reads 3,000 nested lists: comparing them takes 3,000 frames)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))
    try:
        assert ours == pyyaml
    finally:
        sys.setrecursionlimit(limit)


def test_front_matter_scalars_resolve_as_pyyaml_resolves_them() -> None:
    import random

    import yaml

    from postfeed.reader import _FrontMatterLoader

    loader = _FrontMatterLoader("")
    chooser = random.Random(3)
    values = ["~", "null", "Null", "NULL", "", "<<", "=", "!", "&", "*", "null\n", "yes", "1.10"]
    values += [
        "".join(chooser.choices("~nulNL<=!&* \nxy", k=chooser.randint(0, 5))) for _ in range(5000)
    ]
    for value in values:
        for implicit in ((True, False), (False, True), (False, False), (True, True)):
            expected = yaml.resolver.BaseResolver.resolve(loader, yaml.ScalarNode, value, implicit)
            assert loader.resolve(yaml.ScalarNode, value, implicit) == expected, (value, implicit)
    loader.dispose()


def test_simple_front_matter_read_without_the_parser_is_what_yaml_reads() -> None:
    import random

    import yaml

    from postfeed.reader import _FrontMatterLoader, _load_yaml, _simple_yaml

    def outcome(load: Callable[[str], object], text: str) -> tuple[object, ...]:
        try:
            return ("value", load(text))
        except Exception as error:  # the same error, or the same value
            return ("error", type(error), str(error))

    keys = ["title", "tags", "null", "a-b", "_x", "1", "yes", "Null"]
    values = ['"x"', "'y'", '"a: b"', '"a # b"', "plain text", "a:b", "a: b", "a #b", "a#b",
              "a:", "2020-01-01T10:00:00", "~", "null", "", "[]", "[a]", '"q"x"', "'it''s'",
              '"back\\\\slash"', "中文 標題", "-5", "x -", "<<", "=", "1.10", "a  b", "'", '"',
              "a'b", "@x", "x@", "a,b", "{a}", "*x", "&x y", "!x", "|", ">", "? x", "a\tb",
              "http://x.org/a?b=c#d", "#c", "\u2028", "\ufeffx"]  # fmt: skip
    chooser = random.Random(5)
    simple = 0
    for _ in range(20_000):
        lines = []
        for _ in range(chooser.randint(1, 5)):
            key, kind = chooser.choice(keys), chooser.random()
            if kind < 0.6:
                lines.append(f"{key}: {chooser.choice(values)}" + chooser.choice(["", " "]))
            elif kind < 0.95:
                lines.append(f"{key}:")
                indent = chooser.choice(["", "  ", "    "])
                for _ in range(chooser.randint(0, 3)):
                    start = chooser.choice([indent, indent, " "]) + chooser.choice(["- ", "-"])
                    lines.append(start + chooser.choice(values))
            else:
                lines.append(chooser.choice(["", "  ", "# c", "---", "  x", "k:v"]))
        text = "\n".join(lines) + chooser.choice(["", "\n"])
        simple += _simple_yaml(text) is not None
        expected = outcome(lambda t: yaml.load(t, Loader=_FrontMatterLoader), text)
        assert outcome(_load_yaml, text) == expected, text
    assert simple > 1000  # the short way was taken, and gave what YAML gives


@pytest.mark.parametrize(
    "value", ["a" * 200_000 + ":", "a " * 100_000 + "#", "a:b " * 50_000 + ": "]
)
def test_long_values_are_read_by_the_simple_reader_in_linear_time(value: str) -> None:
    from postfeed.reader import _simple_yaml

    # Work that backtracks over the value would take hours; the test would not finish.
    for text in (f"title: {value}", f"tags:\n  - {value}", f"title: {value}   \n"):
        assert _simple_yaml(text) is None


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="open descriptors listed in /proc")
def test_posts_read_with_their_folders_kept_open_are_the_same_and_nothing_is_left_open(
    tmp_path: Path, write_post: WritePost
) -> None:
    from postfeed.reader import folders_kept

    paths = [write_post(f"a/b/{n}.md", post_text(f"第 {n} 篇")) for n in range(3)]
    paths.append(write_post("c/d.md", post_text("别处")))
    alone = [read(path, tmp_path) for path in paths]
    before = len(list(Path("/proc/self/fd").iterdir()))
    with folders_kept():
        kept = [read(path, tmp_path) for path in paths]
    assert kept == alone
    assert len(list(Path("/proc/self/fd").iterdir())) == before
