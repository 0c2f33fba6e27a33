"""Work that must happen when a process stops (flush buffered counters, close clients).

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
