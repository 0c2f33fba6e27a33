"""The queue's report actions, as the queue routes call them (parse, call the service).

- ``wants_reported(args)``: ``reported=1`` (or ``true``) asks for the Reported tab;
  ``queue_args`` makes its status default ``all`` (a reported comment may be published or held).
- ``act(session, ids, data, moderator, note, sites)``: ``data["action"]`` is a queue decision
  or ``dismiss_reports``; a decision also closes the comments' open reports, storing
  ``data["statement"]`` (``{"ground": "law"|"rules", "text"}``, optional; 422 when malformed)
  with their illegal-content notices. Commits; returns the comments in the order given.
"""

from __future__ import annotations

from typing import Mapping

from sqlalchemy.orm import Session

from engage.comments.models import Comment
from engage.db import utcnow
from engage.errors import ValidationFailed
from engage.moderators.accounts import Moderator
from engage.participation.report_models import MESSAGE_MAX, DecisionGround
from engage.participation.report_queue import (close_on_decision, dismiss, reported_count,
                                               reported_queue_page, reports_for)
from engage.queue.service import QueuePage, QueueQuery, decide, parse_decision

DISMISS = "dismiss_reports"
# How the queue page labels each reason on a card's chips.
REASON_LABELS = {"spam": "spam", "abuse": "abuse or harassment", "off_topic": "off topic",
                 "illegal": "illegal content", "other": "other"}
REPORTED = "reported"
__all__ = ["act", "card_reports", "page", "queue_args", "reports_for", "wants_reported",
           "with_reported"]


def wants_reported(args: Mapping[str, str]) -> bool:
    return (args.get(REPORTED) or "").strip().lower() in ("1", "true", "yes")


def queue_args(args: Mapping[str, str]) -> Mapping[str, str]:
    if wants_reported(args) and not args.get("status"):
        return {**{key: args.get(key) for key in args}, "status": "all"}
    return args


def page(session: Session, query: QueueQuery) -> QueuePage:
    return reported_queue_page(session, query)


def card_reports(session: Session, comment_ids: list[int]) -> dict[int, dict]:
    """``reports_for`` with ``reasons``: ``[(reason, how many)]`` for the card's chips."""
    shown = reports_for(session, comment_ids)
    for entry in shown.values():
        counted: dict[str, int] = {}
        for report in entry["reports"]:
            counted[report["reason"]] = counted.get(report["reason"], 0) + 1
        entry["reasons"] = sorted(counted.items(), key=lambda pair: (-pair[1], pair[0]))
    return shown


def with_reported(session: Session, counts: dict[str, int],
                  sites: frozenset[str] | None) -> dict[str, int]:
    """``counts`` and the Reported tab's count (comments with open reports)."""
    return {**counts, REPORTED: reported_count(session, sites)}


def parse_statement(raw: object) -> tuple[str | None, str | None]:
    """(ground, text) of a statement of reasons; (None, None) without one."""
    if raw is None:
        return None, None
    grounds = [ground.value for ground in DecisionGround]
    if not isinstance(raw, dict):
        raise ValidationFailed("statement must be an object {ground, text}.",
                               fields={"statement": ["an object {ground, text}"]})
    ground, text = raw.get("ground"), raw.get("text")
    errors = {}
    if ground not in grounds:
        errors["statement.ground"] = [f"must be one of: {', '.join(grounds)}"]
    if not isinstance(text, str) or not text.strip() or len(text) > MESSAGE_MAX:
        errors["statement.text"] = [f"a text of 1 to {MESSAGE_MAX} characters: which law or "
                                    "rule, and what was done"]
    if errors:
        raise ValidationFailed("The statement of reasons is invalid.", fields=errors)
    return ground, text.strip()


def act(session: Session, ids: list[int], data: Mapping, moderator: Moderator,
        note: str | None, sites: frozenset[str] | None) -> list[Comment]:
    now = utcnow()
    if data.get("action") == DISMISS:
        return dismiss(session, ids, moderator, now, sites, note)
    decision = parse_decision(data.get("action"))
    ground, text = parse_statement(data.get("statement"))
    comments = decide(session, ids, decision, moderator, note, now=now, sites=sites)
    close_on_decision(session, comments, moderator, now, ground, text)
    session.commit()
    return comments
