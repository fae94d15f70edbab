"""Specification of postfeed.salvage: reading front matter that strict YAML refuses.

Every fixture here is written for these tests, in the shapes the scraped corpus shows
(../shared/corpus/README.md, RSSHUB-PAGE): a title quoted over and over, a value
starting with `@`, a colon inside a value, a title broken over lines that are not
indented, trailing spaces, `key: ` with nothing after it. The reader hands salvage
text with LF line ends only (it turns CRLF into LF first).
"""

from __future__ import annotations

import contextlib
import string
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from postfeed import fields
from postfeed.article import PostError
from postfeed.cli import main
from postfeed.reader import _FrontMatterLoader, split_front_matter
from postfeed.salvage import MAX_LINES, Salvaged, SalvageError, salvage_front_matter

PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def strict_load(text: str) -> Any:
    """The project's strict YAML loading: plain scalars stay text, only null is resolved."""
    return yaml.load(text, Loader=_FrontMatterLoader)


def lines(*text: str) -> str:
    return "\n".join(text) + "\n"


def salvage(front_matter: str, first_line: int = 1) -> Salvaged:
    return salvage_front_matter(front_matter, strict_load, first_line)


def strict(front_matter: str) -> dict[str, Any]:
    """What the reader gives for this front matter, or PostError."""
    return split_front_matter(f"---\n{front_matter}---\nbody\n")[0]


def refused_at(front_matter: str) -> int:
    with pytest.raises(SalvageError) as caught:
        salvage(front_matter)
    assert str(caught.value).startswith(f"line {caught.value.line}: ")
    return caught.value.line


# The generator's current shape: title / categories (a 4-space list) / author /
# comments / date / thumbnail. Only the title line differs between the cases below.
def generator_post(title_lines: str) -> str:
    return title_lines + lines(
        "categories: ",
        "    - 科技",
        "    - 某站 - 快讯",
        "author: 某站 - 快讯",
        "comments: false",
        "date: Tue, 07 Sep 2021 08:15:00 GMT",
        "thumbnail: ",
    )


OTHER_KEYS = {
    "categories": ["科技", "某站 - 快讯"],
    "author": "某站 - 快讯",
    "comments": "false",
    "date": "Tue, 07 Sep 2021 08:15:00 GMT",
    "thumbnail": None,
}


# --- the shapes the corpus shows ---------------------------------------------------------------


def test_a_title_quoted_over_and_over_is_read_without_the_quotes() -> None:
    text = generator_post(lines('title: """""\'第3话\'"""""'))
    with pytest.raises(PostError, match="did not find expected key"):
        strict(text)

    meta, notes = salvage(text)

    assert meta == {"title": "第3话", **OTHER_KEYS}
    assert notes == ["line 1: title: read as text without the quotes around it: 第3话"]


def test_layers_of_both_quote_characters_are_removed() -> None:
    assert salvage("""title: ''"新闻"''\n""").meta == {"title": "新闻"}


def test_a_value_starting_with_an_at_sign_is_read_as_written() -> None:
    text = generator_post(lines("title: @某用户 关注了股票 XYZ"))
    with pytest.raises(PostError, match="cannot start any token"):
        strict(text)

    meta, notes = salvage(text)

    assert meta == {"title": "@某用户 关注了股票 XYZ", **OTHER_KEYS}
    assert notes == ["line 1: title: read as text, as written: @某用户 关注了股票 XYZ"]


def test_a_colon_inside_a_value_stays_in_the_value() -> None:
    meta, notes = salvage(lines("title: 公告: 明天停电: 请注意", "author: 编辑部"))

    assert meta == {"title": "公告: 明天停电: 请注意", "author": "编辑部"}
    assert notes == ["line 1: title: read as text, as written: 公告: 明天停电: 请注意"]


def test_a_title_broken_over_lines_that_are_not_indented_is_one_title() -> None:
    # A long title with runs of spaces that the generator turned into line breaks,
    # some lines holding only spaces, the next part of the title at column 0.
    text = generator_post(
        lines(
            "title: 2021年09月07日 限时优惠",
            "      ",
            "",
            "周末特卖",
            "        ",
            "             第二弹·套装Vol.2",
        )
    )
    with pytest.raises(PostError, match="could not find expected ':'"):
        strict(text)

    meta, notes = salvage(text)

    # Joined as YAML joins a long value: a blank line becomes a line break...
    assert meta == {"title": "2021年09月07日 限时优惠\n\n周末特卖\n第二弹·套装Vol.2", **OTHER_KEYS}
    # ...which the title then reads as one space.
    assert fields.title(meta["title"]) == "2021年09月07日 限时优惠 周末特卖 第二弹·套装Vol.2"
    assert notes == [
        "lines 1-6: title: lines joined and read as text, as written: "
        "2021年09月07日 限时优惠 周末特卖 第二弹·套装Vol.2"
    ]


