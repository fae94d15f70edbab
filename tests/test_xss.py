"""Nothing executable reaches a feed reader: a table of XSS vectors, built end to end.

Every vector is written into a post (as an HTML body and as a Markdown body), the
real command line builds the feeds, and every piece of HTML a reader would render
(RSS content:encoded and description, Atom content and summary) is parsed and
checked: no dangerous element, no event handler, no style, and every URL is
http(s) or mailto.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

from postfeed.cli import main

from conftest import post_text

SITE = "https://feeds.example.org/"
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"
MARKER = "MARKER-INTRO"

FORBIDDEN_ELEMENTS = frozenset(
    {
        "script", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input",
        "button", "textarea", "select", "base", "meta", "style", "svg", "math", "link",
        "template", "noscript", "isindex",
    }
)  # fmt: skip
URL_ATTRIBUTES = frozenset(
    {
        "href", "src", "action", "formaction", "poster", "cite", "background", "data", "srcset",
        "lowsrc", "dynsrc", "codebase", "longdesc", "manifest", "icon", "ping", "xlink:href",
    }
)  # fmt: skip
SAFE_SCHEMES = ("http:", "https:", "mailto:")
# Characters browsers skip or strip when they read a URL's scheme.
URL_NOISE = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")

# (id, vector): raw HTML; each is built as an HTML body and inside a Markdown body.
HTML_VECTORS = [
    ("script", "<script>alert(1)</script>"),
    ("script-uppercase", "<SCRIPT>alert(1)</SCRIPT>"),
    ("script-mixed-case-src", '<ScRiPt src="https://evil.example/x.js"></sCrIpT>'),
    ("script-split-by-script", "<scr<script>ipt>alert(1)</scr</script>ipt>"),
    ("script-in-comment", "<!--<script>alert(1)</script>-->"),
    ("conditional-comment", "<!--[if IE]><script>alert(1)</script><![endif]-->"),
    ("comment-closed-by-bang", "<!-- x --!><script>alert(1)</script><!-- -->"),
    ("abrupt-empty-comment", "<!--><script>alert(1)</script>-->"),
    ("img-onerror", "<img src=x onerror=alert(1)>"),
    ("img-onerror-uppercase", '<IMG SRC="x" ONERROR="alert(1)">'),
    ("img-onerror-eval-src", "<img src=x:alert(alt) onerror=eval(src) alt=0>"),
    ("p-onclick", '<p onclick="alert(1)">click</p>'),
    ("a-onmouseover", '<a href="https://ok.example/" onmouseover="alert(1)">hover</a>'),
    ("body-onload", "<body onload=alert(1)>"),
    ("details-ontoggle", "<details open ontoggle=alert(1)><summary>s</summary></details>"),
    ("input-onfocus", "<input onfocus=alert(1) autofocus>"),
    ("marquee-onstart", "<marquee onstart=alert(1)>m</marquee>"),
    ("video-source-onerror", "<video><source onerror=alert(1)></video>"),
    ("audio-onerror", "<audio src=x onerror=alert(1)></audio>"),
    ("a-javascript", '<a href="javascript:alert(1)">x</a>'),
    ("a-javascript-uppercase", '<a href="JAVASCRIPT:alert(1)">x</a>'),
    ("a-javascript-tab-entity", '<a href="jav&#x09;ascript:alert(1)">x</a>'),
    ("a-javascript-newline-entity", '<a href="jav&#x0A;ascript:alert(1)">x</a>'),
    ("a-javascript-cr-entity", '<a href="jav&#x0D;ascript:alert(1)">x</a>'),
    ("a-javascript-raw-tab", '<a href="jav\tascript:alert(1)">x</a>'),
    ("a-javascript-decimal-entity", '<a href="&#106;avascript:alert(1)">x</a>'),
    ("a-javascript-padded-entities", '<a href="&#0000106&#0000097vascript:alert(1)">x</a>'),
    (
        "a-javascript-all-hex-entities",
        '<a href="&#x6A;&#x61;&#x76;&#x61;script&#x3A;alert(1)">x</a>',
    ),
    ("a-javascript-colon-entity", '<a href="javascript&colon;alert(1)">x</a>'),
    ("a-javascript-leading-space", '<a href="  javascript:alert(1)">x</a>'),
    ("a-javascript-leading-entity-space", '<a href="&#x20;javascript:alert(1)">x</a>'),
    ("a-javascript-nul", '<a href="java\x00script:alert(1)">x</a>'),
    ("a-javascript-control-char", '<a href="\x01javascript:alert(1)">x</a>'),
    ("a-vbscript", '<a href="vbscript:msgbox(1)">x</a>'),
    ("a-vbscript-mixed-case", '<a href="VbScRiPt:msgbox(1)">x</a>'),
    ("a-data-html", '<a href="data:text/html,<script>alert(1)</script>">x</a>'),
    (
        "a-data-html-base64",
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    ),
    ("img-javascript", '<img src="javascript:alert(1)">'),
    ("img-data-svg", '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">'),
    (
        "img-srcset-javascript",
        '<img src="https://ok.example/a.png" srcset="javascript:alert(1) 1x">',
    ),
    ("lazy-img-javascript", '<img src="/loading.gif" data-src="javascript:alert(1)">'),
    (
        "lazy-img-original-data-url",
        '<img data-original="data:text/html,<script>alert(1)</script>">',
    ),
    (
        "video-poster-javascript",
        '<video poster="javascript:alert(1)" src="javascript:alert(1)"></video>',
    ),
    ("blockquote-cite-javascript", '<blockquote cite="javascript:alert(1)">q</blockquote>'),
    ("table-background", '<table background="javascript:alert(1)"><tr><td>t</td></tr></table>'),
    ("iframe-srcdoc", '<iframe srcdoc="<script>alert(1)</script>"></iframe>'),
    ("iframe-javascript", '<iframe src="javascript:alert(1)"></iframe>'),
    ("iframe-data", '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>'),
    ("iframe-onload", '<iframe src="https://player.example/e/1" onload="alert(1)"></iframe>'),
    ("frameset", '<frameset onload=alert(1)><frame src="javascript:alert(1)"></frameset>'),
    ("object", '<object data="javascript:alert(1)"><param name=x value=y></object>'),
    ("object-data-html", '<object data="data:text/html;base64,PHNjcmlwdD4="></object>'),
    ("embed", '<embed src="javascript:alert(1)">'),
    ("embed-swf", '<embed src="https://evil.example/x.swf" type="application/x-shockwave-flash">'),
    ("applet", '<applet code="Evil.class" codebase="https://evil.example/"></applet>'),
    ("form-action", '<form action="javascript:alert(1)"><input type=submit></form>'),
    ("button-formaction", '<button formaction="javascript:alert(1)">x</button>'),
    ("isindex", '<isindex action="javascript:alert(1)" type=image>'),
    ("base-href", '<base href="javascript:alert(1)//">'),
    ("meta-refresh", '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'),
    ("link-stylesheet", '<link rel=stylesheet href="https://evil.example/x.css">'),
    ("link-import", '<link rel=import href="https://evil.example/x.html">'),
    ("style-expression", "<style>body{width:expression(alert(1))}</style>"),
    ("style-import", '<style>@import "https://evil.example/x.css";</style>'),
    ("style-attribute", '<p style="background:url(javascript:alert(1))">styled</p>'),
    ("style-attribute-expression", '<div style="width: expression(alert(1))">d</div>'),
    ("svg-onload", '<svg onload="alert(1)"></svg>'),
    ("svg-script", "<svg><script>alert(1)</script></svg>"),
    ("svg-a-xlink", '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>'),
    ("svg-animate", "<svg><animate onbegin=alert(1) attributeName=x dur=1s></svg>"),
    ("a-xlink-href", '<a xlink:href="javascript:alert(1)">x</a>'),
    ("math-href", '<math href="javascript:alert(1)"><mi>x</mi></math>'),
    (
        "math-mglyph-style-mxss",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph>"
        "</table></mtext></math>",
    ),
    ("svg-style-mxss", "<svg><style><img src=x onerror=alert(1)></style></svg>"),
    ("noscript-mxss", '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>'),
    (
        "form-math-mxss",
        "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    ),
    ("template", "<template><script>alert(1)</script><img src=x onerror=alert(1)></template>"),
    ("xmp", "<xmp><script>alert(1)</script></xmp>"),
    ("noembed", "<noembed><img src=x onerror=alert(1)></noembed>"),
    ("cdata-script", "<![CDATA[<script>alert(1)</script>]]>"),
    (
        "cdata-close-in-attribute",
        '<a href="https://ok.example/" title="]]><script>alert(1)</script>">x</a>',
    ),
    ("cdata-close-in-text", "<p>a ]]> b ]]&gt; c</p>"),
    ("xml-processing-instruction", '<?xml-stylesheet href="javascript:alert(1)"?><p>pi</p>'),
]

# Vectors written in Markdown syntax: only built as Markdown bodies.
MARKDOWN_VECTORS = [
    ("md-link-javascript", "[x](javascript:alert(1))"),
    ("md-link-javascript-uppercase", "[x](JAVASCRIPT:alert(1))"),
    ("md-link-javascript-entity", "[x](&#106;avascript:alert(1))"),
    ("md-link-javascript-tab-entity", "[x](jav&#x09;ascript:alert(1))"),
    ("md-link-javascript-angle", "[x](<javascript:alert(1)>)"),
    ("md-link-vbscript", "[x](vbscript:msgbox(1))"),
    ("md-link-data", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"),
    ("md-image-javascript", "![x](javascript:alert(1))"),
    ("md-image-title-quote", '![x](https://ok.example/a.png "a\\" onerror=\\"alert(1)")'),
    ("md-autolink-javascript", "<javascript:alert(1)>"),
    ("md-reference-javascript", "[x][evil]\n\n[evil]: javascript:alert(1)"),
    ("md-inline-html-onclick", 'Text <span onclick="alert(1)">inline</span> text.'),
    ("md-inline-script", "Text <script>alert(1)</script> text."),
    ("md-cdata-text", "Text with ]]> and <![CDATA[ inside."),
]

BODY_CASES = [
    pytest.param(vector, body_format, id=f"{name}-{body_format}")
    for name, vector in HTML_VECTORS
    for body_format in ("html", "markdown")
] + [pytest.param(vector, "markdown", id=name) for name, vector in MARKDOWN_VECTORS]


# --- building and reading the feeds -------------------------------------------------------


@dataclass
class Built:
    rss: etree._Element
    atom: etree._Element

    def html_fragments(self) -> list[str]:
        """Every piece of HTML a reader would render for the items of both feeds."""
        fragments = []
        for item in self.rss.iter("item"):
            for tag in (CONTENT_ENCODED, "description"):
                element = item.find(tag)
                if element is not None and element.text:
                    fragments.append(element.text)  # RSS readers render both as HTML
        for entry in self.atom.iter(f"{ATOM}entry"):
            for tag in ("content", "summary"):
                element = entry.find(f"{ATOM}{tag}")
                if element is not None:
                    fragments.append(atom_text_construct_as_html(element))
        return fragments

    def contents(self) -> list[str]:
        """The full content of every item: RSS content:encoded and Atom content."""
        return [e.text or "" for e in self.rss.iter(CONTENT_ENCODED)] + [
            atom_text_construct_as_html(e) for e in self.atom.iter(f"{ATOM}content")
        ]

    def titles(self) -> list[tuple[str, str]]:
        """(title text, how a reader interprets it) for every item of both feeds."""
        titles = [(item.findtext("title"), "text") for item in self.rss.iter("item")]
        for entry in self.atom.iter(f"{ATOM}entry"):
            title = entry.find(f"{ATOM}title")
            titles.append((title.text or "", title.get("type", "text")))
        return titles


def atom_text_construct_as_html(element: etree._Element) -> str:
    """An Atom text construct (RFC 4287 3.1) as the HTML a reader would display."""
    kind = element.get("type", "text")
    if kind == "html":
        return element.text or ""
    if kind == "xhtml":
        return "".join(etree.tostring(child, encoding="unicode") for child in element)
    return html.escape(element.text or "")


def build(tmp_path: Path) -> Built:
    output = tmp_path / "out"
    status = main(
        ["build", "--posts", str(tmp_path / "posts"), "--output", str(output), "--site-url", SITE]
    )
    assert status == 0, "the post was rejected: the vector was never checked"
    # Both feeds must be well-formed XML: etree.parse raises on anything else.
    rss = etree.parse(str(output / "rss.xml")).getroot()
    atom = etree.parse(str(output / "atom.xml")).getroot()
    assert len(list(rss.iter("item"))) == 1
    assert len(list(atom.iter(f"{ATOM}entry"))) == 1
    return Built(rss, atom)


def body_for(vector: str, body_format: str) -> str:
    if body_format == "html":
        return f"<p>{MARKER}</p>\n{vector}\n<p>Outro.</p>\n"
    return f"Intro *text* {MARKER}.\n\n{vector}\n\nOutro.\n"


# --- what "harmless" means -----------------------------------------------------------------


def unsafe_parts(fragment: str) -> list[str]:
    """Everything executable in an HTML fragment, as a reader's HTML parser sees it."""
    document = lxml.html.document_fromstring(
        f"<html><head></head><body><div>{fragment}</div></body></html>"
    )
    found = []
    for node in document.iter():
        if not isinstance(node.tag, str):  # comments (IE conditional comments), PIs
            found.append(f"non-element node {etree.tostring(node, encoding='unicode')!r}")
            continue
        tag = node.tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()
        if tag in FORBIDDEN_ELEMENTS:
            found.append(f"<{node.tag}> element")
        for name, value in node.attrib.items():
            attribute = name.lower()
            if attribute.startswith("on"):
                found.append(f"{name}= on <{node.tag}>")
            elif attribute == "style":
                found.append(f"style= on <{node.tag}>")
            elif attribute in URL_ATTRIBUTES or attribute.rsplit(":", 1)[-1] == "href":
                probe = URL_NOISE.sub("", value).lower()
                if not probe.startswith(SAFE_SCHEMES):
                    found.append(f"{name}={value!r} on <{node.tag}>")
    return found


