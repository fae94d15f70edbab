"""`postfeed serve` from the outside: a real server on 127.0.0.1 (or ::1), a real HTTP client.

Each test starts serve() on port 0 in a thread, talks to it with http.client (or
a raw socket where http.client would hide what the server sent), and stops it.
"""

from __future__ import annotations

import email.utils
import http.client
import mimetypes
import os
import queue
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from postfeed import __version__
from postfeed.serve import serve

from conftest import WritePost, post_text

RSS = b"""<?xml version='1.0' encoding='UTF-8'?>
<?xml-stylesheet type="text/xsl" href="feed.xsl"?>
<!-- 1 > 0, and the root is not this <feed/> -->
<rss version="2.0"><channel><title>t</title></channel></rss>
"""
ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>
"""
NEWER_RSS = RSS.replace(b"<title>t</title>", b"<title>u</title>")
SECRET = b"outside the output folder"
POST = post_text("一", "2021-09-01 10:00:00", body="正文。\n")
# Waits that only catch a hang: far above what any machine needs, loaded or not.
HANG_SECONDS = 30


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def request(
    url: str, path: str, method: str = "GET", headers: dict[str, str] | None = None
) -> Reply:
    """One request to the server at `url`; `path` is sent exactly as given."""
    connection = http.client.HTTPConnection(host_of(url), port_of(url), timeout=HANG_SECONDS)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        connection.close()


def raw_request(url: str, data: bytes) -> bytes:
    """Every byte the server sends back for `data` (it closes the connection after one answer)."""
    with socket.create_connection((host_of(url), port_of(url)), timeout=HANG_SECONDS) as connection:
        connection.sendall(data)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def port_of(url: str) -> int:
    port = urllib.parse.urlsplit(url).port
    assert port
    return port


def host_of(url: str) -> str:
    host = urllib.parse.urlsplit(url).hostname  # ::1 without its brackets
    assert host
    return host


def replace(path: Path, data: bytes) -> None:
    """Write the way postfeed does: a new file renamed over the old one."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def wait_until(condition: Callable[[], bool], seconds: float = HANG_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def rebuild_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "postfeed-rebuild"]


def request_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if "process_request" in thread.name]


def has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except (OSError, AttributeError):  # no IPv6 here, or none in this Python
        return False
    return True


needs_ipv6 = pytest.mark.skipif(
    not has_ipv6_loopback(), reason="this machine has no IPv6 loopback (::1)"
)


