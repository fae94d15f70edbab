"""Content: a post body becomes rendered, sanitized HTML and a plain-text summary.

Three steps, in this order:
1. render (markdown.py): a Markdown body becomes HTML, as the site's generator renders
   it (an HTML body is kept as it is);
2. clean: site boilerplate is removed with lxml (CSS selectors as data),
   lazy images are made real and iframes become links;
3. sanitize: nh3's allow-list drops everything executable, and every URL is made
   absolute or dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from urllib.parse import urlsplit

import cssselect
import lxml.html
import nh3
from lxml import etree

from postfeed import urls
from postfeed.fields import clean_text
from postfeed.markdown import VOID_TAGS as _VOID_TAGS

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
SUMMARY_FIRST_CHARS = 1024  # of HTML, parsed first for a summary (most need no more)
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
# One tag: its "/" if closing, its name, and the rest up to ">" (linear: no "<" inside).
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
_BLOCK_TAG_SPLIT = re.compile(rf"(</?(?:{'|'.join(sorted(_BLOCK_TAGS))})\b[^<>]*>)", re.IGNORECASE)


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
    if not drop_selectors:
        lowered = body_html.lower()  # once, not once per mark
        if not any(mark in lowered for mark in _CLEANING_MARKS):
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
# An article's HTML is one text of a feed document: libxml2, which most feed readers
# parse with, refuses a text of over this many bytes (UTF-8) unless told to read huge
# documents, and would refuse the whole feed.
MAX_CONTENT_BYTES = 10_000_000


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
    tags = body_html.count("<")
    if tags > MAX_TAGS:
        raise StructureError(f"over {MAX_TAGS} tags")
    for tag in _LONG_TAG.finditer(body_html):  # (a long data: URL is one attribute)
        if len(tag.group().split()) > MAX_ATTRIBUTES:
            raise StructureError(f"a tag with over {MAX_ATTRIBUTES} attributes")
    if tags <= MAX_DEPTH:
        return  # (too few tags to nest that deep: most articles)
    depth = 0
    for tag in _TAG_NAME.finditer(body_html):  # not findall: no list of every tag
        if tag[1]:
            depth -= depth > 0
        else:
            depth += 1
            if depth > MAX_DEPTH:
                raise StructureError(f"elements nested over {MAX_DEPTH} deep")


def too_large(content_html: str) -> bool:
    """Whether `content_html` is over MAX_CONTENT_BYTES (encoded only when it may be)."""
    return (
        len(content_html) * 4 > MAX_CONTENT_BYTES and len(content_html.encode()) > MAX_CONTENT_BYTES
    )


def sanitize(body_html: str, base_url: str) -> str:
    """nh3's allow-list; every URL absolute (against `base_url`) or dropped."""

    def keep_attribute(tag: str, attribute: str, value: str) -> str | None:
        if attribute in _URL_ATTRIBUTES:
            return urls.absolute(value, base_url)
        return value if len(value) <= MAX_ATTRIBUTE_CHARS else None

    cleaned = nh3.clean(
        # Cut last: dropping unknown tags would drop the cuts (and join the runs) again.
        _split_long_text(_unknown_tags_dropped(body_html)),
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
    if max(map(len, html.split("<"))) <= MAX_TEXT_RUN:
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

    The first SUMMARY_FIRST_CHARS of HTML, cut before a tag, are read first: their text
    is the start of the text of all of it, but for its last few characters (a word or a
    URL cut in two), so when it is well past `length` the summary is the same. Most
    articles have theirs from that, without a tree of all their HTML.
    """
    end = content_html.find("<", SUMMARY_FIRST_CHARS)
    text = _summary_text(content_html[:end]) if 0 < end < SUMMARY_SOURCE_CHARS else ""
    if len(text) <= 2 * length:
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
    # A space after every block tag (as sub(r"\g<0> ") would, which expands its template in
    # Python at each tag): the tags are every second piece of the split.
    pieces = _BLOCK_TAG_SPLIT.split(content_html)
    pieces[1::2] = [tag + " " for tag in pieces[1::2]]
    spaced = "".join(pieces)
    text = lxml.html.fragment_fromstring(spaced, create_parent="div").text_content()
    text = _BARE_URL.sub(" ", text).replace("\u3000", " ")
    return " ".join(text.split())
