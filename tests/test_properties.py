"""Properties of the whole build, over random posts.

Front matter with random keys and values (text with control characters, YAML's
special characters, numbers, lists, nested mappings, nulls, dates) and random
HTML-ish or Markdown-ish bodies: every post ends up in the feeds or is reported
as a problem naming its file, and the feeds are always well-formed and valid.
"""

from __future__ import annotations

import contextlib
import io
import string
import tempfile
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from postfeed.cli import main

from conftest import FEEDCHECK

ATOM_SCHEMA = FEEDCHECK / "schemas" / "atom.rng"
SITE = "https://feeds.example.org/"
ATOM = "{http://www.w3.org/2005/Atom}"

PROPERTY_SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- random front matter -------------------------------------------------------------------

KNOWN_KEYS = [
    "title", "date", "pubDate", "created", "updated", "lastmod", "categories", "category",
    "tags", "author", "authors", "link", "permalink", "url", "original_url", "id", "guid",
    "headimg", "thumbnail", "image", "cover", "description", "excerpt", "format", "comments",
]  # fmt: skip
# `draft` and `published: false` legitimately keep a post out of the feeds; they are
# left out so that every post must be either published or reported.
SKIPPING_KEYS = {"draft", "published"}

YAML_SPECIAL_TEXT = [
    "yes", "no", "on", "off", "~", "null", "true", "1.10", "0x1F", "1e400", "-.inf", ".nan",
    "&anchor", "*alias", "!!python/object:os.system", "!!binary", "- item", "key: value",
    "# comment", "'", '"', "{", "}", "[", "]", "|", ">", "%", "@", "`", ",", "? ", "---", "...",
    "2021-02-30", "2021-09-10", "0001-01-01", "9999-12-31 23:59:59", "1631274490",
    "1631274490123", "Fri, 10 Sep 2021 11:48:10 GMT", "2021年09月10日 19:48", "北京时间",
    "<script>alert(1)</script>", "&lt;b&gt;", "]]>", "<![CDATA[", "http://[oops", "//cdn.example/x",
    "/relative/path", "javascript:alert(1)", "mailto:a@example.com", "ＡＩ", "\u3000\u3000",
    "\x00", "\x07", "\x0b", "\x1b[31m", "\x7f", "\x85", "\u2028", "\ufeff", "\ufffe", "\U0001f600",
]  # fmt: skip

any_text = st.text(max_size=30)  # every code point but surrogates, controls included
special_text = st.sampled_from(YAML_SPECIAL_TEXT)
mixed_text = st.lists(st.one_of(special_text, any_text), max_size=4).map("".join)

dates = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
naive_datetimes = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))
aware_datetimes = st.builds(
    lambda moment, minutes: moment.replace(tzinfo=timezone(timedelta(minutes=minutes))),
    naive_datetimes,
    st.integers(min_value=-23 * 60, max_value=23 * 60),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    any_text,
    special_text,
    mixed_text,
    dates,
    naive_datetimes,
    aware_datetimes,
    st.just(datetime(2021, 9, 10, 11, 48, 10, tzinfo=UTC)),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(any_text, special_text), children, max_size=4),
    ),
    max_leaves=12,
)
keys = st.one_of(st.sampled_from(KNOWN_KEYS), any_text, special_text, st.integers()).filter(
    lambda key: str(key).strip() not in SKIPPING_KEYS
)
metadata = st.dictionaries(keys, values, max_size=8)


