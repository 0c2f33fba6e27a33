"""Reader subscriptions and the addresses they mail.

``MailAddress`` is keyed by ``address_hash`` = HMAC-SHA256(secret key, normalised address)
and holds no address: whether the address was ever confirmed (it stays confirmed) and when its
last confirmation mail went out (at most one a day: engage cannot be used to mail-bomb
someone). ``Subscription`` keeps the address itself, because mail must be sent to it; an
author erasure deletes both (engage/portability/authors.py).

A subscription is ``pending`` until its address is confirmed, then ``active``; ``undeliverable``
once the mail server refused the address for good. Unsubscribing deletes the row. ``comment_id``
is the comment whose form asked for it: for ``replies`` the comment whose replies are sent;
``tell_published`` is set when that comment was held, so its approval mails "your comment was
published" once.
"""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from engage.db import Base, UTCDateTime, utcnow
from engage.sites import MAX_SITE_ID


class Kind(str, enum.Enum):
    REPLIES = "replies"
    ARTICLE = "article"


class State(str, enum.Enum):
    PENDING = "pending"
    ACTIVE = "active"
    UNDELIVERABLE = "undeliverable"


def new_nonce() -> str:
    return secrets.token_urlsafe(12)


class MailAddress(Base):
    __tablename__ = "mail_addresses"

    address_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    confirm_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Subscription(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (
        # an approved comment's article subscribers (the listener, on every publication)
        Index("ix_subscriptions_article", "article_id", "kind", "state"),
        # a reply's parent's subscribers, and a comment's own request ("published")
        Index("ix_subscriptions_comment", "comment_id", "kind"),
        # an address's subscriptions: confirm, undeliverable, erasure, export
        Index("ix_subscriptions_address", "address_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # a reused id (SQLite reuses the largest after a delete) must not revive an old link
    nonce: Mapped[str] = mapped_column(String(24), default=new_nonce)
    address_hash: Mapped[str] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(254))
    site_id: Mapped[str] = mapped_column(String(MAX_SITE_ID))
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))
    lang: Mapped[str] = mapped_column(String(16), default="en")
    state: Mapped[str] = mapped_column(String(16), default=State.PENDING.value)
    tell_published: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
