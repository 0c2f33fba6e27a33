"""Reader subscriptions: asked for at submit, confirmed once per address, mailed on approval.

Contracts
- ``address_hash(secret, email)``: HMAC-SHA256 of the trimmed, lower-cased address, keyed by
  the secret key. Rate limits and "confirmed" rest on it; the raw address is kept only on the
  subscription rows (to send to), which an erasure deletes.
- ``request`` (the listener calls it for the comment a POST created, with the POST's
  ``notify``): nothing when mail is off, ``notify`` is "none", or the comment was caught as
  spam. Otherwise one subscription row; ``active`` at once when the address was ever
  confirmed, else ``pending`` with a confirmation mail, at most one per address per
  ``MAIL_CONFIRM_INTERVAL_SECONDS`` (a conditional UPDATE, so two simultaneous posts send one).
- ``on_comment_event``: when a comment is published (``comment.created`` approved at once, or
  ``comment.approved``), one mail per subscribed address: a "reply" mail to the active
  subscribers of its parent's replies, else an "article" mail to the article's active
  subscribers; never to the comment's own address. On ``comment.approved``, the author's own
  held comment's request gets "your comment was published" once. Each mail is enqueued with
  the key ``mail:<subscription>:<comment>``: approving again sends nothing twice.
- ``confirm``/``unsubscribe``: see ``routes``. ``is_confirmed(session, email)``: the address
  was confirmed once (proof of identity for the trusted-author rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, bindparam, case, delete, or_, select, update
from sqlalchemy.orm import Session

from engage.comments.models import Comment, CommentStatus
from engage.db import upsert, utcnow
from engage.notifications.mail.catalog import resolve
from engage.notifications.mail.channel import CHANNEL
from engage.notifications.mail.extension import enabled
from engage.notifications.outbox import enqueue, enqueue_keyed
from engage.notifications.subscriptions import tokens
from engage.notifications.subscriptions.models import Kind, MailAddress, State, Subscription
from engage.readers import (address_hash, browser_author_key, mailbox_author_key,
                            reader_proof)

NOTIFY_CHOICES = ("none", Kind.REPLIES.value, Kind.ARTICLE.value)
# session.info key: the POST's notify choice and language, set by the comments route before
# submit and taken by the listener in submit's own transaction (so the subscription is
# stored with the comment or not at all)
REQUEST = "engage.subscriptions.request"
PUBLISHED_EVENTS = ("comment.created", "comment.approved")


def ask(session: Session, notify: str | None, lang: str | None) -> None:
    """Remember the POST's choice for the comment this session is about to create."""
    if notify and notify != "none":
        session.info[REQUEST] = (notify, lang)
    else:
        session.info.pop(REQUEST, None)


def is_confirmed(session: Session, email: str, secret: str | None = None) -> bool:
    """True once the address confirmed a subscription (it stays confirmed)."""
    key = address_hash(secret or current_app.config["SECRET_KEY"], email)
    return session.scalar(select(MailAddress.confirmed_at)
                          .where(MailAddress.address_hash == key)) is not None


def on_comment_event(session: Session, event: str, comment: Comment, moderator=None) -> None:
    config = current_app.config
    if not enabled(config):
        session.info.pop(REQUEST, None)
        return
    if comment.id is None:
        session.flush()  # the comments service adds the comment, then tells the listeners
    if event in ("comment.created", "comment.held"):
        asked = session.info.pop(REQUEST, None)
        if asked:
            request(session, comment, asked[0], asked[1], utcnow(), config)
    if event in PUBLISHED_EVENTS and comment.status == CommentStatus.APPROVED:
        if event == "comment.approved":
            _tell_published(session, comment)
        _tell_subscribers(session, comment, config["SECRET_KEY"])