def creates_elements(text: str) -> bool:
    """Would this text, rendered as HTML, create any element?"""
    wrapper = lxml.html.fragment_fromstring(f"<div>{text}</div>")
    return any(isinstance(node.tag, str) for node in wrapper.iterdescendants())


# --- the vectors ---------------------------------------------------------------------------


@pytest.mark.parametrize(("vector", "body_format"), BODY_CASES)
def test_nothing_executable_reaches_the_feeds(tmp_path, write_post, vector, body_format):
    write_post(
        "vector.md",
        post_text("XSS vector", "2021-09-10 19:48:10", body=body_for(vector, body_format)),
    )
    built = build(tmp_path)
    fragments = built.html_fragments()
    assert len(fragments) == 4  # content:encoded, description, Atom content, Atom summary
    for content in built.contents():
        assert MARKER in lxml.html.fragment_fromstring(content, create_parent="div").text_content()
    for fragment in fragments:
        assert unsafe_parts(fragment) == [], fragment


def test_the_harmlessness_check_itself_catches_executable_html():
    """The checker must not pass everything: the spec is only as good as its check."""
    assert unsafe_parts("<p>fine <a href='https://x.example/'>x</a></p>") == []
    for bad in (
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="jav&#x09;ascript:alert(1)">x</a>',
        '<a href=" JAVASCRIPT:alert(1)">x</a>',
        '<p style="color:red">x</p>',
        "<svg></svg>",
        "<math></math>",
        '<meta http-equiv="refresh" content="0">',
        '<base href="https://x.example/">',
        '<link rel="stylesheet" href="https://x.example/">',
        "<!--[if IE]><script>alert(1)</script><![endif]-->",
        '<a href="relative/path">x</a>',
    ):
        assert unsafe_parts(bad), bad


