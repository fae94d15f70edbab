"""A Jekyll site: `_config.yml` (or `_config.yaml`, `_config.toml`) and `_posts/` at its root.

Read as Jekyll 4.3 and jekyll-feed 0.17 read it. A post is a file in a `_posts`
folder whose name starts with a date (`2024-10-14-slug.md`, one-digit month and
day allowed); Jekyll leaves other files there out, and so does postfeed, with a
warning. Its link is `url` + `baseurl` + the `permalink` pattern (a style such as
`pretty`, or placeholders such as `:categories/:year/:title`) filled as Jekyll's
URL drop fills it, or its front-matter `permalink`; its item id is jekyll-feed's:
the Document id (the folder of the link + the slug) made absolute by joining `url`
and the path as they are written (so `url: https://x.org/` gives ids with `//`,
as jekyll-feed's do). Categories come from the folders above `_posts`
(`news/_posts/` is the category `news`) and the front matter. The summary is
the part before `excerpt_separator` (the first paragraph by default), as
jekyll-feed's `<summary>`. Liquid tags and `{{ site.* }}` / `{{ page.* }}` are
expanded by `postfeed.sites.tags`.

Decisions:
- posts folder: `_posts` at the root (or below `collections_dir`). When the site
  also has category folders (`news/_posts/`), the posts folder is the root and
  `ignores` keeps only files below a `_posts` folder that Jekyll reads (no `_`,
  `.`, `#` or `~` folders, none in `exclude`, not the destination). The whole
  root is then scanned on every build (a cost only such sites pay).
- No `url` (or one that is not http(s)): not an error, since `--site-url` or
  postfeed.toml must still be able to give it; the site's `url` is simply not
  used and `build -v` says so. jekyll-feed itself would write relative links.
- No `timezone`: Jekyll uses the build machine's zone; UTC here (GitHub Pages
  builds in UTC).
- A `--site-url` or `site_url` other than the site's own stands for the whole of
  `url` + `baseurl`.

Limits: `:output_ext` is `.html` (the posts postfeed reads are Markdown or HTML);
a post's own `excerpt_separator` is honoured only when its front matter is passed
to `excerpt`; `{% link %}` to a page that is not a post gives its path. What the
collector does not ask for yet is here for it: `date_value` (YAML timestamps are
UTC to Jekyll), `categories` and `tags` (strings split on spaces, folders above
`_posts`), `title_from_name` (the title of a post without one).
"""

from __future__ import annotations

import bisect
import fnmatch
import posixpath
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote_to_bytes, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from postfeed import typography, urls
from postfeed.article import Warn
from postfeed.sites.base import DAYS, MONTHS, Site, SiteError, SitePost, date_placeholders
from postfeed.sites.base import Rules as BaseRules
from postfeed.sites.files import flag, read_mapping, text
from postfeed.sites.roots import JEKYLL_CONFIG_FILES as CONFIG_FILES
from postfeed.sites.roots import JEKYLL_POSTS as POSTS

if TYPE_CHECKING:
    from postfeed.config import Config

NAME = "jekyll"
DEFAULT_FEED_PATH = "feed.xml"  # jekyll-feed's
DEFAULT_FEED_LIMIT = 10  # jekyll-feed's posts_limit
DEFAULT_EXCERPT_SEPARATOR = "\n\n"
# Jekyll's permalink styles (configuration.rb STYLE_TO_PERMALINK).
STYLES = {
    "none": "/:categories/:title:output_ext",
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
}
# Always left out of a Jekyll site (configuration.rb DEFAULT_EXCLUDES).
DEFAULT_EXCLUDES = (
    ".sass-cache",
    ".jekyll-cache",
    "gemfiles",
    "Gemfile",
    "Gemfile.lock",
    "node_modules",
    "vendor/bundle/",
    "vendor/cache/",
    "vendor/gems/",
    "vendor/ruby/",
)
# Folders looked at when searching for category folders (`news/_posts/`); beyond
# this, only the root's `_posts` is read.
MAX_FOLDERS = 20_000
# Front-matter keys Jekyll's front-matter `defaults` may give that change a link.
_DEFAULT_KEYS = ("permalink", "slug", "categories", "category")
_DATE_NAME = re.compile(r"(\d{2,4})-(\d{1,2})-(\d{1,2})-(.*)", re.DOTALL)
_PLACEHOLDER = re.compile(r":([a-z_]+)")
# Psych's timestamp (scalar_scanner.rb TIME) without an offset: YAML gives Jekyll a UTC time.
_YAML_TIME = re.compile(r"-?\d{4}-\d{1,2}-\d{1,2}(?:[Tt]|\s+)\d{1,2}:\d\d:\d\d(?:\.\d*)?")
_SPECIAL_START = (".", "_", "#", "~")
_SAFE_PATH = re.compile(r"[a-zA-Z0-9./-]+")
# What Addressable leaves unencoded in a path segment (RFC 3986 pchar).
_PCHAR = "!$&'()*+,;=:@-._~"
_BLANK_LINES = re.compile(r"\A(?:[^\S\n]*\n)+")
_LIQUID_TAG = re.compile(r"{%-?\s*(\w+)\s*.*?-?%}", re.DOTALL)
_LINK_REFERENCE = re.compile(r"^ {0,3}(\[[^\]\n]+\])(:.+)$", re.MULTILINE)
_LIQUID_BLOCKS = frozenset(
    (
        "comment",
        "raw",
        "if",
        "unless",
        "case",
        "for",
        "tablerow",
        "capture",
        "ifchanged",
        "highlight",
    )
)
MAX_VARIABLES = 200
# Jekyll's URL drop (drops/url_drop.rb): the placeholders a permalink may use.
PLACEHOLDERS = frozenset(
    [
        "collection",
        "path",
        "name",
        "title",
        "slug",
        "categories",
        "slugified_categories",
        "year",
        "month",
        "day",
        "hour",
        "minute",
        "second",
        "i_day",
        "i_month",
        "short_month",
        "long_month",
        "short_year",
        "w_year",
        "week",
        "w_day",
        "short_day",
        "long_day",
        "y_day",
        "output_ext",
    ]
)


