"""Test helper: split a large feed into smaller feeds of the same shape.

The W3C validator refuses files over 5 MB, so a feed of the whole corpus is
checked in chunks: each chunk keeps the channel/feed head and some items.
"""

from __future__ import annotations

import copy
from pathlib import Path

from lxml import etree

ATOM_ENTRY = "{http://www.w3.org/2005/Atom}entry"


def split_feed(path: Path, folder: Path, per_chunk: int) -> list[Path]:
    """Write `folder/<stem>-NNN.xml` chunks of `per_chunk` items each; return their paths."""
    root = etree.parse(str(path)).getroot()
    parent = root.find("channel") if root.tag == "rss" else root
    item_tag = "item" if root.tag == "rss" else ATOM_ENTRY
    items = parent.findall(item_tag)
    for item in items:
        parent.remove(item)
    chunks = []
    for number, start in enumerate(range(0, max(len(items), 1), per_chunk)):
        chunk = copy.deepcopy(root)
        chunk_parent = chunk.find("channel") if chunk.tag == "rss" else chunk
        chunk_parent.extend(copy.deepcopy(items[start : start + per_chunk]))
        target = folder / f"{path.stem}-{number:03d}.xml"
        target.write_bytes(etree.tostring(chunk, xml_declaration=True, encoding="UTF-8"))
        chunks.append(target)
    return chunks
