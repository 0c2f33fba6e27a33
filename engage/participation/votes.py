"""Reader votes: one per visitor per comment, a changed vote replaces the old one.

Votes never change a comment's status: they only set its ``up``, ``down`` and ``vote_rank``
(the thread's "best" order). The counts are recounted from ``comment_votes`` under the
comment's row lock (PostgreSQL; SQLite's write lock serializes writers), so concurrent votes
never lose one. A network may cast ``VOTES_PER_NETWORK_HOUR`` votes an hour (a withdrawal is
free): more answer 429, so one network cannot push a comment to the top, nor grow the table
without bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, func, select
from sqlalchemy.orm import Session

from engage.comments.models import Comment, CommentStatus
from engage.db import upsert
from engage.errors import NotFound, TooManyRequests
from engage.participation.models import CommentVote
from engage.participation.ranking import vote_rank
from engage.participation.visitor import Visitor

WINDOW = timedelta(hours=1)
# A visitor may change their vote on one comment this often: every change rewrites the comment
# (thread version, live event), and a changed vote does not count against the allowance.
CHANGE_INTERVAL = timedelta(seconds=5)
VALUES = (-1, 0, 1)


@dataclass(frozen=True)
class Tally:
    up: int
    down: int

    @property
    def score(self) -> int:
        return self.up - self.down

    def as_dict(self) -> dict:
        return {"score": self.score, "up": self.up, "down": self.down}


def published_comment(session: Session, comment_id: int, site: str, *,
                      lock: bool = False) -> Comment:
    """The published, undeleted comment ``comment_id`` of ``site``; 404 for anything else (a
    held comment and a comment of another site look the same as one that does not exist)."""
    query = select(Comment).where(Comment.id == comment_id)
    if lock:  # of the comment only: its article is joined in, on the nullable side
        query = query.with_for_update(of=Comment)
    comment = session.scalars(query).first()
    if (comment is None or comment.status != CommentStatus.APPROVED or comment.site_id != site
            or comment.deleted_at is not None):
        raise NotFound("There is no published comment with this id.")
    return comment


def cast(session: Session, comment_id: int, site: str, visitor: Visitor, value: int,
         now: datetime, per_network_hour: int) -> Tally:
    """Record ``visitor``'s vote (1, -1, or 0 to withdraw) on a published comment and commit.

    Returns the comment's new counts. Raises NotFound (not published here) and
    TooManyRequests (the network's hourly allowance is spent).
    """
    comment = published_comment(session, comment_id, site, lock=True)
    voter = visitor.per(comment.id, "vote")
    votes = CommentVote.__table__
    if value == 0:
        session.execute(delete(votes).where(votes.c.comment_id == comment.id,
                                            votes.c.voter == voter))
    else:
        current = session.execute(select(votes.c.value, votes.c.created_at).where(
            votes.c.comment_id == comment.id, votes.c.voter == voter)).first()
        if current is not None and current.value == value:  # a repeat changes nothing
            session.rollback()
            return Tally(comment.up, comment.down)
        if current is not None and now - current.created_at < CHANGE_INTERVAL:
            session.rollback()
            raise TooManyRequests("You changed this vote a moment ago; try again shortly.",
                                  retry_after=int(CHANGE_INTERVAL.total_seconds()))
        _check_allowance(session, visitor.network, now, per_network_hour)
        statement = upsert(session, votes).values(comment_id=comment.id, voter=voter,
                                                  network=visitor.network, value=value,
                                                  created_at=now)
        session.execute(statement.on_conflict_do_update(
            index_elements=[votes.c.comment_id, votes.c.voter],
            set_={"value": statement.excluded.value,
                  "created_at": statement.excluded.created_at}))
    tally = _recount(session, comment.id)
    if (tally.up, tally.down) != (comment.up, comment.down):
        comment.up, comment.down = tally.up, tally.down
        comment.vote_rank = vote_rank(tally.up, tally.down)
    session.commit()
    return tally


def _check_allowance(session: Session, network: str, now: datetime, limit: int) -> None:
    if limit <= 0:
        return
    votes = CommentVote.__table__
    recent = session.scalar(select(func.count()).select_from(votes).where(
        votes.c.network == network, votes.c.created_at > now - WINDOW))
    if recent >= limit:
        session.rollback()
        raise TooManyRequests("Too many votes from your network; try again later.",
                              retry_after=int(WINDOW.total_seconds() // 4))


def _recount(session: Session, comment_id: int) -> Tally:
    votes = CommentVote.__table__
    up, down = session.execute(select(
        func.coalesce(func.sum(case((votes.c.value > 0, 1), else_=0)), 0),
        func.coalesce(func.sum(case((votes.c.value < 0, 1), else_=0)), 0),
    ).where(votes.c.comment_id == comment_id)).one()
    return Tally(int(up), int(down))
