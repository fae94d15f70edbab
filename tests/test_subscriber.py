"""End to end, as a subscriber would: the real `postfeed serve`, a real reader, a real browser.

`postfeed serve` runs as its own process on 127.0.0.1 and rebuilds as posts change.

- newsboat, fresh for each feed (its own configuration and cache), subscribes to the
  served RSS, Atom or CJK category feed and reloads headless after each change to the
  posts: a new post is one new item, an edited post is the same item with the new
  title (never a second one), a deleted post leaves the reader without error.
- Chromium (headless) loads the index page: feed addresses and autodiscovery links
  that work, every title as text, no script; and takes a screenshot of it.

Each test ends by stopping the server as a person would, with Ctrl-C (SIGINT).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import lxml.html
import pytest
from lxml import etree

import newsboat
from conftest import WritePost, post_text
from newsboat import PROXY_VARIABLES

pytestmark = pytest.mark.slow  # real readers and a real browser

NEWSBOAT = shutil.which("newsboat")
CHROMIUM = shutil.which("chromium")

needs_newsboat = pytest.mark.skipif(
    NEWSBOAT is None, reason="newsboat is not on PATH (apt-get install newsboat; CI installs it)"
)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not on PATH (apt-get install chromium; CI installs it)"
)

SITE_URL = "https://news.example.org/"
CATEGORY = "科技新闻"
ATOM = "{http://www.w3.org/2005/Atom}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

START_SECONDS = 60  # the first build and the interpreter's start, on a loaded machine
REBUILD_SECONDS = 30  # a rebuild is due every 0.2 s; this is for a very slow machine
STOP_SECONDS = 30
READER_SECONDS = 60
BROWSER_SECONDS = 60


@dataclass(frozen=True)
class Post:
    title: str
    date: str
    category: str
    body: str

    def text(self) -> str:
        return post_text(self.title, self.date, body=f"{self.body}\n", categories=[self.category])


POSTS = {
    "tech/chips.md": Post("芯片产业迎来新进展", "2024-03-01 09:00:00", CATEGORY, "第一篇：芯片。"),
    "tech/quantum.md": Post("量子计算机发布", "2024-03-02 09:00:00", CATEGORY, "第二篇：量子。"),
    "tech/robots.md": Post("机器人进入工厂", "2024-03-03 09:00:00", CATEGORY, "第三篇：机器人。"),
    "sports/league.md": Post("足球联赛开幕", "2024-03-04 12:00:00", "体育", "体育新闻正文。"),
}
ADDED = ("tech/ai.md", Post("人工智能新模型上线", "2024-03-05 08:00:00", CATEGORY, "新文章正文。"))
EDITED = (
    "tech/quantum.md",
    Post("量子计算机正式发布（更正）", "2024-03-02 09:00:00", CATEGORY, "改过的正文 EDIT-MARK。"),
)
DELETED = "tech/chips.md"


# --- the server -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str, timeout: float = 10) -> tuple[int, str, bytes]:
    """GET `url` (on 127.0.0.1, never through a proxy): status, content type, body."""
    parts = urlsplit(url)
    assert parts.hostname == "127.0.0.1", url
    connection = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=timeout)
    try:
        connection.request("GET", parts.path or "/")
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


def _default_sigint() -> None:
    # A process started in the background may inherit SIGINT ignored, and Python then
    # keeps ignoring it: give the server the Ctrl-C of a terminal.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str  # http://127.0.0.1:PORT/
    posts: Path
    output: Path
    stderr_path: Path

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def stop_with_ctrl_c(self) -> None:
        """SIGINT, as Ctrl-C at a terminal: the server must end at once, status 0, no traceback."""
        assert self.process.poll() is None, f"the server died early:\n{self.stderr()}"
        self.process.send_signal(signal.SIGINT)
        try:
            status = self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            pytest.fail(f"postfeed serve still running {STOP_SECONDS} s after SIGINT")
        stderr = self.stderr()
        assert status == 0, f"exit status {status} after SIGINT:\n{stderr}"
        assert "Traceback" not in stderr, stderr
        lines = stderr.splitlines()
        serving = f"postfeed: serving {self.output} at {self.url} (Ctrl-C stops)"
        assert serving in lines, stderr
        problems = [line for line in lines if re.search(r"error|fail|warning", line, re.I)]
        assert not [line for line in problems if line != serving], stderr


@pytest.fixture
def start_server(tmp_path: Path, write_post: WritePost) -> Iterator[Callable[..., Server]]:
    """start_server(posts, *flags) -> a running `postfeed serve` of tmp_path/posts (where
    write_post writes: the posts are written whole, so that a rebuild never reads half a
    post); killed after the test."""
    started: list[subprocess.Popen[bytes]] = []

    def start(posts: dict[str, Post], *flags: str) -> Server:
        folder = tmp_path / "posts"
        for name, post in posts.items():
            write_post(name, post.text())
        output = tmp_path / "site" / "output"
        for attempt in range(3):
            port = free_port()
            # The port was free a moment ago; another process may take it before the server
            # does, then the server cannot start and another port is tried.
            stderr_path = tmp_path / f"serve-{attempt}.err"
            command = [
                *(sys.executable, "-m", "postfeed", "serve"),
                *("--posts", str(folder), "--output", str(output), "--port", str(port)),
                *("--poll", "0.2", "--site-url", SITE_URL, *flags),
            ]
            with stderr_path.open("wb") as stderr:
                process = subprocess.Popen(
                    command,
                    cwd=tmp_path,  # no postfeed.toml of the repository's
                    stdin=subprocess.DEVNULL,
                    stdout=stderr,
                    stderr=stderr,
                    env=dict(os.environ, PYTHONUNBUFFERED="1"),
                    preexec_fn=_default_sigint,
                )
            started.append(process)
            server = Server(process, f"http://127.0.0.1:{port}/", folder, output, stderr_path)
            if _wait_until_serving(server):
                return server
            if "Address already in use" not in server.stderr():
                pytest.fail(f"postfeed serve ended with status {process.returncode}:\n"
                            f"{server.stderr()}")  # fmt: skip
        pytest.fail("postfeed serve found no free port in 3 attempts")

    try:
        yield start
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=STOP_SECONDS)


def _wait_until_serving(server: Server) -> bool:
    """True once the server answers with its feed; False if it ended."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return False
        try:
            status, _, _ = get(server.url + "rss.xml", timeout=5)
        except OSError:
            status = 0  # not listening yet
        if status == 200:
            return True
        time.sleep(0.05)
    pytest.fail(f"postfeed serve did not answer in {START_SECONDS} s:\n{server.stderr()}")


