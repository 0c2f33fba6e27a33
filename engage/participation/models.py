"""Tables of reader actions on comments: one vote per visitor per comment, and edit history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engage.db import Base, UTCDateTime


class CommentVote(Base):
    """A visitor's vote on a comment. ``voter`` is the day's visitor key narrowed to the comment
    (engage/participation/visitor.py), so rows cannot be linked across comments or days;
    ``network`` is the day's network key, which bounds a burst from one network."""

    __tablename__ = "comment_votes"
    __table_args__ = (Index("ix_comment_votes_network", "network", "created_at"),)

    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"),
                                            primary_key=True)
    voter: Mapped[str] = mapped_column(String(32), primary_key=True)
    network: Mapped[str] = mapped_column(String(32))
    value: Mapped[int] = mapped_column(SmallInteger)  # 1 or -1; a withdrawn vote is deleted
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CommentEdit(Base):
    """The text a comment had before one edit by its author: what a moderator sees as history."""

    __tablename__ = "comment_edits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"),
                                            index=True)
    body: Mapped[str] = mapped_column(Text)
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime())