@dataclass(frozen=True)
class Rules(BaseRules):
    """A Jekyll site's rules, from its configuration file."""

    url: str = ""  # `url` as written; empty: none (config.site_url is used)
    baseurl: str = ""  # `baseurl` as written
    site_url: str = ""  # the site_url read from the site (to notice an override)
    permalink: str = STYLES["date"]  # the pattern, styles resolved
    in_root: bool = False  # the posts folder is the site root, not `_posts`
    collections_dir: str = ""
    destination: str = "_site"
    exclude: tuple[str, ...] = DEFAULT_EXCLUDES
    include: tuple[str, ...] = (".htaccess",)
    excerpt_separator: str = DEFAULT_EXCERPT_SEPARATOR
    # front-matter defaults: (scope path, scope type, ((key, value), ...)) in file order
    defaults: tuple[tuple[str, str | None, tuple[tuple[str, Any], ...]], ...] = ()
    # `site.*` Liquid variables: (name, text)
    site_variables: tuple[tuple[str, str], ...] = ()
    # Only `date` dates a post (`published: false` is a flag); jekyll-feed writes each
    # category and tag as the post spells it.
    date_keys: tuple[str, ...] = ("date",)
    one_spelling: bool = False
    # The site's include files (`_includes/`): (name, text). Read with the site, so that
    # a changed include is a changed configuration (the cache starts afresh).
    includes: tuple[tuple[str, str], ...] = ()
    kramdown: bool = True  # bodies are kramdown (its extensions and attribute lists)
    toc_levels: tuple[int, ...] = (1, 2, 3, 4, 5, 6)  # kramdown's toc_levels

    def date_value(self, value: Any) -> Any:
        """A front-matter date as Jekyll understands it. YAML (Ruby's Psych) reads an
        unquoted `2024-03-04 03:30:00`, seconds given and no offset, as UTC, whatever the
        site's timezone; other offset-less dates (`2024-03-04 03:30`, `2024-03-04`) are
        text that Jekyll reads in the site's zone. Quotes are lost by the time postfeed
        sees the value, so a quoted `"2024-03-04 03:30:00"` is taken as UTC too."""
        if isinstance(value, str) and _YAML_TIME.fullmatch(value.strip()):
            return value.strip() + " +00:00"
        return value

    # --- which files are posts -------------------------------------------------------

    def ignores(self, key: str) -> bool:
        parts = key.split("/")
        if not self.in_root:
            return self._entry_filtered(parts, self._source_path([POSTS]))
        if POSTS not in parts[:-1]:
            return True
        at = parts.index(POSTS)
        for depth in range(at):
            name = parts[depth]
            where = self._source_path(parts[: depth + 1])
            if self._filtered(name, where, is_folder=True) or where == self.destination:
                return True
        return self._entry_filtered(parts[at + 1 :], self._source_path(parts[: at + 1]))

    def _source_path(self, parts: list[str]) -> str:
        """A path inside the site source from parts of a path inside the posts folder."""
        inside = "/".join(parts)
        return f"{self.collections_dir}/{inside}" if self.collections_dir else inside

    def _entry_filtered(self, parts: list[str], posts_folder: str) -> bool:
        """Whether Jekyll's reader leaves out `parts` (a file below a `_posts` folder)."""
        entry = "/".join(parts)
        where = f"{posts_folder}/{entry}"
        # Jekyll tests inclusion on the entry as if it stood at the source root.
        included = _matches(self.include, entry) or _matches(self.include, parts[-1])
        if _matches(self.exclude, where) and not included:
            return True
        if included:
            return False
        special = entry.startswith(_SPECIAL_START) or parts[-1].startswith(_SPECIAL_START)
        return special or entry.endswith(("~", "."))

    def _filtered(self, name: str, where: str, is_folder: bool) -> bool:
        """Whether Jekyll's reader leaves out the folder `name` at `where` in the source."""
        included = _matches(self.include, name, is_folder)
        if _matches(self.exclude, where, is_folder) and not included:
            return True
        return not included and (name.startswith(_SPECIAL_START) or name.endswith(("~", ".")))

    def skip(self, name: str, meta: Mapping[str, Any]) -> str | None:
        if _DATE_NAME.fullmatch(self._inner(name).rsplit("/", 1)[-1]):
            return None
        return (
            "not a Jekyll post: its file name does not start with a date "
            "(YYYY-MM-DD-title.md); Jekyll leaves it out"
        )

    def date_in_name(self, name: str) -> str | None:
        match = _DATE_NAME.fullmatch(self._inner(name).rsplit("/", 1)[-1])
        if not match:
            return None
        year, month, day = match.group(1, 2, 3)
        return f"{year}-{int(month):02d}-{int(day):02d}" if len(year) == 4 else None

    def _inner(self, name: str) -> str:
        """The path of a post inside its `_posts` folder."""
        if self.in_root and POSTS in name.split("/"):
            parts = name.split("/")
            return "/".join(parts[parts.index(POSTS) + 1 :])
        return name

    def _relative_path(self, name: str) -> str:
        """Jekyll's `relative_path` of a post (inside collections_dir), without suffix."""
        return name if self.in_root else f"{POSTS}/{name}"

    # --- front matter as Jekyll merges it ------------------------------------------------

    def defaults_for(self, name: str) -> dict[str, Any]:
        """What front-matter `defaults` give the post `name`, key by key (the most specific
        scope wins, as in Jekyll's FrontmatterDefaults#find)."""
        path = self._source_path([self._relative_path(name)])
        found: dict[str, Any] = {}
        scopes: dict[str, tuple[str, str | None]] = {}
        for scope_path, scope_type, values in self.defaults:
            if scope_type not in (None, "posts") or not _in_scope(path, scope_path):
                continue
            for key, value in values:
                old = scopes.get(key)
                if value is not None and (
                    old is None or _takes_precedence(old, (scope_path, scope_type))
                ):
                    found[key] = value
                    scopes[key] = (scope_path, scope_type)
        return found

    def data(self, meta: Mapping[str, Any], name: str) -> dict[str, Any]:
        """The keys that change a link: front-matter `defaults`, then the front matter (a
        key left empty there keeps the default, as Jekyll merges them)."""
        data = self.defaults_for(name)
        data.update({key: meta[key] for key in _DEFAULT_KEYS if meta.get(key) is not None})
        return data

    def categories(self, meta: Mapping[str, Any], name: str) -> list[str]:
        """The post's categories as Jekyll's Document has them: the folders above `_posts`,
        then `categories` of the defaults and of the front matter (a string is split on
        spaces), then `category` as it is."""
        defaults = self.defaults_for(name)
        parts = name.split("/")
        found: list[Any] = parts[: parts.index(POSTS)] if self._in_folder(name) else []
        for value in (defaults.get("categories"), meta.get("categories")):
            if value is None:
                continue
            items = value.split() if isinstance(value, str) else value
            items = items if isinstance(items, list) else [items]
            found.extend(item for item in items if item not in found)
        singular = meta.get("category")
        singular = defaults.get("category") if singular is None else singular
        extra = _flatten([singular]) if singular is not None else []
        names = [_ruby_text(item) for item in [*found, *extra] if item is not None]
        return list(dict.fromkeys(name for name in names if name))

    def tags(self, meta: Mapping[str, Any]) -> list[str]:
        """The post's tags as Jekyll has them: `tag` as it is, else `tags` (a string is split
        on spaces). For the collector, which splits on commas (jekyll-feed writes these
        after the categories)."""
        value = meta.get("tag")
        if value is None:
            value = meta.get("tags")
            value = value.split() if isinstance(value, str) else value
        return list(dict.fromkeys(_ruby_text(item) for item in _flatten([value])))

    def title_from_name(self, name: str) -> str:
        """Jekyll's title for a post whose front matter has none: the file name's slug,
        each word capitalized (`2014-09-30-short-build.md` is "Short Build"). For the
        collector, which takes the first heading instead."""
        return " ".join(word.capitalize() for word in _file_slug(name).split("-"))

    def _in_folder(self, name: str) -> bool:
        return self.in_root and POSTS in name.split("/")[:-1]

    def slug(self, meta: Mapping[str, Any], name: str) -> str:
        """`data["slug"]`: the front matter's, else the file name's title part."""
        given = self.data(meta, name).get("slug")
        return _ruby_text(given) if given is not None else _file_slug(name)

    # --- links and ids ----------------------------------------------------------------

    def url_of(self, post: SitePost, config: Config, warn: Warn) -> str:
        """The post's URL inside the site (`post.url`: no baseurl), as Jekyll makes it."""
        data = self.data(post.meta, post.name)
        values = self._placeholders(post, data, config)
        given = data.get("permalink")
        if isinstance(given, str):
            try:
                return _sanitize(_fill(given, values))
            except KeyError as error:
                warn(
                    "permalink",
                    f"unknown placeholder :{error.args[0]} (Jekyll stops with an error); "
                    "using the site's permalink",
                )
        return _sanitize(_fill(self.permalink, values))

    def _placeholders(
        self, post: SitePost, data: Mapping[str, Any], config: Config
    ) -> dict[str, str]:
        """Jekyll's URL drop for one post."""
        local = post.published.astimezone(config.zone)
        basename = post.name.rsplit("/", 1)[-1]
        given_slug = data.get("slug")
        slug = _ruby_text(given_slug) if given_slug is not None else _file_slug(post.name)
        categories = self.categories(post.meta, post.name)
        year, week, weekday = local.isocalendar()
        path = self._relative_path(post.name).replace(POSTS, "", 1).rstrip(".")
        return {
            "collection": "posts",
            "path": path,
            "name": slugify(basename),
            "title": slugify(slug, pretty=True, cased=True),
            "slug": slugify(slug),
            "categories": "/".join(dict.fromkeys(c.lower() for c in categories)),
            "slugified_categories": "/".join(dict.fromkeys(slugify(c) for c in categories)),
            **date_placeholders(local),
            "short_month": MONTHS[local.month - 1][:3],
            "long_month": MONTHS[local.month - 1],
            "short_year": f"{local.year % 100:02d}",
            "w_year": str(year),
            "week": f"{week:02d}",
            "w_day": str(weekday),
            "short_day": DAYS[weekday - 1][:3],
            "long_day": DAYS[weekday - 1],
            "y_day": f"{local.timetuple().tm_yday:03d}",
            "output_ext": ".html",
        }

    def prefix(self, config: Config) -> str:
        """What jekyll-feed's absolute_url puts before a path: `url` + `baseurl`, as written
        (a site_url given to postfeed instead of the site's own stands for both)."""
        if not self.url or config.site_url != self.site_url:
            return config.site_url.rstrip("/")
        return self.url + self._base_path()

    def link(self, post: SitePost, config: Config, warn: Warn) -> str:
        return normalize(self.prefix(config) + self.url_of(post, config, warn))

    def item_id(self, post: SitePost, link: str) -> str:
        # jekyll-feed: `post.id | absolute_url`, the id being the folder of the post's URL
        # joined with its slug as written (not slugified). The link is cut where the
        # site's own prefix ends, so that a `url` ending in "/" keeps its "//".
        head = normalize(self.url + self._base_path(), keep_empty_path=True) if self.url else ""
        if head and link.startswith(head + "/"):
            path = link[len(head) :]
        else:
            parts = urlsplit(link)
            head, path = f"{parts.scheme}://{parts.netloc}", parts.path or "/"
        return normalize(head + self.document_id(post, path))

    def document_id(self, post: SitePost, url: str) -> str:
        """Jekyll's Document#id: File.join(File.dirname(url), slug)."""
        return _ruby_dirname(url).rstrip("/") + "/" + self.slug(post.meta, post.name).lstrip("/")

    def _base_path(self) -> str:
        """Jekyll's sanitized baseurl: no trailing "/", a leading one unless empty."""
        base = self.baseurl.rstrip("/")
        return base if not base or base.startswith("/") else "/" + base

    # --- bodies -------------------------------------------------------------------------

    def prepare(self, body: str, post: SitePost, link: str, config: Config, warn: Warn) -> str:
        # Jekyll renders Liquid over the whole file, then kramdown reads the result.
        if "{%" in body or "{{" in body:
            from postfeed.sites import tags  # only bodies with Liquid need it

            context = tags.TagContext(
                post_url=link,
                site_url=config.site_url,
                resolve=lambda ref: _resolve(ref, config),
                variables=self.variables(post, link, config),
                include=dict(self.includes).get,
            )
            body = tags.expand(body, "liquid", context, warn)
        if self.kramdown:
            body = kramdown_extensions(body, self.toc_levels)
        return body

    def feed_title(self, title: str) -> str:
        # jekyll-feed writes `post.title | smartify` (kramdown's smart quotes), whatever
        # the site's Markdown engine
        return typography.kramdown_smartypants(title)

    def variables(self, post: SitePost, link: str, config: Config) -> dict[str, str]:
        """`site.*` and `page.*` as Liquid would print them in this post."""
        found = dict(self.site_variables)
        if self.url and config.site_url == self.site_url:
            found["site.url"], found["site.baseurl"] = self.url, self.baseurl
        else:  # a site_url given to postfeed is `url` + `baseurl`
            parts = urlsplit(config.site_url)
            found["site.url"] = f"{parts.scheme}://{parts.netloc}"
            found["site.baseurl"] = parts.path.rstrip("/")
        for key, value in list(post.meta.items())[:MAX_VARIABLES]:
            if isinstance(value, str | int | float | bool):
                found[f"page.{key}"] = _ruby_text(value)
        local = post.published.astimezone(config.zone)
        url = self.url_of(post, config, _ignore)
        found.update(
            {
                "page.title": post.title,
                "page.url": url,
                "page.id": self.document_id(post, url),
                "page.slug": self.slug(post.meta, post.name),
                "page.date": local.strftime("%Y-%m-%d %H:%M:%S %z"),
                "page.categories": "".join(self.categories(post.meta, post.name)),
            }
        )
        return found

    def excerpt(self, body: str, meta: Mapping[str, Any] | None = None) -> str | None:
        """Jekyll's excerpt: the body up to `excerpt_separator`, with the Liquid blocks it
        cuts closed and the Markdown link definitions it uses appended."""
        separator = self.excerpt_separator
        if meta is not None and meta.get("excerpt_separator") is not None:
            separator = _ruby_text(meta["excerpt_separator"])
        if not separator:
            return None
        # Jekyll's front-matter pattern also swallows the blank lines after the `---`.
        head, _, tail = _BLANK_LINES.sub("", body, count=1).partition(separator)
        if not tail:
            return head
        if "{%" in head:
            head = _close_blocks(head)
        definitions = [
            label + rest for label, rest in _LINK_REFERENCE.findall(tail) if label in head
        ]
        return head + "\n\n" + "\n".join(definitions) if definitions else head


