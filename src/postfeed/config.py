"""Configuration: built-in defaults, overridden by postfeed.toml, overridden by flags.

This is the only module that reads configuration; every other stage receives a
`Config` and never looks at files, flags or the environment itself.
"""

from __future__ import annotations

import importlib.util
import re
import tomllib
import typing
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from postfeed import sites, urls
from postfeed.convert import CONVERSIONS
from postfeed.feeds import NOT_XML
from postfeed.formats import FORMAT_NAMES, INDEX_FILE, OPML_FILE, Format
from postfeed.formats import named as named_formats


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key and the reason."""


@dataclass(frozen=True)
class ContentConfig:
    """The `[content]` table: how bodies are cleaned."""

    # CSS selectors of boilerplate to remove, on top of the built-in list.
    drop: tuple[str, ...] = ()
    # Hosts whose <iframe> players are kept; every other iframe becomes a link.
    iframe_hosts: tuple[str, ...] = ()
    # "full": feeds carry the whole article; "summary": only its summary.
    mode: str = "full"


@dataclass(frozen=True)
class CategoriesConfig:
    """The `[categories]` table."""

    # Spelling -> the category it is an alias of, e.g. {"AI" = "人工智能"}.
    aliases: dict[str, str] = field(default_factory=dict)
    # A feed set per category, below OUTPUT/categories/<slug>/.
    feeds: bool = True
    # Categories with fewer articles get no feeds of their own.
    min_posts: int = 1
    # Categories that get no feeds of their own.
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class LimitsConfig:
    """The `[limits]` table: what one post may claim, so that no post can stop,
    stall or flood a build (see "Threat model" in the README)."""

    # More are dropped, with a warning naming the post.
    categories_per_post: int = 20
    tags_per_post: int = 50
    # Category feed sets per build; the categories with the most articles get them.
    feed_sets: int = 1000
    # A post whose reading or rendering takes longer is rejected ("took too long").
    post_seconds: float = 5.0


@dataclass(frozen=True)
class FeedConfig:
    """One `[[feeds]]` table: a custom feed set in OUTPUT/<name>/, RSSHub-style filters."""

    name: str
    title: str = ""  # empty: "site title · name"
    categories: tuple[str, ...] = ()  # any of these (empty: any category)
    exclude_categories: tuple[str, ...] = ()
    folders: tuple[str, ...] = ()  # posts below any of these, inside the posts folder
    authors: tuple[str, ...] = ()  # any of these (empty: any author)
    keywords: tuple[str, ...] = ()  # any of these in the title or content, any case
    exclude_keywords: tuple[str, ...] = ()
    since_days: int = 0  # 0: no age limit
    limit: int = 0  # 0: the global limit
    content: str = ""  # "full" or "summary"; empty: [content] mode
    opencc: str = ""  # a conversion of postfeed.convert.CONVERSIONS; empty: none


@dataclass(frozen=True)
class Config:
    posts: Path = Path("posts")
    output: Path = Path("output")
    title: str = "postfeed"
    description: str = ""  # empty: the title
    site_url: str = "http://localhost:8000/"
    feed_url: str = ""  # empty: site_url
    language: str = "zh-CN"
    author: str = ""  # empty: the title
    timezone: str = "Asia/Shanghai"
    limit: int = 50
    permalink: str = ":year/:month/:day/:title/"
    strict: bool = False
    drop_future: bool = False
    max_post_size: int = 10_000_000
    cache_dir: str = ""  # empty: .postfeed-cache beside the output folder
    hub: str = ""  # a WebSub hub URL; empty: none
    max_feed_size: int = 1_000_000  # bytes; a larger feed file draws a warning
    content: ContentConfig = ContentConfig()
    categories: CategoriesConfig = CategoriesConfig()
    limits: LimitsConfig = LimitsConfig()
    feeds: tuple[FeedConfig, ...] = ()
    # The root of a Hexo, Jekyll or Hugo site: its own configuration gives the
    # defaults (see postfeed.sites); None: a plain folder of posts.
    site: Path | None = None
    # Item ids: "site", as the site's own feed made them (its links), or "uuid",
    # postfeed's urn:uuid: ids, stable when a post's link changes.
    ids: str = "uuid"
    # Feed file names other than the formats' own, by format ("rss", "atom",
    # "json"): a site's feed keeps the URL its subscribers use.
    files: dict[str, str] = field(default_factory=dict)
    # Simplified <-> Traditional Chinese for the main feeds and the category feeds
    # (views of the same site); empty: none. [[feeds]] tables have their own.
    opencc: str = ""
    # Set from the site's configuration by load_config, never by a file or a flag.
    site_kind: str = sites.FOLDER
    site_rules: sites.Rules = field(default_factory=sites.Rules)
    site_read_from: tuple[str, ...] = ()

    @property
    def formats(self) -> tuple[Format, ...]:
        """The output formats, with the file names this configuration gives them."""
        return named_formats(self.files)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def feed_base(self) -> str:
        """The URL `output/` is served from, ending in a slash."""
        return self.feed_url or self.site_url

    @property
    def cache_location(self) -> Path:
        return Path(self.cache_dir) if self.cache_dir else self.output.parent / ".postfeed-cache"

    @property
    def feed_description(self) -> str:
        return self.description or self.title

    @property
    def feed_author(self) -> str:
        return self.author or self.title


_TABLES: dict[str, type] = {
    "content": ContentConfig,
    "categories": CategoriesConfig,
    "limits": LimitsConfig,
}
_PATH_KEYS = ("posts", "output", "cache_dir", "site")
# Keys load_config fills in from the site; not settable by a file or a flag.
_DERIVED_KEYS = ("site_kind", "site_rules", "site_read_from")
_URL_KEYS = ("site_url", "feed_url")
# What every feed writes of the configuration as text (feeds.NOT_XML must not be there).
_FEED_TEXT_KEYS = ("title", "description", "author", "language")


def load_config(
    path: Path | None = None, default_site: Path | None = None, **overrides: Any
) -> Config:
    """The built-in defaults, then the site's own configuration (if there is a site),
    then the file at `path` (if given), then `overrides`.

    Nothing is read that is not named here: which file to read is the caller's
    choice (the command line looks for postfeed.toml in the working directory).
    The site is the `site` key of the file or the overrides, else `default_site`
    when that folder is the root of a Hexo, Jekyll or Hugo site.
    Overrides whose value is None are ignored, so a CLI can pass every flag as is.
    Relative paths in the file are relative to the file's folder.
    """
    values: dict[str, Any] = {}
    if path is not None:
        values = _read_file(path)
    values.update({key: value for key, value in overrides.items() if value is not None})
    if isinstance(values.get("cache_dir"), Path):  # kept as text: "" is "beside the output"
        values["cache_dir"] = str(values["cache_dir"])
    for key in _DERIVED_KEYS:
        if key in values:
            raise ConfigError(f"unknown configuration key {key!r}")
    root = values.get("site")
    if root is None and default_site and sites.detect(default_site) != sites.FOLDER:
        root = values["site"] = default_site
    if root is not None:
        values = {**_site_values(Path(root)), **values}
    return _validate(_coerce(Config, values, where=""))


def _site_values(root: Path) -> dict[str, Any]:
    """The settings a site's own configuration implies, and its rules."""
    if not root.is_dir():
        raise ConfigError(f"site {root}: not a folder")
    kind = sites.kind(sites.detect(root))
    try:
        site = kind.read_site(root)
    except sites.SiteError as error:
        raise ConfigError(f"site {root}: {error}") from None
    return {
        **site.settings,
        "site_kind": site.kind,
        "site_rules": site.rules,
        "site_read_from": site.read_from,
    }


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: {error}") from None
    for key in _PATH_KEYS:
        if isinstance(data.get(key), str) and data[key]:
            data[key] = str(path.parent / data[key])
    return data