def request(session: Session, comment: Comment, notify: str, lang: str | None, now: datetime,
            config) -> Subscription | None:
    if notify not in (Kind.REPLIES.value, Kind.ARTICLE.value) or not enabled(config):
        return None
    if comment.status not in (CommentStatus.APPROVED, CommentStatus.PENDING):
        return None  # spam: the poster is told "held", and nobody is mailed on its word
    key = address_hash(config["SECRET_KEY"], comment.author_email)
    session.execute(upsert(session, MailAddress.__table__)
                    .values(address_hash=key).on_conflict_do_nothing())
    confirmed = session.scalar(select(MailAddress.confirmed_at)
                               .where(MailAddress.address_hash == key)) is not None
    subscription = Subscription(
        address_hash=key, email=comment.author_email, site_id=comment.site_id,
        article_id=comment.article_id, comment_id=comment.id, kind=notify,
        lang=resolve(lang), state=(State.ACTIVE if confirmed else State.PENDING).value,
        tell_published=comment.status == CommentStatus.PENDING, created_at=now)
    session.add(subscription)
    session.flush()
    if not confirmed and _may_send_confirmation(session, key, now, config):
        enqueue(session, channel=CHANNEL,
                payload={"kind": "confirm", "subscription": subscription.id})
    return subscription


def _may_send_confirmation(session: Session, key: str, now: datetime, config) -> bool:
    """Claim this address's confirmation slot; False when one went out within the interval."""
    since = now - timedelta(seconds=int(config["MAIL_CONFIRM_INTERVAL_SECONDS"]))
    claimed = session.execute(
        update(MailAddress)
        .where(MailAddress.address_hash == key,
               or_(MailAddress.confirm_sent_at.is_(None), MailAddress.confirm_sent_at <= since))
        .values(confirm_sent_at=now).execution_options(synchronize_session=False))
    return claimed.rowcount == 1


def _tell_published(session: Session, comment: Comment) -> None:
    waiting = list(session.scalars(select(Subscription).where(
        Subscription.comment_id == comment.id, Subscription.tell_published.is_(True))))
    active = [s for s in waiting if s.state == State.ACTIVE.value]
    for subscription in waiting:
        subscription.tell_published = False
    if active:
        enqueue(session, channel=CHANNEL, key=f"mail:published:{comment.id}",
                payload={"kind": "published", "subscription": active[0].id,
                         "comment": comment.id})


def _tell_subscribers(session: Session, comment: Comment, secret: str) -> None:
    """One mail per subscribed address, the reply mail before the article mail."""
    author = address_hash(secret, comment.author_email)
    # on the connection: the ORM's execute (autoflush, ORM result) doubled this read's cost on
    # every published comment, and a subscription made in this transaction is flushed already
    found = session.connection().execute(_SUBSCRIBERS, {"parent": comment.parent_id,
                                                        "article": comment.article_id})
    mailed = {author}
    messages = []
    for subscription_id, address, subscription_kind in found:
        if address in mailed:
            continue
        mailed.add(address)
        kind = "reply" if subscription_kind == Kind.REPLIES.value else "article"
        messages.append((f"mail:{subscription_id}:{comment.id}",
                         {"kind": kind, "subscription": subscription_id, "comment": comment.id}))
    enqueue_keyed(session, channel=CHANNEL, messages=messages)


# Active subscribers of a comment's parent (replies) and of its article, replies first: one
# statement on every published comment (a parent of NULL matches no reply subscription).
_SUBSCRIBERS = (
    select(Subscription.id, Subscription.address_hash, Subscription.kind)
    .where(Subscription.state == State.ACTIVE.value,
           or_(and_(Subscription.comment_id == bindparam("parent"),
                    Subscription.kind == Kind.REPLIES.value),
               and_(Subscription.article_id == bindparam("article"),
                    Subscription.kind == Kind.ARTICLE.value)))
    .order_by(case((Subscription.kind == Kind.REPLIES.value, 0), else_=1), Subscription.id))


# --- the pages ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Found:
    """What a link's token leads to: ``subscription`` None when it was removed."""

    subscription: Subscription | None
    lang: str = "en"


