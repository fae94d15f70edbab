"""Normalizing front-matter fields: title, categories, author, image, link and id.

Pure functions of the values in front matter (and the configuration they need).
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from postfeed import urls

MAX_TITLE_LENGTH = 200
LINK_KEYS = ("link", "permalink", "url", "original_url")
IMAGE_KEYS = ("headimg", "thumbnail", "image", "cover")
ID_KEYS = ("id", "guid")

# XML 1.0 allows tab, LF, CR and everything from U+0020 but surrogates, U+FFFE and
# U+FFFF. It also discourages DEL and the C1 controls (U+007F-U+009F): they are never
# text, only bytes of another encoding read wrongly, and validators flag them.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b\u2028\u2029\ufeff]")
# One tag; linear: it cannot run past the next "<" or ">".
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
# What would start markup if a reader took the text for HTML.
_TAG_START = re.compile(r"<(?=[a-zA-Z/!?])")
# A text field longer than this is cut before it is parsed: a title is cut to 200
# characters anyway, and no category or author name is this long.
MAX_FIELD_INPUT = 10_000
# Text that plain_line leaves as it is but for its spaces: no "&" or "<", and none of
# the characters _CONTROL and _XML_FORBIDDEN match.
_PLAIN = re.compile("[^&<\x00-\x1f\x7f-\x9f\u200b\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]*")
# Tags that break a line: they become a space; other tags just go (CJK has no spaces).
_BREAKING_TAG = re.compile(r"</?(?:br|p|div|li|h[1-6]|tr|td|th|hr)\b[^<>]*>", re.IGNORECASE)


def clean_text(text: str) -> str:
    """Remove the characters XML 1.0 forbids (lxml refuses them) or discourages."""
    return _XML_FORBIDDEN.sub("", text)


def as_text(value: Any) -> str:
    """A scalar front-matter value as the text the author wrote.

    Values that are not text (a mapping, binary data) give no text rather than
    a Python representation; a set (`!!set`) gives its items in sorted order, so
    the output never depends on the hash seed.
    """
    if type(value) is str:  # the commonest by far: spared the checks below
        return value
    if value is None or isinstance(value, _NOT_TEXT):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _COLLECTIONS):
        return " ".join(as_text(item) for item in _flatten(value))
    return str(value)


# As tuples: `isinstance(value, dict | bytes)` would make the union anew at every call.
_NOT_TEXT = (dict, bytes)
_COLLECTIONS = (list, tuple, set, frozenset)
_SETS = (set, frozenset)
_SEQUENCES = (list, tuple)


def plain_line(value: Any) -> str:
    """One line of plain text: tags stripped, entities decoded, controls removed.

    No markup survives: tags are stripped until none is left (`<scr<b>ipt>` would
    be `<script>` after one pass), and a `<` that could still open one goes too.
    """
    # Entities first: an encoded tag (&lt;script&gt;) must go too, not come back as
    # one. Scrapers often encode twice (AT&amp;amp;T), so decode until nothing changes.
    text = as_text(value)[:MAX_FIELD_INPUT]
    if _PLAIN.fullmatch(text):  # no entity, no markup, no control: only spaces to collapse
        return " ".join(text.split())
    for _ in range(3):
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    text = _strip_comments(_BREAKING_TAG.sub(" ", text))
    for _ in range(4):  # each pass is linear; nesting deeper than this is an attack
        text, count = _TAG.subn("", text)
        if not count:
            break
    text = _TAG_START.sub("", text)
    text = clean_text(_CONTROL.sub(" ", text))
    return " ".join(text.split())


def _strip_comments(text: str) -> str:
    """Text without `<!-- ... -->` (an unclosed one runs to the end), in one scan."""
    parts = []
    position = 0
    while (start := text.find("<!--", position)) >= 0:
        parts.append(text[position:start])
        end = text.find("-->", start + 4)
        position = len(text) if end < 0 else end + 3
    parts.append(text[position:])
    return "".join(parts)


def title(value: Any) -> str:
    """The title as plain text, cut with … when it is very long (may be empty)."""
    text = plain_line(value)
    if len(text) > MAX_TITLE_LENGTH:
        text = text[: MAX_TITLE_LENGTH - 1].rstrip() + "…"
    return text


def categories(value: Any, aliases: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Categories from a list, a comma-separated string, numbers or nested lists.

    Trimmed, whitespace collapsed, aliases applied, empty ones dropped, and
    duplicates removed: two names are one category when they are equal after NFKC
    and case folding (ＡＩ is ai is AI); the first spelling is kept.
    """
    folded_aliases = {fold(key): target for key, target in (aliases or {}).items()}
    seen: set[str] = set()
    result: list[str] = []
    for item in _flatten(value):
        for part in item.split(",") if isinstance(item, str) else [as_text(item)]:
            name = plain_line(part)
            key = fold(name)
            if key in folded_aliases:
                name = folded_aliases[key]
                key = fold(name)
            if name and key not in seen:
                seen.add(key)
                result.append(name)
    return tuple(result)