# --- feeds as served ------------------------------------------------------------------


@dataclass(frozen=True)
class Served:
    self_url: str
    titles: dict[str, str]  # by guid / id


def parse_feed(data: bytes) -> Served:
    root = etree.fromstring(data)
    if root.tag == "rss":
        channel = root.find("channel")
        self_link = channel.find(f"{ATOM}link[@rel='self']")
        titles = {item.findtext("guid"): item.findtext("title") for item in channel.iter("item")}
    else:
        assert root.tag == f"{ATOM}feed", root.tag
        self_link = root.find(f"{ATOM}link[@rel='self']")
        titles = {
            entry.findtext(f"{ATOM}id"): entry.findtext(f"{ATOM}title")
            for entry in root.iter(f"{ATOM}entry")
        }
    assert self_link is not None, "the feed has no rel=self link"
    return Served(self_link.get("href"), titles)


def served_feed(url: str) -> Served:
    status, _, body = get(url)
    assert status == 200, f"{url}: {status}"
    return parse_feed(body)


def showing(title: str) -> Callable[[Served], bool]:
    """Whether a served feed has an item with `title`."""
    return lambda feed: title in feed.titles.values()


def wait_for_a_later_second(feed_file: Path) -> None:
    """Wait until the clock is past the second in which `feed_file` was last written:
    the start of a second, where two rebuilds are most likely to land in one second."""
    later = int(feed_file.stat().st_mtime) + 1
    while (now := time.time()) < later:
        time.sleep(min(0.05, later - now))


def wait_for_rebuild(
    server: Server, url: str, before: Served, done: Callable[[Served], bool]
) -> Served:
    """Poll the served feed until the server's rebuild has changed it as expected."""
    deadline = time.monotonic() + REBUILD_SECONDS
    while True:
        feed = served_feed(url)
        if feed != before and done(feed):
            return feed
        assert server.process.poll() is None, f"the server died:\n{server.stderr()}"
        assert time.monotonic() < deadline, (
            f"{url} not rebuilt within {REBUILD_SECONDS} s; it has {feed.titles}\n{server.stderr()}"
        )
        time.sleep(0.1)


# --- the feed reader ------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One item in newsboat's cache."""

    id: int
    guid: str
    title: str
    content: str


