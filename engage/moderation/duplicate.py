"""Duplicate comments: the same text by the same email on the same article → 409.

Any earlier status counts (a repost of a held or spam comment is as much a duplicate as a
repost of a published one), and the reply is the same 409 whatever the earlier status was.
Two identical posts at the same instant are caught by the flood limit instead.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.comments.models import Comment
from engage.errors import Conflict

MESSAGE = "You already posted this comment here."


def check_duplicate(session: Session, article_id: int, email: str, body: str) -> None:
    """Raise ``Conflict`` when this author already posted ``body`` on this article."""
    found = session.scalar(
        select(Comment.id).where(Comment.author_email == email.strip().lower(),
                                 Comment.article_id == article_id, Comment.body == body).limit(1))
    if found is not None:
        raise Conflict(MESSAGE)