@pytest.mark.parametrize(
    ("body", "body_format"),
    [
        ("<p>a ]]> b</p>", "html"),
        ("<p>a ]]&gt; b</p>", "html"),
        ("a ]]> b\n", "markdown"),
    ],
    ids=["html-raw", "html-escaped", "markdown"],
)
def test_text_containing_cdata_end_comes_through_as_text(tmp_path, write_post, body, body_format):
    write_post("cdata.md", post_text("CDATA", "2021-09-10", body=body, format=body_format))
    built = build(tmp_path)
    for content in built.contents():
        root = lxml.html.fragment_fromstring(content, create_parent="div")
        assert "a ]]> b" in root.text_content()
        assert unsafe_parts(content) == []


@pytest.mark.parametrize(
    "body",
    [
        "<p>closing ]]&gt; then opening &lt;![CDATA[ here</p>",
        "closing ]]> then opening <![CDATA[ here\n",
    ],
    ids=["html", "markdown"],
)
def test_text_containing_cdata_markers_comes_through_as_text(tmp_path, write_post, body):
    write_post("cdata.md", post_text("CDATA", "2021-09-10", body=body))
    built = build(tmp_path)
    for content in built.contents():
        root = lxml.html.fragment_fromstring(content, create_parent="div")
        assert "closing ]]> then opening <![CDATA[ here" in root.text_content()


