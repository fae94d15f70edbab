"""A Hugo site: `hugo.toml` (or `config.toml`, `.yaml`, `.json`, or `config/_default/`)
and `content/` at its root.

Read as Hugo 0.168 reads it, for the home RSS feed (`index.xml`), which lists every
regular page of the site's default language, whatever its section:

- The configuration is merged as Hugo merges it (the first of hugo.* and config.*,
  then `config/_default/`, then `config/production/`, each file of the folder under
  the key its name gives: `params.toml` is `params`, `languages.fr.toml` is
  `languages.fr`), and every key is case-insensitive.
- A page's link is its `url` (trailing slash added unless it names a file), else the
  `[permalinks]` pattern of its section, else its folder and slug or file name; a
  page bundle (`posts/<dir>/index.md`) is named by its folder. Paths are lower case
  (`disablePathToLower`), made URL-safe as Hugo's urlize makes them, with `.html`
  under `uglyURLs`. The feed's guid is the link.
- Files that are no regular page are left out: list pages (`_index.*`), the other
  files of a leaf bundle (its resources), pages of the other languages
  (`x.fr.md`), and files Hugo does not read as content (`.txt`). Headless bundles,
  `build.list = never`, expired pages and (by `buildFuture`) future pages are not
  published.
- Shortcodes are expanded by `postfeed.sites.tags`; `<!--more-->` ends the summary.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote_plus
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from postfeed import fields, urls
from postfeed.article import Warn
from postfeed.dates import DateError, parse_date
from postfeed.sites.base import DAYS, MONTHS, Site, SiteError, SitePost
from postfeed.sites.base import Rules as BaseRules
from postfeed.sites.files import flag, read_mapping, text
from postfeed.sites.roots import HUGO_CONFIG_FOLDER as CONFIG_FOLDER
from postfeed.sites.roots import HUGO_CONFIG_NAMES as CONFIG_NAMES
from postfeed.sites.roots import HUGO_CONFIG_SUFFIXES as CONFIG_SUFFIXES

if TYPE_CHECKING:
    from postfeed.config import Config

NAME = "hugo"
# `hugo` builds for production unless told otherwise: config/production/ applies.
ENVIRONMENT = "production"
FEED_FILE = "index.xml"
# Hugo's `services.rss.limit` of -1 (its default) is no limit; postfeed needs a number.
UNLIMITED = 1_000_000
# What Hugo reads as content; of the files postfeed scans, `.txt` is not among them.
CONTENT_SUFFIXES = frozenset(
    {".md", ".markdown", ".mdown", ".html", ".htm", ".org", ".adoc", ".rst", ".pandoc", ".pdc"}
)
# Hugo's manual summary divider: exactly this, the first one.
MORE = "<!--more-->"

# Front-matter date keys (lower case), as Hugo's `[frontmatter]` defaults give them:
# .Date, shown by permalink tokens, and .PublishDate, the feed's pubDate (its
# `date` stands for whatever .Date was found, lastmod included).
DATE_CHAIN = ("date", "publishdate", "lastmod")
PUBLISH_CHAIN = ("publishdate", "date")
EXPIRY_CHAIN = ("expirydate",)
# The same, aliases added (what `_chain` makes of them).
LINK_DATE_KEYS = ("date", "publishdate", "pubdate", "published", "lastmod", "modified")
EXPIRY_KEYS = ("expirydate", "unpublishdate")
_DATE_ALIASES = {
    "lastmod": ("modified",),
    "publishdate": ("pubdate", "published"),
    "expirydate": ("unpublishdate",),
}
# How Hugo's documentation spells them; front matter keys are case-insensitive to Hugo.
_SPELLED = {"publishdate": "publishDate", "pubdate": "pubDate", "expirydate": "expiryDate"}


def _spellings(keys: tuple[str, ...], written: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Lower-case keys as the spellings front matter is likely to use (as written in the
    configuration, as Hugo's documentation has them, lower case, capitalized), for
    lookups that are case-sensitive."""
    given = {name.lower(): name for name in written}
    found: list[str] = []
    for key in keys:
        shown = given.get(key, _SPELLED.get(key, key))
        found += [shown, key, shown[:1].upper() + shown[1:]]
    return tuple(dict.fromkeys(found))


# The feed's date: .PublishDate's keys, where `date` stands for .Date's.
FEED_DATE_KEYS = _spellings(("publishdate", "pubdate", "published", *LINK_DATE_KEYS))

_TOKEN = re.compile(r":\w+(\[.+?\])?")
# Go time layout elements a permalink token may be made of (`:2006`, `:Jan`).
_GO_LAYOUT = re.compile(r"January|Monday|2006|Jan|Mon|MST|002|_2|01|02|03|04|05|06|15|PM|pm|[1-5]")
_WRITTEN_OFFSET = re.compile(r"\d:\d\d(?::\d\d(?:[.,]\d+)?)?\s*(Z|[+-]\d\d:?\d\d)$", re.IGNORECASE)
_FILE_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[-_ T](\d{2})-(\d{2})-(\d{2}))?")
_GO_SPACES = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000") | frozenset(
    chr(c) for c in range(0x2000, 0x200B)
)