def _ignore(field: str, message: str) -> None:
    """Warnings said already when the link was made."""


MAX_INCLUDE_BYTES = 65_536  # an include file larger than this is not read
MAX_INCLUDES = 200  # include files read, at most


def _includes(folder: Path) -> tuple[tuple[str, str], ...]:
    """(name inside `folder`, text) of the site's include files: files of at most
    MAX_INCLUDE_BYTES, the first MAX_INCLUDES in name order, hidden ones left out."""
    found: list[tuple[str, str]] = []
    try:
        paths = sorted(path for path in folder.rglob("*") if path.is_file())
    except OSError:
        return ()
    for path in paths:
        name = path.relative_to(folder).as_posix()
        if len(found) >= MAX_INCLUDES or any(part.startswith(".") for part in name.split("/")):
            continue
        try:
            if path.stat().st_size > MAX_INCLUDE_BYTES:
                continue
            data = path.read_bytes()
        except OSError:
            continue
        found.append((name, data.decode("utf-8", errors="replace").replace("\r\n", "\n")))
    return tuple(found)


# --- kramdown's own syntax ----------------------------------------------------------------

_KD_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
# A line that is only an attribute list (`{: .note}`, `{:.no_toc}`) or a definition of one
# (`{:ref: .note}`): it sets attributes of the block beside it, and shows nothing.
_KD_ATTRIBUTES = re.compile(r" {0,3}\{:(?![:/])[^{}\n]*\}[ \t]*")
_KD_NO_TOC = re.compile(r"\.no_toc\b")
_KD_TOC = re.compile(r" {0,3}\{:\s*toc\s*\}[ \t]*")
# An extension's start tag at the start of a line (`{::comment}`, `{::options x="y" /}`).
_KD_EXTENSION = re.compile(r" {0,3}\{::(\w+)(?:[ \t][^{}\n]*)?\}")
_KD_END = re.compile(r"\{:/(\w*)\}")
_KD_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*))?")
_KD_INDENTED_HEADING = re.compile(r" {1,3}#")
# (no escaped bracket inside: each try ends at the next bracket, so the scan is linear)
_KD_ESCAPED_LABEL = re.compile(r"\[([^\[\]\\]*+(?:\\[^\[\]][^\[\]\\]*+)++)\]\[\]")
_KD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
# `<div markdown="1">`: kramdown reads the element's content as Markdown.
# (A blank before `markdown=` is looked behind for, one character: linear on long runs.)
_KD_MARKDOWN_OPEN = re.compile(
    r" {0,3}<([a-zA-Z][a-zA-Z0-9]*)([^<>]*?)(?<=\s)markdown=(?:\"(?:1|block)\"|'(?:1|block)'|1)"
    r"([^<>]*)>(.*)"
)
_KD_CLOSING_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})[ \t]*")
_KD_LONE_PIPE = re.compile(r" {0,3}\|[ \t]*")
_RAW_TEXT = ("script", "style", "textarea", "title")
_CODE_SPAN_MARK = re.compile(r"(`+)")
_KD_LIST_LINE = re.compile(r"[ \t]|(?:[*+-]|[0-9]{1,9}\.)(?:[ \t]|$)")
_KD_ID = re.compile(r"[\w-]+")
_KD_LIST_ITEM = re.compile(r" {0,3}(?:[*+-]|[0-9]{1,9}\.)[ \t]+\S.*")


