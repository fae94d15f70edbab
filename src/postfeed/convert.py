"""Simplified ↔ Traditional Chinese, by the OpenCC project's own converter.

A feed set with `opencc = "s2t"` (or another of CONVERSIONS) carries its articles'
titles, summaries, categories, tags and the text of their content converted. Left
as they are: URLs and every other attribute, the text of <code>, <pre>, <kbd> and
<samp>, and authors' names (people's names are not converted, as RSSHub's own
`opencc` parameter leaves them).

The HTML is not parsed and serialized again: content is nh3's output (html5ever's
serialization: every attribute value in double quotes, `<` in text written
`&lt;`), so the text between two tags is found exactly by one scan, and every byte
outside the text stays as it was. A round trip through lxml's HTML parser would
not: it knows no HTML5 void elements (what follows a <source> or <wbr> would end up
inside it) and rewrites `&nbsp;`, quotes and end tags.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from postfeed.article import Article
from postfeed.fields import fold

if TYPE_CHECKING:
    from opencc import OpenCC

# The conversions a feed set may ask for, by OpenCC's own names for them.
CONVERSIONS: dict[str, str] = {
    "s2t": "Simplified to Traditional Chinese",
    "t2s": "Traditional to Simplified Chinese",
    "s2tw": "Simplified to Traditional Chinese, Taiwan standard",
    "s2hk": "Simplified to Traditional Chinese, Hong Kong variants",
    "tw2s": "Traditional Chinese, Taiwan standard, to Simplified",
    "hk2s": "Traditional Chinese, Hong Kong variants, to Simplified",
    "s2twp": "Simplified to Traditional Chinese, Taiwan standard, with Taiwanese phrases",
    "tw2sp": "Traditional Chinese, Taiwan standard, to Simplified, with mainland phrases",
}
# Elements whose text is code or machine output: converting it would change its meaning.
VERBATIM_ELEMENTS = frozenset({"code", "pre", "kbd", "samp"})

# One tag: up to the first ">" that is not inside a double-quoted attribute value
# (html5ever escapes neither ">" nor "<" there). Split by it, a fragment alternates
# text and tags: text, tag, text, ..., text. Linear on any input: possessive, and no
# "<" outside quotes, so a "<" that starts no tag costs only the scan to the next
# "<" or quote (the obvious pattern takes half a minute on 40,000 "<").
_TAG = re.compile(r'(<[^<>"]*+(?:"[^"]*+"[^<>"]*+)*+>)')
_VERBATIM_TAG = re.compile(r"<(/?)(code|pre|kbd|samp)[\s/>]", re.IGNORECASE)
# Between the texts of one fragment, converted in one call: no word of OpenCC's has
# it, so none spans two texts, and sanitized HTML never holds it (XML forbids it).
_SEPARATOR = "\x00"


@cache
def _converter(conversion: str) -> OpenCC:
    """One converter per conversion, made on first use: making one loads its dictionaries."""
    if conversion not in CONVERSIONS:
        raise ValueError(f"unknown conversion {conversion!r}")
    import opencc

    # By the full path of the package's own file: given a bare name, OpenCC looks in
    # the working directory first, and would take any s2t.json lying there.
    own = Path(opencc.__file__).parent / "clib" / "share" / "opencc" / f"{conversion}.json"
    return opencc.OpenCC(str(own) if own.is_file() else f"{conversion}.json")


def version() -> str:
    """OpenCC's version: its dictionaries change between versions, and so does its output."""
    import opencc

    return str(opencc.__version__)


def convert_text(text: str, conversion: str) -> str:
    """Plain text, converted."""
    # Every word in OpenCC's dictionaries has a CJK character in it.
    if text.isascii():
        return text
    return str(_converter(conversion).convert(text))


def convert_html(html: str, conversion: str) -> str:
    """An HTML fragment as sanitize() writes it, with the text of its elements converted;
    tags, attributes and the text inside VERBATIM_ELEMENTS stay as they are."""
    if html.isascii():
        return html
    parts = _TAG.split(html)
    wanted: list[int] = []  # the parts to convert: text, outside verbatim elements
    verbatim = 0  # how many verbatim elements the text is inside
    for index in range(0, len(parts), 2):
        if not verbatim and not parts[index].isascii():
            wanted.append(index)
        tag = _VERBATIM_TAG.match(parts[index + 1]) if index + 1 < len(parts) else None
        if tag:
            verbatim = max(verbatim - 1, 0) if tag.group(1) else verbatim + 1
    converted = _convert_all([parts[index] for index in wanted], conversion)
    for index, text in zip(wanted, converted, strict=True):
        # OpenCC's dictionaries hold no "&", ";", "<" or ">": an entity is never
        # changed; and sanitized text has "<" and ">" escaped, so one here would be the
        # conversion's, and is escaped too: text never becomes markup.
        parts[index] = text.replace("<", "&lt;").replace(">", "&gt;")
    return "".join(parts)


def _convert_all(texts: list[str], conversion: str) -> list[str]:
    """Each of `texts`, converted; in one call to OpenCC (a call per text costs more
    than the conversion of most texts of a page)."""
    if not any(_SEPARATOR in text for text in texts):
        converted = convert_text(_SEPARATOR.join(texts), conversion).split(_SEPARATOR)
        if len(converted) == len(texts):
            return converted
    return [convert_text(text, conversion) for text in texts]


def convert_article(article: Article, conversion: str) -> Article:
    """The article as a feed set with `conversion` carries it: title, summary,
    categories, tags and content text converted; names, URLs and dates as they were.
    Names that become one spelling (财经 and 財經 under s2t) are written once."""
    categories = _unique(convert_text(name, conversion) for name in article.categories)
    known = {fold(name) for name in categories}
    tags = tuple(
        tag for tag in _unique(convert_text(name, conversion) for name in article.tags)
        if fold(tag) not in known
    )  # fmt: skip
    return replace(
        article,
        title=convert_text(article.title, conversion),
        summary=convert_text(article.summary, conversion),
        categories=categories,
        tags=tags,
        content=convert_html(article.content, conversion),
    )


def _unique(names: Iterable[str]) -> tuple[str, ...]:
    """The names, each once (compared folded), in their first spelling."""
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(fold(name), name)
    return tuple(seen.values())


class Converted:
    """The articles of one build in the script of each conversion: an article is
    converted at most once per conversion, however many feed sets carry it."""

    def __init__(self) -> None:
        self._articles: dict[tuple[Article, str], Article] = {}

    def __call__(self, article: Article, conversion: str) -> Article:
        if not conversion:
            return article
        # Keyed by the whole article: a summary-only feed's copy (no content) is another
        # article, and costs only its short fields.
        key = (article, conversion)
        if key not in self._articles:
            self._articles[key] = convert_article(article, conversion)
        return self._articles[key]
