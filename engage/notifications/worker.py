"""The deliverer: one daemon thread per process that delivers due messages.

It starts in every server worker after the fork (``engage serve``'s post-fork hooks) and, in any
process, when a transaction that enqueued a message commits (the commit also wakes it, so a
message usually leaves within milliseconds; ``OUTBOX_POLL_SECONDS`` is the fallback for
messages enqueued by other processes or whose retry came due). ``engage worker`` runs the same
loop in the foreground (``run_forever``). Sending never happens on the request's thread: the
POST that caused a message only pays for its INSERT. Every ``cleanup.INTERVAL_SECONDS`` a
round also deletes old delivered and failed messages (``cleanup``).

Requests first. Building and sending a mail costs about half a POST's CPU, and the server's
deliverer shares the process (and the GIL) with the requests: delivering at full speed while
POSTs arrive cut the POST rate by a quarter (``bench/notify.py``). So while the request threads
keep the process busy (they used at least ``BUSY_CPU`` of a core while the deliverer rested),
the in-server deliverer rests after each round for as long as its share
``OUTBOX_BUSY_SHARE`` allows (a round of 10 ms at 0.1: 90 ms, at most ``MAX_REST_SECONDS``);
mail then waits a few seconds more under load and goes out at full speed once it eases. It
never falls behind for good: a round whose oldest message waited ``OUTBOX_BUSY_MAX_DELAY_SECONDS``
rests not at all, so under a load that never ends mail still leaves within about that delay
(as far as the machine can send it). ``engage worker`` has no requests to yield to and never rests.
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
BUSY_CPU = 0.25          # share of one core the other threads used: the process is serving
MAX_REST_SECONDS = 2.0   # the longest single rest (the measure of "busy" is renewed after each)


class Deliverer:
    def __init__(self, app: Flask):
        self._app = app
        self._poll = max(0.01, float(app.config["OUTBOX_POLL_SECONDS"]))
        self._share = min(1.0, max(0.01, float(app.config["OUTBOX_BUSY_SHARE"])))
        self._max_delay = float(app.config["OUTBOX_BUSY_MAX_DELAY_SECONDS"])
        self._busy = False       # the request threads were busy when last measured
        self._oldest_wait = 0.0  # seconds the oldest message of the last round had waited
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
        batch = int(self._app.config["OUTBOX_BATCH"])
        while not stop.is_set():
            wake.clear()
            started = time.monotonic()
            claimed = self.round()
            rest = rest_after(time.monotonic() - started, claimed, busy=self._busy,
                              share=self._share, waited=self._oldest_wait,
                              max_delay=self._max_delay)
            if rest:
                self._busy = self._rest(rest) >= BUSY_CPU
                continue  # more may be due
            if claimed >= batch:
                continue  # more may be due: no pause
            if wake.wait(self._poll):
                # woken by a commit: let the commits of the next moment join this batch
                # (under load one claim then serves many posts, not one claim per post),
                # and see meanwhile whether requests keep this process busy
                self._busy = self._rest(COALESCE_SECONDS) >= BUSY_CPU

    def _rest(self, seconds: float) -> float:
        """Wait ``seconds`` (or until stopped); the CPU the process used meanwhile, in cores
        (this thread only waits, so it is the other threads': the requests')."""
        cpu, wall = time.process_time(), time.monotonic()
        self._stop.wait(seconds)
        elapsed = time.monotonic() - wall
        return (time.process_time() - cpu) / elapsed if elapsed > 0 else 0.0

    def round(self) -> int:
        try:
            self._purge_now_and_then()
            return deliver_due(self._app, waited=self._note_wait)
        except Exception:  # the database is down, say: the next round tries again
            log.exception("outbox delivery round failed")
            return 0

    def _note_wait(self, seconds: float) -> None:
        self._oldest_wait = seconds

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


def rest_after(worked: float, claimed: int, *, busy: bool, share: float, waited: float,
               max_delay: float) -> float:
    """Seconds the in-server deliverer rests after a round that took ``worked`` seconds and
    claimed ``claimed`` messages, the oldest queued ``waited`` seconds before (0: none; see
    the module docstring): only after work, while the requests keep the process ``busy``,
    when delivery is not already ``max_delay`` late; long enough to keep its time to ``share``."""
    if not claimed or not busy or share >= 1.0 or waited >= max_delay:
        return 0.0
    return min(MAX_REST_SECONDS, worked * (1.0 / share - 1.0))


def run_forever(app: Flask, stop: threading.Event) -> None:
    """``engage worker``: deliver until ``stop`` is set."""
    deliverer = Deliverer(app)
    batch = int(app.config["OUTBOX_BATCH"])
    while not stop.is_set():
        if deliverer.round() < batch:
            stop.wait(float(app.config["OUTBOX_POLL_SECONDS"]))
