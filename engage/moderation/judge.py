"""The one place that decides what happens to a new comment.

``judge`` runs the rule list of the current settings (``settings.current``: cached per
process, at most about a second behind the database) over the submission, with the author's
history read from the comments table. ``status_for`` maps the verdict to a stored status.
The comments service calls ``admission.admit`` first (403/409/429), then ``judge``.
"""

from __future__ import annotations

from typing import Any, Mapping

from sqlalchemy.orm import Session

from engage.comments.models import CommentStatus
from engage.moderation.settings import store as settings
from engage.moderation.history import SqlHistory
from engage.moderation.pipeline import Action, Submission, Verdict, moderate


def judge(session: Session, submission: Submission, config: Mapping[str, Any],
          site: str | None = None, mode: str | None = None) -> Verdict:
    """Decide ``submission`` with the current moderation settings of ``site`` (the global
    settings with the site's overrides) and the article's own ``mode``, if any. Reads only."""
    snapshot = settings.current(session, config, site=site, mode=mode)
    return moderate(submission, SqlHistory(session), snapshot.rules)


def status_for(verdict: Verdict) -> CommentStatus:
    """SPAM → spam, HOLD → pending, no action → approved."""
    if verdict.action is Action.SPAM:
        return CommentStatus.SPAM
    if verdict.action is Action.HOLD:
        return CommentStatus.PENDING
    return CommentStatus.APPROVED
