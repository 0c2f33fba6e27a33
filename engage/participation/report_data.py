"""A reporter's data for the author requests (engage/portability/authors.py).

The only personal datum a report holds is the email a notice was given for (the visitor
keys are daily, per comment, and lead to no one). ``reporter_data`` lists those reports for
an export; ``erase_reporter`` removes the address from them (the notices and decisions stay,
anonymous, for the transparency report). Neither commits.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engage.participation.report_models import CommentReport
from engage.participation.reports import receipt_of


def reporter_data(session: Session, email: str) -> list[dict]:
    """The reports filed with ``email`` (lower-cased), oldest first: receipt and message."""
    rows = session.scalars(select(CommentReport).where(CommentReport.email == email)
                           .order_by(CommentReport.id))
    return [{**receipt_of(row), "message": row.message, "email": row.email} for row in rows]


def erase_reporter(session: Session, email: str) -> int:
    """Remove ``email`` from the reports filed with it; how many there were."""
    return session.execute(update(CommentReport).where(CommentReport.email == email)
                           .values(email=None)
                           .execution_options(synchronize_session=False)).rowcount
