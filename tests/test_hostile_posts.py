"""Posts a hostile archive holds: each is published correctly or reported, and the
build goes on. (Found by an audit with a folder of deliberately broken posts.)"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from lxml import etree

from postfeed.build import build
from postfeed.config import load_config

SITE = "https://news.example.org/"


def write(posts: Path, name: str | bytes, text: str) -> None:
    folder = os.fsencode(posts)
    target = os.path.join(folder, name if isinstance(name, bytes) else os.fsencode(name))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as file:
        file.write(text.encode("utf-8"))


def post(
    title: str, date: str = "2021-09-10 10:00:00", body: str = "正文。", extra: str = ""
) -> str:
    return f"---\ntitle: {title}\ndate: {date}\n{extra}---\n\n{body}\n"


def run(tmp_path: Path):
    posts = tmp_path / "posts"
    config = load_config(None, posts=posts, output=tmp_path / "out", site_url=SITE, limit=500)
    result = build(config)
    rss = etree.parse(str(tmp_path / "out" / "rss.xml"))
    reported = {p.path.name: p for p in result.problems if p.fatal}
    assert not any(p.field == "internal error" for p in result.problems), result.problems
    return result, rss, reported


def items(rss: etree._Element) -> dict[str, etree._Element]:
    return {item.findtext("title"): item for item in rss.iter("item")}


def test_a_file_name_that_is_not_utf8_is_reported_and_the_rest_published(tmp_path: Path) -> None:
    posts = tmp_path / "posts"
    write(posts, b"bad-\xff\xfe.md", post("坏名字"))
    write(posts, "good.md", post("好"))
    _, rss, reported = run(tmp_path)
    assert list(items(rss)) == ["好"]
    (problem,) = reported.values()
    assert "not valid UTF-8" in problem.message and "\\xff" in str(problem.path)


def test_a_fifo_named_like_a_post_is_skipped_not_waited_on(tmp_path: Path) -> None:
    posts = tmp_path / "posts"
    write(posts, "good.md", post("好"))
    os.mkfifo(posts / "pipe.md")
    _, rss, reported = run(tmp_path)  # would block forever opening the FIFO
    assert list(items(rss)) == ["好"] and reported == {}


def test_a_folder_that_cannot_be_read_costs_only_its_posts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    posts = tmp_path / "posts"
    write(posts, "locked/a.md", post("锁住的"))
    write(posts, "good.md", post("好"))
    real_open, real_scandir = os.open, os.scandir

    def refusing(real):  # root may read any folder; make this one refuse
        def call(path, *args, **kwargs):
            if str(path).endswith("locked"):
                raise PermissionError(13, "Permission denied", str(path))
            return real(path, *args, **kwargs)

        return call

    monkeypatch.setattr(os, "open", refusing(real_open))  # a folder is listed through
    monkeypatch.setattr(os, "scandir", refusing(real_scandir))  # a descriptor, or by name
    _, rss, reported = run(tmp_path)
    assert list(items(rss)) == ["好"]
    assert reported["locked"].message == "folder cannot be read: Permission denied"


@pytest.mark.parametrize(
    "extra",
    [
        'author: "新浪\\uFFFE财经"\n',
        'categories: ["金\\uFFFF融"]\n',
        'description: "摘\\uFFFE要"\n',
    ],
)
def test_noncharacters_that_xml_forbids_are_removed_from_every_field(
    tmp_path: Path, extra: str
) -> None:
    write(tmp_path / "posts", "a.md", post('"标\\uFFFE题"', extra=extra))
    _, rss, _ = run(tmp_path)
    text = (tmp_path / "out" / "rss.xml").read_text(encoding="utf-8")
    assert "\ufffe" not in text and "\uffff" not in text
    assert list(items(rss)) == ["标题"]


@pytest.mark.parametrize("date", ["9999-12-31T23:59:59Z", "Fri, 31 Dec 9999 23:59:59 GMT"])
def test_a_date_at_the_end_of_time_is_a_date_error(tmp_path: Path, date: str) -> None:
    write(tmp_path / "posts", "end.md", post("世界末日", date=date))
    _, _, reported = run(tmp_path)
    assert reported["end.md"].field == "date"
    assert "out of range" in reported["end.md"].message


def test_an_unclosed_object_or_math_element_does_not_swallow_the_article(tmp_path: Path) -> None:
    body = "<p>第一段。</p><object data='x.swf'><p>第二段。</p><math><mtext><table><p>第三段。</p>"
    write(tmp_path / "posts", "a.html", post("对象", body=body))
    _, rss, _ = run(tmp_path)
    content = rss.findtext("channel/item/{http://purl.org/rss/1.0/modules/content/}encoded")
    assert all(text in content for text in ("第一段", "第二段", "第三段"))
    assert "<object" not in content and "<math" not in content


def test_two_posts_claiming_one_id_are_both_published_the_older_keeping_it(
    tmp_path: Path,
) -> None:
    posts = tmp_path / "posts"
    write(posts, "a.md", post("新", date="2021-09-11 10:00:00", extra="id: urn:x-test:same\n"))
    write(posts, "b.md", post("旧", date="2021-09-10 10:00:00", extra="id: urn:x-test:same\n"))
    result, rss, _ = run(tmp_path)
    guids = {item.findtext("title"): item.findtext("guid") for item in rss.iter("item")}
    assert guids["旧"] == "urn:x-test:same"
    assert guids["新"].startswith("urn:uuid:") and guids["新"] != "urn:x-test:same"
    (warning,) = [p for p in result.problems if p.field == "id"]
    assert warning.path.name == "a.md" and not warning.fatal
    assert "b.md" in warning.message and guids["新"] in warning.message
    assert result.collection.rejected == 0


def test_a_post_cannot_take_the_id_another_post_has_from_its_path(tmp_path: Path) -> None:
    posts = tmp_path / "posts"
    write(posts, "victim.md", post("受害者"))
    run(tmp_path)
    victim_id = next(etree.parse(str(tmp_path / "out" / "rss.xml")).iter("guid")).text
    # An older post, first in path order, copies the victim's id.
    write(posts, "0-thief.md", post("小偷", date="2001-01-01 10:00:00", extra=f"id: {victim_id}\n"))
    _, rss, _ = run(tmp_path)
    guids = {item.findtext("title"): item.findtext("guid") for item in rss.iter("item")}
    assert guids["受害者"] == victim_id
    assert guids["小偷"] != victim_id


def test_values_that_are_not_text_never_show_as_python(tmp_path: Path) -> None:
    write(tmp_path / "posts", "a.md", post("{a: b}", extra="categories: !!set {乙, 甲, 丙}\n"))
    _, rss, _ = run(tmp_path)
    (item,) = rss.iter("item")
    assert "{" not in item.findtext("title") and "'" not in item.findtext("title")
    assert [c.text for c in item.iter("category")] == sorted(["甲", "乙", "丙"])


def test_a_set_of_categories_gives_the_same_feeds_whatever_the_hash_seed(tmp_path: Path) -> None:
    import subprocess
    import sys

    write(tmp_path / "posts", "a.md", post("集合", extra="categories: !!set {a, b, c, d}\n"))
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        subprocess.run(
            [sys.executable, "-m", "postfeed", "build", "-q", "--posts", str(tmp_path / "posts"),
             "--output", str(out), "--site-url", SITE],
            check=True, env={**os.environ, "PYTHONHASHSEED": seed}, cwd=tmp_path,
        )  # fmt: skip
        outputs.append((out / "rss.xml").read_bytes())
    assert outputs[0] == outputs[1]


def test_tags_that_repeat_a_category_are_written_once(tmp_path: Path) -> None:
    write(
        tmp_path / "posts",
        "a.md",
        post("标签", extra="categories: AI\ntags: [ＡＩ, ai, 机器学习]\n"),
    )
    _, rss, _ = run(tmp_path)
    assert [c.text for c in rss.iter("category")] == ["AI", "机器学习"]


def test_a_title_encoded_twice_is_decoded_twice(tmp_path: Path) -> None:
    write(tmp_path / "posts", "a.md", post("'AT&amp;amp;T &amp;lt;b&amp;gt;涨了'"))
    _, rss, _ = run(tmp_path)
    assert list(items(rss)) == ["AT&T 涨了"]


def test_an_empty_body_still_gives_the_entry_some_text(tmp_path: Path) -> None:
    write(tmp_path / "posts", "a.md", post("只有标题", body=""))
    _, rss, _ = run(tmp_path)
    assert rss.findtext("channel/item/description") == "只有标题"
    atom = etree.parse(str(tmp_path / "out" / "atom.xml"))
    assert (
        atom.findtext("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}summary")
        == "只有标题"
    )


def test_c1_control_characters_never_reach_a_feed(tmp_path: Path) -> None:
    # U+0085 and U+0096 are cp1252 bytes read as Latin-1: never text, flagged by validators.
    write(tmp_path / "posts", "a.md", post('"C1\\x85标题"', body="正文\u0096结束。"))
    run(tmp_path)
    for name in ("rss.xml", "atom.xml", "feed.json"):
        text = (tmp_path / "out" / name).read_text(encoding="utf-8")
        assert "\x85" not in text and "\x96" not in text
        assert "正文结束" in text
