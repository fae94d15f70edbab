"""The worker processes of a build, one a core, shared by its stages.

A cold build reads every post, renders the content of the articles its feeds show and
writes every feed set, each stage on every core. The workers are started when a stage
first has enough to share (a build with little to do starts none) and serve every later
stage of the same build: starting them again costs more than some stages take.

They are started by a fork server, not forked from this process: a build may run in a
thread of `postfeed serve`, and forking a process that has threads can deadlock the
child. The fork server imports what the workers run before it forks them (each worker
importing it again took 0.1 s and more).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

T = TypeVar("T")
R = TypeVar("R")

# What the workers run: reading posts, rendering content, writing feed sets.
PRELOADED = (
    "postfeed.collector",
    "postfeed.content",
    "postfeed.markdown",
    "postfeed.build",
    "postfeed.feeds",
    "postfeed.jsonfeed",
)
MAX_WORKERS = 8


class Workers:
    """The pool of one build. Use as a context manager: it ends the workers it started."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *_: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    @property
    def started(self) -> bool:
        return self._pool is not None

    def map(self, function: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """function(item) of every item, in the workers, as they come, in order."""
        return self._started().map(function, items)

    def submit(self, function: Callable[..., R], /, *args: Any) -> Future[R]:
        return self._started().submit(function, *args)

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor  # only a cold build needs it

            context = multiprocessing.get_context("forkserver")
            # Only the first pool of a process sets it: later ones share its fork server.
            context.set_forkserver_preload(["__main__", *PRELOADED])
            count = min(os.cpu_count() or 1, MAX_WORKERS)
            self._pool = ProcessPoolExecutor(count, mp_context=context)
        return self._pool
