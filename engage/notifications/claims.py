"""Claiming due messages (short transactions) and recording their outcome.

A claim sets ``state = sending`` and ``next_attempt_at = claimed_until = now + lease``: the
message stays due for nobody until the lease ends, then for everybody (its claimer died).
PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED`` (concurrent claimers take disjoint rows without
waiting for each other). SQLite has one writer at a time: a conditional ``UPDATE`` per row
(still due?) claims it. ``finish`` updates a claimed message only while the claim is still its
own (same ``claimed_until``): a claimer whose lease ran out does not overwrite the new claimer.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engage.notifications.models import QUEUED, SENDING, OutboxMessage

_DUE_STATES = (QUEUED, SENDING)


def _due(channels, now: datetime):
    return (OutboxMessage.state.in_(_DUE_STATES), OutboxMessage.next_attempt_at <= now,
            OutboxMessage.channel.in_(channels))


def claim(session: Session, channels, now: datetime, limit: int,
          lease_seconds: float) -> list[OutboxMessage]:
    """Claim up to ``limit`` due messages; returns them detached (usable without a session)."""
    lease = now + timedelta(seconds=lease_seconds)
    query = (select(OutboxMessage.id).where(*_due(channels, now))
             .order_by(OutboxMessage.next_attempt_at).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        ids = list(session.scalars(query.with_for_update(skip_locked=True)))
        if ids:
            session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids))
                            .values(state=SENDING, next_attempt_at=lease, claimed_until=lease)
                            .execution_options(synchronize_session=False))
    else:
        ids = []
        for message_id in session.scalars(query).all():
            taken = session.execute(
                update(OutboxMessage).where(OutboxMessage.id == message_id, *_due(channels, now))
                .values(state=SENDING, next_attempt_at=lease, claimed_until=lease)
                .execution_options(synchronize_session=False))
            if taken.rowcount == 1:
                ids.append(message_id)
    claimed = list(session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids))
                                   .order_by(OutboxMessage.created_at))) if ids else []
    for message in claimed:
        session.expunge(message)
    session.commit()
    return claimed


def finish(session: Session, message: OutboxMessage, **values) -> bool:
    """Record the outcome of ``message``'s claim; False when the claim was no longer its own."""
    values.setdefault("claimed_until", None)
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.state == SENDING,
               OutboxMessage.claimed_until == message.claimed_until)
        .values(**values).execution_options(synchronize_session=False))
    session.commit()
    return result.rowcount == 1
