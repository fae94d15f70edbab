"""Specification of postfeed.config.load_config: defaults < postfeed.toml < keyword overrides."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from postfeed.config import ConfigError, load_config


@pytest.fixture
def write_config(tmp_path: Path):
    """write_config(toml_text, name="conf/postfeed.toml") -> Path."""

    def write(text: str, name: str = "conf/postfeed.toml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


def error_of(path: Path | None = None, **overrides: object) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path, **overrides)
    return str(caught.value)


# --- defaults -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("posts", Path("posts")),
        ("output", Path("output")),
        ("title", "postfeed"),
        ("site_url", "http://localhost:8000/"),
        ("language", "zh-CN"),
        ("timezone", "Asia/Shanghai"),
        ("limit", 50),
        ("permalink", ":year/:month/:day/:title/"),
        ("strict", False),
        ("drop_future", False),
        ("max_post_size", 10_000_000),
    ],
)
def test_defaults_without_a_file_or_overrides(key: str, expected: object) -> None:
    assert getattr(load_config(), key) == expected


def test_default_tables_are_empty() -> None:
    config = load_config()
    assert config.content.drop == ()
    assert config.content.iframe_hosts == ()
    assert config.categories.aliases == {}


def test_description_author_and_feed_url_default_to_title_and_site_url() -> None:
    config = load_config(title="新闻", site_url="https://news.example.org/")
    assert config.feed_description == "新闻"
    assert config.feed_author == "新闻"
    assert config.feed_base == "https://news.example.org/"


# --- precedence ---------------------------------------------------------------------------


def test_file_values_override_the_defaults(write_config) -> None:
    path = write_config(
        """
        title = "新浪财经 · 国内"
        site_url = "https://news.example.org/"
        limit = 20
        timezone = "UTC"
        strict = true

        [content]
        drop = [".share-buttons"]
        iframe_hosts = ["player.example.org"]

        [categories]
        aliases = { "ＡＩ" = "AI" }
        """
    )
    config = load_config(path)
    assert config.title == "新浪财经 · 国内"
    assert config.site_url == "https://news.example.org/"
    assert config.limit == 20
    assert config.timezone == "UTC"
    assert config.strict is True
    assert config.content.drop == (".share-buttons",)
    assert config.content.iframe_hosts == ("player.example.org",)
    assert config.categories.aliases == {"ＡＩ": "AI"}


def test_keys_missing_from_the_file_keep_their_defaults(write_config) -> None:
    config = load_config(write_config('title = "新闻"\n'))
    assert config.limit == 50
    assert config.site_url == "http://localhost:8000/"


def test_keyword_overrides_override_file_values(write_config) -> None:
    path = write_config('limit = 20\nsite_url = "https://news.example.org/"\n')
    config = load_config(path, limit=7, site_url="https://other.example.org/")
    assert config.limit == 7
    assert config.site_url == "https://other.example.org/"


def test_keyword_overrides_override_the_defaults() -> None:
    config = load_config(limit=3, strict=True)
    assert config.limit == 3
    assert config.strict is True


def test_none_overrides_are_ignored(write_config) -> None:
    path = write_config('limit = 20\ntitle = "新闻"\nposts = "articles"\n')
    config = load_config(path, limit=None, title=None, site_url=None, posts=None)
    assert config.limit == 20
    assert config.title == "新闻"
    assert config.site_url == "http://localhost:8000/"
    assert config.posts == path.parent / "articles"


def test_none_overrides_without_a_file_give_the_defaults() -> None:
    config = load_config(limit=None, strict=None, title=None, posts=None)
    assert (config.limit, config.strict, config.title, config.posts) == (
        50,
        False,
        "postfeed",
        Path("posts"),
    )


# --- unknown keys and wrong types ---------------------------------------------------------


def test_an_unknown_key_in_the_file_is_an_error_naming_it(write_config) -> None:
    assert "colour" in error_of(write_config('colour = "blue"\n'))


def test_an_unknown_key_in_a_table_is_an_error_naming_it(write_config) -> None:
    assert "bogus" in error_of(write_config("[content]\nbogus = 1\n"))


def test_an_unknown_table_is_an_error_naming_it(write_config) -> None:
    assert "theme" in error_of(write_config('[theme]\nname = "x"\n'))


def test_an_unknown_keyword_override_is_an_error_naming_it() -> None:
    assert "colour" in error_of(colour="blue")


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ('limit = "5"', "limit"),
        ("limit = true", "limit"),
        ("limit = 2.5", "limit"),
        ("title = 3", "title"),
        ("site_url = 80", "site_url"),
        ('strict = "yes"', "strict"),
        ("drop_future = 1", "drop_future"),
        ("max_post_size = false", "max_post_size"),
        ("posts = 1", "posts"),
        ("content = 3", "content"),
        ('[content]\ndrop = ".share-buttons"', "drop"),
        ("[content]\ndrop = [1, 2]", "drop"),
        ('[content]\niframe_hosts = "player.example.org"', "iframe_hosts"),
        ('[categories]\naliases = ["AI"]', "aliases"),
        ("[categories.aliases]\nAI = 3", "aliases"),
    ],
)
def test_a_value_of_the_wrong_type_is_an_error_naming_the_key(write_config, toml, key) -> None:
    assert key in error_of(write_config(toml + "\n"))


@pytest.mark.parametrize(
    ("overrides", "key"),
    [({"limit": "5"}, "limit"), ({"limit": True}, "limit"), ({"title": 3}, "title")],
)
def test_a_keyword_override_of_the_wrong_type_is_an_error_naming_the_key(overrides, key) -> None:
    assert key in error_of(**overrides)


# --- the file -----------------------------------------------------------------------------


def test_invalid_toml_is_an_error_naming_the_file(write_config) -> None:
    path = write_config('title = "unclosed\nlimit = \n', name="conf/broken.toml")
    assert "broken.toml" in error_of(path)


def test_a_missing_explicit_config_file_is_an_error(tmp_path: Path) -> None:
    assert "missing.toml" in error_of(tmp_path / "missing.toml")


def test_a_config_path_that_is_a_folder_is_an_error_naming_it(tmp_path: Path) -> None:
    assert str(tmp_path) in error_of(tmp_path)


def test_relative_posts_and_output_in_the_file_are_relative_to_its_folder(
    write_config, tmp_path: Path
) -> None:
    path = write_config('posts = "articles"\noutput = "public/feeds"\n')
    config = load_config(path)
    assert config.posts == tmp_path / "conf" / "articles"
    assert config.output == tmp_path / "conf" / "public" / "feeds"


def test_relative_paths_in_a_relatively_named_file_resolve_from_its_folder(
    write_config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config('posts = "articles"\n')
    monkeypatch.chdir(tmp_path)
    config = load_config(Path("conf/postfeed.toml"))
    assert config.posts.resolve() == (tmp_path / "conf" / "articles").resolve()


def test_absolute_posts_and_output_in_the_file_are_kept(write_config, tmp_path: Path) -> None:
    posts, output = tmp_path / "abs" / "posts", tmp_path / "abs" / "out"
    config = load_config(write_config(f'posts = "{posts}"\noutput = "{output}"\n'))
    assert config.posts == posts
    assert config.output == output


def test_keyword_override_paths_are_not_moved_to_the_files_folder(write_config) -> None:
    config = load_config(write_config('posts = "articles"\n'), posts=Path("mine"))
    assert config.posts == Path("mine")


def test_without_a_path_the_working_directorys_postfeed_toml_is_not_read(work_dir: Path) -> None:
    # The library reads only what it is given; the command line decides which file.
    (work_dir / "postfeed.toml").write_text('title = "本地"\nposts = "p"\n')
    config = load_config()
    assert config.title == "postfeed"
    assert config.posts == Path("posts")


# --- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://news.example.org", "https://news.example.org/"),
        ("https://news.example.org/blog", "https://news.example.org/blog/"),
        ("https://news.example.org/blog/", "https://news.example.org/blog/"),
        ("http://localhost:8000", "http://localhost:8000/"),
    ],
)
def test_site_url_always_ends_with_a_slash(given: str, expected: str) -> None:
    assert load_config(site_url=given).site_url == expected


def test_site_url_from_the_file_gets_a_slash(write_config) -> None:
    config = load_config(write_config('site_url = "https://news.example.org"\n'))
    assert config.site_url == "https://news.example.org/"


def test_feed_url_gets_a_slash_too() -> None:
    assert load_config(feed_url="https://x.example.org/feeds").feed_url == (
        "https://x.example.org/feeds/"
    )


@pytest.mark.parametrize(
    "url", ["ftp://news.example.org/", "news.example.org", "/relative/", "javascript:alert(1)", ""]
)
def test_a_site_url_that_is_not_http_is_an_error(url: str) -> None:
    assert "site_url" in error_of(site_url=url)


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "../../etc/passwd", "Asia/Nowhere"])
def test_an_unknown_timezone_is_an_error_naming_timezone(zone: str) -> None:
    assert "timezone" in error_of(timezone=zone)


def test_an_unknown_timezone_in_the_file_is_an_error_naming_timezone(write_config) -> None:
    assert "timezone" in error_of(write_config('timezone = "Beijing"\n'))


@pytest.mark.parametrize("zone", ["UTC", "Asia/Hong_Kong", "America/New_York"])
def test_known_timezones_are_accepted(zone: str) -> None:
    assert load_config(timezone=zone).timezone == zone


@pytest.mark.parametrize("limit", [0, -1])
def test_a_limit_below_one_is_an_error(limit: int) -> None:
    assert "limit" in error_of(limit=limit)


def test_a_limit_of_one_is_accepted() -> None:
    assert load_config(limit=1).limit == 1


@pytest.mark.parametrize("pattern", [":year/:slug/", ":category/:title/", ":title.:ext"])
def test_an_unknown_permalink_placeholder_is_an_error(pattern: str) -> None:
    assert "permalink" in error_of(permalink=pattern)


@pytest.mark.parametrize(
    "pattern", [":year/:month/:day/:title/", ":title.html", "posts/:hour:minute:second-:name/"]
)
def test_known_permalink_placeholders_are_accepted(pattern: str) -> None:
    assert load_config(permalink=pattern).permalink == pattern


@pytest.mark.parametrize("selector", ["div >", "p:nosuchthing", "a[href"])
def test_a_drop_selector_that_is_not_css_is_an_error_naming_it(write_config, selector) -> None:
    path = write_config(f"[content]\ndrop = [{selector!r}]\n")
    with pytest.raises(ConfigError, match=r"content\.drop"):
        load_config(path)


@pytest.mark.parametrize(
    ("line", "key", "code"),
    [
        ('title = "News \\u0001"', "title", "0001"),
        ('description = "\\u000b"', "description", "000B"),
        ('author = "a\\u001f"', "author", "001F"),
        ('language = "en\\u0000"', "language", "0000"),
        ('title = "\\uffff"', "title", "FFFF"),
        ('[[feeds]]\nname = "tech"\ntitle = "T\\u0008"', "feeds.tech.title", "0008"),
    ],
)
def test_a_feed_text_that_xml_cannot_hold_is_a_configuration_error(
    write_config, line: str, key: str, code: str
) -> None:
    # Every feed writes it: the build did all its work, then failed with a traceback.
    message = error_of(write_config(line + "\n"))
    assert repr(key) in message and f"U+{code}" in message


def test_a_lone_surrogate_in_a_feed_text_is_a_configuration_error() -> None:
    assert "U+D800" in error_of(title="News \ud800")


def test_cache_dir_may_be_given_as_a_path_like_the_other_folders(tmp_path: Path) -> None:
    config = load_config(None, posts=tmp_path / "posts", cache_dir=tmp_path / "cache")
    assert config.cache_location == tmp_path / "cache"
