"""Content: a post body becomes rendered, sanitized HTML and a plain-text summary.

Three steps, in this order:
1. render: a Markdown body becomes HTML (an HTML body is kept as it is);
2. clean: site boilerplate is removed with lxml (CSS selectors as data),
   lazy images are made real and iframes become links;
3. sanitize: nh3's allow-list drops everything executable, and every URL is made
   absolute or dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

import cssselect
import lxml.html
import nh3
import pyromark
from lxml import etree

from postfeed import typography, urls
from postfeed.fields import clean_text

# Boilerplate of the sources our posts are scraped from (the `[content] drop`
# setting adds to this list).
DEFAULT_DROP_SELECTORS = (
    ".appendQr_wrap",  # Sina: "download the app" QR block
    ".article-editor",  # Sina: editor's name and work code
    "ins.adsbygoogle",
    "[hidden]",
)
# Text that one of the steps of `clean` would act on; a body with none is left alone.
_CLEANING_MARKS = (
    "<!--", "<script", "<style", "<noscript", "<template", "<head", "<font", "<iframe",
    "<object", "<math", "data-", "hidden", "style=", "appendqr", "article-editor", "adsbygoogle",
    "<video", "<audio",
)  # fmt: skip
_MATHML_TAGS = (
    "mi", "mn", "mo", "ms", "mtext", "mrow", "mfrac", "msqrt", "mroot", "msub", "msup",
    "msubsup", "mtable", "mtr", "mtd", "semantics", "annotation",
)  # fmt: skip
LAZY_SOURCE_ATTRIBUTES = ("data-src", "data-original", "data-actualsrc", "data-lazy-src")
LAZY_POSTER_ATTRIBUTES = ("data-poster", "data-lazy-poster")
_LAZY_TAGS = ("img", "video", "audio", "source")  # what takes a lazy source
_PLAYERS = ("video", "audio")
# Any base will do: clean() only asks whether the sanitizer will keep a URL, and it keeps
# every relative one.
_ANY_BASE = "https://example.invalid/"
SUMMARY_LENGTH = 140
SUMMARY_SOURCE_CHARS = 65_536  # of HTML, parsed for a summary while that gives enough text
SUMMARY_MAX_SOURCE_CHARS = 262_144  # of HTML, parsed for a summary at most

_TAGS = (nh3.ALLOWED_TAGS - {"map", "area"}) | {"video", "audio", "source", "iframe"}
_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "title", "width", "height"},
    "video": {"src", "poster", "controls", "width", "height"},
    "audio": {"src", "controls"},
    "source": {"src", "type"},
    "iframe": {"src", "width", "height", "allowfullscreen"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start"},
    "time": {"datetime"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
    "abbr": {"title"},
}
_URL_ATTRIBUTES = frozenset({"href", "src", "poster", "cite"})
# A tag name followed by a space, `/` or `>`: `<https://x>` is a Markdown autolink.
_HTML_START = re.compile(r"\A\s*<(?:!--|[a-zA-Z][a-zA-Z0-9-]*(?:\s|/|>))")
# One tag: its "/" if closing, its name, and the rest up to ">" (linear: no "<" inside).
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)([^<>]*)>")
_VOID_TAGS = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
})  # fmt: skip
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_BLANK_RUNS = re.compile(r"\n\s*\n\s*")
# ASCII only: Chinese text runs on after a URL without a space.
_BARE_URL = re.compile(r"(?:https?://|www\.)[\x21-\x7e]+", re.IGNORECASE)
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "img", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "td", "th",
    "tr", "ul",
})  # fmt: skip
_SENTENCE_END = "。！？；!?;"
_BLOCK_TAG = re.compile(rf"</?(?:{'|'.join(sorted(_BLOCK_TAGS))})\b[^<>]*>", re.IGNORECASE)


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
        elif name.lower() not in _VOID_TAGS and not rest.endswith("/"):
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
        html = _BLOCK_END.sub(_trim, _BLOCK_START.sub(_trim, html))
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
    source = body.encode()
    pieces: list[bytes] = []
    last = 0
    run_start = run_end = -1  # the source range of the text being gathered

    def flush() -> None:
        nonlocal last
        if run_start >= 0:
            text = source[run_start:run_end].decode()
            made = _smartypants_run(text, breaks, quotes)
            if made != text:
                pieces.extend((source[last:run_start], made.encode()))
                last = run_end

    for span in _plain_text_spans(source, options, body):
        if span is not None and span[0] == run_end:
            run_end = span[1]
            continue
        flush()
        run_start, run_end = span if span is not None else (-1, -1)
    flush()
    if not pieces:
        return body
    pieces.append(source[last:])
    return b"".join(pieces).decode()


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
    pieces: list[bytes] = []
    last = 0
    open_quotes = {"'": 0, '"': 0}
    for span in _plain_text_spans(source, options, body):
        if span is None:
            continue  # (Hugo's goldmark counts open quotes over the whole page)
        start, end = span
        position = start
        while position < end:
            found = _GOLDMARK_MARK.search(source, position, end)
            if found is None:
                break
            position = found.end()
            mark = found[0]
            if mark in _GOLDMARK_FIXED:
                typographic = _GOLDMARK_FIXED[mark]
            else:
                typographic = _goldmark_quote(source, found.start(), open_quotes)
                if typographic is None:
                    continue
            pieces += (source[last : found.start()], typographic.encode())
            last = position
    if not pieces:
        return body
    pieces.append(source[last:])
    return b"".join(pieces).decode()


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
            and (len(line) == 3 or _space_or_punct(_char_at(source, at + 4)))
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


def _space_or_punct(char: str) -> bool:
    return _punct_or_space(char)


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
    source = body.encode()
    pieces: list[bytes] = []
    last = 0
    run_start = run_end = -1

    def flush() -> None:
        nonlocal last
        if run_start >= 0:
            text = source[run_start:run_end].decode()
            made = typography.kramdown_smartypants(text)
            if made != text:
                pieces.append(source[last:run_start])
                pieces.append(made.encode())
                last = run_end

    for span in _plain_text_spans(source, options, body):
        if span is not None and span[0] == run_end:
            run_end = span[1]
            continue
        flush()
        run_start, run_end = span if span is not None else (-1, -1)
    flush()
    if not pieces:
        return body
    pieces.append(source[last:])
    return b"".join(pieces).decode()


def _hard_breaks(body: str, options: pyromark.Options) -> str:
    """`body` with two spaces before every soft line break (inside a paragraph, not in
    code): a hard break. Spaces, not a backslash: like the line end they stand before,
    they are whitespace to the emphasis rules. Not a line break that ends a link's text
    (`[text\n](url)`): marked leaves it out."""
    source = body.encode()
    pieces = []
    last = 0
    pending = -1  # where the last soft break starts, until the next event is known
    for event, span in pyromark.events_with_range(body, options=options):
        if pending >= 0 and event not in ({"End": "Link"}, {"End": "Image"}):
            pieces += (source[last:pending], b"  ")
            last = pending
        pending = span["start"] if event == "SoftBreak" else -1
    if pending >= 0:
        pieces += (source[last:pending], b"  ")
        last = pending
    if not pieces:
        return body
    pieces.append(source[last:])
    return b"".join(pieces).decode()


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


def clean(
    body_html: str, drop_selectors: Iterable[str] = (), iframe_hosts: Iterable[str] = ()
) -> str:
    """Remove site boilerplate; make lazy images and players load; turn untrusted iframes
    into links.

    A player (<video>, <audio>) is kept when it has a source a reader can load, in its
    `src` or in a <source>, and gets `controls`: readers drop `autoplay`, so a player
    without them could not be started. One left with no source is dropped with its
    fallback content, which a browser that knows the element never shows; a video's
    poster stays, as an image, since that is all a browser would show of it.

    Every step is a pass of lxml over the tree: elements are removed or unwrapped in
    bulk by lxml's C code (marked first where no tag name selects them), so many small
    elements cost linear time.
    """
    drop_selectors = tuple(drop_selectors)
    if not drop_selectors and not any(mark in body_html.lower() for mark in _CLEANING_MARKS):
        return body_html  # nothing here to clean (most Markdown posts)
    root = _parse(body_html)
    verbatim = _collapse_blank_text(root)
    # BeautifulSoup left an empty comment in <pre> or <textarea>, and so a newline after
    # one at the start of a <pre> was kept; it still is.
    for comment in list(root.iter(etree.Comment)):
        if not comment.text and comment.getparent() in verbatim:
            comment.addprevious(etree.Element(_EMPTY_COMMENT))
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    etree.strip_elements(root, "script", "style", "noscript", "template", "head", with_tail=False)
    # One walk of the tree for all selectors.
    _drop(root, _selector((*DEFAULT_DROP_SELECTORS, *drop_selectors))(root))
    _drop(root, [node for node in _STYLED(root) if _HIDDEN_STYLE.search(node.get("style"))])
    # <font> is presentation. <object> shows its fallback content when it cannot
    # play (a reader never can); MathML is kept as its text, since sanitizers drop
    # foreign elements whole, and an unclosed one would take the article with it.
    etree.strip_tags(root, "font", "object", "math", *_MATHML_TAGS)
    for node in root.iter(*_LAZY_TAGS):
        _load_now(node, "src", LAZY_SOURCE_ATTRIBUTES)
    dropped: list[etree._Element] = []
    for player in list(root.iter(*_PLAYERS)):
        _keep_playable(player, dropped)
    etree.strip_tags(root, _UNWRAPPED)
    _drop(root, dropped)
    trusted = {host.lower() for host in iframe_hosts}
    dropped = []
    for frame in list(root.iter("iframe")):
        source = (frame.get("src") or "").strip()
        host = _hostname(source)
        if source and host.lower() in trusted:
            continue
        if source:
            _replace(frame, "p")
            link = etree.SubElement(frame, "a", href=_storable(source))
            link.text = _storable(source)
        else:
            dropped.append(frame)
    _drop(root, dropped)
    body = next(root.iter("body"), None)  # (the parser may put it in a <frameset>)
    return _inner_html(body if body is not None else root)


# Names the HTML parser never gives an element (it lowers the case of tag names), for
# the elements a step removes or unwraps before lxml does it in one pass.
_DOCUMENT = "POSTFEED-DOCUMENT"
_DROPPED = "POSTFEED-DROPPED"
_EMPTY_COMMENT = "POSTFEED-EMPTY-COMMENT"
_UNWRAPPED = "POSTFEED-UNWRAPPED"
_STYLED = etree.XPath("descendant-or-self::*[@style]")


def _parse(body_html: str) -> etree._Element:
    """The document as BeautifulSoup's "lxml" builder read it before (same parser, options
    and feeding), under one element of ours: the parser starts a new <html> element, beside
    the first, for what follows an `</html>`."""
    parser = etree.HTMLParser(recover=True, collect_ids=False)
    document = etree.Element(_DOCUMENT)
    try:
        parser.feed(body_html.removeprefix("\ufeff"))
        root = parser.close()
    except etree.ParserError:  # "Document is empty"
        return document
    if root is None:  # comments only
        return document
    tops = [*reversed(list(root.itersiblings(preceding=True))), root, *root.itersiblings()]
    document.extend(tops)
    return document


# What BeautifulSoup, which did this job before, took for blank text.
_BLANK = frozenset(" \n\t\f\r")


def _collapse_blank_text(root: etree._Element) -> set[etree._Element]:
    """Make each run of blank text between two tags one newline (when it has one) or one
    space, outside <pre> and <textarea> (the elements returned, with all they hold): how
    BeautifulSoup read HTML for this step before, kept so that the output stays the same."""
    verbatim: set[etree._Element] = set()
    for block in root.iter("pre", "textarea"):
        if block not in verbatim:
            verbatim.update(block.iter())
    for node in root.iter():
        text, tail = node.text, node.tail
        if text and node not in verbatim and isinstance(node.tag, str) and _BLANK.issuperset(text):
            node.text = "\n" if "\n" in text else " "
        if tail and _BLANK.issuperset(tail) and node.getparent() not in verbatim:
            node.tail = "\n" if "\n" in tail else " "
    return verbatim


@cache
def _selector(selectors: tuple[str, ...]) -> etree.XPath:
    """The CSS selectors, as one XPath expression (a union, in document order)."""
    return etree.XPath(cssselect.HTMLTranslator().css_to_xpath(", ".join(selectors)))


def _drop(root: etree._Element, nodes: Iterable[etree._Element]) -> None:
    """Remove `nodes` with what they hold, keeping the text that follows each."""
    for node in nodes:
        node.tag = _DROPPED
    etree.strip_elements(root, _DROPPED, with_tail=False)


def _replace(node: etree._Element, tag: str, **attributes: str) -> None:
    """Make `node` a new, empty `tag` element in its place (the text after it stays)."""
    node.clear(keep_tail=True)
    node.tag = tag
    for name, value in attributes.items():
        node.set(name, _storable(value))


def _storable(value: str) -> str:
    """`value` without the characters lxml refuses to store (XML 1.0 forbids them, and
    sanitize removes them from the output anyway)."""
    return clean_text(value)


def _load_now(node: etree._Element, attribute: str, lazy_attributes: Iterable[str]) -> None:
    """Give `node` the URL a script would have set from a lazy-loading attribute."""
    for lazy in lazy_attributes:
        value = node.get(lazy)
        if value:
            node.set(attribute, _storable(value))
            return


def _keep_playable(player: etree._Element, dropped: list[etree._Element]) -> None:
    """Keep a player that can play, with controls; else leave only its poster, if any."""
    _load_now(player, "poster", LAZY_POSTER_ATTRIBUTES)
    playable = _loadable(player.get("src"))
    for source in player.iter("source"):
        if _loadable(source.get("src")):
            playable = True
        else:
            source.tag = _UNWRAPPED  # not dropped: the parser nests what follows a <source>
    if playable:
        player.set("controls", "")
        return
    poster = player.get("poster") if player.tag == "video" else None
    if _loadable(poster):
        _replace(player, "img", src=poster, alt="")
    else:
        dropped.append(player)


# Written as <br/>, without an end tag, when they have no content (BeautifulSoup's list,
# which this output followed before: the sanitizer reads either spelling alike).
_EMPTY_ELEMENTS = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "menuitem",
    "meta", "param", "source", "track", "wbr", "basefont", "bgsound", "command", "frame",
    "image", "isindex", "nextid", "spacer",
})  # fmt: skip


def _inner_html(parent: etree._Element) -> str:
    """What `parent` holds, as HTML (not lxml's serializer: it percent-encodes URLs)."""
    out = [_escape(parent.text)]
    for event, node in etree.iterwalk(parent, events=("start", "end")):
        if node is parent:
            continue
        if node.tag == _EMPTY_COMMENT:
            if event == "end":
                out.append("<!---->" + _escape(node.tail))
            continue
        empty = node.tag in _EMPTY_ELEMENTS and len(node) == 0 and not node.text
        if event == "start":
            out.append(_start_tag(node, empty))
            if not empty:
                out.append(_escape(node.text))
        else:
            if not empty:
                out.append(f"</{node.tag}>")
            out.append(_escape(node.tail))
    return "".join(out)


def _start_tag(node: etree._Element, empty: bool) -> str:
    # Sorted, as BeautifulSoup wrote them before: the sanitizer keeps their order.
    attributes = "".join(f" {name}={_quoted(value)}" for name, value in sorted(node.items()))
    return f"<{node.tag}{attributes}{'/' if empty else ''}>"


def _escape(text: str | None) -> str:
    if not text:
        return ""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _quoted(value: str) -> str:
    value = _escape(value)
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return '"' + value.replace('"', "&quot;") + '"'


def _loadable(url: object) -> bool:
    """Whether the sanitizer will keep `url` (a value of an attribute) as a URL."""
    return isinstance(url, str) and urls.absolute(url, _ANY_BASE) is not None


def _hostname(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:  # e.g. "http://[oops": not a URL
        return ""


class StructureError(ValueError):
    """HTML shaped to make the parsers work with the square of its size."""


# Bounds on the shape of a body's HTML, checked before any parser sees it: html5ever
# (the sanitizer) takes time with the square of the nesting depth and rebuilds every
# open formatting element at each new block (output with the square of the input);
# libxml2 (the cleaner) takes minutes for a tag with 100,000 attributes. No page a
# person reads comes near these.
MAX_DEPTH = 512
MAX_ATTRIBUTES = 256
# Tags (well, "<"s) in one article: the work after rendering is per element, and a
# megabyte of Markdown such as "#" lines renders to a million tags.
MAX_TAGS = 500_000
# Elements whose end tag may be left out (HTML closes them by itself): not counted.
_SELF_CLOSING = _VOID_TAGS | {
    "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody",
    "tfoot", "colgroup", "caption", "rt", "rp", "html", "head", "body",
}  # fmt: skip
# Only the tags that count (the others are left out by the expression, not by Python).
_TAG_NAME = re.compile(
    rf"<(/?)(?!(?:{'|'.join(sorted(_SELF_CLOSING))})(?![a-zA-Z0-9-]))([a-zA-Z][a-zA-Z0-9-]*)",
    re.IGNORECASE,
)
# A tag long enough to hold MAX_ATTRIBUTES attributes (most are far shorter).
_LONG_TAG = re.compile(r"<[a-zA-Z][^<>]{1024,}")


def check_structure(body_html: str) -> None:
    """Raise StructureError when the HTML has over MAX_TAGS tags, nests deeper than
    MAX_DEPTH elements (end tags that may be left out aside) or a tag has over
    MAX_ATTRIBUTES attributes.
    Linear scans, at the speed of the regular expression engine."""
    if body_html.count("<") > MAX_TAGS:
        raise StructureError(f"over {MAX_TAGS} tags")
    for tag in _LONG_TAG.finditer(body_html):  # (a long data: URL is one attribute)
        if len(tag.group().split()) > MAX_ATTRIBUTES:
            raise StructureError(f"a tag with over {MAX_ATTRIBUTES} attributes")
    depth = 0
    for tag in _TAG_NAME.finditer(body_html):  # not findall: no list of every tag
        if tag[1]:
            depth -= depth > 0
        else:
            depth += 1
            if depth > MAX_DEPTH:
                raise StructureError(f"elements nested over {MAX_DEPTH} deep")


def sanitize(body_html: str, base_url: str) -> str:
    """nh3's allow-list; every URL absolute (against `base_url`) or dropped."""

    def keep_attribute(tag: str, attribute: str, value: str) -> str | None:
        if attribute in _URL_ATTRIBUTES:
            return urls.absolute(value, base_url)
        return value if len(value) <= MAX_ATTRIBUTE_CHARS else None

    cleaned = nh3.clean(
        _unknown_tags_dropped(_split_long_text(body_html)),
        tags=_TAGS,
        # Dropped with everything in them. Not <object> or <math>: an unclosed one
        # would take the rest of the article with it; their tags go, their text stays.
        clean_content_tags={"script", "style", "svg", "template"},
        attributes=_ATTRIBUTES,
        attribute_filter=keep_attribute,
        url_schemes=set(urls.CONTENT_SCHEMES),
        set_tag_attribute_values={"img": {"referrerpolicy": "no-referrer"}},
        link_rel="noopener noreferrer",
    )
    if "<pre" not in cleaned:
        cleaned = _BLANK_RUNS.sub("\n", cleaned)
    return clean_text(cleaned.strip())


# The sanitizer's serializer (html5ever's) looks for the next "<" or ">" from every "&"
# and every character U+0080-U+00BF ("°", "·", a no-break space) that it writes, so a text
# node or an attribute value full of them takes time with the square of its length (a
# megabyte of "&" in one paragraph: 10 s). Kept attribute values are bounded (URLs by
# urls.absolute, others by MAX_ATTRIBUTE_CHARS), and long text is cut, before the sanitizer
# reads it, into nodes of about MAX_TEXT_RUN characters: by an empty element of no known
# kind (not a comment: text in a table moves out of it, and would join up again), and in
# the elements whose text is raw, by ending the element and opening it again. The
# sanitizer drops these tags and keeps the text, so the output is the same.
MAX_TEXT_RUN = 4096
MAX_ATTRIBUTE_CHARS = 4096
_COSTLY = re.compile("[&\u0080-\u00bf]")
# One tag as the HTML tokenizer reads it: the name, then attributes whose quoted values may
# hold ">", up to ">" or the end of the text. Possessive, so linear on any input.
_TAG_TOKEN = re.compile(
    r"</?([A-Za-z][^\t\n\f\r />]*+)"
    r"(?:[\t\n\f\r /]++"
    r"|[^\t\n\f\r />][^\t\n\f\r />=]*+"
    r"(?:[\t\n\f\r ]*+=[\t\n\f\r ]*+(?:\"[^\"]*+\"?+|'[^']*+'?+|[^\t\n\f\r >]*+))?+"
    r")*+>?"
)
_COMMENT_END = re.compile(r"--!?>")
# Elements whose text the tokenizer reads raw, up to their end tag: those the sanitizer
# drops with their text or keeps unescaped (no cost), and those whose text it keeps.
_RAW_UNTOUCHED = frozenset({"script", "style", "iframe", "noscript"})
_RAW_SPLIT = frozenset({"textarea", "title", "xmp", "noembed", "noframes"})


def _split_long_text(html: str) -> str:
    """`html` with every long text cut into shorter runs (see MAX_TEXT_RUN). One pass of a
    reading of the HTML that follows the tokenizer's for tags, comments and raw text.

    After <svg>, <math> (foreign content) or <select>, whether an element's text is raw
    depends on more than this reading knows, so from such an element on, all is left as it
    is: correct either way, only not made faster.
    """
    if all(len(piece) <= MAX_TEXT_RUN for piece in html.split("<")):
        return html  # (every text is shorter: nothing to do)
    out: list[str] = []
    position = index = 0  # the start of the current text; where to look for the next "<"
    unsure = {"svg": 0, "math": 0, "select": 0}  # open elements of these kinds (at most)
    while (start := html.find("<", index)) >= 0:
        closing = html.startswith("</", start)
        after = html[start + 1 + closing : start + 2 + closing]
        name = ""  # of a start tag
        if html.startswith("<!--", start):
            end = _comment_end(html, start)
        elif tag := _TAG_TOKEN.match(html, start):
            end = tag.end()
            name = tag.group(1).lower()
            if name in unsure:
                unsure[name] = max(0, unsure[name] - 1) if closing else unsure[name] + 1
            if closing:
                name = ""
        elif closing or after in ("!", "?"):  # a bogus comment, up to ">"
            end = html.find(">", start) + 1 or len(html)
        else:
            index = start + 1  # a "<" that is text
            continue
        raw = name in _RAW_UNTOUCHED or name in _RAW_SPLIT or name == "plaintext"
        if any(unsure.values()) and (raw or html.startswith("<![CDATA[", start)):
            out += (_split_run(html[position:start]), html[start:])  # unsure from here on
            return "".join(out)
        out += (_split_run(html[position:start]), html[start:end])
        position = index = end
        if name == "plaintext":  # raw to the end: the same text, escaped, after a
            rest = html[end:]  # <listing>, which closes a paragraph as <plaintext> does
            if len(rest) > MAX_TEXT_RUN:
                out[-1] = "<listing></listing>"
                rest = _split_run(rest.replace("&", "&amp;").replace("<", "&lt;"))
            return "".join((*out, rest))
        if raw:
            close = re.compile(rf"</{name}[\t\n\f\r />]", re.IGNORECASE).search(html, end)
            position = index = close.start() if close else len(html)
            text = html[end:position]
            out.append(_split_run(text, f"</{name}><{name}>") if name in _RAW_SPLIT else text)
    out.append(_split_run(html[position:]))
    return "".join(out)


# Tags the sanitizer is left to decide on: those it keeps, those whose content it drops
# (script, svg, ...), and the ones whose parsing changes what follows.
_SANITIZER_DECIDES = _TAGS | {
    "script", "style", "svg", "template", "noscript", "textarea", "title", "xmp", "noembed",
    "noframes", "plaintext", "select", "option", "optgroup", "object", "math", "html", "head",
    "body", "frameset", "frame",
}  # fmt: skip
_ANY_TAG_NAME = re.compile(r"</?([a-zA-Z][a-zA-Z0-9-]*+)")


def _unknown_tags_dropped(html: str) -> str:
    """`html` without the tags of elements HTML does not know (`List<int>` written in a
    sentence), their text kept: a browser shows it, and the sanitizer drops the text of
    some of them (`<int>`, `<set>`, `<text>`: names from MathML and SVG) outside the
    <math> or <svg> they belong to."""
    if all(name.lower() in _SANITIZER_DECIDES for name in _names_of(html)):
        return html
    return _TAG_TOKEN.sub(lambda tag: tag[0] if tag[1].lower() in _SANITIZER_DECIDES else "", html)


def _names_of(html: str) -> set[str]:
    return set(_ANY_TAG_NAME.findall(html))


def _comment_end(html: str, start: int) -> int:
    if html.startswith(("<!-->", "<!--->"), start):
        return html.index(">", start) + 1
    end = _COMMENT_END.search(html, start + 4)
    return end.end() if end else len(html)


def _split_run(text: str, cut: str = "<postfeed-cut></postfeed-cut>") -> str:
    """`text` with `cut` before a costly character about every MAX_TEXT_RUN characters
    (counted from its first one that is not blank: a blank text in a table stays where
    it is, and a cut inside a character reference could change it)."""
    if len(text) <= MAX_TEXT_RUN:
        return text
    pieces = []
    last = 0
    next_cut = len(text) - len(text.lstrip("\t\n\f\r ")) + MAX_TEXT_RUN
    while (found := _COSTLY.search(text, next_cut)) is not None:
        pieces += (text[last : found.start()], cut)
        last = found.start()
        next_cut = last + MAX_TEXT_RUN
    pieces.append(text[last:])
    return "".join(pieces)


def plain_text(content_html: str) -> str:
    """The text of an HTML fragment, with a space wherever a block element breaks it."""
    if not content_html.strip():
        return ""
    root = lxml.html.fragment_fromstring(content_html, create_parent="div")
    for element in root.iter():
        if element.tag in _BLOCK_TAGS:
            element.tail = " " + (element.tail or "")
            element.text = " " + (element.text or "")
    return root.text_content()


def summarize(content_html: str, length: int = SUMMARY_LENGTH) -> str:
    """Plain text of about `length` characters, cut at a sentence end when one is near.

    Only the start of the HTML is parsed when it holds enough text: a summary of a
    megabyte-long article needs its first paragraphs, not a tree of all of it; and
    never more than SUMMARY_MAX_SOURCE_CHARS of it (an article whose first 256 KB of
    HTML hold no text has its summary from them, or none).
    """
    text = _summary_text(content_html[:SUMMARY_SOURCE_CHARS])
    # Well past `length`: a tag or URL cut at the end of the slice changes nothing here.
    if len(text) <= 2 * length and len(content_html) > SUMMARY_SOURCE_CHARS:
        # Cut before a tag, not inside one (the text of the HTML has no "<" of its own).
        end = len(content_html)
        if end > SUMMARY_MAX_SOURCE_CHARS:
            end = max(content_html.rfind("<", 0, SUMMARY_MAX_SOURCE_CHARS), 0)
        text = _summary_text(content_html[:end])
    if len(text) <= length:
        return text
    window = text[: length + 1]
    cut = max(max(window.rfind(mark) for mark in _SENTENCE_END), window.rfind(". "))
    if cut >= length * 2 // 3:
        return window[: cut + 1]
    cut = window.rfind(" ")  # Latin text: do not cut a word in two
    if cut < length * 4 // 5 or not window[cut - 1].isascii():
        cut = length
    return text[:cut].rstrip() + "…"


def _summary_text(content_html: str) -> str:
    """plain_text, with the spaces at block boundaries written into the HTML by one
    regular expression rather than by a walk of every element: an article of a million
    empty elements has no text, and a walk of them took a second."""
    if not content_html.strip():
        return ""
    spaced = _BLOCK_TAG.sub(r"\g<0> ", content_html)
    text = lxml.html.fragment_fromstring(spaced, create_parent="div").text_content()
    text = _BARE_URL.sub(" ", text).replace("\u3000", " ")
    return " ".join(text.split())
