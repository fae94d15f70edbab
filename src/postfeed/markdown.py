"""Markdown rendered as the site generators render it.

pulldown-cmark (through pyromark) reads CommonMark with GFM tables and strikethrough;
the passes here make its output what Hexo's marked, Jekyll's kramdown and Hugo's
goldmark write where a reader sees a difference: line breaks, smart punctuation by each
one's own rules, footnotes at the end, task lists, and kramdown's emphasis next to
punctuation. Each pass is linear in the body.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import pyromark

from postfeed import typography

_HTML_START = re.compile(r"\A\s*<(?:!--|[a-zA-Z][a-zA-Z0-9-]*(?:\s|/|>))")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)([^<>]*)>")
VOID_TAGS = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
})  # fmt: skip


# CommonMark with GFM tables and strikethrough, raw HTML kept (pulldown-cmark, through
# pyromark: linear on every input, where markdown-it-py took seconds on a megabyte).
_MARKDOWN_OPTIONS = pyromark.Options.ENABLE_TABLES | pyromark.Options.ENABLE_STRIKETHROUGH
# Whitespace that markdown-it-py, the renderer before, trimmed at the edges of a paragraph,
# heading, list item or table cell (Python's str.strip) and CommonMark keeps: all but
# spaces, tabs and line ends (no-break, ideographic, ... spaces).
_EDGE_SPACE = "\x0b\x0c\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_EDGE_RUN = rf"(?:[{_EDGE_SPACE} \t\n]|<br />\n)++"
_BLOCK_START = re.compile(rf"(?P<tag><(?:p|li|h[1-6]|td|th)(?: [^<>]*)?>)(?P<run>{_EDGE_RUN})")
# From the start of a run only (the lookbehinds), so that a long run is read once.
_BLOCK_END = re.compile(
    rf"(?<![{_EDGE_SPACE} \t\n])(?<!<br />\n)(?P<run>{_EDGE_RUN})(?P<tag></(?:p|li|h[1-6]|td|th)>)"
)
_HAS_EDGE_SPACE = re.compile(f"[{_EDGE_SPACE}]")
# Whether _BLOCK_END would trim anything (most HTML has nothing for it, and its lookbehinds
# are tried at every position): an end tag with such whitespace in the run before it, read
# in the HTML reversed, from each end tag back (once: runs do not overlap).
_TRIMMED_END_REVERSED = re.compile(
    rf">(?:p|il|[1-6]h|dt|ht)/<(?:\n>/ rb<|[ \t\n])*+[{_EDGE_SPACE}]"
)
# Tables grow the most in HTML (a cell of one character takes a dozen bytes, and the
# sanitizer and feeds do the rest): a body with more "|" than this, which no real table
# needs, is rendered without tables (its pipes stay text).
MAX_TABLE_PIPES = 100_000


def is_html(body: str) -> bool:
    """Whether a body is HTML throughout: it starts with a tag or an HTML comment, and
    no text stands outside its elements.

    A scraped page (every line inside `<div>…</div>`, indented, with blank lines)
    must never go through Markdown, which would make code blocks of it; a
    hand-written post that opens with an HTML block and goes on in Markdown must.
    One linear scan of the tags, nesting counted (unclosed tags count as open, so
    doubtful bodies stay HTML).
    """
    if not _HTML_START.match(body):
        return False
    depth = 0
    position = 0
    while (start := body.find("<", position)) >= 0:
        if depth == 0 and not body[position:start].isspace() and position < start:
            return False  # text outside every element
        if body.startswith("<!--", start):
            end = body.find("-->", start + 4)
            if end < 0:
                return True  # an unclosed comment runs to the end
            position = end + 3
            continue
        tag = _TAG.match(body, start)
        if tag is None:
            position = start + 1  # a lone "<": text, inside an element or not
            if depth == 0:
                return False
            continue
        closing, name, rest = tag.groups()
        if closing:
            depth = max(depth - 1, 0)
        elif name.lower() not in VOID_TAGS and not rest.endswith("/"):
            depth += 1
        position = tag.end()
    return depth > 0 or not body[position:].strip()


def render(
    body: str,
    body_format: str | None = None,
    *,
    breaks: bool = False,
    smart: str = "",
    quotes: str = "",
    footnotes: str = "",
    tasklists: bool = False,
    loose_emphasis: bool = False,
) -> str:
    """The body as HTML; `body_format` ("html" or "markdown") overrides detection.

    As site generators render Markdown: with `breaks`, a single line break inside a
    paragraph is a line break in the HTML too (`<br>`), as Hexo's renderer (marked,
    `breaks: true`) makes it; with `smart`, straight quotes become curly ones and
    `--`, `...` dashes and ellipses: "marked" as Hexo's renderer does it (SmartyPants'
    rules on each piece of text marked reads, with the four `quotes` if given), any
    other value by CommonMark's flanking rules (kramdown's, goldmark's typographer);
    with `footnotes` ("kramdown" or "goldmark"), `[^1]` references and their notes,
    gathered at the end as that renderer lays them out; with `tasklists`, `- [ ]` list
    items are checkboxes (GFM); with `loose_emphasis`, `**` and `*` pairs that
    CommonMark leaves as text next to punctuation (`**备注：**后`) are emphasis, as
    kramdown reads them.
    """
    if body_format == "html" or (body_format is None and is_html(body)):
        return body
    options = _MARKDOWN_OPTIONS
    if footnotes:
        options |= pyromark.Options.ENABLE_FOOTNOTES
    if tasklists:
        options |= pyromark.Options.ENABLE_TASKLISTS
    if body.count("|") > MAX_TABLE_PIPES:
        options &= ~pyromark.Options.ENABLE_TABLES
    # (each pass below reads the body with the options it is rendered with)
    if smart == "marked":
        body = _marked_smartypants(body, options, breaks, quotes)
    elif smart == "goldmark":
        body = _goldmark_typographer(body, options)
    elif smart == "kramdown":
        body = _kramdown_typographer(body, options)
    elif smart:
        options |= pyromark.Options.ENABLE_SMART_PUNCTUATION
    shielded = loose_emphasis and "*" in body and _SHIELDS.isdisjoint(body)
    if shielded:
        body = _shield_stars(body, options)
    if breaks:
        body = _hard_breaks(body, options)
    html = pyromark.html(body, options=options)
    # As markdown-it-py wrote it before, so that articles do not change: <s> for ~~,
    # unless the author also wrote <del> (then both are <del>), and no whitespace other
    # than spaces at the edges of a block.
    if "<del" not in body.lower():
        html = html.replace("<del>", "<s>").replace("</del>", "</s>")
    if _HAS_EDGE_SPACE.search(body):
        html = _BLOCK_START.sub(_trim, html)
        if _TRIMMED_END_REVERSED.search(html[::-1]):
            html = _BLOCK_END.sub(_trim, html)
    if shielded:
        html = _loose_emphasis(html)
    if footnotes and 'class="footnote-definition"' in html:
        html = _notes_at_end(html, FOOTNOTE_STYLES[footnotes])
    return html


# marked reads text in pieces that end before any character that may start other
# syntax, a line break (`breaks`) or a bare URL (which it makes a link); its SmartyPants
# rules see one piece at a time, so `^` is the start of a piece.
_MARKED_PIECE_END = re.compile(r"(?=[\\<!\[`*~_]|(?:https?|ftp)://|www\.)")
_MARKED_URL = re.compile(r"(?:(?:ftp|https?)://|www\.)(?:[a-zA-Z0-9\-]+\.?)++[^\s<]*+")
# The end of a bare URL marked gives back to the text: trailing punctuation and quotes.
_MARKED_URL_TAIL = "?!.,:;*_'\"~)"


def _marked_smartypants(body: str, options: pyromark.Options, breaks: bool, quotes: str) -> str:
    """`body` with the text marked would make typographic (quotes, dashes, ellipses) so
    made in the source, where it is plain text: code, raw HTML, link destinations and
    escaped characters are left as they are."""
    if not any(mark in body for mark in ('"', "'", "--", "...")):
        return body
    return _rewrite_text_runs(body, options, lambda text: _smartypants_run(text, breaks, quotes))


def _rewrite_text_runs(body: str, options: pyromark.Options, rewrite: Callable[[str], str]) -> str:
    """`body` with each run of plain text (contiguous in the source, within one block)
    replaced by what `rewrite` makes of it."""
    source = body.encode()

    def edits() -> Iterator[tuple[int, int, bytes]]:
        for start, end in _text_runs(source, options, body):
            text = source[start:end].decode()
            made = rewrite(text)
            if made != text:
                yield start, end, made.encode()

    return _spliced(body, source, edits())


def _spliced(body: str, source: bytes, edits: Iterable[tuple[int, int, bytes]]) -> str:
    """`body`, whose UTF-8 is `source`, with each (start, end) span of bytes replaced by
    the bytes given (spans in order; pyromark gives places in the source as bytes)."""
    pieces: list[bytes] = []
    last = 0
    for start, end, made in edits:
        pieces += (source[last:start], made)
        last = end
    if not pieces:
        return body
    pieces.append(source[last:])
    return b"".join(pieces).decode()


def _text_runs(source: bytes, options: pyromark.Options, body: str) -> Iterator[tuple[int, int]]:
    """The spans of `_plain_text_spans` joined where one starts where the last ended."""
    run_start = run_end = -1
    for span in _plain_text_spans(source, options, body):
        if span is not None and span[0] == run_end:
            run_end = span[1]
            continue
        if run_start >= 0:
            yield run_start, run_end
        run_start, run_end = span if span is not None else (-1, -1)
    if run_start >= 0:
        yield run_start, run_end


def _smartypants_run(text: str, breaks: bool, quotes: str) -> str:
    # With `breaks` a line break is a <br> of marked's, and the next line a new piece;
    # without, the rules see it as a blank inside the piece.
    lines = text.split("\n") if breaks else [text]
    return "\n".join(
        "".join(
            piece if _MARKED_URL.match(piece) else typography.marked_smartypants(piece, quotes)
            for piece in _marked_pieces(line)
        )
        for line in lines
    )


def _marked_pieces(text: str) -> list[str]:
    """`text` cut where marked's text pieces end; a bare URL is a piece of its own."""
    pieces = []
    for part in _MARKED_PIECE_END.split(text):
        url = _MARKED_URL.match(part)
        if url is None:
            pieces.append(part)
            continue
        link = url[0].rstrip(_MARKED_URL_TAIL)
        if link.count("(") < link.count(")"):  # an unbalanced ")" is not the URL's
            link = link[: link.rfind(")")].rstrip(_MARKED_URL_TAIL)
        pieces += (part[: len(link)], part[len(link) :])
    return pieces


