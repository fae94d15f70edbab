"""Feeds people subscribe to: one set per category and the custom [[feeds]] tables.

Every set is a folder with rss.xml, atom.xml and feed.json holding the newest
articles its filters let through.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree

from postfeed.article import Article
from postfeed.build import build
from postfeed.cli import main
from postfeed.config import ConfigError, load_config
from postfeed.feedsets import FeedSet, Group, feed_sets, select

from conftest import WritePost, post_text

SITE = "https://news.example.org/"
NOW = datetime(2021, 9, 20, tzinfo=UTC)


def rss_titles(path: Path) -> list[str]:
    return [item.findtext("title") for item in etree.parse(str(path)).iter("item")]


# name, title, date, categories, body, author
POSTS = [
    ("a.md", "财经一", "2021-09-10 10:00:00", ["金融", "新浪财经"], "央行宣布降准。", "新浪财经"),
    ("b.md", "科技一", "2021-09-11 10:00:00", ["科技"], "新的 AI 芯片发布。", "IT 之家"),
    ("c.md", "财经二", "2021-09-12 10:00:00", ["金融"], "股市上涨，广告勿扰。", "新浪财经"),
    ("d.md", "杂谈", "2021-09-13 10:00:00", ["../../etc", "ＡＩ"], "ai 的故事。", None),
    ("e.md", "旧闻", "2021-08-01 10:00:00", ["金融"], "很久以前。", None),
]


@pytest.fixture
def site(tmp_path: Path, write_post: WritePost) -> Path:
    """POSTS in tmp_path/posts."""
    for name, title, date, categories, body, author in POSTS:
        write_post(name, post_text(title, date, body=body, categories=categories, author=author))
    return tmp_path


def run(root: Path, config_text: str = "", **overrides) -> None:
    config_file = root / "postfeed.toml"
    config_file.write_text(textwrap.dedent(config_text), encoding="utf-8")
    config = load_config(
        config_file, posts=root / "posts", output=root / "out", site_url=SITE, **overrides
    )
    build(config, now=NOW)


def test_every_category_gets_its_own_feeds_with_a_safe_folder(site: Path) -> None:
    run(site)
    folders = sorted(p.name for p in (site / "out" / "categories").iterdir())
    assert folders == sorted(["金融", "新浪财经", "科技", "etc", "ai"])
    for folder in folders:
        for name in ("rss.xml", "atom.xml", "feed.json"):
            assert (site / "out" / "categories" / folder / name).is_file()
    assert rss_titles(site / "out" / "categories" / "金融" / "rss.xml") == [
        "财经二",
        "财经一",
        "旧闻",
    ]


def test_a_category_feed_has_its_own_title_and_percent_encoded_self_links(site: Path) -> None:
    run(site, 'title = "新闻"\n')
    rss = etree.parse(str(site / "out" / "categories" / "金融" / "rss.xml"))
    assert rss.findtext("channel/title") == "新闻 · 金融"
    self_link = rss.find("channel/{http://www.w3.org/2005/Atom}link[@rel='self']").get("href")
    assert self_link == SITE + "categories/%E9%87%91%E8%9E%8D/rss.xml"
    feed = json.loads((site / "out" / "categories" / "金融" / "feed.json").read_text())
    assert feed["feed_url"] == SITE + "categories/%E9%87%91%E8%9E%8D/feed.json"


def test_category_feeds_can_be_turned_off_thinned_and_excluded(site: Path) -> None:
    run(site, "[categories]\nfeeds = false\n")
    assert not (site / "out" / "categories").exists()
    run(site, '[categories]\nmin_posts = 2\nexclude = ["新浪财经"]\n')
    assert sorted(p.name for p in (site / "out" / "categories").iterdir()) == ["金融"]


def test_a_category_that_disappears_loses_its_feeds(site: Path) -> None:
    run(site)
    assert (site / "out" / "categories" / "科技" / "rss.xml").exists()
    (site / "posts" / "b.md").unlink()
    run(site)
    assert not (site / "out" / "categories" / "科技").exists()


def test_custom_feeds_filter_like_rsshub(site: Path) -> None:
    run(
        site,
        """
        [[feeds]]
        name = "finance"
        title = "只看财经"
        categories = ["金融"]
        exclude_keywords = ["广告"]

        [[feeds]]
        name = "ai"
        keywords = ["ai"]
        content = "summary"

        [[feeds]]
        name = "recent"
        since_days = 14
        limit = 2

        [[feeds]]
        name = "sina"
        authors = ["新浪财经"]
        exclude_categories = ["新浪财经"]
        """,
    )
    out = site / "out"
    assert rss_titles(out / "finance" / "rss.xml") == ["财经一", "旧闻"]
    assert etree.parse(str(out / "finance" / "rss.xml")).findtext("channel/title") == "只看财经"
    assert rss_titles(out / "ai" / "rss.xml") == ["杂谈", "科技一"]  # case-insensitive, NFKC
    assert "content:encoded" not in (out / "ai" / "rss.xml").read_text()  # summary only
    assert rss_titles(out / "recent" / "rss.xml") == ["杂谈", "财经二"]
    assert rss_titles(out / "sina" / "rss.xml") == ["财经二"]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('name = "../up"', "feeds[0]"),
        ('title = "no name"', "'name' is required"),
        ('name = "x"\nsince_days = "week"', "since_days"),
        ('name = "x"\ncontent = "some"', "'content'"),
        ('name = "x"\ncolour = "red"', "colour"),
        ('name = "categories"', "'categories'"),
    ],
)
def test_a_bad_custom_feed_is_a_configuration_error_naming_the_table(
    tmp_path: Path, table: str, message: str
) -> None:
    config_file = tmp_path / "postfeed.toml"
    config_file.write_text(f"[[feeds]]\n{table}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="feeds") as error:
        load_config(config_file)
    assert message in str(error.value)


def test_summary_mode_for_every_feed_leaves_out_the_full_html(site: Path) -> None:
    run(site, '[content]\nmode = "summary"\n')
    text = (site / "out" / "atom.xml").read_text()
    assert "<content" not in text and "<summary" in text
    feed = json.loads((site / "out" / "feed.json").read_text())
    assert all("content_html" not in item and item["summary"] for item in feed["items"])


def test_the_json_feed_carries_the_same_items_in_the_same_order_as_rss(site: Path) -> None:
    run(site)
    rss = etree.parse(str(site / "out" / "rss.xml"))
    feed = json.loads((site / "out" / "feed.json").read_text())
    assert [i["id"] for i in feed["items"]] == [g.text for g in rss.iter("guid")]
    assert [i["title"] for i in feed["items"]] == rss_titles(site / "out" / "rss.xml")


def test_a_feed_over_the_size_limit_draws_a_warning(site: Path) -> None:
    config_file = site / "postfeed.toml"
    config_file.write_text("max_feed_size = 500\n", encoding="utf-8")
    result = build(
        load_config(config_file, posts=site / "posts", output=site / "out", site_url=SITE), now=NOW
    )
    warnings = [p for p in result.problems if p.field == "feed size"]
    assert warnings and not any(p.fatal for p in warnings)
    assert {p.path.name for p in warnings} <= {"rss.xml", "atom.xml", "feed.json"}


def article(number: int, days_ago: int, categories: tuple[str, ...] = ()) -> Article:
    when = NOW - timedelta(days=days_ago)
    return Article(
        Path(f"{number}.md"), f"t{number}", f"{SITE}{number}", f"id{number}", when, when, categories
    )


def test_select_stops_reading_once_every_set_is_full() -> None:
    sets = [FeedSet("", "main", Group.MAIN, 2, True)]
    seen = []

    def newest():
        for number in range(100):
            seen.append(number)
            yield article(number, number)

    chosen = select(sets, newest(), lambda a: a, lambda html: html)
    assert [a.title for a in chosen[sets[0]]] == ["t0", "t1"]
    assert len(seen) == 2


def test_select_leaves_out_an_article_whose_content_cannot_be_made() -> None:
    sets = [FeedSet("", "main", Group.MAIN, 2, True)]
    articles = [article(n, n) for n in range(4)]
    chosen = select(sets, iter(articles), lambda a: None if a.title == "t0" else a, str)
    assert [a.title for a in chosen[sets[0]]] == ["t1", "t2"]


def test_feed_sets_come_main_first_then_categories_by_name_then_custom(site: Path) -> None:
    config_file = site / "postfeed.toml"
    config_file.write_text('[[feeds]]\nname = "x"\n', encoding="utf-8")
    config = load_config(config_file)
    sets = feed_sets(config, {"b": 1, "a": 3, "c": 1}, NOW)
    assert [(s.group, s.folder) for s in sets] == [
        (Group.MAIN, ""), (Group.CATEGORIES, "categories/a"), (Group.CATEGORIES, "categories/b"),
        (Group.CATEGORIES, "categories/c"), (Group.CUSTOM, "x"),
    ]  # fmt: skip


def test_feeds_opml_lists_every_feed_set_once_and_newsboat_imports_it(site: Path) -> None:
    run(site, '[[feeds]]\nname = "finance"\ncategories = ["金融"]\n')
    opml = etree.parse(str(site / "out" / "feeds.opml"))
    urls = [o.get("xmlUrl") for o in opml.iter("outline") if o.get("xmlUrl")]
    assert urls[0] == SITE + "rss.xml"
    assert SITE + "finance/rss.xml" in urls
    assert SITE + "categories/%E9%87%91%E8%9E%8D/rss.xml" in urls
    assert len(urls) == len(set(urls)) == 1 + 5 + 1  # main, five categories, one custom
    if shutil.which("newsboat") is None:
        pytest.skip("newsboat is not installed (CI installs it): the import was not tried")
    subscriptions = site / "urls"
    subscriptions.touch()
    subprocess.run(
        ["newsboat", "-u", str(subscriptions), "-C", os.devnull, "-c", str(site / "cache.db"),
         "-i", str(site / "out" / "feeds.opml")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    imported = [line.split()[0] for line in subscriptions.read_text().splitlines() if line]
    assert imported == urls


def test_a_new_post_makes_again_only_the_feed_sets_it_belongs_to(
    site: Path, write_post: WritePost
) -> None:
    run(site)
    # A build does not read back a feed file it left as it was (same size, same time):
    # marked with other bytes of the same size and time, a file shows whether its set
    # was made again.
    out = site / "out"
    marked = {}
    for path in out.rglob("rss.xml"):
        status, data = path.stat(), path.read_bytes()
        marked[path.parent.relative_to(out).as_posix()] = path
        path.write_bytes(data.replace(b"<title>postfeed", b"<title>POSTFEED", 1))
        os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert sorted(marked) == [".", "categories/ai", "categories/etc", "categories/新浪财经",
                              "categories/科技", "categories/金融"]  # fmt: skip
    write_post("f.md", post_text("科技二", "2021-09-14 10:00:00", categories=["科技"]))
    run(site)
    made_again = {name for name, path in marked.items() if b"POSTFEED" not in path.read_bytes()}
    assert made_again == {".", "categories/科技"}
    assert rss_titles(out / "categories" / "科技" / "rss.xml") == ["科技二", "科技一"]
    # A feed file changed behind the build's back is written again.
    (out / "categories" / "金融" / "rss.xml").write_text("broken", encoding="utf-8")
    write_post("g.md", post_text("科技三", "2021-09-15 10:00:00", categories=["科技"]))
    run(site)
    assert rss_titles(out / "categories" / "金融" / "rss.xml") == [
        "财经二",
        "财经一",
        "旧闻",
    ]


def test_a_custom_feed_may_take_the_posts_of_some_folders(tmp_path: Path) -> None:
    posts = tmp_path / "posts"
    for name, day in (("news/2024/a", 1), ("news/b", 2), ("blog/c", 3)):
        path = posts / f"{name}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\ntitle: {name}\ndate: 2024-05-0{day}\n---\nText.\n")
    config = tmp_path / "postfeed.toml"
    config.write_text('[[feeds]]\nname = "news"\nfolders = ["news"]\n')
    out = tmp_path / "out"
    assert (
        main(["build", "--posts", str(posts), "--output", str(out), "--config", str(config), "-q"])
        == 0
    )
    titles = [
        item.findtext("title") for item in etree.parse(str(out / "news" / "rss.xml")).iter("item")
    ]
    assert titles == ["news/b", "news/2024/a"]


@pytest.mark.parametrize("folder", ["", "../x", "a/../b", "/"])
def test_a_custom_feeds_folders_stay_inside_the_posts_folder(tmp_path: Path, folder: str) -> None:
    config = tmp_path / "postfeed.toml"
    config.write_text(f'[[feeds]]\nname = "x"\nfolders = ["{folder}"]\n')
    with pytest.raises(ConfigError, match="'folders' are paths inside the posts folder"):
        load_config(config)