class Newsboat:
    """A fresh newsboat subscribed to one URL, with its own configuration and cache."""

    def __init__(self, url: str, work: Path) -> None:
        self.url = url
        self.work = work
        home = work / "home"
        home.mkdir(parents=True)
        self.urls = work / "urls"
        self.urls.write_text(url + "\n", encoding="utf-8")
        self.error_log = work / "error.log"
        self.config = work / "config"
        newsboat.write_config(self.config, self.error_log)
        self.cache = work / "cache.db"
        self.env = newsboat.environment(home)

    def reload(self) -> list[Row]:
        """`newsboat -x reload`, which must succeed; every item then in the cache for the URL."""
        process = subprocess.run(
            [
                *(NEWSBOAT, "-u", str(self.urls), "-c", str(self.cache)),
                *("-C", str(self.config), "-x", "reload"),
            ],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env=self.env,
            timeout=READER_SECONDS,
        )
        errors = self.error_log.read_text(encoding="utf-8") if self.error_log.exists() else ""
        report = process.stdout + process.stderr + errors
        assert process.returncode == 0, report
        # newsboat exits 0 even when a feed cannot be fetched or read; it logs the error.
        assert not errors.strip(), report
        with sqlite3.connect(self.cache) as db:
            rows = db.execute(
                "SELECT id, guid, title, content FROM rss_item WHERE feedurl = ? ORDER BY id",
                (self.url,),
            ).fetchall()
        db.close()
        items = [Row(*row) for row in rows]
        guids = [item.guid for item in items]
        assert len(set(guids)) == len(guids), f"duplicate items: {items}"
        return items


def titles(rows: list[Row]) -> list[str]:
    return sorted(row.title for row in rows)


FEEDS = {
    # name: (path below the server, titles of the posts it carries)
    "rss": ("rss.xml", [post.title for post in POSTS.values()]),
    "atom": ("atom.xml", [post.title for post in POSTS.values()]),
    "category-rss": (
        f"categories/{CATEGORY}/rss.xml",
        [post.title for post in POSTS.values() if post.category == CATEGORY],
    ),
}


@needs_newsboat
@pytest.mark.parametrize("feed", FEEDS.keys())
def test_newsboat_follows_posts_added_edited_and_deleted(
    start_server: Callable[..., Server], write_post: WritePost, tmp_path: Path, feed: str
) -> None:
    path, expected_titles = FEEDS[feed]
    server = start_server(POSTS)
    url = server.url + quote(path)  # categories/%E7%A7%91%E6%8A%80%E6%96%B0%E9%97%BB/rss.xml
    served = served_feed(url)
    # The feed names the address the reader subscribed to (the server, not --site-url).
    assert served.self_url == url
    reader = Newsboat(url, tmp_path / "newsboat")

    # Subscribe: every post of the feed, once.
    first = reader.reload()
    count = len(expected_titles)
    assert titles(first) == sorted(expected_titles)
    assert {row.guid for row in first} == set(served.titles)

    # A new post: one new item.
    # Changes follow each other as fast as the server rebuilds, in the same second or
    # not: Last-Modified, in whole seconds, must not hide one from the reader.
    name, post = ADDED
    write_post(name, post.text())
    served = wait_for_rebuild(server, url, served, showing(post.title))
    added = reader.reload()
    assert len(added) == count + 1, titles(added)
    assert titles(added) == sorted([*expected_titles, post.title])
    assert {row.guid for row in added} == set(served.titles)
    assert [row for row in added if row.id in {old.id for old in first}] == first

    # An edited post (same file, new title and body): the same item, updated in place.
    name, post = EDITED
    old_title = POSTS[name].title
    guid = next(guid for guid, title in served.titles.items() if title == old_title)
    write_post(name, post.text())
    served = wait_for_rebuild(server, url, served, showing(post.title))
    assert served.titles.get(guid) == post.title, "the edit changed the item's id"
    assert len(served.titles) == count + 1
    edited = reader.reload()
    assert len(edited) == count + 1, titles(edited)  # no duplicate
    assert {row.guid for row in edited} == {row.guid for row in added}
    by_guid = {row.guid: row for row in edited}
    before = next(row for row in added if row.guid == guid)
    # newsboat rewrites the stored item of a known guid: new title, new content, same row.
    assert by_guid[guid].id == before.id
    assert by_guid[guid].title == post.title
    assert "EDIT-MARK" in by_guid[guid].content
    assert old_title not in titles(edited)

    # A deleted post: gone from the feed; the reader keeps what it has, adds nothing.
    deleted_title = POSTS[DELETED].title
    deleted_guid = next(guid for guid, title in served.titles.items() if title == deleted_title)
    (server.posts / DELETED).unlink()
    served = wait_for_rebuild(server, url, served, lambda f: deleted_guid not in f.titles)
    assert len(served.titles) == count
    after = reader.reload()
    assert after == edited  # kept, unchanged, and no new item

    server.stop_with_ctrl_c()