@contextmanager
def running(output: Path, host: str = "127.0.0.1", **options: object) -> Iterator[str]:
    """serve(output) on `host`, a free port, in a thread; yields its URL."""
    urls: queue.Queue[str] = queue.Queue()
    stop = threading.Event()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            serve(output, host, 0, ready=urls.put, stop=stop, **options)
        except BaseException as error:
            errors.append(error)
            urls.put("")

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        url = urls.get(timeout=HANG_SECONDS)
        assert not errors, errors
        yield url
    finally:
        stop.set()
        thread.join(timeout=HANG_SECONDS)
    assert not thread.is_alive(), "serve() did not return after stop was set"
    assert not errors, errors


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """An output folder with one file of each kind, and a secret next to it."""
    (tmp_path / "secret.txt").write_bytes(SECRET)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "secret.txt").write_bytes(SECRET)
    output = tmp_path / "output"
    (output / "sub").mkdir(parents=True)
    (output / "empty").mkdir()
    (output / "odd" / "index.html").mkdir(parents=True)  # a folder, not a page
    files = {
        "rss.xml": RSS,
        "atom.xml": ATOM,
        "sitemap.xml": b'<?xml version="1.0"?>\n<urlset><url/></urlset>',
        "copy-of-rss.xml": RSS,  # the name decides the type, not the content
        "feed.json": b'{"version": "https://jsonfeed.org/version/1.1", "items": []}',
        "feeds.opml": b'<?xml version="1.0"?><opml version="2.0"/>',
        "index.html": b"<!doctype html><title>index</title>",
        "style.css": b"body {}",
        "no-extension": b"?",
        "sub/index.html": b"<!doctype html><title>sub</title>",
        "sub/atom.xml": ATOM,  # a feed set's folder
    }
    an_hour_ago = time.time() - 3600  # files written this very second get no Last-Modified
    for name, data in files.items():
        (output / name).write_bytes(data)
        os.utime(output / name, (an_hour_ago, an_hour_ago))
    (output / "link.txt").symlink_to(tmp_path / "secret.txt")
    (output / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (output / "inside-link.xml").symlink_to(output / "rss.xml")
    (output / "trap").mkdir()
    (output / "trap" / "index.html").symlink_to(tmp_path / "secret.txt")
    return output


def test_ready_gets_the_url_with_the_real_port(site: Path) -> None:
    with running(site) as url:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", url)
        assert port_of(url) != 0
        assert request(url, "/rss.xml").body == RSS


def test_content_types(site: Path) -> None:
    xml = mimetypes.guess_type("any.xml")[0]  # application/xml or text/xml, by platform
    expected = {
        "rss.xml": "application/rss+xml; charset=utf-8",
        "atom.xml": "application/atom+xml; charset=utf-8",
        "sub/atom.xml": "application/atom+xml; charset=utf-8",
        "sitemap.xml": xml,
        "copy-of-rss.xml": xml,
        "feed.json": "application/feed+json; charset=utf-8",
        "feeds.opml": "text/x-opml; charset=utf-8",
        "index.html": "text/html; charset=utf-8",
        "style.css": "text/css",
        "no-extension": "application/octet-stream",
    }
    with running(site) as url:
        served = {name: request(url, f"/{name}").headers["Content-Type"] for name in expected}
    assert served == expected


def test_content_types_of_a_real_build(tmp_path: Path, write_post: WritePost) -> None:
    from postfeed.build import build
    from postfeed.config import load_config

    write_post("a.md", POST)
    output = tmp_path / "output"
    build(
        load_config(None, posts=tmp_path / "posts", output=output, site_url="https://example.org/")
    )
    expected = {
        "rss.xml": "application/rss+xml; charset=utf-8",
        "atom.xml": "application/atom+xml; charset=utf-8",
        "feed.json": "application/feed+json; charset=utf-8",
        "feeds.opml": "text/x-opml; charset=utf-8",
        "index.html": "text/html; charset=utf-8",
    }
    with running(output) as url:
        served = {name: request(url, f"/{name}").headers["Content-Type"] for name in expected}
    assert served == expected


def test_a_file_comes_whole_with_its_validators(site: Path) -> None:
    with running(site) as url:
        reply = request(url, "/rss.xml")
    assert reply.status == 200
    assert reply.body == RSS
    assert reply.headers["Content-Length"] == str(len(RSS))
    assert re.fullmatch(r'"[^"]+"', reply.headers["ETag"])  # strong: no W/
    modified = email.utils.parsedate_to_datetime(reply.headers["Last-Modified"])
    assert modified.timestamp() == int((site / "rss.xml").stat().st_mtime)
    assert reply.headers["Cache-Control"] == "no-cache"
    assert reply.headers["Server"] == f"postfeed/{__version__}"


def test_if_none_match_gives_304(site: Path) -> None:
    with running(site) as url:
        etag = request(url, "/rss.xml").headers["ETag"]
        for header in (etag, f'"other", {etag}', f"W/{etag}", "*"):
            reply = request(url, "/rss.xml", headers={"If-None-Match": header})
            assert (reply.status, reply.body) == (304, b""), header
            assert reply.headers["ETag"] == etag
        assert request(url, "/rss.xml", headers={"If-None-Match": '"other"'}).status == 200


def test_if_modified_since_gives_304(site: Path) -> None:
    with running(site) as url:
        modified = request(url, "/rss.xml").headers["Last-Modified"]
        reply = request(url, "/rss.xml", headers={"If-Modified-Since": modified})
        assert (reply.status, reply.body) == (304, b"")
        earlier = email.utils.formatdate(time.time() - 7200, usegmt=True)  # before the file
        assert request(url, "/rss.xml", headers={"If-Modified-Since": earlier}).body == RSS
        assert request(url, "/rss.xml", headers={"If-Modified-Since": "yesterday"}).status == 200


def test_if_none_match_takes_precedence_over_if_modified_since(site: Path) -> None:
    with running(site) as url:
        modified = request(url, "/rss.xml").headers["Last-Modified"]
        both = {"If-None-Match": '"other"', "If-Modified-Since": modified}
        reply = request(url, "/rss.xml", headers=both)
    assert (reply.status, reply.body) == (200, RSS)


def test_a_file_written_this_second_has_no_date_to_compare(site: Path) -> None:
    """Two versions written in one second would share a Last-Modified date; a client
    holding the first could then be told (or decide) it has the second."""
    feed = site / "rss.xml"
    with running(site) as url:
        before = request(url, "/rss.xml").headers["Last-Modified"]
        # The file must still be of the current second when served: a try that crossed
        # into the next second (a loaded machine) checks nothing, and is made again.
        for _attempt in range(10):
            replace(feed, NEWER_RSS)  # now, in this second
            fresh = request(url, "/rss.xml", headers={"If-Modified-Since": before})
            again = request(
                url, "/rss.xml", headers={"If-Modified-Since": email.utils.formatdate(usegmt=True)}
            )
            if int(feed.stat().st_mtime) == int(time.time()):
                break
        else:
            pytest.fail("10 tries in a row crossed a second boundary")
    assert (fresh.status, fresh.body) == (200, NEWER_RSS)
    assert fresh.headers["Last-Modified"] is None and fresh.headers["ETag"]
    assert again.status == 200


def test_a_changed_file_is_sent_again(site: Path) -> None:
    feed = site / "rss.xml"
    with running(site) as url:
        first = request(url, "/rss.xml")
        replace(feed, NEWER_RSS)
        later = time.time() + 10  # a later second than the first Last-Modified
        os.utime(feed, (later, later))
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
        by_etag = request(url, "/rss.xml", headers={"If-None-Match": etag})
        by_date = request(url, "/rss.xml", headers={"If-Modified-Since": modified})
    assert (by_etag.status, by_etag.body) == (200, NEWER_RSS)
    assert by_etag.headers["ETag"] != etag
    assert by_etag.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    assert (by_date.status, by_date.body) == (200, NEWER_RSS)


def test_a_replacement_of_the_same_size_and_time_gets_a_new_etag(site: Path) -> None:
    feed = site / "rss.xml"
    before = feed.stat()
    with running(site) as url:
        etag = request(url, "/rss.xml").headers["ETag"]
        replace(feed, NEWER_RSS)
        os.utime(feed, ns=(before.st_atime_ns, before.st_mtime_ns))
        reply = request(url, "/rss.xml", headers={"If-None-Match": etag})
    assert (reply.status, reply.body) == (200, NEWER_RSS)


def test_head_sends_the_headers_and_no_body(site: Path) -> None:
    with running(site) as url:
        get = request(url, "/rss.xml")
        answer = raw_request(url, b"HEAD /rss.xml HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        missing = raw_request(url, b"HEAD /nothing.xml HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
    head, separator, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200") and separator and body == b""
    for name in ("Content-Type", "Content-Length", "ETag", "Last-Modified"):
        assert f"{name}: {get.headers[name]}".encode() in head.split(b"\r\n")
    head, separator, body = missing.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 404") and separator and body == b""


def test_nothing_outside_the_folder_is_served(site: Path) -> None:
    outside = site.parent / "secret.txt"
    quoted = urllib.parse.quote(str(outside), safe="")
    attempts = [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/..%2fsecret.txt",
        "/%2e%2e%2fsecret.txt",
        "/sub/../../secret.txt",
        "/sub/%2e%2e/%2e%2e/secret.txt",
        "/./../secret.txt",
        "/..\\secret.txt",
        "/sub/../rss.xml",  # `..` is refused even where it would land inside
        f"{outside}",  # /tmp/.../secret.txt: the absolute path itself
        f"/{outside}",  # //tmp/.../secret.txt
        f"/{quoted}",  # /%2Ftmp%2F...
        "/link.txt",  # a symlink to the secret
        "/linked/secret.txt",  # through a symlinked folder
        "/linked/",
        "/linked",
        "/trap/",  # a folder whose index.html leads out
        "/%00",
        "/%ff",
    ]
    with running(site) as url:
        attempts.append(f"{url}../secret.txt")  # absolute-form target
        replies = {attempt: request(url, attempt) for attempt in attempts}
        inside = request(url, "/inside-link.xml")
    assert {attempt: reply.status for attempt, reply in replies.items()} == dict.fromkeys(
        attempts, 404
    )
    assert not any(SECRET in reply.body for reply in replies.values())
    assert (inside.status, inside.body) == (200, RSS)  # a symlink within the folder is fine


def test_a_missing_file_is_404(site: Path) -> None:
    with running(site) as url:
        assert request(url, "/nothing.xml").status == 404
        assert request(url, "/sub/nothing.html").status == 404
        empty = request(url, "/empty/")  # a folder without index.html: no listing
        assert request(url, "/odd/").status == 404  # its index.html is a folder
        assert request(url, "/rss.xml/").status == 404  # a file is not a folder
    assert empty.status == 404 and b"Directory listing" not in empty.body


def test_folders_serve_their_index_html(site: Path) -> None:
    with running(site) as url:
        root = request(url, "/")
        sub = request(url, "/sub/")
        redirect = request(url, "/sub")
        with_query = request(url, "/sub?x=1")
    assert (root.status, root.body) == (200, (site / "index.html").read_bytes())
    assert root.headers["Content-Type"] == "text/html; charset=utf-8"
    assert (sub.status, sub.body) == (200, (site / "sub" / "index.html").read_bytes())
    assert (redirect.status, redirect.headers["Location"]) == (301, "/sub/")
    assert (with_query.status, with_query.headers["Location"]) == (301, "/sub/?x=1")


def test_the_folder_is_read_only(site: Path) -> None:
    with running(site) as url:
        for method in ("PUT", "POST", "DELETE"):
            assert request(url, "/rss.xml", method).status == 501, method
    assert (site / "rss.xml").read_bytes() == RSS


def test_requests_are_not_logged(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with running(site) as url:
        assert request(url, "/rss.xml").status == 200
        assert request(url, "/nothing").status == 404
        assert request(url, "/rss.xml", "POST").status == 501
    assert capsys.readouterr().err == ""


def test_a_fifo_is_not_served_and_does_not_hang_the_server(site: Path) -> None:
    os.mkfifo(site / "pipe.xml")
    (site / "piped").mkdir()
    os.mkfifo(site / "piped" / "index.html")
    with running(site) as url:
        # A hang would be a TimeoutError here (the client waits HANG_SECONDS).
        assert request(url, "/pipe.xml").status == 404
        assert request(url, "/piped/").status == 404
        assert request(url, "/rss.xml").status == 200


def test_a_client_that_goes_away_is_not_an_error(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (site / "big.bin").write_bytes(bytes(16_000_000))  # more than the sockets buffer
    with running(site) as url:
        with socket.create_connection((host_of(url), port_of(url)), timeout=5) as connection:
            connection.sendall(b"GET /big.bin HTTP/1.0\r\n\r\n")
            assert connection.recv(12) == b"HTTP/1.0 200"
            # Close with a reset, as a browser tab closed mid-download does.
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        wait_until(lambda: not request_threads())
        assert request(url, "/rss.xml").status == 200
    assert capsys.readouterr().err == ""


# Replaces big.xml by a 20 000 or a 30 000 byte version, alternately, until killed.
WRITER = """
import os, sys
path = sys.argv[1]
temporary = os.path.join(os.path.dirname(path), ".big.xml.tmp")
while True:
    for data in (b"b" * 30_000, b"a" * 20_000):
        with open(temporary, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
"""


def test_a_file_replaced_while_served_is_never_sent_half(site: Path) -> None:
    small, large = b"a" * 20_000, b"b" * 30_000
    feed = site / "big.xml"
    feed.write_bytes(small)
    bodies = []
    with running(site) as url:
        # Another process, as a build from cron would be: it runs truly alongside.
        first = feed.stat().st_ino
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(feed)])
        try:
            wait_until(lambda: feed.stat().st_ino != first, seconds=10)
            for _ in range(200):
                reply = request(url, "/big.xml")
                bodies.append(reply.body)
                assert reply.headers["Content-Length"] == str(len(reply.body))
        finally:
            writer.kill()
            writer.wait()
    assert len(set(bodies)) == 2  # the file really changed under the requests
    assert all(body in (small, large) for body in bodies)


def test_rebuild_is_called_repeatedly_and_what_it_writes_is_served(site: Path) -> None:
    new = site / "new" / "atom.xml"  # a new feed set
    calls = []
    go = threading.Event()

    def rebuild() -> None:
        calls.append(time.monotonic())
        if go.is_set() and not new.exists():
            new.parent.mkdir(exist_ok=True)
            replace(new, ATOM)

    with running(site, rebuild=rebuild, poll_seconds=0.02) as url:
        assert request(url, "/new/atom.xml").status == 404
        go.set()
        wait_until(lambda: len(calls) >= 3 and new.exists())
        reply = request(url, "/new/atom.xml")
    assert (reply.status, reply.body) == (200, ATOM)
    assert reply.headers["Content-Type"] == "application/atom+xml; charset=utf-8"


def test_a_failing_rebuild_costs_one_line_and_serving_goes_on(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    calls = []

    def rebuild() -> None:
        calls.append(1)
        raise RuntimeError("disk on fire\nsecond line")

    with running(site, rebuild=rebuild, poll_seconds=0.02) as url:
        wait_until(lambda: len(calls) >= 3)
        assert request(url, "/rss.xml").body == RSS
    lines = capsys.readouterr().err.splitlines()
    assert lines == ["postfeed: rebuild failed: RuntimeError: disk on fire second line"] * len(
        calls
    )


def test_stop_ends_serve_and_closes_everything(site: Path) -> None:
    calls = []
    urls: queue.Queue[str] = queue.Queue()
    stop = threading.Event()
    thread = threading.Thread(
        target=serve,
        args=(site, "127.0.0.1", 0),
        kwargs={
            "rebuild": lambda: calls.append(1),
            "poll_seconds": 0.02,
            "ready": urls.put,
            "stop": stop,
        },
        daemon=True,
    )
    thread.start()
    url = urls.get(timeout=HANG_SECONDS)
    wait_until(lambda: len(calls) >= 2)
    assert rebuild_threads()
    stop.set()
    thread.join(timeout=HANG_SECONDS)
    assert not thread.is_alive()
    assert not rebuild_threads()
    count = len(calls)
    time.sleep(0.1)
    assert len(calls) == count  # no rebuild after the stop
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port_of(url)), timeout=1)


@pytest.mark.skipif(
    signal.getsignal(signal.SIGINT) is not signal.default_int_handler,
    reason="Ctrl-C is not Python's KeyboardInterrupt here",
)
def test_ctrl_c_stops_serve_without_a_traceback(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    served = []
    safety = threading.Event()  # ends serve() if Ctrl-C does not, so the test fails, not hangs
    timer = threading.Timer(HANG_SECONDS, safety.set)
    urls: list[str] = []

    def press_ctrl_c(url: str) -> None:
        served.append(request(url, "/rss.xml").status)
        os.kill(os.getpid(), signal.SIGINT)

    def ready(url: str) -> None:
        urls.append(url)
        threading.Thread(target=press_ctrl_c, args=(url,), daemon=True).start()

    timer.start()
    try:
        serve(
            site, "127.0.0.1", 0, rebuild=lambda: None, poll_seconds=0.02, ready=ready, stop=safety
        )
    except KeyboardInterrupt:
        pytest.fail("serve() let Ctrl-C out")
    finally:
        timer.cancel()
    assert not safety.is_set(), "Ctrl-C did not stop serve()"
    assert served == [200]
    assert capsys.readouterr().err == ""
    assert not rebuild_threads()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port_of(urls[0])), timeout=1)


