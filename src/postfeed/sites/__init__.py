"""Kinds of site a posts folder can come from, one module each.

A kind knows three things about its sites: how to recognize one from its root
folder, which postfeed settings its own configuration implies, and what its
file-naming rules say about a post (a date in the file name, the name that
`:title` in a permalink stands for). The command line asks `detect` which kind a
folder is; the library gets the kind's name in `Config.site`.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from postfeed.sites import folder

# In the order `detect` tries them; `folder` recognizes everything, so it is last.
KINDS: dict[str, ModuleType] = {module.NAME: module for module in (folder,)}


def detect(root: Path) -> ModuleType:
    """The kind of site whose root is `root`."""
    return next(kind for kind in KINDS.values() if kind.detect(root))


def kind(name: str) -> ModuleType:
    return KINDS[name]
