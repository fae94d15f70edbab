"""Cron-grade builds: the cache, the lock, and feeds that are never half written.

A build reads only new and changed posts, gives the same bytes with or without
its cache, rewrites nothing when nothing changed, never runs twice at once on
the same output, and can be killed at any moment without leaving a broken feed.
"""

from __future__ import annotations

import gc
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from lxml import etree

from postfeed.build import LockBusy, build
from postfeed.collector import PARALLEL_FROM
from postfeed.config import load_config
from postfeed.lock import exclusive_lock

from conftest import WritePost, post_text

SITE = "https://feeds.example.org/"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def site(tmp_path: Path, write_post: WritePost) -> Path:
    """Twelve posts in tmp_path/posts, in the folders c0, c1 and c2."""
    for number in range(12):
        write_post(
            f"c{number % 3}/post-{number:02d}.md",
            post_text(f"第 {number} 篇", f"2021-09-{number + 1:02d} 10:00:00"),
        )
    return tmp_path


def config_for(root: Path, **overrides):
    values = {"posts": root / "posts", "output": root / "output", "site_url": SITE, **overrides}
    return load_config(None, **values)


def feed_bytes(root: Path, output: str = "output") -> dict[str, bytes]:
    return {name: (root / output / name).read_bytes() for name in ("rss.xml", "atom.xml")}


def titles(root: Path) -> list[str]:
    tree = etree.parse(str(root / "output" / "rss.xml"))
    return [item.findtext("title") for item in tree.iter("item")]


def test_a_build_leaves_the_cycle_collector_as_it_found_it(site: Path) -> None:
    # A build keeps the scan's objects out of the collector's passes while it runs.
    assert gc.isenabled() and gc.get_freeze_count() == 0
    build(config_for(site))
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.freeze()  # someone else's frozen objects stay frozen
    try:
        frozen = gc.get_freeze_count()
        build(config_for(site))
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def _cache_rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(path) as db:
        tables = {name: sorted(db.execute(f"SELECT * FROM {name}"), key=repr)
                  for name in ("posts", "categories", "spellings")}  # fmt: skip
        tables["schema"] = sorted(db.execute("SELECT type, name, sql FROM sqlite_master"))
    db.close()
    return tables