def test_the_same_lines_indented_give_what_yaml_gives() -> None:
    broken = lines("title: 上半", "", "下半", "author: @x")
    indented = lines("title: 上半", "", "  下半", "author: x")

    assert salvage(broken).meta["title"] == strict(indented)["title"] == "上半\n下半"


def test_trailing_spaces_and_the_entity_escaped_braces_stay_text() -> None:
    meta, _ = salvage(lines("title: @a &#123;b&#125;   ", "author: 某人   "))

    assert meta == {"title": "@a &#123;b&#125;", "author": "某人"}


def test_every_other_key_is_read_exactly_as_strict_yaml_reads_it() -> None:
    valid = lines(
        "title: 标题",
        'quoted: "caf\\u00e9 \\"x\\""',
        "single: 'It''s'",
        "empty: ''",
        "nothing:",
        "tilde: ~",
        "number: 1.10",
        "yes_no: yes",
        "flow: [a, b]",
        "block: |",
        "  line one",
        "  line two",
        "# a comment",
        "tags:",
        "- a",
        "-",
        "- 'b c'",
    )
    meta, notes = salvage(valid + lines("broken: @x"))

    assert meta == {**strict(valid), "broken": "@x"}
    assert meta["quoted"] == 'café "x"'
    assert meta["block"] == "line one\nline two\n"
    assert notes == ["line 18: broken: read as text, as written: @x"]


def test_list_items_yaml_refuses_are_read_as_text() -> None:
    meta, notes = salvage(lines("categories:", "    - 金融", "    - @某用户", '    - "a\\x41"'))

    assert meta == {"categories": ["金融", "@某用户", "aA"]}
    assert notes == ["line 3: categories: item read as text, as written: @某用户"]


def test_line_numbers_are_the_files_when_told_where_the_front_matter_starts() -> None:
    # Every scraped file begins with "\n---": the --- is line 2, and the reader's raw
    # front matter starts on that line (after the ---).
    meta, notes = salvage("\ntitle: @x\n", first_line=2)

    assert meta == {"title": "@x"}
    assert notes == ["line 3: title: read as text, as written: @x"]
    with pytest.raises(SalvageError, match=r"^line 4: "):
        salvage("\ntitle: @x\nauthor: {name: x}\n", first_line=2)


# --- quotes: only unambiguous wrapping is removed --------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        '"a" and "b"',  # which quotes are the title's own?
        "'It's'",
        '"Breaking" news',
        '""""',
        "'''",
    ],
)
def test_quotes_that_may_be_the_texts_own_are_kept(value: str) -> None:
    assert salvage(f"title: {value}\n").meta == {"title": value}


def test_an_unclosed_quote_is_text_when_no_later_line_could_close_it() -> None:
    meta, notes = salvage(lines('title: "Breaking news', "author: Li"))

    assert meta == {"title": '"Breaking news', "author": "Li"}
    assert notes == ['line 1: title: read as text, as written: "Breaking news']


def test_an_unclosed_quote_that_a_later_line_may_close_is_not_guessed() -> None:
    # YAML lets quoted text run over several lines: where it ends is not known.
    assert refused_at(lines('title: "Breaking', 'author: "Li"')) == 1
    assert refused_at(lines("tags:", "- 'a", "- b'c")) == 2


# --- shapes that cannot be salvaged, with the line that stops it ------------------------------


