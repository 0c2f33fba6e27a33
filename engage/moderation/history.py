"""The database-backed ``History`` that moderation rules read (never write)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engage.comments.models import Comment, CommentStatus


class SqlHistory:
    """Counts a proven author's earlier comments by ``author_key`` (index
    ``ix_comments_author_key``). Comments without an author key (unproven, or stored before
    reader keys) belong to nobody's history, so typing a reader's email neither borrows nor
    spoils their standing."""

    def __init__(self, session: Session):
        self._session = session

    def _count(self, author_key: str, status: CommentStatus) -> int:
        query = (select(func.count()).select_from(Comment)
                 .where(Comment.author_key == author_key, Comment.status == status))
        return self._session.scalar(query) or 0

    def approved_count(self, author_key: str) -> int:
        return self._count(author_key, CommentStatus.APPROVED)

    def spam_count(self, author_key: str) -> int:
        return self._count(author_key, CommentStatus.SPAM)
