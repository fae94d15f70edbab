"""Shared fixtures: paths to the shared material, a clean working directory, and posts.

Every test file writes its posts with `write_post` (and builds their text with
`post_text` where the front matter is not itself the point of the test).
"""

from __future__ import annotations

import math
import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEED = SHARED / "seed" / "000_43e460d1b31f5d9a.txt"
SAMPLE_SEED = REPO / "posts" / "000_43e460d1b31f5d9a.txt"
CORPUS = SHARED / "corpus"
FEEDCHECK = SHARED / "feedcheck"

WritePost = Callable[..., Path]


@pytest.fixture(autouse=True)
def work_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test runs in an empty working directory of its own: nothing the
    library does may depend on where it is run from."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def post_text(
    title: str | None = "A post",
    date: str | None = "2021-09-10T11:48:10Z",
    body: str = "Text.\n",
    **front_matter: object,
) -> str:
    """The text of a post file: YAML front matter, then `body` as given.

    Each value is written so that YAML reads back exactly that value (strings,
    lists, booleans; a title such as `a: b` or `'quoted'` needs no care), and a
    value of None leaves its key out. Tests of the YAML itself write the text by hand.
    """
    meta = {"title": title, "date": date, **front_matter}
    meta = {key: value for key, value in meta.items() if value is not None}
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=math.inf)
    return f"---\n{front if meta else ''}---\n{body}"


@pytest.fixture
def write_post(tmp_path: Path) -> WritePost:
    """write_post(name, text, encoding="utf-8") -> the path of tmp_path/posts/NAME.

    Text is dedented (a post can be written as an indented triple-quoted string)
    and encoded; bytes are written exactly as given. The file appears whole, as an
    editor's safe save makes it (a hidden file renamed into place): a build or a
    server running meanwhile never reads half a post.
    """
    posts = tmp_path / "posts"
    posts.mkdir(exist_ok=True)

    def write(name: str, text: str | bytes, encoding: str = "utf-8") -> Path:
        path = posts / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text if isinstance(text, bytes) else textwrap.dedent(text).encode(encoding)
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, path)
        return path

    return write
