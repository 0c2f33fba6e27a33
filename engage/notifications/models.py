"""The outbox table (one row per message to deliver) and the admins' webhooks.

An ``OutboxMessage`` goes ``queued`` → ``sending`` (claimed by one deliverer until
``next_attempt_at``, its lease) → ``delivered``, or back to ``queued`` with a later
``next_attempt_at`` after a transient failure, or ``failed`` (permanent failure, or still
failing at ``retry_until``). A claim whose lease ran out (its claimer crashed) is due again:
due means ``state in (queued, sending) and next_attempt_at <= now``, one index serves both.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engage.db import Base, UTCDateTime, utcnow
from engage.sites import MAX_SITE_ID

QUEUED, SENDING, DELIVERED, FAILED = "queued", "sending", "delivered", "failed"
STATES = (QUEUED, SENDING, DELIVERED, FAILED)
MAX_ERROR_CHARS = 500  # last_error is a hint for admins, not a log
MAX_KEY_CHARS = 200
MAX_URL_CHARS = 2000


def new_id() -> str:
    return uuid.uuid4().hex


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        # the deliverers' claim: due messages, oldest first
        Index("ix_outbox_messages_due", "state", "next_attempt_at"),
    )

    # uuid4 hex: the id receivers de-duplicate on (Engage-Delivery, Message-ID)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    channel: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # an optional caller-chosen idempotency key
    key: Mapped[str | None] = mapped_column(String(MAX_KEY_CHARS), nullable=True, unique=True)
    state: Mapped[str] = mapped_column(String(16), default=QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # when the message is due; while ``sending``, the end of the claimer's lease
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # after this a transient failure is final (OUTBOX_RETRY_SECONDS after the first failure or
    # an admin's retry); None until the first failure
    retry_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(MAX_ERROR_CHARS), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    def as_dict(self) -> dict:
        """The admin view (deliveries API). The payload is left out: it may hold mail."""
        def iso(value):
            return value.isoformat() if value else None
        return {"id": self.id, "channel": self.channel, "state": self.state,
                "attempts": self.attempts, "last_error": self.last_error,
                "created_at": iso(self.created_at), "next_attempt_at": iso(self.next_attempt_at),
                "delivered_at": iso(self.delivered_at),
                "event": (self.payload or {}).get("event", {}).get("type")
                if self.channel == "webhook" else None}


class Webhook(Base):
    """An admin's webhook: POSTed (signed with ``secret``) on the events it names."""

    __tablename__ = "webhooks"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    site_id: Mapped[str] = mapped_column(String(MAX_SITE_ID),
                                         ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(MAX_URL_CHARS))
    events: Mapped[list[str]] = mapped_column(JSON)
    format: Mapped[str] = mapped_column(String(16), default="engage")
    secret: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def as_dict(self, with_secret: bool = False) -> dict:
        shown = {"id": self.id, "site": self.site_id, "url": self.url,
                 "events": list(self.events), "format": self.format,
                 "created_by": self.created_by, "created_at": self.created_at.isoformat()}
        if with_secret:
            shown["secret"] = self.secret
        return shown
