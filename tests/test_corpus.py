"""The real-world corpus in ../shared/corpus, built once: every post is an item or a report.

About 1,800 scraped posts (Hexo, Jekyll and Hugo) with every kind of quirk. The
corpus is not part of the project; without it this module is skipped.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import feedparser
import lxml.html
import pytest
from lxml import etree

from conftest import CORPUS, FEEDCHECK
from feedsplit import split_feed

ATOM_SCHEMA = FEEDCHECK / "schemas" / "atom.rng"
W3C_VALIDATE = FEEDCHECK / "w3c_validate.sh"

POST_SUFFIXES = {".md", ".markdown", ".txt", ".html"}
SITE = "https://corpus.example.org/"
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"
SUMMARY = re.compile(r"^postfeed: (\d+) posts read, (\d+) rejected, (\d+) skipped; ")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared corpus is not here ({CORPUS})"),
]


@dataclass
class CorpusBuild:
    status: int
    stderr: str
    output: Path
    post_files: list[Path]  # every file postfeed should read, found independently
    posts_read: int
    rejected: int
    skipped: int

    @property
    def rejected_lines(self) -> list[str]:
        """stderr lines that report a post left out (not warnings, not the summary)."""
        return [
            line
            for line in self.stderr.splitlines()
            if line and not line.startswith("postfeed: ") and ": warning: " not in line
        ]

    @property
    def expected_items(self) -> int:
        return len(self.post_files) - self.rejected - self.skipped


def post_files(root: Path) -> list[Path]:
    """Post files below `root` as the README defines them: by suffix, hidden ones skipped."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        found += [
            Path(folder, name)
            for name in files
            if not name.startswith(".") and Path(name).suffix.lower() in POST_SUFFIXES
        ]
    return found


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> CorpusBuild:
    work = tmp_path_factory.mktemp("corpus")
    config = work / "postfeed.toml"
    config.write_text(f'title = "Corpus"\nsite_url = "{SITE}"\n', encoding="utf-8")
    output = work / "output"
    process = subprocess.run(
        [
            *(sys.executable, "-m", "postfeed", "build", "--config", str(config)),
            *("--posts", str(CORPUS), "--output", str(output), "--limit", "5000", "-v"),
        ],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=600,
    )
    # -v: the summary line (posts read, rejected, skipped) is printed in any case
    summaries = [m for line in process.stderr.splitlines() if (m := SUMMARY.match(line))]
    assert len(summaries) == 1, process.stderr[-3000:]
    read, rejected, skipped = (int(number) for number in summaries[0].groups())
    return CorpusBuild(
        process.returncode, process.stderr, output, post_files(CORPUS), read, rejected, skipped
    )


@pytest.fixture(scope="module")
def rss(corpus: CorpusBuild) -> etree._Element:
    return etree.parse(str(corpus.output / "rss.xml")).getroot()


@pytest.fixture(scope="module")
def atom(corpus: CorpusBuild) -> etree._Element:
    return etree.parse(str(corpus.output / "atom.xml")).getroot()


def test_the_build_publishes_every_post_and_exits_0(corpus: CorpusBuild) -> None:
    assert corpus.status == 0, corpus.stderr[-3000:]
    assert corpus.rejected == 0 and corpus.rejected_lines == []
    assert "Traceback" not in corpus.stderr
    assert "internal error" not in corpus.stderr


def test_the_four_posts_whose_yaml_is_broken_are_salvaged_each_with_a_warning(
    corpus: CorpusBuild,
) -> None:
    lines = [line for line in corpus.stderr.splitlines() if ": warning: front matter: " in line]
    assert len(lines) == 4, "\n".join(lines)
    files = set(corpus.post_files)
    for line in lines:
        named = [path for path in files if line.startswith(f"{path}: ")]
        assert len(named) == 1, f"names no corpus file: {line}"
        found = re.search(r"invalid YAML\b.*\bline (\d+).*; read as simple lines: ", line)
        assert found, line
        line_count = named[0].read_text(encoding="utf-8", errors="replace").count("\n") + 1
        assert 1 <= int(found.group(1)) <= line_count, line


def test_every_post_file_is_read(corpus: CorpusBuild) -> None:
    assert corpus.posts_read == len(corpus.post_files)


def test_every_post_file_is_an_item_or_reported(
    corpus: CorpusBuild, rss: etree._Element, atom: etree._Element
) -> None:
    guids = [item.findtext("guid") for item in rss.iter("item")]
    ids = [entry.findtext(f"{ATOM}id") for entry in atom.iter(f"{ATOM}entry")]
    # one item per used file: as many items as files neither rejected nor skipped,
    # and no two files collapsed into one id
    assert len(guids) == len(set(guids)) == corpus.expected_items
    assert len(ids) == len(set(ids)) == corpus.expected_items
    assert set(guids) == set(ids)
    files = set(corpus.post_files)
    reported = {
        path for line in corpus.rejected_lines for path in files if line.startswith(f"{path}: ")
    }
    assert len(reported) == corpus.rejected


