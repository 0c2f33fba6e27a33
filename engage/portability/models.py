"""What portability stores: which source comment became which engage comment, and the audit
of reader requests.

- ``imported_comments``: one row per imported comment, keyed by (source, site, source id), so
  that re-running an import skips what it already brought in. Deleting the comment (erasure,
  retention) keeps the row with ``comment_id`` NULL: importing the same file again does not
  bring an erased or purged comment back.
- ``privacy_events``: one row per reader request an admin carried out (export, erase), with
  counts and the admin's name, never the email: the log must not keep what was erased.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engage.db import Base, UTCDateTime, utcnow
from engage.sites import MAX_SITE_ID

MAX_SOURCE_ID = 200


class ImportedComment(Base):
    __tablename__ = "imported_comments"
    # also the index of the re-run check: (source, site, source id) → comment
    __table_args__ = (UniqueConstraint("source", "site_id", "source_id"),
                      Index("ix_imported_comments_comment_id", "comment_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    site_id: Mapped[str] = mapped_column(String(MAX_SITE_ID))
    source_id: Mapped[str] = mapped_column(String(MAX_SOURCE_ID))
    # None once the comment was erased or purged: the source id is still known, so a re-run
    # does not bring it back
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), nullable=True)


class PrivacyEvent(Base):
    __tablename__ = "privacy_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(32))      # author_export | author_erase | purge
    actor: Mapped[str] = mapped_column(String(100))      # the admin, or "engage" for retention
    comments: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
