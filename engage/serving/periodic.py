"""A job that each serving process runs on a daemon thread every few seconds.

``PeriodicJob(app, interval, job, name)``: ``ensure_running`` starts the thread once per
process (a forked child starts its own: the gunicorn master, which forks the workers, never
holds one). Features call it from ``app.before_request``, so that CLI commands never start it.
The thread runs ``job()`` inside an app context, removes the session, then waits ``interval``
seconds (at least 0.05). ``stop()`` ends it after the current round. A failing round is logged
and the next one tries again, so a job must be safe to repeat and to run in several processes
at once. Under gevent the thread is a greenlet: a round must be short work (a few database
statements), not a long computation.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Callable

from flask import Flask

from engage.db import db

log = logging.getLogger(__name__)


class PeriodicJob:
    def __init__(self, app: Flask, interval: float, job: Callable[[], object], name: str):
        self._app, self._interval, self._job, self._name = app, max(0.05, interval), job, name
        self._pid: int | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def ensure_running(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid != os.getpid():
                self._pid = os.getpid()
                threading.Thread(target=self._run, name=self._name, daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with self._app.app_context():
                    self._job()
                    db.session.remove()
            except Exception:  # the next round tries again
                log.exception("%s: a round failed", self._name)
            self._stop.wait(self._interval)