@pytest.mark.parametrize("name", ["rss.xml", "atom.xml"])
def test_feedparser_reads_every_entry_cleanly(corpus: CorpusBuild, name: str) -> None:
    parsed = feedparser.parse(str(corpus.output / name))
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert len(parsed.entries) == corpus.expected_items


def test_the_atom_feed_is_valid_against_the_rfc_4287_schema(corpus: CorpusBuild) -> None:
    if not ATOM_SCHEMA.is_file():
        pytest.skip(f"no Atom schema at {ATOM_SCHEMA} (../shared/feedcheck is not here)")
    schema = etree.RelaxNG(etree.parse(str(ATOM_SCHEMA)))
    document = etree.parse(str(corpus.output / "atom.xml"))
    assert schema.validate(document), schema.error_log.last_error


def test_every_rss_item_has_a_title_link_guid_and_date(rss: etree._Element) -> None:
    items = list(rss.iter("item"))
    assert items
    for item in items:
        for field in ("title", "link", "guid", "pubDate"):
            assert (item.findtext(field) or "").strip(), (
                f"{field} missing in {item.findtext('guid')}"
            )


def test_every_atom_entry_has_a_title_one_link_an_id_and_dates(atom: etree._Element) -> None:
    entries = list(atom.iter(f"{ATOM}entry"))
    assert entries
    for entry in entries:
        name = entry.findtext(f"{ATOM}id")
        assert (entry.findtext(f"{ATOM}title") or "").strip(), name
        assert len(entry.findall(f"{ATOM}link")) == 1, name
        assert entry.findtext(f"{ATOM}published"), name
        assert entry.findtext(f"{ATOM}updated"), name


def unsafe_markup(html: str) -> list[str]:
    """Scripts and event-handler attributes in an HTML fragment, as a browser would see them."""
    found = []
    for element in lxml.html.document_fromstring(f"<html><body>{html}</body></html>").iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag.lower() == "script":
            found.append("<script>")
        found += [
            f"{element.tag} {name}=" for name in element.attrib if name.lower().startswith("on")
        ]
    return found


def test_no_content_has_scripts_or_event_handlers(
    rss: etree._Element, atom: etree._Element
) -> None:
    bodies = [
        (item.findtext("guid"), item.findtext(CONTENT_ENCODED) or "") for item in rss.iter("item")
    ]
    bodies += [
        (entry.findtext(f"{ATOM}id"), entry.findtext(f"{ATOM}content") or "")
        for entry in atom.iter(f"{ATOM}entry")
    ]
    assert sum(1 for _, body in bodies if body) > len(bodies) / 2  # content is really there
    offenders = {}
    for guid, body in bodies:
        problems = unsafe_markup(body) if body.strip() else []
        if "<script" in body.lower():
            problems.append("<script")
        if problems:
            offenders[guid] = problems
    assert offenders == {}


# Posts with equal dates (DuplicateUpdated), and one post dated in the year 0900
# (ImplausibleDate: published as written, with postfeed's own "before 1970" warning).
EXPECTED_WARNINGS = {"DuplicateUpdated", "ImplausibleDate"}


def test_the_w3c_validator_finds_no_errors_and_no_unexpected_warnings(
    corpus: CorpusBuild, tmp_path: Path
) -> None:
    if not (os.environ.get("FEEDVALIDATOR_DIR") and os.environ.get("HARNESS_PYTHON")):
        pytest.skip(
            "W3C validator not configured: set FEEDVALIDATOR_DIR and HARNESS_PYTHON "
            "(see ../shared/feedcheck/README.md, e.g. FEEDVALIDATOR_DIR=/tmp/feedvalidator "
            "HARNESS_PYTHON=/tmp/harness-venv/bin/python)"
        )
    if not W3C_VALIDATE.is_file():
        pytest.skip(f"no {W3C_VALIDATE}")
    chunks = []
    for name in ("rss.xml", "atom.xml"):
        chunks += split_feed(corpus.output / name, tmp_path, 200)
    process = subprocess.run(
        [str(W3C_VALIDATE), "--json", "--base", "self", *map(str, chunks)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    reports = [json.loads(line) for line in process.stdout.splitlines() if line.startswith("{")]
    assert len(reports) == len(chunks), process.stderr[-3000:]
    problems = [
        f"{Path(report['file']).name}:{event['line']}: {event['severity']} {event['class']}: "
        f"{event['message']}"
        for report in reports
        for event in report["events"]
        if event["severity"] == "error"
        or (event["severity"] == "warning" and event["class"] not in EXPECTED_WARNINGS)
    ]
    assert problems == []
    assert sum(report["errors"] for report in reports) == 0
    assert process.returncode == 0, process.stderr[-3000:]
