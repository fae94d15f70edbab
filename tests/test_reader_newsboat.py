"""A real feed reader subscribes to the sample feeds: newsboat stores every item as written.

The sample posts (posts/ with the settings of postfeed.toml) are built to a
temporary folder and served on 127.0.0.1. A fresh newsboat, with its own
configuration and cache, reloads each feed headless; its sqlite cache is then
compared with the feed: every item, its title, and its real date (newsboat
stamps the fetch time on an item whose date it cannot read).
"""

from __future__ import annotations

import functools
import http.server
import shutil
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from lxml import etree

from postfeed.cli import main

import newsboat

REPO = Path(__file__).resolve().parent.parent
ATOM = "{http://www.w3.org/2005/Atom}"
NEWSBOAT = shutil.which("newsboat")

pytestmark = pytest.mark.skipif(
    NEWSBOAT is None,
    reason="newsboat is not on PATH (apt-get install newsboat; CI installs it)",
)


@dataclass(frozen=True)
class Item:
    title: str
    date: int  # seconds since the epoch


@dataclass
class Reading:
    """What one newsboat run stored for one feed."""

    feed_title: str | None
    items: dict[str, Item]  # by guid
    output: str


@pytest.fixture(scope="module")
def sample_feeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("sample-feeds")
    status = main(
        [
            *("build", "--config", str(REPO / "postfeed.toml")),
            *("--posts", str(REPO / "posts"), "--output", str(output), "-q"),
        ]
    )
    assert status == 0
    return output


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(sample_feeds: Path) -> Iterator[str]:
    """The feeds folder on http://127.0.0.1:PORT/, for as long as the module runs."""
    handler = functools.partial(_QuietHandler, directory=str(sample_feeds))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    # A short poll: shutdown() waits for it (half a second by default).
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def read_with_newsboat(url: str, work: Path) -> Reading:
    """Subscribe a fresh newsboat to `url`, reload once, and read its cache."""
    home = work / "home"
    home.mkdir(parents=True)
    (work / "urls").write_text(url + "\n", encoding="utf-8")
    newsboat.write_config(work / "config", work / "error.log")
    cache = work / "cache.db"
    env = newsboat.environment(home)
    process = subprocess.run(
        [
            *(NEWSBOAT, "-u", str(work / "urls"), "-c", str(cache)),
            *("-C", str(work / "config"), "-x", "reload"),
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert process.returncode == 0, process.stdout + process.stderr
    errors = work / "error.log"
    output = process.stdout + process.stderr
    if errors.exists():
        output += errors.read_text(encoding="utf-8", errors="replace")
    assert cache.is_file(), f"newsboat wrote no cache: {output}"
    with sqlite3.connect(cache) as db:
        feed = db.execute("SELECT title FROM rss_feed WHERE rssurl = ?", (url,)).fetchone()
        rows = db.execute(
            "SELECT guid, title, pubDate FROM rss_item WHERE feedurl = ? AND deleted = 0", (url,)
        ).fetchall()
    db.close()
    items = {guid: Item(title, int(date)) for guid, title, date in rows}
    return Reading(feed[0] if feed else None, items, output)


def rss_items(path: Path) -> dict[str, Item]:
    channel = etree.parse(str(path)).getroot().find("channel")
    return {
        item.findtext("guid"): Item(
            item.findtext("title"), int(parsedate_to_datetime(item.findtext("pubDate")).timestamp())
        )
        for item in channel.iter("item")
    }


def atom_entries(path: Path) -> dict[str, Item]:
    feed = etree.parse(str(path)).getroot()
    entries = {}
    for entry in feed.iter(f"{ATOM}entry"):
        published = entry.findtext(f"{ATOM}published") or entry.findtext(f"{ATOM}updated")
        date = datetime.fromisoformat(published.replace("Z", "+00:00"))
        entries[entry.findtext(f"{ATOM}id")] = Item(
            entry.findtext(f"{ATOM}title"), int(date.timestamp())
        )
    return entries


FEEDS = {"rss.xml": rss_items, "atom.xml": atom_entries}


@pytest.mark.parametrize("name", FEEDS.keys())
def test_newsboat_stores_every_item_with_its_title_and_real_date(
    sample_feeds: Path, served: str, tmp_path: Path, name: str
) -> None:
    expected = FEEDS[name](sample_feeds / name)
    assert expected, f"{name} has no items"

    reading = read_with_newsboat(served + name, tmp_path / "newsboat")

    assert reading.feed_title == "postfeed samples", reading.output
    # Every date as the feed has it: one newsboat could not read would be the fetch time.
    assert reading.items == expected, reading.output
