"""``AutoFlush``: a counter whose ``flush`` runs on a daemon thread every interval, or sooner
when the counter asks (its buffer is full).

The thread starts lazily in the process that first records a view, so a server that forks its
workers after creating the app (gunicorn ``preload_app``) gets one flusher per worker and none
in the master. ``close`` stops the thread, then flushes one last time.

After each flush the thread runs the *chores* added with ``add_chore`` (work that must not
wait on the database in a request, such as storing tomorrow's salt). ``write_error`` says why
the last flush or chore could not write to the database (None when it could): ``/healthz``
reports it, since a database that answers ``SELECT 1`` may still be unable to write.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable
from datetime import date, datetime

from sqlalchemy.exc import SQLAlchemyError

from engage.serving.fork_hooks import call_after_fork
from engage.pageviews.backends.base import Recorded
from engage.sites import DEFAULT_SITE

log = logging.getLogger(__name__)


class AutoFlush:
    def __init__(self, counter, interval: float, clock: Callable[[], datetime],
                 name: str = "engage-views-flush"):
        self.counter = counter
        self._interval = max(0.05, float(interval))
        self._clock = clock
        self._name = name
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._started_here = False  # reset in forked children: no getpid() per view
        call_after_fork(self._forked)
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._chores: list[Callable[[datetime], None]] = []
        self.write_error: str | None = None

    def add_chore(self, chore: Callable[[datetime], None]) -> None:
        """Run ``chore(now)`` on the flush thread after every flush."""
        self._chores.append(chore)

    # --- the counter interface -------------------------------------------------------------
    def record(self, article_key: str, visitor_key: str, now: datetime,
               network: str | None = None) -> Recorded:
        self.ensure_running()
        return self.counter.record(article_key, visitor_key, now, network)

    def totals(self, keys: Iterable[str]) -> dict[str, int]:
        return self.counter.totals(keys)

    def daily(self, key: str, first: date, last: date) -> dict[date, int]:
        return self.counter.daily(key, first, last)

    def top(self, first: date, last: date, limit: int,
            min_networks: int = 0, site: str = DEFAULT_SITE) -> list[tuple[str, int]]:
        return self.counter.top(first, last, limit, min_networks, site)

    def flush(self, now: datetime) -> int:
        return self.counter.flush(now)

    def force_flush(self, now: datetime) -> int:
        return self.counter.force_flush(now)

    def health(self) -> dict:
        return self.counter.health()

    def close(self, now: datetime) -> None:
        self._stopping.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and self._pid == os.getpid() and thread is not threading.current_thread():
            thread.join(10)
        self.counter.close(now)

    # --- the thread --------------------------------------------------------------------------
    def _forked(self) -> None:
        self._started_here = False

    def ensure_running(self) -> None:
        if self._started_here or self._stopping.is_set():
            return
        with self._lock:
            if self._pid == os.getpid():
                self._started_here = True
                return
            if self._pid is not None and hasattr(self.counter, "after_fork"):
                self.counter.after_fork()  # inherited pools and buffers belong to the parent
            self._wake = threading.Event()
            self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
            self._pid = os.getpid()
            self._thread.start()
            self._started_here = True

    def wake(self) -> None:
        """Flush soon. Called on every view while the buffer is full, so the already-woken
        case reads a flag instead of taking the event's lock."""
        if not self._wake.is_set():
            self._wake.set()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(self._interval)
            self._wake.clear()
            if self._stopping.is_set():
                break
            error = None
            for work in (self.counter.flush, *self._chores):
                try:
                    work(self._clock())
                except SQLAlchemyError as failure:
                    error = error or _describe(failure)
                    log.exception("view count flush or chore failed")
                except Exception:  # keep flushing later; the buffer keeps the views meanwhile
                    log.exception("view count flush or chore failed")
            self.write_error = error


def _describe(error: SQLAlchemyError) -> str:
    """A short, stable account of a database error (the driver's message, first line)."""
    message = str(getattr(error, "orig", None) or error).strip().splitlines()
    return f"{type(error).__name__}: {(message or [''])[0][:160]}"
