"""A Hexo site: `_config.yml` and `source/_posts/` at its root.

Read as Hexo 8 and hexo-generator-feed 3 read it: a post's `:title` is what its
file name holds in the place of `:title` in `new_post_name` (so
`2024-02-07-slug.md` under `:year-:month-:day-:title.md` is `slug`), its link is
`url` + the `permalink` pattern filled from the post (with `pretty_urls`), and
the feed's item id is that link. Bodies are rendered as hexo-renderer-marked
does by default: soft line breaks are breaks, and relative paths of Markdown images
are site-root relative (`prependRoot`; those of raw `<img>` tags resolve against the
post). Fenced code is Hexo's own (its backtick_code_block filter, with captions), and
built-in tag plugins are expanded, by `postfeed.sites.tags`; `<!-- more -->` marks the
summary.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from postfeed import fields, urls
from postfeed.article import Warn
from postfeed.sites.base import Rules as BaseRules
from postfeed.sites.base import Site, SiteError, SitePost, date_placeholders
from postfeed.sites.files import flag, read_mapping, text
from postfeed.sites.roots import HEXO_CONFIG_FILE as CONFIG_FILE
from postfeed.sites.roots import HEXO_POSTS_FOLDER as POSTS_FOLDER

if TYPE_CHECKING:
    from postfeed.config import Config

NAME = "hexo"
DEFAULT_PERMALINK = ":year/:month/:day/:title/"
DEFAULT_NEW_POST_NAME = ":title.md"
DEFAULT_FEED_LIMIT = 20  # hexo-generator-feed's
# Where Hexo ends the excerpt (the summary) of a post.
_MORE = re.compile(r"<!--\s*more\s*-->")
_PLACEHOLDER = re.compile(r":(\w+)")
# hexo-util's slugize: runs of these become one separator.
_SPECIAL = re.compile(r"""[\s~`!@#$%^&*()\-_+=\[\]{}|\\;:"'<>,.?/]+""")
_CONTROL = re.compile("[\x00-\x1f]")
# The file-name patterns `new_post_name` may use, as Hexo's parser matches them.
_NAME_SEGMENTS = {
    "year": r"(\d{4})",
    "month": r"(\d{2})",
    "day": r"(\d{2})",
    "i_month": r"(\d{1,2})",
    "i_day": r"(\d{1,2})",
    "hash": r"([0-9a-f]{12})",
}


@dataclass(frozen=True)
class Rules(BaseRules):
    """A Hexo site's rules, from its `_config.yml`."""

    url: str = "http://example.com/"  # `url`, ending in "/"
    permalink: str = DEFAULT_PERMALINK
    permalink_defaults: dict[str, str] = field(default_factory=dict)
    new_post_name: str = DEFAULT_NEW_POST_NAME
    trailing_index: bool = True
    trailing_html: bool = True
    post_asset_folder: bool = False
    prepend_root: bool = True
    default_category: str = "uncategorized"
    category_map: dict[str, str] = field(default_factory=dict)
    filename_case: int = 0  # category slugs: 0 as written, 1 lower case, 2 upper case
    # Front-matter key that hides a post (hexo-hide-posts' `hide_posts.filter`); empty: none.
    hidden_key: str = ""
    # Fenced code is rendered by Hexo's own filter before Markdown (`syntax_highlighter`
    # highlight.js or prismjs, the default); False: left to the Markdown renderer.
    code_blocks: bool = True
    breaks: bool = True
    rolls_dates_over: bool = True
    one_spelling: bool = False
    date_keys: tuple[str, ...] = ("date",)

    def ignores(self, key: str) -> bool:
        # Hexo skips files and folders whose names start with "_" or "."; with asset
        # folders, only files of new_post_name's kind are posts (the rest are assets).
        if any(part[:1] in ("_", ".") for part in key.split("/")):
            return True
        if self.post_asset_folder:
            return Path(key).suffix.lower() != Path(self.new_post_name).suffix.lower()
        return False

    def publishes(self, meta: Mapping[str, Any]) -> bool:
        return not (self.hidden_key and fields.is_true(meta.get(self.hidden_key)))

    def date_in_name(self, name: str) -> str | None:
        match = _name_pattern(self.new_post_name).fullmatch(name)
        if not match:
            return None
        parts = match.groupdict()
        year = parts.get("year")
        month = parts.get("month") or parts.get("i_month")
        day = parts.get("day") or parts.get("i_day")
        return f"{year}-{int(month):02d}-{int(day):02d}" if year and month and day else None

    def slug(self, name: str) -> str:
        """What `:title` stands for: the file name's title part, as Hexo parses it."""
        match = _name_pattern(self.new_post_name).fullmatch(name)
        title = match.groupdict().get("title") if match else None
        return title if title is not None else slugize(name)

    def path(self, post: SitePost, local: datetime) -> str:
        """The post's path below the site, as Hexo's post_permalink filter makes it."""
        given = fields.as_text(post.meta.get("permalink")).strip()
        if given:
            if self.post_asset_folder and not given.endswith(("/", ".html")):
                given += "/"
            return given if given.startswith("/") else "/" + given
        slug = self.slug(post.name)
        values: dict[str, str] = {
            "title": slug,
            "name": slug.rsplit("/", 1)[-1],
            "post_title": slugize(post.title, lower=True),
            **date_placeholders(local),
            "timestamp": str(int(post.published.timestamp())),
            "hash": hashlib.sha1(f"{slug}{int(post.published.timestamp())}".encode()).hexdigest()[
                :12
            ],
            "category": self.category_slug(post.categories),
        }
        for key, value in post.meta.items():
            if key not in values and isinstance(value, str | int | float):
                values[key] = fields.as_text(value)
        for key, value in self.permalink_defaults.items():
            values.setdefault(key, value)
        path = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), self.permalink)
        if self.post_asset_folder and not path.endswith(("/", ".html")):
            path += "/"
        return path

    def category_slug(self, categories: tuple[str, ...]) -> str:
        """`:category`: the slugs of the post's category path (Hexo's categories nest)."""
        if not categories:
            return self.default_category
        slugs = (slugize(self.category_map.get(name, name)) for name in categories)
        case = {1: str.lower, 2: str.upper}.get(self.filename_case, str)
        return "/".join(case(slug) for slug in slugs)

    def link(self, post: SitePost, config: Config, warn: Warn) -> str:
        # Hexo fills a permalink's date from the instant in the zone of the machine that
        # builds the site, not the site's `timezone` (a Hexo bug); sites are mostly built
        # by CI services, which run in UTC, so links are made as such a build makes them.
        path = self.path(post, post.published.astimezone(UTC))
        url = self.url.rstrip("/") + re.sub(r"/{2,}", "/", "/" + path.lstrip("/"))
        if not self.trailing_index:
            url = re.sub(r"/index\.html$", "/", url)
        if not self.trailing_html:
            url = re.sub(r"\.html$", "", url)
        return urls.encode(url)

    def item_id(self, post: SitePost, link: str) -> str:
        return link  # hexo-generator-feed: the entry's id is its link

    def prepare(self, body: str, post: SitePost, link: str, config: Config, warn: Warn) -> str:
        fenced = self.code_blocks and ("```" in body or "~~~" in body)
        if not fenced and "{%" not in body and "{{" not in body and "<img" not in body:
            return body
        from postfeed.sites import tags  # only bodies with code, tags or images need it

        body = body.replace("\r\n", "\n")
        if fenced:
            body = tags.hexo_code_blocks(body)
        if "<img" in body and self.prepend_root:
            body = _raw_images_below(body, link)
        if "{%" not in body and "{{" not in body:
            return body
        folder = config.posts / post.name
        context = tags.TagContext(
            post_url=link,
            site_url=config.site_url,
            resolve=lambda ref: _resolve(ref, config),
            # Hexo knows a post's assets only with post_asset_folder.
            asset_exists=(lambda name: (folder / name).is_file())
            if self.post_asset_folder
            else (lambda name: False),
        )
        return tags.expand(body, "hexo", context, warn)

    def asset_base(self, post: SitePost, link: str, config: Config) -> str:
        # hexo-renderer-marked's prependRoot: `images/x.png` is below the site root.
        return self.url if self.prepend_root else link

    def excerpt(self, body: str, meta: Mapping[str, Any]) -> str | None:
        match = _MORE.search(body)
        return body[: match.start()] if match else None


# A raw <img> whose src is relative: Hexo's renderer leaves raw HTML as it is, so a
# reader resolves it against the post, not the site root (as Markdown images are).
_RAW_IMAGE = re.compile(
    r"""(<img\b[^<>]*?\ssrc\s*=\s*)(["']?)([^"'<>\s]*)\2(?=[^<>]*>)""", re.IGNORECASE
)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def _raw_images_below(body: str, link: str) -> str:
    """`body` with the relative sources of its raw <img> tags made absolute against the
    post's link (Markdown images keep resolving against the site root: prependRoot).
    Tags inside inline code (an odd number of backticks before them on their line) and in
    indented lines (code, to CommonMark) are left as they are."""

    def absolute(match: re.Match[str]) -> str:
        src = match.group(3)
        line_start = body.rfind("\n", 0, match.start()) + 1
        before = body[line_start : match.start()]
        if (
            not src
            or _SCHEME.match(src)
            or src.startswith(("/", "#"))
            or before.count("`") % 2
            or before.startswith(("    ", "\t"))
        ):
            return match.group(0)
        quote = match.group(2) or '"'
        return f"{match.group(1)}{quote}{urls.absolute(src, link) or src}{quote}"

    return _RAW_IMAGE.sub(absolute, body)


def slugize(text_: str, lower: bool = False) -> str:
    """hexo-util's slugize: accents dropped, runs of punctuation and spaces made "-"."""
    decomposed = unicodedata.normalize("NFKD", text_)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    slug = _SPECIAL.sub("-", _CONTROL.sub("", plain)).strip("-")
    return slug.lower() if lower else slug


@lru_cache(maxsize=8)
def _name_pattern(new_post_name: str) -> re.Pattern[str]:
    """new_post_name (without suffix) as a pattern over a post's path without suffix."""
    pattern = new_post_name.rsplit(".", 1)[0] if "." in new_post_name else new_post_name
    parts: list[str] = []
    position = 0
    for match in _PLACEHOLDER.finditer(pattern):
        parts.append(re.escape(pattern[position : match.start()]))
        name = match.group(1)
        segment = _NAME_SEGMENTS.get(name, r"(.+?)")
        parts.append(f"(?P<{name}>{segment[1:-1]})" if name.isidentifier() else segment)
        position = match.end()
    parts.append(re.escape(pattern[position:]))
    return re.compile("".join(parts), re.DOTALL)


def _resolve(ref: str, config: Config) -> tuple[str, str] | None:
    """`{% post_link ref %}`: the link and title of the post whose slug or file is `ref`.

    Its metadata only (no content, so two posts linking to each other cannot recurse).
    """
    from postfeed import collector, reader  # imported late: collector imports sites

    rules = config.site_rules
    if not isinstance(rules, Rules):
        return None
    wanted = ref.strip()
    wanted = wanted.rsplit(".", 1)[0] if wanted.endswith((".md", ".markdown")) else wanted
    folder = config.posts
    try:
        listing = _post_names(folder, folder.stat().st_mtime_ns)
    except OSError:
        return None
    name = next((n for n in listing if wanted in (n[0], rules.slug(n[0]))), None)
    if name is None:
        return None
    try:
        post = reader.read_post(folder / name[1], folder, config.max_post_size)
        article = collector.describe(post, config, lambda field, message: None)
    except Exception:  # whatever is wrong with it is reported when that post is read
        return None
    return article.link, article.title


@lru_cache(maxsize=4)
def _post_names(root: Path, mtime_ns: int) -> tuple[tuple[str, str], ...]:
    """(name without suffix, path inside `root`) of every Markdown file below it; kept
    while the folder's own modification time stays (one listing per build)."""
    found: list[tuple[str, str]] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        for file in sorted(files):
            if file.endswith((".md", ".markdown")) and not file.startswith((".", "_")):
                key = (Path(folder) / file).relative_to(root).as_posix()
                found.append((key.rsplit(".", 1)[0], key))
    return tuple(found)


def read_site(root: Path) -> Site:
    """The settings and rules `_config.yml` gives, with what was read from where."""
    config_path = root / CONFIG_FILE
    site = read_mapping(config_path)
    read_from: list[str] = []

    def note(key: str, value: object, source: str) -> None:
        read_from.append(f"{key}: {value} (from {CONFIG_FILE} {source})")

    url = text(site.get("url"))
    if not urls.is_web_url(url):
        raise SiteError(f"{config_path}: 'url' must be the site's http(s) address, not {url!r}")
    url = url.rstrip("/") + "/"
    settings: dict[str, Any] = {
        "posts": root / POSTS_FOLDER,
        "site_url": url,
        "feed_url": url,
        "ids": "site",
    }
    note("site_url", url, "url")
    for key, sources in (
        ("title", ("title",)),
        ("description", ("subtitle", "description")),  # hexo-generator-feed's order
        ("author", ("author",)),
    ):
        source = next((s for s in sources if text(site.get(s))), None)
        if source:
            settings[key] = text(site.get(source))
            note(key, settings[key], source)
    language = site.get("language")
    if isinstance(language, list):
        language = language[0] if language else ""
    if text(language) and text(language) != "default":
        settings["language"] = text(language)
        note("language", settings["language"], "language")
    zone = text(site.get("timezone"))
    settings["timezone"] = zone or "UTC"
    note(
        "timezone",
        settings["timezone"],
        "timezone" if zone else "timezone, empty: Hexo uses the build machine's zone; UTC here",
    )

    feed = site.get("feed") if isinstance(site.get("feed"), dict) else {}
    limit = feed.get("limit", DEFAULT_FEED_LIMIT)
    if isinstance(limit, int) and not isinstance(limit, bool):
        settings["limit"] = limit if limit > 0 else 1_000_000
        note("limit", settings["limit"], "feed.limit")
    # The plugin's default is true, but a key left empty (null) means false to it.
    if "content" in feed and not flag(feed["content"], False):
        settings["content"] = {"mode": "summary"}
        note("content.mode", "summary", "feed.content")
    settings["files"] = _feed_files(feed)
    note("files", settings["files"], "feed.type, feed.path")

    pretty = site.get("pretty_urls") if isinstance(site.get("pretty_urls"), dict) else {}
    marked = site.get("marked") if isinstance(site.get("marked"), dict) else {}
    hide = site.get("hide_posts") if isinstance(site.get("hide_posts"), dict) else None
    defaults = site.get("permalink_defaults")
    category_map = site.get("category_map")
    rules = Rules(
        url=url,
        permalink=text(site.get("permalink")) or DEFAULT_PERMALINK,
        permalink_defaults={str(k): text(v) for k, v in (defaults or {}).items()}
        if isinstance(defaults, dict)
        else {},
        new_post_name=text(site.get("new_post_name")) or DEFAULT_NEW_POST_NAME,
        trailing_index=flag(pretty.get("trailing_index"), True),
        trailing_html=flag(pretty.get("trailing_html"), True),
        post_asset_folder=flag(site.get("post_asset_folder"), False),
        prepend_root=flag(marked.get("prependRoot"), True),
        code_blocks=text(site.get("syntax_highlighter", "highlight.js"))
        in ("highlight.js", "prismjs"),
        breaks=flag(marked.get("breaks"), True),
        smart_punctuation="marked" if flag(marked.get("smartypants"), True) else "",
        quotes=text(marked.get("quotes")),
        tasklists=flag(marked.get("gfm"), True),
        markdown_by_suffix=True,
        default_category=text(site.get("default_category")) or "uncategorized",
        category_map={str(k): text(v) for k, v in (category_map or {}).items()}
        if isinstance(category_map, dict)
        else {},
        filename_case=_integer(site.get("filename_case")),
        hidden_key=(text(hide.get("filter")) or "hidden") if hide is not None else "",
    )
    note("permalink", rules.permalink, "permalink")
    note("new_post_name", rules.new_post_name, "new_post_name")
    note("breaks", rules.breaks, "marked.breaks (hexo-renderer-marked's default: true)")
    note("tasklists", rules.tasklists, "marked.gfm (hexo-renderer-marked's default: true)")
    return Site(NAME, root, settings, tuple(read_from), rules)


def _integer(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _feed_files(feed: dict[str, Any]) -> dict[str, str]:
    """hexo-generator-feed's `type` and `path`, as postfeed file names by format."""
    kinds = feed.get("type", "atom")
    paths = feed.get("path")
    kinds = [kinds] if isinstance(kinds, str) else list(kinds or ["atom"])
    kinds = [k for k in dict.fromkeys(kinds) if k in ("atom", "rss2")] or ["atom"]
    paths = [paths] if isinstance(paths, str) else list(paths or [])
    files: dict[str, str] = {}
    for number, kind in enumerate(kinds):
        path = text(paths[number]) if number < len(paths) else f"{kind}.xml"
        if "." not in Path(path).name:
            path += ".xml"
        files["atom" if kind == "atom" else "rss"] = _only_name(path)
    return files


def _only_name(path: str) -> str:
    """A feed path as a file name in the output folder (postfeed writes no sub-folders
    for the main feeds): `feeds/atom.xml` keeps its name; the URL changes."""
    return Path(urlsplit(path).path).name or "atom.xml"