@dataclass(frozen=True)
class Rules(BaseRules):
    """A Hugo site's rules, from its configuration."""

    content: str = ""  # the content folder (absolute): bundles and sections are found there
    language: str = "en"  # defaultContentLanguage
    other_languages: tuple[str, ...] = ()  # the other configured languages, lower case
    link_prefix: str = ""  # "en/" with defaultContentLanguageInSubdir
    # (path pattern, permalink pattern) for regular pages, the first match wins.
    permalinks: tuple[tuple[str, str], ...] = ()
    ugly_urls: bool = False
    ugly_sections: tuple[tuple[str, bool], ...] = ()
    lower_paths: bool = True  # not disablePathToLower
    remove_accents: bool = False  # removePathAccents
    # Front-matter keys whose first value is the feed's date, Hugo's .PublishDate, in
    # the spellings `_spellings` gives; ":filename": a date the file name starts with.
    date_keys: tuple[str, ...] = FEED_DATE_KEYS
    # .Date's keys, what permalink tokens show, and .ExpiryDate's (lower case).
    link_date_keys: tuple[str, ...] = LINK_DATE_KEYS
    expiry_keys: tuple[str, ...] = EXPIRY_KEYS
    build_drafts: bool = False
    build_expired: bool = False
    ignore_files: tuple[str, ...] = ()  # ignoreFiles: regular expressions on the file's path
    params: tuple[tuple[str, str], ...] = ()  # site params, flattened: ("params.x.y", "v")
    # The site's (and its themes') shortcode templates: (name, text), the site's first.
    shortcodes: tuple[tuple[str, str], ...] = ()
    # goldmark's renderer.unsafe: raw HTML in Markdown is kept; False (Hugo's default):
    # each piece is replaced by `<!-- raw HTML omitted -->`.
    raw_html: bool = False
    emoji: bool = False  # enableEmoji: `:smile:` is 😄

    def ignores(self, key: str) -> bool:
        suffix = Path(key).suffix.lower()
        if suffix not in CONTENT_SUFFIXES:
            return True
        parts = key.split("/")
        stem = parts[-1][: -len(suffix)]
        if stem == "_index" or stem.startswith("_index."):
            return True  # a list page (home, section, term), not a regular page
        if self._language_of(stem)[1] in self.other_languages:
            return True
        if self.ignore_files and _ignored(os.path.join(self.content, key), self.ignore_files):
            return True
        # A file below a folder holding an index file is a resource of that leaf
        # bundle, unless it is the index itself.
        for depth in range(1, len(parts)):
            if _has_index(os.path.join(self.content, *parts[:depth])):
                return depth < len(parts) - 1 or not (stem == "index" or stem.startswith("index."))
        return False

    def publishes(self, meta: Mapping[str, Any]) -> bool:
        """Headless bundles and pages kept out of lists are in no feed; Hugo's keys are
        case-insensitive, so `Draft: true` is a draft too."""
        values = _lower_keys(meta)
        if fields.is_true(values.get("headless")):
            return False
        build = values.get("build", values.get("_build"))
        if isinstance(build, Mapping):
            listed = _lower_keys(build).get("list", "always")
            if listed is False or text(listed).lower() in ("never", "local", "false"):
                return False
        return self.build_drafts or not fields.is_true(values.get("draft"))

    def skip(self, name: str, meta: Mapping[str, Any]) -> str | None:
        """An expired page (its expiryDate is past) is not published, unless buildExpired.
        Needs the front matter: `meta`."""
        if self.build_expired:
            return None
        values = _lower_keys(meta)
        value = fields.first_value(values, self.expiry_keys)
        if value is None:
            return None
        try:
            expires = parse_date(value, UTC)
        except DateError:
            return None
        if expires > datetime.now(UTC):
            return None
        return f"expired on {expires:%Y-%m-%d %H:%M} UTC (expiryDate): Hugo does not publish it"

    def date_in_name(self, name: str) -> str | None:
        # Hugo reads a date from the file name only when [frontmatter] asks (:filename).
        return _date_in_base(name) if ":filename" in self.date_keys else None

    def link(self, post: SitePost, config: Config, warn: Warn) -> str:
        return config.site_url + self.path(post, config).lstrip("/")

    def path(self, post: SitePost, config: Config) -> str:
        """The page's link below the site's base URL, as Hugo's CreateTargetPaths makes it."""
        meta = _lower_keys(post.meta)
        page = self._page(post.name)
        given = fields.as_text(meta.get("url")).strip()
        if given:
            return self._given_path(given, post, page, meta, config)
        pattern = self._pattern_for(page.path(self.lower_paths))
        slug = fields.as_text(meta.get("slug")).strip() or self._name_slug(post.name)
        if pattern is not None:
            expanded = self._expand(pattern, post, page, meta, config)
            path = _go_clean(unquote_plus(expanded))
        else:
            folder = "/".join(page.container if not self.lower_paths else page.normalized[:-1])
            path = f"/{folder}/{slug or page.base(self.lower_paths)}"
        path = "/" + self._sanitized(path).strip("/")
        if path == "/":
            return "/" + self.link_prefix
        ugly = self._ugly(page.section(self.lower_paths))
        path = _go_path_escape(path.replace("#", "%23")) + (".html" if ugly else "/")
        return "/" + self.link_prefix + path.lstrip("/")

    def item_id(self, post: SitePost, link: str) -> str:
        return link  # the embedded RSS template's <guid> is the .Permalink

    def prepare(self, body: str, post: SitePost, link: str, config: Config, warn: Warn) -> str:
        # Hugo renders the part before the summary divider apart from the rest: the
        # divider ends a paragraph, and goes.
        more = body.find(MORE)
        if more >= 0:
            body = f"{body[:more]}\n\n{body[more + len(MORE) :]}"
        omit = not self.raw_html and "<" in body and self._is_markdown(post)
        if "{{" not in body:
            return omit_raw_html(body) if omit else body
        from postfeed.sites import tags  # only bodies with shortcodes need it

        # `{{< param x >}}`: the page's own value, else the site's; any case.
        own = _flatten("params", _lower_keys(post.meta))
        context = tags.TagContext(
            post_url=link,
            site_url=config.site_url,
            resolve=lambda ref: _resolve(ref, post.name, link, config),
            variables=_Caseless({**dict(self.params), **dict(own)}),
            shortcodes=dict(reversed(self.shortcodes)),  # the first of a name wins
        )
        if not omit:
            return tags.expand(body, "hugo", context, warn)
        # Shortcodes are taken out before goldmark reads the page, and their output put
        # back after: it is not raw HTML of the page's, and stays.
        held, outputs = tags.expand_held(body, "hugo", context, warn)
        return tags.put_back(omit_raw_html(held), outputs)

    def _is_markdown(self, post: SitePost) -> bool:
        """Whether goldmark renders the page: not an HTML content file, nor a page whose
        front matter names another markup."""
        markup = fields.as_text(_lower_keys(post.meta).get("markup")).strip().lower()
        if markup:
            return markup in ("md", "markdown", "goldmark")
        base = Path(self.content, post.name)
        return not any(base.with_name(f"{base.name}{suffix}").is_file() for suffix in _HTML)

    def asset_base(self, post: SitePost, link: str, config: Config) -> str:
        # A bundle's images sit beside index.md and are published below its URL; with
        # uglyURLs that is the page's URL without `.html`.
        if self._page(post.name).bundle and link.endswith(".html"):
            return link[: -len(".html")] + "/"
        return link

    def categories(self, meta: Mapping[str, Any], name: str) -> Any:
        return _lower_keys(meta).get("categories")  # Hugo's taxonomy, in any case

    def tags(self, meta: Mapping[str, Any]) -> Any:
        return _lower_keys(meta).get("tags")

    def undated(self) -> datetime | None:
        # Hugo's zero time: such a page stays last in the feed, where Hugo lists it,
        # instead of coming first with the time of a fresh checkout
        return datetime(1, 1, 1, tzinfo=UTC)

    def finish(self, body_html: str) -> str:
        # enableEmoji: emoji names in the text, not in code, links or attributes
        if not self.emoji or ":" not in body_html:
            return body_html
        from postfeed import markdown  # (rendering has imported it already)

        return markdown.rewrite_text(body_html, emojify)

    def excerpt(self, body: str, meta: Mapping[str, Any]) -> str | None:
        """Hugo's .Summary when it is not made automatically: the body before the first
        `<!--more-->`, else the front matter's `summary` (Markdown too)."""
        position = body.find(MORE)
        if position >= 0:
            return body[:position]
        return fields.as_text(_lower_keys(meta).get("summary")).strip() or None

    # -- the parts of a link

    def _language_of(self, stem: str) -> tuple[str, str]:
        """(the name without its language, the language) of `x.fr`; a suffix that is no
        configured language is part of the name, as in Hugo."""
        base, dot, language = stem.rpartition(".")
        if dot and language.lower() in (self.language, *self.other_languages):
            return base, language.lower()
        return stem, ""

    def _page(self, name: str) -> _Page:
        parts = name.split("/")
        stem = self._language_of(parts[-1])[0]
        if stem == "index" and len(parts) > 1:
            return _Page(tuple(parts[:-2]), parts[-2], bundle=True)
        return _Page(tuple(parts[:-1]), stem, bundle=False)

    def _name_slug(self, name: str) -> str:
        """The slug Hugo takes from `2021-03-04-slug.md` when :filename gives dates."""
        if ":filename" not in self.date_keys and ":filename" not in self.link_date_keys:
            return ""
        base = self._page(name).name
        match = _FILE_DATE.match(base)
        return base[match.end() :].strip(" -_") if match else ""

    def _pattern_for(self, page_path: str) -> str | None:
        for path_pattern, pattern in self.permalinks:
            if re.fullmatch(path_pattern, page_path.lower()):
                return pattern
        return None

    def _ugly(self, section: str) -> bool:
        for name, ugly in self.ugly_sections:
            if name == section.lower():
                return ugly
        return self.ugly_urls

    def _sanitized(self, value: str) -> str:
        """Hugo's MakePathSanitized (and its urlize, whose escaping Hugo undoes before
        use): URL-safe characters, accents (optionally) and upper case (unless
        disablePathToLower) removed."""
        value = _sanitize(value)
        if self.remove_accents:
            value = _remove_accents(value)
        # Go lower-cases İ to i (Python to i and a combining dot).
        return value.replace("\u0130", "i").lower() if self.lower_paths else value

    def _given_path(
        self, given: str, post: SitePost, page: _Page, meta: Mapping[str, Any], config: Config
    ) -> str:
        """Front-matter `url`: kept as written (case included), tokens expanded, a
        trailing slash added unless it names a file; without a leading slash it is
        below the language's prefix."""
        if ":" in given:
            given = unquote_plus(self._expand(given, post, page, meta, config))
        if ".." in given:
            given = _go_clean("/" + given)
        prefix = "" if given.startswith("/") else self.link_prefix
        parts = [part for part in given.split("/") if part]
        path = "/".join(parts)
        if given.endswith("/") or "." not in given:
            path = f"{path}/" if path else ""
        return "/" + prefix + urls.encode(path.replace("#", "%23"))

    def _expand(
        self, pattern: str, post: SitePost, page: _Page, meta: Mapping[str, Any], config: Config
    ) -> str:
        moment = self._link_date(post, meta, config)
        # Hugo 0.168 makes a title's slashes hyphens (a slug's stay: they make folders).
        title = fields.as_text(meta.get("title")).replace("/", "-").replace("\\", "-")
        slug = fields.as_text(meta.get("slug")).strip() or self._name_slug(post.name)
        sections = self._sections(page)
        values: dict[str, Callable[[], str]] = {
            "year": lambda: str(moment.year),
            "month": lambda: f"{moment.month:02d}",
            "monthname": lambda: MONTHS[moment.month - 1],
            "day": lambda: f"{moment.day:02d}",
            "weekday": lambda: str((moment.weekday() + 1) % 7),
            "weekdayname": lambda: DAYS[moment.weekday()],
            "yearday": lambda: str(moment.timetuple().tm_yday),
            "section": lambda: page.section(self.lower_paths),
            "sections": lambda: "/".join(sections),
            # A section's slug or title is taken to be its folder's name (its _index
            # file is not read).
            "sectionslug": lambda: self._sanitized(sections[0]) if sections else "",
            "sectionslugs": lambda: "/".join(self._sanitized(s) for s in sections),
            "title": lambda: self._sanitized(title),
            "slug": lambda: self._sanitized(slug or title),
            "slugorfilename": lambda: self._sanitized(slug or page.name),
            "filename": lambda: self._sanitized(page.name),
            "contentbasename": lambda: self._sanitized(page.name),
            "slugorcontentbasename": lambda: self._sanitized(slug or page.name),
        }
        escaped = pattern.replace("\\:", "\0")

        def fill(match: re.Match[str]) -> str:
            token, cut = match.group(0)[1:], match.group(1)
            if cut:
                name = token[: -len(cut)]
                if name == "sections":
                    return "/".join(_cut(sections, cut))
                if name == "sectionslugs":
                    return "/".join(self._sanitized(s) for s in _cut(sections, cut))
            if token in values:
                return values[token]()
            return _go_format(token, moment)

        return _TOKEN.sub(fill, escaped).replace("\0", ":")

    def _link_date(self, post: SitePost, meta: Mapping[str, Any], config: Config) -> datetime:
        """.Date, in the offset it was written with (Go keeps it), else the site's zone."""
        for key in self.link_date_keys:
            value = _date_in_base(post.name) if key == ":filename" else meta.get(key)
            if value is None or not fields.as_text(value).strip():
                continue
            try:
                moment = parse_date(value, config.zone)
            except DateError:
                continue
            return moment.astimezone(_written_zone(value) or config.zone)
        return post.published.astimezone(config.zone)

    def _sections(self, page: _Page) -> list[str]:
        """The page's current section and its parents: a top folder always is one, a
        deeper folder only when it has an `_index` file."""
        folders = page.normalized[:-1] if self.lower_paths else page.container
        for depth in range(len(folders), 0, -1):
            if depth == 1 or _has_list_page(os.path.join(self.content, *page.container[:depth])):
                return list(folders[:depth])
        return []


