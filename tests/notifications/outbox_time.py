"""Make queued outbox messages due now (their backoff elapsed), instead of sleeping."""

from __future__ import annotations

from sqlalchemy import update

from engage.db import db, utcnow
from engage.notifications.models import QUEUED, OutboxMessage


def due_now() -> None:
    db.session.execute(update(OutboxMessage).where(OutboxMessage.state == QUEUED)
                       .values(next_attempt_at=utcnow()))
    db.session.commit()
