"""Moderator mail: one "alert" per comment, or one "digest" per period, built at send time.

A mail names the article (title, link), the author (name, email: moderators may see it, and
only a moderator who may decide on the comment's site gets the mail), the text, the status
and the reasons, with three signed one-click links issued when the mail is built. An alert
for a comment that no longer waits (decided meanwhile) sends nothing; a digest lists only the
comments of its period that still wait, and sends nothing when none does.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy.orm import Session

from engage.comments.models import Comment, CommentStatus
from engage.db import utcnow
from engage.moderators.accounts import Moderator
from engage.notifications.alerts import service
from engage.notifications.alerts.models import AlertPreference
from engage.notifications.mail import extension
from engage.notifications.mail.channel import Outgoing
from engage.notifications.mail.message import Envelope, build, render
from engage.notifications.models import OutboxMessage

PERIODS = {"hourly": timedelta(hours=1), "daily": timedelta(days=1)}


def init_app(app: Flask) -> None:
    extension.add_kind(app, "alert", build_alert)
    extension.add_kind(app, "digest", build_digest)


def _recipient(session: Session, preference_id: int):
    preference = session.get(AlertPreference, preference_id)
    moderator = session.get(Moderator, preference.moderator_id) if preference else None
    if moderator is None or not moderator.email:
        return None, None
    return preference, moderator


def _waits(comment: Comment | None, event: str) -> bool:
    if comment is None or comment.deleted_at is not None:
        return False
    return comment.status == CommentStatus.PENDING if event == "held" else \
        comment.status == CommentStatus.APPROVED


def _item(app: Flask, moderator: Moderator, comment: Comment, event: str, now: datetime) -> dict:
    article = comment.article
    reasons = "; ".join(f"{r.get('rule')}: {r.get('reason')}" for r in (comment.reasons or []))
    return {
        "heading": ("Held for moderation" if event == "held" else "Reported by readers")
                   + f" (comment {comment.id})",
        "title": article.title or article.key, "url": article.url,
        "author": comment.author_name, "email": comment.author_email,
        "website": comment.author_url, "status": comment.status.value, "reasons": reasons,
        "body": comment.body, "body_html": comment.body_html,
        "links": service.pending_links(app.config["SECRET_KEY"], moderator.id, comment.id, now),
    }


def _compose(app: Flask, message: OutboxMessage, moderator: Moderator, subject: str,
             items: list[dict]) -> Outgoing:
    base = app.config["PUBLIC_URL"].rstrip("/")
    plain, html = render("alert", subject=subject, items=items, queue_url=f"{base}/moderate",
                         days=int(app.config["MAIL_LINK_MAX_AGE_DAYS"]))
    return Outgoing(build(Envelope.from_config(app.config), message_id=message.id,
                          to=moderator.email, subject=subject, text=plain, html=html))


def build_alert(app: Flask, session: Session, message: OutboxMessage) -> Outgoing | None:
    payload = message.payload
    preference, moderator = _recipient(session, payload["preference"])
    comment = session.get(Comment, payload["comment"])
    if moderator is None or not _waits(comment, payload["event"]):
        return None
    item = _item(app, moderator, comment, payload["event"], utcnow())
    subject = f"[engage] {item['heading'].split(' (')[0]}: {item['title']} — {comment.author_name}"
    return _compose(app, message, moderator, subject, [item])


def build_digest(app: Flask, session: Session, message: OutboxMessage) -> Outgoing | None:
    payload = message.payload
    preference, moderator = _recipient(session, payload["preference"])
    if moderator is None:
        return None
    until = datetime.fromisoformat(payload["until"])
    since = until - PERIODS.get(preference.every, PERIODS["daily"])
    now = utcnow()
    service.purge(session, now, int(app.config["MAIL_LINK_MAX_AGE_DAYS"]))
    session.commit()
    items = [_item(app, moderator, comment, item.event, now)
             for item, comment in service.period_items(session, preference.id, since, until)
             if _waits(comment, item.event)]
    if not items:
        return None
    subject = f"[engage] {len(items)} comment{'s' if len(items) != 1 else ''} wait for you"
    return _compose(app, message, moderator, subject, items)
