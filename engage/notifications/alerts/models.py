"""Moderator alert preferences, digest items and used one-click links.

``AlertPreference``: one row per moderator and site (``site_id = "*"``: every site the
moderator may act on); ``events`` is a comma-separated subset of ``held,reported`` (empty:
nothing), ``every`` is ``now``, ``hourly`` or ``daily``. Mail goes to ``Moderator.email``.
``DigestItem``: one comment a digest preference has to list (deleted once the digest went out).
``LinkUse``: the SHA-256 of each one-click link used (a link works once); rows older than the
links' lifetime are purged by the digest sender, since such links answer 410 anyway.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engage.db import Base, UTCDateTime, utcnow
from engage.sites import MAX_SITE_ID

EVERY_SITE = "*"
EVENTS = ("held", "reported")
FREQUENCIES = ("now", "hourly", "daily")


class AlertPreference(Base):
    __tablename__ = "moderator_alerts"
    __table_args__ = (UniqueConstraint("moderator_id", "site_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("moderators.id", ondelete="CASCADE"))
    site_id: Mapped[str] = mapped_column(String(MAX_SITE_ID), default=EVERY_SITE)
    events: Mapped[str] = mapped_column(String(64), default="")
    every: Mapped[str] = mapped_column(String(8), default="now")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def event_list(self) -> tuple[str, ...]:
        return tuple(event for event in self.events.split(",") if event)


class DigestItem(Base):
    __tablename__ = "moderator_digest_items"
    __table_args__ = (Index("ix_moderator_digest_items_preference", "preference_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    preference_id: Mapped[int] = mapped_column(
        ForeignKey("moderator_alerts.id", ondelete="CASCADE"))
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LinkUse(Base):
    __tablename__ = "moderator_link_uses"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
