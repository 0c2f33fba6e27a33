"""The DSA receipt mail: the outcome of an illegal-content notice, for a reporter who left an
address (DSA art. 16(5) and 17: the notifier is told the decision and its statement of reasons).

Contracts
- ``enqueue_receipt(session, notice)``: in the transaction of the decision that closed the
  notice; when mail is on (``mail.extension.enabled``) and the notice carries an email, adds
  one "mail" outbox message of kind ``dsa_receipt`` naming the notice by id. Nothing else is in
  the payload: the address is read when the mail is built, so an erasure before the send
  (``erase_reporter``) leaves nothing to send.
- ``build(app, session, message)``: the mail to the notice's address: its reference, the
  outcome (kept or removed), the statement of reasons when the moderator gave one, and the
  receipt URL (``GET /api/v1/reports/{reference}``). English: the report form sends no language.
  It names no other reporter, no author email and quotes none of the comment.
"""

from __future__ import annotations

from flask import Flask, current_app, has_app_context
from markupsafe import escape
from sqlalchemy.orm import Session

from engage.notifications.mail import extension as mail
from engage.notifications.mail.channel import Outgoing
from engage.notifications.mail.message import Envelope, build as build_message
from engage.notifications.models import OutboxMessage
from engage.notifications.outbox import enqueue
from engage.participation.report_models import CommentReport
from engage.participation.reports import receipt_of

KIND = "dsa_receipt"
GROUNDS = {"law": "the law", "rules": "the site's rules"}


def init_app(app: Flask) -> None:
    mail.add_kind(app, KIND, build)


def enqueue_receipt(session: Session, notice: CommentReport) -> None:
    if not notice.email or not has_app_context() or not mail.enabled(current_app.config):
        return
    enqueue(session, channel="mail", payload={"kind": KIND, "notice": notice.id})


def build(app: Flask, session: Session, message: OutboxMessage) -> Outgoing | None:
    notice = session.get(CommentReport, (message.payload or {}).get("notice"))
    if notice is None or not notice.email:
        return None  # erased since: nothing to send
    receipt = receipt_of(notice)
    url = f"{app.config['PUBLIC_URL'].rstrip('/')}/api/v1/reports/{notice.reference}"
    lines = [f"Your report {notice.reference} (illegal content) has been decided.",
             f"Outcome: the comment was {receipt['outcome'] or 'reviewed'}."]
    statement = receipt["statement"]
    if statement:
        lines.append(f"Statement of reasons (under {GROUNDS.get(statement['ground'], 'the rules')}):"
                     f" {statement['text']}")
    lines.append(f"The receipt, at any time: {url}")
    subject = f"Your report {notice.reference}: decided"
    html = ("<!doctype html><html lang=\"en\"><body>"
            + "".join(f"<p>{escape(line)}</p>" for line in lines[:-1])
            + f"<p><a href=\"{escape(url)}\">The receipt</a></p></body></html>")
    return Outgoing(build_message(Envelope.from_config(app.config), message_id=message.id,
                                  to=notice.email, subject=subject, text="\n\n".join(lines) + "\n",
                                  html=html))
