"""What marks the root of each kind of site: the files and folders its generator needs there.

Kept apart from the kinds' own modules, which use these names too, so that telling a
plain folder of posts from a site's root imports none of them: a cron run that finds
nothing to do pays for every module it imports.
"""

from __future__ import annotations

from pathlib import Path

HEXO_CONFIG_FILE = "_config.yml"
HEXO_POSTS_FOLDER = Path("source") / "_posts"

HUGO_CONFIG_NAMES = ("hugo", "config")  # Hugo reads the first it finds, and only that one
HUGO_CONFIG_SUFFIXES = (".toml", ".yaml", ".yml", ".json")
HUGO_CONFIG_FOLDER = "config"

JEKYLL_CONFIG_FILES = ("_config.yml", "_config.yaml", "_config.toml")  # the one Jekyll takes first
JEKYLL_POSTS = "_posts"


def is_hexo(root: Path) -> bool:
    return (root / HEXO_CONFIG_FILE).is_file() and (root / HEXO_POSTS_FOLDER).is_dir()


def is_hugo(root: Path) -> bool:
    has_config = (
        any(
            (root / f"{name}{suffix}").is_file()
            for name in HUGO_CONFIG_NAMES
            for suffix in HUGO_CONFIG_SUFFIXES
        )
        or (root / HUGO_CONFIG_FOLDER / "_default").is_dir()
    )
    return has_config and (root / "content").is_dir()


def is_jekyll(root: Path) -> bool:
    return (root / JEKYLL_POSTS).is_dir() and any(
        (root / name).is_file() for name in JEKYLL_CONFIG_FILES
    )
