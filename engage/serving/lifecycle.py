"""Work that must happen when a process stops (flush buffered counters, close clients).

Two moments: ``on_stop_serving(app, fn)`` callbacks run when a gunicorn worker has been told to
stop and stops accepting connections, before it waits for the open ones (long-lived answers,
such as live event streams, end there instead of holding the graceful stop);
``stop_serving(app)`` runs them once. The rest of this page is about the later moment, the
process's end.

Features register callbacks with ``on_shutdown(app, fn)``. ``shutdown(app)`` runs them once,
in reverse order of registration; `engage serve` calls it when a gunicorn worker exits
(SIGTERM → graceful stop) and ``atexit`` covers every other way a process ends normally.
"""

from __future__ import annotations

import atexit
import logging
from typing import Callable

from flask import Flask

log = logging.getLogger(__name__)


def on_shutdown(app: Flask, callback: Callable[[], None]) -> None:
    callbacks = app.extensions.setdefault("engage_shutdown", [])
    if not callbacks:
        atexit.register(shutdown, app)
    callbacks.append(callback)


def shutdown(app: Flask) -> None:
    """Run every registered callback once; a failing one is logged and the rest still run."""
    callbacks = app.extensions.get("engage_shutdown", [])
    while callbacks:
        callback = callbacks.pop()
        try:
            callback()
        except Exception:
            log.exception("shutdown callback %r failed", callback)


def on_stop_serving(app: Flask, callback: Callable[[], None]) -> None:
    app.extensions.setdefault("engage_stop_serving", []).append(callback)


def stop_serving(app: Flask) -> None:
    """Run every ``on_stop_serving`` callback once (a failing one is logged)."""
    callbacks = app.extensions.get("engage_stop_serving", [])
    while callbacks:
        callback = callbacks.pop()
        try:
            callback()
        except Exception:
            log.exception("stop-serving callback %r failed", callback)
