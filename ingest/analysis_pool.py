"""The analysis worker pool of a crawl, an import or a recovery.

One ``ProcessPoolExecutor`` per process, shared by every crawler of the run (a run may crawl
several sources at once; N workers per source would oversubscribe the CPUs): started by the
first user, shut down when the last one leaves. Workers ignore SIGINT and SIGTERM: Ctrl-C in a
terminal and the scheduler's SIGTERM reach the whole process group, and the parent decides how
to stop (drain, or commit what is analysed and leave); a worker that died of the signal would
break the pool and log a warning per item in flight.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import threading
from concurrent.futures import Executor, ProcessPoolExecutor

from ingest.documents import WARM_UP_TEXT, analyze_item

logger = logging.getLogger(__name__)


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _start_worker() -> None:
    for number in _STOP_SIGNALS:
        signal.signal(number, signal.SIG_IGN)
    # underthesea loads its model on first use: do it before the first real text.
    analyze_item(WARM_UP_TEXT, None, None, "vi")


def _ready() -> None:
    """A first task: makes the pool start its first worker (and the fork server) now."""


def start_pool(workers: int) -> ProcessPoolExecutor:
    """A pool whose workers never die of a stop signal, even one that arrives before their
    initializer ran: the fork server they are forked from is started with SIGINT and SIGTERM
    ignored, and ignored dispositions are inherited across fork and exec."""
    # forkserver: workers start from a clean process, not a fork of the running reactor and
    # its threads; each loads the language model once in its initializer.
    executor = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("forkserver"),
        initializer=_start_worker,
    )
    if threading.current_thread() is not threading.main_thread():
        return executor  # signal dispositions can only change on the main thread
    previous = {number: signal.signal(number, signal.SIG_IGN) for number in _STOP_SIGNALS}
    try:
        executor.submit(_ready)  # starts the fork server and a worker, inside this window
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    return executor


class AnalysisPool:
    def __init__(self) -> None:
        self.executor: ProcessPoolExecutor | None = None
        self.users = 0
        self.stopping = False  # set when the run is being stopped: no restarts, no warnings

    def acquire(self, workers: int) -> Executor:
        if self.executor is None:
            self.executor = start_pool(workers)
            self.stopping = False
        self.users += 1
        return self.executor

    def restart(self, broken: Executor, workers: int) -> Executor:
        """The pool to retry on after a worker died (out of memory, killed): the crawl goes on.
        Every item in flight sees the same broken pool; only the first replaces it."""
        if self.executor is broken:
            broken.shutdown(wait=False, cancel_futures=True)
            self.executor = start_pool(workers)
        assert self.executor is not None
        return self.executor

    def release(self) -> None:
        self.users -= 1
        if self.users <= 0 and self.executor is not None:
            self.executor.shutdown(wait=True)
            self.executor = None
            self.users = 0

    def abandon(self) -> None:
        """A forced stop: drop what is queued, let running tasks end, do not wait for them."""
        self.stopping = True
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = None
            self.users = 0


POOL = AnalysisPool()
