"""The reference post, end to end: posts in, feeds out, as a user runs it."""

from __future__ import annotations

from pathlib import Path

import feedparser
from lxml import etree

from postfeed.cli import main

from conftest import SAMPLE_SEED, WritePost

SITE = "https://feeds.example.org/"


def build_seed(tmp_path: Path, write_post: WritePost) -> tuple[etree._Element, etree._Element]:
    posts = write_post(SAMPLE_SEED.name, SAMPLE_SEED.read_bytes()).parent
    status = main(
        ["build", "--posts", str(posts), "--output", str(tmp_path / "out"), "--site-url", SITE]
    )
    assert status == 0
    rss = etree.parse(str(tmp_path / "out" / "rss.xml")).getroot()
    atom = etree.parse(str(tmp_path / "out" / "atom.xml")).getroot()
    return rss, atom


def test_seed_rss_item_is_exact(tmp_path: Path, write_post: WritePost) -> None:
    rss, _ = build_seed(tmp_path, write_post)
    items = rss.findall("channel/item")
    assert len(items) == 1
    item = items[0]
    assert item.findtext("title") == "一口气签七份协议，长江中游三省成立协同发展联合办公室"
    assert item.findtext("pubDate") == "Fri, 10 Sep 2021 11:48:10 GMT"
    assert rss.findtext("channel/lastBuildDate") == "Fri, 10 Sep 2021 11:48:10 GMT"
    assert [c.text for c in item.findall("category")] == ["金融", "新浪财经", "新浪财经－国內"]
    assert item.findtext("{http://purl.org/dc/elements/1.1/}creator") == "新浪财经"
    thumbnail = item.find("{http://search.yahoo.com/mrss/}thumbnail")
    assert thumbnail.get("url") == "https://n.sinaimg.cn/finance/cece9e13/20200514/343233024.png"


def test_seed_content_keeps_the_article_and_drops_the_boilerplate(
    tmp_path: Path, write_post: WritePost
) -> None:
    rss, _ = build_seed(tmp_path, write_post)
    content = rss.findtext("channel/item/{http://purl.org/rss/1.0/modules/content/}encoded")
    paragraphs = etree.HTML(content).findall(".//p")
    texts = [p.xpath("string()") for p in paragraphs]
    assert any(t.startswith("\u3000\u300021世纪经济报道记者刘茜") for t in texts)
    assert any("（作者：刘茜 编辑：张伟贤）" in t for t in texts)
    assert sum(1 for t in texts if t.startswith("\u3000\u3000") and "原标题" not in t) == 8
    for unwanted in ("<!--", "<style", "<font", "cms-style", "appendQr", "新浪财经APP", "责任编辑"):
        assert unwanted not in content


def test_seed_atom_entry_dates_equal_the_feed_date(tmp_path: Path, write_post: WritePost) -> None:
    _, atom = build_seed(tmp_path, write_post)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert atom.findtext("a:updated", namespaces=ns) == "2021-09-10T11:48:10Z"
    entry = atom.find("a:entry", ns)
    assert entry.findtext("a:published", namespaces=ns) == "2021-09-10T11:48:10Z"
    assert entry.findtext("a:updated", namespaces=ns) == "2021-09-10T11:48:10Z"
    assert len(entry.findall("a:link", ns)) == 1


def test_seed_feeds_parse_cleanly_with_feedparser(tmp_path: Path, write_post: WritePost) -> None:
    build_seed(tmp_path, write_post)
    for name in ("rss.xml", "atom.xml"):
        parsed = feedparser.parse(str(tmp_path / "out" / name))
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert len(parsed.entries) == 1