@needs_newsboat
def test_newsboat_sees_a_change_made_in_the_same_second_as_the_last_one(
    start_server: Callable[..., Server], write_post: WritePost, tmp_path: Path
) -> None:
    """Two edits less than a second apart, the reader refreshing in between: it gets both.

    The second version of the feed must not look "not modified since" the first to a
    reader that sends the Last-Modified it got (newsboat does, from its third reload on).
    """
    server = start_server(POSTS)
    url = server.url + "rss.xml"
    feed_file = server.output / "rss.xml"
    reader = Newsboat(url, tmp_path / "newsboat")
    reader.reload()
    reader.reload()  # from now on newsboat sends If-None-Match and If-Modified-Since
    served = served_feed(url)
    name, post = EDITED
    guid = next(guid for guid, title in served.titles.items() if title == POSTS[name].title)

    # Whether both rebuilds land in one second depends on the machine's speed: try again
    # until they do (a try that misses checks nothing about this).
    for attempt in range(5):
        first = Post(f"第{attempt}次修改：第一版", post.date, post.category, "第一版正文。")
        second = Post(f"第{attempt}次修改：第二版", post.date, post.category, "第二版正文。")
        wait_for_a_later_second(feed_file)  # at the start of a second
        write_post(name, first.text())
        served = wait_for_rebuild(server, url, served, showing(first.title))
        first_second = int(feed_file.stat().st_mtime)
        assert served.titles.get(guid) == first.title, "the edit changed the item's id"
        assert {row.guid: row.title for row in reader.reload()}[guid] == first.title
        write_post(name, second.text())
        served = wait_for_rebuild(server, url, served, showing(second.title))
        same_second = int(feed_file.stat().st_mtime) == first_second
        stored = {row.guid: row.title for row in reader.reload()}
        if same_second:
            break
        assert stored[guid] == second.title  # a second apart, as in the flow test
    else:
        pytest.skip("this machine never rebuilt twice within one second in 5 tries")
    assert stored[guid] == second.title, (
        "newsboat kept the version before: both were served with the same Last-Modified"
    )
    server.stop_with_ctrl_c()


# --- the browser ----------------------------------------------------------------------

# Raw titles: tags are stripped from titles, so the <script> must not reach the page as a
# script; what remains, < & > " included, must show as text. The site title (from the
# configuration, not stripped) keeps its <script> as text.
SITE_TITLE = '<script>document.title="pwned"</script> 新闻 & 评论 <b>bold</b>'
SCRIPT_POST = Post(
    '<script>document.title="pwned"</script>Tom & Jerry: 1 < 2 > 0 "quoted"',
    "2024-03-06 10:00:00",
    CATEGORY,
    "正文。",
)
BROWSER_POSTS = {**POSTS, "tech/script.md": SCRIPT_POST}

CHROMIUM_FLAGS = (
    *("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"),
    *("--disable-background-networking", "--disable-component-update", "--disable-sync"),
    *("--disable-quic", "--no-proxy-server", "--disable-dev-shm-usage"),
)


def run_chromium(work: Path, name: str, *arguments: str) -> tuple[bytes, str]:
    """Run a fresh headless Chromium (its own profile) to the end: its stdout and stderr.

    It runs in a process group of its own, killed whole afterwards, and so is any helper
    that left the group: none outlives the run.
    """
    work.mkdir(parents=True, exist_ok=True)
    out, err = work / f"{name}.out", work / f"{name}.err"
    home = work / f"{name}-home"
    home.mkdir()
    env = dict(os.environ, HOME=str(home), no_proxy="127.0.0.1")
    for variable in PROXY_VARIABLES:
        env.pop(variable, None)
    command = [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={work / f'{name}-profile'}"]
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [*command, *arguments],
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            env=env,
            start_new_session=True,
        )
        try:
            status = process.wait(timeout=BROWSER_SECONDS)
        except subprocess.TimeoutExpired:
            status = None
        finally:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)  # fails once the whole group has ended
            process.wait(timeout=STOP_SECONDS)
            kill_processes_naming(work)
    errors = err.read_text(encoding="utf-8", errors="replace")
    assert status is not None, f"chromium did not finish in {BROWSER_SECONDS} s:\n{errors}"
    assert status == 0, f"chromium exit status {status}:\n{errors}"
    return out.read_bytes(), errors