class _Caseless(Mapping[str, str]):
    """Hugo's parameter names are case-insensitive."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = {key.lower(): value for key, value in values.items()}

    def __getitem__(self, key: str) -> str:
        return self._values[key.lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


@dataclass(frozen=True)
class _Page:
    """Where a content file sits: its folders, and its own name (a bundle's is its folder)."""

    container: tuple[str, ...]  # folders above the page (a bundle's folder excluded)
    name: str  # the page's name as written: a bundle's folder, else the file's stem
    bundle: bool

    @property
    def normalized(self) -> tuple[str, ...]:
        """Hugo's normalized path: lower case, spaces as hyphens."""
        return tuple(part.lower().replace(" ", "-") for part in (*self.container, self.name))

    def path(self, lower: bool) -> str:
        return "/" + "/".join(self.normalized if lower else (*self.container, self.name))

    def base(self, lower: bool) -> str:
        return self.normalized[-1] if lower else self.name

    def section(self, lower: bool) -> str:
        folders = self.normalized[:-1] if lower else self.container
        return folders[0] if folders else ""


# -- reading the site


_HTML = (".html", ".htm")
# Where Hugo looks for a shortcode's template, below a site or a theme.
SHORTCODE_FOLDERS = ("layouts/_shortcodes", "layouts/shortcodes")
MAX_SHORTCODE_TEMPLATES = 200
MAX_TEMPLATE_BYTES = 65_536


def _shortcode_templates(root: Path, themes: list[str]) -> tuple[tuple[str, str], ...]:
    """(name, text) of the HTML shortcode templates of the site, then of its themes
    (`NAME.html`; a larger file than MAX_TEMPLATE_BYTES, or an unreadable one, is left
    out, as are files past MAX_SHORTCODE_TEMPLATES)."""
    found: list[tuple[str, str]] = []
    bases = [root, *(root / "themes" / theme for theme in themes)]
    for base in bases:
        for folder in SHORTCODE_FOLDERS:
            try:
                paths = sorted((base / folder).glob("*.html"))
            except OSError:
                continue
            for path in paths:
                if len(found) >= MAX_SHORTCODE_TEMPLATES:
                    return tuple(found)
                try:
                    if path.stat().st_size > MAX_TEMPLATE_BYTES:
                        continue
                    found.append((path.stem, path.read_text("utf-8", "replace")))
                except OSError:
                    continue
    return tuple(found)


OMITTED = b"<!-- raw HTML omitted -->"


def omit_raw_html(body: str) -> str:
    """`body` as goldmark reads it with `unsafe = false`: each HTML block and each inline
    HTML tag (or comment) replaced by `<!-- raw HTML omitted -->`; code keeps its text.
    pulldown-cmark finds them (one linear pass)."""
    import pyromark

    source = body.encode()
    options = pyromark.Options.ENABLE_TABLES | pyromark.Options.ENABLE_STRIKETHROUGH
    options |= pyromark.Options.ENABLE_FOOTNOTES
    pieces: list[bytes] = []
    last = 0
    block_end = -1
    for event, span in pyromark.events_with_range(body, options=options):
        start, end = span["start"], span["end"]
        if start < block_end:
            continue  # inside an HTML block already omitted
        if event == {"Start": "HtmlBlock"}:
            ending = b"\n" if source[start:end].endswith(b"\n") else b""
            pieces += (source[last:start], OMITTED + ending)
            last = block_end = end
        elif isinstance(event, dict) and "InlineHtml" in event:
            pieces += (source[last:start], OMITTED)
            last = end
    if not pieces:
        return body
    pieces.append(source[last:])
    return b"".join(pieces).decode()


def read_site(root: Path) -> Site:
    """The settings and rules Hugo's configuration gives, with what was read from where."""
    site, origin = _load_configuration(root)
    read_from: list[str] = []
    languages = _table(site, "languages")
    language = _default_language(site, languages)
    own = _table(languages, language)

    def lookup(dotted: str) -> tuple[Any, str]:
        """A setting of the default language, else of the site: (value, its key)."""
        for table, prefix in ((own, f"languages.{language}."), (site, "")):
            value = _get(table, dotted)
            if value is not None and value != "":
                return value, prefix + dotted
        return None, dotted

    def note(setting: str, value: object, key: str) -> None:
        source = f"from {origin[key]} {key}" if key in origin else f"Hugo's default {key}"
        read_from.append(f"{setting}: {value} ({source})")

    settings: dict[str, Any] = {"ids": "site", "files": {"rss": FEED_FILE}}
    content_dir, key = lookup("contentdir")
    settings["posts"] = root / (text(content_dir) or "content")
    note("posts", settings["posts"], key)
    prefix = f"{language}/" if flag(site.get("defaultcontentlanguageinsubdir"), False) else ""
    base_url, key = lookup("baseurl")
    if urls.is_web_url(text(base_url)):
        settings["site_url"] = text(base_url).rstrip("/") + "/"
        settings["feed_url"] = settings["site_url"] + prefix  # index.xml is there
        note("site_url", settings["site_url"], key)
    else:
        read_from.append(f"site_url: not set (baseURL {text(base_url)!r} is no http(s) URL)")
    for name, dotted in (("title", "title"), ("description", "params.description")):
        value, key = lookup(dotted)
        if text(value):
            settings[name] = text(value)
            note(name, settings[name], key)
    author, key = _author(lookup)
    if author:
        settings["author"] = author
        note("author", author, key)
    # Hugo's order: the language's locale, the site's, the language's languageCode, the site's.
    code, key = next(
        (
            (value, where)
            for value, where in (
                (own.get("locale"), f"languages.{language}.locale"),
                (site.get("locale"), "locale"),
                (own.get("languagecode"), f"languages.{language}.languagecode"),
                (site.get("languagecode"), "languagecode"),
            )
            if text(value)
        ),
        (language, "defaultcontentlanguage"),
    )
    settings["language"] = text(code)
    note("language", settings["language"], key)
    zone_value, key = lookup("timezone")
    zone = text(zone_value) or "UTC"
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        where = root / origin.get(key, "")
        raise SiteError(f"{where}: timeZone {zone!r} is not a time zone") from None
    settings["timezone"] = zone
    note("timezone", zone, key)

    limit, key = _get(site, "services.rss.limit"), "services.rss.limit"
    if limit is None and "rsslimit" in site:
        limit, key = site.get("rsslimit"), "rsslimit"  # the older name, still read
    count = _integer(limit)
    settings["limit"] = count if count and count > 0 else UNLIMITED
    note("limit", settings["limit"] if count and count > 0 else f"every page ({UNLIMITED:,})", key)
    settings["drop_future"] = not flag(site.get("buildfuture"), False)
    note("drop_future", settings["drop_future"], "buildfuture")
    template = _feed_template(root, site)
    if template is None or ".Content" not in template[1]:
        settings["content"] = {"mode": "summary"}
    mode = settings.get("content", {}).get("mode", "full")
    where = template[0] if template else "Hugo's embedded RSS template (.Summary)"
    read_from.append(f"content.mode: {mode} (from {where})")

    frontmatter = _table(site, "frontmatter")
    date_chain = _chain(frontmatter.get("date"), DATE_CHAIN)
    publish_chain = _chain(frontmatter.get("publishdate"), PUBLISH_CHAIN)
    ugly = site.get("uglyurls")
    params = {**_table(site, "params"), **_table(own, "params")}
    rules = Rules(
        breaks=flag(_get(site, "markup.goldmark.renderer.hardwraps"), False),
        smart_punctuation=""
        if flag(_get(site, "markup.goldmark.extensions.typographer.disable"), False)
        else "goldmark",
        footnotes="goldmark"
        if flag(_get(site, "markup.goldmark.extensions.footnote"), True)
        else "",
        tasklists=flag(_get(site, "markup.goldmark.extensions.tasklist"), True),
        markdown_by_suffix=True,
        content=str(settings["posts"]),
        language=language,
        other_languages=tuple(sorted(name for name in languages if name != language)),
        link_prefix=prefix,
        permalinks=_permalinks(site.get("permalinks"), root / origin.get("permalinks", "")),
        ugly_urls=flag(ugly, False) if not isinstance(ugly, dict) else False,
        ugly_sections=tuple(
            (str(name), flag(value, False)) for name, value in _table(site, "uglyurls").items()
        ),
        lower_paths=not flag(site.get("disablepathtolower"), False),
        remove_accents=flag(site.get("removepathaccents"), False),
        date_keys=_spellings(
            _feed_date_keys(date_chain, publish_chain),
            tuple(
                text(item)
                for key in ("date", "publishdate")
                for item in _list(frontmatter.get(key))
            ),
        ),
        link_date_keys=date_chain,
        expiry_keys=_chain(frontmatter.get("expirydate"), EXPIRY_CHAIN),
        build_drafts=flag(site.get("builddrafts"), False),
        build_expired=flag(site.get("buildexpired"), False),
        ignore_files=tuple(text(item) for item in _list(site.get("ignorefiles")) if text(item)),
        params=tuple(_flatten("params", params)),
        shortcodes=_shortcode_templates(
            root, [text(theme) for theme in _list(site.get("theme")) if text(theme)]
        ),
        raw_html=flag(_get(site, "markup.goldmark.renderer.unsafe"), False),
        emoji=flag(site.get("enableemoji"), False),
    )
    note("breaks", rules.breaks, "markup.goldmark.renderer.hardwraps")
    note("raw_html", rules.raw_html, "markup.goldmark.renderer.unsafe")
    note("footnotes", rules.footnotes or "off", "markup.goldmark.extensions.footnote")
    note("tasklists", rules.tasklists, "markup.goldmark.extensions.tasklist")
    note("emoji", rules.emoji, "enableemoji")
    if rules.shortcodes:
        read_from.append(
            f"shortcodes: {', '.join(sorted({name for name, _ in rules.shortcodes}))} "
            "(from layouts/shortcodes)"
        )
    note("permalinks", [pattern for _, pattern in rules.permalinks] or "none", "permalinks")
    note("date", " > ".join(_feed_date_keys(date_chain, publish_chain)), "frontmatter")
    if rules.other_languages:
        read_from.append(
            f"languages: {language} only (defaultContentLanguage); "
            f"{', '.join(rules.other_languages)} left out"
        )
    content = settings["posts"]
    sections = _section_feeds(content, site, settings.get("title", ""))
    if sections:
        settings["feeds"] = sections
        names = ", ".join(f"{feed['name']}/" for feed in sections)
        read_from.append(f"feeds: {names} (Hugo's section feeds, one per folder of {content})")
    return Site(NAME, root, settings, tuple(read_from), rules)


# Folders below the output that postfeed's own feed sets take.
_TAKEN_FOLDERS = frozenset({"categories"})


def _section_feeds(content: Path, site: Mapping[str, Any], title: str) -> list[dict[str, Any]]:
    """A feed set per top-level section of `content`, where Hugo writes the section's
    RSS feed (`posts/index.xml`), unless the site's `outputs` leave it out."""
    outputs = _table(site, "outputs")
    if "section" in outputs:
        kinds = {text(kind).lower() for kind in _list(outputs["section"])}
        if "rss" not in kinds:
            return []
    # A folder named as a taxonomy holds the taxonomy's own pages: not a section.
    taxonomies = _table(site, "taxonomies") or {"tag": "tags", "category": "categories"}
    taken = _TAKEN_FOLDERS | {text(plural).lower() for plural in taxonomies.values()}
    try:
        entries = sorted(entry.name for entry in os.scandir(content) if entry.is_dir())
    except OSError:
        return []
    # Hugo's URL of a section is its folder's name in lower case: `Posts/` and `posts/`
    # are one section, one feed.
    folders: dict[str, list[str]] = {}
    for name in entries:
        if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", name) and name.lower() not in taken:
            folders.setdefault(name.lower(), []).append(name)
    return [
        {"name": name, "title": f"{name.replace('-', ' ').title()} on {title}", "folders": found}
        for name, found in folders.items()
    ]


def _load_configuration(root: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """The merged configuration, keys in lower case, and the file each key came from."""
    merged: dict[str, Any] = {}
    origin: dict[str, str] = {}
    found = next(
        (
            root / f"{name}{suffix}"
            for name in CONFIG_NAMES
            for suffix in CONFIG_SUFFIXES
            if (root / f"{name}{suffix}").is_file()
        ),
        None,
    )
    if found is not None:
        _merge(merged, _lower_keys_deep(read_mapping(found)), origin, found.name, "")
    for environment in ("_default", ENVIRONMENT):
        folder = root / CONFIG_FOLDER / environment
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() not in CONFIG_SUFFIXES or not path.is_file():
                continue
            item = _lower_keys_deep(read_mapping(path))
            source = path.relative_to(root).as_posix()
            _merge(merged, _placed(path.stem.lower(), item), origin, source, "")
    return merged, origin


def _placed(stem: str, item: dict[str, Any]) -> dict[str, Any]:
    """A file of config/_default/ under the key its name gives (Hugo's LoadConfigFromDir)."""
    if stem in CONFIG_NAMES:
        return item
    name, _, language = stem.partition(".")
    value: Any = item[name] if len(item) == 1 and name in item else item
    if not language:
        return {name: value}
    inner = {name: value} if name in ("menu", "menus", "params") else value
    return {"languages": {language: inner}}


def _merge(
    into: dict[str, Any], new: dict[str, Any], origin: dict[str, str], source: str, prefix: str
) -> None:
    for key, value in new.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value, origin, source, path + ".")
        else:
            into[key] = value
        origin[path] = source
        if isinstance(value, dict):
            for inner in _flatten(path, value, leaves_only=False):
                origin[inner[0]] = source


def _default_language(site: Mapping[str, Any], languages: Mapping[str, Any]) -> str:
    """defaultContentLanguage, else "en" or the first language by weight, as Hugo picks."""
    given = text(site.get("defaultcontentlanguage")).lower()
    if given or not languages:
        return given or "en"
    if "en" in languages:
        return "en"

    def weight(name: str) -> tuple[int, int, str]:
        value = _integer(_table(languages, name).get("weight")) or 0
        return (value == 0, value, name)

    return min(languages, key=weight)


def _author(lookup: Callable[[str], tuple[Any, str]]) -> tuple[str, str]:
    """params.author (a name, or a table with `name`), else author: as the embedded
    RSS template and most themes read it."""
    for dotted in ("params.author", "author"):
        value, key = lookup(dotted)
        if isinstance(value, dict):
            value, key = value.get("name"), f"{key}.name"
        if isinstance(value, list):
            value = ", ".join(text(item) for item in value if text(item))
        if text(value):
            return text(value), key
    return "", ""


def _feed_date_keys(date_chain: tuple[str, ...], publish_chain: tuple[str, ...]) -> tuple[str, ...]:
    """The keys of the feed's date, .PublishDate: its chain, where `date` stands for
    what .Date's chain found (Hugo sets it before it reads publishDate)."""
    keys: list[str] = []
    for name in publish_chain:
        keys.extend(date_chain if name == "date" else (name,))
    return tuple(dict.fromkeys(keys))


def _permalinks(value: Any, source: Path) -> tuple[tuple[str, str], ...]:
    """[permalinks] as (page path pattern, permalink pattern) for regular pages, in the
    order written: the first that matches a page is its pattern, as in Hugo.

    `section = pattern` and `[permalinks.page] section = pattern` match the section
    and everything below it ("/": the pages at the root). The list form
    (`[[permalinks]]` with `target` and `pattern`) is read too. Hugo places the
    entries of a `[permalinks.page]` table among the others differently from one
    build to the next; here they stand where the table is written.
    """
    found: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for key, pattern in value.items():
            if isinstance(pattern, str):
                found.append((_section_glob(key), pattern))
            elif isinstance(pattern, dict) and key == "page":
                found.extend(
                    (_section_glob(section), inner)
                    for section, inner in pattern.items()
                    if isinstance(inner, str)
                )
    elif isinstance(value, list):
        for rule in value:
            target = _table(rule, "target") if isinstance(rule, dict) else {}
            pattern = rule.get("pattern") if isinstance(rule, dict) else None
            kind = text(target.get("kind")).lower() or "*"
            if isinstance(pattern, str) and re.fullmatch(_glob(kind), "page"):
                found.append((_glob(text(target.get("path")).lower() or "**"), pattern))
    for _, pattern in found:
        for match in _TOKEN.finditer(pattern.replace("\\:", "")):
            token = match.group(0)[1:].split("[", 1)[0]
            if token not in _KNOWN_TOKENS and not _GO_LAYOUT.search(token):
                raise SiteError(f"{source}: permalink {pattern!r}: unknown token :{token}")
    return tuple(found)


_KNOWN_TOKENS = frozenset(
    [
        "year",
        "month",
        "monthname",
        "day",
        "weekday",
        "weekdayname",
        "yearday",
        "section",
        "sectionslug",
        "sections",
        "sectionslugs",
        "title",
        "slug",
        "slugorfilename",
        "filename",
        "contentbasename",
        "slugorcontentbasename",
    ]
)


def _section_glob(section: str) -> str:
    """Hugo's sectionToPathGlob: a section and all below it; "/" the root's pages."""
    section = section.strip(" /").lower()
    if not section:
        return r"/[^/]*"
    return "/" + re.escape(section) + r"(?:/.*)?"


def _glob(pattern: str) -> str:
    """A Hugo (gobwas) glob as a regular expression: `**`, `*`, `?`, `{a,b}`."""
    out: list[str] = []
    position = 0
    while position < len(pattern):
        char = pattern[position]
        if pattern.startswith("**", position):
            out.append(".*")
            position += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "{":
            out.append("(?:")
        elif char == "}":
            out.append(")")
        elif char == ",":
            out.append("|")
        else:
            out.append(re.escape(char))
        position += 1
    return "".join(out)


def _feed_template(root: Path, site: Mapping[str, Any]) -> tuple[str, str] | None:
    """(path, text) of the site's or its theme's own RSS template for the home page,
    None when Hugo's embedded one is used."""
    names = ("home.rss.xml", "index.rss.xml", "list.rss.xml", "rss.xml")
    themes = [text(theme) for theme in _list(site.get("theme")) if text(theme)]
    folders = [root / "layouts", *(root / "themes" / theme / "layouts" for theme in themes)]
    for folder in folders:
        for name in names:
            for path in (folder / name, folder / "_default" / name):
                if path.is_file():
                    try:
                        return path.relative_to(root).as_posix(), path.read_text("utf-8", "replace")
                    except OSError:
                        continue
    return None


def _chain(value: Any, default: tuple[str, ...]) -> tuple[str, ...]:
    """A `[frontmatter]` list, lower case, `:default` expanded, aliases added, as Hugo's
    DecodeFrontMatterConfig makes it."""
    given = [text(item).lower() for item in _list(value)] if value is not None else list(default)
    keys: list[str] = []
    for key in given:
        for name in default if key == ":default" else (key,):
            keys.extend((name, *_DATE_ALIASES.get(name, ())))
    return tuple(dict.fromkeys(keys))


# -- helpers


# The longest emoji name Hugo knows is under 40 characters; a colon further away
# starts no name.
_LONGEST_EMOJI_NAME = 64


def emojify(text: str) -> str:
    """`text` with each `:name:` of an emoji (GitHub's names, as Hugo's `enableEmoji`
    knows them) made the emoji. As Hugo scans: a `:x:` that names none leaves its
    second colon free to open the next name (`vuser:10:100:` gives `vuser:10💯`).
    One pass: each colon is looked at once."""
    names = _emoji_names()
    out = []
    last = 0
    start = text.find(":")
    while start >= 0:
        end = text.find(":", start + 1, start + _LONGEST_EMOJI_NAME)
        if end < 0:
            start = text.find(":", start + 1)
            continue
        found = names.get(text[start : end + 1])
        if found is None:
            start = end
            continue
        out += (text[last:start], found)
        last = end + 1
        start = text.find(":", last)
    out.append(text[last:])
    return "".join(out)


@cache
def _emoji_names() -> dict[str, str]:
    import emoji  # only sites with enableEmoji need its table

    return {
        alias: character
        for character, data in emoji.EMOJI_DATA.items()
        for alias in data.get("alias", ())
    }


def _get(table: Mapping[str, Any], dotted: str) -> Any:
    value: Any = table
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _table(value: Any, key: str) -> dict[str, Any]:
    inner = value.get(key) if isinstance(value, Mapping) else None
    return inner if isinstance(inner, dict) else {}


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(text(value))
    except ValueError:
        return None


def _lower_keys(meta: Mapping[str, Any]) -> dict[str, Any]:
    """Front matter with lower-case keys (Hugo's are case-insensitive); a key written
    in lower case wins over another spelling of it."""
    values = {str(key).lower(): value for key, value in meta.items()}
    values.update({key: value for key, value in meta.items() if key == str(key).lower()})
    return values


def _lower_keys_deep(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key).lower(): _lower_keys_deep(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_lower_keys_deep(item) for item in value]
    return value


def _flatten(
    prefix: str, table: Mapping[str, Any], leaves_only: bool = True
) -> list[tuple[str, str]]:
    """("prefix.a.b", value as text) for the values of nested tables."""
    out: list[tuple[str, str]] = []
    for key, value in table.items():
        path = f"{prefix}.{key}"
        if isinstance(value, Mapping):
            if not leaves_only:
                out.append((path, ""))
            out.extend(_flatten(path, value, leaves_only))
        elif not isinstance(value, list):
            out.append((path, text(value)))
        elif not leaves_only:
            out.append((path, ""))
    return out


def _sanitize(value: str) -> str:
    """Hugo's paths.Sanitize: letters, digits, marks and `./\\_#+~-@` kept (and `%` before
    two hex digits); a run of spaces inside becomes one hyphen; the rest is dropped."""
    out: list[str] = []
    hyphen_due = was_hyphen = False
    for position, char in enumerate(value):
        if _allowed(value, position, char):
            was_hyphen = char == "-"
            if hyphen_due and not was_hyphen:
                out.append("-")
            hyphen_due = False
            out.append(char)
        elif out and not was_hyphen and char in _GO_SPACES:
            hyphen_due = True
    return "".join(out)


def _allowed(value: str, position: int, char: str) -> bool:
    if char == " ":
        return False
    if char.isalpha() or unicodedata.category(char) in ("Nd", "Mn", "Mc", "Me"):
        return True
    if char in "./\\_#+~-@":
        return True
    hexdigits = "0123456789abcdefABCDEF"
    return (
        char == "%"
        and position + 2 < len(value)
        and value[position + 1] in hexdigits
        and value[position + 2] in hexdigits
    )


def _remove_accents(value: str) -> str:
    decomposed = unicodedata.normalize("NFD", value)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    )


