"""The command line: a thin shell over `postfeed.build`."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from postfeed import __version__
from postfeed.build import BuildError, LockBusy, build
from postfeed.config import ConfigError, load_config

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_BUSY = 3

EXIT_STATUS_HELP = """\
exit status:
  0  feeds written, every post used
  1  feeds written, but some posts were rejected (each is listed as PATH: reason)
  2  usage or configuration error, or the feeds could not be written (nothing changed)
  3  another build of the same output folder is running (see --wait); nothing done
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
        epilog=EXIT_STATUS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"postfeed {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    build_parser = commands.add_parser(
        "build",
        help="read the posts and write the feeds",
        description="Read every post below --posts and write rss.xml and atom.xml to --output.",
        epilog=EXIT_STATUS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    build_parser.add_argument(
        "--posts", type=Path, metavar="DIR", help="folder of posts (default: posts)"
    )
    build_parser.add_argument(
        "--output", type=Path, metavar="DIR", help="folder for the feeds (default: output)"
    )
    build_parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="configuration file (default: ./postfeed.toml if present)",
    )
    build_parser.add_argument("--site-url", metavar="URL", help="where the articles live")
    build_parser.add_argument(
        "--limit", type=int, metavar="N", help="articles per feed (default: 50)"
    )
    build_parser.add_argument(
        "--strict",
        action="store_true",
        default=None,
        help="reject posts without a date instead of using the file time",
    )
    build_parser.add_argument(
        "--force", action="store_true", help="re-read every post, ignoring the cache"
    )
    build_parser.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long for another running build to finish (default: 0)",
    )
    loudness = build_parser.add_mutually_exclusive_group()
    loudness.add_argument(
        "-q", "--quiet", action="store_true", help="print only rejected posts and errors"
    )
    loudness.add_argument(
        "-v", "--verbose", action="store_true", help="print tracebacks and timings too"
    )
    build_parser.set_defaults(run=_run_build)
    return parser


def _run_build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        config = load_config(
            args.config,
            posts=args.posts,
            output=args.output,
            site_url=args.site_url,
            limit=args.limit,
            strict=args.strict,
        )
        result = build(config, force=args.force, wait=args.wait)
    except (ConfigError, BuildError) as error:
        print(f"postfeed: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except LockBusy as error:
        print(f"postfeed: {error}", file=sys.stderr)
        return EXIT_BUSY
    for problem in result.problems:
        if problem.fatal or not args.quiet:
            print(problem, file=sys.stderr)
            if args.verbose and problem.detail:
                print(problem.detail, file=sys.stderr)
    collection = result.collection
    # Quiet on success under cron: the summary is for people at a terminal (or -v).
    if args.verbose or (not args.quiet and sys.stderr.isatty()):
        written = (
            "feeds up to date"
            if result.up_to_date
            else f"{len(result.written)} feeds written ({len(result.changed)} changed, "
            f"{len(result.articles)} articles)"
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
    return EXIT_REJECTED if collection.rejected else EXIT_OK