def kramdown_extensions(body: str, toc_levels: tuple[int, ...] = (1, 2, 3, 4, 5, 6)) -> str:
    """`body` with kramdown's own syntax done as kramdown does it, for a CommonMark
    renderer: attribute-list lines (`{: .notice}`) removed, and header ids (`## A {#a}`);
    `1)` at the start of a line left as text (kramdown has no such list items); link
    destinations with blanks taken whole;
    `{::comment}` blocks removed; `{::nomarkdown}` blocks kept as raw HTML (a `<div>`
    without blank lines, which a blank line would end); other extensions' tags removed;
    and a list item followed by `{:toc}` replaced by a list of the headings (those of
    `toc_levels` without `.no_toc`). Fenced code is left as it is. One pass over the
    lines; end tags are found by a pointer that only moves forward."""
    lines = body.split("\n")
    lowered = body.lower()
    # A raw-text element named in a sentence (`<script>`) whose end tag does not follow
    # on its line is text to kramdown, where a browser or the sanitizer would take the
    # rest of the post into it. One that starts a line is an HTML block, to both, when
    # its end tag comes later.
    raw_text = tuple(name for name in _RAW_TEXT if f"<{name}" in lowered)
    closed = frozenset(name for name in raw_text if f"</{name}" in lowered)
    ends: list[tuple[int, int, int, str]] = []  # (line, start, end, name) of each end tag
    for number, line in enumerate(lines):
        if "{:/" in line:
            ends += [(number, m.start(), m.end(), m.group(1)) for m in _KD_END.finditer(line)]
    out: list[str] = []
    headings: list[list[Any]] = []  # [level, text, left out of the table of contents]
    last_heading = -1  # the index in `out` of the last heading
    no_toc_next = False  # an attribute list with .no_toc stood just before this line
    toc_at = -1
    fence = ""
    markdown_blocks: list[str] = []  # the end tags of open `markdown="1"` elements
    code_run = ""  # the backtick run of a code span open at the end of the last line
    fences: _Fences | None = None  # made at the first fence: most bodies have none
    next_end = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if fence:
            out.append(line)
            closing = _KD_FENCE.match(line)
            if closing and closing.group(1).startswith(fence) and not line[closing.end() :].strip():
                fence = ""
            continue
        if not line.strip():
            code_run = ""  # a code span never crosses a blank line
        if (opening := _KD_FENCE.match(line)) and not (
            opening.group(1)[0] == "`" and "`" in line[opening.end() :]  # a code span
        ):
            fences = fences or _Fences(lines)
            if not fences.closes(i - 1, opening.group(1)) or (
                out
                and out[-1].strip()
                and _in_list(out)
                and not fences.closes_in_block(i - 1, opening.group(1))
            ):
                # kramdown reads a fence never closed as text; CommonMark, as code to the end
                out.append(f"{line[: opening.start(1)]}\\{line[opening.start(1) :]}")
                continue
            fence = opening.group(1)
            out.append(line)
            continue
        if "markdown=" in line and (block := _KD_MARKDOWN_OPEN.fullmatch(line)) is not None:
            # Blank lines around the content make CommonMark read it as Markdown too.
            out += [f"<{block[1]}{block[2].rstrip()}{block[3]}>", ""]
            markdown_blocks.append(f"</{block[1].lower()}>")
            line = block[4]
            if not line.strip():
                continue
        if markdown_blocks and line.rstrip().lower().endswith(markdown_blocks[-1]):
            closing = markdown_blocks.pop()
            inner = line.rstrip()[: -len(closing)]
            out += [_kramdown_line(inner), ""] if inner.strip() else [""]
            out.append(line.rstrip()[-len(closing) :])
            continue
        if _KD_TOC.fullmatch(line) and out and _KD_LIST_ITEM.fullmatch(out[-1]):
            toc_at = len(out) - 1
            continue
        if _KD_ATTRIBUTES.fullmatch(line):
            if _KD_NO_TOC.search(line):  # it sets the block before it, else the next one
                if last_heading == len(out) - 1 and headings:
                    headings[-1][2] = True
                else:
                    no_toc_next = True
            continue
        extension = _KD_EXTENSION.match(line)
        if extension is None:
            line, code_run = _kramdown_code_spans(line, code_run)
            line = _kramdown_line(line)
            if _KD_INDENTED_HEADING.match(line) and not _in_list(out):
                line = line.replace("#", "\\#", 1)  # kramdown: a header starts the line
            if _KD_LONE_PIPE.fullmatch(line):
                line = ""  # a table of one empty cell to kramdown: nothing to read
            if raw_text:
                line = _raw_text_as_text(line, raw_text, closed)
            heading = _KD_HEADING.fullmatch(line)
            if heading is not None:
                line = _without_header_id(line)
                title = _heading_text(heading.group(2) or "")
                level = len(heading.group(1))
                headings.append([level, title, no_toc_next or level not in toc_levels])
                last_heading = len(out)
            no_toc_next = False
            out.append(line)
            continue
        no_toc_next = False
        name, rest = extension.group(1), line[extension.end() :]
        if extension.group(0)[:-1].rstrip().endswith("/"):  # `{::options x="y" /}`: alone
            if rest.strip():
                out.append(rest)
            continue
        while next_end < len(ends) and (ends[next_end][0], ends[next_end][1]) < (
            i - 1,
            extension.end(),
        ):
            next_end += 1
        if next_end == len(ends) or ends[next_end][3] not in ("", name):
            out.append(line)  # never closed: kramdown shows it as text
            continue
        end_line, end_start, end_stop, _ = ends[next_end]
        next_end += 1
        if end_line == i - 1:
            inside = [line[extension.end() : end_start]]
        else:
            inside = [rest, *lines[i:end_line], lines[end_line][:end_start]]
        after = lines[end_line][end_stop:]
        i = end_line + 1
        if name == "nomarkdown":
            kept = [text_ for text_ in inside if text_.strip()]
            out += ["", "<div>", *kept, "</div>", ""]
        elif name != "comment":
            out += inside
        if after.strip():
            out.append(after)
    if toc_at >= 0:
        out[toc_at] = _kramdown_toc([(level, title) for level, title, off in headings if not off])
    return "\n".join(out)


