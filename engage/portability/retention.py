"""Retention: spam and rejected comments purged, networks and user agents cleared, after N days.

- ``RETENTION_SPAM_DAYS`` (0 = keep): a spam or rejected comment is deleted once it has been
  so for that many days (counted from the decision, or from the comment for one judged on
  arrival). Replies to it, if any, stay and become top-level.
- ``RETENTION_IP_DAYS`` (0 = keep): a comment's ``ip_prefix`` and ``user_agent`` are cleared
  that many days after it was written (they serve the flood, duplicate and block checks of
  recent comments; nobody needs them later).
- ``purge(session, config, now)`` does both, ``PURGE_CHUNK`` comments per transaction (a
  write transaction stays short, DESIGN.md §2 rule 12), and returns the counts; ``engage
  purge`` runs it once.
- ``init_app(app)``: when either setting is on, each serving process runs ``purge`` on a
  daemon thread every ``RETENTION_INTERVAL_SECONDS``, started by its first request (so the
  gunicorn master, which forks the workers, never holds it, and CLI commands never start it).
  Several processes purging at once is harmless: the statements are idempotent.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Mapping

from flask import Flask
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from engage.comments.models import Comment, CommentStatus
from engage.db import db, utcnow
from engage.portability.models import PrivacyEvent

PURGE_CHUNK = 500


def purge(session: Session, config: Mapping, now: datetime | None = None) -> dict[str, int]:
    now = now or utcnow()
    purged = cleared = 0
    spam_days, ip_days = int(config["RETENTION_SPAM_DAYS"]), int(config["RETENTION_IP_DAYS"])
    if spam_days > 0:
        cutoff = now - timedelta(days=spam_days)
        old = select(Comment.id).where(
            Comment.status.in_([CommentStatus.SPAM, CommentStatus.REJECTED]),
            func.coalesce(Comment.decided_at, Comment.created_at) < cutoff)
        purged = _in_chunks(session, old, lambda ids: delete(Comment).where(Comment.id.in_(ids)))
    if ip_days > 0:
        cutoff = now - timedelta(days=ip_days)
        old = select(Comment.id).where(
            Comment.created_at < cutoff,
            or_(Comment.ip_prefix.is_not(None), Comment.user_agent.is_not(None)))
        cleared = _in_chunks(session, old, lambda ids: update(Comment).where(
            Comment.id.in_(ids)).values(ip_prefix=None, user_agent=None))
    if purged or cleared:
        session.add(PrivacyEvent(action="purge", actor="engage", comments=purged,
                                 note=f"cleared the network and user agent of {cleared}"))
        session.commit()
    return {"comments": purged, "cleared": cleared}


def _in_chunks(session: Session, query, statement) -> int:
    total = 0
    while True:
        ids = list(session.scalars(query.order_by(Comment.id).limit(PURGE_CHUNK)))
        if not ids:
            return total
        session.execute(statement(ids).execution_options(synchronize_session=False))
        session.commit()
        total += len(ids)


def init_app(app: Flask) -> None:
    config = app.config
    if int(config["RETENTION_SPAM_DAYS"]) <= 0 and int(config["RETENTION_IP_DAYS"]) <= 0:
        return
    # imported here: serving imports nothing at module level that engage.cli loads
    from engage.serving.lifecycle import on_shutdown
    from engage.serving.periodic import PeriodicJob

    # a purge is never urgent: a failed round waits for the next
    runner = PeriodicJob(app, float(config["RETENTION_INTERVAL_SECONDS"]),
                         lambda: purge(db.session, app.config), "engage-retention")
    app.extensions["engage.retention"] = runner
    app.before_request(runner.ensure_running)
    on_shutdown(app, runner.stop)
