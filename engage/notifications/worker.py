"""The deliverer: one daemon thread per process that delivers due messages.

It starts in every server worker after the fork (``engage serve``'s post-fork hooks) and, in any
process, when a transaction that enqueued a message commits (the commit also wakes it, so a
message usually leaves within milliseconds; ``OUTBOX_POLL_SECONDS`` is the fallback for
messages enqueued by other processes or whose retry came due). ``engage worker`` runs the same
loop in the foreground (``run_forever``). Sending never happens on the request's thread: the
POST that caused a message only pays for its INSERT. Every ``cleanup.INTERVAL_SECONDS`` a
round also deletes old delivered and failed messages (``cleanup``).
"""

from __future__ import annotations

import logging
import os
import threading
import time

from flask import Flask

from engage.db import db, utcnow
from engage.notifications.cleanup import INTERVAL_SECONDS, purge
from engage.notifications.delivery import deliver_due

log = logging.getLogger(__name__)
EXTENSION = "engage.outbox"
COALESCE_SECONDS = 0.05


class Deliverer:
    def __init__(self, app: Flask):
        self._app = app
        self._poll = max(0.01, float(app.config["OUTBOX_POLL_SECONDS"]))
        self._pid: int | None = None
        self._lock: threading.Lock | None = None
        self._wake: threading.Event | None = None
        self._stop: threading.Event | None = None

    def ensure_running(self) -> None:
        """Start this process's thread unless it runs (a forked child starts its own)."""
        if self._pid == os.getpid():
            return
        if self._lock is None or self._pid is not None:  # first use, or first use after a fork
            self._lock = threading.Lock()
        with self._lock:
            if self._pid == os.getpid():
                return
            self._wake, self._stop = threading.Event(), threading.Event()
            self._pid = os.getpid()
            threading.Thread(target=self._run, name="engage-outbox", daemon=True).start()

    def wake(self) -> None:
        self.ensure_running()
        self._wake.set()

    def stop(self) -> None:
        if self._stop is not None and self._pid == os.getpid():
            self._stop.set()
            self._wake.set()

    def _run(self) -> None:
        stop, wake = self._stop, self._wake
        while not stop.is_set():
            wake.clear()
            if self.round() >= int(self._app.config["OUTBOX_BATCH"]):
                continue  # more may be due: no pause
            if wake.wait(self._poll):
                # woken by a commit: let the commits of the next moment join this batch
                # (under load one claim then serves many posts, not one claim per post)
                stop.wait(COALESCE_SECONDS)

    def round(self) -> int:
        try:
            self._purge_now_and_then()
            return deliver_due(self._app)
        except Exception:  # the database is down, say: the next round tries again
            log.exception("outbox delivery round failed")
            return 0

    def _purge_now_and_then(self) -> None:
        now = time.monotonic()
        if now < getattr(self, "_next_purge", 0.0):
            return
        self._next_purge = now + INTERVAL_SECONDS
        config = self._app.config
        with self._app.app_context():
            try:
                purge(db.session, utcnow(), float(config["OUTBOX_KEEP_DELIVERED_DAYS"]),
                      float(config["OUTBOX_KEEP_FAILED_DAYS"]))
            finally:
                db.session.remove()


def run_forever(app: Flask, stop: threading.Event) -> None:
    """``engage worker``: deliver until ``stop`` is set."""
    deliverer = Deliverer(app)
    batch = int(app.config["OUTBOX_BATCH"])
    while not stop.is_set():
        if deliverer.round() < batch:
            stop.wait(float(app.config["OUTBOX_POLL_SECONDS"]))