# kramdown has no `1)` list items: text to it.
_KD_PAREN_ITEM = re.compile(r"((?: {0,3}+>[ \t]?+)*+ {0,3}+[0-9]{1,9}+)\)(?=[ \t]|$)")
# A link or image whose destination holds blanks (and no title): kramdown takes it whole.
_KD_DESTINATION = re.compile(r"\]\(([^()<>\"'\n]*)\)")


def _raw_text_as_text(line: str, names: tuple[str, ...], closed: frozenset[str]) -> str:
    """`line` with each `<script` (and the other raw-text elements in `names`) outside
    its code spans written as text, unless its end tag follows on the line, or it starts
    the line and its end tag (in `closed`) comes somewhere later."""
    pattern = _openings(names)
    lowered = line.lower()
    last_end = {name: lowered.rfind(f"</{name}") for name in names}
    line_start = len(line) - len(line.lstrip(" "))
    pieces = _CODE_SPAN_MARK.split(line)
    fence = ""  # the backtick run of the open code span
    offset = 0
    for index, piece in enumerate(pieces):
        if index % 2:  # a backtick run
            fence = "" if piece == fence else fence or piece
        elif not fence:
            pieces[index] = pattern.sub(
                lambda match, at=offset: (
                    match[0]
                    if last_end[match[1].lower()] > at + match.start()
                    or (at + match.start() == line_start and match[1].lower() in closed)
                    else "&lt;" + match[0][1:]
                ),
                piece,
            )
        offset += len(piece)
    return "".join(pieces)