def _go_clean(path: str) -> str:
    """Go's path.Clean: one slash between parts, `.` and `..` resolved, no trailing slash."""
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append(part)
            continue
        parts.append(part)
    cleaned = "/".join(parts)
    return ("/" + cleaned) if rooted else (cleaned or ".")


def _go_path_escape(path: str) -> str:
    """Go's URL path escaping: what is not unreserved or `$&+,;=:@/` as %XX (UTF-8)."""
    return quote(path, safe="/$&+,;=:@%")


def _go_format(layout: str, moment: datetime) -> str:
    """A Go time layout made of word characters (`2006`, `Jan`, `02`) applied to `moment`."""
    hour12 = moment.hour % 12 or 12
    elements = {
        "January": MONTHS[moment.month - 1],
        "Jan": MONTHS[moment.month - 1][:3],
        "Monday": DAYS[moment.weekday()],
        "Mon": DAYS[moment.weekday()][:3],
        "MST": moment.strftime("%Z") or "UTC",
        "2006": f"{moment.year:04d}",
        "06": f"{moment.year % 100:02d}",
        "002": f"{moment.timetuple().tm_yday:03d}",
        "01": f"{moment.month:02d}",
        "1": str(moment.month),
        "02": f"{moment.day:02d}",
        "_2": f"{moment.day:2d}",
        "2": str(moment.day),
        "15": f"{moment.hour:02d}",
        "03": f"{hour12:02d}",
        "3": str(hour12),
        "04": f"{moment.minute:02d}",
        "4": str(moment.minute),
        "05": f"{moment.second:02d}",
        "5": str(moment.second),
        "PM": "PM" if moment.hour >= 12 else "AM",
        "pm": "pm" if moment.hour >= 12 else "am",
    }
    return _GO_LAYOUT.sub(lambda match: elements[match.group(0)], layout)


