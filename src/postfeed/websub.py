"""WebSub: tell a hub which feeds changed, so subscribers hear of it at once.

A failed ping is a warning, never a failed build: the feeds are written already,
and readers that poll will find the news anyway.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterable
from urllib.parse import urlencode

TIMEOUT_SECONDS = 10.0


def ping(hub: str, feed_urls: Iterable[str], timeout: float = TIMEOUT_SECONDS) -> list[str]:
    """Send `hub.mode=publish` for each feed URL; return one warning per failure."""
    warnings = []
    for url in feed_urls:
        body = urlencode({"hub.mode": "publish", "hub.url": url}).encode()
        request = urllib.request.Request(
            hub,
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
        except urllib.error.HTTPError as error:
            warnings.append(f"WebSub hub {hub} refused {url}: HTTP {error.code}")
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            warnings.append(f"WebSub hub {hub} unreachable for {url}: {reason}")
    return warnings
