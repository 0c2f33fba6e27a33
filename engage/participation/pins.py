"""Pinned comments: moderators put a few comments first in their article's thread.

Contracts
- ``set_pinned(session, ids, pinned, moderator, now, limit, sites)`` pins (``pinned=True``) or
  unpins the comments and commits; all or nothing. Only a published top-level comment (no
  ``parent_id``, not deleted) can be pinned (422 otherwise); an article holds at most ``limit``
  published pinned comments (``PINS_PER_ARTICLE``): one more → 409 with what to do. Unknown id
  → 404, a comment off the moderator's ``sites`` → 403. Pinning what is pinned, or unpinning
  what is not, changes nothing and logs nothing.
- Every change is an audit event on the comment (its status both sides, note "pinned" or
  "unpinned") and, being an ORM change of a comment, bumps the thread version and writes the
  live change log in the same transaction.
- The article's row is locked while its pins are counted (PostgreSQL ``FOR UPDATE``; SQLite
  has one writer at a time), so two moderators pinning at once cannot pass the limit together.
- The thread read puts pinned comments first (``engage.comments.service.read_thread``).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engage.articles import Article
from engage.comments.models import Comment, CommentStatus
from engage.comments.schemas import MAX_ID
from engage.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engage.moderators.accounts import Moderator
from engage.queue.events import ModerationEvent


class PinAction(str, enum.Enum):
    """The queue actions besides decisions (``POST /api/v1/moderation/comments/{id}``)."""

    PIN = "pin"
    UNPIN = "unpin"


def parse_pin_action(raw: object) -> PinAction | None:
    """The pin action ``raw`` names, or None when it names none (a decision, perhaps)."""
    try:
        return PinAction(raw)
    except ValueError:
        return None


def set_pinned(session: Session, comment_ids: list[int], pinned: bool, moderator: Moderator,
               now: datetime, limit: int, sites: frozenset[str] | None = None) -> list[Comment]:
    """See the module docstring. Returns the comments in the order of ``comment_ids``."""
    ids = sorted(set(comment_ids))
    if ids and ids[-1] > MAX_ID:  # no comment has it (and PostgreSQL would refuse the query)
        raise NotFound(f"No comment with id {ids[-1]}.")
    comments = {comment.id: comment for comment in session.scalars(
        select(Comment).where(Comment.id.in_(ids)).order_by(Comment.id))}
    missing = [comment_id for comment_id in ids if comment_id not in comments]
    if missing:
        raise NotFound(f"No comment with id {', '.join(map(str, missing))}.")
    if sites is not None and any(c.site_id not in sites for c in comments.values()):
        raise Forbidden("Some of these comments are on a site you may not act on.",
                        code="forbidden_site")
    try:
        for comment in comments.values():
            if pinned and comment.pinned_at is None:
                _pin(session, comment, limit, now)
            elif not pinned and comment.pinned_at is not None:
                comment.pinned_at = None
            else:
                continue
            session.add(ModerationEvent(
                comment_id=comment.id, moderator=moderator.name,
                from_status=comment.status.value, to_status=comment.status.value,
                note="pinned" if pinned else "unpinned", created_at=now))
        session.commit()
    except Exception:
        session.rollback()
        raise
    return [comments[comment_id] for comment_id in dict.fromkeys(comment_ids)]


def _pin(session: Session, comment: Comment, limit: int, now: datetime) -> None:
    if (comment.status != CommentStatus.APPROVED or comment.parent_id is not None
            or comment.deleted_at is not None):
        raise ValidationFailed(
            f"Comment {comment.id} cannot be pinned: only a published top-level comment can.",
            fields={"action": ["only a published top-level comment can be pinned"]})
    session.execute(select(Article.id).where(Article.id == comment.article_id)
                    .with_for_update())
    count = session.scalar(select(func.count()).select_from(Comment).where(
        Comment.article_id == comment.article_id, Comment.pinned_at.is_not(None),
        Comment.status == CommentStatus.APPROVED)) or 0
    if count >= limit:
        raise Conflict(f"This article already has {count} pinned comments (at most {limit}): "
                       "unpin one first.", code="too_many_pins")
    comment.pinned_at = now
    session.flush()  # the next comment of a bulk pin counts this one
