"""The table of reader reports on published comments (and the DSA notices among them).

One row per visitor per comment: ``reporter`` is the day's visitor key narrowed to the comment
(engage/participation/visitor.py), unique with the comment, so a repeat finds the first row and
its ``reference``. ``network`` is the day's network key, which bounds a burst from one network.
Neither is an IP address.

A row is ``open`` until a moderator dismisses the comment's reports (``dismissed``) or decides
the comment (``decided``); a closed row stays, so that the same visitor cannot report the
comment again and a reporter can read the outcome under their reference. An ``illegal``
report is a notice under DSA art. 16: it also keeps the reporter's good-faith statement, the
optional ``email`` for a receipt (never shown publicly; covered by ``engage author export`` and
``erase``) and the moderator's statement of reasons (``ground``, ``statement``).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engage.db import Base, UTCDateTime
from engage.sites import MAX_SITE_ID

MESSAGE_MAX = 2000
REFERENCE_CHARS = 22  # secrets.token_urlsafe(16)


class ReportReason(str, enum.Enum):
    SPAM = "spam"
    ABUSE = "abuse"          # abuse or harassment
    OFF_TOPIC = "off_topic"
    ILLEGAL = "illegal"      # a DSA art. 16 notice
    OTHER = "other"


class ReportState(str, enum.Enum):
    OPEN = "open"
    DISMISSED = "dismissed"  # a moderator kept the comment and closed its reports
    DECIDED = "decided"      # a moderator decided the comment (see ``outcome``)


class DecisionGround(str, enum.Enum):
    """What a statement of reasons rests on (DSA art. 17(3)(d))."""

    LAW = "law"
    RULES = "rules"  # the site's terms or house rules


class CommentReport(Base):
    __tablename__ = "comment_reports"
    __table_args__ = (
        UniqueConstraint("comment_id", "reporter", name="uq_comment_reports_reporter"),
        # the Reported tab: open reports, newest comment first (a backward range scan)
        Index("ix_comment_reports_state_comment", "state", "comment_id", "site_id"),
        # the per-network hourly bound
        Index("ix_comment_reports_network", "network", "created_at"),
        # author export and erasure find a reporter's rows by address
        Index("ix_comment_reports_email", "email"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    # NULL once the comment is gone: a notice and its decision stay for the transparency report
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), nullable=True)
    site_id: Mapped[str] = mapped_column(String(MAX_SITE_ID))
    reporter: Mapped[str] = mapped_column(String(32))
    network: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(16))
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    good_faith: Mapped[bool] = mapped_column(Boolean, default=False)
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    state: Mapped[str] = mapped_column(String(16), default=ReportState.OPEN.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # the comment's status after the decision ("approved" = kept), or "dismissed"
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    ground: Mapped[str | None] = mapped_column(String(16), nullable=True)
    statement: Mapped[str | None] = mapped_column(Text, nullable=True)