def author(value: Any) -> str | None:
    """An author's name from a string, a list of them, or a {name, email} mapping."""
    names = []
    for item in _flatten(value):
        if isinstance(item, Mapping):
            item = item.get("name") or item.get("email")
        name = plain_line(item)
        if name and name not in names:
            names.append(name)
    return ", ".join(names) or None


def first_value(meta: Mapping[str, Any], keys: Iterable[str]) -> Any:
    """The value of the first key in `keys` that front matter has and is not blank."""
    for key in keys:
        value = meta.get(key)
        if value is not None and as_text(value).strip():
            return value
    return None


def image(value: Any, base_url: str) -> str | None:
    """An absolute http(s) image URL, or None."""
    return urls.web_url(as_text(value), base_url)


def link(value: Any, site_url: str) -> str | None:
    """A link from front matter as an absolute URL (None when it is not one)."""
    return urls.link(as_text(value), site_url)


def article_id(value: Any, site_url: str, name: str) -> str:
    """A permanent id: from front matter (`id`, `guid`), else derived from the post's path.

    The path does not change when the title, body or date is edited, so readers
    never show an edited post twice; two files never share a path.
    """
    given = plain_line(value)
    if given and re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$", given):
        return urls.encode(given)
    seed = f"{site_url}#{given}" if given else f"{site_url}{name}"
    return f"urn:uuid:{_uuid5(seed)}"


# uuid.NAMESPACE_URL (importing uuid costs more than the ids it would make).
_URL_NAMESPACE = bytes.fromhex("6ba7b8119dad11d180b400c04fd430c8")


def _uuid5(name: str) -> str:
    """str(uuid.uuid5(uuid.NAMESPACE_URL, name)), without making a UUID object."""
    digest = bytearray(hashlib.sha1(_URL_NAMESPACE + name.encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # the variant of RFC 4122
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def is_true(value: Any) -> bool:
    """A front-matter flag: true, yes, on, 1 (any case) or a YAML boolean."""
    if isinstance(value, bool):
        return value
    return as_text(value).strip().lower() in ("true", "yes", "on", "1")


def is_false(value: Any) -> bool:
    if isinstance(value, bool):
        return not value
    return as_text(value).strip().lower() in ("false", "no", "off", "0")


@lru_cache(maxsize=1 << 16)  # a site has few names, met again in most of its posts
def fold(name: str) -> str:
    """How names are compared: NFKC (ＡＩ is AI), then case folding (AI is ai)."""
    return unicodedata.normalize("NFKC", name).casefold()


def _flatten(value: Any) -> Iterable[Any]:
    if value is None:
        return
    if isinstance(value, _SETS):
        value = sorted(value, key=str)
    if isinstance(value, _SEQUENCES):
        for item in value:
            if type(item) is str:  # most items: no generator of their own
                yield item
            else:
                yield from _flatten(item)
    else:
        yield value


MAX_SLUG_LENGTH = 80
# File systems limit a name to 255 bytes (ext4, APFS, NTFS in UTF-16 units): a slug
# of 80 four-byte characters would not fit, 80 CJK characters of three bytes do.
MAX_SLUG_BYTES = 240
# Names Windows will not create a file or folder with, whatever the extension.
_RESERVED_NAMES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{n}" for n in range(10)} | {f"lpt{n}" for n in range(10)}
)


def category_slug(name: str) -> str:
    """A path segment and URL segment for a category: CJK kept, nothing else unsafe.

    Lower case after NFKC; runs of anything but letters, digits, `_` and `-`
    become one `-`; never empty, never `.` or `..`, never a Windows device name,
    at most MAX_SLUG_LENGTH characters and MAX_SLUG_BYTES bytes of UTF-8.
    """
    text = fold(name)
    slug = _cut(re.sub(r"[^\w-]+", "-", text).strip("-_"), MAX_SLUG_LENGTH).strip("-_")
    if not slug:
        return "category"
    if slug.split(".")[0] in _RESERVED_NAMES:
        slug += "-"
    return slug


def category_slugs(names: Iterable[str]) -> dict[str, str]:
    """A unique slug for each category: the first to claim one keeps it, later ones get -2, -3…"""
    slugs: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        if name in slugs:
            continue
        base = slug = category_slug(name)
        number = 1
        while slug in taken:
            number += 1
            slug = f"{_cut(base, MAX_SLUG_LENGTH - len(str(number)) - 1)}-{number}"
        slugs[name] = slug
        taken.add(slug)
    return slugs


def _cut(text: str, length: int) -> str:
    """At most `length` characters and MAX_SLUG_BYTES - (MAX_SLUG_LENGTH - length)
    bytes of UTF-8 (so a slug with its -N suffix stays within MAX_SLUG_BYTES),
    never cutting a character in two."""
    limit = MAX_SLUG_BYTES - (MAX_SLUG_LENGTH - length)
    return text[:length].encode()[:limit].decode("utf-8", "ignore")
