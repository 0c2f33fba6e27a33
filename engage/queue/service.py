"""The moderation queue: what moderators see, and the decisions they make.

Contracts
- ``queue_page`` lists comments of one status (or all) newest or oldest first, with keyset
  pagination on ``id``: the cursor is the last id of the previous page, so page 50 costs the
  same as page 1 (an index range scan on ``ix_comments_queue (status, id)`` or, with an article,
  ``ix_comments_thread (article_id, status, id)``). ``q`` matches body, author name or email
  (case-insensitive substring, found through the text index: ``engage.queue.search``).
- ``site`` filters the queue to one site (``ix_comments_site_queue (site_id, status, id)``),
  and ``article`` is a key of that site (``default`` when no site is given); ``sites``, the
  sites a moderator may see (None: all), narrows every page and count.
- Counts are per status over all comments (of the site filter or the visible sites), or over
  the filtered article; ``q`` does not narrow them (counting substring matches would scan the
  whole table on every page load).
- ``decide`` moves comments to the status an action names. Every change appends a
  ``ModerationEvent`` (who, when, from → to, note), stamps ``decided_by``/``decided_at`` and
  calls ``learning.on_decision`` so spam and approve decisions train the filter. A comment
  already in the target status is left alone (no event, no training). Unknown ids raise
  ``NotFound`` and nothing changes. Rows are locked in id order, so concurrent decisions on
  PostgreSQL serialize instead of losing an event or deadlocking.
- Long actions work in chunks of ``DECISION_CHUNK`` comments, each chunk its own transaction
  with its own audit events, with a short pause between chunks: one transaction never holds
  SQLite's write lock (and a gevent worker's event loop, which SQLite's statements hold) for
  long, and other writers and readers get their turn. A chunk that fails leaves the chunks
  before it committed and complete; repeating the action finishes the rest.
- Functions named as use cases (``decide``, ``block_author``) commit; helpers do not.
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engage.articles import Article, normalize_article_key
from engage.comments.thread_version import bump_thread_versions
from engage.comments.models import Comment, CommentStatus
from engage.db import utcnow
from engage.live import recorder as live_recorder
from engage.errors import Forbidden, NotFound, ValidationFailed
from engage.spamfilter import learning
from engage.moderators.accounts import Moderator
from engage.notifications.events import DECISION_EVENTS, comment_event
from engage.queue.events import ModerationEvent
from engage.queue.counts import status_counts
from engage.queue import search, search_index
from engage.sites import DEFAULT_SITE

MAX_PAGE_SIZE = 100
# About 0.1 s of statements per chunk on SQLite (an UPDATE, an event and two training upserts
# per comment, about 2 ms together); see "Long actions" above.
DECISION_CHUNK = 50
# Long enough for a writer of another process, which retries every few milliseconds
# (engage.sqlite_writes), to take the lock between two chunks.
CHUNK_PAUSE_SECONDS = 0.01

# learning.on_decision's signature: (session, comment, previous status, new status)
Learn = Callable[[Session, Comment, CommentStatus, CommentStatus], None]
MAX_QUERY_LENGTH = 200


class Order(str, enum.Enum):
    NEWEST = "newest"
    OLDEST = "oldest"


class Decision(str, enum.Enum):
    """What a moderator can do to a comment, and the status each leads to."""

    APPROVE = "approve"
    REJECT = "reject"
    SPAM = "spam"
    PENDING = "pending"

    @property
    def status(self) -> CommentStatus:
        return _DECISION_STATUS[self]


_DECISION_STATUS = {
    Decision.APPROVE: CommentStatus.APPROVED,
    Decision.REJECT: CommentStatus.REJECTED,
    Decision.SPAM: CommentStatus.SPAM,
    Decision.PENDING: CommentStatus.PENDING,
}


@dataclass(frozen=True)
class QueueQuery:
    """One queue request. ``status=None`` means every status; ``cursor`` is an id or None."""

    status: CommentStatus | None = CommentStatus.PENDING
    article: str | None = None
    site: str | None = None
    sites: frozenset[str] | None = None  # the moderator's sites; None: every site
    q: str | None = None
    order: Order = Order.NEWEST
    cursor: int | None = None
    limit: int = 25


@dataclass
class QueuePage:
    comments: list[Comment]
    next_cursor: int | None
    counts: dict[str, int]
    events: dict[int, list[ModerationEvent]] = field(default_factory=dict)


def parse_decision(raw: object) -> Decision:
    """The Decision named by ``raw``, or ValidationFailed (422) listing the valid ones."""
    try:
        return Decision(raw)
    except ValueError:
        valid = ", ".join([*(d.value for d in Decision), "pin", "unpin"])
        raise ValidationFailed(f"Unknown action; use one of: {valid}.",
                               fields={"action": [f"must be one of: {valid}"]}) from None


def queue_page(session: Session, query: QueueQuery) -> QueuePage:
    """One page of the queue with its counts and each comment's audit events."""
    sites = visible_sites(query)
    article_id = query_article(session, query, sites)
    if article_id is NOTHING:
        return QueuePage([], None, status_counts(session, article_id=-1))
    limit = max(1, min(query.limit, MAX_PAGE_SIZE))
    if query.q:  # SQLite: the comments posted since the last batch join the index first
        search_index.index_pending(session)
    rows = list(session.scalars(_select(query, article_id, sites, limit + 1, session)))
    next_cursor = rows[limit - 1].id if len(rows) > limit else None
    rows = rows[:limit]
    counts = (status_counts(session, article_id) if article_id is not None
              else status_counts(session, sites=sites))
    return QueuePage(rows, next_cursor, counts, events_for(session, [row.id for row in rows]))