@pytest.mark.parametrize(
    ("front_matter", "line", "reason"),
    [
        (lines("title: @x", "author:", "  name: Li"), 2, "mapping"),
        (lines("title: @x", "author: {name: Li}"), 2, "mapping"),
        (lines("title: @x", "tags: [a, [b]]"), 2, "a list holding a list"),
        (lines("title: @x", "tags:", "- a: b"), 2, "mapping"),
        (lines("tags:", "- @a", "- - b"), 3, "a list"),
        (lines("tags:", "- @a", "- k: v"), 3, "mapping"),
        (lines("title: @x", "cover: !!binary aGVsbG8="), 2, "binary data"),
        (lines("title: [a, b", "author: x"), 1, "["),
        (lines("title: {a", "author: x"), 1, "{"),
        (lines("title: *ref"), 1, "alias"),
        (lines("title: &ref @x"), 1, "anchor"),
        (lines("title: !custom @x"), 1, "tag"),
        (lines("description: |", "not indented"), 1, "block scalar"),
        (lines("description: >", "not indented"), 1, "block scalar"),
        (lines("title: @x", "- item"), 2, "list item after the value"),
        (lines("categories:", "news", "author: x"), 2, "not a `- item`"),
        (lines("just a line", "title: x"), 1, "not a `key: value`"),
        (lines("- item", "title: x"), 1, "not a `key: value`"),
        (lines("  title: x", "author: @y"), 2, "indented less"),
        (lines("title: @x", "  sub: y"), 2, "nested"),
        (lines("tags:", "  - @a", "    - b"), 3, "indented differently"),
        (lines('"title: @x'), 1, "quoted key"),
        (lines("title: @x", "---", "author: y"), 2, "document marker"),
        (lines("title: @x", "...", "author: y"), 2, "document marker"),
        (lines("标题：全角冒号不是分隔符"), 1, "not a `key: value`"),
    ],
)
def test_shapes_other_than_key_value_lines_are_refused(
    front_matter: str, line: int, reason: str
) -> None:
    with pytest.raises(SalvageError) as caught:
        salvage(front_matter)

    assert caught.value.line == line
    assert reason in caught.value.reason


def test_very_long_front_matter_is_not_salvaged() -> None:
    with pytest.raises(SalvageError, match="lines is not salvaged"):
        salvage("title: @x\n" + "a: b\n" * MAX_LINES)
    with pytest.raises(SalvageError, match="characters"):
        salvage("title: @" + "x" * 300_000 + "\n")


@pytest.mark.parametrize(
    "value",
    ['"' * 60_000, "'\"" * 30_000, '"' + "\\" * 60_000, " :" * 30_000, "- " * 30_000],
)
def test_long_hostile_values_are_read_in_linear_time(value: str) -> None:
    # Quadratic work on these would take hours; there is no timing assert, the test
    # would just never finish.
    for front_matter in (f"title: @{value}\n", f"title: {value}\n", f"title: x\nx{value}\n"):
        with contextlib.suppress(SalvageError):
            salvage(front_matter * 2)


# --- duplicates, line ends, unicode, notes ----------------------------------------------------


def test_a_key_given_twice_keeps_the_last_value_as_yaml_does() -> None:
    front_matter = lines("title: 第一", "author: x", "title: @第二")

    meta, notes = salvage(front_matter)

    assert meta == {"title": "@第二", "author": "x"}
    assert strict(lines("title: 第一", "title: 第二")) == {"title": "第二"}
    assert notes == [
        "line 3: title: read as text, as written: @第二",
        "line 3: title: given again (before on line 1); the last value is used",
    ]


def test_keys_are_trimmed_like_the_readers() -> None:
    meta, _ = salvage(lines("title : @x", "author\t: y"))

    assert meta == {"title": "@x", "author": "y"}


def test_crlf_gives_what_lf_gives() -> None:
    assert salvage("title: @x\r\nauthor: y\r\n") == salvage("title: @x\nauthor: y\n")


def test_unicode_keys_and_values_are_kept_as_written() -> None:
    meta, _ = salvage(lines("标题: @新闻\u3000快讯 😀", "作者: 张三", "emoji: 🎉: party"))

    assert meta == {"标题": "@新闻\u3000快讯 😀", "作者": "张三", "emoji": "🎉: party"}


def test_notes_are_one_short_line_without_control_characters() -> None:
    _, notes = salvage(lines("title: @" + "长" * 10_000, "author: @\x1b[31mred\x07"))

    assert len(notes) == 2
    assert all(len(note) < 120 and note.isprintable() for note in notes)
    assert notes[0].endswith("…")
    assert notes[1] == "line 2: author: read as text, as written: @ [31mred"


def test_nothing_but_comments_and_blank_lines_is_an_empty_mapping() -> None:
    assert salvage(lines("", "# only a comment", "   ")) == ({}, [])


# --- properties ------------------------------------------------------------------------------

