"""A plain folder of posts, as scrapers write them: no site configuration.

File names follow Jekyll's convention where they can: `2017-07-03-title.md`
gives a post without a `date` its date. A front-matter `link` (or `permalink`,
`url`, `original_url`) is the post's link; otherwise the `permalink` setting
makes one, `:title` standing for the post's path inside the posts folder.
These are the base rules (`postfeed.sites.base.Rules`) as they are.
"""

from __future__ import annotations

from pathlib import Path

from postfeed.sites.base import Rules, Site

NAME = "folder"
__all__ = ["NAME", "Rules", "read_site"]


def read_site(root: Path) -> Site:
    """A plain folder has no configuration of its own."""
    return Site(NAME, root)