@cache
def _openings(names: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(f"<({'|'.join(names)})(?![a-zA-Z0-9-])", re.IGNORECASE)


def _kramdown_code_spans(line: str, open_run: str) -> tuple[str, str]:
    """`line` with its code spans as kramdown reads them, for a CommonMark renderer, and
    the backtick run of a span still open at its end (`open_run`: one open before it).
    kramdown drops the blanks at the edges of a span of two or more backticks, and
    keeps those of a one-backtick span, where CommonMark drops one blank on each side
    when both sides have one; and a lone backtick with a blank (or the line's edge) on
    both sides opens no span."""
    if "`" not in line:
        return line, open_run
    pieces = _CODE_SPAN_MARK.split(line)
    opened = 0 if open_run else -1  # the index of the open span's run (0: before the line)
    for index in range(1, len(pieces), 2):
        if opened < 0:
            before, after = pieces[index - 1], pieces[index + 1]
            if (
                pieces[index] == "`"
                and (not before or before[-1].isspace())
                and (not after or after[0].isspace())
            ):
                pieces[index] = "\\`"  # kramdown: a lone backtick between blanks is text
                continue
            opened = index
            open_run = pieces[index]
            continue
        if pieces[index] != open_run:
            continue
        if opened > 0 and index - opened == 2:  # a span inside this line, in one piece
            inside = pieces[index - 1]
            if len(open_run) > 1:
                trimmed = inside.strip(" \t")
                if trimmed.startswith("`") or trimmed.endswith("`"):
                    trimmed = f" {trimmed} "  # CommonMark takes one blank off each side
                pieces[index - 1] = trimmed or inside
            elif inside.startswith(" ") and inside.endswith(" ") and inside.strip():
                pieces[index - 1] = f" {inside} "
        opened, open_run = -1, ""
    return "".join(pieces), open_run


class _Fences:
    """Where the fences of a body may close, asked for each fence opened: whether a
    later line of as many fence characters or more closes it (anywhere after, or before
    the next blank line). Each answer in constant time, from tables made in one pass."""

    def __init__(self, lines: list[str]) -> None:
        self.next_blank = [len(lines)] * (len(lines) + 1)  # the first blank line from each
        for number in range(len(lines) - 1, -1, -1):
            blank = not lines[number].strip()
            self.next_blank[number] = number if blank else self.next_blank[number + 1]
        # per fence character: the lines that may close a fence, and from each of them
        # the longest run on any later one (anywhere, and before the next blank line)
        self.lines: dict[str, list[int]] = {"`": [], "~": []}
        lengths: dict[str, list[int]] = {"`": [], "~": []}
        for number, line in enumerate(lines):
            if (closing := _KD_CLOSING_FENCE.fullmatch(line)) is not None:
                self.lines[closing.group(1)[0]].append(number)
                lengths[closing.group(1)[0]].append(len(closing.group(1)))
        self.longest: dict[str, list[int]] = {}
        self.longest_in_block: dict[str, list[int]] = {}
        for char, at in self.lines.items():
            longest = list(lengths[char])
            in_block = list(lengths[char])
            for index in range(len(at) - 2, -1, -1):
                longest[index] = max(longest[index], longest[index + 1])
                if at[index + 1] < self.next_blank[at[index]]:
                    in_block[index] = max(in_block[index], in_block[index + 1])
            self.longest[char], self.longest_in_block[char] = longest, in_block

    def closes(self, line: int, run: str) -> bool:
        """Whether a fence `run` opened on `line` closes on a later line."""
        at = self.lines[run[0]]
        first = bisect.bisect_right(at, line)
        return first < len(at) and self.longest[run[0]][first] >= len(run)

    def closes_in_block(self, line: int, run: str) -> bool:
        """Whether it closes before the next blank line (kramdown looks for the end of a
        fence opened right after a list item's line within the item, which a blank line
        may end)."""
        at = self.lines[run[0]]
        first = bisect.bisect_right(at, line)
        return (
            first < len(at)
            and at[first] < self.next_blank[line]
            and self.longest_in_block[run[0]][first] >= len(run)
        )


def _in_list(lines: list[str]) -> bool:
    """Whether the line after `lines` may be a list item's content (where indentation is
    the item's): the last non-blank line is a list item or indented."""
    for line in reversed(lines[-50:]):
        if line.strip():
            return _KD_LIST_LINE.match(line) is not None
    return False


def _kramdown_line(line: str) -> str:
    """A line of text (not code) with what kramdown reads otherwise than CommonMark made
    plain: `1)` at its start escaped, blanks in a link's destination allowed (`<...>`)."""
    if item := _KD_PAREN_ITEM.match(line):
        line = f"{item.group(1)}\\){line[item.end() :]}"
    if "\\" in line and "][]" in line:
        # kramdown matches `[a\_b][]` to the definition `[a_b]:`, CommonMark to `[a\_b]:`
        line = _KD_ESCAPED_LABEL.sub(_label_unescaped, line)
    if "](" not in line:
        return line

    ticks = [position for position, char in enumerate(line) if char == "`"]

    def destination(match: re.Match[str]) -> str:
        written = match.group(1).strip()
        if (
            not any(char in written for char in " \t")
            or bisect.bisect_left(ticks, match.start()) % 2
        ):
            return match.group(0)  # no blank in it, or in inline code
        return f"](<{written}>)"

    return _KD_DESTINATION.sub(destination, line)


def _label_unescaped(match: re.Match[str]) -> str:
    label = _KD_ESCAPE.sub(r"\1", match[1])
    return f"{match[0][:-2]}[{label}]"


def _without_header_id(line: str) -> str:
    """A heading line without kramdown's header id (`## Title {#id}`)."""
    text_ = line.rstrip()
    start = text_.rfind("{#")
    if start < 0 or not text_.endswith("}") or not _KD_ID.fullmatch(text_[start + 2 : -1]):
        return line
    return text_[:start].rstrip()


def _heading_text(text_: str) -> str:
    """An ATX heading's text: without its closing `#`s and header id."""
    text_ = _without_header_id(text_).rstrip()
    bare = text_.rstrip("#")
    if bare != text_ and (not bare or bare[-1] in " \t"):
        text_ = bare.rstrip()
    return text_


def _kramdown_toc(headings: list[tuple[int, str]]) -> str:
    """The nested Markdown list kramdown puts in place of a `{:toc}` list: the headings'
    text (no links: a feed has no anchors to go to)."""
    if not headings:
        return ""
    top = min(level for level, _ in headings)
    return "\n".join(f"{'  ' * (level - top)}- {title}" for level, title in headings)


def _file_slug(name: str) -> str:
    """The title part of a post's file name (`2024-02-07-my-post` is `my-post`), trailing
    dots dropped, as Jekyll's Document#populate_title takes it."""
    basename = name.rsplit("/", 1)[-1]
    match = _DATE_NAME.fullmatch(basename)
    return (match.group(4) if match else basename).rstrip(".")


# --- Jekyll's string helpers ----------------------------------------------------------------


def slugify(value: str, pretty: bool = False, cased: bool = False) -> str:
    """Jekyll's Utils.slugify in "default" or "pretty" mode: every run of characters other
    than letters, marks and digits (and, pretty, `._~!$&'()+,;=@`) becomes one "-", and a
    "-" at either end goes."""
    kept = "._~!$&'()+,;=@" if pretty else ""
    out: list[str] = []
    for char in value:
        category = unicodedata.category(char)
        if category[0] in "LM" or category == "Nd" or char in kept:
            out.append(char)
        elif not out or out[-1] != "-":  # "-" itself is never kept: it ends a run
            out.append("-")
    slug = "".join(out).removeprefix("-").removesuffix("-")
    return slug if cased else slug.lower()


def _flatten(values: list[Any]) -> list[Any]:
    found: list[Any] = []
    for value in values:
        if isinstance(value, list | tuple):
            found.extend(_flatten(list(value)))
        elif value is not None:
            found.append(value)
    return found


def _ruby_text(value: Any) -> str:
    """`value.to_s` as Ruby prints it (a list prints as `["a", "b"]`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_ruby_inspect(item) for item in value) + "]"
    return str(value)


def _ruby_inspect(value: Any) -> str:
    if value is None:
        return "nil"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return _ruby_text(value)


def _fill(pattern: str, values: Mapping[str, str]) -> str:
    """Jekyll's URL#generate_url_from_drop; KeyError names an unknown placeholder.

    `:month_` is `:month` then "_" (Jekyll's drop has no keys ending in "_")."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        key = name[:-1] if name.endswith("_") else name
        if key not in values:
            raise KeyError(key)
        return _escape_path(values[key]) + name[len(key) :]

    return _PLACEHOLDER.sub(replace, pattern)


def _escape_path(value: str) -> str:
    """Jekyll's URL.escape_path: percent-encoded but for RFC 3986's path characters; the
    first "#" too."""
    if not value or _SAFE_PATH.fullmatch(value):
        return value
    return quote(value, safe="!$&'()*+,;=:@/?#").replace("#", "%23", 1)


def _sanitize(url: str) -> str:
    """Jekyll's URL#sanitize_url: a leading "/", no "..", no "./", no "//"."""
    url = ("/" + url).replace("..", "/").replace("./", "")
    return re.sub(r"/{2,}", "/", url)


def normalize(url: str, keep_empty_path: bool = False) -> str:
    """Addressable's URI#normalize, as jekyll-feed's absolute_url applies it: scheme and
    host in lower case, default ports dropped, path segments NFC and percent-encoded as
    RFC 3986 wants (`%7E` is `~`, `中` is `%E4%B8%AD`, "//" kept), an empty path "/"."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    netloc = parts.netloc.lower()
    if (scheme, netloc.rsplit(":", 1)[-1]) in (("http", "80"), ("https", "443")):
        netloc = netloc.rsplit(":", 1)[0]
    path = "/".join(_normalize_segment(segment) for segment in parts.path.split("/"))
    if not path and not keep_empty_path:
        path = "/"
    query = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return urls.encode(f"{scheme}://{netloc}{path}{query}{fragment}")


def _normalize_segment(segment: str) -> str:
    raw = unquote_to_bytes(segment).decode("utf-8", "surrogateescape")
    nfc = unicodedata.normalize("NFC", raw)
    return quote(nfc.encode("utf-8", "surrogateescape"), safe=_PCHAR)


def _ruby_dirname(path: str) -> str:
    """Ruby's File.dirname: trailing slashes do not count ("/a/b/" is in "/a")."""
    stripped = path.rstrip("/") or "/"
    return posixpath.dirname(stripped) or "."


def _matches(patterns: tuple[str, ...], path: str, is_folder: bool = False) -> bool:
    """Jekyll's EntryFilter#glob_include?: a pattern matches a path inside the source when
    it matches as a glob (`*` crosses "/"), is a prefix of it, or names the folder."""
    where = "/" + path.lstrip("/")
    for pattern in patterns:
        if not pattern:
            continue
        wanted = "/" + pattern.lstrip("/")
        if (
            fnmatch.fnmatchcase(where, wanted)
            or where.startswith(wanted)
            or (is_folder and wanted == where + "/")
        ):
            return True
    return False


def _in_scope(path: str, scope: str) -> bool:
    """Whether front-matter defaults for `scope` (a path in the source) apply to `path`."""
    scope = scope.strip("/")
    if not scope:
        return True
    if "*" in scope:
        return fnmatch.fnmatchcase(path, scope) or fnmatch.fnmatchcase(path, scope + "/*")
    return path == scope or path.startswith(scope + "/")


def _takes_precedence(old: tuple[str, str | None], new: tuple[str, str | None]) -> bool:
    """Jekyll's FrontmatterDefaults#has_precedence?: a longer path wins, then a type."""
    old_path, new_path = old[0].strip("/"), new[0].strip("/")
    if len(new_path) != len(old_path):
        return len(new_path) > len(old_path)
    return new[1] is not None or old[1] is None


def _close_blocks(head: str) -> str:
    """Jekyll's Excerpt#sanctify_liquid_tags: a Liquid block the separator cut is closed."""
    for name in reversed(_LIQUID_TAG.findall(head)):
        if name not in _LIQUID_BLOCKS:
            continue
        if re.search(r"{%-?\s*end" + re.escape(name) + r".*?\s*-?%}", head, re.DOTALL):
            continue
        head += "\n{% end" + name + " %}"
    return head


# --- {% post_url %} and {% link %} ----------------------------------------------------------

_POST_REF = re.compile(r"((?:.+/)*)(\d+-\d+-\d+)-(.*)", re.DOTALL)
_SUFFIXES = (".md", ".markdown", ".html", ".txt", ".mkd", ".mkdn", ".mkdown")


def _resolve(ref: str, config: Config) -> tuple[str, str] | None:
    """The link and title of what `{% post_url ref %}` or `{% link ref %}` names.

    A post is read for its link and title (not rendered, so two posts that link to each
    other cannot recurse); another file of the site gives its path (a page with front
    matter its `.html` path, whatever its permalink). None when nothing has that name.
    """
    rules = config.site_rules
    if not isinstance(rules, Rules):
        return None
    wanted = ref.strip().lstrip("/")
    if not wanted or ".." in wanted.split("/") or len(wanted) > urls.MAX_URL_LENGTH:
        return None
    source = config.posts if rules.in_root else config.posts.parent
    for candidate in _post_candidates(wanted, rules, source):
        try:
            inside = candidate.relative_to(config.posts)
        except ValueError:
            continue
        if _is_file(candidate) and not rules.ignores(inside.as_posix()):
            return _post_link(candidate, config)
    if not _is_file(source / wanted):
        return None
    path = "/" + wanted
    stem, dot, suffix = path.rpartition(".")
    if dot and f".{suffix.lower()}" in _SUFFIXES and _has_front_matter(source / wanted):
        path = stem + ".html"  # a page; without front matter it is copied as it is
    return normalize(rules.prefix(config) + path), wanted.rsplit("/", 1)[-1]


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # a name the file system refuses (a NUL byte)
        return False


def _has_front_matter(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            return file.read(4).rstrip(b"\r\n") == b"---"
    except OSError:
        return False


def _post_candidates(wanted: str, rules: Rules, source: Path) -> list[Path]:
    """Files `wanted` may name: a path to a post file, or post_url's `[folder/]date-slug`
    (in `_posts/folder/` or `folder/_posts/`)."""
    found = [source / wanted]
    match = _POST_REF.fullmatch(wanted)
    if match:
        folder, date, slug = match.groups()
        for suffix in _SUFFIXES:
            file = f"{date}-{slug}{suffix}"
            found.append(source / POSTS / folder / file)
            if rules.in_root and folder:
                found.append(source / folder / POSTS / file)
    return found


def _post_link(path: Path, config: Config) -> tuple[str, str] | None:
    from postfeed import collector, reader  # imported late: collector imports sites

    try:
        post = reader.read_post(path, config.posts, config.max_post_size)
        article = collector.describe(post, config, _ignore)
    except Exception:  # whatever is wrong with it is reported when that post is read
        return None
    return article.link, article.title


# --- the configuration ----------------------------------------------------------------------


def read_site(root: Path) -> Site:
    """The settings and rules the site's configuration gives, with what was read from where."""
    config_path = next(root / name for name in CONFIG_FILES if (root / name).is_file())
    file = config_path.name
    site = read_mapping(config_path)
    read_from: list[str] = []

    def note(key: str, value: object, source: str) -> None:
        read_from.append(f"{key}: {value} (from {file} {source})")

    settings: dict[str, Any] = {"ids": "site"}
    url = text(site.get("url"))
    baseurl = text(site.get("baseurl"))
    base_path = baseurl.rstrip("/")
    if base_path and not base_path.startswith("/"):
        base_path = "/" + base_path
    if urls.is_web_url(url):
        settings["site_url"] = settings["feed_url"] = url.rstrip("/") + base_path + "/"
        note("site_url", settings["site_url"], "url, baseurl")
    else:
        read_from.append(
            f"site_url: not read: {file} has no http(s) `url` ({url!r}), so jekyll-feed "
            "would write relative links; give site_url in postfeed.toml or --site-url"
        )
        url = ""

    title = text(site.get("title")) or text(site.get("name"))  # jekyll-feed's order
    if title:
        settings["title"] = title
        note("title", title, "title" if text(site.get("title")) else "name")
    if text(site.get("description")):
        settings["description"] = text(site.get("description"))
        note("description", settings["description"], "description")
    author = site.get("author")
    author = author.get("name") if isinstance(author, dict) else author
    if text(author):
        settings["author"] = text(author)
        note("author", settings["author"], "author")
    language_key = next((key for key in ("lang", "locale") if text(site.get(key))), None)
    if language_key:
        settings["language"] = text(site.get(language_key))
        note("language", settings["language"], language_key)
    zone = text(site.get("timezone"))
    try:
        ZoneInfo(zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        note("timezone", "UTC", f"timezone {zone!r}: not a known zone")
        zone = ""
    settings["timezone"] = zone or "UTC"
    if zone:
        note("timezone", zone, "timezone")
    else:
        note("timezone", "UTC", "timezone, not set: Jekyll uses the build machine's zone")
    future = flag(site.get("future"), False)
    settings["drop_future"] = not future
    note("drop_future", not future, "future (Jekyll's default: false)")

    feed = site.get("feed") if isinstance(site.get("feed"), dict) else {}
    limit = text(feed.get("posts_limit"))
    settings["limit"] = int(limit) if limit.isdigit() and int(limit) > 0 else DEFAULT_FEED_LIMIT
    note("limit", settings["limit"], "feed.posts_limit (jekyll-feed's default: 10)")
    feed_path = text(feed.get("path")) or DEFAULT_FEED_PATH
    feed_name = feed_path.rsplit("/", 1)[-1]
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", feed_name):
        settings["files"] = {"atom": feed_name}
        note("files", settings["files"], "feed.path (jekyll-feed's default: feed.xml)")
        folder = feed_path.strip("/").rpartition("/")[0]
        if folder and "site_url" in settings:
            settings["feed_url"] = settings["site_url"] + quote(folder) + "/"
            note("feed_url", settings["feed_url"], "feed.path")
    if flag(feed.get("excerpt_only"), False):
        settings["content"] = {"mode": "summary"}
        note("content.mode", "summary", "feed.excerpt_only")
    for kind, each in (("categories", "category"), ("tags", "tag")):
        if feed.get(kind):  # jekyll-feed's feed/<name>.xml, feed/by_tag/<tag>.xml
            note(f"feed.{kind}", f"jekyll-feed's feed per {each}: not written", f"feed.{kind}")

    permalink = _permalink(site, config_path)
    note("permalink", permalink, "permalink")
    collections_dir = text(site.get("collections_dir")).strip("/")
    base = root / collections_dir if collections_dir else root
    exclude = tuple(dict.fromkeys([*_strings(site.get("exclude", [])), *DEFAULT_EXCLUDES]))
    include = tuple(_strings(site.get("include") or [".htaccess"]))
    destination = text(site.get("destination")) or "_site"
    rules = Rules(
        url=url,
        baseurl=baseurl,
        site_url=settings.get("site_url", ""),
        permalink=permalink,
        collections_dir=collections_dir,
        destination=destination.strip("/"),
        exclude=exclude,
        include=include,
        excerpt_separator=_excerpt_separator(site),
        defaults=_defaults(site.get("defaults")),
        site_variables=_site_variables(site),
        breaks=_hard_wrap(site),
        # kramdown always makes quotes curly and `--`, `...` typographic, reads footnotes
        # and closes emphasis next to punctuation; its GFM parser (Jekyll's) reads task lists.
        smart_punctuation="kramdown" if _kramdown(site) else "",
        footnotes="kramdown" if _kramdown(site) else "",
        tasklists=_gfm(site),
        loose_emphasis=_kramdown(site),
        markdown_by_suffix=True,
        kramdown=_kramdown(site),
        toc_levels=_toc_levels(site),
        includes=_includes(root / (text(site.get("includes_dir")) or "_includes")),
    )
    in_root = _has_category_folders(base, rules)
    rules = replace(rules, in_root=in_root)
    settings["posts"] = base if in_root else base / POSTS
    note(
        "posts",
        settings["posts"],
        "`_posts` folders below it (category folders)" if in_root else "`_posts`",
    )
    note("breaks", rules.breaks, "kramdown.hard_wrap (Jekyll's default: false)")
    note("footnotes", rules.footnotes or "off", "markdown (kramdown: footnotes at the end)")
    note("tasklists", rules.tasklists, "kramdown.input (GFM, Jekyll's default: task lists)")
    note("excerpt_separator", repr(rules.excerpt_separator), "excerpt_separator")
    return Site(NAME, root, settings, tuple(read_from), rules)


def _permalink(site: Mapping[str, Any], config_path: Path) -> str:
    """The posts' URL pattern: `collections.posts.permalink`, else `permalink` (a style
    name or a pattern)."""
    collections = site.get("collections")
    posts = collections.get("posts") if isinstance(collections, dict) else None
    given = text(posts.get("permalink")) if isinstance(posts, dict) else ""
    style = text(site.get("permalink")) or "date"
    pattern = given or STYLES.get(style, style)
    for name in _PLACEHOLDER.findall(pattern):
        if (name[:-1] if name.endswith("_") else name) not in PLACEHOLDERS:
            raise SiteError(
                f"{config_path}: permalink {pattern!r}: unknown placeholder :{name} "
                "(Jekyll stops with an error)"
            )
    return pattern


def _excerpt_separator(site: Mapping[str, Any]) -> str:
    # A key left empty keeps Jekyll's default (its configuration merge skips nil).
    value = site.get("excerpt_separator")
    return DEFAULT_EXCERPT_SEPARATOR if value is None else _ruby_text(value)


def _toc_levels(site: Mapping[str, Any]) -> tuple[int, ...]:
    """kramdown's `toc_levels`: `2..3`, `2,3`, a list, or a number."""
    kramdown = site.get("kramdown") if isinstance(site.get("kramdown"), dict) else {}
    value = kramdown.get("toc_levels")
    if isinstance(value, list):
        levels = {item for item in value if isinstance(item, int) and not isinstance(item, bool)}
    elif isinstance(value, int) and not isinstance(value, bool):
        levels = {value}
    elif isinstance(value, str) and (
        found := re.fullmatch(r"\s*([1-6])\s*\.\.\s*([1-6])\s*", value)
    ):
        levels = set(range(int(found.group(1)), int(found.group(2)) + 1))
    elif isinstance(value, str):
        levels = {int(item) for item in re.findall(r"[1-6]", value)}
    else:
        levels = set()
    return tuple(sorted(level for level in levels if 1 <= level <= 6)) or (1, 2, 3, 4, 5, 6)


def _kramdown(site: Mapping[str, Any]) -> bool:
    return text(site.get("markdown")).lower() in ("", "kramdown")


def _gfm(site: Mapping[str, Any]) -> bool:
    """Whether kramdown reads GFM (Jekyll's default input)."""
    kramdown = site.get("kramdown") if isinstance(site.get("kramdown"), dict) else {}
    return _kramdown(site) and text(kramdown.get("input")).lower() in ("", "gfm")


def _hard_wrap(site: Mapping[str, Any]) -> bool:
    """kramdown's GFM parser turns soft line breaks into <br> with `hard_wrap` (Jekyll's
    default: false); other parsers and Markdown engines have no such option."""
    kramdown = site.get("kramdown") if isinstance(site.get("kramdown"), dict) else {}
    return _gfm(site) and flag(kramdown.get("hard_wrap"), False)


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _defaults(value: Any) -> tuple[tuple[str, str | None, tuple[tuple[str, Any], ...]], ...]:
    """Front-matter `defaults` that can apply to posts, with only the keys that matter."""
    found = []
    for item in value if isinstance(value, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("values"), dict):
            continue
        scope = item.get("scope") if isinstance(item.get("scope"), dict) else {}
        scope_type = text(scope.get("type")) or None
        values = tuple(
            (key, _plain(item["values"][key])) for key in _DEFAULT_KEYS if key in item["values"]
        )
        if values:
            found.append((text(scope.get("path")), scope_type, values))
    return tuple(found)


def _plain(value: Any) -> Any:
    """A setting as plain, picklable data: text, None, or a list of them."""
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return None if value is None else _ruby_text(value)


def _site_variables(site: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """`{{ site.KEY }}` for the configuration's scalar settings (and `site.author.name`)."""
    found: list[tuple[str, str]] = []
    for key, value in list(site.items())[:MAX_VARIABLES]:
        if isinstance(value, str | int | float | bool):
            found.append((f"site.{key}", _ruby_text(value)[:1000]))
        elif isinstance(value, dict):
            for inner, item in list(value.items())[:MAX_VARIABLES]:
                if isinstance(item, str | int | float | bool):
                    found.append((f"site.{key}.{inner}", _ruby_text(item)[:1000]))
    return tuple(found)


def _has_category_folders(base: Path, rules: Rules) -> bool:
    """Whether Jekyll reads `_posts` folders other than `base/_posts` (`news/_posts/`)."""
    folders = [(base, "")]
    seen = 0
    while folders and seen < MAX_FOLDERS:
        folder, inside = folders.pop()
        seen += 1
        try:
            entries = [entry for entry in folder.iterdir() if entry.is_dir()]
        except OSError:
            continue
        for entry in entries:
            where = f"{inside}{entry.name}"
            if entry.is_symlink():
                continue
            if entry.name == POSTS:
                if inside:
                    return True
                continue
            source_path = f"{rules.collections_dir}/{where}" if rules.collections_dir else where
            if rules._filtered(entry.name, source_path, is_folder=True):
                continue
            if source_path == rules.destination:
                continue
            folders.append((entry, where + "/"))
    return False
