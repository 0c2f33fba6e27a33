"""``comment_event``: what the comment code calls when a comment is created or decided.

Called in the same transaction as the change, by the code that makes it: the comments service
(``comment.created`` when published at once, ``comment.held`` otherwise: a comment the filters
put aside as spam at submit is *held* too, since the reader was told "held" and an admin
watching held comments wants to see what the filter caught), the queue's decisions
(``comment.approved``, ``comment.rejected``, ``comment.spam``), reports (``comment.reported``).
It enqueues one "webhook" message per matching webhook of the comment's site, then calls every
listener ``fn(session, event, comment, moderator)`` (``add_listener``; listeners only enqueue,
no I/O). The webhook payload is built now (the comment as it was at the event); the secret is
read at send time (a deleted webhook sends nothing).

Cheap when nothing listens: the site's webhooks are cached per process (``webhook_cache``),
so a post without webhooks and listeners costs a dictionary lookup.
"""

from __future__ import annotations

from typing import Callable

from flask import current_app, has_app_context, has_request_context
from sqlalchemy.orm import Session, object_session

from engage.articles import Article
from engage.db import utcnow
from engage.notifications import webhook_cache
from engage.notifications.outbox import enqueue

EVENTS = ("comment.created", "comment.held", "comment.approved", "comment.rejected",
          "comment.spam", "comment.reported")

# the event of a moderator's decision, by the status it leads to (back to pending: held again)
DECISION_EVENTS = {"approved": "comment.approved", "rejected": "comment.rejected",
                   "spam": "comment.spam", "pending": "comment.held"}

Listener = Callable[..., None]
_LISTENERS: list[Listener] = []


def add_listener(fn: Listener) -> None:
    """Call ``fn(session, event, comment, moderator)`` on every comment event (once per fn)."""
    if fn not in _LISTENERS:
        _LISTENERS.append(fn)


def comment_event(session: Session, event: str, comment, *, moderator=None) -> None:
    if event not in EVENTS:
        raise ValueError(f"unknown comment event {event!r}")
    if has_app_context():
        hooks = webhook_cache.for_site(current_app, session, comment.site_id)
        matching = [hook for hook in hooks if event in hook.events]
        if matching:
            body = event_body(event, comment)
            for hook in matching:
                enqueue(session, channel="webhook",
                        payload={"webhook": hook.id, "format": hook.format, "event": body})
    for listener in tuple(_LISTENERS):
        listener(session, event, comment, moderator)


def event_body(event: str, comment) -> dict:
    """The webhook body without its ``id`` (the delivery id, added at send time): public
    fields only (engage/comments/public.py), the status and the article; never an email or
    an IP network."""
    # imported here: the public view imports the web layer, which this module's importers
    # (the comments service) must not need for loading
    from engage.comments.public import public_comment

    config = current_app.config
    base = config["PUBLIC_URL"].rstrip("/") if config["PUBLIC_URL"] else (
        _request_base() if has_request_context() else "")
    # a comment not flushed yet has no loaded relationship; the article is in the session
    article = comment.article or object_session(comment).get(Article, comment.article_id)
    shown = public_comment(comment, base, config["SECRET_KEY"])
    shown["status"] = getattr(comment.status, "value", comment.status)
    return {"type": event, "created_at": utcnow().isoformat(), "site": comment.site_id,
            "article": {"key": article.key, "title": getattr(article, "title", None),
                        "url": getattr(article, "url", None)},
            "comment": shown}


def _request_base() -> str:
    # imported here: only a request without PUBLIC_URL needs the Host-checked base
    from engage.web.request_info import public_base_url

    try:
        return public_base_url()
    except Exception:  # a bad Host header must not undo the comment: links stay relative
        return ""