def test_poll_seconds_must_be_positive(site: Path) -> None:
    with pytest.raises(ValueError, match="poll_seconds"):
        serve(site, "127.0.0.1", 0, rebuild=lambda: None, poll_seconds=0)


def test_postfeed_serve_on_a_busy_port_says_so_in_one_line(
    tmp_path: Path, write_post: WritePost
) -> None:
    posts = write_post("a.md", POST).parent
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = subprocess.run(
            [sys.executable, "-m", "postfeed", "serve", "--posts", str(posts),
             "--output", str(tmp_path / "out"), "--port", str(port)],
            capture_output=True, text=True, timeout=60, cwd=tmp_path,
        )  # fmt: skip
    assert process.returncode == 2
    assert process.stderr.strip().splitlines() == [
        f"postfeed: error: cannot serve on 127.0.0.1:{port}: Address already in use"
    ]


@needs_ipv6
def test_serve_on_the_ipv6_loopback(site: Path) -> None:
    with running(site, host="::1") as url:
        assert re.fullmatch(r"http://\[::1\]:\d+/", url)
        reply = request(url, "/rss.xml")
        redirect = request(url, "/sub")
    assert (reply.status, reply.body) == (200, RSS)
    assert reply.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    assert (redirect.status, redirect.headers["Location"]) == (301, "/sub/")