def _coerce(cls: type, values: dict[str, Any], where: str) -> Any:
    """Build dataclass `cls` from `values`, checking every key and type."""
    hints = typing.get_type_hints(cls)
    known = {f.name for f in fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        name = f"{where}{key}"
        if key not in known:
            raise ConfigError(f"unknown configuration key {name!r}")
        expected = hints[key]
        if key in _TABLES and not where:
            if not isinstance(value, dict):
                raise ConfigError(f"configuration key {name!r} must be a table")
            kwargs[key] = _coerce(_TABLES[key], value, where=f"{key}.")
        elif key == "feeds" and not where:
            if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
                raise ConfigError("configuration key 'feeds' must be tables: [[feeds]]")
            kwargs[key] = tuple(_custom_feed(table, number) for number, table in enumerate(value))
        else:
            kwargs[key] = _check_type(name, value, expected)
    return cls(**kwargs)


def _custom_feed(table: dict[str, Any], number: int) -> FeedConfig:
    where = f"feeds[{number}] ({table.get('name', 'no name')!r})"
    if "name" not in table:
        raise ConfigError(f"{where}: 'name' is required (the feed's folder)")
    feed = _coerce(FeedConfig, table, where=f"{where}.")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", feed.name) or feed.name in (
        "categories",
    ):
        raise ConfigError(
            f"{where}: 'name' must be letters, digits, - and _ (a folder name), "
            f"and not 'categories'; not {feed.name!r}"
        )
    if feed.content not in ("", "full", "summary"):
        raise ConfigError(f'{where}: \'content\' must be "full" or "summary"')
    if feed.since_days < 0 or feed.limit < 0:
        raise ConfigError(f"{where}: 'since_days' and 'limit' must not be negative")
    for folder in feed.folders:
        parts = folder.strip("/").split("/")
        if not folder.strip("/") or any(part in ("", ".", "..") for part in parts):
            raise ConfigError(
                f"{where}: 'folders' are paths inside the posts folder, like \"notes/2024\"; "
                f"not {folder!r}"
            )
    _check_conversion(f"{where}: 'opencc'", feed.opencc)
    return feed