NOTHING = -1  # what ``query_article`` answers when the query can show no comment


def query_article(session: Session, query: QueueQuery,
                  sites: frozenset[str] | None) -> int | None:
    """The id of the query's article (None: no article filter), or ``NOTHING`` when the query
    shows nothing (no visible site, an unknown article, an article outside the sites)."""
    if sites is not None and not sites:
        return NOTHING
    if not query.article:
        return None
    try:
        key = normalize_article_key(query.article)
    except ValueError as error:
        raise ValidationFailed(str(error), fields={"article": [str(error)]}) from None
    site = query.site or DEFAULT_SITE
    article_id = session.scalar(select(Article.id).where(Article.site_id == site,
                                                         Article.key == key))
    if article_id is None or (sites is not None and site not in sites):
        return NOTHING
    return article_id


def visible_sites(query: QueueQuery) -> frozenset[str] | None:
    """The sites this query may show: its site filter within the moderator's sites."""
    if query.site is None:
        return query.sites
    return frozenset({query.site}) & query.sites if query.sites is not None \
        else frozenset({query.site})


def _select(query: QueueQuery, article_id: int | None, sites: frozenset[str] | None,
            limit: int, session: Session):
    statement = select(Comment)
    if query.status is not None:
        statement = statement.where(Comment.status == query.status)
    if article_id is not None:
        statement = statement.where(Comment.article_id == article_id)
    elif sites is not None:
        statement = statement.where(Comment.site_id.in_(sorted(sites)))
    key = Comment.id  # the page's order and the cursor's column
    if query.q:
        statement, key = search.narrow(session, statement, query.q.strip()[:MAX_QUERY_LENGTH],
                                       by_article=article_id is not None)
    if query.order is Order.NEWEST:
        if query.cursor is not None:
            statement = statement.where(key < query.cursor)
        statement = statement.order_by(key.desc())
    else:
        if query.cursor is not None:
            statement = statement.where(key > query.cursor)
        statement = statement.order_by(key.asc())
    return statement.limit(limit)


def events_for(session: Session, comment_ids: list[int]) -> dict[int, list[ModerationEvent]]:
    """Audit events of each comment, oldest first (one query for the whole page)."""
    events: dict[int, list[ModerationEvent]] = {comment_id: [] for comment_id in comment_ids}
    if comment_ids:
        rows = session.scalars(select(ModerationEvent)
                               .where(ModerationEvent.comment_id.in_(comment_ids))
                               .order_by(ModerationEvent.comment_id, ModerationEvent.id))
        for event in rows:
            events[event.comment_id].append(event)
    return events


def get_comment(session: Session, comment_id: int) -> Comment:
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise NotFound(f"No comment with id {comment_id}.")
    return comment


