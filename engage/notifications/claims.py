"""Claiming due messages (short transactions) and recording their outcome.

A claim sets ``state = sending`` and ``next_attempt_at = claimed_until = now + lease``: the
message stays due for nobody until the lease ends, then for everybody (its claimer died).
One statement claims a batch: ``UPDATE … WHERE id IN (SELECT id … LIMIT n) RETURNING …``; on
PostgreSQL the inner select is ``FOR UPDATE SKIP LOCKED`` (concurrent claimers take disjoint
rows without waiting for each other), on SQLite the statement runs under the one write lock and
re-checks that each row is still due. Every message of one claim shares its ``claimed_until``:
``finish`` records outcomes only while the claim is still that one, so a claimer whose lease ran
out does not overwrite the new claimer's record.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engage.notifications.models import QUEUED, SENDING, OutboxMessage

_DUE_STATES = (QUEUED, SENDING)
_COLUMNS = [column.key for column in OutboxMessage.__table__.columns]


def _due(channels, now: datetime):
    return (OutboxMessage.state.in_(_DUE_STATES), OutboxMessage.next_attempt_at <= now,
            OutboxMessage.channel.in_(channels))


def claim(session: Session, channels, now: datetime, limit: int,
          lease_seconds: float) -> list[OutboxMessage]:
    """Claim up to ``limit`` due messages; returns them detached (usable without a session),
    oldest first. Nothing due: one read, no write."""
    if session.scalar(select(OutboxMessage.id).where(*_due(channels, now)).limit(1)) is None:
        session.rollback()
        return []
    lease = now + timedelta(seconds=lease_seconds)
    inner = (select(OutboxMessage.id).where(*_due(channels, now))
             .order_by(OutboxMessage.next_attempt_at).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        inner = inner.with_for_update(skip_locked=True)
    table = OutboxMessage.__table__
    rows = session.execute(
        update(table).where(table.c.id.in_(inner.scalar_subquery()), *_due(channels, now))
        .values(state=SENDING, next_attempt_at=lease, claimed_until=lease)
        .returning(*table.c)).all()
    session.commit()
    claimed = [OutboxMessage(**{key: getattr(row, key) for key in _COLUMNS}) for row in rows]
    return sorted(claimed, key=lambda message: (message.created_at, message.id))


def finish(session: Session, message: OutboxMessage, **values) -> bool:
    """Record the outcome of ``message``'s claim; False when the claim was no longer its own."""
    return finish_many(session, [message], **values) == 1


def finish_many(session: Session, messages: list[OutboxMessage], **values) -> int:
    """Record one outcome for messages of one claim (same ``claimed_until``), in one
    statement; returns how many were still this claim's."""
    if not messages:
        return 0
    values.setdefault("claimed_until", None)
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_([message.id for message in messages]),
               OutboxMessage.state == SENDING,
               OutboxMessage.claimed_until == messages[0].claimed_until)
        .values(**values).execution_options(synchronize_session=False))
    session.commit()
    return result.rowcount
