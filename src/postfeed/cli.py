"""The command line: a thin shell over `postfeed.build`."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from postfeed import __version__
from postfeed.article import Problem, printable
from postfeed.build import BuildError, BuildResult, LockBusy, build, check
from postfeed.config import Config, ConfigError, load_config

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_BUSY = 3

BUILD_STATUS_HELP = """\
exit status:
  0  feeds written, every post used
  1  feeds written, but some posts were rejected (each is listed as PATH: field: reason)
  2  usage or configuration error, or the feeds could not be written (nothing changed)
  3  another build of the same output folder is running (see --wait); nothing done
"""
CHECK_STATUS_HELP = """\
exit status:
  0  no post has an error (there may be warnings)
  1  some posts have errors: a build would leave them out
  2  usage or configuration error
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    return args.run(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="postfeed",
        description="Turn a folder of posts into RSS 2.0 and Atom 1.0 feeds.",
        epilog=BUILD_STATUS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"postfeed {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    reading = argparse.ArgumentParser(add_help=False)
    reading.add_argument(
        "--posts", type=Path, metavar="DIR", help="folder of posts (default: posts)"
    )
    reading.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="configuration file (default: ./postfeed.toml if present)",
    )
    reading.add_argument(
        "--site",
        type=Path,
        metavar="DIR",
        help="root of a Hexo, Jekyll or Hugo site whose configuration to read "
        "(default: the working directory, if it is one)",
    )
    reading.add_argument("--site-url", metavar="URL", help="where the articles live")
    reading.add_argument(
        "--strict",
        action="store_true",
        default=None,
        help="a post without a date is an error, not a warning",
    )
    loudness = reading.add_mutually_exclusive_group()
    loudness.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    loudness.add_argument(
        "-v", "--verbose", action="store_true", help="print the summary, timings and tracebacks too"
    )

    writing = argparse.ArgumentParser(add_help=False)
    writing.add_argument(
        "--output", type=Path, metavar="DIR", help="folder for the feeds (default: output)"
    )
    writing.add_argument("--limit", type=int, metavar="N", help="articles per feed (default: 50)")
    writing.add_argument(
        "--force", action="store_true", help="re-read every post, ignoring the cache"
    )
    writing.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long for a running build of the same output to finish (default: 0)",
    )
    writing.add_argument(
        "--ping", action="store_true", help="tell the WebSub hub (config: hub) which feeds changed"
    )

    build_parser = commands.add_parser(
        "build",
        parents=[reading, writing],
        help="read the posts and write the feeds",
        description="Read every post below --posts and write the feeds, feeds.opml and\n"
        "index.html to --output. Only new and changed posts are read (see --force).",
        epilog=BUILD_STATUS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    build_parser.set_defaults(run=_run_build)

    serve_parser = commands.add_parser(
        "serve",
        parents=[reading, writing],
        help="build, serve the output folder on this machine, rebuild when posts change",
        description="Build, then serve --output at http://HOST:PORT/ with the right content\n"
        "types, ETag and Last-Modified. The feeds' own URLs point at this server, so a\n"
        "reader can subscribe. Posts are checked for changes every --poll seconds;\n"
        "Ctrl-C stops.",
        epilog=BUILD_STATUS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve_parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    serve_parser.add_argument(
        "--port", type=int, default=8000, help="port to listen on (default: 8000)"
    )
    serve_parser.add_argument(
        "--poll",
        type=float,
        default=2.0,
        metavar="SECONDS",
        help="how often to look for changed posts",
    )
    serve_parser.set_defaults(run=_run_serve)

    check_parser = commands.add_parser(
        "check",
        parents=[reading],
        help="read and normalize every post, report every problem, write nothing",
        description="Read and normalize every post below --posts (content included) and\n"
        "print each problem as PATH: field: message. Nothing is written.",
        epilog=CHECK_STATUS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check_parser.add_argument(
        "folder", nargs="?", type=Path, metavar="POSTS", help="the folder of posts (or --posts)"
    )
    check_parser.set_defaults(run=_run_check, output=None, limit=None)
    return parser


# Read when --config is not given, if the working directory has it.
DEFAULT_CONFIG_FILE = Path("postfeed.toml")


def _load(args: argparse.Namespace) -> Config:
    path = args.config
    if path is None and DEFAULT_CONFIG_FILE.is_file():
        path = DEFAULT_CONFIG_FILE
    return load_config(
        path,
        default_site=Path("."),
        site=args.site,
        posts=args.posts,
        output=args.output,
        site_url=args.site_url,
        limit=args.limit,
        strict=args.strict,
    )


def _run_build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        config = _load(args)
        with _ProgressBar(enabled=not args.quiet and sys.stderr.isatty()) as progress:
            result = build(
                config, force=args.force, wait=args.wait, ping=args.ping, progress=progress
            )
    except (ConfigError, BuildError) as error:
        print(f"postfeed: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except LockBusy as error:
        print(f"postfeed: {error}", file=sys.stderr)
        return EXIT_BUSY
    _report_build(result, config, args, started)
    return EXIT_REJECTED if result.collection.rejected else EXIT_OK


def _report_build(
    result: BuildResult, config: Config, args: argparse.Namespace, started: float
) -> None:
    if args.verbose and config.site is not None:
        print(f"postfeed: {config.site} is a {config.site_kind} site", file=sys.stderr)
        for line in config.site_read_from:
            print(f"postfeed: {printable(line, 300)}", file=sys.stderr)
    _print_problems(result.problems, args)
    collection = result.collection
    # Quiet on success under cron: the summary is for people at a terminal (or -v).
    if args.verbose or (not args.quiet and sys.stderr.isatty()):
        written = (
            "feeds up to date"
            if result.up_to_date
            else f"{len(result.feed_sets)} feed sets, {len(result.written)} files written "
            f"({len(result.changed)} changed), {len(result.articles)} articles in the main feed"
        )
        print(
            f"postfeed: {collection.posts_read} posts read, {collection.rejected} rejected, "
            f"{collection.skipped} skipped; {written} in {config.output}",
            file=sys.stderr,
        )
    if args.verbose:
        stages = ", ".join(f"{stage} {seconds:.2f}s" for stage, seconds in result.timings.items())
        total = time.perf_counter() - started
        print(
            f"postfeed: {collection.posts_parsed} posts parsed; {stages}; total {total:.2f}s",
            file=sys.stderr,
        )


class _ProgressBar:
    """A bar for reading posts, at a terminal only, and only once a run has taken a
    second (tqdm's delay): a quick run, or one under cron, shows nothing."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None

    def __enter__(self) -> Callable[[int, int], None] | None:
        return self.update if self.enabled else None

    def update(self, done: int, total: int) -> None:
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit=" posts", delay=1.0, leave=False, file=sys.stderr)
        self.bar.update(done - self.bar.n)

    def __exit__(self, *_: object) -> None:
        if self.bar is not None:
            self.bar.close()


def _run_serve(args: argparse.Namespace) -> int:
    from postfeed.formats import media_types
    from postfeed.serve import serve

    try:
        config = _load(args)
    except ConfigError as error:
        print(f"postfeed: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    host = f"[{args.host}]" if ":" in args.host else args.host
    # The feeds name this server as their home, so a reader can subscribe for real.
    config = replace(config, feed_url=f"http://{host}:{args.port}/")
    status = _run_build_once(config, args, force=args.force)
    if status in (EXIT_USAGE, EXIT_BUSY):
        return status

    def rebuild() -> None:
        _run_build_once(config, args, force=False)

    def ready(url: str) -> None:
        print(f"postfeed: serving {config.output} at {url} (Ctrl-C stops)", file=sys.stderr)

    try:
        serve(
            config.output,
            args.host,
            args.port,
            rebuild=rebuild,
            poll_seconds=args.poll,
            ready=ready,
            types=media_types(config.formats),
        )
    except OSError as error:  # the port is taken, or the address is not this machine's
        reason = error.strerror or error
        print(f"postfeed: error: cannot serve on {host}:{args.port}: {reason}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def _run_build_once(config: Config, args: argparse.Namespace, force: bool) -> int:
    """One build of `serve`: quiet when nothing changed, like cron."""
    started = time.perf_counter()
    try:
        result = build(config, force=force, wait=args.wait, ping=args.ping)
    except BuildError as error:
        print(f"postfeed: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except LockBusy as error:
        print(f"postfeed: {error}", file=sys.stderr)
        return EXIT_BUSY
    if not result.up_to_date:
        _report_build(result, config, args, started)
    return EXIT_REJECTED if result.collection.rejected else EXIT_OK


def _run_check(args: argparse.Namespace) -> int:
    if args.folder is not None:
        if args.posts is not None:
            print("postfeed: error: give the posts folder once: POSTS or --posts", file=sys.stderr)
            return EXIT_USAGE
        args.posts = args.folder
    try:
        collection = check(_load(args))
    except (ConfigError, BuildError) as error:
        print(f"postfeed: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    _print_problems(collection.problems, args)
    if not args.quiet:
        warnings = sum(1 for problem in collection.problems if not problem.fatal)
        print(
            f"postfeed: {collection.posts_read} posts checked, {collection.rejected} with errors, "
            f"{warnings} warnings",
            file=sys.stderr,
        )
    return EXIT_REJECTED if collection.rejected else EXIT_OK


def _print_problems(problems: Sequence[Problem], args: argparse.Namespace) -> None:
    for problem in problems:
        if problem.fatal or not args.quiet:
            print(problem, file=sys.stderr)
            if args.verbose and problem.detail:
                print(printable(problem.detail, keep_newlines=True), file=sys.stderr)
