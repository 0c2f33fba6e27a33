"""Reports as moderators see them: the Reported tab, dismissing, and closing on a decision.

Contracts
- ``reported_page`` lists the comments with open reports (below the hold threshold too) of the
  query's sites, article and status (``status=None``: every status), newest or oldest comment
  first, keyset-paginated on the comment id. It is driven by
  ``ix_comment_reports_state_comment`` (open reports by comment id, with the site), so a page
  costs about the reports it reads, not the comments.
- ``reports_for`` gives each comment's open reports (``{reason, message, created_at}``, oldest
  first, at most ``SHOWN_PER_COMMENT``) and their count, for queue items.
- ``dismiss`` closes the open reports of comments (the same visitors cannot report them again:
  their rows stay), appends a ``ModerationEvent`` per comment with a note, and puts a comment
  that the reports held back to approved. Commits.
- ``close_on_decision`` closes a decided comment's open reports with the decision's status as
  outcome, and stores the statement of reasons with its illegal-content notices. Does not
  commit: it runs in the decision's transaction.
Unknown ids raise NotFound, ids of sites the moderator may not act on Forbidden; nothing changes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engage.comments.models import Comment, CommentStatus
from engage.errors import Forbidden, NotFound
from engage.moderators.accounts import Moderator
from engage.participation.report_models import CommentReport, ReportReason, ReportState
from engage.participation.report_receipts import enqueue_receipt
from engage.participation.reports import REPORTED_RULE
from engage.queue.events import ModerationEvent
from engage.queue.counts import status_counts
from engage.queue.service import (MAX_PAGE_SIZE, NOTHING, Order, QueuePage, QueueQuery,
                                  events_for, query_article, visible_sites)

SHOWN_PER_COMMENT = 50
_OPEN = ReportState.OPEN.value
# Decisions that settle a report; "pending" only sends the comment back for another look.
_FINAL = frozenset({CommentStatus.APPROVED, CommentStatus.REJECTED, CommentStatus.SPAM})


def _open_reports(query: QueueQuery, article_id: int | None, sites: frozenset[str] | None):
    """Open reports, joined to their comments only for a status or article filter: the tab
    and its count otherwise read ``ix_comment_reports_state_comment`` alone (it covers the
    site)."""
    statement = select(CommentReport.comment_id).where(CommentReport.state == _OPEN,
                                                       CommentReport.comment_id.is_not(None))
    if sites is not None and article_id is None:  # a report keeps its comment's site
        statement = statement.where(CommentReport.site_id.in_(sorted(sites)))
    if query.status is None and article_id is None:
        return statement
    statement = statement.join(Comment, Comment.id == CommentReport.comment_id)
    if query.status is not None:
        statement = statement.where(Comment.status == query.status)
    if article_id is not None:
        statement = statement.where(Comment.article_id == article_id)
    return statement


def reported_count(session: Session, sites: frozenset[str] | None = None,
                   article_id: int | None = None) -> int:
    """How many comments (of any status) have open reports: the Reported tab's count."""
    inner = _open_reports(QueueQuery(status=None), article_id, sites).distinct().subquery()
    return int(session.scalar(select(func.count()).select_from(inner)) or 0)


def reported_queue_page(session: Session, query: QueueQuery) -> QueuePage:
    """``queue_page`` for the Reported tab: the same filters, counts and events."""
    sites = visible_sites(query)
    article_id = query_article(session, query, sites)
    if article_id is NOTHING:
        return QueuePage([], None, status_counts(session, article_id=-1))
    counts = (status_counts(session, article_id) if article_id is not None
              else status_counts(session, sites=sites))
    return reported_page(session, query, article_id, sites, counts)


def reported_page(session: Session, query: QueueQuery, article_id: int | None,
                  sites: frozenset[str] | None, counts: dict[str, int]) -> QueuePage:
    """One page of the Reported tab (``counts`` are the status counts to show with it)."""
    limit = max(1, min(query.limit, MAX_PAGE_SIZE))
    key = CommentReport.comment_id
    ids_query = _open_reports(query, article_id, sites).group_by(key)
    if query.order is Order.NEWEST:
        if query.cursor is not None:
            ids_query = ids_query.where(key < query.cursor)
        ids_query = ids_query.order_by(key.desc())
    else:
        if query.cursor is not None:
            ids_query = ids_query.where(key > query.cursor)
        ids_query = ids_query.order_by(key.asc())
    ids = list(session.scalars(ids_query.limit(limit + 1)))
    next_cursor = ids[limit - 1] if len(ids) > limit else None
    ids = ids[:limit]
    found = {c.id: c for c in session.scalars(select(Comment).where(Comment.id.in_(ids)))}
    rows = [found[comment_id] for comment_id in ids if comment_id in found]
    return QueuePage(rows, next_cursor, counts, events_for(session, ids))


