"""An author's edit and deletion of their own comment, proven by the edit key of the post.

The key is 32 random bytes shown once, in the answer to the post; only its SHA-256 is stored
(a random key needs no slow hash: nothing can be guessed from the digest). It works for
``EDIT_WINDOW_SECONDS`` after the comment was posted; after that, or with another comment's
key, 403.

An edit runs the moderation rules again on the new text, with the comment's stored author
facts. It can keep a comment's status or lower it, never raise it: an approved comment whose
edit is held goes back to pending (and leaves the public thread until a moderator looks), a
held one stays held. The previous text is kept in ``comment_edits`` for moderators.

A deletion removes the row when nothing answers the comment; otherwise the comment stays in
its place as "[deleted]" (so its replies stay threaded) and everything about its author and
text is cleared: name, email, website, keys, network, user agent, edit history, votes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any, Mapping

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from engage.comments.models import Comment, CommentStatus
from engage.comments.rendering import render_body
from engage.errors import Forbidden, NotFound
from engage.moderation.judge import judge, status_for
from engage.moderation.pipeline import Submission
from engage.participation.models import CommentEdit, CommentVote
from engage.readers import random_avatar_token

DELETED = "[deleted]"
DELETED_HTML = "<p>[deleted]</p>"
# How far a status may fall: an edit never publishes what was held, nor un-spams anything.
_LEVEL = {CommentStatus.APPROVED: 2, CommentStatus.PENDING: 1, CommentStatus.SPAM: 0,
          CommentStatus.REJECTED: 0}


def new_edit_key() -> tuple[str, str]:
    """(key for the author, hash to store)."""
    key = secrets.token_urlsafe(32)
    return key, key_hash(key)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def edit_until(comment: Comment, config: Mapping[str, Any]) -> datetime:
    """When the author's key stops working for ``comment``."""
    return comment.created_at + timedelta(seconds=config["EDIT_WINDOW_SECONDS"])


def authorized_comment(session: Session, comment_id: int, site: str, key: str | None,
                       now: datetime, config: Mapping[str, Any]) -> Comment:
    """The comment ``key`` may change at ``now``. 404: no such comment on ``site`` (or already
    deleted); 403: no key, the wrong key, or the window is over (the same answer for each, so
    a stranger learns nothing about keys)."""
    comment = session.get(Comment, comment_id)
    if comment is None or comment.site_id != site or comment.deleted_at is not None:
        raise NotFound("There is no comment with this id.")
    stored = comment.edit_key_hash
    if not key or stored is None or not hmac.compare_digest(stored, key_hash(key)):
        raise Forbidden("This edit key does not belong to this comment.")
    if now > edit_until(comment, config):
        raise Forbidden("The time to edit or delete this comment is over.")
    return comment


def edit(session: Session, comment: Comment, body: str, now: datetime,
         config: Mapping[str, Any]) -> Comment:
    """Replace the comment's text after judging it again; commit. Returns the comment, whose
    status says whether the edit is public."""
    if body == comment.body:
        return comment
    submission = Submission(
        article=comment.article.key, body=body, author_name=comment.author_name,
        author_email=comment.author_email, author_url=comment.author_url,
        parent_id=comment.parent_id, ip_prefix=comment.ip_prefix,
        user_agent=comment.user_agent, now=now, author_key=comment.author_key)
    verdict = judge(session, submission, config, site=comment.site_id, mode=comment.article.mode)
    judged = status_for(verdict)
    session.add(CommentEdit(comment_id=comment.id, body=comment.body, edited_at=now))
    new_body = verdict.rewritten_body or body
    comment.body, comment.body_html = new_body, render_body(new_body)
    comment.edited_at = now
    comment.spam_score = verdict.spam_score
    if _LEVEL[judged] < _LEVEL[comment.status]:
        comment.status = judged
        comment.reasons = verdict.reasons() + [
            {"rule": "edited", "reason": "held after the author edited it", "evidence": None}]
    session.commit()
    return comment


def remove(session: Session, comment: Comment, now: datetime) -> bool:
    """Delete the comment; True when the row is gone, False when it stays as "[deleted]"."""
    answered = session.scalar(select(exists().where(Comment.parent_id == comment.id)))
    if not answered:
        session.delete(comment)
        session.commit()
        return True
    clear_author(session, comment, now)
    session.commit()
    return False


def clear_author(session: Session, comment: Comment, now: datetime) -> None:
    """Leave ``comment`` in its place as "[deleted]" with nothing of its author or text: name,
    email, website, keys, network, user agent, edit history, votes (also what a reader's
    erasure does, engage/portability/authors.py). Does not commit."""
    session.execute(delete(CommentEdit.__table__).where(
        CommentEdit.__table__.c.comment_id == comment.id))
    session.execute(delete(CommentVote.__table__).where(
        CommentVote.__table__.c.comment_id == comment.id))
    comment.author_name, comment.author_email, comment.author_url = DELETED, "", None
    comment.author_key = comment.ip_prefix = comment.user_agent = None
    comment.avatar_token = random_avatar_token()
    comment.body, comment.body_html = DELETED, DELETED_HTML
    comment.up = comment.down = comment.vote_rank = 0
    comment.edit_key_hash = None
    comment.deleted_at = now


def edits_for(session: Session, comment_ids: list[int]) -> dict[int, list[dict]]:
    """Each comment's earlier texts, oldest first, for the moderator's card."""
    history: dict[int, list[dict]] = {comment_id: [] for comment_id in comment_ids}
    if comment_ids:
        rows = session.execute(select(CommentEdit).where(CommentEdit.comment_id.in_(comment_ids))
                               .order_by(CommentEdit.id)).scalars()
        for row in rows:
            history[row.comment_id].append({"body": row.body,
                                            "edited_at": row.edited_at.isoformat()})
    return history
