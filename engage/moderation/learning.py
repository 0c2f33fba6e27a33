"""Hook through which moderator decisions teach the spam filter.

Contract: ``on_decision(session, comment, previous, new)`` is called inside the deciding
transaction after a moderator moves ``comment`` from status ``previous`` to ``new``. It must not
commit. The foundation version learns nothing; the spam filter issue fills it in.
"""

from __future__ import annotations

from sqlalchemy.orm import Session


def on_decision(session: Session, comment, previous, new) -> None:
    """Learn from one decision (no-op until the classifier exists)."""
    return None