def _plain_text_spans(
    source: bytes, options: pyromark.Options, body: str
) -> Iterator[tuple[int, int] | None]:
    """The byte ranges of `body`'s plain text, as the renderer reads it (not code, raw
    HTML, link destinations, entities or escaped characters); None where a block ends."""
    code = 0
    for event, span in pyromark.events_with_range(body, options=options):
        if isinstance(event, dict):
            kind = event.get("Start", event.get("End"))
            if kind == "CodeBlock" or (isinstance(kind, dict) and "CodeBlock" in kind):
                code += 1 if "Start" in event else -1
            if "End" in event and kind in _TEXT_BLOCKS:
                yield None
            text = event.get("Text")
            start, end = span["start"], span["end"]
            if text is not None and not code and source[start:end] == text.encode():
                if start and source[start - 1 : start] == b"\\":
                    start += len(text[:1].encode())  # an escaped character: not the rest
                if start < end:
                    yield start, end


_TEXT_BLOCKS = ("Paragraph", "TableCell", "Item")


def _goldmark_typographer(body: str, options: pyromark.Options) -> str:
    """`body` with quotes, dashes, ellipses and `<<` `>>` made typographic in its plain
    text by goldmark's typographer's rules (Hugo's): a quote by the delimiter-run rules
    of the characters around it in the source, and a closing one only while one is
    open (on the page: Hugo's goldmark counts them across paragraphs); `---` and `--`
    wherever they stand."""
    if not any(mark in body for mark in ('"', "'", "--", "...", "<<", ">>")):
        return body
    source = body.encode()
    open_quotes = {"'": 0, '"': 0}

    def edits() -> Iterator[tuple[int, int, bytes]]:
        for span in _plain_text_spans(source, options, body):
            if span is None:
                continue  # (Hugo's goldmark counts open quotes over the whole page)
            for found in _GOLDMARK_MARK.finditer(source, *span):
                if found[0] in _GOLDMARK_FIXED:
                    typographic = _GOLDMARK_FIXED[found[0]]
                else:
                    typographic = _goldmark_quote(source, found.start(), open_quotes)
                    if typographic is None:
                        continue
                yield found.start(), found.end(), typographic.encode()

    return _spliced(body, source, edits())


