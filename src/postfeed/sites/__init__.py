"""Kinds of site a posts folder can come from, one module each.

A kind knows how to recognize a site from its root folder, which postfeed
settings the site's own configuration implies (`read_site`), and the site's
rules for one post: which files are posts, the date a file name carries, the
link and id the site's generator gives a post, and how its body is prepared
before it is rendered (`Rules`). `config.load_config` asks here once; the
stages after it get the rules in `Config.site_rules`.

A kind's module is imported when it is asked for: what marks each kind's root
is in `roots`, so that a plain folder of posts loads no site's rules.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from postfeed.sites import roots
from postfeed.sites.base import Rules, Site, SiteError, SitePost

__all__ = ["FOLDER", "KINDS", "Rules", "Site", "SiteError", "SitePost", "detect", "kind"]

FOLDER = "folder"  # a plain folder of posts: the kind of whatever is no site's root

# In the order `detect` tries them, each with what marks its root.
KINDS: dict[str, Callable[[Path], bool]] = {
    "hexo": roots.is_hexo,
    "hugo": roots.is_hugo,
    "jekyll": roots.is_jekyll,
}


def detect(root: Path) -> str:
    """The name of the kind of site whose root is `root`."""
    return next((name for name, is_root in KINDS.items() if is_root(root)), FOLDER)


def kind(name: str) -> ModuleType:
    """The module of the kind `name` (one of KINDS, or FOLDER)."""
    if name != FOLDER and name not in KINDS:
        raise KeyError(name)
    return importlib.import_module(f"{__name__}.{name}")
