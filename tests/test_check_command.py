"""`postfeed check`, as the author of a scraper or a site's CI meets it.

README: check "reads and normalizes every post, content included, writes nothing,
and prints every problem as `PATH: field: message` (warnings as
`PATH: warning: field: message`)". Exit status 0: no post has an error (there may
be warnings); 1: some posts have errors; 2: usage or configuration error.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from postfeed.cli import main

from conftest import WritePost, post_text

SITE = "https://example.org/"
# README: `PATH: field: message`, and `PATH: warning: field: message` for a warning.
PROBLEM = re.compile(
    r"^(?P<path>.+?): (?P<warning>warning: )?(?P<field>[a-z][a-z ]*): (?P<msg>.+)$"
)
SUMMARY = re.compile(r"^postfeed: (\d+) posts checked, (\d+) with errors, (\d+) warnings$")

GOOD = post_text("Good", "2021-09-10 19:48:10")
# No date and no front matter: published with the file's time, and a warning.
UNDATED = "Only a body: the date comes from the file's time.\n"
# An impossible date (written plain, as scrapers write it) rejects the post.
IMPOSSIBLE_DATE = "---\ntitle: Bad\ndate: 2021-02-30\n---\nText.\n"


def check(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    """`postfeed check ARGV...` in this process: (exit status, stderr lines)."""
    capsys.readouterr()
    try:
        status = main(["check", *argv])
    except SystemExit as exit_:  # argparse's own usage errors
        status = exit_.code
    return status, capsys.readouterr().err.splitlines()


def problems(lines: list[str]) -> list[re.Match[str]]:
    return [match for line in lines if (match := PROBLEM.match(line))]


def summary(lines: list[str]) -> tuple[int, int, int]:
    found = [match for line in lines if (match := SUMMARY.match(line))]
    assert len(found) == 1, "expected one summary line:\n" + "\n".join(lines)
    posts, errors, warnings = (int(group) for group in found[0].groups())
    return posts, errors, warnings


def snapshot(root: Path) -> dict[str, tuple[bytes | None, int]]:
    """Every file and folder below root, and root itself: bytes (of a file) and mtime.

    A folder's mtime changes when anything is created in it, even if deleted again."""
    return {
        path.relative_to(root).as_posix(): (
            None if path.is_dir() else path.read_bytes(),
            path.stat().st_mtime_ns,
        )
        for path in [root, *sorted(root.rglob("*"))]
    }


# --- exit status ------------------------------------------------------------------


