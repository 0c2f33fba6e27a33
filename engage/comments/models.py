"""The comment table and its status enum."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (JSON, Boolean, Enum, Float, ForeignKey, Index, Integer, String, Text, false,
                        text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.articles import Article
from engage.db import Base, UTCDateTime, utcnow
from engage.readers import random_avatar_token
from engage.sites import DEFAULT_SITE, MAX_SITE_ID


class CommentStatus(str, enum.Enum):
    """Where a comment stands. Only APPROVED is ever shown to the public."""

    APPROVED = "approved"
    PENDING = "pending"
    SPAM = "spam"
    REJECTED = "rejected"


def _enum_values(enum_class):
    return [member.value for member in enum_class]


def _partial(name: str, *columns: str, column: str) -> Index:
    """An index of the rows where ``column`` is set (SQLite and PostgreSQL)."""
    where = text(f"{column} IS NOT NULL")
    return Index(name, *columns, sqlite_where=where, postgresql_where=where)


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (
        # the public thread read: approved comments of one article in id order
        Index("ix_comments_thread", "article_id", "status", "id"),
        # the moderation queue: one status, newest or oldest first
        Index("ix_comments_queue", "status", "id"),
        # the queue of one site (a moderator limited to sites, the site filter)
        Index("ix_comments_site_queue", "site_id", "status", "id"),
        # the overview: one site's comments of the last days
        Index("ix_comments_site_created", "site_id", "created_at"),
        # one address's comments (moderators: block author); never a public answer's input
        Index("ix_comments_author", "author_email", "status"),
        # a proven reader's double submits (one article) and history (trusted author,
        # first-comment mode: by status); migration 0029 says why the article is second.
        # This and the next two are partial (migration 0030): never read for NULL
        _partial("ix_comments_author_key", "author_key", "article_id", "status",
                 column="author_key"),
        # a comment's replies
        _partial("ix_comments_parent_id", "parent_id", column="parent_id"),
        # an unproven post's double-submit check: same network, same article
        Index("ix_comments_network", "ip_prefix", "article_id"),
        # sort=best: one article's published comments by rank (engage/participation/ranking.py)
        Index("ix_comments_rank", "article_id", "status", "vote_rank", "id"),
        # an article's pinned comments, read with every first page (engage/participation/pins.py)
        _partial("ix_comments_pinned", "article_id", "pinned_at", column="pinned_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    # The article's site, kept on the comment for the per-site queue, counts and overview
    # (the comments service sets it; a row inserted without it is on ``default``, where every
    # comment was before sites existed).
    site_id: Mapped[str] = mapped_column(String(MAX_SITE_ID), ForeignKey("sites.id"),
                                         server_default=DEFAULT_SITE)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), nullable=True)
    status: Mapped[CommentStatus] = mapped_column(
        Enum(CommentStatus, native_enum=False, length=16, values_callable=_enum_values,
             validate_strings=True))
    author_name: Mapped[str] = mapped_column(String(100))
    author_email: Mapped[str] = mapped_column(String(254))
    author_url: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Proof of authorship (engage/readers.py): an HMAC of the email and the browser's reader
    # key; None for a post without a reader key. Never public.
    author_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The public identicon's token. None only on comments stored before reader keys existed:
    # those keep the keyed hash of their email, which no new comment's answer ever shows.
    avatar_token: Mapped[str | None] = mapped_column(String(32), nullable=True,
                                                     default=random_avatar_token)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    ip_prefix: Mapped[str | None] = mapped_column(String(64), nullable=True)
    user_agent: Mapped[str | None] = mapped_column(String(512), nullable=True)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    spam_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # Reader votes (engage/participation/votes.py): the counts, and the Wilson lower bound of
    # the share of up votes in millionths, stored so that every database can order by it.
    up: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    down: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    vote_rank: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The author's edit key, hashed (engage/participation/edits.py); None: nobody may edit.
    edit_key_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Deleted by its author while it had replies: kept as "[deleted]" so the replies thread.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Written by a moderator from the queue (engage/participation/staff.py): the public JSON
    # carries the staff badge. Never set by a reader's post.
    staff: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Pinned by a moderator (engage/participation/pins.py): first in the thread, in every sort.
    pinned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    article: Mapped[Article] = relationship(lazy="joined")
