"""Every change to an article's comments bumps ``articles.thread_version``, in the same flush.

A session hook (not a call in each service) so that no path can forget it: posting, moderator
decisions, bulk actions and blocking all change comments through the ORM. Thread reads use the
version for their ETag and their per-process page cache; a stale version would serve a stale
thread, so the bump rides in the same transaction as the change.
"""

from __future__ import annotations

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from engage.articles import Article
from engage.comments.models import Comment


@event.listens_for(Session, "before_flush")
def _bump_thread_versions(session: Session, flush_context, instances) -> None:
    touched = {obj.article_id for obj in session.new
               if isinstance(obj, Comment) and obj.article_id is not None}
    touched |= {obj.article_id for obj in session.dirty
                if isinstance(obj, Comment) and session.is_modified(obj)}
    touched |= {obj.article_id for obj in session.deleted if isinstance(obj, Comment)}
    if touched:
        session.connection().execute(
            update(Article.__table__)
            .where(Article.__table__.c.id.in_(sorted(touched)))
            .values(thread_version=Article.__table__.c.thread_version + 1))
