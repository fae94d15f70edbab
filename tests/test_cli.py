"""The command line as a user meets it: posts in, feeds out, exit status and messages.

Each test builds its own small folder of posts, runs `postfeed build` (mostly
in-process through `postfeed.cli.main`, a few times as a real program) and reads
the files it wrote, as a feed reader would.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

import postfeed
from postfeed.cli import main

from conftest import WritePost, post_text

SITE = "https://news.example.org/"
ATOM = "{http://www.w3.org/2005/Atom}"
NS = {"a": "http://www.w3.org/2005/Atom"}
# An mtime far in the past: a feed file that still has it was not rewritten.
OLD_NS = 1_000_000_000 * 1_000_000_000
FEED_NAMES = ("rss.xml", "atom.xml")
# README: "postfeed: 1797 posts read, 4 rejected, 0 skipped; 31 feed sets, 96 files
# written (96 changed), 50 articles in the main feed in output" (an unchanged rebuild
# says "feeds up to date"). Printed at a terminal, or with -v.
SUMMARY = re.compile(
    r"^postfeed: (?P<read>\d+) posts read, (?P<rejected>\d+) rejected, (?P<skipped>\d+) skipped; "
    r"(?:(?P<sets>\d+) feed sets, (?P<files>\d+) files written \((?P<changed>\d+) changed\), "
    r"(?P<articles>\d+) articles in the main feed|feeds up to date) in (?P<output>.+)$"
)


@dataclass
class Run:
    status: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()

    @property
    def summary(self) -> re.Match[str]:
        matches = [m for line in self.err_lines if (m := SUMMARY.match(line))]
        assert len(matches) == 1, f"expected one summary line in stderr:\n{self.err}"
        return matches[0]


class Site:
    """The posts folder write_post writes to, an output folder, and `postfeed build`."""

    def __init__(self, root: Path, capsys) -> None:
        self.root = root
        self.posts = root / "posts"
        self.posts.mkdir(exist_ok=True)
        self.out = root / "out"
        self._capsys = capsys

    def run(self, *argv: str) -> Run:
        """`postfeed ARGV...` in this process; argparse's exits count as exit statuses."""
        self._capsys.readouterr()
        try:
            status = main(list(argv))
        except SystemExit as exit_:
            status = exit_.code
        captured = self._capsys.readouterr()
        return Run(status, captured.out, captured.err)

    def build(self, *flags: str, site_url: str | None = SITE) -> Run:
        argv = ["build", "--posts", str(self.posts), "--output", str(self.out)]
        if site_url is not None:
            argv += ["--site-url", site_url]
        return self.run(*argv, *flags)

    def rss(self) -> etree._Element:
        return etree.parse(str(self.out / "rss.xml")).getroot()

    def atom(self) -> etree._Element:
        return etree.parse(str(self.out / "atom.xml")).getroot()

    def rss_titles(self) -> list[str]:
        return [item.findtext("title") for item in self.rss().iter("item")]

    def atom_titles(self) -> list[str]:
        return [
            entry.findtext("a:title", namespaces=NS) for entry in self.atom().iter(ATOM + "entry")
        ]

    def snapshot(self) -> dict[str, tuple[bytes, int]]:
        """Every file below the output folder: its bytes and mtime."""
        return {
            path.relative_to(self.out).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
            for path in sorted(self.out.rglob("*"))
            if path.is_file()
        }

    def age_feeds(self) -> None:
        """Give the feeds an old mtime, so that a rewrite shows."""
        for name in FEED_NAMES:
            os.utime(self.out / name, ns=(OLD_NS, OLD_NS))


@pytest.fixture
def site(tmp_path: Path, capsys) -> Site:
    return Site(tmp_path, capsys)