def _cut(items: list[str], cut: str) -> list[str]:
    """Hugo's `[low:high]`, `[n]` and `[last]` on a list of sections, never failing."""
    spec = cut.strip().lower()[1:-1]

    def index(word: str, low: bool) -> int:
        if word == "":
            return 0 if low else len(items)
        if word == "last":
            return len(items) - 1
        number = max(int(word) if word.isdigit() else 0, 0)
        if number >= len(items):
            return -1 if low else len(items)
        return number

    if not items:
        return []
    if ":" not in spec:
        at = index(spec, True)
        return [items[at]] if at >= 0 and items[at] else []
    low_word, _, high_word = spec.partition(":")
    low, high = index(low_word, True), index(high_word, False)
    return items[low:high] if low >= 0 and high >= 0 else []


def _written_zone(value: Any) -> timezone | None:
    """The offset a date was written with: Go keeps it, and Hugo's tokens show it."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        offset = value.utcoffset()
        return timezone(offset) if offset is not None else None
    if not isinstance(value, str):
        return None
    match = _WRITTEN_OFFSET.search(value.strip())
    if match is None:
        return None
    written = match.group(1).upper().replace(":", "")
    if written == "Z":
        return UTC
    sign = -1 if written[0] == "-" else 1
    return timezone(sign * timedelta(hours=int(written[1:3]), minutes=int(written[3:5])))


def _date_in_base(name: str) -> str | None:
    """Hugo's dateAndSlugFromBaseFilename: `2021-03-04` or `2021-03-04-10-30-00` first in
    the file's name (a bundle's: its folder's)."""
    parts = name.split("/")
    base = parts[-2] if parts[-1].split(".")[0] == "index" and len(parts) > 1 else parts[-1]
    match = _FILE_DATE.match(base)
    if match is None:
        return None
    try:
        date.fromisoformat(match.group(1))
    except ValueError:
        return None
    if match.group(2):
        return f"{match.group(1)}T{match.group(2)}:{match.group(3)}:{match.group(4)}"
    return match.group(1)