def kill_processes_naming(folder: Path) -> None:
    """Kill every process whose command line names `folder` (Linux; elsewhere, nothing).

    Chromium's crash handlers leave its process group; their command lines name the
    profile or home folder, which is this run's own.
    """
    marker = f"{folder}{os.sep}".encode()
    for entry in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            if marker in (entry / "cmdline").read_bytes():
                os.kill(int(entry.name), signal.SIGKILL)


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE), data[:16]
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def png_pixel_bytes(data: bytes) -> bytes:
    """The decompressed image data (filter bytes and pixels) of a PNG."""
    chunks, position = [], len(PNG_SIGNATURE)
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        if kind == b"IDAT":
            chunks.append(data[position + 8 : position + 8 + length])
        position += 12 + length
    return zlib.decompress(b"".join(chunks))


@needs_chromium
def test_chromium_shows_the_index_page_with_working_feed_links(
    start_server: Callable[..., Server], tmp_path: Path, record_property
) -> None:
    config = tmp_path / "site.toml"
    config.write_text(f"title = {json.dumps(SITE_TITLE, ensure_ascii=False)}\n", encoding="utf-8")
    server = start_server(BROWSER_POSTS, "--config", str(config))
    base = server.url
    browser = tmp_path / "chromium"

    dom, errors = run_chromium(browser, "dump", "--dump-dom", base)
    assert dom.strip(), f"chromium printed no DOM:\n{errors}"
    page = lxml.html.document_fromstring(dom.decode("utf-8"))

    # The page is for people in the posts' language, and no script ran or exists.
    assert page.get("lang") == "zh-CN"
    assert page.xpath("//script") == []
    assert page.findtext(".//title") == SITE_TITLE  # a script would have set "pwned"
    assert page.xpath("string(//h1)") == SITE_TITLE

    # Autodiscovery: the main feeds, absolute, on this server, with their media types.
    main_feeds = {
        "application/rss+xml": base + "rss.xml",
        "application/atom+xml": base + "atom.xml",
        "application/feed+json": base + "feed.json",
    }
    alternates = page.xpath("//head/link[@rel='alternate']")
    assert {link.get("type"): link.get("href") for link in alternates} == main_feeds
    assert len(alternates) == len(main_feeds)
    for media_type, url in main_feeds.items():
        status, content_type, _ = get(url)
        assert (status, content_type.split(";")[0]) == (200, media_type), url

    # The list of feeds: absolute addresses, the main ones and the CJK category's included,
    # and every one of them a feed this server serves.
    listed = page.xpath("//section[@id='feeds']//a/@href")
    feed_urls = [url for url in listed if url.startswith(base)]
    category = base + quote(f"categories/{CATEGORY}/")
    for url in [*main_feeds.values(), category + "rss.xml", category + "atom.xml"]:
        assert url in feed_urls, (url, listed)
    assert all(urlsplit(url).scheme in ("http", "https") for url in listed), listed
    for url in feed_urls:
        assert get(url)[0] == 200, url
    copyable = page.xpath("//section[@id='feeds']//input/@value")
    assert sorted(copyable) == sorted(feed_urls)

    # Every post, by the title a feed reader gets, shown as text.
    expected = sorted(served_feed(base + "rss.xml").titles.values())
    assert len(expected) == len(BROWSER_POSTS)
    shown = page.xpath("//section[@id='articles']//li/a")
    assert sorted(link.text_content() for link in shown) == expected
    assert any('Tom & Jerry: 1 < 2 > 0 "quoted"' in link.text_content() for link in shown)
    for post in POSTS.values():
        assert post.title in expected

    # A picture of the page in a phone-sized window.
    screenshot = browser / "index.png"
    run_chromium(browser, "shot", f"--screenshot={screenshot}", "--window-size=480,1200", base)
    data = screenshot.read_bytes()
    width, height = png_size(data)
    assert width == 480 and height > 0, (width, height)
    assert len(set(png_pixel_bytes(data))) > 16, "the screenshot is blank"
    written = [screenshot]
    artifacts = os.environ.get("POSTFEED_ARTIFACTS")
    if artifacts:
        folder = Path(artifacts).resolve()
        folder.mkdir(parents=True, exist_ok=True)
        written.append(Path(shutil.copyfile(screenshot, folder / "index.png")))
    record_property("screenshot", str(written[-1]))
    print("\nscreenshot of the index page:", *written)

    server.stop_with_ctrl_c()
