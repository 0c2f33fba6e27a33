"""The overview's figures for one site over the last days (``DAYS``, today included, UTC).

- Comments per day by outcome: what moderation decided when the comment came in (published,
  held for a moderator, spam). A comment that moderators later moved still counts where it
  came in: its first audit event says what it was then.
- Hold rate: held / all comments of the period.
- Time from held to decided: the median of (first decision − arrival) over the period's held
  comments that a moderator decided; how many still wait.
- Decisions per moderator: audit events on the period's comments.
- Top articles by (published) comments and by views.
Everything is read from the period's comments of the site (``ix_comments_site_created``)
and their events (``ix_moderation_events_comment``); no email, no IP, no comment text.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engage.articles import Article
from engage.comments.models import Comment, CommentStatus
from engage.queue.events import ModerationEvent

DAYS = 30
TOP = 10
OUTCOMES = ("published", "held", "spam")
_OUTCOME = {CommentStatus.APPROVED.value: "published", CommentStatus.PENDING.value: "held",
            CommentStatus.SPAM.value: "spam", CommentStatus.REJECTED.value: "held"}


@dataclass(frozen=True)
class TopArticle:
    key: str
    title: str | None
    url: str | None
    count: int


@dataclass
class Overview:
    site_id: str
    first: date
    last: date
    per_day: dict[date, Counter] = field(default_factory=dict)
    held_to_decided: list[float] = field(default_factory=list)  # seconds
    waiting: int = 0
    decisions: Counter = field(default_factory=Counter)
    top_commented: list[TopArticle] = field(default_factory=list)
    top_viewed: list[TopArticle] = field(default_factory=list)

    @property
    def totals(self) -> Counter:
        return sum(self.per_day.values(), Counter())

    @property
    def total(self) -> int:
        return sum(self.totals.values())

    @property
    def hold_rate(self) -> float | None:
        return self.totals["held"] / self.total if self.total else None

    @property
    def median_hours(self) -> float | None:
        if not self.held_to_decided:
            return None
        return statistics.median(self.held_to_decided) / 3600


def overview(session: Session, site_id: str, today: date,
             views: list[tuple[str, int]] = ()) -> Overview:
    """The figures of ``site_id`` for the ``DAYS`` days up to ``today``; ``views``: the site's
    most viewed (key, views) of the period, from the view counter."""
    first = today - timedelta(days=DAYS - 1)
    result = Overview(site_id, first, today,
                      {first + timedelta(days=n): Counter() for n in range(DAYS)})
    since = datetime.combine(first, datetime.min.time(), tzinfo=timezone.utc)
    in_period = (Comment.site_id == site_id, Comment.created_at >= since)
    first_events = _first_events(session, in_period)
    for comment_id, created_at, status in session.execute(
            select(Comment.id, Comment.created_at, Comment.status).where(*in_period)):
        event = first_events.get(comment_id)
        outcome = _OUTCOME[event[0] if event else status.value]
        day = created_at.date()
        if day in result.per_day:
            result.per_day[day][outcome] += 1
        if outcome == "held":
            if event is not None:
                result.held_to_decided.append((event[1] - created_at).total_seconds())
            else:
                result.waiting += 1
    result.decisions = Counter(dict(session.execute(
        select(ModerationEvent.moderator, func.count())
        .join(Comment, Comment.id == ModerationEvent.comment_id).where(*in_period)
        .group_by(ModerationEvent.moderator)).all()))
    result.top_commented = _top_commented(session, in_period)
    result.top_viewed = _with_details(session, site_id, views)
    return result


def _first_events(session: Session, in_period) -> dict[int, tuple[str, datetime]]:
    """(from_status, at) of each period comment's first audit event."""
    first = {}
    rows = session.execute(
        select(ModerationEvent.comment_id, ModerationEvent.from_status,
               ModerationEvent.created_at)
        .join(Comment, Comment.id == ModerationEvent.comment_id).where(*in_period)
        .order_by(ModerationEvent.comment_id, ModerationEvent.id))
    for comment_id, from_status, at in rows:
        first.setdefault(comment_id, (from_status, at))
    return first


def _top_commented(session: Session, in_period) -> list[TopArticle]:
    count = func.count(Comment.id).label("n")
    rows = session.execute(
        select(Article.key, Article.title, Article.url, count)
        .join(Article, Article.id == Comment.article_id)
        .where(*in_period, Comment.status == CommentStatus.APPROVED)
        .group_by(Article.id, Article.key, Article.title, Article.url)
        .order_by(count.desc(), Article.key).limit(TOP))
    return [TopArticle(*row) for row in rows]


def _with_details(session: Session, site_id: str, views) -> list[TopArticle]:
    keys = [key for key, _ in views]
    found = {article.key: article for article in session.scalars(
        select(Article).where(Article.site_id == site_id, Article.key.in_(keys)))} if keys else {}
    return [TopArticle(key, getattr(found.get(key), "title", None),
                       getattr(found.get(key), "url", None), count) for key, count in views]