def _default_sigint() -> None:
    # A process started in the background may inherit SIGINT ignored, and Python then
    # keeps ignoring it: give the server the Ctrl-C of a terminal.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for(text: str, log: Path, process: subprocess.Popen[bytes]) -> None:
    """Until `text` is in the file `log` or `process` has ended."""
    wait_until(lambda: process.poll() is not None or text in log.read_text(), seconds=60)


@needs_ipv6
def test_postfeed_serve_on_ipv6_names_itself_in_brackets(
    tmp_path: Path, write_post: WritePost
) -> None:
    """`postfeed serve --host ::1`, stopped with Ctrl-C (SIGINT) as a person does."""
    posts = write_post("a.md", POST).parent
    output = tmp_path / "out"
    log = tmp_path / "serve.err"
    for _attempt in range(3):
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
            port = probe.getsockname()[1]
        url = f"http://[::1]:{port}/"
        with log.open("wb") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-m", "postfeed", "serve", "--posts", str(posts),
                 "--output", str(output), "--host", "::1", "--port", str(port)],
                cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=stderr, stderr=stderr,
                preexec_fn=_default_sigint,
            )  # fmt: skip
        try:
            wait_for(url, log, process)
            if process.poll() is None:
                reply = request(url, "/rss.xml")
                process.send_signal(signal.SIGINT)
                status = process.wait(timeout=10)
                break
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        # The port was free a moment ago; another process may have taken it since.
        assert "Address already in use" in log.read_text(), log.read_text()
    else:
        pytest.fail("no free port in 3 attempts")
    text = log.read_text()
    assert status == 0 and "Traceback" not in text, text
    assert f"postfeed: serving {output} at {url} (Ctrl-C stops)" in text.splitlines()
    assert (reply.status, reply.headers["Content-Type"]) == (
        200,
        "application/rss+xml; charset=utf-8",
    )
    assert f"{url}rss.xml".encode() in reply.body  # the feed names this server as its home


def test_serve_gives_up_on_a_busy_lock_after_wait_with_exit_status_3(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    from postfeed.cli import main
    from postfeed.lock import exclusive_lock

    write_post("a.md", post_text("甲"))
    output = tmp_path / "out"
    args = ["serve", "--posts", str(tmp_path / "posts"), "--output", str(output)]
    with exclusive_lock(tmp_path / ".postfeed-cache" / "out.lock"):  # another build holds it
        started = time.monotonic()
        status = main([*args, "--port", "0", "--wait", "0.3"])
        waited = time.monotonic() - started
    assert status == 3
    assert "another build is running" in capsys.readouterr().err
    assert waited >= 0.3  # it waited as told (the old code always waited 30 s)
    assert not output.exists()
