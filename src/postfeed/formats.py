"""The output formats: one row for each file that every feed set gets.

`build`, the index page, the OPML list and `serve` all iterate over FORMATS;
adding a format is one row here and one writer module.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from postfeed.article import Article, Channel


@dataclass(frozen=True, slots=True)
class Format:
    """One kind of feed file."""

    file_name: str  # the file in every feed set's folder
    label: str  # how people see it named
    media_type: str  # its Content-Type, and the type of its autodiscovery link
    writer: str  # "module:function" turning (Channel, Articles) into bytes

    def render(self, channel: Channel, articles: Sequence[Article]) -> bytes:
        # Imported on first use: the writers (feedgen, lxml) take a noticeable part
        # of a second to import, and a build with nothing to do never needs them.
        module, _, function = self.writer.partition(":")
        return getattr(importlib.import_module(module), function)(channel, articles)


FORMATS: tuple[Format, ...] = (
    Format("rss.xml", "RSS", "application/rss+xml", "postfeed.feeds:render_rss"),
    Format("atom.xml", "Atom", "application/atom+xml", "postfeed.feeds:render_atom"),
    Format("feed.json", "JSON Feed", "application/feed+json", "postfeed.jsonfeed:render_json"),
)
# The format a feed set is listed by in feeds.opml: every reader knows RSS, and
# importing all three formats of one feed would show every article three times.
OPML_FORMAT = FORMATS[0]
FEED_FILE_NAMES: frozenset[str] = frozenset(f.file_name for f in FORMATS)

# The files that list the feed sets, written once, in the output folder itself.
OPML_FILE = "feeds.opml"
INDEX_FILE = "index.html"
SITE_FILES: dict[str, str] = {OPML_FILE: "text/x-opml", INDEX_FILE: "text/html"}

# Every file a build writes, by name, with its media type (all are UTF-8).
MEDIA_TYPES: dict[str, str] = {
    **{f.file_name: f.media_type for f in FORMATS},
    **SITE_FILES,
}