def apply_decision(session: Session, comment_ids: list[int], decision: Decision,
                   moderator: Moderator, note: str | None, now: datetime,
                   learn: Learn | None = None,
                   sites: frozenset[str] | None = None) -> list[Comment]:
    """``decide`` without the commit, for use cases that decide as one step of several."""
    learn = learn or learning.on_decision
    ids = sorted(set(comment_ids))
    comments = list(session.scalars(
        select(Comment).where(Comment.id.in_(ids)).order_by(Comment.id)
        .with_for_update(of=Comment).execution_options(populate_existing=True)))
    missing = sorted(set(ids) - {comment.id for comment in comments})
    if missing:
        raise NotFound(f"No comment with id {', '.join(map(str, missing))}.")
    if sites is not None and any(comment.site_id not in sites for comment in comments):
        raise Forbidden("Some of these comments are on a site you may not act on.",
                        code="forbidden_site")
    new = decision.status
    touched: set[int] = set()
    published: list[tuple[int, int]] = []  # (article, comment) that live streams must hear of
    for comment in comments:
        previous = comment.status
        if previous == new:
            # A confirmation (approving what is published, marking spam what is spam) changes
            # nothing, but it is still a moderator's judgement the spam filter learns from.
            learn(session, comment, previous, new)
            continue
        if not _move(session, comment, previous, new, moderator, now):
            continue
        touched.add(comment.article_id)
        if CommentStatus.APPROVED in (previous, new):
            published.append((comment.article_id, comment.id))
        session.add(ModerationEvent(comment_id=comment.id, moderator=moderator.name,
                                    from_status=previous.value, to_status=new.value,
                                    note=note or None, created_at=now))
        # webhooks and mail listeners, in this transaction (engage/notifications/events.py)
        comment_event(session, DECISION_EVENTS[new.value], comment, moderator=moderator)
        learn(session, comment, previous, new)
    # _move writes with a Core UPDATE, which the ORM hooks do not see.
    bump_thread_versions(session, touched)
    live_recorder.record(session, published, now)
    session.flush()
    by_id = {comment.id: comment for comment in comments}
    return [by_id[comment_id] for comment_id in dict.fromkeys(comment_ids)]


def _move(session: Session, comment: Comment, previous: CommentStatus, new: CommentStatus,
          moderator: Moderator, now: datetime) -> bool:
    """Set the new status only if the row still has ``previous``; False if someone was faster.

    PostgreSQL already holds the row lock (FOR UPDATE); SQLite ignores FOR UPDATE, and this
    compare-and-set is what keeps two simultaneous clicks from logging the same change twice.
    """
    result = session.execute(
        update(Comment).where(Comment.id == comment.id, Comment.status == previous)
        .values(status=new, decided_by=moderator.name, decided_at=now)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        session.refresh(comment)
        return False
    for name, value in (("status", new), ("decided_by", moderator.name), ("decided_at", now)):
        set_committed_value(comment, name, value)
    return True


def decide(session: Session, comment_ids: list[int], action: Decision | str,
           moderator: Moderator, note: str | None = None, now: datetime | None = None,
           learn: Learn | None = None, sites: frozenset[str] | None = None) -> list[Comment]:
    """Apply ``action`` to the comments (in the order given) and commit; see module docstring.

    ``learn`` defaults to ``learning.on_decision``; tests pass a recorder. With ``sites`` (the
    moderator's), a comment on another site raises ``Forbidden`` and nothing changes.
    """
    decision = action if isinstance(action, Decision) else parse_decision(action)
    now = now or utcnow()
    ids = sorted(set(comment_ids))
    found = dict(session.execute(
        select(Comment.id, Comment.site_id).where(Comment.id.in_(ids))).all())
    missing = sorted(set(ids) - set(found))
    if missing:  # before any chunk is written: nothing changes
        raise NotFound(f"No comment with id {', '.join(map(str, missing))}.")
    if sites is not None and not set(found.values()) <= sites:  # as above: nothing changes
        raise Forbidden("Some of these comments are on a site you may not act on.",
                        code="forbidden_site")
    by_id: dict[int, Comment] = {}
    for chunk in in_chunks(ids):
        for comment in apply_decision(session, chunk, decision, moderator, note, now, learn,
                                      sites):
            by_id[comment.id] = comment
        session.commit()
    return [by_id[comment_id] for comment_id in dict.fromkeys(comment_ids)]


def in_chunks(ids: list[int], size: int = DECISION_CHUNK):
    """``ids`` in slices of ``size``; between two slices, the pause of "Long actions"."""
    for start in range(0, len(ids), size):
        if start:
            time.sleep(CHUNK_PAUSE_SECONDS)  # gevent's sleep under gevent: others run
        yield ids[start:start + size]