_GOLDMARK_MARK = re.compile(rb"---|--|\.\.\.|<<|>>|['\"]")
_GOLDMARK_FIXED = {
    b"---": "\u2014", b"--": "\u2013", b"...": "\u2026", b"<<": "\u00ab", b">>": "\u00bb",
}  # fmt: skip


def _goldmark_quote(source: bytes, at: int, open_quotes: dict[str, int]) -> str | None:
    """What goldmark makes of the quote at `at`, None to leave it as it is."""
    quote = chr(source[at])
    line_end = source.find(b"\n", at)
    line = source[at : len(source) if line_end < 0 else line_end + 1]  # as goldmark peeks it
    before = _char_before(source, at)
    after = _char_at(source, at + 1) if len(line) > 1 else " "
    can_open = _left_flanking(before, after)
    can_close = _right_flanking(before, after)
    if not can_open and not can_close:
        return None
    rest = line[1:].decode("utf-8", "replace")
    if quote == "'":
        if (  # decades: '90s
            can_open
            and not can_close
            and len(line) > 3
            and rest[:2].isdigit()
            and rest[2:3] == "s"
            and (len(line) == 3 or _punct_or_space(_char_at(source, at + 4)))
        ):
            return "\u2019"
        if rest[:1] in ("t", "e", "n", "l") and _punct_or_space(before):  # 'twas, 'em
            return "\u2019"
        if (before.isdigit() or before.isalpha()) and rest[:1].isalpha():  # don't
            return "\u2019"
        if can_open and not can_close:
            closing = (
                rest[:1] in ("s", "m", "t", "d")
                and (len(line) < 3 or _ascii_punct_or_space(line[2:3]))
            ) or (
                rest[:2] in ("ve", "ll", "re")
                and (len(line) < 4 or _ascii_punct_or_space(line[3:4]))
            )
            if not closing:
                open_quotes["'"] += 1
            return "\u2019" if closing else "\u2018"
        if len(line) > 2 and not rest[:1].isdigit():  # Smiths', doin'
            return "\u2019"
        if open_quotes["'"] > 0 and _closes(can_open, can_close, line, rest):
            open_quotes["'"] -= 1
            return "\u2019"
        return None
    if can_open and not can_close:
        open_quotes['"'] += 1
        return "\u201c"
    if open_quotes['"'] > 0 and _closes(can_open, can_close, line, rest):
        if rest[:1] == '"' and before.isdigit():  # "Monitor 21""
            return None
        open_quotes['"'] -= 1
        return "\u201d"
    return None