KEYS = st.sampled_from(["title", "author", "date", "tags", "categories", "标题", "a_b"])
# Text YAML reads as plain text: starts with a letter, no ": " and no " #" inside.
SAFE_CHARS = string.ascii_letters + string.digits + "中文新闻·、。_-./:#'\"()"
PLAIN = (
    st.builds(
        lambda first, rest: first + "".join(rest),
        st.sampled_from(["A", "b", "中", "x9"]),
        st.lists(st.one_of(st.text(SAFE_CHARS, min_size=1, max_size=8), st.just(" ")), max_size=5),
    )
    .map(str.rstrip)
    .filter(lambda text: ": " not in text and " #" not in text and not text.endswith(":"))
)
# Characters YAML accepts in its input, line breaks excepted.
ONE_LINE_CHARS = st.characters(
    min_codepoint=0x20,
    blacklist_categories=("Cs", "Cc"),
    blacklist_characters="\ufeff\ufffe\uffff\u2028\u2029",
)
SINGLE_QUOTED = st.text(ONE_LINE_CHARS, max_size=12).map(lambda t: "'" + t.replace("'", "''") + "'")
DOUBLE_QUOTED = st.text(max_size=12).map(
    lambda text: yaml.safe_dump(text, default_style='"', width=10**6).strip()
)
QUOTED = st.one_of(SINGLE_QUOTED, DOUBLE_QUOTED)
SCALAR = st.one_of(PLAIN, QUOTED, st.just(""), st.just("~"))


@st.composite
def entries(draw: st.DrawFn) -> list[str]:
    """One top-level entry of the simple shape, as lines."""
    key = draw(KEYS)
    shape = draw(st.sampled_from(["value", "list", "long", "block"]))
    if shape == "value":
        return [f"{key}: {draw(SCALAR)}".rstrip() + draw(st.sampled_from(["", "  "]))]
    if shape == "list":
        indent = draw(st.sampled_from(["", "  ", "    "]))
        items = draw(st.lists(SCALAR, min_size=1, max_size=4))
        return [f"{key}:", *(f"{indent}- {item}".rstrip() for item in items)]
    parts = draw(st.lists(st.one_of(PLAIN, st.just("")), min_size=1, max_size=4))
    if shape == "block":
        style = draw(st.sampled_from(["|", "|-", "|+", ">", ">-", ">+"]))
        return [f"{key}: {style}", *(f"  {part}".rstrip() for part in parts)]
    return [f"{key}: {draw(PLAIN)}", *(f"  {part}".rstrip() for part in parts)]


@st.composite
def simple_front_matter(draw: st.DrawFn) -> list[list[str]]:
    blocks = draw(st.lists(entries(), max_size=6))
    return [block + draw(st.sampled_from([[], [""], ["# note"]])) for block in blocks]


def render(blocks: list[list[str]]) -> str:
    return "".join(line + "\n" for block in blocks for line in block)


@PROPERTY_SETTINGS
@given(blocks=simple_front_matter())
def test_valid_front_matter_of_the_simple_shape_is_read_as_strict_yaml_reads_it(
    blocks: list[list[str]],
) -> None:
    front_matter = render(blocks)

    meta, notes = salvage(front_matter)

    assert meta == strict(front_matter)
    assert all("given again" in note for note in notes)  # a repeated key: the last is used


BROKEN_ENTRIES = {
    "x-broken: @某用户: 你好": "@某用户: 你好",
    'x-broken: """"\'第1集\'""""': "第1集",
    "x-broken: 公告: 停电": "公告: 停电",
    'x-broken: "a" b': '"a" b',
}


@PROPERTY_SETTINGS
@given(
    blocks=simple_front_matter(),
    broken=st.sampled_from(sorted(BROKEN_ENTRIES)),
    where=st.integers(min_value=0),
)
def test_one_broken_line_changes_nothing_in_how_the_others_are_read(
    blocks: list[list[str]], broken: str, where: int
) -> None:
    expected = {**strict(render(blocks)), "x-broken": BROKEN_ENTRIES[broken]}
    blocks.insert(where % (len(blocks) + 1), [broken])

    meta, notes = salvage(render(blocks))

    assert meta == expected
    guesses = [note for note in notes if "given again" not in note]
    assert len(guesses) == 1 and ": x-broken: " in guesses[0]