# --- titles and descriptions from front matter ---------------------------------------------


TITLE_VECTORS = [
    ("script-tag", "<script>alert(1)</script>新闻标题"),
    ("script-tag-uppercase", "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>新闻标题"),
    ("img-onerror", "<img src=x onerror=alert(1)>新闻标题"),
    ("entity-encoded-script", "&lt;script&gt;alert(1)&lt;/script&gt;新闻标题"),
    ("entity-encoded-img", "&lt;img src=x onerror=alert(1)&gt;新闻标题"),
    ("svg-onload", '<svg onload="alert(1)">新闻标题'),
    ("cdata", "<![CDATA[<script>alert(1)</script>]]>新闻标题"),
]


@pytest.mark.parametrize("title", [v for _, v in TITLE_VECTORS], ids=[n for n, _ in TITLE_VECTORS])
def test_titles_with_markup_come_through_as_harmless_text(tmp_path, write_post, title):
    write_post("title.md", post_text(title, "2021-09-10", body="<p>body</p>"))
    built = build(tmp_path)
    for text, kind in built.titles():
        assert kind == "text"
        assert "新闻标题" in text
        assert not creates_elements(text), f"title {text!r} would create HTML elements"


@pytest.mark.parametrize(
    ("title", "expected"),
    [("价格 ]]> 预期", "价格 ]]> 预期"), ("A < B && C > D", "A < B && C > D")],
    ids=["cdata-end", "comparison-signs"],
)
def test_title_text_with_xml_special_characters_is_kept(tmp_path, write_post, title, expected):
    write_post("title.md", post_text(title, "2021-09-10", body="body"))
    built = build(tmp_path)
    assert [text for text, _ in built.titles()] == [expected, expected]


@pytest.mark.parametrize(
    "description", [v for _, v in TITLE_VECTORS], ids=[n for n, _ in TITLE_VECTORS]
)
def test_front_matter_descriptions_with_markup_come_through_as_harmless_text(
    tmp_path, write_post, description
):
    write_post(
        "description.md", post_text("t", "2021-09-10", body="<p>body</p>", description=description)
    )
    built = build(tmp_path)
    for fragment in built.html_fragments():
        assert unsafe_parts(fragment) == [], fragment
    description_html = built.rss.find("channel/item/description").text
    assert "新闻标题" in description_html
    assert not creates_elements(description_html)
