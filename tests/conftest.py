"""Shared fixtures: paths to the shared material and a helper to write posts."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEED = SHARED / "seed" / "000_43e460d1b31f5d9a.txt"
SAMPLE_SEED = REPO / "posts" / "000_43e460d1b31f5d9a.txt"
CORPUS = SHARED / "corpus"
FEEDCHECK = SHARED / "feedcheck"


@pytest.fixture(autouse=True)
def work_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test runs in an empty working directory of its own: nothing the
    library does may depend on where it is run from."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


@pytest.fixture
def write_post(tmp_path: Path):
    """write_post("a.md", front_matter_and_body) -> Path, under tmp_path/posts."""
    posts = tmp_path / "posts"
    posts.mkdir(exist_ok=True)

    def write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = posts / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(textwrap.dedent(text).encode(encoding))
        return path

    return write
