"""Forgetting old outbox rows, so that the table stays bounded however many comments arrive.

Delivered messages are kept ``OUTBOX_KEEP_DELIVERED_DAYS`` (a receiver's "did you send…?"),
failed ones ``OUTBOX_KEEP_FAILED_DAYS`` (an admin's time to look and retry); then deleted, in
chunks of ``CHUNK`` (short write transactions beside the POSTs). Every deliverer runs it every
``INTERVAL_SECONDS``; running it from several processes at once is harmless.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from engage.notifications.models import DELIVERED, FAILED, OutboxMessage

CHUNK = 1000
INTERVAL_SECONDS = 600.0


def purge(session: Session, now: datetime, keep_delivered_days: float,
          keep_failed_days: float) -> int:
    """Delete expired messages; returns how many."""
    expired = or_(
        (OutboxMessage.state == DELIVERED)
        & (OutboxMessage.created_at < now - timedelta(days=keep_delivered_days)),
        (OutboxMessage.state == FAILED)
        & (OutboxMessage.created_at < now - timedelta(days=keep_failed_days)))
    total = 0
    while True:
        ids = list(session.scalars(select(OutboxMessage.id).where(expired).limit(CHUNK)))
        if not ids:
            session.rollback()
            return total
        session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(ids))
                        .execution_options(synchronize_session=False))
        session.commit()
        total += len(ids)
