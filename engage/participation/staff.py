"""Staff replies: a moderator answers a published comment from the queue.

Contract: ``reply(session, parent_id, body, moderator, now, sites)`` stores and commits an
approved comment under ``parent_id`` and returns it. It is published at once and skips the
moderation rules (a moderator wrote it); its author is the moderator's name, it carries the
staff flag (the public JSON's ``staff`` badge, ``STAFF_BADGE``) and no email, reader key,
network or user agent. The answered comment must be published (422 otherwise: a public answer
to a held comment would show half a conversation); an unknown id → 404; a comment on a site
outside ``sites`` (the moderator's; None: every site) → 403. One audit event on the reply
(``new → approved``, note "staff reply to #N") says who wrote it.

Being an ORM insert of a comment, it bumps the article's thread version and writes the live
change log in the same transaction (engage/comments/thread_version.py, engage/live/recorder.py),
exactly as a reader's published comment does.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from engage.comments.models import Comment, CommentStatus
from engage.comments.rendering import render_body
from engage.errors import Forbidden, NotFound, ValidationFailed
from engage.moderators.accounts import Moderator
from engage.queue.events import ModerationEvent

NEW = "new"  # the audit event's "from" for a comment that did not exist before


def answered_comment(session: Session, comment_id: int,
                     sites: frozenset[str] | None) -> Comment:
    """The comment ``comment_id`` if this moderator may act on it: 404 unknown, 403 off-site."""
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise NotFound(f"No comment with id {comment_id}.")
    if sites is not None and comment.site_id not in sites:
        raise Forbidden("This comment is on a site you may not act on.", code="forbidden_site")
    return comment


def reply(session: Session, parent_id: int, body: str, moderator: Moderator, now: datetime,
          sites: frozenset[str] | None = None) -> Comment:
    """See the module docstring."""
    parent = answered_comment(session, parent_id, sites)
    if parent.status != CommentStatus.APPROVED:
        raise ValidationFailed("Publish the comment before answering it.",
                               fields={"id": ["only a published comment can be answered"]})
    body_html = render_body(body)  # before the write: rendering holds no transaction
    comment = Comment(
        article_id=parent.article_id, site_id=parent.site_id, parent_id=parent.id,
        status=CommentStatus.APPROVED, author_name=moderator.name, author_email="",
        author_url=None, author_key=None, body=body, body_html=body_html, ip_prefix=None,
        user_agent=None, reasons=[], spam_score=None, created_at=now, decided_at=now,
        decided_by=moderator.name, staff=True)
    session.add(comment)
    session.flush()
    session.add(ModerationEvent(comment_id=comment.id, moderator=moderator.name,
                                from_status=NEW, to_status=CommentStatus.APPROVED.value,
                                note=f"staff reply to #{parent.id}", created_at=now))
    session.commit()
    return comment