def _ignored(path: str, patterns: tuple[str, ...]) -> bool:
    for pattern in patterns:
        try:
            if re.search(pattern, path):
                return True
        except re.error:
            continue
    return False


def _has_index(folder: str) -> bool:
    return any(_is_content(name, "index") for name in _names_in(folder))


def _has_list_page(folder: str) -> bool:
    return any(_is_content(name, "_index") for name in _names_in(folder))


def _is_content(file_name: str, stem: str) -> bool:
    """Whether `file_name` is `stem.md` or `stem.<language>.md` (any content suffix)."""
    if not file_name.startswith(stem + "."):
        return False
    rest = file_name[len(stem) :]
    suffix = rest[rest.rfind(".") :].lower()
    return suffix in CONTENT_SUFFIXES and rest.count(".") <= 2


def _names_in(folder: str) -> frozenset[str]:
    """The names in a folder; kept while the folder's modification time stays."""
    try:
        stamp = os.stat(folder).st_mtime_ns
    except OSError:
        return frozenset()
    return _listing(folder, stamp)


@lru_cache(maxsize=4096)
def _listing(folder: str, stamp: int) -> frozenset[str]:
    try:
        return frozenset(os.listdir(folder))
    except OSError:
        return frozenset()


def _resolve(ref: str, name: str, link: str, config: Config) -> tuple[str, str] | None:
    """`{{< ref "x" >}}` / `relref`: the link and title of the page `x` names.

    As Hugo looks it up: `/path` from the content folder, else relative to the page's
    folder, else from the content folder, else a page of that file or folder name
    anywhere; with or without the suffix; a bundle by its folder. Its link comes
    from its own front matter (read, not rendered: pages linking to each other
    cannot recurse).
    """
    from postfeed import collector, reader  # imported late: collector imports sites

    target, _, fragment = ref.strip().strip("\"'").partition("#")
    anchor = f"#{fragment}" if fragment else ""
    if not target:
        return (link + anchor, "") if anchor else None
    folder = config.posts
    path = _find_page(folder, target, name)
    if path is None:
        return None
    try:
        post = reader.read_post(path, folder, config.max_post_size)
        article = collector.describe(post, config, lambda field, message: None)
    except Exception:  # whatever is wrong with it is reported when that page is read
        return None
    return article.link + anchor, article.title


