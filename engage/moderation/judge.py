"""The one place that decides what happens to a new comment.

``judge`` builds the rule list for the current settings and runs the pipeline; ``status_for``
maps the verdict to a stored status. The comments service calls nothing else to decide.
"""

from __future__ import annotations

from typing import Any, Mapping

from sqlalchemy.orm import Session

from engage.comments.models import CommentStatus
from engage.moderation.pipeline import Action, Finding, Submission, Verdict


def judge(session: Session, submission: Submission, config: Mapping[str, Any]) -> Verdict:
    """Decide ``submission``. Foundation version: only the moderation mode applies."""
    if config["MODERATION_MODE"] == "premod":
        finding = Finding("premod", "every comment is held for a moderator (premod mode)",
                          action=Action.HOLD)
        return Verdict(Action.HOLD, (finding,))
    return Verdict(None)


def status_for(verdict: Verdict) -> CommentStatus:
    """SPAM → spam, HOLD → pending, no action → approved."""
    if verdict.action is Action.SPAM:
        return CommentStatus.SPAM
    if verdict.action is Action.HOLD:
        return CommentStatus.PENDING
    return CommentStatus.APPROVED
