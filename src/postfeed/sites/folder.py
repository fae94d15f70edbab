"""A plain folder of posts, as scrapers write them: no site configuration.

File names follow Jekyll's convention where they can: `2017-07-03-title.md`
gives a post without a `date` its date. `:title` in a permalink is the post's
path inside the posts folder, without its suffix.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

NAME = "folder"
_DATE_IN_NAME = re.compile(r"(?:^|/)(\d{4}-\d{1,2}-\d{1,2})-[^/]*$")


def detect(root: Path) -> bool:
    return True  # any folder is a folder of posts


def read_config(root: Path) -> dict[str, Any]:
    """Settings from the site's own configuration: a plain folder has none."""
    return {}


def date_in_name(name: str) -> str | None:
    """The date a file name carries (`name` is the post's path without suffix)."""
    match = _DATE_IN_NAME.search(name)
    return match.group(1) if match else None


def permalink_name(name: str) -> str:
    """What `:title` stands for in a permalink."""
    return name
