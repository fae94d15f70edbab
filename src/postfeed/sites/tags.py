"""Expand a site generator's template tags in a post body, before the body is rendered.

Hexo, Jekyll and Hugo expand their tags (`{% img %}`, `{% highlight %}`, `{{< figure >}}` ...)
themselves; postfeed renders the Markdown on its own, so it expands them first, to Markdown and
HTML that a CommonMark renderer passes through. No `{% ... %}` or `{{< ... >}}` is left as
literal text, except where the generator itself shows it (code, `raw`, Hugo's `{{</* */>}}`
escape) or where a tag is broken (never closed), which stays as written.

`syntax` is one of:

- `"hexo"`: Nunjucks-style tags and Hexo 8's built-in tag plugins, `{{ variable }}` and
  `{# comment #}`.
- `"liquid"`: Jekyll's Liquid tags, `{{ variable | filter }}` output and `{% raw %}`.
- `"hugo"`: Hugo shortcodes `{{< name >}}`, `{{% name %}}`, closing `{{< /name >}}`,
  self-closing `{{< name />}}` and the comment form `{{</* name */>}}`.

Where each generator looks for tags (read in their sources and checked with the real
generators on small fixtures: Hexo 8.1.2, Jekyll 4.3.1 with Liquid 5.4, Hugo 0.168):

- Hexo leaves code alone. Its `backtick_code_block` filter takes every fenced block (``` or ~~~,
  also after `>` quote markers or a list marker) out of the text before the tag pass; its tag
  scanner (`PostRenderEscape.escapeAllSwigTags` in hexo/post.js) skips inline code (a run of
  backticks up to the next run at least as long, never across a blank line) and HTML comments;
  and after rendering it escapes the braces inside every `<code>` element, so tags there show
  literally. The same regions are copied verbatim here. Not detected: indented code blocks,
  whose tags Hexo shows literally and which are expanded here.
- Jekyll renders Liquid over the whole file before kramdown sees it: tags inside fenced and
  inline code are expanded too (that is why sites wrap such code in `{% raw %}`).
- Hugo lexes shortcodes out of the whole content before goldmark: inside code fences and inline
  code as well; `{{</* x */>}}` is how an author shows one literally.

What is rendered, and how:

- Block output (code, blockquotes, figures, `details`) stands on lines of its own with blank
  lines around it, so CommonMark takes it as an HTML block. Code goes in a `<pre>` (an HTML
  block that blank lines do not end) with its text HTML-escaped; a Hexo code caption makes it a
  `<figure>` written on one line (newlines as `&#10;`) for the same reason. The Markdown body
  of a blockquote and a Hugo figure's caption sit between blank lines inside the HTML, so the
  renderer still renders them.
- Every value written into markup is escaped (`html.escape`, quotes included); URLs are not
  vetted here (the sanitizer drops `javascript:` and friends later). Links to other posts come
  from `TagContext.resolve`.
- Players (`iframe`, `youtube`, `vimeo`, `jsfiddle`, `gist`, Hugo's `x`/`tweet`/`instagram`)
  become plain links: most feed readers drop iframes and scripts.
- Hexo: `hexo_code_blocks` makes each fence Hexo's filter takes the one-line code markup Hexo
  puts in its place (a line that opens with a fence and goes on after it opens a block whose
  caption is the rest of the line); a tag or variable that starts a line gets an empty HTML
  comment before it, as Hexo's placeholder comment makes that line an HTML block of its own;
  `asset_*` tags name only files `TagContext.asset_exists` knows (Hexo renders nothing for
  others); the plugins hexo-sliding-spoiler (`spoiler`) and hexo-static-math (`math`) show
  their title and their TeX.
- Jekyll: an include of the site's (`TagContext.include`) that only prints variables
  (`{{ include.x }}`) is rendered with the tag's parameters.
- Hugo: a shortcode the site has a simple template for (`TagContext.shortcodes`: HTML around
  `.Inner`, `.Get`, `.Scratch`) is rendered from it (see `_GoTemplate`); `expand_held` and
  `put_back` keep the output of the shortcodes aside while the page is worked on (Hugo's raw
  HTML omission).
- Any other tag or shortcode (theme ones such as `{% note %}`): a block keeps its inner text,
  a single tag is dropped; one warning per name and post (at most `MAX_WARNINGS` in all). A
  closing tag that closes nothing and the opening tag of a block never closed are dropped with
  a warning, and their text kept.
- Liquid and Hexo variables come from `TagContext.variables` (Hexo: `name`, then `page.name`;
  Hugo's `param`: `params.NAME`); an unknown one renders empty, with one warning. The Liquid
  filters `relative_url`, `absolute_url`, `escape`, `xml_escape`, `strip_html` and
  `date_to_xmlschema` are applied; any other leaves the value as it is, with one warning.
  Whitespace control (`{%-`, `-%}`) is accepted and ignored.

Not reproduced, on purpose or for want of the site's files: Liquid control flow is not run
(`{% if %}` keeps the text of every branch, `{% else %}` and `{% assign %}` are dropped);
other includes cannot be rendered (dropped, named in a warning), nor other site templates
(the inner text is kept); without `asset_exists`, Hexo's `asset_*` tags are taken to name a
file that exists; Hexo's `raw` text and a
Hugo `{{< >}}` shortcode's inner text go through Markdown like the rest (the generators keep
them out of it); `{{ expression }}` that is not a plain variable stays as text, with a warning
(Hexo and Jekyll would fail or guess); code highlighting, line numbers and marked lines are
not rendered.

Hostile bodies: every search is one left-to-right scan with `str.find` and simple regular
expressions (no nested quantifiers), with the position of the next closer remembered, so a
megabyte of openers without closers costs one pass; a tag cannot contain another opener of
its kind; blocks nest at most `MAX_DEPTH` deep (deeper openers are kept as text); includes and
site templates write at most `MAX_INCLUDED` characters per post.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from urllib.parse import urlsplit

from postfeed.article import Warn

SYNTAXES = ("hexo", "liquid", "hugo")
MAX_DEPTH = 32
MAX_WARNINGS = 20  # per post: a body of a thousand made-up tag names gets no thousand lines
# Characters a post's Jekyll includes and Hugo shortcode templates may write (a tag is
# short, a file long: a thousand tags must not make a gigabyte).
MAX_INCLUDED = 1_000_000


@dataclass(frozen=True)
class TagContext:
    """What tags need to know about the post they are in and about its site."""

    post_url: str  # the post's own permalink (absolute), ends in "/" or a file name
    site_url: str  # the site root URL, ends in "/"
    # A reference to another post as the generator's tag gives it (Hexo post_link slug, Jekyll
    # post_url name or link path, Hugo ref/relref path) -> (absolute url, title), or None.
    resolve: Callable[[str], tuple[str, str] | None] = lambda ref: None
    # Liquid variables such as "site.url", "site.baseurl", "page.title"; Hugo "params.NAME".
    variables: Mapping[str, str] = field(default_factory=dict)
    # Hexo: whether the post's asset folder holds this file (`asset_*` tags name nothing
    # else); None: taken to hold any.
    asset_exists: Callable[[str], bool] | None = None
    # Jekyll: the text of the site's include file of this name (`_includes/NAME`), or None.
    include: Callable[[str], str | None] = lambda name: None
    # Hugo: the site's shortcode templates (`layouts/shortcodes/NAME.html`) by name.
    shortcodes: Mapping[str, str] = field(default_factory=dict)


def expand(text: str, syntax: str, context: TagContext, warn: Warn) -> str:
    """`text` with the tags of `syntax` ("hexo", "liquid" or "hugo") expanded."""
    if syntax not in SYNTAXES:
        raise ValueError(f"unknown tag syntax {syntax!r}: expected one of {', '.join(SYNTAXES)}")
    if "{" not in text:
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _Expander(syntax, context, warn).run(text)


def expand_held(text: str, syntax: str, context: TagContext, warn: Warn) -> tuple[str, list[str]]:
    """`text` with each tag (outside any other) replaced by a placeholder word, and the
    tags' output, for `put_back`: for work on the text that must not touch that output
    (Hugo's raw HTML omission reads the page with its shortcodes taken out)."""
    if syntax not in SYNTAXES:
        raise ValueError(f"unknown tag syntax {syntax!r}: expected one of {', '.join(SYNTAXES)}")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "{" not in text:
        return text, []
    expander = _Expander(syntax, context, warn)
    # A mark the text does not hold: longer than any it holds already.
    longest = max((len(m.group(1)) for m in _HOLD_MARKS.finditer(text)), default=-1)
    marker = _HOLD_MARK + "X" * (longest + 1)
    expander.hold = marker
    held = expander.run(text)
    return held, [marker, *expander.held]


def put_back(text: str, outputs: list[str]) -> str:
    """`text` with the placeholders of `expand_held` replaced by the tags' output."""
    if not outputs:
        return text
    marker, found = outputs[0], outputs[1:]

    def output(match: re.Match[str]) -> str:
        number = int(match.group(1))
        return found[number] if number < len(found) else match.group(0)

    return re.sub(re.escape(marker) + r"([0-9]+)E", output, text)


_HOLD_MARK = "POSTFEEDHELD"
_HOLD_MARKS = re.compile(_HOLD_MARK + "(X*)")


# --- scanning helpers --------------------------------------------------------------------


class _Finder:
    """`text.find(needle, start)` for starts that do not decrease.

    The last answer is remembered: a thousand openers with no closer after them cost one
    search for the closer, not a thousand.
    """

    __slots__ = ("_found", "_last", "_needle", "_text")

    def __init__(self, text: str, needle: str) -> None:
        self._text = text
        self._needle = needle
        self._found = -2  # not searched yet
        self._last = 0

    def find(self, start: int) -> int:
        if start < self._last:  # a scan never goes back; stay correct if one did
            return self._text.find(self._needle, start)
        self._last = start
        if self._found == -1 or self._found >= start:
            return self._found
        self._found = self._text.find(self._needle, start)
        return self._found


class _Searcher:
    """`pattern.search(text, start)` for starts that do not decrease, remembered like `_Finder`."""

    __slots__ = ("_done", "_last", "_match", "_pattern", "_text")

    def __init__(self, pattern: re.Pattern[str], text: str) -> None:
        self._pattern = pattern
        self._text = text
        self._match: re.Match[str] | None = None
        self._done = False
        self._last = 0

    def search(self, start: int) -> re.Match[str] | None:
        if start < self._last:
            return self._pattern.search(self._text, start)
        self._last = start
        if self._done:
            return None
        if self._match is None or self._match.start() < start:
            self._match = self._pattern.search(self._text, start)
            self._done = self._match is None
        return self._match


class _EndTag:
    """Where the next `{% endNAME %}` (spaces and `-` allowed inside) starts and ends."""

    __slots__ = ("_finder", "_found", "_text", "_word")

    def __init__(self, text: str, word: str) -> None:
        self._text = text
        self._word = word
        self._finder = _Finder(text, word)
        self._found: tuple[int, int] | None = (-1, -1)  # (-1, -1): not searched yet

    def find(self, start: int) -> tuple[int, int] | None:
        found = self._found
        if found is None or found[0] >= start:
            return found
        text, n = self._text, len(self._text)
        while (k := self._finder.find(start)) != -1:
            # The whitespace skipped either side of each occurrence holds no other occurrence,
            # so no character is looked at twice.
            b = k
            while b > start and text[b - 1] in " \t\n":
                b -= 1
            if b > start and text[b - 1] == "-":
                b -= 1
            e = k + len(self._word)
            while e < n and text[e] in " \t\n":
                e += 1
            if e < n and text[e] == "-":
                e += 1
            if b - 2 >= start and text.startswith("{%", b - 2) and text.startswith("%}", e):
                self._found = (b - 2, e + 2)
                return self._found
            start = k + 1
        self._found = None
        return None


@dataclass(slots=True)
class _Tag:
    kind: str  # "open", "end" or "var"
    name: str
    args: str  # what follows the name (a variable's whole expression)
    source: str  # the tag as written
    closed: bool = False  # a Hugo shortcode written `{{< name />}}`


_Token = str | _Tag

_TAG_NAME = re.compile(r"[A-Za-z_][\w-]*")
_HUGO_NAME = re.compile(r"[A-Za-z0-9_][\w./-]*")


def _parse_tag(content: str, source: str) -> _Tag | None:
    """A `{% name args %}` tag from what is between its delimiters, or None if it is none."""
    body = content.strip()
    body = body.removeprefix("-").removesuffix("-").strip()
    match = _TAG_NAME.match(body)
    if match is None or (match.end() < len(body) and not body[match.end()].isspace()):
        return None
    name, args = match.group(), body[match.end() :].strip()
    if name.startswith("end") and len(name) > 3:
        return _Tag("end", name[3:], args, source)
    return _Tag("open", name, args, source)


def _split_args(args: str, quotes: str) -> list[str]:
    """Whitespace-separated words; a quoted part (with backslash escapes) may hold spaces.
    Quotes are kept: see `_unquote`."""
    words: list[str] = []
    start = -1
    quote = ""
    i, n = 0, len(args)
    while i < n:
        ch = args[i]
        if quote:
            if ch == "\\" and quote != "`":
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in quotes:
            quote = ch
            if start < 0:
                start = i
        elif ch.isspace():
            if start >= 0:
                words.append(args[start:i])
                start = -1
        elif start < 0:
            start = i
        i += 1
    if start >= 0:
        words.append(args[start:])
    return words


def _unquote(word: str, quotes: str) -> str:
    out: list[str] = []
    quote = ""
    i, n = 0, len(word)
    while i < n:
        ch = word[i]
        if quote:
            if ch == "\\" and quote != "`" and i + 1 < n:
                out.append(word[i + 1])
                i += 2
                continue
            if ch == quote:
                quote = ""
            else:
                out.append(ch)
        elif ch in quotes:
            quote = ch
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _dedent(text: str) -> str:
    """Remove the indentation all non-blank lines share (as Hexo's stripIndent does)."""
    lines = text.split("\n")
    indents = [line[: len(line) - len(line.lstrip(" \t"))] for line in lines if line.strip()]
    if not indents:
        return text
    low, high = min(indents), max(indents)  # their common prefix is everyone's
    n = 0
    while n < len(low) and low[n] == high[n]:
        n += 1
    prefix = low[:n]
    if not prefix:
        return text
    return "\n".join(line[len(prefix) :] if line.strip() else "" for line in lines)


def _esc(value: str) -> str:
    return html.escape(value, quote=True)


def _block(markup: str) -> str:
    """Markup on lines of its own with blank lines around: an HTML block to CommonMark."""
    return f"\n\n{markup}\n\n"


def _element(name: str, attrs: Iterable[tuple[str, str | None]], text: str | None = None) -> str:
    """An element with escaped attribute values (empty ones left out) and escaped text."""
    parts = [f"<{name}"]
    parts += [f' {key}="{_esc(value)}"' for key, value in attrs if value]
    parts.append(">")
    if text is not None:
        parts.append(f"{_esc(text)}</{name}>")
    return "".join(parts)


def _link(url: str, text: str = "") -> str:
    return _element("a", [("href", url)], text or url)


def _code_block(code: str, lang: str | None, caption: str = "") -> str:
    """Code as `<pre><code>` with its text escaped; `caption` is markup already escaped."""
    cls = f' class="language-{_esc(lang)}"' if lang else ""
    pre = f"<pre><code{cls}>{html.escape(code, quote=False)}</code></pre>"
    if not caption:
        return _block(pre)
    # A <figure> HTML block would end at the code's first blank line: keep it on one line.
    one_line = pre.replace("\n", "&#10;")
    return _block(
        f'<figure class="highlight"><figcaption>{caption}</figcaption>{one_line}</figure>'
    )


def _inner(body: str) -> str:
    """The inner text of a tag reduced to it: on lines of its own (dedented) when it spans
    lines, as the `<div>` a theme's tag makes of it would be."""
    if "\n" not in body:
        return body
    return _block(_dedent(body).strip("\n"))


def _trim_body(body: str) -> str:
    """Hexo's trimBody: dedented, one newline dropped at either end."""
    body = _dedent(body)
    body = body.removeprefix("\n")
    return body.removesuffix("\n")


_HAS_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def _cite(words: list[str]) -> tuple[str, str, str] | None:
    """Octopress-style `text URL [link text]` (Hexo blockquote and codeblock arguments): the
    last http(s) word after the first that has words after it, else the last one at all."""
    urls = [k for k in range(1, len(words)) if words[k].lower().startswith(("http://", "https://"))]
    if not urls:
        return None
    with_title = [k for k in urls if k < len(words) - 1]
    k = with_title[-1] if with_title else urls[-1]
    return " ".join(words[:k]), words[k], " ".join(words[k + 1 :])


# --- Hexo's regions without tags ---------------------------------------------------------

_FENCE_OPEN = re.compile(r"(?:(?:[ \t]*>){0,3}|[-*+]|[0-9]+\.)[ \t]*(`{3,}|~{3,})(.*)")
_FENCE_CLOSE = re.compile(r"(?:[ \t]*>){0,3}[ \t]*(`{3,}|~{3,})[ \t]?")


def _hexo_fences(text: str) -> list[tuple[int, int]]:
    """The spans of fenced code blocks as Hexo's backtick_code_block filter finds them: an
    opening fence line, then the first later line that is the same fence alone."""
    if "```" not in text and "~~~" not in text:
        return []
    lines = text.split("\n")
    starts: list[int] = []
    offset = 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    closers: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        if match := _FENCE_CLOSE.fullmatch(line):
            closers.setdefault(match.group(1), []).append(i)
    seen = dict.fromkeys(closers, 0)  # per fence, how many of its closers lie behind the scan
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        match = _FENCE_OPEN.match(lines[i])
        if match and not match.group(2).strip().endswith("`"):
            fence = match.group(1)
            candidates = closers.get(fence, [])
            p = seen.get(fence, 0)
            while p < len(candidates) and candidates[p] <= i:
                p += 1
            seen[fence] = p
            if p < len(candidates):
                j = candidates[p]
                spans.append((starts[i], starts[j] + len(lines[j])))
                i = j + 1
                continue
        i += 1
    return spans


# hexo's backtick_code_block: the options it takes out of a fence's arguments, and how it
# reads the rest (`lang caption URL link-text`, else `lang caption`).
_FENCE_OPTION = re.compile(
    r"\s((?:line_number|line_threshold|first_line|wrap|mark|language_attr|highlight):\S+)"
)
_WORD = re.compile(r"\S+")
_FENCE_URL = re.compile(r"https?://\S+|/\S+")


def hexo_code_blocks(text: str) -> str:
    """`text` with each fenced code block Hexo's `backtick_code_block` filter takes made the
    HTML Hexo puts in its place, on one line (as Hexo's own placeholder is), so that the
    Markdown renderer keeps it as it is.

    Hexo's filter finds fences its own way, and they are not always CommonMark's: a line
    ````name``` text` opens a block there (the rest of the line is its language and a caption,
    shown above the code) and the block runs to the next line that is the fence alone. The
    code is HTML-escaped, its braces too, so that no template tag is read in it; a block
    inside an HTML comment, or with `highlight:false`, is left to the renderer, as in Hexo.
    """
    spans = _hexo_fences(text)
    if not spans:
        return text
    comments = _comment_spans(text)
    out: list[str] = []
    position = ci = 0
    for start, end in spans:
        while ci < len(comments) and comments[ci][1] <= start:
            ci += 1
        if ci < len(comments) and comments[ci][0] < start and comments[ci][1] >= end:
            continue  # inside a comment: Hexo leaves it
        block = _hexo_fence_html(text[start:end])
        if block is not None:
            out += (text[position:start], block)
            position = end
    out.append(text[position:])
    return "".join(out)


def _comment_spans(text: str) -> list[tuple[int, int]]:
    """Where the HTML comments are (an unclosed one ends nothing: not a comment)."""
    spans: list[tuple[int, int]] = []
    position = 0
    while (start := text.find("<!--", position)) != -1:
        end = text.find("-->", start + 4)
        if end == -1:
            break
        spans.append((start, end + 3))
        position = end + 3
    return spans


def _hexo_fence_html(block: str) -> str | None:
    """A fenced block (its lines, from the opening fence's to the closing one's) as the
    one line of HTML Hexo's highlighter makes of it; None when Hexo leaves it as it is."""
    lines = block.split("\n")
    opening = _FENCE_OPEN.match(lines[0])
    if opening is None:
        return None
    start = lines[0][: opening.start(1)]
    if not start.strip():
        # Indented four columns, the block would be code to CommonMark (and to marked,
        # which then shows Hexo's highlighted block inside it): three spaces keep it in
        # a list item it belongs to, and make it no code.
        start = " " * min(len(start.expandtabs(4)), 3)
    args = opening.group(2).strip()
    options = dict(option.split(":", 1) for option in _FENCE_OPTION.findall(" " + args))
    if options.get("highlight", "true") != "true":
        return None
    args = _FENCE_OPTION.sub("", " " + args).strip().split("=", 1)[0]
    code = lines[1:-1]
    depth = start.count(">")
    if depth:
        # Hexo takes up to as many quote markers, and one space, off each line.
        strip = re.compile(rf"^(?:[ \t]*>){{0,{depth}}}(?:[ \t]|$)")
        code = [strip.sub("", line, count=1) for line in code]
    lang, caption = _fence_caption(args)
    escaped = html.escape("\n".join(code), quote=False)
    escaped = escaped.replace("{", "&#123;").replace("}", "&#125;").replace("\n", "&#10;")
    cls = f' class="language-{_esc(lang)}"' if lang else ""
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    pre = f"<pre><code{cls}>{escaped}</code></pre>"
    # After the empty comment the line is an HTML block that ends with the line, as Hexo's
    # placeholder comment is (a <figure> block would run on to the next blank line).
    return f'{start}{_HEXO_HOLDER}<figure class="highlight">{figcaption}{pre}</figure>'


def _fence_caption(args: str) -> tuple[str, str]:
    """The language and the caption markup of a fence's arguments, as Hexo reads them
    (`lang caption URL link text`, else `lang caption`), word by word."""
    words = list(_WORD.finditer(args))
    if not words:
        return "", ""
    lang = words[0].group()
    for k in range(2, len(words)):
        url = words[k].group()
        if _FENCE_URL.fullmatch(url):
            caption = args[words[1].start() : words[k - 1].end()]
            link_text = args[words[k].end() :].strip()
            return lang, f"<span>{_esc(caption)}</span>{_link(url, link_text or 'link')}"
    rest = args[words[0].end() :].strip()
    return lang, f"<span>{_esc(rest)}</span>" if rest else ""


def _backtick_runs(
    text: str, fences: list[tuple[int, int]]
) -> tuple[dict[int, int], list[int], list[int], list[int]]:
    """Runs of backticks outside fences: index by start, starts, lengths, and for each run
    the next run at least as long (-1: none), which is where Hexo ends inline code."""
    starts: list[int] = []
    lengths: list[int] = []
    fi = 0
    for match in re.finditer(r"`+", text):
        s = match.start()
        while fi < len(fences) and fences[fi][1] <= s:
            fi += 1
        if fi < len(fences) and fences[fi][0] <= s:
            continue
        starts.append(s)
        lengths.append(match.end() - s)
    following = [-1] * len(starts)
    stack: list[int] = []
    for i in range(len(starts) - 1, -1, -1):
        while stack and lengths[stack[-1]] < lengths[i]:
            stack.pop()
        following[i] = stack[-1] if stack else -1
        stack.append(i)
    return {s: i for i, s in enumerate(starts)}, starts, lengths, following


# --- tokenizers ----------------------------------------------------------------------------

_HEXO_HOLDER = "<!---->"
_LOOK_BACK = 16  # pieces of output read back to find where a tag's line starts
# What may stand before a block on its line: quote markers, a list item's marker, spaces.
_LINE_START = re.compile(r"[ \t>]*(?:(?:[-*+]|[0-9]{1,9}[.)])[ \t]+)?")
_HEXO_NEXT = re.compile(r"\{[{%#]|`+|<!--|<code[\s>]")
_LIQUID_NEXT = re.compile(r"\{[{%]")
_HUGO_NEXT = re.compile(r"\{\{[<%]")


class _Expander:
    def __init__(self, syntax: str, context: TagContext, warn: Warn) -> None:
        self.syntax = syntax
        self.context = context
        self._warn = warn
        self._warned: set[tuple[str, str]] = set()
        self._included = 0  # characters the post's includes have written
        self.hold = ""  # a placeholder mark: top-level output is held (see expand_held)
        self.held: list[str] = []
        self.label = {"hexo": "Hexo tag", "liquid": "Liquid tag", "hugo": "Hugo shortcode"}[syntax]

    def note(self, key: tuple[str, str], message: str) -> None:
        """Warn once per post about one kind of problem with one name."""
        if key in self._warned or len(self._warned) > MAX_WARNINGS:
            return
        self._warned.add(key)
        if len(self._warned) > MAX_WARNINGS:
            message = f"more than {MAX_WARNINGS} problems with template tags: the rest not shown"
        elif len(message) > 200:
            message = message[:199] + "…"
        self._warn("content", message)

    def show(self, name: str) -> str:
        return f"{{{{< {name} >}}}}" if self.syntax == "hugo" else f"{{% {name} %}}"

    def run(self, text: str) -> str:
        if self.syntax == "hexo":
            tokens = self._tokenize_hexo(text)
        elif self.syntax == "liquid":
            tokens = self._tokenize_liquid(text)
        else:
            tokens = self._tokenize_hugo(text)
        return self._assemble(tokens)

    # Hexo and Liquid share the `{% %}` and `{{ }}` rules; Hexo adds its verbatim regions.

    def _tokenize_hexo(self, text: str) -> list[_Token]:
        out: list[_Token] = []
        fences = _hexo_fences(text)
        run_index, run_starts, run_lengths, run_next = _backtick_runs(text, fences)
        nxt = _Searcher(_HEXO_NEXT, text)
        blank = _Finder(text, "\n\n")
        comment_end = _Finder(text, "-->")
        hash_end = _Finder(text, "#}")
        brace = _Finder(text, "}")
        lt, gt, code_end = _Finder(text, "<"), _Finder(text, ">"), _Finder(text, "</code>")
        tags = _TagScanner(self, text, out)
        pos, fi = 0, 0
        while (match := nxt.search(pos)) is not None:
            q = match.start()
            while fi < len(fences) and fences[fi][1] <= pos:
                fi += 1
            if fi < len(fences) and fences[fi][0] <= q:
                out.append(text[pos : fences[fi][1]])
                pos = fences[fi][1]
                fi += 1
                continue
            out.append(text[pos:q])
            head = match.group()
            if head.startswith("`"):
                pos = q + len(head)
                i = run_index.get(q, -1)
                j = run_next[i] if i >= 0 and (q == 0 or text[q - 1] != "\\") else -1
                if j >= 0:
                    close = run_starts[j] + run_lengths[j] - run_lengths[i]
                    gap = blank.find(pos)
                    if gap == -1 or gap >= close:
                        pos = run_starts[j] + run_lengths[j]
                out.append(text[q:pos])
            elif head == "<!--":
                end = comment_end.find(q + 4)
                pos = len(text) if end == -1 else end + 3  # unclosed: Hexo keeps the rest as is
                out.append(text[q:pos])
            elif head.startswith("<code"):
                start_end, other = gt.find(q + 5), lt.find(q + 1)
                end = code_end.find(start_end + 1) if start_end != -1 else -1
                if end == -1 or (other != -1 and other < start_end):
                    out.append("<")
                    pos = q + 1
                else:
                    out.append(text[q : end + 7])
                    pos = end + 7
            elif head == "{#":
                end = hash_end.find(q + 2)
                if end == -1:
                    out.append("{#")
                    pos = q + 2
                else:
                    pos = end + 2
            elif head == "{{":
                # Nunjucks' output ends at the first "}"; Hexo keeps `{{ x }` as text.
                end = brace.find(q + 2)
                if end == -1:
                    out.append("{{")
                    pos = q + 2
                elif text.startswith("}}", end):
                    out.append(_Tag("var", "", text[q + 2 : end].strip(), text[q : end + 2]))
                    pos = end + 2
                else:
                    out.append(text[q : end + 1])
                    pos = end + 1
            else:
                pos = tags.tag(q)
        out.append(text[pos:])
        return out

    def _tokenize_liquid(self, text: str) -> list[_Token]:
        out: list[_Token] = []
        nxt = _Searcher(_LIQUID_NEXT, text)
        tags = _TagScanner(self, text, out)
        var_end, var_open = _Finder(text, "}}"), _Finder(text, "{{")
        pos = 0
        while (match := nxt.search(pos)) is not None:
            q = match.start()
            out.append(text[pos:q])
            if match.group() == "{%":
                pos = tags.tag(q)
                continue
            end = var_end.find(q + 2)
            inner = min(
                (p for p in (var_open.find(q + 2), tags.open_at(q + 2)) if p != -1), default=-1
            )
            if end == -1 or (inner != -1 and inner < end):
                out.append("{{")
                pos = q + 2
                continue
            expression = text[q + 2 : end].strip().removeprefix("-").removesuffix("-").strip()
            out.append(_Tag("var", "", expression, text[q : end + 2]))
            pos = end + 2
        out.append(text[pos:])
        return out

    def _tokenize_hugo(self, text: str) -> list[_Token]:
        out: list[_Token] = []
        nxt = _Searcher(_HUGO_NEXT, text)
        ends = {"<": _Finder(text, ">}}"), "%": _Finder(text, "%}}")}
        comment_ends = {"<": _Finder(text, "*/>}}"), "%": _Finder(text, "*/%}}")}
        opens = {"<": _Finder(text, "{{<"), "%": _Finder(text, "{{%")}
        pos = 0
        while (match := nxt.search(pos)) is not None:
            q = match.start()
            out.append(text[pos:q])
            delim = text[q + 2]
            if text.startswith("/*", q + 3):
                # Hugo's escape: the shortcode as text, without the comment markers.
                end = comment_ends[delim].find(q + 5)
                if end == -1:
                    out.append(text[q : q + 3])
                    pos = q + 3
                else:
                    right = ">" if delim == "<" else "%"
                    out.append(f"{{{{{delim}{text[q + 5 : end]}{right}}}}}")
                    pos = end + 5
                continue
            end = ends[delim].find(q + 3)
            inner = [p for p in (opens["<"].find(q + 3), opens["%"].find(q + 3)) if p != -1]
            tag = None
            if end != -1 and not (inner and min(inner) < end):
                tag = _parse_shortcode(text[q + 3 : end], text[q : end + 3])
            if tag is None:
                out.append(text[q : q + 3])
                pos = q + 3
            else:
                out.append(tag)
                pos = end + 3
        out.append(text[pos:])
        return out

    # --- assembling -----------------------------------------------------------------------

    def _assemble(self, tokens: list[_Token]) -> str:
        last_end: dict[str, int] = {}
        for i, token in enumerate(tokens):
            if isinstance(token, _Tag) and token.kind == "end":
                last_end[token.name] = i
        root: list[str] = []
        stack: list[tuple[_Tag, list[str]]] = []

        def keep(out: list[str], markup: str) -> None:
            if self.hold and out is root:
                out.append(f"{self.hold}{len(self.held)}E")
                self.held.append(markup)
            else:
                out.append(markup)

        for i, token in enumerate(tokens):
            out = stack[-1][1] if stack else root
            if isinstance(token, str):
                out.append(token)
            elif token.kind == "var":
                keep(out, self._held(out, self._variable(token)))
            elif token.kind == "end":
                k = len(stack) - 1
                while k >= 0 and stack[k][0].name != token.name:
                    k -= 1
                if k < 0:
                    closing = f"{{{{< /{token.name} >}}}}" if self.syntax == "hugo" else ""
                    closing = closing or f"{{% end{token.name} %}}"
                    self.note(("stray", token.name), f"{closing} closes nothing: dropped")
                    continue
                while len(stack) - 1 > k:
                    self._unwind(stack, root)
                opener, body = stack.pop()
                out = stack[-1][1] if stack else root
                keep(out, self._close(opener, "".join(body)))
            elif not token.closed and self._pairs(token.name) and last_end.get(token.name, -1) > i:
                if len(stack) >= MAX_DEPTH:
                    self.note(("deep", ""), f"tags nested over {MAX_DEPTH} deep: kept as text")
                    out.append(token.source)
                else:
                    stack.append((token, []))
            else:
                keep(out, self._held(out, self._single(token)))
        while stack:
            self._unwind(stack, root)
        return "".join(root)

    def _held(self, out: list[str], markup: str) -> str:
        """A Hexo tag's output, with an empty HTML comment before it when it starts a line.

        Hexo renders the Markdown with each tag replaced by an HTML comment (`<!--swig￼0-->`)
        and puts the tag's output in its place afterwards; a line that starts with one is
        therefore an HTML block of its own, which ends a paragraph before it and keeps the
        rest of the line as it is. An empty comment in the same place does the same here
        (the content's cleaning step removes it).
        """
        if self.syntax != "hexo" or not markup:
            return markup
        # The text before it on its line, read back over the last few pieces of output
        # only (a line of a thousand tags must not cost a thousand looks each).
        line: list[str] = []
        for chunk in out[: -_LOOK_BACK - 1 : -1]:
            newline = chunk.rfind("\n")
            line.append(chunk[newline + 1 :])
            if newline >= 0:
                break
        else:
            if len(out) > _LOOK_BACK:
                return markup  # too far back to tell: as in the middle of a line
        starts = _LINE_START.fullmatch("".join(reversed(line)))
        return _HEXO_HOLDER + markup if starts else markup

    def _unwind(self, stack: list[tuple[_Tag, list[str]]], root: list[str]) -> None:
        opener, body = stack.pop()
        self.note(
            ("unclosed", opener.name),
            f"{self.show(opener.name)} is never closed: the tag is dropped, its text kept",
        )
        (stack[-1][1] if stack else root).extend(body)

    def _pairs(self, name: str) -> bool:
        """Whether a tag of this name takes a body when a closing tag follows."""
        return name not in _SINGLE[self.syntax]

    def _unknown(self, name: str, kept: bool) -> None:
        what = "kept its inner text" if kept else "dropped"
        self.note(("unknown", name), f"unknown {self.label} {self.show(name)}: {what}")

    def _single(self, tag: _Tag) -> str:
        if tag.name in _BLOCKS[self.syntax]:
            self.note(("unclosed", tag.name), f"{self.show(tag.name)} is never closed: dropped")
            return ""
        if self.syntax == "hexo":
            return self._hexo_single(tag)
        if self.syntax == "liquid":
            return self._liquid_single(tag)
        return self._hugo_single(tag)

    def _close(self, tag: _Tag, body: str) -> str:
        if self.syntax == "hexo":
            return self._hexo_close(tag, body)
        if self.syntax == "liquid":
            return self._liquid_close(tag, body)
        return self._hugo_close(tag, body)

    # --- variables (Hexo and Liquid) --------------------------------------------------------

    def _variable(self, tag: _Tag) -> str:
        parts = _split_unquoted(tag.args, "|")
        value = self._primary(parts[0].strip())
        if value is None:
            self.note(("expression", ""), f"{tag.source[:60]} is not a variable: kept as text")
            return tag.source
        for part in parts[1:]:
            value = self._filter(part.split(":", 1)[0].strip(), value)
        return value

    def _primary(self, expression: str) -> str | None:
        if len(expression) >= 2 and expression[0] == expression[-1] and expression[0] in "\"'":
            return expression[1:-1]
        if _NUMBER.fullmatch(expression):
            return expression
        if expression in ("nil", "null", "none", "undefined"):
            return ""
        if not _VARIABLE.fullmatch(expression):
            return None
        variables = self.context.variables
        if expression in variables:
            return variables[expression]
        if self.syntax == "hexo" and f"page.{expression}" in variables:
            return variables[f"page.{expression}"]
        kind = "Hexo" if self.syntax == "hexo" else "Liquid"
        self.note(
            ("variable", expression),
            f"unknown {kind} variable {{{{ {expression} }}}}: left empty",
        )
        return ""

    def _filter(self, name: str, value: str) -> str:
        if name in ("escape", "xml_escape", "e"):
            return html.escape(value, quote=True)
        if name == "relative_url":
            return self._relative_url(value)
        if name == "absolute_url":
            return self._absolute_url(value)
        if name == "strip_html":
            return _strip_html(value)
        if name == "date_to_xmlschema":
            converted = _xmlschema(value)
            if converted is not None:
                return converted
            self.note(("date", value[:40]), f"date_to_xmlschema: {value[:40]!r} is not a date")
            return value
        if name == "safe" and self.syntax == "hexo":
            return value
        self.note(("filter", name), f"filter {name} is not supported: the value is kept as is")
        return value

    def _site_parts(self) -> tuple[str, str]:
        """Jekyll's site.url and site.baseurl, from the variables or else from site_url."""
        parts = urlsplit(self.context.site_url)
        origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
        variables = self.context.variables
        return variables.get("site.url", origin), variables.get("site.baseurl", parts.path)

    def _relative_url(self, value: str) -> str:
        # Jekyll's relative_url: baseurl (one trailing "/" chomped) + the path, each with a
        # leading "/" when not empty; absolute URLs as they are.
        if _HAS_SCHEME.match(value):
            return value
        _, baseurl = self._site_parts()

        def lead(part: str) -> str:
            return part if not part or part.startswith("/") else f"/{part}"

        return lead(baseurl.removesuffix("/")) + lead(value)

    def _absolute_url(self, value: str) -> str:
        # Jekyll joins site.url and the relative URL as they are (a url ending in "/" gives "//").
        if _HAS_SCHEME.match(value):
            return value
        url, _ = self._site_parts()
        return url + self._relative_url(value)

    def _expand_vars(self, args: str) -> str:
        """`{{ variables }}` inside a Liquid tag's arguments (`{% link {{ page.x }}.md %}`)."""
        if "{{" not in args:
            return args
        out: list[str] = []
        pos = 0
        while (start := args.find("{{", pos)) != -1:
            end = args.find("}}", start + 2)
            if end == -1:
                break
            out.append(args[pos:start])
            expression = args[start + 2 : end].strip().removeprefix("-").removesuffix("-").strip()
            out.append(self._variable(_Tag("var", "", expression, args[start : end + 2])))
            pos = end + 2
        out.append(args[pos:])
        return "".join(out)

    # --- Hexo -------------------------------------------------------------------------------

    def _hexo_single(self, tag: _Tag) -> str:
        args = [_unquote(word, "\"'") for word in _split_args(tag.args, "\"'")]
        name = tag.name
        if name in ("img", "image"):
            return self._hexo_img(args)
        if name in ("link", "a", "anchor"):
            return _hexo_link(args)
        if name in ("post_link", "post_path"):
            return self._hexo_post_link(args, path_only=name == "post_path")
        if name in ("asset_img", "asset_image"):
            # Hexo: the first word that names one of the post's assets is the image.
            exists = self.context.asset_exists
            if exists is None:
                k = next((i for i, word in enumerate(args) if "." in word or "/" in word), 0)
            else:
                k = next((i for i, word in enumerate(args) if _asset_name(word, exists)), -1)
            if not args or k < 0:
                self._no_asset(name, args)
                return ""
            return self._hexo_img([*args[:k], self._asset_url(args[k]), *args[k + 1 :]])
        if name in ("asset_link", "asset_path"):
            exists = self.context.asset_exists
            if not args or (exists is not None and not _asset_name(args[0], exists)):
                self._no_asset(name, args)
                return ""
            url = self._asset_url(args[0])
            if name == "asset_path":
                return _esc(url)
            rest = args[1:-1] if args[-1:] in (["true"], ["false"]) and len(args) > 1 else args[1:]
            title = " ".join(rest) or args[0]
            return _element("a", [("href", url), ("title", title)], title)
        if name in ("url_for", "full_url_for"):
            text, path = [*args, "", ""][:2]
            return _link(self._hexo_url_for(path), text) if path else _esc(text)
        player = _hexo_player(name, args)
        if player is not None:
            return _link(player) if player else ""
        if name in ("include_code", "include-code"):
            self.note(("include", name), f"{{% {name} %}} cannot include files here: dropped")
            return ""
        self._unknown(name, kept=False)
        return ""

    def _hexo_close(self, tag: _Tag, body: str) -> str:
        args = [_unquote(word, "\"'") for word in _split_args(tag.args, "\"'")]
        name = tag.name
        if name in ("blockquote", "quote"):
            footer = _hexo_footer(args)
            return _block(f"<blockquote>\n\n{_trim_body(body)}\n\n{footer}</blockquote>")
        if name == "pullquote":
            classes = _esc(" ".join(["pullquote", *args]))
            return _block(f'<blockquote class="{classes}">\n\n{_trim_body(body)}\n\n</blockquote>')
        if name in ("codeblock", "code"):
            return _hexo_code(args, _trim_body(body))
        if name in ("spoiler", "sliding_spoiler"):
            # hexo-sliding-spoiler: a title that opens to the Markdown body.
            title = _esc(" ".join(args))
            return _block(
                f"<details><summary>{title}</summary>\n\n{_trim_body(body)}\n\n</details>"
            )
        if name == "math":
            # hexo-static-math typesets TeX as an SVG image, which readers drop: the TeX
            # source, as the image's title gives it (line ends removed).
            tex = _esc(body.strip().replace("\n", "").replace("\r", ""))
            if args[:1] == ["inline"]:
                return f'<span class="math">{tex}</span>'
            return _block(f'<div class="math">{tex}</div>')
        self._unknown(name, kept=True)
        return _inner(body)

    def _no_asset(self, name: str, args: list[str]) -> None:
        what = " ".join(args)[:60]
        self.note(
            ("asset", what),
            f"{{% {name} {what} %}}: no such file in the post's asset folder: dropped",
        )

    def _hexo_url_for(self, path: str) -> str:
        """Hexo's url_for: URLs with a scheme as they are, paths below the site root."""
        if _HAS_SCHEME.match(path) or path.startswith(("//", "#")):
            return path
        return self.context.site_url + re.sub(r"/{2,}", "/", path.lstrip("/"))

    def _asset_url(self, name: str) -> str:
        # Hexo: the post's path without ".html", joined with the asset's file name.
        base = re.sub(r"\.html?$", "", self.context.post_url)
        return f"{base.rstrip('/')}/{name.lstrip('/')}"

    def _hexo_img(self, args: list[str]) -> str:
        # Hexo's img: class names up to the first URL or /path (the source), then width and
        # height when numeric, then "title" and "alt".
        classes: list[str] = []
        src = ""
        rest = list(args)
        while rest:
            word = rest.pop(0)
            if _HEXO_URL.search(word) or word.startswith("/"):
                src = self._hexo_url_for(word)
                break
            classes.append(word)
        if not src:
            self.note(("img", ""), "{% img %} without an image URL: dropped")
            return ""
        width = height = ""
        if rest and _digits(rest[0]):
            width = rest.pop(0)
            if rest and _digits(rest[0]):
                height = rest.pop(0)
        title, alt = _hexo_img_meta(" ".join(rest))
        attrs = [("src", src), ("class", " ".join(classes)), ("width", width)]
        return _element("img", [*attrs, ("height", height), ("title", title), ("alt", alt)])

    def _hexo_post_link(self, args: list[str], path_only: bool) -> str:
        if not args:
            return ""
        slug, fragment = args[0], ""
        if slug.count("#") == 1:
            slug, fragment = slug.split("#")
        found = self.context.resolve(slug)
        if found is None:
            tag = "post_path" if path_only else "post_link"
            self.note(("post", slug), f"{{% {tag} {slug} %}}: no such post; its name kept as text")
            return _esc(args[0])
        url, title = found
        url = f"{url}#{fragment}" if fragment else url
        if path_only:
            return _esc(url)
        rest = args[1:]
        if rest and rest[-1] in ("true", "false"):
            rest = rest[:-1]
        return _element(
            "a", [("href", url), ("title", title or slug)], " ".join(rest) or title or slug
        )

    # --- Liquid -----------------------------------------------------------------------------

    def _liquid_single(self, tag: _Tag) -> str:
        name = tag.name
        if name in ("link", "post_url"):
            ref = self._expand_vars(tag.args).strip()
            found = self.context.resolve(ref) if ref else None
            if found is None:
                self.note(("post", ref), f"{{% {name} {ref} %}}: no such post; kept as text")
                return _esc(ref)
            return _esc(found[0])
        if name in ("include", "include_relative", "include_cached", "render"):
            words = _split_args(self._expand_vars(tag.args), "\"'")
            what = f"{name} {words[0]}" if words else name
            if name in ("include", "include_cached") and words:
                rendered = self._liquid_include(words[0], words[1:])
                if rendered is not None:
                    return rendered
            self.note(("include", what), f"{{% {what} %}} cannot be rendered here: dropped")
            return ""
        self._unknown(name, kept=False)
        return ""

    def _liquid_include(self, name: str, params: list[str]) -> str | None:
        """A site include that only prints variables (`{{ include.x }}`, `{{ page.y }}`),
        rendered with the tag's parameters; None for any other (it would need Liquid's
        control flow) or when the post's includes have written too much already."""
        template = self.context.include(name)
        if template is None or "{%" in template or self._included > MAX_INCLUDED:
            return None
        variables = dict(self.context.variables)
        for param in params:
            key, equals, value = param.partition("=")
            if not equals or not _TAG_NAME.fullmatch(key):
                return None
            quoted = value[:1] in ("'", '"')
            variables[f"include.{key}"] = (
                _unquote(value, "\"'") if quoted else self._primary(value) or ""
            )
        context = TagContext(self.context.post_url, self.context.site_url, variables=variables)
        inner = _Expander("liquid", context, self._warn)
        inner._warned = self._warned  # one set of warnings for the post
        rendered = inner.run(template)
        self._included += len(rendered)
        return rendered

    def _liquid_close(self, tag: _Tag, body: str) -> str:
        if tag.name == "highlight":
            words = tag.args.split()
            lang = words[0].lower() if words else None
            return _code_block(body.strip("\n"), lang)
        if tag.name == "capture":
            self.note(("capture", ""), "{% capture %} keeps its text for later: dropped")
            return ""
        self._unknown(tag.name, kept=True)
        return _inner(body)

    # --- Hugo -------------------------------------------------------------------------------

    def _hugo_template(self, tag: _Tag, body: str | None) -> str | None:
        """The shortcode rendered from the site's own template, when the site has one and
        it is simple enough (see `_GoTemplate`); None otherwise."""
        template = self.context.shortcodes.get(tag.name)
        if template is None:
            return None
        positional, named = _hugo_params(tag.args)
        markdown = tag.source.startswith("{{%")
        rendered = None
        if self._included <= MAX_INCLUDED:
            rendered = _go_template(template).render(positional, named, body or "", markdown)
        if rendered is None:
            self.note(
                ("template", tag.name),
                f"{self.show(tag.name)}: the site's template cannot be rendered here",
            )
            return None
        self._included += len(rendered)
        return rendered

    def _hugo_single(self, tag: _Tag) -> str:
        rendered = self._hugo_template(tag, None)
        if rendered is not None:
            return rendered
        positional, named = _hugo_params(tag.args)
        name = tag.name

        def arg(key: str, index: int = 0) -> str:
            return named.get(key) or (positional[index] if len(positional) > index else "")

        if name == "figure":
            if not named.get("src"):
                self.note(("figure", ""), "{{< figure >}} without a src: dropped")
            return _hugo_figure(named)
        if name in ("ref", "relref"):
            ref = arg("path")
            path, _, fragment = ref.partition("#")
            found = self.context.resolve(path) if path else None
            if found is None:
                self.note(("post", ref), f"{{{{< {name} {ref} >}}}}: no such page; kept as text")
                return _esc(ref)
            return _esc(f"{found[0]}#{fragment}" if fragment else found[0])
        if name == "param":
            key = arg("name") or arg("key")
            value = self.context.variables.get(f"params.{key}")
            if value is None:
                self.note(("param", key), f"{{{{< param {key} >}}}}: no such parameter: left empty")
                return ""
            return _esc(value)
        url = _hugo_player(name, positional, named)
        if url is not None:
            if not url:
                self.note(("player", name), f"{self.show(name)} without an id: dropped")
                return ""
            return _link(url, named.get("title", ""))
        self._unknown(name, kept=False)
        return ""

    def _hugo_close(self, tag: _Tag, body: str) -> str:
        rendered = self._hugo_template(tag, body)
        if rendered is not None:
            return rendered
        positional, named = _hugo_params(tag.args)
        name = tag.name
        if name == "highlight":
            lang = positional[0] if positional else named.get("lang")
            return _code_block(_dedent(body).strip("\n"), lang)
        if name == "details":
            summary = _esc(named.get("summary", "Details"))
            content = _dedent(body).strip("\n")
            return _block(f"<details><summary>{summary}</summary>\n\n{content}\n\n</details>")
        if name == "comment":
            return ""
        if name in _SINGLE["hugo"]:
            return self._hugo_single(tag) + body
        self._unknown(name, kept=True)
        return _inner(body)


class _TagScanner:
    """`{% name args %}` tags for Hexo and Liquid, with `raw` and Liquid's `comment`."""

    def __init__(self, expander: _Expander, text: str, out: list[_Token]) -> None:
        self.expander = expander
        self.text = text
        self.out = out
        self._end = _Finder(text, "%}")
        self._open = _Finder(text, "{%")
        self._raw = _EndTag(text, "endraw")
        self._comment = _EndTag(text, "endcomment")

    def open_at(self, start: int) -> int:
        return self._open.find(start)

    def tag(self, q: int) -> int:
        """Read the tag at `q` (a "{%") into the output; the position after it."""
        text, out = self.text, self.out
        end = self._end.find(q + 2)
        inner = self._open.find(q + 2)
        if end == -1 or (inner != -1 and inner < end):
            out.append("{%")
            return q + 2
        content = text[q + 2 : end]
        after = end + 2
        liquid = self.expander.syntax == "liquid"
        if liquid and content.strip().removeprefix("-").lstrip().startswith("#"):
            return after  # Liquid's inline comment `{% # note %}`
        tag = _parse_tag(content, text[q:after])
        if tag is None:
            out.append("{%")
            return q + 2
        verbatim = tag.kind == "open" and (tag.name == "raw" or (liquid and tag.name == "comment"))
        if not verbatim:
            out.append(tag)
            return after
        found = (self._raw if tag.name == "raw" else self._comment).find(after)
        if found is None:
            self.expander.note(
                ("unclosed", tag.name), f"{{% {tag.name} %}} is never closed: dropped"
            )
            return after
        if tag.name == "raw":
            out.append(text[after : found[0]])
        return found[1]


def _parse_shortcode(content: str, source: str) -> _Tag | None:
    body = content.strip()
    if body.startswith("/"):
        name = body[1:].strip()
        return _Tag("end", name, "", source) if _HUGO_NAME.fullmatch(name) else None
    closed = body.endswith("/")
    if closed:
        body = body[:-1].rstrip()
    match = _HUGO_NAME.match(body)
    if match is None or (match.end() < len(body) and not body[match.end()].isspace()):
        return None
    return _Tag("open", match.group(), body[match.end() :].strip(), source, closed)


# --- generator details ---------------------------------------------------------------------

# Tags that never take a body, and tags that need one (dropped, with a warning, without).
_SINGLE = {
    "hexo": frozenset(
        {"img", "image", "link", "a", "anchor", "post_link", "post_path", "asset_img"}
        | {"asset_image", "asset_link", "asset_path", "url_for", "full_url_for", "iframe"}
        | {"youtube", "vimeo", "jsfiddle", "gist", "include_code", "include-code"}
    ),
    "liquid": frozenset(
        {"link", "post_url", "include", "include_relative", "include_cached", "render"}
    ),
    "hugo": frozenset(
        {"figure", "ref", "relref", "param", "youtube", "vimeo", "gist", "tweet", "twitter"}
        | {"x", "instagram"}
    ),
}
_BLOCKS = {
    "hexo": frozenset(
        {"blockquote", "quote", "codeblock", "code", "pullquote", "spoiler", "sliding_spoiler"}
        | {"math"}
    ),
    "liquid": frozenset({"highlight", "capture"}),
    "hugo": frozenset({"highlight", "details", "comment"}),
}

# Hexo's own test for "is a URL" (lib/plugins/tag/img.js, link.js), unanchored, cut down to
# what decides a match: a scheme followed by a host character, "www.", or "user@host".
_HEXO_URL = re.compile(
    r"[A-Za-z]{3,9}:(?://)?[A-Za-z0-9.-]|www.[A-Za-z0-9.-]|[-;:&=+$,\w]@[A-Za-z0-9.-]"
)
_HEXO_CODE_OPTIONS = frozenset(
    {"line_number", "line_threshold", "first_line", "wrap", "mark", "language_attr"}
)
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_VARIABLE = re.compile(r"[A-Za-z_][\w.-]*(?:\[[^\]]*\][\w.-]*)*")


def _digits(word: str) -> bool:
    return word.isascii() and word.isdigit()


def _asset_name(word: str, exists: Callable[[str], bool]) -> bool:
    """Whether `word` names a file of the post's asset folder (never one outside it)."""
    parts = word.replace("\\", "/").split("/")
    if not word or word.startswith("/") or ".." in parts or len(word) > 255:
        return False
    return exists(word)


def _hexo_img_meta(meta: str) -> tuple[str, str]:
    """Title and alt text of Hexo's img, as its regular expressions read them: a title up to
    the next quote (the quote it starts with, or else a single quote), then an alt text."""
    if not meta:
        return "", ""
    quote = '"' if meta.startswith('"') else "'"
    start = 1 if meta.startswith(quote) else 0
    end = meta.find(quote, start)
    title = meta[start:] if end == -1 else meta[start:end]
    rest = "" if end == -1 else meta[end + 1 :].lstrip()
    quote = '"' if meta.endswith('"') else "'"
    if rest.startswith(quote):
        rest = rest[1:]
    end = rest.find(quote)
    alt = rest if end == -1 else rest[:end]
    return title, alt


def _hexo_link(args: list[str]) -> str:
    """`{% link text url [external] [title] %}`"""
    k = next((i for i, word in enumerate(args) if _HEXO_URL.search(word)), -1)
    if k < 0:
        return _esc(" ".join(args))
    rest = args[k + 1 :]
    if rest and rest[0] in ("true", "false"):
        rest = rest[1:]
    text = " ".join(args[:k]) or args[k]
    return _element("a", [("href", args[k]), ("title", " ".join(rest))], text)


def _hexo_footer(args: list[str]) -> str:
    """The footer of Hexo's blockquote: `author[, source title]` or `author URL [link title]`."""
    if not args:
        return ""
    author = source = title = ""
    cite = _cite(args)
    if cite is not None:
        author, source, title = cite
    else:
        words = " ".join(args)
        before, comma, after = words.lstrip(",").partition(",")
        title = after.split(",", 1)[0].strip() if comma else ""
        author = before if title else words
    footer = f"<strong>{_esc(author)}</strong>" if author else ""
    if source:
        shown = re.sub(r"^https?://", "", source, flags=re.I)
        shown = re.sub(r"/(index\.html?)?$", "", shown)
        footer += f"<cite>{_link(source, title or shown)}</cite>"
    elif title:
        footer += f"<cite>{_esc(title)}</cite>"
    return f"<footer>{footer}</footer>"


def _hexo_code(args: list[str], code: str) -> str:
    """`{% codeblock [caption] [lang:x] [url] [link text] [options] %}`"""
    lang = None
    words: list[str] = []
    for word in args:
        key, colon, value = word.partition(":")
        if colon and key == "highlight" and value != "true":
            return _code_block(code, None)  # Hexo: plain escaped code, no caption
        if colon and key == "lang":
            lang = value
        elif not (colon and (key in _HEXO_CODE_OPTIONS or key == "highlight")):
            words.append(word)
    caption = ""
    if words:
        cite = _cite(words)
        if cite is None:
            caption = f"<span>{_esc(' '.join(words))}</span>"
        else:
            text, url, link_text = cite
            caption = f"<span>{_esc(text)}</span>{_link(url, link_text or 'link')}"
    return _code_block(code, lang, caption)


def _hexo_player(name: str, args: list[str]) -> str | None:
    """Where a player tag's video or page is; "" when the tag has no id; None: not a player."""
    first = args[0] if args else ""
    if name == "iframe":
        return first
    if name == "youtube":
        if not first:
            return ""
        if len(args) > 1 and args[1] == "playlist":
            return f"https://www.youtube.com/playlist?list={first}"
        return f"https://www.youtube.com/watch?v={first}"
    if name == "vimeo":
        return f"https://vimeo.com/{first}" if first else ""
    if name == "jsfiddle":
        return f"https://jsfiddle.net/{first}/" if first else ""
    if name == "gist":
        return f"https://gist.github.com/{first}" if first else ""
    return None


def _hugo_params(args: str) -> tuple[list[str], dict[str, str]]:
    positional: list[str] = []
    named: dict[str, str] = {}
    for word in _split_args(args, '"`'):
        key, equals, value = word.partition("=")
        if equals and _TAG_NAME.fullmatch(key):
            named[key] = _unquote(value, '"`')
        else:
            positional.append(_unquote(word, '"`'))
    return positional, named


def _hugo_player(name: str, positional: list[str], named: dict[str, str]) -> str | None:
    def arg(key: str, index: int = 0) -> str:
        return named.get(key) or (positional[index] if len(positional) > index else "")

    if name == "youtube":
        video = arg("id")
        return f"https://www.youtube.com/watch?v={video}" if video else ""
    if name == "vimeo":
        video = arg("id")
        return f"https://vimeo.com/{video}" if video else ""
    if name == "instagram":
        post = arg("id")
        return f"https://www.instagram.com/p/{post}/" if post else ""
    if name == "gist":
        user, gist = arg("user"), arg("id", 1)
        return f"https://gist.github.com/{user}/{gist}" if user and gist else ""
    if name in ("x", "tweet", "twitter"):
        host = "x.com" if name == "x" else "twitter.com"
        user, post = named.get("user", ""), named.get("id", "")
        if not post and len(positional) == 1:  # the old `{{< tweet ID >}}`
            return f"https://{host}/i/status/{positional[0]}"
        return f"https://{host}/{user}/status/{post}" if user and post else ""
    return None


# One action of a Go template: `{{ x }}`, `{{- x -}}` (the dashes trim the blanks beside it).
_GO_GET = re.compile(r'\$?\.Get\s+(?:"([^"]*)"|`([^`]*)`|([0-9]+))')
_GO_SCRATCH_SET = re.compile(
    r'\$?\.Scratch\.Set\s+"([^"]*)"\s+(?:"([^"]*)"|\(\s*(\$?\.Get\s+[^()]*?)\s*\))'
)
_GO_SCRATCH_GET = re.compile(r'\$?\.Scratch\.Get\s+"([^"]*)"')
_GO_INNER = re.compile(r"\$?\.Inner(?:\s*\|\s*(markdownify|safeHTML|htmlUnescape))*")
MAX_TEMPLATE_ACTIONS = 200


class _GoTemplate:
    """A Hugo shortcode template of the simple kind many sites write: HTML around the
    shortcode's inner text (`{{ .Inner }}`, `{{ .Inner | markdownify }}`), its parameters
    (`{{ .Get "name" }}`, `{{ .Get 0 }}`) and `.Scratch.Set`/`.Get` of those; comments.
    Anything else (conditions, ranges, other functions) makes it one this cannot render.

    HTML comments are left out, as Go's html/template leaves them out. The HTML around
    the inner text is written as HTML blocks (blank lines, which would end one, removed);
    the inner text, Markdown for `markdownify` and in a `{{% %}}` shortcode, stands
    between blank lines so that the renderer renders it, as it is (not dedented: Hugo
    shows an indented inner text as code). A template without the inner text gives its
    HTML as it is (without blank lines), inline where the shortcode is.
    """

    def __init__(self, template: str) -> None:
        self.pieces: list[str | tuple[str, str]] | None = self._parse(_drop_comments(template))

    @staticmethod
    def _parse(template: str) -> list[str | tuple[str, str]] | None:
        pieces: list[str | tuple[str, str]] = []
        position = 0
        while (start := template.find("{{", position)) != -1:
            end = template.find("}}", start + 2)
            if end == -1 or len(pieces) > 2 * MAX_TEMPLATE_ACTIONS:
                return None
            text_ = template[position:start]
            action = template[start + 2 : end]
            if action.startswith("-"):
                text_ = text_.rstrip()
                action = action[1:]
            if action.endswith("-"):
                action = action[:-1]
                end_trim = True
            else:
                end_trim = False
            pieces.append(text_)
            pieces.append(("action", action.strip()))
            position = end + 2
            if end_trim:
                rest = template[position:]
                position += len(rest) - len(rest.lstrip())
        pieces.append(template[position:])
        return pieces

    def render(
        self, positional: list[str], named: dict[str, str], inner: str, markdown: bool
    ) -> str | None:
        if self.pieces is None:
            return None
        scratch: dict[str, str] = {}

        def get(expression: str) -> str | None:
            found = _GO_GET.fullmatch(expression.strip())
            if found is None:
                return None
            if found.group(3) is not None:
                index = int(found.group(3))
                return positional[index] if index < len(positional) else ""
            return named.get(found.group(1) if found.group(1) is not None else found.group(2), "")

        html_parts: list[str] = []
        out: list[str] = []
        for piece in self.pieces:
            if isinstance(piece, str):
                html_parts.append(piece)
                continue
            action = piece[1]
            if action.startswith("/*") and action.endswith("*/"):
                continue
            if found := _GO_INNER.fullmatch(action):
                out.append(_html_blocks("".join(html_parts)))
                html_parts = []
                as_markdown = markdown or "markdownify" in action
                out.append(_block(inner.strip("\n")) if as_markdown else inner)
                continue
            if found := _GO_SCRATCH_SET.fullmatch(action):
                value = found.group(2) if found.group(2) is not None else get(found.group(3))
                if value is None:
                    return None
                scratch[found.group(1)] = value
                continue
            if found := _GO_SCRATCH_GET.fullmatch(action):
                html_parts.append(_esc(scratch.get(found.group(1), "")))
                continue
            value = get(action)
            if value is None:
                return None
            html_parts.append(_esc(value))
        if not out:  # HTML only: as it is, in a paragraph or a block of its own
            return "\n".join(line for line in "".join(html_parts).split("\n") if line.strip())
        out.append(_html_blocks("".join(html_parts)))
        return "".join(out)


@lru_cache(maxsize=64)
def _go_template(template: str) -> _GoTemplate:
    """A shortcode template, read once per build."""
    return _GoTemplate(template)


def _drop_comments(template: str) -> str:
    """`template` without its HTML comments (an unclosed one runs to the end)."""
    out: list[str] = []
    position = 0
    while (start := template.find("<!--", position)) != -1:
        out.append(template[position:start])
        end = template.find("-->", start + 4)
        position = len(template) if end == -1 else end + 3
    out.append(template[position:])
    return "".join(out)


def _html_blocks(markup: str) -> str:
    """Markup as HTML blocks for CommonMark: its blank lines removed (a blank line ends an
    HTML block, and what followed would be read as Markdown, indented lines as code)."""
    lines = [line for line in markup.split("\n") if line.strip()]
    if not lines:
        return ""
    lines[0] = lines[0].lstrip()
    return _block("\n".join(lines))


def _hugo_figure(named: dict[str, str]) -> str:
    src = named.get("src", "")
    if not src:
        return ""
    size = [("width", named.get("width")), ("height", named.get("height"))]
    img = _element("img", [("src", src), ("alt", named.get("alt")), *size])
    if named.get("link"):
        img = f'<a href="{_esc(named["link"])}">{img}</a>'
    opening = _element("figure", [("class", named.get("class"))])
    title = named.get("title", "")
    caption = " ".join(named.get("caption", "").split())
    attr = named.get("attr", "")
    if not (title or caption or attr):
        return _block(f"{opening}{img}</figure>")
    heading = f"<h4>{_esc(title)}</h4>" if title else ""
    if not (caption or attr):
        return _block(f"{opening}{img}<figcaption>{heading}</figcaption></figure>")
    # Hugo renders the caption as Markdown: it goes between blank lines, escaped so that it
    # can hold no markup of its own.
    text = html.escape(caption, quote=False)
    if attr:
        credit = _link(named["attrlink"], attr) if named.get("attrlink") else _esc(attr)
        text = f"{text} {credit}" if text else credit
    return _block(f"{opening}{img}<figcaption>{heading}\n\n{text}\n\n</figcaption></figure>")


def _split_unquoted(text: str, separator: str) -> list[str]:
    """`text` split at `separator` outside quotes."""
    parts: list[str] = []
    quote = ""
    start = 0
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == separator:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _strip_html(value: str) -> str:
    """Jekyll's strip_html: scripts, comments, styles, then any other tag."""
    for opener, closer in (("<script", "</script>"), ("<!--", "-->"), ("<style", "</style>")):
        value = _remove_spans(value, opener, closer)
    return _remove_spans(value, "<", ">")


def _remove_spans(value: str, opener: str, closer: str) -> str:
    out: list[str] = []
    opens, closes = _Finder(value, opener), _Finder(value, closer)
    pos = 0
    while (start := opens.find(pos)) != -1:
        end = closes.find(start + len(opener))
        if end == -1:
            break
        out.append(value[pos:start])
        pos = end + len(closer)
    out.append(value[pos:])
    return "".join(out)


def _xmlschema(value: str) -> str | None:
    text = value.strip()
    if len(text) > 64:
        return None
    for fmt in ("iso", "%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z"):
        try:
            parsed = datetime.fromisoformat(text) if fmt == "iso" else datetime.strptime(text, fmt)
        except ValueError:
            continue
        return parsed.isoformat(timespec="seconds")
    return None