def run_program(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed program, as a separate process."""
    return subprocess.run(
        [sys.executable, "-m", "postfeed", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- version, help, usage ---------------------------------------------------


def test_version_prints_the_program_name_and_version(site: Site) -> None:
    result = site.run("--version")
    assert result.status == 0
    assert result.out.strip() == f"postfeed {postfeed.__version__}"


@pytest.mark.parametrize("argv", [["--help"], ["build", "--help"]], ids=["top", "build"])
def test_help_explains_the_exit_statuses(site: Site, argv: list[str]) -> None:
    result = site.run(*argv)
    assert result.status == 0
    text = result.out
    assert "exit status" in text.lower()
    assert re.search(r"^\s*0\s+feeds written, every post used", text, re.M)
    assert re.search(r"^\s*1\s+.*rejected", text, re.M)
    assert re.search(r"^\s*2\s+.*(usage|configuration)", text, re.M)


def test_build_help_lists_every_flag(site: Site) -> None:
    result = site.run("build", "--help")
    assert result.status == 0
    for flag in ("--posts", "--output", "--config", "--site-url", "--limit", "--strict"):
        assert flag in result.out
    for flag in ("-q", "--quiet", "-v", "--verbose"):
        assert flag in result.out


def test_no_command_is_a_usage_error(site: Site) -> None:
    result = site.run()
    assert result.status == 2
    assert "usage: postfeed" in result.err


def test_an_invalid_flag_value_is_a_usage_error(site: Site) -> None:
    result = site.build("--limit", "many")
    assert result.status == 2
    assert "--limit" in result.err
    assert not site.out.exists()


def test_the_program_runs_as_python_dash_m_for_version_and_help(tmp_path: Path) -> None:
    version = run_program("--version", cwd=tmp_path)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"postfeed {postfeed.__version__}"

    build_help = run_program("build", "--help", cwd=tmp_path)
    assert build_help.returncode == 0, build_help.stderr
    assert "exit status" in build_help.stdout.lower()
    assert "--posts" in build_help.stdout


# --- the posts folder and exit statuses ---------------------------------------


def test_a_missing_posts_folder_is_exit_2_with_a_clear_error(site: Site, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-posts"
    result = site.run("build", "--posts", str(missing), "--output", str(site.out))
    assert result.status == 2
    assert result.err.startswith("postfeed: error: ")
    assert str(missing) in result.err
    assert "Traceback" not in result.err
    assert not site.out.exists()


def test_without_flags_the_posts_folder_is_posts_in_the_working_directory(site: Site) -> None:
    result = site.run("build")
    assert result.status == 2
    assert "posts" in result.err
    assert "no such" in result.err.lower()


def test_exit_0_when_every_post_is_used(site: Site, write_post: WritePost) -> None:
    write_post("first.md", post_text("First", "2021-09-10T10:00:00Z"))
    write_post("deeper/second.md", post_text("Second", "2021-09-11T10:00:00Z"))

    result = site.build()

    assert result.status == 0, result.err
    assert site.rss_titles() == ["Second", "First"]
    assert site.atom_titles() == ["Second", "First"]
    assert result.out == ""


BROKEN_POSTS = {
    "invalid YAML": (
        "---\ntitle: Broken\ndate: 2021-09-10\nsummary: [one: two\n---\n\nText.\n",
        r"invalid YAML.*\bline 4\b",
    ),
    "unclosed quote in YAML": (
        '---\ntitle: "never closed\ndate: 2021-09-10\nnote: "x"\n---\n\nText.\n',
        r"invalid YAML.*\bline \d+\b",
    ),
    # By hand: written plain and quoted, as scrapers write dates.
    "impossible date": ("---\ntitle: Impossible\ndate: 2021-02-30\n---\n\nText.\n", r"^date: "),
    "impossible quoted date": (
        "---\ntitle: Impossible\ndate: '2021-02-30 10:00:00'\n---\n\nText.\n",
        r"^date: ",
    ),
    "text that is not a date": (post_text("Undated", "next Tuesday-ish"), r"^date: "),
}


@pytest.mark.parametrize("text, reason", BROKEN_POSTS.values(), ids=BROKEN_POSTS.keys())
def test_a_rejected_post_is_named_and_the_others_are_still_published(
    site: Site, text: str, reason: str, write_post: WritePost
) -> None:
    write_post("good-one.md", post_text("Good one", "2021-09-10T10:00:00Z"))
    write_post("good-two.md", post_text("Good two", "2021-09-12T10:00:00Z"))
    broken = write_post("broken.md", text)

    result = site.build()

    assert result.status == 1
    reported = [line for line in result.err_lines if line.startswith(f"{broken}: ")]
    assert len(reported) == 1, result.err
    assert re.search(reason, reported[0][len(f"{broken}: ") :]), reported[0]
    assert "internal error" not in result.err
    assert site.rss_titles() == ["Good two", "Good one"]
    assert site.atom_titles() == ["Good two", "Good one"]


def test_each_rejected_post_is_listed_and_counted(site: Site, write_post: WritePost) -> None:
    write_post("good.md", post_text("Good"))
    bad_yaml = write_post("a/bad-yaml.md", "---\ntitle: [unclosed\n---\n\nText.\n")
    bad_date = write_post("b/bad-date.md", post_text("Bad date", "2021-13-01"))

    result = site.build()

    assert result.status == 1
    assert any(line.startswith(f"{bad_yaml}: ") for line in result.err_lines)
    assert any(line.startswith(f"{bad_date}: ") for line in result.err_lines)
    rejected = [line for line in result.err_lines if line.startswith(str(site.posts))]
    assert len(rejected) == 2, result.err
    assert site.rss_titles() == ["Good"]


def test_a_rejected_post_is_reported_again_on_every_build(
    site: Site, write_post: WritePost
) -> None:
    write_post("good.md", post_text("Good"))
    broken = write_post("broken.md", "---\ntitle: [broken\n---\nText.\n")
    assert site.build().status == 1

    again = site.build("-q")

    assert again.status == 1
    assert [line for line in again.err_lines if line.startswith(f"{broken}: ")] != []


# --- the summary and loudness -----------------------------------------------------


def test_the_summary_line_reports_posts_read_rejected_skipped_and_feeds_written(
    site: Site,
    write_post: WritePost,
) -> None:
    write_post("one.md", post_text("One", "2021-09-10T10:00:00Z"))
    write_post("two.md", post_text("Two", "2021-09-11T10:00:00Z"))
    write_post("broken.md", "---\ntitle: [broken\n---\nText.\n")
    write_post("draft.md", post_text("Draft", draft=True))

    first = site.build("-v")

    assert first.status == 1
    summary = first.summary
    assert summary["read"] == "4"
    assert summary["rejected"] == "1"
    assert summary["skipped"] == "1"
    assert summary["sets"] == "1"  # the main feeds; the posts have no categories
    assert summary["files"] == "5"  # rss.xml atom.xml feed.json feeds.opml index.html
    assert summary["changed"] == "5"
    assert summary["articles"] == "2"
    assert summary["output"] == str(site.out)

    second = site.build("-v")
    assert second.status == 1
    assert second.summary["read"] == "4"
    assert second.summary["rejected"] == "1"
    assert second.summary["changed"] is None  # "feeds up to date"


def test_a_successful_build_under_cron_prints_nothing(site: Site, write_post: WritePost) -> None:
    # stderr is not a terminal here. At a terminal the summary is printed: see
    # test_readme_rules.py::test_a_quick_build_at_a_terminal_shows_the_summary_but_no_progress_bar.
    write_post("one.md", post_text("One", "2021-09-10T10:00:00Z"))
    result = site.build()
    assert (result.status, result.out, result.err) == (0, "", "")


def test_quiet_prints_nothing_when_every_post_is_used(site: Site, write_post: WritePost) -> None:
    write_post("one.md", post_text("One"))
    result = site.build("-q")
    assert result.status == 0
    assert result.out == ""
    assert result.err == ""
    assert site.rss_titles() == ["One"]


def test_quiet_still_prints_rejected_posts_but_not_warnings_or_the_summary(
    site: Site,
    write_post: WritePost,
) -> None:
    write_post("good.md", post_text("Good"))
    write_post("undated.md", "Only a body, so its date is the file's time.\n")
    broken = write_post("broken.md", "---\ntitle: [broken\n---\nText.\n")

    result = site.build("--quiet")

    assert result.status == 1
    assert result.out == ""
    assert len(result.err_lines) == 1, result.err
    assert result.err_lines[0].startswith(f"{broken}: ")


def test_quiet_still_prints_errors(site: Site, tmp_path: Path) -> None:
    result = site.run("build", "-q", "--posts", str(tmp_path / "missing"))
    assert result.status == 2
    assert "postfeed: error:" in result.err


def test_verbose_adds_the_time_taken(site: Site, write_post: WritePost) -> None:
    duration = re.compile(r"\b\d+\.\d+s\b")
    write_post("one.md", post_text("One"))
    plain = site.build()
    assert not duration.search(plain.err)

    verbose = site.build("-v")

    assert verbose.status == 0
    assert verbose.summary["read"] == "1"
    assert duration.search(verbose.err), verbose.err


# --- configuration: defaults < postfeed.toml < flags ------------------------------


def four_posts(write_post: WritePost) -> None:
    for day in range(1, 5):
        write_post(f"post-{day}.md", post_text(f"Day {day}", f"2021-09-0{day}T08:00:00Z"))


def channel_title(site: Site) -> str:
    return site.rss().findtext("channel/title")


def item_links(site: Site) -> list[str]:
    return [item.findtext("link") for item in site.rss().iter("item")]


def test_defaults_apply_without_configuration(site: Site, write_post: WritePost) -> None:
    four_posts(write_post)
    result = site.build(site_url=None)
    assert result.status == 0
    assert channel_title(site) == "postfeed"
    assert site.atom().findtext("a:title", namespaces=NS) == "postfeed"
    links = item_links(site)
    assert len(links) == 4
    assert all(link.startswith("http://localhost:8000/") for link in links)


def test_the_default_limit_is_50_articles(site: Site, write_post: WritePost) -> None:
    for number in range(51):
        write_post(
            f"p{number:02d}.md", post_text(f"Post {number}", f"2021-01-01T00:{number:02d}:00Z")
        )
    result = site.build()
    assert result.status == 0
    titles = site.rss_titles()
    assert len(titles) == 50
    assert "Post 0" not in titles  # the oldest one is left out
    assert len(site.atom_titles()) == 50


def test_the_configuration_file_overrides_the_defaults(
    site: Site, tmp_path: Path, write_post: WritePost
) -> None:
    four_posts(write_post)
    config = tmp_path / "feeds.toml"
    config.write_text(
        'title = "From the config"\nlimit = 2\nsite_url = "https://config.example.org/"\n'
    )
    result = site.build("--config", str(config), site_url=None)
    assert result.status == 0
    assert channel_title(site) == "From the config"
    links = item_links(site)
    assert len(links) == 2
    assert all(link.startswith("https://config.example.org/") for link in links)


def test_flags_override_the_configuration_file(
    site: Site, tmp_path: Path, write_post: WritePost
) -> None:
    four_posts(write_post)
    config = tmp_path / "feeds.toml"
    config.write_text(
        'title = "From the config"\nlimit = 2\nsite_url = "https://config.example.org/"\n'
    )
    result = site.build(
        "--config", str(config), "--limit", "3", site_url="https://flag.example.org/"
    )
    assert result.status == 0
    assert channel_title(site) == "From the config"  # no flag for it: the file still counts
    links = item_links(site)
    assert len(links) == 3
    assert all(link.startswith("https://flag.example.org/") for link in links)


def test_paths_in_an_explicit_config_file_are_relative_to_that_file(
    site: Site, tmp_path: Path, work_dir: Path, write_post: WritePost
) -> None:
    write_post("hello.md", post_text("Hello"))  # tmp_path/posts; the working directory is apart
    config = tmp_path / "custom-name.toml"
    config.write_text('title = "Explicit"\nposts = "posts"\noutput = "public"\n')

    result = site.run("build", "--config", str(config))

    assert result.status == 0, result.err
    rss = etree.parse(str(tmp_path / "public" / "rss.xml")).getroot()
    assert rss.findtext("channel/title") == "Explicit"
    assert [item.findtext("title") for item in rss.iter("item")] == ["Hello"]
    assert list(work_dir.iterdir()) == []


def test_postfeed_toml_in_the_working_directory_is_read(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write_post: WritePost
) -> None:
    write_post("hello.md", post_text("Hello"))
    (tmp_path / "postfeed.toml").write_text('title = "Found in the working directory"\n')
    monkeypatch.chdir(tmp_path)  # where posts/ is

    result = site.run("build")

    assert result.status == 0, result.err
    rss = etree.parse(str(tmp_path / "output" / "rss.xml")).getroot()
    assert rss.findtext("channel/title") == "Found in the working directory"
    assert [item.findtext("title") for item in rss.iter("item")] == ["Hello"]


def test_an_explicit_config_file_that_does_not_exist_is_exit_2(
    site: Site, tmp_path: Path, write_post: WritePost
) -> None:
    write_post("one.md", post_text("One"))
    missing = tmp_path / "nowhere.toml"
    result = site.build("--config", str(missing))
    assert result.status == 2
    assert str(missing) in result.err
    assert not site.out.exists()


CONFIG_ERRORS = {
    "unknown key": ('colour = "red"\n', "colour"),
    "unknown key in a table": ('[content]\nremove = [".ad"]\n', "content.remove"),
    "string for an integer": ('limit = "ten"\n', "limit"),
    "boolean for an integer": ("limit = true\n", "limit"),
    "string for a boolean": ('strict = "yes"\n', "strict"),
    "string for a list": ('[content]\ndrop = ".ad"\n', "content.drop"),
    "integer for a string": ("title = 42\n", "title"),
    "limit below 1": ("limit = 0\n", "limit"),
    "not an http URL": ('site_url = "ftp://files.example.org/"\n', "site_url"),
    "unknown time zone": ('timezone = "Mars/Olympus_Mons"\n', "timezone"),
}


@pytest.mark.parametrize("toml, key", CONFIG_ERRORS.values(), ids=CONFIG_ERRORS.keys())
def test_a_configuration_error_names_the_key_and_writes_nothing(
    site: Site, tmp_path: Path, toml: str, key: str, write_post: WritePost
) -> None:
    write_post("one.md", post_text("One", "2021-09-10T10:00:00Z"))
    assert site.build().status == 0
    site.age_feeds()
    before = site.snapshot()
    write_post("two.md", post_text("Two", "2021-09-11T10:00:00Z"))  # a build would change the feeds
    config = tmp_path / "postfeed.toml"
    config.write_text(toml)

    result = site.build("--config", str(config), site_url=None)

    assert result.status == 2
    assert result.err.startswith("postfeed: error: ")
    assert re.search(rf"\b{re.escape(key)}\b", result.err), result.err
    assert "Traceback" not in result.err
    assert site.snapshot() == before


def test_a_toml_syntax_error_names_the_file_and_writes_nothing(
    site: Site, tmp_path: Path, write_post: WritePost
) -> None:
    write_post("one.md", post_text("One"))
    assert site.build().status == 0
    site.age_feeds()
    before = site.snapshot()
    config = tmp_path / "postfeed.toml"
    config.write_text('title = "unterminated\n')

    result = site.build("--config", str(config))

    assert result.status == 2
    assert str(config) in result.err
    assert site.snapshot() == before


# --- writing the output ---------------------------------------------------------


def _can_create_files_in(folder: Path) -> bool:
    probe = folder / ".probe"
    try:
        probe.touch()
    except OSError:
        return False
    probe.unlink()
    return True


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Make `folder` read-only for this process, also as root (chattr +i), or skip."""
    folder.chmod(0o555)
    chattr = shutil.which("chattr")
    immutable = False
    try:
        if os.access(folder, os.W_OK) and chattr:  # root: chmod does not stop it
            immutable = (
                subprocess.run([chattr, "+i", str(folder)], capture_output=True).returncode == 0
            )
        if _can_create_files_in(folder):
            pytest.skip(
                "running as root: neither chmod nor chattr +i makes a folder read-only here"
            )
        yield
    finally:
        if immutable:
            subprocess.run([chattr, "-i", str(folder)], check=True)
        folder.chmod(0o755)


def test_a_read_only_output_folder_is_exit_2_and_the_old_feeds_stay(
    site: Site, write_post: WritePost
) -> None:
    write_post("one.md", post_text("One", "2021-09-10T10:00:00Z"))
    assert site.build().status == 0
    site.age_feeds()
    before = site.snapshot()
    write_post("two.md", post_text("Two", "2021-09-11T10:00:00Z"))
    with read_only(site.out):
        result = site.build()

    assert result.status == 2
    assert result.err.startswith("postfeed: error: ")
    assert str(site.out) in result.err
    assert "cannot write" in result.err
    assert "Traceback" not in result.err
    assert site.snapshot() == before


def test_an_output_path_that_is_a_file_is_exit_2_with_a_clear_error(
    site: Site, write_post: WritePost
) -> None:
    write_post("one.md", post_text("One"))
    site.out.write_text("not a folder\n")

    result = site.build()

    assert result.status == 2
    assert result.err.startswith("postfeed: error: ")
    assert str(site.out) in result.err
    assert "Traceback" not in result.err
    assert site.out.read_text() == "not a folder\n"


def test_when_one_feed_cannot_be_written_the_other_old_feed_stays(
    site: Site, write_post: WritePost
) -> None:
    """Exit 2 promises the feeds already there are left as they were: all or nothing."""
    write_post("one.md", post_text("One", "2021-09-10T10:00:00Z"))
    assert site.build().status == 0
    site.age_feeds()
    rss = site.out / "rss.xml"
    old_rss = (rss.read_bytes(), rss.stat().st_mtime_ns)
    (site.out / "atom.xml").unlink()
    (site.out / "atom.xml").mkdir()  # a real failure to write atom.xml, even as root
    write_post("two.md", post_text("Two", "2021-09-11T10:00:00Z"))

    result = site.build()

    assert result.status == 2
    assert "atom.xml" in result.err
    assert (rss.read_bytes(), rss.stat().st_mtime_ns) == old_rss


def test_rebuilding_unchanged_posts_gives_identical_bytes_and_rewrites_nothing(
    site: Site,
    write_post: WritePost,
) -> None:
    write_post("one.md", post_text("One", "2021-09-10T10:00:00Z", categories=["a", "b"]))
    write_post("two.md", post_text("Two", "2021-09-11T10:00:00Z", body="Some **Markdown**."))
    assert site.build().status == 0
    site.age_feeds()
    before = site.snapshot()

    result = site.build()

    assert result.status == 0
    assert site.snapshot() == before


def test_the_same_posts_give_the_same_bytes_in_a_fresh_output_folder(
    site: Site, tmp_path: Path, write_post: WritePost
) -> None:
    write_post("one.md", post_text("One", "2021-09-10T10:00:00Z"))
    write_post("two.md", post_text("Two", "2021-09-11T10:00:00Z"))
    assert site.build().status == 0
    first = {name: data for name, (data, _) in site.snapshot().items()}

    site.out = tmp_path / "out-again"
    assert site.build().status == 0

    assert {name: data for name, (data, _) in site.snapshot().items()} == first
    assert {"rss.xml", "atom.xml", "feed.json", "feeds.opml", "index.html"} <= set(first)


def test_the_feed_date_is_the_newest_article_date_not_the_build_time(
    site: Site, write_post: WritePost
) -> None:
    write_post("older.md", post_text("Older", "2020-01-01 08:00:00"))
    write_post("newest.md", post_text("Newest", "2021-09-10 19:48:10"))  # Asia/Shanghai
    write_post("middle.md", post_text("Middle", "2021-03-01T00:00:00Z"))

    assert site.build().status == 0

    assert site.rss().findtext("channel/lastBuildDate") == "Fri, 10 Sep 2021 11:48:10 GMT"
    assert site.atom().findtext("a:updated", namespaces=NS) == "2021-09-10T11:48:10Z"


def test_the_feed_date_follows_the_newest_article_kept_by_the_limit(
    site: Site, write_post: WritePost
) -> None:
    write_post("older.md", post_text("Older", "2020-01-01T00:00:00Z"))
    write_post("newest.md", post_text("Newest", "2021-09-10T11:48:10Z"))
    assert site.build("--limit", "1").status == 0
    assert site.rss_titles() == ["Newest"]
    assert site.rss().findtext("channel/lastBuildDate") == "Fri, 10 Sep 2021 11:48:10 GMT"


# --- which articles, in which order ------------------------------------------------


def test_limit_keeps_the_newest_articles_newest_first(site: Site, write_post: WritePost) -> None:
    dates = {
        "a.md": ("Third", "2021-03-03T00:00:00Z"),
        "b.md": ("Fifth", "2021-05-05T00:00:00Z"),
        "c.md": ("First", "2021-01-01T00:00:00Z"),
        "d.md": ("Fourth", "2021-04-04T00:00:00Z"),
        "e.md": ("Second", "2021-02-02T00:00:00Z"),
    }
    for name, (title, date) in dates.items():
        write_post(name, post_text(title, date))

    result = site.build("--limit", "3")

    assert result.status == 0
    assert site.rss_titles() == ["Fifth", "Fourth", "Third"]
    assert site.atom_titles() == ["Fifth", "Fourth", "Third"]


def build_tie(
    site: Site, write_post: WritePost, folder: str, names: list[str], *flags: str
) -> list[str]:
    """Posts with equal dates in posts/FOLDER, written in the order of `names`; the RSS
    titles built from them."""
    site.posts = site.root / "posts" / folder
    site.out = site.root / folder
    write_post(f"{folder}/newest.md", post_text("Newest", "2021-09-12T00:00:00Z"))
    for name in names:
        write_post(f"{folder}/{name}", post_text(f"Tie {name}", "2021-09-10T00:00:00Z"))
    assert site.build(*flags).status == 0
    titles = site.rss_titles()
    assert site.atom_titles() == titles
    return titles


def test_articles_with_equal_dates_keep_a_stable_order(site: Site, write_post: WritePost) -> None:
    names = ["m.md", "z.md", "a.md", "k.md"]
    first = build_tie(site, write_post, "first", names)
    again = site.build()
    assert again.status == 0
    assert site.rss_titles() == first
    other_order = build_tie(site, write_post, "other", list(reversed(names)))

    assert first[0] == "Newest"
    assert sorted(first[1:]) == sorted(f"Tie {name}" for name in names)
    assert other_order == first


def test_limit_cuts_through_equal_dates_the_same_way_every_time(
    site: Site, write_post: WritePost
) -> None:
    names = ["m.md", "z.md", "a.md", "k.md"]
    everything = build_tie(site, write_post, "all", names)
    limited = build_tie(site, write_post, "limited", names, "--limit", "3")
    limited_other_order = build_tie(
        site, write_post, "limited-other", list(reversed(names)), "--limit", "3"
    )
    assert limited == everything[:3]
    assert limited_other_order == limited


def test_drafts_and_unpublished_posts_are_left_out(site: Site, write_post: WritePost) -> None:
    write_post("public.md", post_text("Public", "2021-09-10T00:00:00Z"))
    write_post("not-a-draft.md", post_text("Not a draft", "2021-09-09T00:00:00Z", draft=False))
    write_post("published.md", post_text("Published", "2021-09-08T00:00:00Z", published=True))
    write_post("draft.md", post_text("A draft", "2021-09-11T00:00:00Z", draft=True))
    write_post("unpublished.md", post_text("Unpublished", "2021-09-12T00:00:00Z", published=False))

    result = site.build()

    assert result.status == 0
    assert site.rss_titles() == ["Public", "Not a draft", "Published"]
    assert site.atom_titles() == ["Public", "Not a draft", "Published"]


def test_a_post_without_front_matter_or_date_takes_the_file_time_with_a_warning(
    site: Site,
    write_post: WritePost,
) -> None:
    path = write_post("plain.md", "Just a few words\n\nand a second paragraph.\n")
    moment = 1_577_934_245  # 2020-01-02 03:04:05 UTC
    os.utime(path, (moment, moment))

    result = site.build()

    assert result.status == 0
    warnings = [line for line in result.err_lines if line.startswith(f"{path}: warning: date:")]
    assert len(warnings) == 1, result.err
    item = next(site.rss().iter("item"))
    assert item.findtext("title") == "Just a few words"
    assert item.findtext("pubDate") == "Thu, 02 Jan 2020 03:04:05 GMT"
    entry = site.atom().find("a:entry", NS)
    assert entry.findtext("a:published", namespaces=NS) == "2020-01-02T03:04:05Z"


def test_strict_rejects_a_post_without_a_date(site: Site, write_post: WritePost) -> None:
    write_post("dated.md", post_text("Dated"))
    undated = write_post("undated.md", "No front matter and no date.\n")

    result = site.build("--strict")

    assert result.status == 1
    assert any(line.startswith(f"{undated}: date: ") for line in result.err_lines), result.err
    assert site.rss_titles() == ["Dated"]


# --- ids and links ----------------------------------------------------------------


def ids(site: Site) -> tuple[list[str], list[str]]:
    rss_ids = [item.findtext("guid") for item in site.rss().iter("item")]
    atom_ids = [entry.findtext("a:id", namespaces=NS) for entry in site.atom().iter(ATOM + "entry")]
    return rss_ids, atom_ids


EDITS = {
    "title and body": (
        post_text("A new title", "2021-09-10T10:00:00Z", body="A rewritten body."),
        "A new title",
        "Fri, 10 Sep 2021 10:00:00 GMT",
    ),
    "date": (
        post_text("Original title", "2021-09-15T10:00:00Z", body="Original body."),
        "Original title",
        "Wed, 15 Sep 2021 10:00:00 GMT",
    ),
}


@pytest.mark.parametrize("edited, title, pub_date", EDITS.values(), ids=EDITS.keys())
def test_editing_a_post_keeps_its_id(
    site: Site, edited: str, title: str, pub_date: str, write_post: WritePost
) -> None:
    original = post_text("Original title", "2021-09-10T10:00:00Z", body="Original body.")
    write_post("story.md", original)
    write_post("other.md", post_text("Other", "2021-01-01T00:00:00Z"))
    assert site.build().status == 0
    before = ids(site)

    write_post("story.md", edited)
    assert site.build().status == 0

    item = site.rss().find("channel/item")
    assert (item.findtext("title"), item.findtext("pubDate")) == (title, pub_date)
    assert ids(site) == before


def test_posts_with_the_same_title_and_date_get_different_ids(
    site: Site, write_post: WritePost
) -> None:
    same = post_text("Same title", "2021-09-10T10:00:00Z", body="Same body.")
    write_post("same.md", same)
    write_post("copy/same.md", same)
    write_post("same-2.md", same)

    assert site.build().status == 0

    rss_ids, atom_ids = ids(site)
    assert len(rss_ids) == len(set(rss_ids)) == 3
    assert len(atom_ids) == len(set(atom_ids)) == 3


def test_rss_and_atom_give_an_article_the_same_id(site: Site, write_post: WritePost) -> None:
    write_post("one.md", post_text("One", "2021-09-10T10:00:00Z"))
    write_post("two.md", post_text("Two", "2021-09-11T10:00:00Z"))
    assert site.build().status == 0
    rss_ids, atom_ids = ids(site)
    assert rss_ids == atom_ids


def test_self_links_are_the_feed_url_plus_the_file_name(
    site: Site, tmp_path: Path, write_post: WritePost
) -> None:
    write_post("one.md", post_text("One"))
    config = tmp_path / "postfeed.toml"
    config.write_text(
        'site_url = "https://news.example.org/"\nfeed_url = "https://cdn.example.org/feeds"\n'
    )

    assert site.build("--config", str(config), site_url=None).status == 0

    rss_self = site.rss().findall(f"channel/{ATOM}link[@rel='self']")
    assert [link.get("href") for link in rss_self] == ["https://cdn.example.org/feeds/rss.xml"]
    assert site.rss().findtext("channel/link") == "https://news.example.org/"
    atom_self = site.atom().findall("a:link[@rel='self']", NS)
    assert [link.get("href") for link in atom_self] == ["https://cdn.example.org/feeds/atom.xml"]


def test_without_feed_url_the_self_links_are_below_the_site_url(
    site: Site, write_post: WritePost
) -> None:
    write_post("one.md", post_text("One"))
    assert site.build(site_url="https://news.example.org/base").status == 0
    rss_self = site.rss().find(f"channel/{ATOM}link[@rel='self']")
    assert rss_self.get("href") == "https://news.example.org/base/rss.xml"
    atom_self = site.atom().find("a:link[@rel='self']", NS)
    assert atom_self.get("href") == "https://news.example.org/base/atom.xml"


def tempting_posts(write_post: WritePost) -> None:
    """Posts with every field that could add a second link or guid."""
    write_post(
        "linked.md",
        post_text(
            "Linked",
            "2021-09-10T10:00:00Z",
            link="https://elsewhere.example.com/story",
            image="https://img.example.com/cover.png",
            guid="tag:example.com,2021:linked",
        ),
    )
    write_post("plain.md", post_text("Plain", "2021-09-11T10:00:00Z", thumbnail="/t.png"))
    write_post("permalink.md", post_text("Permalink", "2021-09-12T10:00:00Z", permalink="/p/1/"))


def test_every_rss_item_has_one_link_and_one_guid_that_is_not_a_permalink(
    site: Site, write_post: WritePost
) -> None:
    tempting_posts(write_post)
    assert site.build().status == 0
    items = list(site.rss().iter("item"))
    assert len(items) == 3
    for item in items:
        guids = item.findall("guid")
        assert len(guids) == 1
        assert guids[0].get("isPermaLink") == "false"
        assert guids[0].text
        assert len(item.findall("link")) == 1
        assert item.find("enclosure") is None


def test_every_atom_entry_has_exactly_one_link(site: Site, write_post: WritePost) -> None:
    tempting_posts(write_post)
    assert site.build().status == 0
    entries = site.atom().findall("a:entry", NS)
    assert len(entries) == 3
    for entry in entries:
        links = entry.findall("a:link", NS)
        assert len(links) == 1
        assert links[0].get("rel", "alternate") == "alternate"
        assert links[0].get("href", "").startswith("https://")
        assert len(entry.findall("a:id", NS)) == 1


def test_a_link_in_front_matter_is_the_item_link(site: Site, write_post: WritePost) -> None:
    tempting_posts(write_post)
    assert site.build().status == 0
    links = {item.findtext("title"): item.findtext("link") for item in site.rss().iter("item")}
    assert links["Linked"] == "https://elsewhere.example.com/story"
    assert links["Permalink"] == "https://news.example.org/p/1/"
    assert links["Plain"].startswith(SITE)


# --- the real program -------------------------------------------------------------


def test_python_dash_m_postfeed_builds_the_feeds(tmp_path: Path, write_post: WritePost) -> None:
    posts = write_post("good.md", post_text("Good")).parent
    broken = write_post("broken.md", "---\ntitle: [broken\n---\nText.\n")
    out = tmp_path / "out"

    process = run_program(
        "build", "--posts", str(posts), "--output", str(out), "--site-url", SITE, cwd=tmp_path
    )

    assert process.returncode == 1, process.stderr
    assert process.stdout == ""
    assert any(line.startswith(f"{broken}: ") for line in process.stderr.splitlines())
    rss = etree.parse(str(out / "rss.xml")).getroot()
    assert [item.findtext("title") for item in rss.iter("item")] == ["Good"]
    assert (out / "atom.xml").is_file()

    broken.unlink()
    again = run_program("build", "-q", "--posts", str(posts), "--output", str(out), cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stderr == ""
