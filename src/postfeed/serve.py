"""A small local web server for the output folder (`postfeed serve`).

It shows the feeds as a reader or a browser will get them from a real server:
the media type of each feed format, ETag and Last-Modified so a polling reader
gets `304 Not Modified`, and, when asked, a rebuild every few seconds. Standard
library only; made for one machine (127.0.0.1 unless told otherwise), not for
the internet.

Nothing outside the output folder is ever served: not through `..`, encoded or
not, nor through a symlink that leads out of it.
"""

from __future__ import annotations

import codecs
import contextlib
import email.utils
import http.server
import mimetypes
import os
import re
import socket
import socketserver
import stat
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from datetime import UTC
from http import HTTPStatus
from pathlib import Path
from typing import BinaryIO

from postfeed import __version__

__all__ = ["serve"]

# The serving loop looks at `stop` this often (seconds): the longest a stop waits.
_STOP_CHECK = 0.1
# How much of an .xml file is read to find its root element.
_SNIFF_BYTES = 8192

# .xml files by their root element: the feed types readers expect. (Chromium shows
# a page served with them as plain text; index.html is the page for people.)
_XML_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "feed": "application/atom+xml; charset=utf-8",
}
_OTHER_XML = "application/xml; charset=utf-8"
# postfeed writes all of these as UTF-8.
_TYPES = {
    ".json": "application/feed+json; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}

_ELEMENT = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")


def serve(
    output: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    rebuild: Callable[[], object] | None = None,
    poll_seconds: float = 2.0,
    ready: Callable[[str], None] | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Serve the files of `output` at http://host:port/ until `stop` is set or Ctrl-C.

    `rebuild`, when given, is called every `poll_seconds` on a thread of its own (it
    decides itself whether anything changed); an exception from it is printed as
    one line and serving goes on. `ready(url)` is called once the socket listens,
    with the real port (`port=0` picks a free one). Raises OSError when the
    address cannot be used.
    """
    if poll_seconds <= 0:
        raise ValueError(f"poll_seconds must be positive, not {poll_seconds}")
    if stop is None:
        stop = threading.Event()
    server = _Server((host, port), Path(output).resolve())
    finished = threading.Event()  # tells the rebuild thread to end
    poller = None
    try:
        if rebuild is not None:
            poller = threading.Thread(
                target=_poll,
                args=(rebuild, poll_seconds, finished),
                name="postfeed-rebuild",
                daemon=True,
            )
            poller.start()
        if ready is not None:
            ready(_url(host, server.server_address[1]))
        while not stop.is_set():
            server.handle_request()  # returns after one request or _STOP_CHECK seconds
    except KeyboardInterrupt:
        pass  # Ctrl-C is how a person stops serving: no traceback
    finally:
        finished.set()
        server.server_close()
        if poller is not None:
            # Let a rebuild under way finish; a second Ctrl-C stops the wait (a daemon thread).
            with contextlib.suppress(KeyboardInterrupt):
                poller.join()


def _poll(rebuild: Callable[[], object], seconds: float, finished: threading.Event) -> None:
    """Call `rebuild` every `seconds` until `finished` is set; a failure costs one line."""
    while not finished.wait(seconds):
        try:
            rebuild()
        except Exception as error:
            message = " ".join(f"{type(error).__name__}: {error}".split())  # one line
            print(f"postfeed: rebuild failed: {message}", file=sys.stderr)


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


class _Server(http.server.ThreadingHTTPServer):
    """Serves the folder `root`, one thread per connection."""

    def __init__(self, address: tuple[str, int], root: Path) -> None:
        self.root = root
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.timeout = _STOP_CHECK
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer would also look up the host's full name, which can wait on DNS
        # for seconds; nothing here uses it.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request: object, client_address: object) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            return  # the client went away mid-response, as browsers often do
        print(f"postfeed: serving failed: {type(error).__name__}: {error}", file=sys.stderr)


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    timeout = 30  # an idle connection gives its thread back after this many seconds

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: no line per request

    def version_string(self) -> str:
        return f"postfeed/{__version__}"

    def _respond(self, send_body: bool) -> None:
        found = _locate(self.server.root, self.path)
        if isinstance(found, str):
            # A folder without its slash: redirect, so the page's relative links work.
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", found)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        descriptor = _open_file(found) if found is not None else None
        if found is None or descriptor is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        # Everything below comes from this one descriptor: a file replaced meanwhile
        # (os.replace, as postfeed writes) is a new file, and this answer is all old.
        with os.fdopen(descriptor, "rb") as file:
            self._send_file(file, found.name, send_body)

    def _send_file(self, file: BinaryIO, name: str, send_body: bool) -> None:
        status = os.fstat(file.fileno())
        # The inode changes with every os.replace, even when size and mtime do not.
        etag = f'"{status.st_ino:x}-{status.st_size:x}-{status.st_mtime_ns:x}"'
        modified: int | None = int(status.st_mtime)  # HTTP dates have whole seconds
        if modified >= int(time.time()):
            # Written in this very second: a second version may follow within it,
            # and a date of whole seconds could not tell the two apart (clients
            # such as libcurl drop a 200 that is "not newer" than their copy).
            # The ETag alone says whether the client's copy is current.
            modified = None
        if self._not_modified(etag, modified):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self._send_validators(etag, modified)
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", _content_type(name, file.fileno()))
        self.send_header("Content-Length", str(status.st_size))
        self._send_validators(etag, modified)
        self.end_headers()
        if send_body and status.st_size:
            self.connection.sendfile(file, 0, status.st_size)

    def _not_modified(self, etag: str, modified: int | None) -> bool:
        """Whether the client's copy is current: If-None-Match, else If-Modified-Since."""
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
            return tags == ["*"] or etag in tags
        since = _http_date(self.headers.get("If-Modified-Since"))
        return since is not None and modified is not None and modified <= since

    def _send_validators(self, etag: str, modified: int | None) -> None:
        self.send_header("ETag", etag)
        if modified is not None:
            self.send_header("Last-Modified", email.utils.formatdate(modified, usegmt=True))
        # Ask every time: the files change under a running server.
        self.send_header("Cache-Control", "no-cache")


def _locate(root: Path, target: str) -> Path | str | None:
    """The file a request target names below `root`.

    A str is where to redirect a folder URL that lacks its slash; None is
    "not found", which is also the answer for anything outside `root`.
    """
    path = target.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/"):
        return None  # an absolute URL or `*`: not a file here
    try:
        decoded = urllib.parse.unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None
    parts = [part for part in decoded.split("/") if part not in ("", ".")]
    if ".." in parts or "\0" in decoded:
        return None  # never climb, even where it would land inside again
    try:
        # resolve() follows symlinks, so one that leads out of `root` is caught here.
        found = root.joinpath(*parts).resolve()
        if not found.is_relative_to(root):
            return None
        if found.is_dir():
            if not decoded.endswith("/"):
                return "/" + "".join(urllib.parse.quote(part) + "/" for part in parts)
            found = (found / "index.html").resolve()
        elif decoded.endswith("/"):
            return None  # a file is not a folder
    except (OSError, RuntimeError, ValueError):  # symlink loops, odd names
        return None
    return found if found.is_relative_to(root) else None


def _open_file(path: Path) -> int | None:
    """A descriptor of the regular file at `path`, or None."""
    try:
        # O_NONBLOCK: opening a FIFO must not hang the thread (no effect on files).
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        return None
    return descriptor


def _content_type(name: str, descriptor: int) -> str:
    suffix = Path(name).suffix.lower()
    if suffix == ".xml":
        return _XML_TYPES.get(_root_element(os.pread(descriptor, _SNIFF_BYTES, 0)), _OTHER_XML)
    if suffix in _TYPES:
        return _TYPES[suffix]
    kind, encoding = mimetypes.guess_type(name)
    if kind is None or encoding is not None:  # unknown, or compressed (.gz)
        return "application/octet-stream"
    return kind


def _root_element(head: bytes) -> str:
    """The local name of the first element in `head` (past the prolog), or ""."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head.decode("utf-16", "replace")
    else:
        text = head.decode("utf-8", "replace")
    position = 0
    while (start := text.find("<", position)) >= 0:
        # Skip the XML declaration and other processing instructions, comments, DOCTYPE.
        for opener, closer in (("<?", "?>"), ("<!--", "-->"), ("<!", ">")):
            if text.startswith(opener, start):
                end = text.find(closer, start + len(opener))
                if end < 0:
                    return ""
                position = end + len(closer)
                break
        else:
            match = _ELEMENT.match(text, start)
            return match.group(1) if match else ""
    return ""


def _http_date(value: str | None) -> float | None:
    """Seconds since the epoch of an HTTP date; None if missing, invalid or in the future."""
    if not value:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    seconds = moment.timestamp()
    # A date later than now is invalid (RFC 9110, 13.1.3): the file may change before it.
    return None if seconds > time.time() else seconds
