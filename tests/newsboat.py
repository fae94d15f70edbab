"""Test helper: a fresh newsboat of its own, that talks to 127.0.0.1 only."""

from __future__ import annotations

import os
from pathlib import Path

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY")


def write_config(path: Path, error_log: Path) -> None:
    """A newsboat configuration that keeps every item and logs errors to a file."""
    path.write_text(
        f'error-log "{error_log}"\n'
        "reload-threads 1\ndownload-timeout 30\nmax-items 0\nkeep-articles-days 0\n",
        encoding="utf-8",
    )


def environment(home: Path) -> dict[str, str]:
    """The environment of a newsboat with its own home and no proxy."""
    env = dict(
        os.environ,
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
        no_proxy="127.0.0.1",
    )
    for name in PROXY_VARIABLES:
        env.pop(name, None)
    return env
