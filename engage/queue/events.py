"""The moderation audit log: one row per status change a moderator made.

Rows are only ever appended. The moderator's name is copied into the row, so the history still
reads correctly after an account is renamed or deleted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engage.db import Base, UTCDateTime, utcnow


class ModerationEvent(Base):
    __tablename__ = "moderation_events"
    __table_args__ = (
        # a card shows its comment's events in order
        Index("ix_moderation_events_comment", "comment_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    moderator: Mapped[str] = mapped_column(String(64))
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def as_dict(self) -> dict:
        return {"moderator": self.moderator, "from": self.from_status, "to": self.to_status,
                "note": self.note, "at": self.created_at.isoformat()}