def test_a_cold_build_stored_in_bulk_leaves_the_cache_a_post_by_post_one_does(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import postfeed.collector as collector

    build(config_for(site, output=site / "one"))
    monkeypatch.setattr(collector, "PARALLEL_FROM", 3)  # read on every core, stored in bulk
    build(config_for(site, output=site / "two"))
    cache = site / ".postfeed-cache"
    assert _cache_rows(cache / "one.sqlite3") == _cache_rows(cache / "two.sqlite3")
    assert (site / "one" / "rss.xml").read_bytes() == (site / "two" / "rss.xml").read_bytes()


def test_a_build_on_every_core_writes_what_a_build_in_one_process_writes(
    tmp_path: Path, write_post: WritePost, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold build of many posts reads them, renders their content and writes the feed
    sets on the workers, each set as soon as its articles are back; the files, the
    cache and the problems are those of a build that does all of it in one process."""
    import postfeed.collector as collector

    for number in range(30):
        categories = ["新闻", f"类{number % 4}"] + (["科技"] if number % 3 == 0 else [])
        # A name spelt two ways (the feeds show one), and ids two posts claim.
        categories.append("Python" if number % 2 else "python")
        body = f"第 {number} 段，<b>粗体</b>。\n\n![图](/images/{number}.png)\n"
        date = f"2021-09-{number % 28 + 1:02d} {number % 24:02d}:00:00"
        text = post_text(
            f"第 {number} 篇", date, body, categories=categories, id=f"id-{number % 25}"
        )
        write_post(f"p{number:02d}.md", text)
    write_post("broken.md", post_text("坏的", "not a date"))
    write_post("future.md", post_text("未来", "2999-01-01 00:00:00", categories=["新闻"]))
    one = build(config_for(tmp_path, output=tmp_path / "one", limit=5))
    monkeypatch.setattr(collector, "PARALLEL_FROM", 3)
    monkeypatch.setattr(collector, "PARALLEL_CONTENT_FROM", 3)
    every = build(config_for(tmp_path, output=tmp_path / "every", limit=5))
    files = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*"))
    assert files == sorted(
        p.relative_to(tmp_path / "every") for p in (tmp_path / "every").rglob("*")
    )
    for name in files:
        if (tmp_path / "one" / name).is_file():
            assert (tmp_path / "one" / name).read_bytes() == (
                tmp_path / "every" / name
            ).read_bytes()
    assert len([p for p in files if p.name == "rss.xml"]) == 8  # main, 新闻, 类0-3, 科技, Python
    assert [str(p) for p in one.problems] == [str(p) for p in every.problems]
    cache = tmp_path / ".postfeed-cache"
    assert _cache_rows(cache / "one.sqlite3") == _cache_rows(cache / "every.sqlite3")


def test_a_feed_set_that_cannot_be_written_on_a_worker_costs_only_that_set(
    tmp_path: Path, write_post: WritePost, monkeypatch: pytest.MonkeyPatch
) -> None:
    import postfeed.collector as collector

    for number in range(6):
        write_post(f"p{number}.md", post_text(f"第 {number} 篇", categories=["blocked", "open"]))
    (tmp_path / "output" / "categories").mkdir(parents=True)
    (tmp_path / "output" / "categories" / "blocked").write_text("a file where a folder goes")
    monkeypatch.setattr(collector, "PARALLEL_FROM", 3)
    result = build(config_for(tmp_path))
    assert [(p.field, p.fatal) for p in result.problems] == [("feed set", True)]
    assert (tmp_path / "output" / "categories" / "open" / "rss.xml").is_file()
    assert (tmp_path / "output" / "rss.xml").is_file()
    assert list((tmp_path / "output").rglob(".*.tmp")) == []


def test_a_rebuild_with_the_cache_gives_the_same_bytes_as_one_without(
    site: Path, write_post: WritePost
) -> None:
    build(config_for(site))
    write_post("new.md", post_text("新的一篇", "2021-09-30 08:00:00"))
    (site / "posts" / "c0" / "post-00.md").unlink()
    build(config_for(site))  # incremental: one post added, one deleted
    build(config_for(site, output=site / "fresh"), use_cache=False)
    assert feed_bytes(site) == feed_bytes(site, "fresh")


def test_an_added_post_appears_and_a_deleted_one_disappears(
    site: Path, write_post: WritePost
) -> None:
    build(config_for(site))
    write_post("late.md", post_text("最新的一篇", "2021-10-01 09:00:00"))
    (site / "posts" / "c2" / "post-11.md").unlink()
    result = build(config_for(site))
    assert result.collection.posts_parsed == 1
    assert titles(site)[0] == "最新的一篇"
    assert "第 11 篇" not in titles(site)


def test_an_edited_post_is_read_again_and_keeps_its_id(site: Path, write_post: WritePost) -> None:
    build(config_for(site))
    ids_before = [
        e.findtext(f"{ATOM}id")
        for e in etree.parse(str(site / "output" / "atom.xml")).iter(f"{ATOM}entry")
    ]
    path = write_post(
        "c2/post-11.md", post_text("改过的标题", "2021-09-12 10:00:00", body="改过的正文。")
    )
    # A second later, as an edit by hand would be: the cache knows a post by size and time.
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    build(config_for(site))
    assert titles(site)[0] == "改过的标题"
    assert "改过的正文" in (site / "output" / "rss.xml").read_text(encoding="utf-8")
    ids_after = [
        e.findtext(f"{ATOM}id")
        for e in etree.parse(str(site / "output" / "atom.xml")).iter(f"{ATOM}entry")
    ]
    assert ids_after == ids_before


def test_an_edited_description_is_the_new_summary_though_the_body_is_the_same(
    site: Path, write_post: WritePost
) -> None:
    # The cached content was made from the front matter too: it is not current any more.
    text = post_text("第 11 篇", "2021-09-12 10:00:00", description="第一个摘要")
    path = write_post("c2/post-11.md", text)
    build(config_for(site))
    write_post("c2/post-11.md", text.replace("第一个摘要", "第二个摘要"))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    build(config_for(site))
    rss = (site / "output" / "rss.xml").read_text(encoding="utf-8")
    assert "第二个摘要" in rss and "第一个摘要" not in rss


def test_content_made_by_a_cold_build_is_kept_for_a_post_only_touched_since(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A cold build reads posts without a digest: the cache takes it when content is made.
    import postfeed.collector as collector

    monkeypatch.setattr(collector, "PARALLEL_FROM", 3)  # read on every core, as a cold build
    build(config_for(site))
    path = site / "posts" / "c2" / "post-11.md"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    rendered: list[str] = []
    render = collector._render
    monkeypatch.setattr(
        collector, "_render", lambda post, *rest: rendered.append(post.name) or render(post, *rest)
    )
    result = build(config_for(site))
    assert result.collection.posts_parsed == 1 and rendered == []


def test_only_changed_folders_are_compared_and_a_removed_folder_is_forgotten(
    site: Path, write_post: WritePost
) -> None:
    import shutil

    build(config_for(site))
    write_post("top.md", post_text("顶层", "2021-09-20 10:00:00"))
    write_post("c1/deep/inner.md", post_text("深处", "2021-09-21 10:00:00"))
    shutil.rmtree(site / "posts" / "c0")
    result = build(config_for(site))
    assert result.collection.posts_parsed == 2
    build(config_for(site, output=site / "fresh"), use_cache=False)
    assert feed_bytes(site) == feed_bytes(site, "fresh")
    assert not any(title.startswith("第 0 ") or title == "第 3 篇" for title in titles(site))


def test_a_cache_out_of_step_with_the_last_build_is_compared_in_full(site: Path) -> None:
    build(config_for(site))
    (cache,) = (site / ".postfeed-cache").glob("*.sqlite3")
    with sqlite3.connect(cache) as db:  # as if the cache had lost a post the state lists
        db.execute("DELETE FROM posts WHERE path = 'c1/post-04.md'")
    (site / "posts" / "c2" / "post-05.md").unlink()  # a change, so the build runs
    result = build(config_for(site))
    assert result.collection.posts_parsed == 1  # c1/post-04.md, read again
    assert "第 4 篇" in titles(site)


def test_a_corrupt_cache_is_rebuilt_silently(site: Path) -> None:
    build(config_for(site))
    expected = feed_bytes(site)
    (cache,) = (site / ".postfeed-cache").glob("*.sqlite3")
    cache.write_bytes(b"this is not a database" * 100)
    (site / "output" / "rss.xml").unlink()
    result = build(config_for(site))
    assert result.problems == []
    assert feed_bytes(site) == expected


def test_a_cache_from_another_version_is_discarded(site: Path) -> None:
    build(config_for(site))
    (cache,) = (site / ".postfeed-cache").glob("*.sqlite3")
    with sqlite3.connect(cache) as db:
        db.execute("UPDATE meta SET value = 'from-another-version' WHERE key = 'fingerprint'")
    result = build(config_for(site))
    assert result.collection.posts_parsed == 12


def test_a_configuration_change_reads_every_post_again(site: Path) -> None:
    build(config_for(site))
    result = build(config_for(site, site_url="https://elsewhere.example.org/"))
    assert result.collection.posts_parsed == 12
    assert "https://elsewhere.example.org/2021/09/12/" in (site / "output" / "rss.xml").read_text()


def test_force_reads_every_post_again(site: Path) -> None:
    build(config_for(site))
    assert build(config_for(site)).collection.posts_parsed == 0
    assert build(config_for(site), force=True).collection.posts_parsed == 12


def test_a_run_that_finds_nothing_to_do_loads_no_reader_renderer_or_site_kind(
    site: Path,
) -> None:
    """Cron runs it every few minutes: importing is most of what such a run costs
    beyond listing the posts, so it imports only what answers "nothing changed"."""
    build(config_for(site))
    command = (
        "import sys\nfrom postfeed.cli import main\n"
        f"status = main(['build', '-q', '--posts', {str(site / 'posts')!r},"
        f" '--output', {str(site / 'output')!r}, '--site-url', {SITE!r}])\n"
        "print(' '.join(sorted(sys.modules)))\nsys.exit(status)"
    )
    done = subprocess.run(
        [sys.executable, "-c", command], capture_output=True, text=True, timeout=120, cwd=site
    )
    assert done.returncode == 0, done.stderr
    loaded = set(done.stdout.split())
    assert "postfeed.build" in loaded
    heavy = {"yaml", "frontmatter", "filelock", "lxml", "feedgen", "jinja2", "nh3", "pyromark"}
    ours = {"reader", "salvage", "markdown", "content", "sites.hexo", "sites.hugo", "sites.jekyll"}
    assert loaded & (heavy | {f"postfeed.{name}" for name in ours}) == set()


def test_relative_and_absolute_paths_to_the_same_folders_share_the_cache(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`postfeed build` by hand in the folder, `--posts /srv/...` from cron: one cache."""
    monkeypatch.chdir(site)
    build(load_config(None, posts=Path("posts"), output=Path("output"), site_url=SITE))
    again = build(config_for(site))
    assert again.up_to_date and again.collection.posts_parsed == 0
    elsewhere = site / "copy"
    (site / "posts").rename(elsewhere)  # another folder is another cache
    assert build(config_for(site, posts=elsewhere)).collection.posts_parsed == 12


def test_a_deleted_feed_file_is_written_again(site: Path) -> None:
    build(config_for(site))
    expected = feed_bytes(site)
    (site / "output" / "atom.xml").unlink()
    build(config_for(site))
    assert feed_bytes(site) == expected


def test_a_second_build_gives_up_when_the_lock_stays_taken(site: Path) -> None:
    config = config_for(site)
    build(config)
    with exclusive_lock(site / ".postfeed-cache" / "output.lock"), pytest.raises(LockBusy):
        build(config, wait=0.3)


def test_a_second_build_waits_for_the_lock_and_runs_once_the_first_is_done(
    site: Path, write_post: WritePost
) -> None:
    config = config_for(site)
    build(config)
    write_post("new.md", post_text("新的一篇", "2021-09-30 08:00:00"))
    locked, done = threading.Event(), threading.Event()

    def first_build() -> None:
        with exclusive_lock(site / ".postfeed-cache" / "output.lock"):
            locked.set()
            done.wait(timeout=60)

    first = threading.Thread(target=first_build)
    first.start()
    assert locked.wait(timeout=60)
    threading.Timer(0.2, done.set).start()
    try:
        result = build(config, wait=60)  # without waiting: LockBusy at once
    finally:
        done.set()
        first.join(timeout=60)
    assert result.collection.posts_parsed == 1
    assert titles(site)[0] == "新的一篇"


def test_the_cli_says_another_build_is_running_with_exit_status_3(site: Path) -> None:
    build(config_for(site))
    with exclusive_lock(site / ".postfeed-cache" / "output.lock"):
        process = run_cli(site, "-q")
    assert process.returncode == 3
    assert process.stderr.strip().startswith("postfeed: another build is running")


def test_a_lock_left_by_a_killed_build_does_not_block(site: Path) -> None:
    lock = site / ".postfeed-cache" / "output.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom postfeed.lock import exclusive_lock\n"
         f"with exclusive_lock(__import__('pathlib').Path({str(lock)!r})):\n"
         "    print('locked', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout.readline().strip() == "locked"
    holder.kill()
    holder.wait()
    assert lock.exists()
    assert run_cli(site, "-q").returncode == 0


def run_cli(root: Path, *extra: str, wait: bool = True) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "postfeed", "build", "--posts", str(root / "posts"),
               "--output", str(root / "output"), "--site-url", SITE, *extra]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def assert_feeds_whole(output: Path) -> None:
    """Every feed there is a complete document (a killed write leaves its temporary
    file behind, never a truncated feed)."""
    for path in output.rglob("*.xml"):
        root = etree.parse(str(path)).getroot()  # raises on a truncated file
        assert root.tag in ("rss", f"{ATOM}feed")
    for path in output.rglob("feed.json"):
        assert json.loads(path.read_text(encoding="utf-8"))["version"]


def test_two_concurrent_builds_never_corrupt_the_output(site: Path, write_post: WritePost) -> None:
    for number in range(200):
        write_post(
            f"many/p{number:03d}.md",
            post_text(
                f"批量 {number}", f"2021-08-{number % 28 + 1:02d} 12:00:00", body="段落。" * 300
            ),
        )
    command = [sys.executable, "-m", "postfeed", "build", "-q", "--posts", str(site / "posts"),
               "--output", str(site / "output"), "--site-url", SITE, "--wait", "60"]  # fmt: skip
    processes = [subprocess.Popen(command, stderr=subprocess.PIPE) for _ in range(3)]
    statuses = [process.wait(timeout=120) for process in processes]
    assert statuses == [0, 0, 0]
    assert_feeds_whole(site / "output")
    assert len(titles(site)) == 50


@pytest.mark.slow
def test_a_build_killed_at_random_moments_never_leaves_a_broken_feed(
    site: Path, write_post: WritePost
) -> None:
    """SIGKILL at 50 random points of builds that rewrite the feeds each time."""
    posts = site / "posts"
    for number in range(150):
        write_post(
            f"many/p{number:03d}.md",
            post_text(
                f"批量 {number}", f"2021-08-{number % 28 + 1:02d} 12:00:00", body="段落。" * 200
            ),
        )
    assert run_cli(site, "-q").returncode == 0
    duration = max(0.2, _time_build(site, write_post))
    rng = random.Random(20210910)
    command = [sys.executable, "-m", "postfeed", "build", "-q", "--posts", str(posts),
               "--output", str(site / "output"), "--site-url", SITE]  # fmt: skip
    for attempt in range(50):
        # Change one post so that the feeds' bytes change and must be rewritten.
        write_post(
            "changing.md",
            post_text(f"变化 {attempt}", "2021-12-01 00:00:00", body=f"第 {attempt} 版。"),
        )
        process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, duration * 1.2))
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert_feeds_whole(site / "output")
    # And afterwards a normal build repairs everything, and clears what was left behind.
    assert run_cli(site, "-q").returncode == 0
    assert titles(site)[0] == "变化 49"
    assert list((site / "output").rglob(".*.tmp")) == []


