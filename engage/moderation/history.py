"""The database-backed ``History`` that moderation rules read (never write)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engage.comments.models import Comment, CommentStatus


class SqlHistory:
    """Answers rules' questions about an author's earlier comments with indexed queries."""

    def __init__(self, session: Session):
        self._session = session

    def _count(self, email: str, status: CommentStatus) -> int:
        query = (select(func.count()).select_from(Comment)
                 .where(Comment.author_email == email.lower(), Comment.status == status))
        return self._session.scalar(query) or 0

    def approved_count(self, email: str) -> int:
        return self._count(email, CommentStatus.APPROVED)

    def spam_count(self, email: str) -> int:
        return self._count(email, CommentStatus.SPAM)
