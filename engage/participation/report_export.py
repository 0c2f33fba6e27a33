"""The CSV of illegal-content notices and their decisions, for a DSA transparency report.

One row per notice: when it came in, about which comment, the reporter's explanation and
good-faith statement, and what was decided, when, by whom, on which ground and why. Reporters'
emails are left out (a transparency report needs none); ``has_email`` says whether a receipt
could be sent. Cells that a spreadsheet would run as a formula get a leading apostrophe.
"""

from __future__ import annotations

import csv
import io

from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.participation.report_models import CommentReport, ReportReason
from engage.participation.reports import outcome_label

COLUMNS = ("reference", "received_at", "site", "comment_id", "explanation", "good_faith",
           "has_email", "status", "decision", "decided_at", "decided_by", "ground",
           "statement")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def notices_csv(session: Session) -> str:
    """Every notice, oldest first, as CSV text with a header row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    rows = session.scalars(select(CommentReport).where(
        CommentReport.reason == ReportReason.ILLEGAL.value).order_by(CommentReport.id))
    for row in rows:
        writer.writerow([_cell(value) for value in (
            row.reference, row.created_at.isoformat(), row.site_id, row.comment_id,
            row.message, row.good_faith, row.email is not None, row.state,
            outcome_label(row.outcome), row.closed_at.isoformat() if row.closed_at else None,
            row.closed_by, row.ground, row.statement)])
    return out.getvalue()