def reports_for(session: Session, comment_ids: list[int]) -> dict[int, dict]:
    """``{id: {"reports": [...], "report_count": n}}`` of the open reports of each comment."""
    shown: dict[int, dict] = {i: {"reports": [], "report_count": 0} for i in comment_ids}
    if not comment_ids:
        return shown
    rows = session.execute(
        select(CommentReport.comment_id, CommentReport.reason, CommentReport.message,
               CommentReport.created_at)
        .where(CommentReport.comment_id.in_(comment_ids), CommentReport.state == _OPEN)
        .order_by(CommentReport.comment_id, CommentReport.id))
    for comment_id, reason, message, created_at in rows:
        entry = shown[comment_id]
        entry["report_count"] += 1
        if len(entry["reports"]) < SHOWN_PER_COMMENT:
            entry["reports"].append({"reason": reason, "message": message,
                                     "created_at": created_at.isoformat()})
    return shown


def _comments(session: Session, ids: list[int], sites: frozenset[str] | None) -> list[Comment]:
    unique = sorted(set(ids))
    comments = list(session.scalars(select(Comment).where(Comment.id.in_(unique))
                                    .order_by(Comment.id).with_for_update(of=Comment)))
    missing = sorted(set(unique) - {comment.id for comment in comments})
    if missing:
        raise NotFound(f"No comment with id {', '.join(map(str, missing))}.")
    if sites is not None and any(comment.site_id not in sites for comment in comments):
        raise Forbidden("Some of these comments are on a site you may not act on.",
                        code="forbidden_site")
    return comments


def _close(session: Session, comment_id: int, state: ReportState, outcome: str,
           moderator: Moderator, now: datetime, ground: str | None = None,
           statement: str | None = None) -> int:
    """Close the comment's open reports; the statement goes with its notices. The count."""
    notices = list(session.scalars(select(CommentReport).where(
        CommentReport.comment_id == comment_id, CommentReport.state == _OPEN,
        CommentReport.reason == ReportReason.ILLEGAL.value)))
    closed = session.execute(
        update(CommentReport).where(CommentReport.comment_id == comment_id,
                                    CommentReport.state == _OPEN)
        .values(state=state.value, outcome=outcome, closed_at=now, closed_by=moderator.name)
        .execution_options(synchronize_session=False)).rowcount
    for notice in notices:
        session.refresh(notice)
        if statement:
            notice.ground, notice.statement = ground, statement
        enqueue_receipt(session, notice)  # mail to a reporter who left an address
    return closed


def dismiss(session: Session, ids: list[int], moderator: Moderator, now: datetime,
            sites: frozenset[str] | None = None, note: str | None = None) -> list[Comment]:
    """Dismiss the open reports of the comments (in the order given) and commit."""
    comments = _comments(session, ids, sites)
    for comment in comments:
        closed = _close(session, comment.id, ReportState.DISMISSED,
                        ReportState.DISMISSED.value, moderator, now)
        reasons = list(comment.reasons or [])
        held = [r for r in reasons if isinstance(r, dict) and r.get("rule") == REPORTED_RULE]
        previous = comment.status
        if previous == CommentStatus.PENDING and held:
            comment.status = CommentStatus.APPROVED  # ORM: thread version and live streams
            comment.decided_by, comment.decided_at = moderator.name, now
        if held:
            comment.reasons = [r for r in reasons if r not in held]
        if closed or previous != comment.status:
            text = f"dismissed {closed} reports" + (f": {note}" if note else "")
            session.add(ModerationEvent(comment_id=comment.id, moderator=moderator.name,
                                        from_status=previous.value,
                                        to_status=comment.status.value, note=text,
                                        created_at=now))
    session.commit()
    by_id = {comment.id: comment for comment in comments}
    return [by_id[comment_id] for comment_id in dict.fromkeys(ids)]


def close_on_decision(session: Session, comments: list[Comment], moderator: Moderator,
                      now: datetime, ground: str | None = None,
                      statement: str | None = None) -> None:
    """Close the open reports of the decided ``comments``; see the module docstring."""
    for comment in comments:
        if comment.status in _FINAL:
            _close(session, comment.id, ReportState.DECIDED, comment.status.value, moderator,
                   now, ground, statement)
