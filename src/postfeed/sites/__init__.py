"""Kinds of site a posts folder can come from, one module each.

A kind knows how to recognize a site from its root folder, which postfeed
settings the site's own configuration implies (`read_site`), and the site's
rules for one post: which files are posts, the date a file name carries, the
link and id the site's generator gives a post, and how its body is prepared
before it is rendered (`Rules`). `config.load_config` asks here once; the
stages after it get the rules in `Config.site_rules`.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from postfeed.sites import folder, hexo, hugo, jekyll
from postfeed.sites.base import Rules, Site, SiteError, SitePost

__all__ = ["KINDS", "Rules", "Site", "SiteError", "SitePost", "detect", "kind"]

# In the order `detect` tries them; `folder` recognizes everything, so it is last.
KINDS: dict[str, ModuleType] = {module.NAME: module for module in (hexo, hugo, jekyll, folder)}


def detect(root: Path) -> ModuleType:
    """The kind of site whose root is `root`."""
    return next(kind for kind in KINDS.values() if kind.detect(root))


def kind(name: str) -> ModuleType:
    return KINDS[name]
