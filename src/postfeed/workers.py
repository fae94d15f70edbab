"""The worker processes of a build, one a core, shared by its stages.

A cold build reads every post, renders the content of the articles its feeds show and
writes every feed set, each stage on every core. The workers are started when a stage
first has enough to share (a build with little to do starts none) and serve every later
stage of the same build: starting them again costs more than some stages take.

They are started by a fork server, not forked from this process: a build may run in a
thread of `postfeed serve`, and forking a process that has threads can deadlock the
child. The fork server imports what the workers run before it forks them (each worker
importing it again took 0.1 s and more).

Each worker ends itself when its build's process is gone: a build killed (SIGKILL, or
SIGTERM from a `timeout` or a supervisor) runs no cleanup, and its workers, blocked
on their queue, and the fork server, which they keep alive, would sleep forever.
"""

from __future__ import annotations

import os
import select
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor
    from multiprocessing.context import BaseContext

T = TypeVar("T")
R = TypeVar("R")

# What the workers run: reading posts, rendering content, writing feed sets.
PRELOADED = (
    "concurrent.futures.process",
    "postfeed.collector",
    "postfeed.content",
    "postfeed.markdown",
    "postfeed.build",
    "postfeed.feeds",
    "postfeed.jsonfeed",
)
MAX_WORKERS = 8
# How often a worker looks whether its build still runs, where it cannot wait for it.
WATCH_SECONDS = 1.0


class WorkerLost(Exception):
    """A worker process ended before it finished its work (killed: out of memory, by
    hand; or crashed): what it was doing is lost, so the build is."""


class Workers:
    """The pool of one build. Use as a context manager: it ends the workers it started."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, _type: object, error: BaseException | None, _trace: object) -> None:
        if self._pool is not None:
            from concurrent.futures.process import BrokenProcessPool  # (imported: pool runs)

            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            if isinstance(error, BrokenProcessPool):
                # Said as what it means for the build, not as the pool's traceback (an
                # uncaught exception exits with 1, which says the feeds were written).
                raise WorkerLost(
                    "a worker process ended before its work was done (killed, or out of "
                    "memory?); nothing was written"
                ) from None

    @property
    def started(self) -> bool:
        return self._pool is not None

    def map(self, function: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """function(item) of every item, in the workers, as they come, in order."""
        return self._started().map(function, items)

    def submit(self, function: Callable[..., R], /, *args: Any) -> Future[R]:
        return self._started().submit(function, *args)

    def prepare(self) -> None:
        """Start the fork server now, so that it imports what the workers run on another
        core while this process goes on (a cold build calls this during its scan, once
        it has found enough posts to share); the workers themselves start on first use."""
        context = _context()
        if context.get_start_method() == "forkserver":
            from multiprocessing import forkserver

            forkserver.ensure_running()

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            from concurrent.futures import ProcessPoolExecutor  # only a cold build needs it

            count = min(os.cpu_count() or 1, MAX_WORKERS)
            self._pool = ProcessPoolExecutor(
                count, mp_context=_context(), initializer=_watch, initargs=(os.getpid(),)
            )
        return self._pool


def _watch(build: int) -> None:
    """(In each worker, as it starts.) End this worker when the process `build` ends."""
    if os.name != "nt":  # (there os.kill terminates; spawned workers see their pipes close)
        threading.Thread(target=_end_with, args=(build,), daemon=True).start()


def _end_with(build: int) -> None:
    # The signals of the worker's work (SIGALRM of limits.post_seconds) must reach its
    # main thread, where they interrupt what it waits for, not this one.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM, signal.SIGINT, signal.SIGTERM})
    try:
        descriptor = os.pidfd_open(build)  # Linux: readable once the process ends
    except (AttributeError, OSError):
        while _runs(build):
            time.sleep(WATCH_SECONDS)
    else:
        select.select([descriptor], [], [])
    os._exit(1)  # at once: what the worker was doing is the dead build's


def _runs(process: int) -> bool:
    try:
        os.kill(process, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's: the pid was reused, the build is gone
        return False
    return True


def _context() -> BaseContext:
    """The fork server's context, with what it preloads (set before it starts: later
    pools of the process share the same server); where there is no fork server
    (Windows), workers are spawned, each importing what it runs."""
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["__main__", *PRELOADED])
    return context
