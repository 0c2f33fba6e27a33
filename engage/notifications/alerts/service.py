"""Moderator alerts: what a held or reported comment enqueues, and what a link's POST does.

Contracts
- ``on_comment_event`` (``comment.held``, ``comment.reported``; mail on): for each preference
  that wants the event on the comment's site (``preferences.matching``): ``now`` enqueues one
  "alert" mail (key ``alert:<preference>:<comment>:<event>``: once per comment and event);
  ``hourly``/``daily`` adds a ``DigestItem`` and enqueues the preference's "digest" mail for the
  next boundary (``not_before``; key ``digest:<preference>:<boundary>``, so all items of one
  period share one message). Digests are scheduled outbox messages, not a timer: a period in
  which nothing was held sends nothing, and a digest survives restarts like any message.
- ``decide_by_link``: a link's POST. The decision goes through the queue's own
  ``apply_decision`` (audited as the link's moderator, within the sites they may act on), with
  the link's use recorded in the same transaction: a link works once, even when clicked twice
  at the same moment. A comment decided by anyone after the link was issued is shown, not
  decided again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engage.comments.models import Comment
from engage.db import upsert, utcnow
from engage.moderators.accounts import Moderator, moderator_sites
from engage.moderators.roles import DECIDERS, Role
from engage.notifications.alerts import links
from engage.notifications.alerts.models import DigestItem, LinkUse
from engage.notifications.alerts.preferences import matching
from engage.notifications.mail.channel import CHANNEL
from engage.notifications.mail.extension import enabled
from engage.notifications.outbox import enqueue
from engage.queue.service import Decision, apply_decision

ALERT_EVENTS = {"comment.held": "held", "comment.reported": "reported"}


def next_boundary(every: str, now: datetime, digest_hour: int) -> datetime:
    """The end of the digest period ``now`` falls in (UTC): the next full hour, or the next
    ``digest_hour`` o'clock."""
    now = now.astimezone(timezone.utc)
    if every == "hourly":
        return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    boundary = now.replace(hour=digest_hour, minute=0, second=0, microsecond=0)
    return boundary if boundary > now else boundary + timedelta(days=1)


def on_comment_event(session: Session, event: str, comment: Comment, moderator=None) -> None:
    kind = ALERT_EVENTS.get(event)
    config = current_app.config
    if kind is None or not enabled(config) or moderator is not None:
        return  # a moderator putting a comment back to pending alerts nobody
    found = matching(session, kind, comment.site_id)
    if not found:
        return
    if comment.id is None:
        session.flush()
    now = utcnow()
    for preference, _ in found:
        if preference.every == "now":
            enqueue(session, channel=CHANNEL, key=f"alert:{preference.id}:{comment.id}:{kind}",
                    payload={"kind": "alert", "preference": preference.id,
                             "comment": comment.id, "event": kind, "issued": now.isoformat()})
            continue
        session.add(DigestItem(preference_id=preference.id, comment_id=comment.id, event=kind,
                               created_at=now))
        boundary = next_boundary(preference.every, now, int(config["MAIL_DIGEST_HOUR"]))
        enqueue(session, channel=CHANNEL, key=f"digest:{preference.id}:{boundary.isoformat()}",
                not_before=boundary,
                payload={"kind": "digest", "preference": preference.id,
                         "until": boundary.isoformat()})


@dataclass(frozen=True)
class Outcome:
    """What a link page shows: ``state`` is "decided" (now, by this link), "already" (someone
    decided after the mail went out), "used", "forbidden" or "gone" (comment or moderator)."""

    state: str
    comment: Comment | None = None
    status: int = 200


def load(session: Session, link: links.Link) -> tuple[Moderator | None, Comment | None]:
    return session.get(Moderator, link.moderator_id), session.get(Comment, link.comment_id)


def decided_since(comment: Comment, link: links.Link) -> bool:
    return comment.decided_at is not None and comment.decided_at >= link.issued_at


def was_used(session: Session, link: links.Link) -> bool:
    return session.get(LinkUse, link.token_hash) is not None


def decide_by_link(session: Session, link: links.Link, now: datetime) -> Outcome:
    if was_used(session, link):
        return Outcome("used", status=410)
    moderator, comment = load(session, link)
    if moderator is None or comment is None:
        return Outcome("gone", status=410)
    if Role(moderator.role) not in DECIDERS:
        return Outcome("forbidden", comment, status=403)
    sites = None if moderator.role == Role.ADMIN.value else moderator_sites(session, moderator)
    if sites is not None and comment.site_id not in sites:
        return Outcome("forbidden", comment, status=403)
    if decided_since(comment, link) or comment.status == Decision(link.action).status:
        return Outcome("already", comment)
    claimed = session.scalar(upsert(session, LinkUse.__table__)
                             .values(token_hash=link.token_hash, used_at=now)
                             .on_conflict_do_nothing().returning(LinkUse.token_hash))
    if claimed is None:  # another click of the same link was first
        session.rollback()
        return Outcome("used", status=410)
    [decided] = apply_decision(session, [comment.id], Decision(link.action), moderator,
                               note="one-click link in an alert mail", now=now, sites=sites)
    session.commit()
    return Outcome("decided", decided)


def pending_links(secret: str, moderator_id: int, comment_id: int, now: datetime) -> dict:
    """The three signed links of one comment in one moderator's mail."""
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return {action: f"{base}/moderate/act/{links.issue(secret, moderator_id, comment_id, action, now)}"
                    f"?action={action}" for action in links.ACTIONS}


def period_items(session: Session, preference_id: int, since: datetime,
                 until: datetime) -> list[tuple[DigestItem, Comment]]:
    """The items of one digest period, with their comments, oldest first."""
    return list(session.execute(
        select(DigestItem, Comment).join(Comment, Comment.id == DigestItem.comment_id)
        .where(DigestItem.preference_id == preference_id, DigestItem.created_at > since,
               DigestItem.created_at <= until)
        .order_by(DigestItem.id)).all())


def purge(session: Session, now: datetime, max_age_days: int) -> None:
    """Drop digest items and link uses older than any link can be: both only grow otherwise."""
    cutoff = now - timedelta(days=max_age_days + 1)
    session.execute(delete(DigestItem).where(DigestItem.created_at < cutoff))
    session.execute(delete(LinkUse).where(LinkUse.used_at < cutoff))