@st.composite
def front_matter(draw) -> str:
    """The text between the --- lines: dumped by PyYAML, or hand-written lines."""
    if draw(st.booleans()):
        meta = draw(metadata)
        return yaml.safe_dump(
            meta, allow_unicode=draw(st.booleans()), default_flow_style=draw(st.booleans())
        )
    # Hand-written, as scrapers write it: often not valid YAML at all.
    line_keys = st.one_of(
        st.sampled_from(KNOWN_KEYS),
        st.text(string.ascii_letters + string.digits + "_- ", min_size=1, max_size=10),
    ).filter(lambda key: key.strip() not in SKIPPING_KEYS)
    line_values = st.one_of(mixed_text, special_text).map(
        lambda text: text.replace("\n", " ").replace("\r", " ").replace("\x85", " ")
    )
    lines = draw(st.lists(st.tuples(line_keys, line_values), max_size=6))
    return "".join(f"{key}: {value}\n" for key, value in lines)


# --- random bodies -------------------------------------------------------------------------

HTML_TOKENS = [
    "<p>", "</p>", "<div>", "</div>", '<div class="appendQr_wrap">', '<p class="article-editor">',
    '<p cms-style="font-L">', "<font>", "</font>", "<br>", "<table><tr><td>", "</td></tr></table>",
    '<a href="', '<img src="', '<img data-src="', '<iframe src="', '"></iframe>', '">', '"',
    "</a>", "http://[oops", "//cdn.example/x.png", "/relative", "#anchor", "javascript:alert(1)",
    "https://example.com/a?b=1&c=2", "<!--", "-->", "<![CDATA[", "]]>", "<script>", "</script>",
    "<style>", "</style>", "<svg>", "<math>", "<template>", "<noscript>", "<xmp>", "<pre>",
    "</pre>", "&amp;", "&lt;", "&#0;", "&#x1F;", "&#xD800;", "&nbsp;", "&bogus;", "<", ">",
    "\n\n            ", "\u3000\u3000", "。", "！", "？", "；", "\x00", "\x0b", "\x0c",
    "\r\n", "\r",
]  # fmt: skip
MARKDOWN_TOKENS = [
    "# ", "## ", "\n", "\n\n", "    ", "* ", "- ", "1. ", "> ", "```", "~~~", "`", "*", "**",
    "_", "[link](", "](", ")", "![img](", "<https://example.com>", "<javascript:alert(1)>",
    "| a | b |\n| --- | --- |\n| 1 | 2 |\n", "---", "***", "\\", "&", "<div>", "</div>",
    "[ref]: /x", "[ref]", "<!--", "-->", "]]>", "\u3000", "。", "\x00", "\t",
]  # fmt: skip

bodies = st.one_of(
    st.lists(st.one_of(st.sampled_from(HTML_TOKENS), any_text), max_size=30).map("".join),
    st.lists(st.one_of(st.sampled_from(MARKDOWN_TOKENS), any_text), max_size=30).map("".join),
    st.text(max_size=200),
)
suffixes = st.sampled_from([".md", ".markdown", ".txt", ".html"])


# --- building one post ---------------------------------------------------------------------


def build_one(front: str, body: str, suffix: str) -> tuple[int, str, Path, dict[str, bytes]]:
    """Write one post into a fresh folder and build it.

    Returns the exit status, stderr, the post's path and the bytes of each feed.
    A fresh folder each time: hypothesis runs many examples in one test call.
    """
    with tempfile.TemporaryDirectory(prefix="postfeed-property-") as folder:
        posts = Path(folder) / "posts"
        posts.mkdir()
        post = posts / f"random-post{suffix}"
        post.write_text(f"---\n{front}---\n{body}", encoding="utf-8", newline="")
        output = Path(folder) / "out"
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr):
            status = main(
                ["build", "--posts", str(posts), "--output", str(output), "--site-url", SITE]
            )
        feeds = {name: (output / name).read_bytes() for name in ("rss.xml", "atom.xml")}
    return status, stderr.getvalue(), post, feeds


def problem_lines(stderr: str, post: Path) -> list[str]:
    """The problems reported for `post`: `PATH: field: reason` (warnings excluded)."""
    prefix = f"{post}: "
    return [
        line
        for line in stderr.splitlines()
        if line.startswith(prefix) and not line[len(prefix) :].startswith("warning: ")
    ]


