"""``live_events``: which comment changed in which article, kept for ``LIVE_RETENTION_SECONDS``.

A row says only "look at comment C of article A again"; what a stream sends is the comment's
state when the stream reads it (its public JSON if published, else that it was removed), so a
row never goes stale and never holds anything private. Ids only grow (``AUTOINCREMENT`` on
SQLite, whose plain rowids could be reused once every row is pruned), which is what makes
them usable as event ids.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from engage.db import Base, UTCDateTime


class LiveEvent(Base):
    __tablename__ = "live_events"
    __table_args__ = (
        # a resuming stream replays its own article's events after its Last-Event-ID
        Index("ix_live_events_article_id_id", "article_id", "id"),
        Index("ix_live_events_created_at", "created_at"),  # pruning
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True)
    # No foreign keys: a row must outlive an erased comment (the stream then says "removed"),
    # and writing it must not lock the article or comment row any further.
    article_id: Mapped[int] = mapped_column(Integer)
    comment_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
