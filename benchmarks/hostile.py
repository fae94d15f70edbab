"""Benchmark: how long and how much memory one hostile post costs a build (issue 8).

For each class of slow input it writes one post at two sizes into a fresh posts
folder and runs a whole `python -m postfeed build` on it, through a small wrapper
process that reports the build's wall time and peak RSS (getrusage of its one
child, so nothing accumulates across runs). A baseline row builds one ordinary
small post, to show the cost of a process that does nothing hostile.

    python benchmarks/hostile.py                       # sizes 100 KB and 1 MB
    python benchmarks/hostile.py --only md-brackets-open --sizes 10000,100000
    python benchmarks/hostile.py --timeout 30
    PYTHONPATH=/elsewhere/src python benchmarks/hostile.py   # measure another tree

Byte classes scale the post's size (`--sizes`, bytes); count classes (marked
"cats", "tags", "names") scale a number of front-matter values (`--counts`).

Columns: `time` is the build's wall time minus the baseline's, in seconds;
`peak MB` is the build's whole peak RSS (nothing subtracted). Verdicts, any of:
- TIMEOUT: a build ran past `--timeout` and was killed (its time then counts as
  the timeout, a lower bound, and a ratio is shown as ">N");
- SLOW: a post of at most 1 MiB took over 1 s (net of the baseline);
- MEM: a post of at most 1 MiB made a build whose peak RSS was over 200 MB;
- SUPERLINEAR: time B / time A > 2 x size B / size A, where a time A under the
  noise floor counts as the floor, and time B must be at least twice the floor;
  linear work would give a time ratio near the size ratio. The floor is the
  spread of five baseline builds, at least 0.05 s (printed with the baseline);
- EXIT2: a build exited with status 2 (one post must never stop the feeds);
- ok: none of these.
The exit column is each build's status: 1 means the post was rejected, which is
an acceptable answer to a hostile post when it comes quickly. A build may use at
most `--max-mb` of address space (so one blow-up cannot take the machine down):
one that needs more fails (a negative status is the signal that ended it). This script always
exits 0: it measures, the verdict column is all it judges.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

WRAPPER = """
import json, os, resource, signal, subprocess, sys, time
cap = int(sys.argv[2])
limit = lambda: resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
start = time.perf_counter()
child = subprocess.Popen(sys.argv[3:], start_new_session=True, preexec_fn=limit,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    status = child.wait(timeout=float(sys.argv[1]))
except subprocess.TimeoutExpired:
    os.killpg(child.pid, signal.SIGKILL)
    child.wait()
    status = None
wall = time.perf_counter() - start
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"wall": wall, "peak_kb": peak_kb, "status": status}))
"""
DATE = "2024-01-02 03:04:05"
SLOW_S, MEM_MB, MIN_NOISE_S = 1.0, 200.0, 0.05
JUDGED_BYTES = 1 << 20  # "under 1 MB": a 1 MB attack, and its few bytes of front matter
PROSE = "The quick brown fox jumps over the lazy dog; 敏捷的棕色狐狸跳过了懒狗。\n\n"


def fm(**meta: object) -> str:
    """Front matter: JSON values are YAML flow values, so any text is safe in them."""
    meta.setdefault("date", DATE)
    lines = (f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in meta.items())
    return "---\n" + "\n".join(lines) + "\n---\n"


def rep(unit: str, size: int, tail: str = "") -> str:
    """`unit` repeated to about `size` bytes of UTF-8, then `tail`."""
    return unit * max(1, size // len(unit.encode())) + tail


def body(text: str, **meta: object) -> str:
    """A post with no title (an attacker leaves it out: the body's first line is used)."""
    return fm(**meta) + text


def nested_lines(prefix: str, size: int) -> str:
    """Lines indented one step more each, up to about `size` bytes."""
    lines, total, depth = [], 0, 0
    while total < size:
        line = "  " * depth + prefix + "a\n"
        lines.append(line)
        total, depth = total + len(line), depth + 1
    return "".join(lines)


Maker = Callable[[int], str]
BYTES: dict[str, Maker] = {
    # From issue 8.
    "title-comment-open": lambda n: fm(title=rep("<!--", n)) + "x\n",
    "body-comment-open": lambda n: body(rep("<!--", n)),
    "title-heading-open": lambda n: fm(title=rep("<h1>", n)) + "x\n",
    "body-heading-open": lambda n: body(rep("<h1>", n)),
    "body-md-heading-marks": lambda n: body(rep("# ", n, "x")),
    "nested-div": lambda n: body(rep("<div>", n, "x")),
    "many-attributes": lambda n: body(
        "<p " + "".join(f"data-a{i}=1 " for i in range(n // 14)) + ">x</p>"
    ),
    "long-date": lambda n: fm(title="t", date=rep("1.", n)) + "x\n",
    "md-image-openers": lambda n: body(rep("![", n)),
    "1MB-body-150-cats": lambda n: (
        fm(title="t", categories=[f"c{i}" for i in range(150)]) + rep(PROSE, n)
    ),
    # CommonMark's pathological inputs (commonmark/cmark test/pathological_tests.py).
    "md-brackets-open": lambda n: body(rep("[", n, "a")),
    "md-nested-brackets": lambda n: body("[" * (n // 2) + "a" + "]" * (n // 2)),
    "md-link-openers": lambda n: body(rep("[a](<b", n)),
    "md-link-unclosed": lambda n: body(rep("[a](b", n)),
    "md-link-closers": lambda n: body(rep("a]", n)),
    "md-emph-openers": lambda n: body(rep("_a ", n)),
    "md-emph-closers": lambda n: body(rep("a_ ", n)),
    "md-emph-mismatched": lambda n: body(rep("*a_ ", n)),
    "md-emph-mult3": lambda n: body("a**b" + rep("c* ", n)),
    "md-strong-nested": lambda n: body(rep("*a **a ", n)),
    "md-backticks": lambda n: body("".join("e" + "`" * i for i in range(1, int(n**0.5)))),
    "md-blockquotes": lambda n: body(rep("> ", n, "a")),
    "md-nested-lists": lambda n: body(nested_lines("- ", n)),
    "md-ordered-lists-1line": lambda n: body(rep("1. ", n, "a")),
    "md-lt-runs": lambda n: body("a" + rep("<", n)),
    "md-inline-comment": lambda n: body(rep("a<!--", n)),
    "md-tiny-tables": lambda n: body(rep("|a|\n|-|\n|b|\n\n", n)),
    "md-table-wide": lambda n: body(rep("|a", n // 2, "|\n") + rep("|-", n // 2, "|\n")),
    # Ours: HTML and fields.
    "entities-body": lambda n: body(rep("&amp;lt;", n)),
    "entities-title": lambda n: fm(title=rep("&amp;amp;lt;", n)) + "x\n",
    "emph-tags-unclosed": lambda n: body(rep("<b><i><u>", n, "x")),
    "formatting-reconstruct": lambda n: body(
        "".join(f'<b class="{i}"><p>x' for i in range(n // 20))
    ),
    "unclosed-attribute": lambda n: body('<p title="' + rep("a ", n)),
    "long-line-no-spaces": lambda n: body(rep("a", n)),
    "long-bare-url": lambda n: body("http://example.org/" + rep("a", n)),
    "long-link-value": lambda n: fm(title="t", link="https://example.org/" + rep("a", n)) + "x",
    "long-md-link": lambda n: body("[x](http://example.org/" + rep("a", n, ")")),
    "bare-amp-html": lambda n: body("<p>" + rep("&", n)),
    "latin1-run-html": lambda n: body("<p>" + rep("°·\u00a0", n)),
    "textarea-run": lambda n: body("<p>x</p><textarea>" + rep("&amp;°", n) + "</textarea>"),
    "long-alt": lambda n: body(rep('<img src="/a.png" alt="' + "°" * 5000 + '">', n)),
    "md-empty-headings": lambda n: body(rep("#\n", n)),
    "md-empty-items": lambda n: body(rep("-\n", n)),
    "data-src-images": lambda n: body(rep('<img data-src="http://e.org/a.png">', n)),
    "hidden-style": lambda n: body(rep('<p style="display:none">x</p>', n)),
    "huge-front-matter": lambda n: fm(title="t", **{f"k{i}": "v" for i in range(n // 12)}) + "x",
    "long-category-name": lambda n: fm(title="t", categories=[rep("é", n)]) + "x",
    "long-author": lambda n: fm(title="t", author=rep("<b>a", n)) + "x",
}
COUNTS: dict[str, tuple[str, Maker]] = {
    "many-categories": ("cats", lambda n: fm(title="t", categories=[f"c{i}" for i in range(n)])),
    "4byte-categories": (
        "cats",
        # CJK Extension B: 4 bytes in UTF-8, kept by NFKC and by the slug (𝕏 would fold to x).
        lambda n: fm(
            title="t", categories=[f"{chr(0x20000 + i % 1000) * 80}{i}" for i in range(n)]
        ),
    ),
    "many-tags": ("tags", lambda n: fm(title="t", tags=[f"t{i}" for i in range(n)])),
    "many-authors": ("names", lambda n: fm(title="t", author=[f"a{i}" for i in range(n)])),
}


def build(text: str, timeout: float, max_mb: int) -> dict[str, float | int | None]:
    """One whole build of a posts folder holding only `text`; wall, peak_kb, status."""
    with tempfile.TemporaryDirectory(prefix="hostile-") as temp:
        work = Path(temp)
        (work / "posts").mkdir()
        (work / "posts" / "post.md").write_text(text, encoding="utf-8")
        (work / "empty.toml").write_text("", encoding="utf-8")
        command = [sys.executable, "-m", "postfeed", "build", "--posts", "posts"]
        command += ["--output", "output", "--config", "empty.toml", "-q"]
        command += ["--site-url", "https://example.org/"]
        wrapper = [sys.executable, "-c", WRAPPER, str(timeout), str(max_mb << 20), *command]
        done = subprocess.run(
            wrapper, cwd=work, capture_output=True, text=True, timeout=timeout + 60, check=True
        )
        return json.loads(done.stdout)


def row(name: str, sizes: list[str], size_ratio: float, judged: list[bool], runs: list[dict],
        base: float, noise: float, timeout: float) -> str:  # fmt: skip
    """One line of the table (rules in the module docstring); judged[i]: run i is under 1 MiB."""
    done = [run["status"] is not None for run in runs]
    # A build that timed out counts as the timeout: a lower bound of its time.
    nets = [
        max(0.0, (run["wall"] if run["status"] is not None else timeout) - base) for run in runs
    ]
    peaks = [run["peak_kb"] / 1024 for run in runs]
    ratio = nets[1] / max(nets[0], noise)
    found = {
        "TIMEOUT": not all(done),
        "SLOW": any(nets[i] > SLOW_S and done[i] and judged[i] for i in (0, 1)),
        "MEM": any(peaks[i] > MEM_MB and judged[i] for i in (0, 1)),
        "SUPERLINEAR": done[0] and nets[1] >= 2 * noise and ratio > 2 * size_ratio,
        "EXIT2": any(run["status"] == 2 for run in runs),
    }
    cells = [name]
    for i in (0, 1):
        cells += [sizes[i], f"{nets[i]:.2f}" if done[i] else "TIMEOUT", f"{peaks[i]:.0f}"]
    cells.append(f"{ratio:.1f}" if all(done) else f">{ratio:.0f}" if done[0] else "-")
    cells.append(f"{size_ratio:g}")
    cells.append("/".join("-" if run["status"] is None else str(run["status"]) for run in runs))
    cells.append(", ".join(word for word, hit in found.items() if hit) or "ok")
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="two sizes in bytes")
    parser.add_argument("--counts", default="100,1000", help="two counts, for count classes")
    parser.add_argument("--only", action="append", help="a class to run (repeatable)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per build")
    parser.add_argument("--max-mb", type=int, default=4096, help="address space per build")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    counts = [int(count) for count in args.counts.split(",")]
    classes = [(name, "B", make, sizes) for name, make in BYTES.items()]
    classes += [(name, unit, make, counts) for name, (unit, make) in COUNTS.items()]
    unknown = set(args.only or ()) - {name for name, *_ in classes}
    if unknown:
        parser.error(f"unknown class: {', '.join(sorted(unknown))}")

    ordinary = fm(title="An ordinary post", categories=["news"]) + PROSE * 20
    base_runs = [build(ordinary, args.timeout, args.max_mb) for _ in range(5)]
    walls = [run["wall"] for run in base_runs]
    baseline, noise = min(walls), max(MIN_NOISE_S, max(walls) - min(walls))
    base_peak = max(run["peak_kb"] for run in base_runs) / 1024
    print(
        f"baseline (one {len(ordinary.encode()):,}-byte post, best of 5): {baseline:.2f} s, ",
        end="",
    )
    print(f"peak {base_peak:.0f} MB, noise floor {noise:.2f} s; times below are net of it\n")
    print("| class | size A | time A | peak MB A | size B | time B | peak MB B "
          "| time ratio | size ratio | exit | verdict |")  # fmt: skip
    print("|" + " --- |" * 11)
    for name, unit, make, pair in classes:
        if args.only and name not in args.only:
            continue
        texts = [make(size) for size in pair]
        byte_sizes = [len(text.encode()) for text in texts]
        shown = (
            [f"{n / 1000:,.0f} KB" for n in byte_sizes]
            if unit == "B"
            else [f"{n} {unit}" for n in pair]
        )
        judged = [n <= JUDGED_BYTES for n in byte_sizes]
        runs = [build(text, args.timeout, args.max_mb) for text in texts]
        line = row(name, shown, pair[1] / pair[0], judged, runs, baseline, noise, args.timeout)
        print(line, flush=True)


if __name__ == "__main__":
    main()
