"""Write ``live_events`` rows in the transaction that publishes or changes a comment, and wake
the other processes after it commits.

What counts: a new comment stored as approved; a change to a comment that is or was approved,
in any column the public sees (a column in ``PRIVATE_COLUMNS`` changing alone, such as
retention clearing ``ip_prefix``, tells nobody anything); a deleted approved comment. ORM
changes are caught by a session hook (``install``, called by ``create_app``: every session of
the process), so no ORM path can forget them; code that changes comments with a Core
``UPDATE`` (the moderation queue's compare-and-set) calls ``record`` itself, as it calls
``bump_thread_versions``.

After the commit, when Redis is configured, one ``PUBLISH`` on ``<REDIS_PREFIX>live`` wakes
every process's listener (``engage.live.hub``); the log, not the message, carries what
changed, so a lost message only delays delivery until the listener's next safety poll.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app, has_app_context
from redis import RedisError
from sqlalchemy import bindparam, delete, event, inspect, insert, select
from sqlalchemy.orm import Session

from engage.comments.models import Comment, CommentStatus
from engage.config import DEFAULTS
from engage.db import utcnow
from engage.driver_statements import DriverStatement
from engage.live.models import LiveEvent
from engage.shared_store import shared_store

log = logging.getLogger(__name__)

CHANNEL = "live"  # after REDIS_PREFIX
_PENDING = "engage.live.pending"
# Columns no public answer shows: changing only these is no event.
PRIVATE_COLUMNS = frozenset({"ip_prefix", "user_agent", "author_email", "author_key", "reasons",
                             "spam_score", "decided_by", "decided_at"})
# Old rows are pruned by about one write in this many (amortized; no timer needed).
PRUNE_EVERY = 32


def install() -> None:
    """Hook the recorder into every session of the process, once."""
    for name, hook in (("after_flush", _record_flushed), ("after_commit", _after_commit),
                       ("after_rollback", _after_rollback)):
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)


def record(session: Session, changes: Iterable[tuple[int, int]],
           now: datetime | None = None) -> None:
    """Log ``(article_id, comment_id)`` pairs as changed, in ``session``'s transaction."""
    rows = [{"article_id": article_id, "comment_id": comment_id, "created_at": now or utcnow()}
            for article_id, comment_id in dict.fromkeys(changes)]
    if not rows:
        return
    if len(rows) == 1:  # a post, a single decision
        _INSERT_ONE.execute(session, rows[0])
    else:  # a bulk decision: one executemany
        session.connection().execute(insert(LiveEvent.__table__), rows)
    session.info[_PENDING] = True
    if any(row["comment_id"] % PRUNE_EVERY == 0 for row in rows):
        _prune(session.connection(), rows[0]["created_at"] - timedelta(seconds=_retention()))


# on the driver's cursor (engage/driver_statements.py): every published comment writes one row
_INSERT_ONE = DriverStatement(insert(LiveEvent.__table__).values(
    {name: bindparam(name) for name in ("article_id", "comment_id", "created_at")}))


def _retention() -> float:
    if has_app_context():
        return current_app.config["LIVE_RETENTION_SECONDS"]
    return DEFAULTS["LIVE_RETENTION_SECONDS"]


def _prune(connection, before: datetime) -> None:
    """Delete rows older than ``before`` without waiting for any other writer's row locks."""
    table = LiveEvent.__table__
    stale = select(table.c.id).where(table.c.created_at < before)
    if connection.dialect.name == "postgresql":
        stale = stale.with_for_update(skip_locked=True)
    connection.execute(delete(table).where(table.c.id.in_(stale)))


def _record_flushed(session: Session, flush_context) -> None:
    # after_flush still shows the flushed objects in new/dirty/deleted, with their history.
    changes = [(obj.article_id, obj.id) for obj in session.new
               if isinstance(obj, Comment) and obj.status == CommentStatus.APPROVED]
    changes += [(obj.article_id, obj.id) for obj in session.dirty
                if isinstance(obj, Comment) and _publicly_changed(obj)]
    changes += [(obj.article_id, obj.id) for obj in session.deleted
                if isinstance(obj, Comment) and _was_published(obj)]
    record(session, changes)


def _was_published(comment: Comment) -> bool:
    status = inspect(comment).attrs.status.history
    return comment.status == CommentStatus.APPROVED or CommentStatus.APPROVED in (
        status.deleted or ())


def _publicly_changed(comment: Comment) -> bool:
    if not _was_published(comment):
        return False
    state = inspect(comment)
    return any(state.attrs[attr.key].history.has_changes()
               for attr in state.mapper.column_attrs if attr.key not in PRIVATE_COLUMNS)


def _after_commit(session: Session) -> None:
    if session.info.pop(_PENDING, False) and has_app_context():
        wake_listeners()


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def wake_listeners(app=None) -> None:
    """Tell every process that new rows are in the log (Redis only; without it they poll)."""
    store = shared_store(app)
    if store.client is None or store.outage.ongoing():
        return
    try:
        store.client.publish(store.key(CHANNEL), b"1")
    except (RedisError, OSError) as error:
        log.warning("Redis unavailable (%s); live updates wait for the next poll",
                    type(error).__name__)
        store.outage.begin()