def parse(data: bytes) -> etree._Element:
    """Parse feed bytes as XML; raises XMLSyntaxError when they are not well-formed."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(data, parser)


# --- properties ----------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(front=front_matter(), body=bodies, suffix=suffixes)
@example(
    front="title: t\ndate: 2021-09-10\n", body='<iframe src="http://[oops"></iframe>', suffix=".md"
)
@example(front="title: t\ndate: 0001-01-01\n", body="body", suffix=".md")
@example(front="title: t\ndate: 2021-09-10\nheadimg: 'http://[oops'\n", body="b", suffix=".md")
@example(front="title: t\ndate: 2021-09-10\nlink: 'http://[oops'\n", body="b", suffix=".md")
@example(front="title: [unclosed\n", body="b", suffix=".md")
@example(front="- a list\n- not a mapping\n", body="b", suffix=".md")
def test_a_post_is_published_or_reported_by_path(front, body, suffix):
    status, stderr, post, feeds = build_one(front, body, suffix)
    assert status in (0, 1), stderr
    rss, atom = parse(feeds["rss.xml"]), parse(feeds["atom.xml"])
    items = rss.findall("channel/item")
    entries = atom.findall(f"{ATOM}entry")
    problems = problem_lines(stderr, post)
    if status == 0:
        assert problems == []
        if f"{post}: warning: file: is empty: not a post" in stderr:
            assert not body.strip() and items == [] and entries == []
        else:
            assert len(items) == len(entries) == 1, stderr
    else:
        assert problems, f"exit status 1 but no problem names {post}:\n{stderr}"
        assert items == [] and entries == []


@PROPERTY_SETTINGS
@given(front=front_matter(), body=bodies, suffix=suffixes)
@example(
    front="title: t\ndate: 2021-09-10\n", body='<iframe src="http://[oops"></iframe>', suffix=".md"
)
@example(front="title: t\ndate: 2021-09-10\nheadimg: 'http://[oops'\n", body="b", suffix=".md")
@example(front="title: t\ndate: 2021-09-10\nlink: 'http://[oops'\n", body="b", suffix=".md")
def test_a_rejected_post_gets_a_reason_not_an_internal_error(front, body, suffix):
    status, stderr, post, _ = build_one(front, body, suffix)
    assert status in (0, 1), stderr
    internal = [line for line in problem_lines(stderr, post) if ": internal error: " in line]
    assert internal == [], stderr


@pytest.fixture(scope="module")
def atom_schema() -> etree.RelaxNG:
    if not ATOM_SCHEMA.is_file():
        pytest.skip(
            f"the Atom RELAX NG schema is not there: {ATOM_SCHEMA} (no ../shared/feedcheck)"
        )
    return etree.RelaxNG(etree.parse(str(ATOM_SCHEMA)))


@PROPERTY_SETTINGS
@given(front=front_matter(), body=bodies, suffix=suffixes)
@example(
    front=(
        "title: '<script>x</script>'\ndate: 2021-09-10\nid: 'not a uri'\ncategories: [',', ' ']\n"
    ),
    body="]]> <![CDATA[ \x00\x0b",
    suffix=".html",
)
def test_feeds_are_well_formed_and_atom_is_valid(atom_schema, front, body, suffix):
    status, stderr, _, feeds = build_one(front, body, suffix)
    assert status in (0, 1), stderr
    for data in feeds.values():
        assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
        parse(data)  # raises XMLSyntaxError when not well-formed
    atom = parse(feeds["atom.xml"])
    assert atom_schema.validate(atom), str(atom_schema.error_log)


def test_the_atom_schema_rejects_an_invalid_feed(atom_schema):
    """The RELAX NG check must be able to fail: a feed without an id is invalid."""
    feed = etree.fromstring(
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        b"<updated>2021-09-10T11:48:10Z</updated></feed>"
    )
    assert not atom_schema.validate(feed)
