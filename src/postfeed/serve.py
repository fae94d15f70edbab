"""`postfeed serve`: the output folder on this machine, as a real server would send it.

The standard library's SimpleHTTPRequestHandler plus what feed readers need: each
file's media type, ETag and Last-Modified (so polling gets 304), and, when asked,
a rebuild every few seconds. Nothing outside the output folder is ever served.
"""

from __future__ import annotations

import contextlib
import email.utils
import functools
import http.server
import os
import socket
import socketserver
import stat
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from datetime import UTC
from http import HTTPStatus
from pathlib import Path
from typing import BinaryIO

from postfeed import __version__
from postfeed.formats import FORMATS, media_types


def serve(
    output: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    rebuild: Callable[[], object] | None = None,
    poll_seconds: float = 2.0,
    ready: Callable[[str], None] | None = None,
    stop: threading.Event | None = None,
    types: Mapping[str, str] | None = None,
) -> None:
    """Serve the files of `output` at http://host:port/ until `stop` is set or Ctrl-C.

    `rebuild`, when given, is called every `poll_seconds` on a thread of its own; an
    exception from it costs one line on stderr. `ready(url)` is called once the socket
    listens, with the real port (`port=0` picks a free one). `types` gives the media
    type of each file name the build writes (default: the formats' own names).
    OSError: address unusable.
    """
    if poll_seconds <= 0:
        raise ValueError(f"poll_seconds must be positive, not {poll_seconds}")
    types = media_types(FORMATS) if types is None else types
    server = _Server((host, port), Path(output).resolve(), types)
    finished = threading.Event()  # tells the rebuild thread to end
    poller = threading.Thread(
        target=_poll, args=(rebuild, poll_seconds, finished), name="postfeed-rebuild", daemon=True
    )
    try:
        if rebuild is not None:
            poller.start()
        if ready is not None:
            port = server.server_address[1]
            ready(f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/")
        while stop is None or not stop.is_set():
            server.handle_request()  # returns after one request or server.timeout
    except KeyboardInterrupt:
        pass  # Ctrl-C is how a person stops serving: no traceback
    finally:
        finished.set()
        server.server_close()
        # Let a rebuild under way finish; a second Ctrl-C stops the wait (a daemon thread).
        with contextlib.suppress(KeyboardInterrupt):
            if poller.is_alive():
                poller.join()


def _poll(rebuild: Callable[[], object], seconds: float, finished: threading.Event) -> None:
    while not finished.wait(seconds):
        try:
            rebuild()
        except Exception as error:
            message = " ".join(f"{type(error).__name__}: {error}".split())  # one line
            print(f"postfeed: rebuild failed: {message}", file=sys.stderr)


class _Server(http.server.ThreadingHTTPServer):
    timeout = 0.1  # how often serve() looks at `stop`: the longest a stop waits

    def __init__(self, address: tuple[str, int], root: Path, types: Mapping[str, str]) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.media_types = types
        super().__init__(address, functools.partial(_Handler, directory=str(root)))

    def server_bind(self) -> None:
        # HTTPServer would also look up the host's full name, which can wait on DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request: object, client_address: object) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):  # not a client that went away mid-answer
            print(f"postfeed: serving failed: {type(error).__name__}: {error}", file=sys.stderr)


class _Handler(http.server.SimpleHTTPRequestHandler):
    timeout = 30  # an idle connection gives its thread back after this many seconds

    def version_string(self) -> str:
        return f"postfeed/{__version__}"

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: no line per request

    def send_head(self) -> BinaryIO | None:
        url_path = urllib.parse.urlsplit(self.path).path
        path = _inside(self.directory, self.translate_path(self.path))
        # The stdlib drops a `..` where it would climb out; here it is refused everywhere.
        if path is None or ".." in urllib.parse.unquote(url_path).split("/"):
            return self.send_error(HTTPStatus.NOT_FOUND)
        if path.is_dir() and not url_path.endswith("/"):
            return super().send_head()  # the redirect to the folder's URL with its slash
        if path.is_dir():
            path = _inside(self.directory, path / "index.html")  # never a listing
        elif url_path.endswith("/"):
            path = None  # a file is not a folder
        if path is None or (file := _open_regular_file(path)) is None:
            return self.send_error(HTTPStatus.NOT_FOUND)
        # All of the answer comes from this one open file: a file replaced meanwhile
        # (os.replace, as postfeed writes) is a new file, and this answer is all old.
        status = os.fstat(file.fileno())
        # The inode changes with every os.replace, even when size and mtime do not.
        etag = f'"{status.st_ino:x}-{status.st_size:x}-{status.st_mtime_ns:x}"'
        # No Last-Modified for a file written this very second: a second version may follow
        # within it, and a date of whole seconds could not tell the two apart (libcurl drops
        # a 200 "not newer" than its copy). The ETag alone says whether a copy is current.
        modified = int(status.st_mtime) if status.st_mtime < int(time.time()) else None
        current = self._not_modified(etag, modified)
        self.send_response(HTTPStatus.NOT_MODIFIED if current else HTTPStatus.OK)
        if not current:
            # postfeed writes all of these as UTF-8
            media_type = self.server.media_types.get(path.name)  # type: ignore[attr-defined]
            kind = f"{media_type}; charset=utf-8" if media_type else self.guess_type(path.name)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(status.st_size))
        self.send_header("ETag", etag)
        if modified is not None:
            self.send_header("Last-Modified", self.date_time_string(modified))
        self.send_header("Cache-Control", "no-cache")  # ask every time: files change under us
        self.end_headers()
        if current:
            file.close()
            return None
        return file  # the stdlib copies it out (GET) and closes it

    def _not_modified(self, etag: str, modified: int | None) -> bool:
        """Whether the client's copy is current: If-None-Match, else If-Modified-Since."""
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
            return tags == ["*"] or etag in tags
        try:
            since = email.utils.parsedate_to_datetime(self.headers.get("If-Modified-Since"))
        except (TypeError, ValueError, IndexError, OverflowError):  # missing or not a date
            return False
        seconds = (since if since.tzinfo else since.replace(tzinfo=UTC)).timestamp()
        # A date later than now is invalid (RFC 9110, 13.1.3): the file may change before it.
        return modified is not None and modified <= seconds <= time.time()


def _inside(root: str, path: str | Path) -> Path | None:
    """`path` with its symlinks resolved, or None if that leads out of `root`."""
    try:
        found = Path(path).resolve()
    except (OSError, RuntimeError, ValueError):  # symlink loops, odd names
        return None
    return found if found.is_relative_to(root) else None


def _open_regular_file(path: Path) -> BinaryIO | None:
    try:
        # O_NONBLOCK: opening a FIFO must not hang the thread (no effect on files).
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        return None
    return os.fdopen(descriptor, "rb")