# Lines made of the pieces that make YAML (and a guesser) go wrong.
PIECES = [
    "title", "tags", ":", ": ", " ", "  ", "- ", "-", "#", " #", "'", '"', "''", '\\"', "@",
    "&a", "*a", "!!binary", "!!str", "!!int", "[", "]", "{", "}", ",", "|", ">", "?", "%",
    "`", "---", "...", "~", "null", "a: b", "k: [x]", "中文", "\t", "\u3000", "\u2028", "\x85",
]  # fmt: skip
ANY_LINE = st.builds(
    lambda indent, start, pieces: indent + start + "".join(pieces),
    st.sampled_from(["", "", "  ", "    "]),
    st.sampled_from(["title: ", "author: ", "tags:", "- ", "", "title: @", 'title: ""\'']),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=4)), max_size=5),
)
ANY_FRONT_MATTER = st.lists(ANY_LINE, max_size=8).map(lambda rows: "\n".join(rows) + "\n")


def is_simple(value: Any) -> bool:
    if value is None or isinstance(value, str):
        return True
    return isinstance(value, list) and all(item is None or isinstance(item, str) for item in value)


@PROPERTY_SETTINGS
@given(front_matter=ANY_FRONT_MATTER)
@example(front_matter='title: "abc\ndef: ghi"\n')
@example(front_matter="a: &x b\nc: *x\n")
@example(front_matter="title: a\u2028b: c\n")
@example(front_matter="title: !!int\nauthor: !!bool maybe\n")
@example(front_matter="title: |+\n  x\n\nauthor: |\n  y\n")
@example(front_matter="tags:\n- \t\n- a\n")
def test_a_salvaged_value_is_only_ever_text_and_never_disagrees_with_yaml(
    front_matter: str,
) -> None:
    try:
        meta, notes = salvage(front_matter)
    except SalvageError as error:
        assert error.line >= 1
        return

    assert all(isinstance(key, str) and is_simple(value) for key, value in meta.items())
    assert all(note.startswith("line") and note.isprintable() for note in notes)
    try:
        yaml_reads = strict_load(front_matter)
    except Exception:
        return  # YAML refuses it: that is when salvage is used
    if isinstance(yaml_reads, dict):
        assert meta == {str(key).strip(): value for key, value in yaml_reads.items()}


# --- from the command line ------------------------------------------------------------------


def build_posts(tmp_path: Path, capsys: pytest.CaptureFixture[str], *flags: str) -> tuple[int, str]:
    args = ["build", "--posts", str(tmp_path / "posts"), "--output", str(tmp_path / "out")]
    status = main([*args, "--site-url", "https://example.org/", *flags])
    return status, capsys.readouterr().err


def feed_titles(tmp_path: Path) -> list[str]:
    rss = etree.parse(str(tmp_path / "out" / "rss.xml"))
    return [item.findtext("title") for item in rss.iter("item")]


SCRAPED = '\n---\ntitle: @someone: said "hi" and left\ndate: 2021-09-10 10:00:00\n---\n<p>x</p>\n'


def test_a_post_whose_front_matter_yaml_refuses_is_published_with_a_warning(
    tmp_path: Path, write_post, capsys
) -> None:
    write_post("a.md", SCRAPED)
    status, err = build_posts(tmp_path, capsys)
    assert status == 0, err
    assert feed_titles(tmp_path) == ['@someone: said "hi" and left']
    assert "a.md: warning: front matter: invalid YAML at line 3" in err
    assert "read as simple lines: line 3: title" in err


def test_strict_turns_salvage_off(tmp_path: Path, write_post, capsys) -> None:
    write_post("a.md", SCRAPED)
    status, err = build_posts(tmp_path, capsys, "--strict")
    assert status == 1
    assert "a.md: front matter: invalid YAML at line 3" in err
    assert feed_titles(tmp_path) == []


def test_front_matter_that_cannot_be_salvaged_is_rejected_with_its_line(
    tmp_path: Path, write_post, capsys
) -> None:
    write_post("a.md", "---\ntitle: ok\nauthor:\n  name: [unclosed\n---\nbody\n")
    status, err = build_posts(tmp_path, capsys)
    assert status == 1
    assert "a.md: front matter: invalid YAML at line" in err and "not salvaged: line" in err


def test_front_matter_closed_with_three_dots_is_read_as_jekyll_does(
    tmp_path: Path, write_post, capsys
) -> None:
    write_post("a.md", "---\ntitle: Dots\ndate: 2021-09-10\n...\nBody\n\n---\n\nmore\n")
    status, err = build_posts(tmp_path, capsys)
    assert status == 0, err
    assert feed_titles(tmp_path) == ["Dots"]
    content = etree.parse(str(tmp_path / "out" / "rss.xml")).findtext(".//item/description")
    assert "Body" in content and "more" in content
