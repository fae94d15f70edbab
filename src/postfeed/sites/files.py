"""Reading a site's own configuration files: YAML, TOML or JSON, bounded in size.

The configuration is trusted (it is the user's), but it is still a file that can
be anything: too large, not UTF-8, not a mapping. Every failure is a SiteError
naming the file.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from postfeed.sites.base import SiteError

# No site configuration is this large; a larger file is refused before parsing.
MAX_CONFIG_BYTES = 1_000_000


def read_mapping(path: Path) -> dict[str, Any]:
    """The top-level mapping of a .yml/.yaml, .toml or .json file (empty for an empty file)."""
    import yaml  # imported on first use: a folder that is no site has no such file

    try:
        with path.open("rb") as file:
            data = file.read(MAX_CONFIG_BYTES + 1)
    except OSError as error:
        raise SiteError(f"{path}: {error.strerror or error}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise SiteError(f"{path}: over {MAX_CONFIG_BYTES:,} bytes")
    try:
        # utf-8-sig: a byte order mark is tolerated (Ruby's YAML reader is not so
        # kind, but the site meant what is after it).
        text = data.decode("utf-8-sig")
        suffix = path.suffix.lower()
        if suffix == ".toml":
            value: Any = tomllib.loads(text)
        elif suffix == ".json":
            value = json.loads(text)
        else:
            value = yaml.safe_load(text)
    except (UnicodeDecodeError, ValueError, yaml.YAMLError) as error:
        message = " ".join(str(error).split())
        raise SiteError(f"{path}: {message[:300]}") from None
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SiteError(f"{path}: not a mapping of settings")
    return value


def text(value: Any) -> str:
    """A setting as text: None and non-scalars are empty."""
    if value is None or isinstance(value, dict | list):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def flag(value: Any, default: bool) -> bool:
    """A boolean setting; anything unset or unclear is `default`."""
    if isinstance(value, bool):
        return value
    word = text(value).lower()
    if word in ("true", "yes", "on", "1"):
        return True
    if word in ("false", "no", "off", "0"):
        return False
    return default
