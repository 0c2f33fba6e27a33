"""Wiring of notifications into an app (``create_app`` calls ``init_app``).

Registers the webhook channel, the deliverer (``app.extensions["engage.outbox"]``), its start
after gunicorn's fork and its stop at shutdown, and the commit hook that wakes it.
"""

from __future__ import annotations

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from engage.notifications import webhooks
from engage.notifications.outbox import WAKE
from engage.notifications.worker import EXTENSION, Deliverer


def init_app(app: Flask) -> None:
    webhooks.init_app(app)
    deliverer = Deliverer(app)
    app.extensions[EXTENSION] = deliverer
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)
    if app.config["OUTBOX_IN_SERVER"]:
        app.extensions.setdefault("engage_post_fork", []).append(deliverer.ensure_running)
    # imported here: serving imports nothing at module level that engage.cli loads
    from engage.serving.lifecycle import on_shutdown

    # whichever deliverer the app holds when it stops (a test may have swapped it)
    on_shutdown(app, lambda: app.extensions[EXTENSION].stop())


def _after_commit(session: Session) -> None:
    if not session.info.pop(WAKE, False) or not has_app_context():
        return
    if current_app.config["OUTBOX_IN_SERVER"]:
        deliverer = current_app.extensions.get(EXTENSION)
        if deliverer is not None:
            deliverer.wake()


def _after_rollback(session: Session, previous_transaction) -> None:
    session.info.pop(WAKE, None)