def _closes(can_open: bool, can_close: bool, line: bytes, rest: str) -> bool:
    return (can_close and not can_open) or (
        can_close
        and can_open
        and len(line) > 1
        and _is_punct(rest[:1])
        and (len(line) == 2 or _ascii_punct_or_space(line[2:3]))
    )


def _char_before(source: bytes, at: int) -> str:
    if at == 0:
        return "\n"
    start = at - 1
    while start > 0 and at - start < 4 and source[start] & 0xC0 == 0x80:
        start -= 1
    return source[start:at].decode("utf-8", "replace")[-1:] or "\n"


def _char_at(source: bytes, at: int) -> str:
    return source[at : at + 4].decode("utf-8", "ignore")[:1] or "\n"


def _is_punct(char: str) -> bool:
    return bool(char) and unicodedata.category(char)[0] in "PS"


def _punct_or_space(char: str) -> bool:
    return char.isspace() or _is_punct(char)


def _ascii_punct_or_space(byte: bytes) -> bool:
    return byte in _ASCII_PUNCT_OR_SPACE


_ASCII_PUNCT_OR_SPACE = frozenset(
    bytes([value])
    for value in range(128)
    if chr(value) in " \t\n\r\f\v"
    or (chr(value).isprintable() and not chr(value).isalnum() and chr(value) != " ")
)


