"""The reader mails, built at send time from the rows the payload names.

Each mail is in the subscription's language, links to the page (the article's URL at the
comment's anchor) and carries the subscription's one-click unsubscribe link. A mail shows the
replier's public name and text, never an address: the only address in it is its recipient's.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.articles import Article
from engage.comments.models import Comment, CommentStatus
from engage.notifications.mail import extension
from engage.notifications.mail.catalog import direction, text
from engage.notifications.mail.channel import Outgoing
from engage.notifications.mail.message import Envelope, build, render
from engage.notifications.models import OutboxMessage
from engage.notifications.subscriptions import service, tokens
from engage.notifications.subscriptions.models import MailAddress, State, Subscription


def init_app(app: Flask) -> None:
    for kind in ("confirm", "reply", "article", "published"):
        extension.add_kind(app, kind, build_mail, refused)


def _base(app: Flask) -> str:
    return app.config["PUBLIC_URL"].rstrip("/")


def unsubscribe_url(app: Flask, subscription: Subscription) -> str:
    token = tokens.unsubscribe_token(app.config["SECRET_KEY"], subscription.id,
                                     subscription.nonce)
    return f"{_base(app)}/subscriptions/unsubscribe/{token}"


def build_mail(app: Flask, session: Session, message: OutboxMessage) -> Outgoing | None:
    payload = message.payload
    kind = payload["kind"]
    if kind == "confirm":
        subscription = session.get(Subscription, payload.get("subscription"))
        if subscription is None:
            return None  # unsubscribed or erased since: nothing to send
        address = session.get(MailAddress, subscription.address_hash)
        if address is None or address.confirmed_at is not None:
            return None  # confirmed through another mail meanwhile
        return _compose(app, message, subscription, "confirm", article=_article(session, subscription),
                        comment=None, action_url=_confirm_url(app, subscription))
    # one statement for the three rows (``Comment.article`` is loaded by a join): this runs
    # once a reply mail, on the delivery thread that shares the CPU with the POSTs
    found = session.execute(
        select(Comment, Subscription)
        .join(Subscription, Subscription.id == payload.get("subscription"))
        .where(Comment.id == payload.get("comment"))).first()
    if found is None:
        return None  # unsubscribed, erased or deleted since: nothing to send
    comment, subscription = found
    article = comment.article
    if subscription.state != State.ACTIVE.value:
        return None
    if comment.status != CommentStatus.APPROVED or comment.deleted_at:
        return None  # rejected or deleted since it was approved
    return _compose(app, message, subscription, kind, article=article, comment=comment,
                    action_url=_comment_url(app, article, comment))


def refused(app: Flask, session: Session, message: OutboxMessage) -> None:
    subscription = session.get(Subscription, message.payload.get("subscription"))
    if subscription is not None:
        service.mark_undeliverable(session, subscription.address_hash)


def _article(session: Session, subscription: Subscription):
    return session.get(Article, subscription.article_id)


def _confirm_url(app: Flask, subscription: Subscription) -> str:
    token = tokens.confirm_token(app.config["SECRET_KEY"], subscription.address_hash)
    return f"{_base(app)}/subscriptions/confirm/{token}"


def _comment_url(app: Flask, article: Article, comment: Comment) -> str:
    url = article.url
    return f"{url}#engage-comment-{comment.id}" if url else _base(app)


def title_of(article) -> str:
    return (article.title or article.key) if article is not None else ""


_KEYS = {"confirm": ("confirm_subject", "confirm_intro", "confirm_button"),
         "reply": ("reply_subject", "reply_intro", "view_link"),
         "article": ("article_subject", "article_intro", "view_link"),
         "published": ("published_subject", "published_intro", "view_link")}


def _compose(app: Flask, message: OutboxMessage, subscription: Subscription, kind: str, *,
             article, comment: Comment | None, action_url: str) -> Outgoing:
    lang = subscription.lang
    subject_key, intro_key, action_key = _KEYS[kind]
    values = {"title": title_of(article), "name": comment.author_name if comment else ""}
    subject = text(lang, subject_key, **values)
    unsubscribe = unsubscribe_url(app, subscription)
    context = {
        "lang": lang, "dir": direction(lang), "subject": subject,
        "intro": text(lang, intro_key, **values),
        "author": comment.author_name if comment else None,
        "body": comment.body if comment else None,
        "note": text(lang, "confirm_ignore") if kind == "confirm" else None,
        "body_html": comment.body_html if comment else None,
        "action_text": text(lang, action_key), "action_url": action_url,
        "footer": text(lang, "unsubscribe_text"), "unsubscribe_url": unsubscribe,
        "unsubscribe_text": text(lang, "unsubscribe_button"),
    }
    plain, html = render("reader", **context)
    mail = build(Envelope.from_config(app.config), message_id=message.id,
                 to=subscription.email, subject=subject, text=plain, html=html,
                 unsubscribe_url=unsubscribe)
    return Outgoing(mail)