@pytest.mark.slow
def test_a_cold_build_on_workers_killed_at_random_moments_never_leaves_a_broken_feed(
    site: Path, write_post: WritePost
) -> None:
    """SIGKILL at 15 random points of cold builds large enough to read, render and write
    their feed sets in worker processes (which are left running when their build dies)."""
    for number in range(PARALLEL_FROM + 100):
        write_post(
            f"c{number % 12}/p{number:04d}.md",
            post_text(
                f"批量 {number}",
                f"2021-08-{number % 28 + 1:02d} 12:00:00",
                body="段落。" * 100,
                categories=[f"类 {number % 12}"],  # 12 sets of 50 articles to render
            ),
        )
    cache = site / ".postfeed-cache"
    started = time.perf_counter()
    assert run_cli(site, "-q").returncode == 0
    duration = time.perf_counter() - started
    rng = random.Random(20211201)
    command = [sys.executable, "-m", "postfeed", "build", "-q", "--posts", str(site / "posts"),
               "--output", str(site / "output"), "--site-url", SITE]  # fmt: skip
    for attempt in range(15):
        write_post("changing.md", post_text(f"变化 {attempt}", "2021-12-01 00:00:00"))
        shutil.rmtree(cache, ignore_errors=True)  # cold: read, rendered, written on workers
        process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, duration * 1.2))
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert_feeds_whole(site / "output")
    time.sleep(1)  # the workers of the last killed build notice, and stop
    assert run_cli(site, "-q").returncode == 0
    assert titles(site)[0] == "变化 14"
    assert list((site / "output").rglob(".*.tmp")) == []


