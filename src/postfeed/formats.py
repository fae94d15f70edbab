"""The output formats: one row for each file that every feed set gets.

`build`, the index page, the OPML list and `serve` all iterate over FORMATS;
adding a format is one row here and one writer module.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from postfeed.article import Article, Channel


@dataclass(frozen=True, slots=True)
class Format:
    """One kind of feed file."""

    name: str  # how the configuration names it (`files.atom = "feed.xml"`)
    file_name: str  # the file in every feed set's folder
    label: str  # how people see it named
    media_type: str  # its Content-Type, and the type of its autodiscovery link
    writer: str  # "module:function" turning (Channel, Articles) into bytes

    def render(self, channel: Channel, articles: Sequence[Article]) -> bytes:
        # Imported on first use: a build with nothing to do never needs them.
        module, _, function = self.writer.partition(":")
        return getattr(importlib.import_module(module), function)(channel, articles)


# The first is the one a feed set is listed by in feeds.opml: every reader knows
# RSS, and importing all three formats of one feed would show every article three times.
FORMATS: tuple[Format, ...] = (
    Format("rss", "rss.xml", "RSS", "application/rss+xml", "postfeed.feeds:render_rss"),
    Format("atom", "atom.xml", "Atom", "application/atom+xml", "postfeed.feeds:render_atom"),
    Format(
        "json", "feed.json", "JSON Feed", "application/feed+json", "postfeed.jsonfeed:render_json"
    ),
)
FORMAT_NAMES: tuple[str, ...] = tuple(f.name for f in FORMATS)


def named(files: Mapping[str, str]) -> tuple[Format, ...]:
    """FORMATS, with the file names `files` gives some of them (by format name): a
    site moving to postfeed keeps its feed at the URL its subscribers use."""
    return tuple(replace(f, file_name=files.get(f.name, f.file_name)) for f in FORMATS)


# The files that list the feed sets, written once, in the output folder itself.
OPML_FILE = "feeds.opml"
INDEX_FILE = "index.html"
SITE_FILES: dict[str, str] = {OPML_FILE: "text/x-opml", INDEX_FILE: "text/html"}


def media_types(formats: Sequence[Format]) -> dict[str, str]:
    """Every file a build with `formats` writes, by name, with its media type (all UTF-8)."""
    return {**{f.file_name: f.media_type for f in formats}, **SITE_FILES}
