"""Typographic punctuation as each site generator's renderer makes it, on plain text:
curly quotes, dashes and ellipses. (Where the text comes from, and what is not plain
text, is content.py's business.)"""

from __future__ import annotations

import re


def marked_smartypants(text: str, quotes: str) -> str:
    """hexo-renderer-marked's SmartyPants rules, in their order."""
    open_double, close_double, open_single, close_single = (
        quotes if len(quotes) == 4 else "\u201c\u201d\u2018\u2019"
    )
    text = text.replace("---", "\u2014").replace("--", "\u2013")
    text = _OPENING_SINGLE.sub(lambda match: match[1] + open_single, text)
    text = text.replace("'", close_single)
    text = _OPENING_DOUBLE.sub(lambda match: match[1] + open_double, text)
    text = text.replace('"', close_double)
    return text.replace("...", "\u2026")


_OPENING_SINGLE = re.compile(r"""(^|[-\u2014/(\[{"\s])'""")
_OPENING_DOUBLE = re.compile(r"""(^|[-\u2014/(\[{\u2018\s])\"""")


_KRAMDOWN_MARK = re.compile(r"---|--|\.\.\.|<< |<<| >>|>>|['\"]")
_KRAMDOWN_FIXED = {
    "---": "\u2014", "--": "\u2013", "...": "\u2026", "<< ": "\u00ab\u00a0", "<<": "\u00ab",
    " >>": "\u00a0\u00bb", ">>": "\u00bb",
}  # fmt: skip
_KRAMDOWN_NO_CLOSE = " \\\t\r\n[{(-"  # after these a quote opens (SQ_CLOSE's complement)
_KRAMDOWN_PUNCT = frozenset("!\"#$%'()*+,-./:;<=>?@[\\]^_`{|}~")
_OPENING = {'"': "\u201c", "'": "\u2018"}
_CLOSING = {'"': "\u201d", "'": "\u2019"}


def kramdown_smartypants(text: str) -> str:
    """kramdown's smart quotes and typographic symbols (its RubyPants rules), on one
    run of text: a quote after a letter closes, after a blank or `([{-` opens; first in
    the run, what follows it decides."""
    out = []
    last = 0
    taken = 0  # where the text still free to be a quote's "before" starts
    for found in _KRAMDOWN_MARK.finditer(text):
        mark, at = found[0], found.start()
        if at < last:
            continue  # (taken by a pair of quotes)
        out.append(text[last:at])
        last = found.end()
        if mark in _KRAMDOWN_FIXED:
            out.append(_KRAMDOWN_FIXED[mark])
            taken = last
            continue
        before = text[at - 1] if at > taken else None
        pair = text[at : at + 2]
        following = text[at + 1 : at + 2]
        if (
            pair in ("\"'", "'\"")
            and (before is None or before.isspace())
            and _word(text[at + 2 : at + 3])
        ):
            out.append(_OPENING[pair[0]] + _OPENING[pair[1]])  # "'Quoted' words"
            last = at + 2
        elif mark == "'" and (before is None or before.isspace()) and _decade(text[at + 1 :]):
            out.append("\u2019")  # the '80s
        elif before is not None:
            if before.isspace() or before in _KRAMDOWN_NO_CLOSE:
                out.append(_OPENING[mark])
            else:
                out.append(_CLOSING[mark])
        elif following[:1] in ("_", "*") and text[at + 1 : at + 4].lstrip("_*")[:1].strip():
            out.append(_OPENING[mark])
        elif (
            following in _KRAMDOWN_PUNCT
            and text[at + 2 : at + 4] != ".."
            and not (_word(following) or _word(text[at + 2 : at + 3]))
        ) or (
            not following
            or following.isspace()
            or (following == "s" and not _word(text[at + 2 : at + 3]))
        ):
            out.append(_CLOSING[mark])
        else:
            out.append(_OPENING[mark])
        taken = last
    out.append(text[last:])
    return "".join(out)


def _word(char: str) -> bool:
    """Ruby's \\w: ASCII letters, digits and `_`."""
    return bool(char) and (char.isascii() and (char.isalnum() or char == "_"))


def _decade(rest: str) -> bool:
    return len(rest) >= 3 and rest[:2].isascii() and rest[:2].isdigit() and rest[2] == "s"
