"""index.html speaks the site's language, as a real browser shows it.

A site is built with `language` set, and its index.html is loaded in headless Chromium:
the rendered page shows its own words (headings, the note, the groups) and its dates in
that language. A screenshot of each is taken; with POSTFEED_ARTIFACTS set, they are
copied there as index-<language>.png, to look at.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import lxml.html
import pytest
from test_subscriber import CHROMIUM, png_pixel_bytes, png_size, run_chromium

from postfeed.cli import main

from conftest import WritePost, post_text

pytestmark = [
    pytest.mark.slow,  # two runs of a real browser for each language
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="chromium is not on PATH (apt-get install chromium; CI installs it)",
    ),
]

CONFIG = """\
title = "新闻聚合 · News"
site_url = "https://news.example.org/"
language = "{language}"
timezone = "Asia/Shanghai"

[[feeds]]
name = "finance"
categories = ["金融"]
"""

# What the page must show, as a person reads it in the browser.
SHOWN = {
    "zh-CN": {
        "headings": ["订阅源", "最新文章"],
        "note": "复制地址，粘贴到 RSS 阅读器中即可订阅。",
        "groups": ["全站", "分类", "自定义"],
        "dates": ["2021年9月10日 19:48", "2021年9月9日 08:00"],
    },
    "en": {
        "headings": ["Feeds", "Newest articles"],
        "note": "To subscribe, copy an address into your feed reader.",
        "groups": ["Main", "Categories", "Custom"],
        "dates": ["10 Sep 2021, 19:48", "9 Sep 2021, 08:00"],
    },
}


@pytest.mark.parametrize("language", list(SHOWN))
def test_chromium_shows_the_index_page_in_the_sites_language(
    tmp_path: Path, write_post: WritePost, language: str
) -> None:
    write_post("a.md", post_text("长江中游三省成立协同发展联合办公室", categories=["金融"]))
    write_post("b.md", post_text("Markets open higher", "2021-09-09 08:00:00", categories=["金融"]))
    config = tmp_path / "postfeed.toml"
    config.write_text(CONFIG.format(language=language), encoding="utf-8")
    output = tmp_path / "out"
    argv = ["build", "--config", str(config), "--posts", str(tmp_path / "posts")]
    assert main([*argv, "--output", str(output), "-q"]) == 0
    url = (output / "index.html").as_uri()
    browser = tmp_path / "chromium"

    dom, errors = run_chromium(browser, "dump", "--dump-dom", url)
    assert dom.strip(), f"chromium printed no DOM:\n{errors}"
    page = lxml.html.document_fromstring(dom.decode("utf-8"))
    shown = SHOWN[language]
    assert page.get("lang") == language
    assert page.xpath("//h2/text()") == shown["headings"]
    assert page.xpath("//section[@id='feeds']/p[@class='note']/text()") == [shown["note"]]
    assert page.xpath("//h3/text()") == shown["groups"]
    assert page.xpath("//time/text()") == shown["dates"]
    # The machine-readable date stays as it is, whatever the language.
    assert page.xpath("//time/@datetime") == ["2021-09-10T11:48:10Z", "2021-09-09T00:00:00Z"]

    screenshot = browser / f"index-{language}.png"
    run_chromium(browser, "shot", f"--screenshot={screenshot}", "--window-size=600,900", url)
    data = screenshot.read_bytes()
    assert png_size(data) == (600, 900)
    assert len(set(png_pixel_bytes(data))) > 16, "the screenshot is blank"
    artifacts = os.environ.get("POSTFEED_ARTIFACTS")
    if artifacts:
        folder = Path(artifacts).resolve()
        folder.mkdir(parents=True, exist_ok=True)
        screenshot = Path(shutil.copyfile(screenshot, folder / screenshot.name))
    print(f"\nscreenshot of the index page in {language}:", screenshot)
