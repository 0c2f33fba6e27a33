"""A reader's data on request (GDPR articles 15 and 17), for admins.

Contracts
- ``export_author(session, email, actor)``: everything engage stores about the address:
  ``{"email", "comments": [… with "site" and "article"], "subscriptions": [], "reports": [],
  "blocklist": […]}``. Comments are found by their stored (lower-cased) email;
  ``subscriptions`` are the address's mail subscriptions (engage/notifications/subscriptions,
  found by the keyed hash of the address); ``reports`` are the illegal-content notices the
  address was given for (``participation.report_data``). Writes a ``privacy_events`` row
  (counts only) and commits.
- ``erase_author(session, email, keep_comments, actor)``: the address's comments lose the
  email, name, website, network, user agent, author and avatar keys; with ``keep_comments``
  each stays, anonymised, as "[deleted]" the way an author's own deletion leaves a comment
  (``participation.edits.clear_author``: edit history and votes go too; its status unchanged,
  so a published thread keeps its shape); without it each is deleted, except a comment that has replies by others, which
  stays as "[deleted]" so the replies stay threaded (as Isso does). The spam filter forgets
  them: their training examples are deleted, the training set's version moves and the stored
  weights (which hold tokens of names and email domains) are dropped, so every process
  retrains without them. Moderation notes of the comments that stay lose the address
  ("blocked email [erased]"). Its mail subscriptions and the record that it was confirmed are
  deleted (queued mail to it then sends nothing). Reports filed with the address lose it (the
  notices stay, for the transparency report). The audit row says who erased how many comments,
  never the email.
  One transaction; commits.
- Blocklist entries are not erased: blocking an address is the site's decision about
  abuse, not data the reader gave; an admin removes one with ``DELETE /blocklist``.
"""

from __future__ import annotations

import re

from flask import current_app

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session, aliased

from engage.comments.models import Comment
from engage.db import utcnow
from engage.moderation.settings.options import BlockKind
from engage.notifications.subscriptions import service as subscriptions
from engage.moderation.settings.store import list_blocked
from engage.participation.edits import DELETED, clear_author, edits_for
from engage.participation.report_data import erase_reporter, reporter_data
from engage.portability.exporter import comment_record
from engage.portability.models import PrivacyEvent
from engage.queue.events import ModerationEvent
from engage.queue.service import events_for
from engage.spamfilter.model_store import SpamTrainedModel
from engage.spamfilter.store import SpamExample, bump_version

ERASED = "[erased]"


def normalize_email(raw: object) -> str:
    """The address as comments store it; ValueError when it is none."""
    email = raw.strip().lower() if isinstance(raw, str) else ""
    if not email or "@" not in email or len(email) > 254 or any(ch.isspace() for ch in email):
        raise ValueError("an email address is required")
    return email


def _comments(session: Session, email: str) -> list[Comment]:
    return list(session.scalars(select(Comment).where(Comment.author_email == email)
                                .order_by(Comment.id)))


def export_author(session: Session, email: str, actor: str, secret: str | None = None) -> dict:
    email = normalize_email(email)
    comments = _comments(session, email)
    events = events_for(session, [comment.id for comment in comments])
    edits = edits_for(session, [comment.id for comment in comments])
    records = [{"site": c.site_id, "article": c.article.key,
                **comment_record(c, events[c.id], edits[c.id])} for c in comments]
    blocked = [entry.as_dict() for entry in list_blocked(session, BlockKind.EMAIL)
               if entry.value == email]
    session.add(PrivacyEvent(action="author_export", actor=actor[:100], comments=len(records)))
    session.commit()
    return {"email": email, "comments": records,
            "subscriptions": subscriptions.export_address(session, email, _secret(secret)),
            "reports": reporter_data(session, email), "blocklist": blocked}


def erase_author(session: Session, email: str, *, keep_comments: bool, actor: str,
                 secret: str | None = None) -> dict:
    email = normalize_email(email)
    # mail subscriptions (the only copy of the address outside comments) and its confirmation
    subscriptions.erase_address(session, email, _secret(secret))
    comments = _comments(session, email)
    ids = [comment.id for comment in comments]
    reply = aliased(Comment)
    answered = set(session.scalars(
        select(Comment.id).where(Comment.id.in_(ids), exists().where(
            reply.parent_id == Comment.id, reply.author_email != email)))) if ids else set()
    parents = {comment.id: comment.parent_id for comment in comments}
    for comment_id in list(answered):  # a kept comment's own ancestors by them stay too
        parent = parents.get(comment_id)
        while parent in parents and parent not in answered:
            answered.add(parent)
            parent = parents[parent]
    deleted = 0
    now = utcnow()
    for comment in comments:
        if keep_comments or comment.id in answered:
            clear_author(session, comment, now)  # as an author's own deletion leaves it
            comment.reasons = []  # the rules' evidence may quote the author
        else:
            session.delete(comment)
            deleted += 1
    _scrub_notes(session, [c.id for c in comments if c.id in answered or keep_comments], email)
    erase_reporter(session, email)
    if ids:
        session.execute(delete(SpamExample).where(SpamExample.comment_id.in_(ids)))
        bump_version(session)
        session.execute(update(SpamTrainedModel).values(weights=None, version=-1))
    session.add(PrivacyEvent(action="author_erase", actor=actor[:100], comments=len(ids),
                             note=f"deleted {deleted}, kept {len(ids) - deleted} as {DELETED}"))
    session.commit()
    return {"comments": len(ids), "deleted": deleted, "anonymised": len(ids) - deleted}


def _secret(secret: str | None) -> str:
    """The key of the address hashes: given, or the app's (CLI and API run in one)."""
    return secret or current_app.config["SECRET_KEY"]


def _scrub_notes(session: Session, comment_ids: list[int], email: str) -> None:
    """The address out of the audit notes of comments that stay ("blocked email …")."""
    if not comment_ids:
        return
    pattern = re.compile(re.escape(email), re.IGNORECASE)
    for event in session.scalars(select(ModerationEvent).where(
            ModerationEvent.comment_id.in_(comment_ids), ModerationEvent.note.is_not(None))):
        if pattern.search(event.note):
            event.note = pattern.sub(ERASED, event.note)