def _left_flanking(before: str, after: str) -> bool:
    return not after.isspace() and (not _is_punct(after) or before.isspace() or _is_punct(before))


def _right_flanking(before: str, after: str) -> bool:
    return not before.isspace() and (not _is_punct(before) or after.isspace() or _is_punct(after))


def _kramdown_typographer(body: str, options: pyromark.Options) -> str:
    """`body` with quotes, dashes, ellipses and `<<` `>>` made typographic in its plain
    text by kramdown's rules (RubyPants'): a quote by the one character before it in
    the same text (after a letter, `”`), or, first in its text, by what follows it."""
    if not any(mark in body for mark in ('"', "'", "--", "...", "<<", ">>")):
        return body
    return _rewrite_text_runs(body, options, typography.kramdown_smartypants)


def _hard_breaks(body: str, options: pyromark.Options) -> str:
    """`body` with two spaces before every soft line break (inside a paragraph, not in
    code): a hard break. Spaces, not a backslash: like the line end they stand before,
    they are whitespace to the emphasis rules. Not a line break that ends a link's text
    (`[text\n](url)`): marked leaves it out."""
    source = body.encode()

    def edits() -> Iterator[tuple[int, int, bytes]]:
        pending = -1  # where the last soft break starts, until the next event is known
        for event, span in pyromark.events_with_range(body, options=options):
            if pending >= 0 and event not in ({"End": "Link"}, {"End": "Image"}):
                yield pending, pending, b"  "
            pending = span["start"] if event == "SoftBreak" else -1
        if pending >= 0:
            yield pending, pending, b"  "

    return _spliced(body, source, edits())


# Pairs CommonMark left as text (its flanking rules refuse a `*` between punctuation and
# a letter): an opener followed by no space, a closer preceded by none, nothing of the
# marker's character between (inline tags may be: `*[link](x)*`). Each match ends at
# the next `*`, so the scan is linear.
_LOOSE_STRONG = re.compile(r"\*\*(?=[^\s*])([^*]*?[^\s*])\*\*")
_LOOSE_EM = re.compile(r"(?<!\*)\*(?=[^\s*])([^*]*?[^\s*])\*(?!\*)")
# Stars the emphasis pass must leave alone, kept aside as characters no author writes
# and given back after it: an escaped `\*`, any star inside a raw HTML block (kramdown
# leaves those blocks' text as it is), in code or inside a tag.
_ESCAPED_STAR = "\ue000"
_RAW_STAR = "\ue001"
_SHIELDS = frozenset((_ESCAPED_STAR, _RAW_STAR))
_ESCAPED_STAR_IN_URL = "%EE%80%80"  # _ESCAPED_STAR percent-encoded
_TAG_OR_TEXT = re.compile(r"<[^<>]*>|[^<]+|<")
_VERBATIM = re.compile(r"<(/?)(?:code|pre|kbd|samp|script|style)\b", re.IGNORECASE)
# Emphasis never runs across one of these.
_BLOCK_TAG_NAME = re.compile(
    r"</?(?:address|article|aside|blockquote|dd|details|div|dl|dt|figcaption|figure|footer"
    r"|h[1-6]|header|hr|li|main|nav|ol|p|pre|section|summary|table|tbody|td|tfoot|th|thead"
    r"|tr|ul)\b",
    re.IGNORECASE,
)
_INLINE_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^<>]*?(/?)>")
_VOID = frozenset(("br", "img", "wbr", "input"))


def rewrite_text(html: str, rewrite: Callable[[str], str]) -> str:
    """`html` with `rewrite` applied to each piece of its text outside tags and code."""
    pieces = []
    verbatim = 0
    for match in _TAG_OR_TEXT.finditer(html):
        piece = match[0]
        if piece.startswith("<") and len(piece) > 1:
            if tag := _VERBATIM.match(piece):
                verbatim = max(verbatim + (-1 if tag[1] else 1), 0)
        elif not verbatim:
            piece = rewrite(piece)
        pieces.append(piece)
    return "".join(pieces)


