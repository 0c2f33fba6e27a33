"""Hook through which moderator decisions teach the spam filter.

Contract: ``on_decision(session, comment, previous, new)`` is called inside the deciding
transaction after a moderator moves ``comment`` from status ``previous`` to ``new``. It does
not commit. What the comment teaches depends only on the new status:

- ``spam`` or ``rejected`` → a spam example;
- ``approved`` → a legitimate example;
- ``pending`` (sent back to the queue) → no example.

The comment has at most one example, so a reversed decision replaces (un-learns) the first:
approve after spam leaves one legitimate example, back-to-pending leaves none. ``previous``
is accepted for the contract but not needed: the stored example is the truth.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from engage.comments.models import CommentStatus
from engage.spamfilter.store import label_comment

# new status → is_spam (None: forget the comment)
LEARNED_AS: dict[CommentStatus, bool | None] = {
    CommentStatus.SPAM: True,
    CommentStatus.REJECTED: True,
    CommentStatus.APPROVED: False,
    CommentStatus.PENDING: None,
}


def on_decision(session: Session, comment, previous, new) -> None:
    """Record what ``comment`` teaches after a decision to ``new`` (see the module doc)."""
    label_comment(session, comment.id, LEARNED_AS[CommentStatus(new)])
