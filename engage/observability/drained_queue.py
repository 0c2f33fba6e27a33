"""A queue request threads add to without taking a lock, drained by one thread per process.

Why: under gunicorn a worker's request threads share one interpreter. Work that every request
does under a lock shared by all of them (writing a Prometheus value, writing a log line) stalls
them: a thread preempted while holding the lock keeps the others waiting, and the stall repeats
(a lock convoy). On this project's 2-core machine each such lock cost about 100 µs per request
with 8 threads. A ``DrainedQueue`` takes the work off the request path: ``put`` is one
``deque.append`` (atomic, no lock), and a daemon thread hands everything queued to ``handle``
every ``every`` seconds. ``drain()`` does the same at once (scrapes, shutdown, tests).

Items are handed over in the order they were put, one batch at a time. After a fork the child
starts empty (the parent handles what it queued) and starts its own thread on its first put.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

from engage.serving.fork_hooks import call_after_fork

T = TypeVar("T")


class DrainedQueue(Generic[T]):
    """``handle`` runs with ``lock`` held (a new lock unless one is given): give the lock that
    ``handle`` itself needs, so that there is one lock and no order between two to get wrong."""

    def __init__(self, handle: Callable[[list[T]], None], every: float, name: str,
                 lock: threading.Lock | threading.RLock | None = None):
        self._handle = handle
        self._every = every
        self._name = name
        self._given_lock = lock
        self._forget()
        call_after_fork(self._forget)

    def _forget(self) -> None:
        self._items: deque[T] = deque()
        # Only drains take it, so batches keep their order. A given lock is the owner's to
        # reset after a fork (logging does that for its handlers' locks).
        self._drain_lock = self._given_lock or threading.Lock()
        self._start_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def put(self, item: T) -> None:
        self._items.append(item)
        if self._thread is None:
            self._start()

    def drain(self) -> None:
        """Hand everything queued so far to ``handle`` (in this thread)."""
        with self._drain_lock:
            take = self._items.popleft
            batch = []
            while True:
                try:
                    batch.append(take())
                except IndexError:
                    break
            if batch:
                self._handle(batch)

    def _start(self) -> None:
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._drain_forever, name=self._name,
                                                daemon=True)
                self._thread.start()

    def _drain_forever(self) -> None:
        while True:
            time.sleep(self._every)
            try:
                self.drain()
            except Exception:  # keep draining; ``handle`` reports its own errors if it can
                traceback.print_exc(file=sys.stderr)

