"""What every kind of site shares: the records passed between a kind and the stages,
and the base rules (a plain folder's) every kind refines."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from postfeed import fields, urls
from postfeed.article import Warn

if TYPE_CHECKING:
    from postfeed.config import Config

_DATE_IN_NAME = re.compile(r"(?:^|/)(\d{4}-\d{1,2}-\d{1,2})-[^/]*$")


# English names, as every generator writes them in links whatever the locale.
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def date_placeholders(local: datetime) -> dict[str, str]:
    """The date and time placeholders Hexo's and Jekyll's permalinks share."""
    return {
        "year": f"{local.year:04d}",
        "month": f"{local.month:02d}",
        "day": f"{local.day:02d}",
        "hour": f"{local.hour:02d}",
        "minute": f"{local.minute:02d}",
        "second": f"{local.second:02d}",
        "i_month": str(local.month),
        "i_day": str(local.day),
    }


class SiteError(Exception):
    """A site's own configuration cannot be used; the message names the file and why."""


@dataclass(frozen=True)
class SitePost:
    """What a site's rules are told about one post."""

    name: str  # its path inside the posts folder, POSIX style, without suffix
    meta: Mapping[str, Any]
    published: datetime
    title: str
    categories: tuple[str, ...]


@dataclass(frozen=True)
class Rules:
    """How a site turns a post file into an article: a plain folder's way.

    Each kind of site subclasses this with its own settings (read from the
    site's configuration) and overrides what its generator does differently.
    Instances travel inside Config to worker processes, so they are plain data.
    """

    # How the site's renderer reads Markdown beyond CommonMark: soft line breaks as
    # <br> (Hexo's marked), curly quotes and dashes by the renderer's own rules (all
    # three generators by default), footnotes laid out as "kramdown" or "goldmark"
    # does ("": none), GFM task lists, and kramdown's emphasis next to punctuation
    # (`**备注：**后`).
    breaks: bool = False
    smart_punctuation: str = ""  # whose rules: "marked", "kramdown", "goldmark"; "": none
    quotes: str = ""  # the four quotes marked writes (its `quotes` option); "": “”‘’
    footnotes: str = ""
    tasklists: bool = False
    loose_emphasis: bool = False
    # Whether a `.md` or `.markdown` file is Markdown whatever it looks like (a
    # generator renders it so); otherwise a body that is HTML throughout is kept as HTML.
    markdown_by_suffix: bool = False
    # Out-of-range date fields roll over (`21:43:79` is 21:44:19), with a warning, as
    # Hexo reads them; otherwise such a date is an error.
    rolls_dates_over: bool = False
    # Front-matter keys that give a post's date, the first present wins. (`published`
    # is a date to Hugo and scrapers, but a flag to Hexo and Jekyll.)
    date_keys: tuple[str, ...] = ("date", "published", "pubDate", "pubdate", "created")
    # Each category and tag is written in one spelling across the site (the first met:
    # `AI` and `ＡＩ` are one); False: as each post writes it, as generators do.
    one_spelling: bool = True

    def ignores(self, key: str) -> bool:
        """Whether the file `key` (its path inside the posts folder) is no post at all
        but another file of the site (a list page, a draft folder): left out unsaid."""
        return False

    def skip(self, name: str, meta: Mapping[str, Any]) -> str | None:
        """Why the post `name` (its path without suffix) is one the site's generator does
        not publish, said as a warning; None when it publishes it."""
        return None

    def publishes(self, meta: Mapping[str, Any]) -> bool:
        """Whether the generator publishes a post with this front matter (`draft` and
        `published: false` are checked for every kind before this)."""
        return True

    def date_value(self, value: Any) -> Any:
        """The front-matter date value as the generator understands it (before parsing)."""
        return value

    def categories(self, meta: Mapping[str, Any], name: str) -> Any:
        """The post's categories, as a value `fields.categories` reads."""
        return meta.get("categories", meta.get("category"))

    def tags(self, meta: Mapping[str, Any]) -> Any:
        """The post's tags, as a value `fields.categories` reads."""
        return meta.get("tags")

    def feed_title(self, title: str) -> str:
        """The title as the site's feed shows it."""
        return title

    def title_from_name(self, name: str) -> str | None:
        """The title of a post whose front matter has none, if the generator makes one
        from the file name; None: the body's first heading or line (postfeed's way)."""
        return None

    def undated(self) -> datetime | None:
        """The date the generator gives a post without one; None: the file's time."""
        return None

    def date_in_name(self, name: str) -> str | None:
        """The date the file name `name` carries, as text."""
        match = _DATE_IN_NAME.search(name)
        return match.group(1) if match else None

    def link(self, post: SitePost, config: Config, warn: Warn) -> str:
        """The post's absolute URL."""
        value = fields.first_value(post.meta, fields.LINK_KEYS)
        if value is not None:
            link = fields.link(value, config.site_url)
            if link is not None:
                return link
            warn("link", f"not a usable URL: {fields.as_text(value)!r}; using the permalink")
        return urls.permalink(
            config.permalink, config.site_url, post.name, post.published, config.zone
        )

    def item_id(self, post: SitePost, link: str) -> str:
        """The id the site's own feed gave the post (with `ids = "site"`)."""
        return link

    def body_format(self, suffix: str, meta: Mapping[str, Any]) -> str | None:
        """The format ("html" or "markdown") the site renders a file with this suffix
        and front matter in; None: told from the body (HTML throughout is HTML)."""
        value = fields.as_text(meta.get("format")).strip().lower()
        if value in ("html", "markdown"):
            return value
        if self.markdown_by_suffix and suffix.lower() in (".md", ".markdown"):
            return "markdown"
        return None

    def prepare(self, body: str, post: SitePost, link: str, config: Config, warn: Warn) -> str:
        """The body as the Markdown or HTML renderer should see it."""
        return body

    def finish(self, body_html: str) -> str:
        """The rendered body as the site's renderer finishes it (before cleaning)."""
        return body_html

    def asset_base(self, post: SitePost, link: str, config: Config) -> str:
        """The URL relative URLs in the body resolve against."""
        return link

    def excerpt(self, body: str, meta: Mapping[str, Any]) -> str | None:
        """The part of the body the site's feed uses as the summary, if it marks one."""
        return None


@dataclass(frozen=True)
class Site:
    """What a site's own configuration says, as postfeed settings and rules."""

    kind: str
    root: Path
    # postfeed configuration keys the site's configuration implies (title, site_url, ...)
    settings: dict[str, Any] = field(default_factory=dict)
    # "key: value, from FILE (its KEY)" lines, for `build -v`
    read_from: tuple[str, ...] = ()
    rules: Rules = field(default_factory=Rules)