def _check_selectors(selectors: tuple[str, ...]) -> None:
    """A selector cssselect cannot read would fail every post, one by one."""
    if not selectors:
        return  # and no import of cssselect on a run that needs none
    from cssselect import GenericTranslator, SelectorError

    for selector in selectors:
        try:
            GenericTranslator().css_to_xpath(selector)
        except SelectorError as error:
            raise ConfigError(
                f"configuration key 'content.drop': {selector!r} is not a CSS selector ({error})"
            ) from None


def _check_conversion(name: str, conversion: str) -> None:
    """A conversion must be one OpenCC has, and OpenCC must be there to do it (else
    every article of the set would fail, one by one, while it is written)."""
    if not conversion:
        return
    if conversion not in CONVERSIONS:
        raise ConfigError(f"{name} must be one of {', '.join(CONVERSIONS)}, not {conversion!r}")
    if importlib.util.find_spec("opencc") is None:
        raise ConfigError(f"{name}: the opencc package is not installed (pip install opencc)")


def _check_type(name: str, value: Any, expected: Any) -> Any:
    origin = typing.get_origin(expected)
    if expected in (Path, Path | None):
        if isinstance(value, str | Path):
            return Path(value)
        raise ConfigError(f"configuration key {name!r} must be a path (a string)")
    if origin is tuple:
        if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
            return tuple(value)
        raise ConfigError(f"configuration key {name!r} must be a list of strings")
    if origin is dict:
        if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
            return dict(value)
        raise ConfigError(f"configuration key {name!r} must be a table of strings")
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if expected is int and isinstance(value, bool):
        raise ConfigError(f"configuration key {name!r} must be an integer, not {value!r}")
    if isinstance(expected, type) and not isinstance(value, expected):
        kind = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}.get(
            expected, expected
        )
        raise ConfigError(f"configuration key {name!r} must be {kind}, not {value!r}")
    return value


def _validate(config: Config) -> Config:
    for key in _URL_KEYS:
        url = getattr(config, key)
        if not url and key == "feed_url":
            continue
        if not urls.is_web_url(url):
            raise ConfigError(f"configuration key {key!r} must be an http(s) URL, not {url!r}")
        if not url.endswith("/"):
            config = replace(config, **{key: url + "/"})
    if config.limit < 1:
        raise ConfigError(f"configuration key 'limit' must be at least 1, not {config.limit}")
    if config.content.mode not in ("full", "summary"):
        raise ConfigError('configuration key \'content.mode\' must be "full" or "summary"')
    _check_selectors(config.content.drop)
    if config.hub and not urls.is_web_url(config.hub):
        raise ConfigError(f"configuration key 'hub' must be an http(s) URL, not {config.hub!r}")
    names = [feed.name.lower() for feed in config.feeds]
    if len(names) != len(set(names)):
        raise ConfigError("configuration key 'feeds': two [[feeds]] tables have the same name")
    if config.max_post_size < 1:
        raise ConfigError("configuration key 'max_post_size' must be at least 1")
    unknown = urls.unknown_placeholders(config.permalink)
    if unknown:
        raise ConfigError(f"configuration key 'permalink': unknown placeholder :{min(unknown)}")
    try:
        config.zone  # noqa: B018 - checked here so that a bad zone fails before any work
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"configuration key 'timezone': unknown time zone {config.timezone!r}"
        ) from None
    for name, value in vars(config.limits).items():
        if value <= 0:
            raise ConfigError(f"configuration key 'limits.{name}' must be positive, not {value}")
    if config.ids not in ("site", "uuid"):
        raise ConfigError(f'configuration key \'ids\' must be "site" or "uuid", not {config.ids!r}')
    for name, file_name in config.files.items():
        if name not in FORMAT_NAMES:
            raise ConfigError(
                f"configuration key 'files.{name}': not a format ({', '.join(FORMAT_NAMES)})"
            )
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", file_name) or file_name in (
            OPML_FILE,
            INDEX_FILE,
        ):
            raise ConfigError(
                f"configuration key 'files.{name}' must be a file name (letters, digits, . - _), "
                f"not {file_name!r} or a name postfeed writes itself"
            )
    if len(set(config.files.values())) != len(config.files):
        raise ConfigError("configuration key 'files': two formats have the same file name")
    if not config.title.strip():
        raise ConfigError("configuration key 'title' must not be empty")
    texts = {key: getattr(config, key) for key in _FEED_TEXT_KEYS}
    texts.update((f"feeds.{feed.name}.title", feed.title) for feed in config.feeds)
    for key, text in texts.items():
        found = NOT_XML.search(text)
        if found:  # every feed would fail to be written, after all the work
            raise ConfigError(
                f"configuration key {key!r} holds U+{ord(found.group()):04X}, a character "
                "XML cannot hold (control characters but tab and newlines)"
            )
    _check_conversion("configuration key 'opencc'", config.opencc)
    return config
