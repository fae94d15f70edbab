"""The URL policy: which URLs a feed may carry, and how they are made absolute.

One place decides "is this an http(s) URL", which schemes content may link to,
how relative URLs resolve, and how permalinks are spelt; config, fields,
content and pages all ask here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, tzinfo
from urllib.parse import quote, urljoin, urlsplit

# Schemes a link in content may have; feed, article and image URLs must be http(s).
CONTENT_SCHEMES = frozenset({"http", "https", "mailto"})
WEB_SCHEMES = frozenset({"http", "https"})
# Longer URLs are refused: no real link is this long, and a post's value is
# bounded before it is parsed.
MAX_URL_LENGTH = 4096

_SAFE = "%:/?#[]@!$&'()*+,;=~"
# Unicode control and invisible characters that browsers ignore inside a URL scheme.
_NOISE = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_HOST_LIKE = re.compile(r"^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:[:/]|$)", re.IGNORECASE)
_FILE_LIKE = re.compile(r"^[^/]+\.(?:html?|md|php|aspx?)(?:$|[?#])")


def is_web_url(url: str) -> bool:
    """Whether `url` is an absolute http(s) URL with a host (and a numeric port, if any)."""
    if len(url) > MAX_URL_LENGTH:
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        return False
    return parts.scheme in WEB_SCHEMES and bool(parts.netloc)


def encode(url: str) -> str:
    """Percent-encode what may not stand in a URL (CJK, spaces), keeping existing escapes."""
    # quote(url, safe=_SAFE), a run of bytes at a time (quote looks up every byte).
    return _UNSAFE_RUN.sub(_escaped, url.encode()).decode("ascii")


# The bytes quote() escapes: all but letters, digits, "_.-~" and _SAFE.
_UNSAFE_RUN = re.compile(rb"[^A-Za-z0-9_.\-~" + re.escape(_SAFE.encode()) + rb"]+")


def _escaped(run: re.Match[bytes]) -> bytes:
    return b"%" + run[0].hex("%").upper().encode()


def absolute(value: str, base_url: str) -> str | None:
    """An absolute http(s)/mailto URL, or None when the value must not be kept.

    `//host/x` becomes `https://host/x`; a relative URL resolves against base_url;
    any other scheme (javascript:, data:, also spelt `jav&#x09;ascript:`) is refused.
    """
    url = value.strip()
    if not url or len(url) > MAX_URL_LENGTH:
        return None
    probe = _NOISE.sub("", url)
    scheme = _SCHEME.match(probe)
    if scheme:
        return url if scheme.group(1).lower() in CONTENT_SCHEMES else None
    if ":" in probe.split("/", 1)[0] and not probe.startswith("#"):
        return None  # a colon before the first slash: a scheme in disguise
    if url.startswith("//"):
        return "https:" + url
    try:
        return urljoin(base_url, url)
    except ValueError:  # e.g. "http://[oops": not a URL
        return None


def web_url(value: str, base_url: str) -> str | None:
    """`value` as an absolute, percent-encoded http(s) URL, or None."""
    url = absolute(value, base_url)
    return encode(url) if url and is_web_url(url) else None


def link(value: str, site_url: str) -> str | None:
    """A link written by hand, as an absolute URL (None when it is not one).

    `/2021/x.html` resolves against the site; `example.com/x` gets https://.
    """
    url = value.strip()[: MAX_URL_LENGTH + 1]
    if _HOST_LIKE.match(url) and not _FILE_LIKE.match(url):
        url = "https://" + url
    return web_url(url, site_url)


# Hexo's permalink placeholders: each gives its text from the post's local date
# and its name (its path inside the posts folder, without suffix).
PERMALINK_PLACEHOLDERS: dict[str, Callable[[datetime, str], str]] = {
    "year": lambda local, name: f"{local.year:04d}",
    "month": lambda local, name: f"{local.month:02d}",
    "day": lambda local, name: f"{local.day:02d}",
    "hour": lambda local, name: f"{local.hour:02d}",
    "minute": lambda local, name: f"{local.minute:02d}",
    "second": lambda local, name: f"{local.second:02d}",
    "title": lambda local, name: quote(name, safe="/"),
    "name": lambda local, name: quote(name.rsplit("/", 1)[-1], safe=""),
}
_PLACEHOLDER = re.compile(r":([a-z_]+)")


def unknown_placeholders(pattern: str) -> set[str]:
    return set(_PLACEHOLDER.findall(pattern)) - set(PERMALINK_PLACEHOLDERS)


def permalink(pattern: str, site_url: str, name: str, published: datetime, zone: tzinfo) -> str:
    """`site_url` + a Hexo permalink pattern; :title is the post's path without suffix."""
    local = published.astimezone(zone)

    def fill(match: re.Match[str]) -> str:
        placeholder = PERMALINK_PLACEHOLDERS.get(match.group(1))
        return placeholder(local, name) if placeholder else match.group(0)

    path = _PLACEHOLDER.sub(fill, pattern)
    return site_url + path.lstrip("/")  # site_url ends in "/"; a post path has no ".."