def _find_page(folder: Path, target: str, name: str) -> Path | None:
    own_folder = name.rpartition("/")[0]
    starts = [""] if target.startswith("/") else [own_folder, ""]
    wanted = target.strip("/")
    for start in starts:
        found = _page_file(folder, f"{start}/{wanted}".strip("/"))
        if found is not None:
            return found
    # A bare name: the one page of that file or folder name, anywhere.
    try:
        names = _content_files(folder, folder.stat().st_mtime_ns)
    except OSError:
        return None
    base = wanted.rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if Path(base).suffix.lower() in CONTENT_SUFFIXES else base
    matches = [
        key
        for key in names
        if key.rsplit("/", 1)[-1].rsplit(".", 1)[0] == stem
        or (key.rsplit("/", 1)[-1].startswith("index.") and key.split("/")[-2:-1] == [stem])
    ]
    return folder / matches[0] if len(matches) == 1 else None


def _page_file(folder: Path, relative: str) -> Path | None:
    """The content file `relative` names inside `folder`: itself, with a suffix, or the
    index of the bundle it names."""
    if not relative or ".." in relative.split("/"):
        return None
    candidates = [folder / relative] if Path(relative).suffix.lower() in CONTENT_SUFFIXES else []
    for suffix in sorted(CONTENT_SUFFIXES):
        candidates += [folder / f"{relative}{suffix}", folder / relative / f"index{suffix}"]
    for path in candidates:
        # Only a file inside the folder, reached through no link: a post names no other file.
        if path.is_file() and path.resolve() == folder.resolve() / path.relative_to(folder):
            return path
    return None


@lru_cache(maxsize=4)
def _content_files(root: Path, stamp: int) -> tuple[str, ...]:
    """Every content file below `root` (its path inside it); kept while the folder's
    own modification time stays (one listing per build)."""
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for file in sorted(files):
            if Path(file).suffix.lower() in CONTENT_SUFFIXES and not file.startswith((".", "_")):
                found.append((Path(folder) / file).relative_to(root).as_posix())
    return tuple(found)
