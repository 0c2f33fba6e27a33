"""Reader reports: filing one, the hold at the threshold, and what a reporter may read back.

Contracts
- ``file_report`` records a visitor's report on a published comment of the site (404 for
  anything else: a held comment, another site's, a deleted one, none) and commits. One report
  per visitor per comment counts: a repeat, whatever its reason, answers the first report's
  reference and changes nothing (``Filed.created`` is False), also after the reports were
  dismissed or decided, so the same visitors cannot report a kept comment again. A network may
  file ``REPORTS_PER_NETWORK_HOUR`` reports an hour (a repeat is free); more: 429. Every stored
  message is bounded, so an anonymous client grows the table by at most the allowance.
- At ``REPORTS_HOLD`` open reports from distinct visitors (0: never) the comment goes back to
  pending with a ``reported`` reason whose evidence lists the open reports' reasons, and a
  ``ModerationEvent`` by ``REPORTS_ACTOR`` records the change. The count runs under the
  comment's row lock (PostgreSQL; SQLite's write lock serializes writers), so two concurrent
  reports cannot both miss the threshold.
- ``receipt`` is what ``GET /api/v1/reports/{reference}`` shows the holder of a reference (an
  unguessable random string): reason, state, outcome and the statement of reasons; never the
  email, the message, nor anything about other reporters.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engage.comments.models import Comment, CommentStatus
from engage.errors import NotFound, TooManyRequests
from engage.notifications.events import comment_event
from engage.participation.report_models import (CommentReport, ReportReason, ReportState)
from engage.participation.visitor import Visitor
from engage.participation.votes import published_comment
from engage.queue.events import ModerationEvent

WINDOW = timedelta(hours=1)
# Who the audit log names for a change made by readers' reports (no moderator has this name:
# names cannot contain brackets).
REPORTS_ACTOR = "[reports]"
REPORTED_RULE = "reported"


@dataclass(frozen=True)
class ReportInput:
    """A validated report body (``report_routes``' schema has checked the DSA rules)."""

    reason: ReportReason
    message: str | None = None
    email: str | None = None
    good_faith: bool = False


@dataclass(frozen=True)
class Filed:
    reference: str
    created: bool  # False: a repeat, answered with the first report's reference


def file_report(session: Session, comment_id: int, site: str, visitor: Visitor,
                report: ReportInput, now: datetime, *, per_network_hour: int,
                hold_at: int) -> Filed:
    """Record ``visitor``'s report and commit; see the module docstring."""
    comment = published_comment(session, comment_id, site, lock=True)
    reporter = visitor.per(comment.id, "report")
    earlier = _reference_of(session, comment.id, reporter)
    if earlier is not None:
        session.rollback()
        return Filed(earlier, False)
    _check_allowance(session, visitor.network, now, per_network_hour)
    row = CommentReport(
        reference=secrets.token_urlsafe(16), comment_id=comment.id, site_id=comment.site_id,
        reporter=reporter, network=visitor.network, reason=report.reason.value,
        message=report.message, good_faith=report.good_faith, email=report.email,
        state=ReportState.OPEN.value, created_at=now)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # the same visitor's other request was a moment faster
        session.rollback()
        return Filed(_reference_of(session, comment_id, reporter) or "", False)
    _hold_if_reported(session, comment, hold_at, now)
    comment_reported(session, comment)
    session.commit()
    return Filed(row.reference, True)


def _reference_of(session: Session, comment_id: int, reporter: str) -> str | None:
    return session.scalar(select(CommentReport.reference).where(
        CommentReport.comment_id == comment_id, CommentReport.reporter == reporter))


def _check_allowance(session: Session, network: str, now: datetime, limit: int) -> None:
    if limit <= 0:
        return
    recent = session.scalar(select(func.count()).select_from(CommentReport).where(
        CommentReport.network == network, CommentReport.created_at > now - WINDOW))
    if recent >= limit:
        session.rollback()
        raise TooManyRequests("Too many reports from your network; try again later.",
                              retry_after=int(WINDOW.total_seconds() // 4))


def open_reasons(session: Session, comment_id: int) -> list[str]:
    """The reasons of the comment's open reports, oldest first."""
    return list(session.scalars(select(CommentReport.reason).where(
        CommentReport.comment_id == comment_id,
        CommentReport.state == ReportState.OPEN.value).order_by(CommentReport.id)))


def _hold_if_reported(session: Session, comment: Comment, hold_at: int, now: datetime) -> None:
    if hold_at <= 0 or comment.status != CommentStatus.APPROVED:
        return
    reasons = open_reasons(session, comment.id)
    if len(reasons) < hold_at:
        return
    # An ORM change: the session hooks bump the thread version and tell live streams.
    comment.status = CommentStatus.PENDING
    comment.reasons = [*(comment.reasons or []), {
        "rule": REPORTED_RULE, "reason": f"reported by {len(reasons)} readers",
        "evidence": reasons}]
    session.add(ModerationEvent(
        comment_id=comment.id, moderator=REPORTS_ACTOR, from_status=CommentStatus.APPROVED.value,
        to_status=CommentStatus.PENDING.value, created_at=now,
        note=f"held after {len(reasons)} reports: {', '.join(reasons)}"))


def comment_reported(session: Session, comment: Comment) -> None:
    """The ``comment.reported`` event (webhooks, moderator alerts), in the report's
    transaction: it only enqueues, so a rolled-back report sends nothing."""
    comment_event(session, "comment.reported", comment)


def receipt(session: Session, reference: str) -> dict:
    """What the holder of ``reference`` may read about their report; NotFound otherwise."""
    row = session.scalar(select(CommentReport).where(CommentReport.reference == reference))
    if row is None:
        raise NotFound("There is no report with this reference.")
    return receipt_of(row)


def receipt_of(row: CommentReport) -> dict:
    decided = row.state != ReportState.OPEN.value
    return {
        "reference": row.reference, "reason": row.reason, "comment_id": row.comment_id,
        "status": row.state, "created_at": row.created_at.isoformat(),
        "decided_at": row.closed_at.isoformat() if decided and row.closed_at else None,
        "outcome": outcome_label(row.outcome) if decided else None,
        "statement": ({"ground": row.ground, "text": row.statement}
                      if decided and row.statement else None),
    }


def outcome_label(outcome: str | None) -> str | None:
    """What happened to the comment, for the reporter: kept or removed."""
    if outcome is None:
        return None
    return "kept" if outcome in (CommentStatus.APPROVED.value, ReportState.DISMISSED.value,
                                 CommentStatus.PENDING.value) else "removed"
