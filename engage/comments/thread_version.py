"""Every change to an article's comments bumps ``articles.thread_version``, in the same flush.

A session hook bumps it for every ORM change to a comment, so no ORM path can forget it
(``install_version_bump``, called by ``create_app``: it hooks every session of the process). Code
that changes comments with a Core ``UPDATE`` (the moderation queue's compare-and-set) calls
``bump_thread_versions`` itself, in the same transaction. Thread reads use the version for
their ETag and their per-process page cache; a stale version would serve a stale thread.
"""

from __future__ import annotations

from sqlalchemy import bindparam, event, update
from sqlalchemy.orm import Session

from engage.articles import Article
from engage.comments.models import Comment
from engage.driver_statements import DriverStatement


def bump_thread_versions(session: Session, article_ids: set[int]) -> None:
    """Increment the thread version of these articles (in id order: a consistent lock order)."""
    if len(article_ids) == 1:  # a post: the expanding IN's per-call compiling cost more
        _BUMP_ONE.execute(session, {"id": next(iter(article_ids))})
    elif article_ids:
        session.connection().execute(_BUMP, {"ids": sorted(article_ids)})


# Built once: every post runs it, and building it cost more than running it (issue 22).
_TABLE = Article.__table__
_BUMP = (update(_TABLE).where(_TABLE.c.id.in_(bindparam("ids", expanding=True)))
         .values(thread_version=_TABLE.c.thread_version + 1))
_BUMP_ONE = DriverStatement(update(_TABLE).where(_TABLE.c.id == bindparam("id"))
                            .values(thread_version=_TABLE.c.thread_version + 1))


def install_version_bump() -> None:
    """Hook ``_bump_thread_versions`` into every session's flush, once per process."""
    if not event.contains(Session, "before_flush", _bump_thread_versions):
        event.listen(Session, "before_flush", _bump_thread_versions)


def _bump_thread_versions(session: Session, flush_context, instances) -> None:
    touched = {obj.article_id for obj in session.new
               if isinstance(obj, Comment) and obj.article_id is not None}
    touched |= {obj.article_id for obj in session.dirty
                if isinstance(obj, Comment) and session.is_modified(obj)}
    touched |= {obj.article_id for obj in session.deleted if isinstance(obj, Comment)}
    bump_thread_versions(session, touched)