def _time_build(site: Path, write_post: WritePost) -> float:
    """Seconds a build that rewrites the feeds takes here: the span to kill builds in."""
    write_post("changing.md", post_text("计时", "2021-12-01 00:00:00"))
    started = time.perf_counter()
    run_cli(site, "-q")
    return time.perf_counter() - started


def test_a_full_disk_fails_cleanly_and_keeps_the_old_feeds(
    site: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    write_post: WritePost,
) -> None:
    from postfeed.cli import main

    build(config_for(site))
    before = feed_bytes(site)
    write_post("new.md", post_text("新的一篇", "2021-09-30 08:00:00"))

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    # The operating system reports the full disk, as it does when a written file is synced.
    monkeypatch.setattr(os, "fsync", full)
    argv = [
        "build",
        "--posts",
        str(site / "posts"),
        "--output",
        str(site / "output"),
        "--site-url",
        SITE,
    ]
    assert main(argv) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert feed_bytes(site) == before
    assert list((site / "output").glob(".*.tmp")) == []


def test_progress_follows_the_reading_of_new_posts_only(site: Path, write_post: WritePost) -> None:
    calls: list[tuple[int, int]] = []
    build(config_for(site), progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 12) and calls[-1] == (12, 12)
    calls.clear()
    write_post("new.md", post_text("新的一篇", "2021-09-30 08:00:00"))
    build(config_for(site), progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (1, 1)


# --- Category feed sets a change cannot reach are left as they are (issue 11) ---------


def every_file(root: Path, output: str = "output") -> dict[str, bytes]:
    folder = root / output
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.*")}


def category_post(n: int, *categories: str, tags: tuple[str, ...] = (), **front: str) -> str:
    return post_text(
        f"Post {n}", f"2021-09-{n % 28 + 1:02d} 10:{n % 60:02d}:00",
        categories=list(categories), tags=list(tags), body=f"Body {n}.\n", **front,
    )  # fmt: skip


@pytest.fixture
def categorized(tmp_path: Path, write_post: WritePost) -> Path:
    for n in range(30):
        write_post(f"p{n:02d}.md", category_post(n, f"topic{n % 5}", "all" if n % 2 else "odd"))
    build(config_for(tmp_path, limit=4))
    return tmp_path


def mtimes(root: Path) -> dict[str, int]:
    folder = root / "output" / "categories"
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*.xml")}


def test_adding_a_post_rewrites_only_the_feed_sets_it_belongs_to(
    categorized: Path, write_post: WritePost
) -> None:
    before = mtimes(categorized)
    time.sleep(0.01)
    write_post("new.md", category_post(27, "topic1", "all"))
    build(config_for(categorized, limit=4))
    after = mtimes(categorized)
    changed = {name.split("/")[0] for name in before if before[name] != after[name]}
    assert changed == {"topic1", "all"}


@pytest.mark.parametrize(
    "change",
    [
        "add to a full set", "add to a new category", "delete", "edit categories",
        "respell a category", "respell a tag", "claim an id", "make one category empty",
    ],
)  # fmt: skip
def test_an_incremental_build_writes_what_a_full_build_writes(
    categorized: Path, write_post: WritePost, change: str
) -> None:
    posts = categorized / "posts"
    if change == "add to a full set":
        write_post("new.md", category_post(28, "topic2", "all"))
    elif change == "add to a new category":
        write_post("new.md", category_post(3, "brand new"))
    elif change == "delete":
        (posts / "p27.md").unlink()
    elif change == "edit categories":
        write_post("p27.md", category_post(27, "topic0", "odd"))
    elif change == "respell a category":
        # "ALL" now sorts first, so every article of the site shows "ALL".
        write_post("a-first.md", category_post(2, "ALL"))
    elif change == "respell a tag":
        write_post("p05.md", category_post(5, "topic0", "odd", tags=("Shared",)))
        build(config_for(categorized, limit=4))
        write_post("a-first.md", category_post(1, "topic3", tags=("SHARED",)))
    elif change == "claim an id":
        write_post("a-first.md", category_post(27, "topic4", id="urn:x:1"))
        build(config_for(categorized, limit=4))
        write_post("p00.md", category_post(0, "topic0", "odd", id="urn:x:1"))
    elif change == "make one category empty":
        for n in range(3, 30, 5):
            (posts / f"p{n:02d}.md").unlink()
    build(config_for(categorized, limit=4))
    build(config_for(categorized, limit=4, output=categorized / "fresh"), use_cache=False)
    assert every_file(categorized) == every_file(categorized, "fresh")


def _gone(pid: int) -> bool:
    """Whether process `pid` has ended (a zombie waiting to be reaped has)."""
    try:
        with open(f"/proc/{pid}/stat") as status:
            return status.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_the_workers_of_a_killed_build_end_with_it(tmp_path: Path, how: signal.Signals) -> None:
    # A killed build runs no cleanup: its workers, blocked on their queue, and the fork
    # server they keep alive were left sleeping forever, three processes a killed build.
    program = (
        "import os, sys, time\n"
        "from postfeed.workers import Workers\n"
        "with Workers() as workers:\n"
        "    workers.submit(os.getpid).result()\n"
        "    print(*workers._pool._processes, flush=True)\n"
        "    time.sleep(60)\n"
    )
    build = subprocess.Popen(
        [sys.executable, "-c", program], stdout=subprocess.PIPE, text=True, cwd=tmp_path
    )
    assert build.stdout is not None
    pids = [int(pid) for pid in build.stdout.readline().split()]
    assert pids and not any(_gone(pid) for pid in pids)
    build.send_signal(how)
    build.wait()
    deadline = time.monotonic() + 5
    while not all(_gone(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [pid for pid in pids if not _gone(pid)]
    for pid in left:  # (not to leave them behind when the test fails)
        os.kill(pid, signal.SIGKILL)
    assert left == []


def test_a_worker_that_dies_fails_the_build_with_status_2_and_the_feeds_untouched(
    site: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The OOM killer (or a crash in C) ends a worker: the build said so in the pool's
    # traceback and exited with 1, the status of feeds written with rejected posts.
    import postfeed.collector as collector
    from postfeed.cli import main
    from postfeed.workers import Workers

    build(config_for(site))
    before = feed_bytes(site)
    shutil.rmtree(site / ".postfeed-cache")  # cold: read on the workers

    def killed(self: Workers, function: object, items: object) -> object:
        return iter([self.submit(os._exit, 9).result()])

    monkeypatch.setattr(collector, "PARALLEL_FROM", 3)
    monkeypatch.setattr(Workers, "map", killed)
    monkeypatch.chdir(site)
    status = main(["build", "-q", "--site-url", SITE])
    assert status == 2
    assert "worker process ended" in capsys.readouterr().err
    assert feed_bytes(site) == before
    assert list((site / "output").rglob(".*.tmp")) == []


def test_a_cache_that_cannot_be_saved_after_the_feeds_are_written_is_a_warning(
    site: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    write_post: WritePost,
) -> None:
    # The disk fills up after the feeds are renamed into place: the build exited 2,
    # "nothing changed", with new feeds out (and first built everything once more,
    # taking the full disk for a damaged cache).
    from postfeed import state
    from postfeed.cli import main

    build(config_for(site))
    write_post("new.md", post_text("新的一篇", "2021-09-30 08:00:00"))
    builds = []

    def full(self: state.BuildState, last: state.LastBuild) -> None:
        builds.append(last)
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(state.BuildState, "save", full)
    monkeypatch.chdir(site)
    status = main(["build", "--site-url", SITE])
    err = capsys.readouterr().err
    assert status == 0, err
    assert "warning: cache: cannot be saved (database or disk is full)" in err
    assert titles(site)[0] == "新的一篇" and len(builds) == 1


def test_sets_staged_on_workers_are_removed_when_ctrl_c_stops_a_build(site: Path) -> None:
    # Ctrl-C reaches the workers too: a set interrupted there raised KeyboardInterrupt
    # in the loop that collects the others' staged files, which stopped it, and the
    # temporaries of the sets staged already stayed in the output folder.
    from concurrent.futures import Future

    from postfeed import state
    from postfeed.build import _SetWriter, _Written
    from postfeed.workers import Workers

    output = site / "output"
    output.mkdir()
    staged = output / ".rss.xml.0123456789abcdef.tmp"
    staged.write_bytes(b"<rss/>")
    interrupted: Future[_Written] = Future()
    interrupted.set_running_or_notify_cancel()
    interrupted.set_exception(KeyboardInterrupt())
    done: Future[_Written] = Future()
    done.set_running_or_notify_cancel()
    done.set_result(_Written("digest", [], [], staged=[(str(staged), output / "rss.xml")]))
    writer = _SetWriter(config_for(site), state.LastBuild(), Workers())
    writer._on_workers = {"first": interrupted, "second": done}  # type: ignore[dict-item]
    with pytest.raises(KeyboardInterrupt), writer:
        raise KeyboardInterrupt
    assert not staged.exists()
