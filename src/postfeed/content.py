"""Content: a post body becomes rendered, sanitized HTML and a plain-text summary.

Three steps, in this order:
1. render: a Markdown body becomes HTML (an HTML body is kept as it is);
2. clean: site boilerplate is removed with BeautifulSoup (CSS selectors as data),
   lazy images are made real and iframes become links;
3. sanitize: nh3's allow-list drops everything executable, and every URL is made
   absolute or dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from urllib.parse import urlsplit

import lxml.html
import nh3
from bs4 import BeautifulSoup, Comment, Tag
from markdown_it import MarkdownIt

from postfeed import urls
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


@cache
def _markdown(breaks: bool = False) -> MarkdownIt:
    options = {"html": True, "breaks": breaks}
    return MarkdownIt("commonmark", options).enable(["table", "strikethrough"])


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


def render(body: str, body_format: str | None = None, *, breaks: bool = False) -> str:
    """The body as HTML; `body_format` ("html" or "markdown") overrides detection.

    With `breaks`, a single line break inside a paragraph is a line break in the HTML
    too (`<br>`), as Hexo's renderer (marked, `breaks: true`) makes it.
    """
    if body_format == "html" or (body_format is None and is_html(body)):
        return body
    return _markdown(breaks).render(body)


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
    """
    drop_selectors = tuple(drop_selectors)
    if not drop_selectors and not any(mark in body_html.lower() for mark in _CLEANING_MARKS):
        return body_html  # nothing here for BeautifulSoup to do (most Markdown posts)
    soup = BeautifulSoup(body_html, "lxml")
    for comment in soup.find_all(string=lambda text: isinstance(text, Comment)):
        comment.extract()
    for node in soup.find_all(["script", "style", "noscript", "template", "head"]):
        node.decompose()
    for node in soup.select(", ".join((*DEFAULT_DROP_SELECTORS, *drop_selectors))):
        node.decompose()  # one walk of the tree for all selectors
    for node in soup.find_all(style=_HIDDEN_STYLE):  # hidden by an inline style
        node.decompose()
    # <font> is presentation. <object> shows its fallback content when it cannot
    # play (a reader never can); MathML is kept as its text, since sanitizers drop
    # foreign elements whole, and an unclosed one would take the article with it.
    for node in soup.find_all(["font", "object", "math", *_MATHML_TAGS]):
        node.unwrap()
    for node in soup.find_all(_LAZY_TAGS):
        _load_now(node, "src", LAZY_SOURCE_ATTRIBUTES)
    for player in soup.find_all(_PLAYERS):
        if not player.decomposed:  # not inside a player already dropped
            _keep_playable(soup, player)
    trusted = {host.lower() for host in iframe_hosts}
    for frame in soup.find_all("iframe"):
        source = str(frame.get("src") or "").strip()
        host = _hostname(source)
        if source and host.lower() in trusted:
            continue
        if source:
            link = soup.new_tag("a", href=source)
            link.string = source
            paragraph = soup.new_tag("p")
            paragraph.append(link)
            frame.replace_with(paragraph)
        else:
            frame.decompose()
    root = soup.body or soup
    return root.decode_contents()


def _load_now(node: Tag, attribute: str, lazy_attributes: Iterable[str]) -> None:
    """Give `node` the URL a script would have set from a lazy-loading attribute."""
    for lazy in lazy_attributes:
        if node.get(lazy):
            node[attribute] = node[lazy]
            return


def _keep_playable(soup: BeautifulSoup, player: Tag) -> None:
    """Keep a player that can play, with controls; else leave only its poster, if any."""
    _load_now(player, "poster", LAZY_POSTER_ATTRIBUTES)
    playable = _loadable(player.get("src"))
    for source in player.find_all("source"):
        if _loadable(source.get("src")):
            playable = True
        else:
            source.unwrap()  # not decompose: lxml nests what follows a <source> inside it
    if playable:
        player["controls"] = ""
        return
    poster = player.get("poster") if player.name == "video" else None
    if _loadable(poster):
        player.replace_with(soup.new_tag("img", src=poster, alt=""))
    else:
        player.decompose()


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
# Elements whose end tag may be left out (HTML closes them by itself): not counted.
_SELF_CLOSING = _VOID_TAGS | {
    "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody",
    "tfoot", "colgroup", "caption", "rt", "rp", "html", "head", "body",
}  # fmt: skip
_TAG_NAME = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)")
# A tag long enough to hold MAX_ATTRIBUTES attributes (most are far shorter).
_LONG_TAG = re.compile(r"<[a-zA-Z][^<>]{1024,}")


def check_structure(body_html: str) -> None:
    """Raise StructureError when the HTML nests deeper than MAX_DEPTH elements (end
    tags that may be left out aside) or a tag has over MAX_ATTRIBUTES attributes.
    Linear scans, at the speed of the regular expression engine."""
    for tag in _LONG_TAG.finditer(body_html):  # (a long data: URL is one attribute)
        if len(tag.group().split()) > MAX_ATTRIBUTES:
            raise StructureError(f"a tag with over {MAX_ATTRIBUTES} attributes")
    depth = 0
    for tag in _TAG_NAME.finditer(body_html):  # not findall: no list of every tag
        closing, name = tag.groups()
        if name.lower() in _SELF_CLOSING:
            continue
        if closing:
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
        return value

    cleaned = nh3.clean(
        body_html,
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
    megabyte-long article needs its first paragraphs, not a tree of all of it.
    """
    text = _summary_text(content_html[:SUMMARY_SOURCE_CHARS])
    # Well past `length`: a tag or URL cut at the end of the slice changes nothing here.
    if len(text) <= 2 * length and len(content_html) > SUMMARY_SOURCE_CHARS:
        text = _summary_text(content_html)
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
    text = plain_text(content_html)
    text = _BARE_URL.sub(" ", text).replace("\u3000", " ")
    return " ".join(text.split())
