"""Where the spam filter's training set lives: in the database, shared by every process.

Tables
- ``spam_examples``: one labelled example per row. A moderator decision is linked to its
  comment (``comment_id``, unique; the comment's text is read from ``comments`` when training,
  so no personal data is copied, and deleting the comment deletes the example). Imported CSV
  rows (``engage spam train``) have no comment and carry their own ``body``/``author_name``.
- ``spam_model_state``: one row; ``version`` grows with every change to the examples, and
  ``generation`` is random per database, so a process's cached model can tell it is stale.

Writes never read first: a decision is one upsert (``INSERT … ON CONFLICT (comment_id) DO
UPDATE``) or one delete, plus one atomic ``version = version + 1`` upsert. Two processes
deciding at once cannot lose an update. The queue locks the comment row for its decision, so
decisions on one comment are serialised by the caller.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Iterable

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, delete, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engage.comments.models import Comment
from engage.db import Base, UTCDateTime, upsert, utcnow
from engage.spamfilter.model import Example
from engage.spamfilter.training_data import LabelledComment
from engage.spamfilter.features import features


class SpamExample(Base):
    """One labelled comment the filter trains on."""

    __tablename__ = "spam_examples"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), nullable=True, unique=True)
    is_spam: Mapped[bool] = mapped_column(Boolean)
    # only for examples without a comment (imported); otherwise read from the comment
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    author_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SpamModelState(Base):
    """The training set's version; a single row with id 1, created by the first change."""

    __tablename__ = "spam_model_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    generation: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def bump_version(session: Session, now: datetime | None = None) -> None:
    """Mark the training set changed (atomic upsert; creates the row on first use)."""
    now = now or utcnow()
    statement = upsert(session, SpamModelState).values(
        id=1, generation=secrets.token_hex(8), version=1, updated_at=now)
    session.execute(statement.on_conflict_do_update(
        index_elements=["id"],
        set_={"version": SpamModelState.version + 1, "updated_at": now}))


def read_version(session: Session) -> tuple[str, int] | None:
    """(generation, version) of the training set, or None when nothing was ever learned."""
    row = session.execute(select(SpamModelState.generation, SpamModelState.version)
                          .where(SpamModelState.id == 1)).first()
    return (row[0], row[1]) if row else None


def label_comment(session: Session, comment_id: int, is_spam: bool | None) -> None:
    """Make ``comment_id`` a spam / legitimate example, or (None) no example at all.

    Replacing the label is how a reversed decision un-learns the first one: the model is
    retrained from the current examples, so the old label leaves no trace. Does not commit.
    """
    if is_spam is None:
        session.execute(delete(SpamExample).where(SpamExample.comment_id == comment_id))
    else:
        statement = upsert(session, SpamExample).values(
            comment_id=comment_id, is_spam=is_spam, created_at=utcnow())
        session.execute(statement.on_conflict_do_update(
            index_elements=["comment_id"],
            set_={"is_spam": statement.excluded.is_spam}))
    bump_version(session)


def add_labelled(session: Session, rows: Iterable[LabelledComment]) -> int:
    """Import labelled comments without a comment row (``engage spam train``). Does not commit."""
    now = utcnow()
    values = [{"is_spam": row.is_spam, "body": row.content, "author_name": row.author[:100],
               "created_at": now} for row in rows]
    if values:
        session.execute(insert(SpamExample), values)
        bump_version(session, now)
    return len(values)


def load_example_rows(session: Session, limit: int) -> list[tuple]:
    """The newest ``limit`` examples as plain rows ``(id, is_spam, body, name, comment body,
    comment name, email, url)``, oldest first (``examples_from_rows``)."""
    rows = session.execute(
        select(SpamExample.id, SpamExample.is_spam, SpamExample.body, SpamExample.author_name,
               Comment.body, Comment.author_name, Comment.author_email, Comment.author_url)
        .outerjoin(Comment, Comment.id == SpamExample.comment_id)
        .order_by(SpamExample.id.desc()).limit(limit)).all()
    return [tuple(row) for row in reversed(rows)]


def example_tokens(row: tuple) -> frozenset[str]:
    """The tokens of one row of ``load_example_rows`` without its id (pure CPU work)."""
    is_spam, body, name, c_body, c_name, c_email, c_url = row
    if c_body is not None:
        return features(c_body, c_name or "", c_email or "", c_url)
    return features(body or "", name or "")


def examples_from_rows(rows: list[tuple]) -> list[Example]:
    """Rows of ``load_example_rows`` turned into tokens: pure CPU work, no session."""
    return [Example(example_tokens(row[1:]), bool(row[1])) for row in rows]


def load_examples(session: Session, limit: int) -> list[Example]:
    """The newest ``limit`` examples, oldest first, turned into tokens."""
    return examples_from_rows(load_example_rows(session, limit))


def clear(session: Session) -> int:
    """Forget every example (``engage spam reset``). Does not commit."""
    count = session.execute(delete(SpamExample)).rowcount
    bump_version(session)
    return count