def _shield_stars(body: str, options: pyromark.Options) -> str:
    source = body.encode()
    pieces = []
    last = 0
    for event, span in pyromark.events_with_range(body, options=options):
        if event == {"Start": "HtmlBlock"} and b"*" in source[span["start"] : span["end"]]:
            pieces.append(_shield_escapes(source[last : span["start"]]))
            pieces.append(source[span["start"] : span["end"]].replace(b"*", _RAW_STAR.encode()))
            last = span["end"]
    pieces.append(_shield_escapes(source[last:]))
    return b"".join(pieces).decode()


# A `\*` whose backslash is not itself escaped (`\\*` is a backslash, then a star).
_ESCAPE_OF_STAR = re.compile(rb"(?<!\\)((?:\\\\)*+)\\\*")


def _shield_escapes(source: bytes) -> bytes:
    if b"\\*" not in source:
        return source
    return _ESCAPE_OF_STAR.sub(rb"\1" + _ESCAPED_STAR.encode(), source)


def _loose_emphasis(html: str) -> str:
    """`**x**` and `*x*` left as text in the rendered HTML, outside code and within one
    block, made <strong> and <em>, as kramdown makes them; shielded stars given back."""
    out: list[str] = []
    segment: list[str] = []  # the inline content of one block
    verbatim = 0
    for match in _TAG_OR_TEXT.finditer(html):
        piece = match[0]
        if piece.startswith("<") and len(piece) > 1:
            tag = _VERBATIM.match(piece)
            if tag:
                verbatim = max(verbatim + (-1 if tag[1] else 1), 0)
            piece = _tag_stars(piece)
            if _BLOCK_TAG_NAME.match(piece):
                out.append(_emphasized("".join(segment)))
                segment = []
                out.append(piece)
                continue
        elif verbatim:
            # In code the author's backslash was kept; in text it escaped the star.
            piece = piece.replace("*", _RAW_STAR).replace(_ESCAPED_STAR, "\\" + _RAW_STAR)
        segment.append(piece)
    out.append(_emphasized("".join(segment)))
    return "".join(out).replace(_ESCAPED_STAR, "*").replace(_RAW_STAR, "*")


def _tag_stars(tag: str) -> str:
    """A tag's stars shielded from the emphasis pass: in a text attribute (`alt`) an
    escaped star is a star; in a URL, where the renderer percent-encoded it, the
    author's backslash stays, as kramdown keeps it."""
    return (
        tag.replace("*", _RAW_STAR)
        .replace(_ESCAPED_STAR, _RAW_STAR)
        .replace(_ESCAPED_STAR_IN_URL, "\\" + _RAW_STAR)
    )


def _emphasized(inline: str) -> str:
    if "*" not in inline:
        return inline
    inline = _LOOSE_STRONG.sub(lambda match: _wrapped(match, "strong"), inline)
    return _LOOSE_EM.sub(lambda match: _wrapped(match, "em"), inline)


def _wrapped(match: re.Match[str], tag: str) -> str:
    """The pair as `<tag>`, if the tags between are balanced (else left as it is)."""
    inner = match[1]
    if "<" in inner:
        open_tags: list[str] = []
        for found in _INLINE_TAG.finditer(inner):
            name = found[2].lower()
            if found[3] or name in _VOID:
                continue
            if not found[1]:
                open_tags.append(name)
            elif not open_tags or open_tags.pop() != name:
                return match[0]
        if open_tags:
            return match[0]
    return f"<{tag}>{inner}</{tag}>"


@dataclass(frozen=True)
class NoteStyle:
    """How a renderer lays footnotes out, at the end of the content in the order they
    are referred to. Ids as the site's own pages have them (formatted with the note's
    `label`, its `number` and, for a note's second reference on, `again` = 1, 2, ...),
    so that a note's link from a feed reader lands on the site's note."""

    note_id: str
    reference_id: str
    again_reference_id: str
    back_text: str  # the link back to the first reference
    again_back_text: str  # ... to a later one, formatted with its `count` (2, 3, ...)
    back_separator: str
    rule: str  # above the notes


