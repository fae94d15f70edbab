"""Benchmark: how postfeed builds scale, against the floors of the file system.

For each N it makes N synthetic posts from the sample posts in posts/ (varied
titles, dates in several formats, categories and folders, 2-10 KB bodies) and
times, each as a whole `python -m postfeed build` process:

    cold build, no-change rebuild, rebuild after adding 1 post,
    rebuild after editing 1 post, and the peak RSS of the cold build;

and, as floors, a whole Python process that stats every post file, and one that
reads every file's bytes. Ratios to the floors are printed.

    python benchmarks/run.py                   # N = 1,000, 10,000 and 100,000
    python benchmarks/run.py --sizes 1000      # a quick look
    python benchmarks/run.py --corpus ../shared/corpus --copies 5   # the real corpus, 5 times over
    python benchmarks/run.py --config main-only.toml   # e.g. [categories] feeds = false

Figures depend on the machine and its load: compare ratios within one run.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "posts"

STAT_ALL = """
import os, sys
count = 0
for folder, dirs, files in os.walk(sys.argv[1]):
    for name in files:
        os.stat(os.path.join(folder, name)); count += 1
"""
READ_ALL = """
import os, sys
for folder, dirs, files in os.walk(sys.argv[1]):
    for name in files:
        with open(os.path.join(folder, name), "rb") as f: f.read()
"""
CATEGORIES = [
    "金融",
    "新浪财经",
    "科技",
    "IT 之家",
    "36kr 快讯",
    "社会",
    "国际",
    "Notes",
    "二次元",
    "阅读",
]
DATE_FORMATS = [
    lambda d: d.strftime("%a, %d %b %Y %H:%M:%S GMT"),
    lambda d: (d + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S"),
    lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ"),
    lambda d: (d + timedelta(hours=8)).strftime("%Y-%m-%d"),
]


def sample_bodies() -> list[str]:
    bodies = []
    for path in sorted(SAMPLES.rglob("*")):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            bodies.append(text.split("\n---\n", 2)[-1] if "\n---\n" in text else text)
    return bodies


def make_post(number: int, rng: random.Random, bodies: list[str]) -> tuple[str, str]:
    """(relative path, file text) of synthetic post `number`."""
    when = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(3 * 365 * 86400))
    categories = rng.sample(CATEGORIES, rng.randint(1, 3))
    body = rng.choice(bodies)
    target = rng.randint(2_000, 10_000)
    while len(body.encode()) < target:
        body += "\n" + rng.choice(bodies)
    title = f"第 {number} 篇 · {rng.choice(CATEGORIES)} 新闻标题 {rng.randrange(10**6)}"
    front = "\n".join([
        "", "---", f"title: '{title}'", "categories:", *[f" - {c}" for c in categories],
        f"author: {rng.choice(CATEGORIES)}", "comments: false",
        f"date: {rng.choice(DATE_FORMATS)(when)}",
        "headimg: 'https://n.sinaimg.cn/finance/cece9e13/20200514/343233024.png'", "---", "",
    ])  # fmt: skip
    folder = f"{categories[0]}/{rng.choice(CATEGORIES)}"
    return f"{folder}/post-{number:06d}.md", front + body


def make_posts(root: Path, count: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    bodies = sample_bodies()
    for number in range(count):
        relative, text = make_post(number, rng, bodies)
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def run(command: list[str]) -> tuple[float, int, int]:
    """Seconds, peak RSS in bytes and exit status of a whole process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.stderr.close()
    return elapsed, usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status)


def measure(posts: Path, work: Path, limit: int, config: Path | None) -> dict[str, float]:
    output = work / "output"
    build = [sys.executable, "-m", "postfeed", "build", "-q", "--posts", str(posts),
             "--output", str(output), "--limit", str(limit),
             "--site-url", "https://feeds.example.org/"]  # fmt: skip
    if config is not None:
        build += ["--config", str(config.resolve())]
    figures: dict[str, float] = {}
    os.sync()
    figures["stat-all floor"], _, _ = run([sys.executable, "-c", STAT_ALL, str(posts)])
    figures["read-all floor"], _, _ = run([sys.executable, "-c", READ_ALL, str(posts)])
    figures["cold build"], figures["peak RSS MB"], status = run(build)
    figures["peak RSS MB"] /= 1e6
    if status not in (0, 1):
        raise SystemExit(f"build failed with status {status}")
    figures["no-change rebuild"], _, _ = run(build)
    added = posts / "bench-added" / "new-post.md"
    added.parent.mkdir(exist_ok=True)
    added.write_text(make_post(10**7, random.Random(7), sample_bodies())[1], encoding="utf-8")
    figures["add-1 rebuild"], _, _ = run(build)
    edited = added.read_text(encoding="utf-8").replace("title: '", "title: 'Edited ", 1)
    added.write_text(edited, encoding="utf-8")
    figures["edit-1 rebuild"], _, _ = run(build)
    added.unlink()
    return figures


def report(label: str, figures: dict[str, float]) -> None:
    stat_floor = figures["stat-all floor"]
    print(f"\n{label}")
    for name, value in figures.items():
        if name == "peak RSS MB":
            print(f"  {name:<20} {value:8.0f}")
        else:
            ratio = f"  ({value / stat_floor:5.1f}x stat-all)" if "floor" not in name else ""
            print(f"  {name:<20} {value:8.2f} s{ratio}")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--corpus", type=Path, help="benchmark this folder of real posts instead")
    parser.add_argument("--copies", type=int, default=5, help="copies of --corpus (default 5)")
    parser.add_argument("--keep", action="store_true", help="keep the generated posts")
    parser.add_argument("--config", type=Path, help="a postfeed.toml for every build")
    args = parser.parse_args()
    print(f"postfeed benchmark: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    work_root = Path(tempfile.mkdtemp(prefix="postfeed-bench-"))
    try:
        if args.corpus:
            posts = work_root / "posts"
            for copy in range(args.copies):
                shutil.copytree(args.corpus, posts / f"copy-{copy}")
            count = sum(1 for _ in posts.rglob("*.md"))
            report(f"corpus {args.corpus} x{args.copies} ({count} files), --limit {args.limit}",
                   measure(posts, work_root, args.limit, args.config))  # fmt: skip
        for size in [] if args.corpus else args.sizes:
            work = work_root / f"n{size}"
            started = time.perf_counter()
            make_posts(work / "posts", size)
            print(f"\n(made {size:,} posts in {time.perf_counter() - started:.1f} s)")
            report(
                f"N = {size:,}, --limit {args.limit}",
                measure(work / "posts", work, args.limit, args.config),
            )
            if not args.keep:
                shutil.rmtree(work)
    finally:
        if not args.keep:
            shutil.rmtree(work_root, ignore_errors=True)


if __name__ == "__main__":
    main()
