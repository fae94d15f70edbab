"""WebSub: hub links in every feed, and `--ping` tells the hub what changed."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from lxml import etree

from postfeed.cli import main

from conftest import WritePost, post_text

SITE = "https://news.example.org/"


class Hub:
    """A WebSub hub on 127.0.0.1 that records what it is told."""

    def __init__(self) -> None:
        self.published: list[str] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                form = parse_qs(body)
                assert form["hub.mode"] == ["publish"]
                hub.published.extend(form["hub.url"])
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        # A short poll: shutdown() waits for it (half a second by default).
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()


@pytest.fixture
def hub() -> Iterator[Hub]:
    running = Hub()
    yield running
    running.server.shutdown()
    running.server.server_close()


def make_site(root: Path, write_post: WritePost, hub_url: str) -> list[str]:
    """One post, a configuration naming the hub; the arguments of `postfeed` to build them."""
    posts = write_post("one.md", post_text("One", "2021-09-10")).parent
    (root / "postfeed.toml").write_text(
        f'hub = "{hub_url}"\n[categories]\nfeeds = false\n', encoding="utf-8"
    )
    return ["build", "--config", str(root / "postfeed.toml"), "--posts", str(posts),
            "--output", str(root / "out"), "--site-url", SITE]  # fmt: skip


def test_every_feed_names_the_hub(tmp_path: Path, write_post: WritePost, hub: Hub) -> None:
    assert main(make_site(tmp_path, write_post, hub.url)) == 0
    rss = etree.parse(str(tmp_path / "out" / "rss.xml"))
    assert rss.find("channel/{http://www.w3.org/2005/Atom}link[@rel='hub']").get("href") == hub.url
    atom = etree.parse(str(tmp_path / "out" / "atom.xml"))
    assert atom.find("{http://www.w3.org/2005/Atom}link[@rel='hub']").get("href") == hub.url
    feed = json.loads((tmp_path / "out" / "feed.json").read_text())
    assert feed["hubs"] == [{"type": "WebSub", "url": hub.url}]
    assert hub.published == []  # no --ping, no ping


def test_ping_announces_exactly_the_feeds_that_changed(
    tmp_path: Path, write_post: WritePost, hub: Hub
) -> None:
    argv = make_site(tmp_path, write_post, hub.url)
    assert main([*argv, "--ping"]) == 0
    assert sorted(hub.published) == [SITE + "atom.xml", SITE + "feed.json", SITE + "rss.xml"]
    hub.published.clear()
    assert main([*argv, "--ping"]) == 0
    assert hub.published == []  # nothing changed


def test_an_unreachable_hub_is_a_warning_not_a_failed_build(
    tmp_path: Path, write_post: WritePost, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    argv = make_site(tmp_path, write_post, f"http://127.0.0.1:{port}/")
    assert main([*argv, "--ping"]) == 0
    err = capsys.readouterr().err
    assert "warning: websub: WebSub hub" in err
    assert (tmp_path / "out" / "rss.xml").exists()