def test_check_exits_0_when_every_post_is_fine(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("good.md", GOOD)
    status, lines = check(str(tmp_path / "posts"), capsys=capsys)
    assert status == 0
    assert problems(lines) == []
    assert summary(lines) == (1, 0, 0)


def test_check_exits_0_when_posts_have_only_warnings(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("good.md", GOOD)
    undated = write_post("undated.md", UNDATED)
    status, lines = check(str(tmp_path / "posts"), capsys=capsys)
    assert status == 0
    [warning] = problems(lines)
    assert warning["path"] == str(undated)
    assert warning["warning"]
    assert warning["field"] == "date"


def test_check_exits_1_when_a_post_would_be_rejected(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("good.md", GOOD)
    bad = write_post("bad.md", IMPOSSIBLE_DATE)
    status, lines = check(str(tmp_path / "posts"), capsys=capsys)
    assert status == 1
    [error] = problems(lines)
    assert (error["path"], error["warning"], error["field"]) == (str(bad), None, "date")


def test_check_exits_1_for_a_post_without_a_date_with_strict(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    undated = write_post("undated.md", UNDATED)
    status, lines = check("--strict", str(tmp_path / "posts"), capsys=capsys)
    assert status == 1
    [error] = problems(lines)
    assert (error["path"], error["warning"], error["field"]) == (str(undated), None, "date")


def test_check_exits_2_for_a_missing_posts_folder(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "missing"
    status, lines = check(str(missing), capsys=capsys)
    assert status == 2
    assert len(lines) == 1
    assert lines[0].startswith("postfeed: error: ")
    assert str(missing) in lines[0]


def test_check_exits_2_for_a_configuration_error_and_names_the_key(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("good.md", GOOD)
    config = tmp_path / "bad.toml"
    config.write_text('titel = "typo"\n', encoding="utf-8")
    status, lines = check("--config", str(config), str(tmp_path / "posts"), capsys=capsys)
    assert status == 2
    assert len(lines) == 1
    assert lines[0].startswith("postfeed: error: ")
    assert "titel" in lines[0]


def test_check_exits_2_for_a_configuration_file_that_does_not_exist(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("good.md", GOOD)
    status, lines = check(
        "--config", str(tmp_path / "nope.toml"), str(tmp_path / "posts"), capsys=capsys
    )
    assert status == 2
    assert lines[0].startswith("postfeed: error: ")


def test_check_exits_2_when_the_posts_folder_is_given_twice(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("good.md", GOOD)
    posts = str(tmp_path / "posts")
    status, lines = check(posts, "--posts", posts, capsys=capsys)
    assert status == 2
    assert len(lines) == 1
    assert lines[0].startswith("postfeed: error: ")


# --- what it prints ---------------------------------------------------------------


def test_check_prints_errors_as_path_field_message_and_warnings_with_warning(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("good.md", GOOD)
    undated = write_post("undated.md", UNDATED)
    bad = write_post("sub/bad.md", IMPOSSIBLE_DATE)

    status, lines = check(str(tmp_path / "posts"), capsys=capsys)

    assert status == 1
    problem_lines = [line for line in lines if not SUMMARY.match(line)]
    assert len(problem_lines) == 2, lines
    assert all(PROBLEM.match(line) for line in problem_lines), problem_lines
    assert any(line.startswith(f"{bad}: date: ") for line in problem_lines)
    assert any(line.startswith(f"{undated}: warning: date: ") for line in problem_lines)
    assert "2021-02-30" in next(line for line in problem_lines if line.startswith(f"{bad}: "))


def test_check_ends_with_a_summary_of_posts_errors_and_warnings(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("good.md", GOOD)
    write_post("undated.md", UNDATED)
    write_post("undated-too.md", UNDATED)
    write_post("bad.md", IMPOSSIBLE_DATE)
    write_post("broken.md", "---\ntitle: [unclosed\n---\nText.\n")

    status, lines = check(str(tmp_path / "posts"), capsys=capsys)

    assert status == 1
    assert summary(lines) == (5, 2, 2)
    assert SUMMARY.match(lines[-1]), "the summary comes last"


def test_check_counts_a_draft_as_checked_but_not_as_a_problem(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("good.md", GOOD)
    write_post("draft.md", post_text("Draft", None, body="Not yet.\n", draft=True))
    status, lines = check(str(tmp_path / "posts"), capsys=capsys)
    assert status == 0
    assert summary(lines) == (2, 0, 0)


@pytest.mark.parametrize("quiet", ["-q", "--quiet"])
def test_check_quiet_prints_only_the_errors(
    tmp_path: Path, write_post: WritePost, capsys, quiet: str
) -> None:
    write_post("good.md", GOOD)
    write_post("undated.md", UNDATED)
    bad = write_post("bad.md", IMPOSSIBLE_DATE)

    status, lines = check(quiet, str(tmp_path / "posts"), capsys=capsys)

    assert status == 1
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{bad}: date: ")


def test_check_quiet_prints_nothing_when_posts_have_only_warnings(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("undated.md", UNDATED)
    assert check("-q", str(tmp_path / "posts"), capsys=capsys) == (0, [])


def test_check_quiet_still_prints_a_usage_error(tmp_path: Path, capsys) -> None:
    status, lines = check("-q", str(tmp_path / "missing"), capsys=capsys)
    assert status == 2
    assert lines and lines[0].startswith("postfeed: error: ")


# --- which posts -------------------------------------------------------------------


def test_check_takes_the_folder_as_posts_or_with_dash_dash_posts(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("undated.md", UNDATED)
    write_post("bad.md", IMPOSSIBLE_DATE)
    posts = str(tmp_path / "posts")
    assert check(posts, capsys=capsys) == check("--posts", posts, capsys=capsys)


def test_check_without_a_folder_reads_posts_in_the_working_directory(
    tmp_path: Path, write_post: WritePost, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    bad = write_post("bad.md", IMPOSSIBLE_DATE)
    monkeypatch.chdir(tmp_path)  # where posts/ is
    status, lines = check(capsys=capsys)
    assert status == 1
    [error] = problems(lines)
    assert error["field"] == "date"
    assert Path(error["path"]).resolve() == bad.resolve()


def test_check_reads_postfeed_toml_in_the_working_directory(
    tmp_path: Path, work_dir: Path, write_post: WritePost, capsys
) -> None:
    write_post("undated.md", UNDATED)
    (work_dir / "postfeed.toml").write_text("strict = true\n", encoding="utf-8")
    status, lines = check(str(tmp_path / "posts"), capsys=capsys)
    assert status == 1, "strict = true in ./postfeed.toml makes a missing date an error"
    assert [p["field"] for p in problems(lines) if not p["warning"]] == ["date"]


def test_check_reads_nested_posts_and_skips_hidden_folders_and_other_suffixes(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("a/b/c/bad.md", IMPOSSIBLE_DATE)
    write_post(".hidden/bad.md", IMPOSSIBLE_DATE)  # hidden folders are skipped
    write_post("notes.json", IMPOSSIBLE_DATE)  # not a post suffix
    status, lines = check(str(tmp_path / "posts"), capsys=capsys)
    assert status == 1
    assert [p["path"] for p in problems(lines)] == [str(tmp_path / "posts/a/b/c/bad.md")]
    assert summary(lines) == (1, 1, 0)


# --- it writes nothing ----------------------------------------------------------


def test_check_writes_nothing_anywhere(tmp_path: Path, write_post: WritePost, capsys) -> None:
    write_post("good.md", GOOD)
    write_post("undated.md", UNDATED)
    write_post("bad.md", IMPOSSIBLE_DATE)
    before = snapshot(tmp_path)

    status, _ = check(str(tmp_path / "posts"), capsys=capsys)

    assert status == 1
    # No output folder, no cache folder, no lock file, no temporary file: nothing.
    assert snapshot(tmp_path) == before


def test_check_writes_nothing_where_the_configuration_puts_output_and_cache(
    tmp_path: Path, work_dir: Path, write_post: WritePost, capsys
) -> None:
    write_post("good.md", GOOD)
    (work_dir / "postfeed.toml").write_text(
        'posts = "../posts"\noutput = "out"\ncache_dir = "cache"\n', encoding="utf-8"
    )
    before = snapshot(tmp_path)

    status, lines = check(capsys=capsys)

    assert status == 0
    assert summary(lines) == (1, 0, 0)
    assert snapshot(tmp_path) == before
    assert not (work_dir / "out").exists()
    assert not (work_dir / "cache").exists()


def test_check_leaves_a_built_output_folder_and_its_cache_untouched(
    tmp_path: Path, write_post: WritePost, capsys
) -> None:
    write_post("good.md", GOOD)
    posts, out = str(tmp_path / "posts"), str(tmp_path / "out")
    capsys.readouterr()
    assert main(["build", "--posts", posts, "--output", out, "--site-url", SITE]) == 0
    # A new and an edited post: a build would read them and write the feeds again.
    write_post("new.md", post_text("New", "2021-09-10 19:48:10"))
    write_post("good.md", post_text("Good", "2021-09-10 19:48:10", body="Edited text.\n"))
    before = snapshot(tmp_path)

    status, lines = check(posts, "--site-url", SITE, capsys=capsys)

    assert status == 0
    assert summary(lines) == (2, 0, 0)
    assert snapshot(tmp_path) == before