FOOTNOTE_STYLES = {
    "kramdown": NoteStyle(
        "fn:{label}", "fnref:{label}", "fnref:{label}:{again}", "\u21a9",
        "\u21a9<sup>{count}</sup>", " ", "",
    ),
    "goldmark": NoteStyle(
        "fn:{number}", "fnref:{number}", "fnref{again}:{number}", "\u21a9\ufe0e",
        "\u21a9\ufe0e", "\u00a0", "<hr />\n",
    ),
}  # fmt: skip
_NOTE_REFERENCE = re.compile(
    r'<sup class="footnote-reference"><a href="#(?P<label>[^"<>]*)">(?P<number>\d+)</a></sup>'
)
_NOTE_START = re.compile(
    r'<div class="footnote-definition" id="(?P<label>[^"<>]*)">'
    r'<sup class="footnote-definition-label">(?P<number>\d+)</sup>\n?'
)
_DIV = re.compile(r"<(/?)div\b", re.IGNORECASE)


def _notes_at_end(html: str, style: NoteStyle) -> str:
    """pulldown-cmark's footnotes (each note where it was written, a number above it)
    as kramdown and goldmark lay them out: a numbered list at the end, in the order
    they are referred to, each note ending with a link back to each place it is
    referred to."""
    notes: list[tuple[str, str]] = []
    pieces = []
    position = 0
    while (start := _NOTE_START.search(html, position)) is not None:
        end = _div_end(html, start.end())
        if end < 0:
            return html  # a note with unbalanced raw HTML: left as it was
        pieces.append(html[position : start.start()])
        notes.append((start["label"], html[start.end() : end].rstrip()))
        position = end + len("</div>")
        if html.startswith("\n", position):
            position += 1
    pieces.append(html[position:])

    # Numbered again in the order they are referred to; a note never referred to is
    # left out, as both renderers do.
    numbers: dict[str, str] = {}
    for match in _NOTE_REFERENCE.finditer(html):
        numbers.setdefault(match["label"], str(len(numbers) + 1))
    references: dict[str, list[str]] = {label: [] for label in numbers}  # ids, in order

    def reference(match: re.Match[str]) -> str:
        label = match["label"]
        again = len(references[label])
        values = {"label": label, "number": numbers[label], "again": again}
        reference_id = (style.again_reference_id if again else style.reference_id).format(**values)
        references[label].append(reference_id)
        note_id = style.note_id.format(**values)
        return f'<sup id="{reference_id}"><a href="#{note_id}">{numbers[label]}</a></sup>'

    body = _NOTE_REFERENCE.sub(reference, "".join(pieces))
    items = []
    for label, inner in sorted(
        (item for item in notes if item[0] in numbers),
        key=lambda item: int(numbers[item[0]]),
    ):
        backs = style.back_separator.join(
            f'<a href="#{reference_id}">'
            f"{style.again_back_text.format(count=count) if count > 1 else style.back_text}</a>"
            for count, reference_id in enumerate(references[label], 1)
        )
        back = f"\u00a0{backs}"
        if inner.endswith("</p>"):
            inner = inner[: -len("</p>")] + back + "</p>"
        else:
            inner += f"\n<p>{back}</p>"
        note_id = style.note_id.format(label=label, number=numbers[label], again=0)
        items.append(f'<li id="{note_id}">\n{inner}\n</li>\n')
    if not items:
        return body
    return f'{body}<div class="footnotes">\n{style.rule}<ol>\n{"".join(items)}</ol>\n</div>\n'


def _div_end(html: str, position: int) -> int:
    """Where the <div> open before `position` closes, counting nested ones; -1 if never."""
    depth = 1
    for match in _DIV.finditer(html, position):
        depth += -1 if match[1] else 1
        if depth == 0:
            return match.start()
    return -1


def _trim(match: re.Match[str]) -> str:
    """A block's tag without the whitespace run beside it, when the run holds whitespace
    that markdown-it-py trimmed (else as it is: spaces and line ends that belong there)."""
    if not _HAS_EDGE_SPACE.search(match["run"]):
        return match[0]
    return match["tag"]
