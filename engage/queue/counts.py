"""Per-site, per-status comment counts for the queue tabs, kept exact by database triggers.

Why a maintained table: counting a million comments per status takes tens to hundreds of
milliseconds on either database even with an index-only scan, and the queue shows the counts on
every page load. Triggers on ``comments`` keep ``comment_status_counts`` exact for every writer
(the comments service, moderator decisions, bulk imports, cascaded deletes), with no application
code to forget. Reading the counts is then a read of 4 rows per site.

- SQLite: row-level triggers (+1/-1 per inserted, deleted or re-statused comment).
- PostgreSQL: statement-level triggers over transition tables, so a bulk insert or a bulk
  decision updates each count row once per statement. Count rows are locked in status order
  by an upsert ordered by status, so two concurrent decisions cannot deadlock on them; a
  TRUNCATE of comments resets them to zero.

The triggers are created by migration ``0012_sites`` (they replaced those of
``0004_moderators``, which counted per status only; the schema comes only from migrations, so
their SQL lives there alone). They count by ``comments.site_id``.
Per-article counts are not stored: one article's comments are few, and the
``ix_comments_thread (article_id, status, id)`` index counts them directly.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import BigInteger, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engage.comments.models import Comment, CommentStatus
from engage.db import Base
from engage.sites import MAX_SITE_ID


class CommentStatusCount(Base):
    __tablename__ = "comment_status_counts"

    site_id: Mapped[str] = mapped_column(String(MAX_SITE_ID), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    total: Mapped[int] = mapped_column(BigInteger)


def status_counts(session: Session, article_id: int | None = None,
                  sites: Collection[str] | None = None) -> dict[str, int]:
    """``{status: n}`` for every status (zeros included): over one article, or over the
    comments of ``sites`` (None: every site)."""
    counts = {status.value: 0 for status in CommentStatus}
    if article_id is None:
        query = (select(CommentStatusCount.status, func.sum(CommentStatusCount.total))
                 .group_by(CommentStatusCount.status))
        if sites is not None:
            query = query.where(CommentStatusCount.site_id.in_(sorted(sites)))
        rows = session.execute(query)
    else:
        rows = session.execute(select(Comment.status, func.count())
                               .where(Comment.article_id == article_id).group_by(Comment.status))
    for status, total in rows:
        key = status.value if isinstance(status, CommentStatus) else status
        counts[key] = int(total or 0)
    return counts