def confirm(session: Session, token: str, now: datetime, config) -> Found | None:
    """Confirm the token's address and activate its pending subscriptions; None: bad token
    (forged, expired, or its address erased since)."""
    max_age = int(config["MAIL_CONFIRM_MAX_AGE_DAYS"]) * 86_400
    key = tokens.read_confirm(config["SECRET_KEY"], token, max_age)
    address = session.get(MailAddress, key) if key else None
    if address is None:
        return None
    if address.confirmed_at is None:
        address.confirmed_at = now
    session.execute(update(Subscription)
                    .where(Subscription.address_hash == key,
                           Subscription.state == State.PENDING.value)
                    .values(state=State.ACTIVE.value).execution_options(synchronize_session=False))
    first = session.scalar(select(Subscription).where(Subscription.address_hash == key)
                           .order_by(Subscription.id.desc()).limit(1))
    session.commit()
    return Found(first, first.lang if first else "en")


def prove(session: Session, token: str, reader_key: str, config) -> str | None:
    """The ``reader_proof`` of the browser holding ``reader_key`` for the confirmed address of
    confirmation ``token`` (engage/readers.py), after moving that browser's earlier comments
    under this address to the mailbox's author key (in one transaction, committed); None for
    a token that does not verify or whose address is gone or not confirmed."""
    secret = config["SECRET_KEY"]
    max_age = int(config["MAIL_CONFIRM_MAX_AGE_DAYS"]) * 86_400
    key = tokens.read_confirm(secret, token, max_age)
    address = session.get(MailAddress, key) if key else None
    if address is None or address.confirmed_at is None:
        return None
    email = session.scalar(select(Subscription.email).where(Subscription.address_hash == key)
                           .limit(1))
    if email:
        session.execute(update(Comment)
                        .where(Comment.author_key == browser_author_key(secret, email, reader_key))
                        .values(author_key=mailbox_author_key(secret, key))
                        .execution_options(synchronize_session=False))
    session.commit()
    return reader_proof(secret, key, reader_key)


def find(session: Session, token: str, secret: str) -> Found | None:
    """The subscription of an unsubscribe token; Found(None) when it is gone, None if forged."""
    read = tokens.read_unsubscribe(secret, token)
    if read is None:
        return None
    subscription = session.get(Subscription, read[0])
    if subscription is None or subscription.nonce != read[1]:
        return Found(None)
    return Found(subscription, subscription.lang)


def unsubscribe(session: Session, token: str, secret: str) -> Found | None:
    """Delete the token's subscription (RFC 8058 one-click); idempotent."""
    found = find(session, token, secret)
    if found is not None and found.subscription is not None:
        session.delete(found.subscription)
        session.commit()
    return found


# --- undeliverable, author requests -------------------------------------------------------------

def mark_undeliverable(session: Session, key: str) -> None:
    """The mail server refused this address for good: none of its subscriptions is mailed."""
    session.execute(update(Subscription).where(Subscription.address_hash == key)
                    .values(state=State.UNDELIVERABLE.value)
                    .execution_options(synchronize_session=False))


def export_address(session: Session, email: str, secret: str) -> list[dict]:
    key = address_hash(secret, email)
    return [{"kind": s.kind, "site": s.site_id, "article_id": s.article_id,
             "comment_id": s.comment_id, "state": s.state, "lang": s.lang,
             "created_at": s.created_at.isoformat()}
            for s in session.scalars(select(Subscription).where(Subscription.address_hash == key)
                                     .order_by(Subscription.id))]


def erase_address(session: Session, email: str, secret: str) -> int:
    """Delete the address's subscriptions and its confirmation record (no commit)."""
    key = address_hash(secret, email)
    removed = session.execute(delete(Subscription).where(Subscription.address_hash == key))
    session.execute(delete(MailAddress).where(MailAddress.address_hash == key))
    return removed.rowcount or 0
