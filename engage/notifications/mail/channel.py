"""The "mail" outbox channel: build the mail a payload names, then hand it to SMTP.

A payload is ``{"kind": K, …ids}``. Each feature registers, per kind, a ``Builder``:
``build(app, session, message) -> Outgoing | None`` reads the rows the payload names and
returns the mail (None: nothing to send any more, e.g. the subscription was removed or the
reply was rejected since; the message then counts as delivered). The read transaction ends
before the SMTP conversation starts (DESIGN.md §2, rule 12).

``on_failed`` (the outbox calls it once, when a message is finally failed) calls the kind's
``refused(app, session, message)`` when the last failure was a recipient refusal
(``transport.RecipientRefused``): a reader's address the server refuses for good is marked
undeliverable and mailed no more. Other final failures (a day of SMTP outage) leave the
subscription as it is; admins see and retry the message (deliveries API).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.message import Message
from typing import Callable

from flask import Flask
from sqlalchemy.orm import Session

from engage.db import db
from engage.notifications.delivery import Undeliverable
from engage.notifications.mail import transport
from engage.notifications.models import OutboxMessage

log = logging.getLogger(__name__)
CHANNEL = "mail"
EXTENSION = "engage.mail"


@dataclass(frozen=True)
class Outgoing:
    message: Message


Builder = Callable[[Flask, Session, OutboxMessage], Outgoing | None]
Refused = Callable[[Flask, Session, OutboxMessage], None]


@dataclass
class MailState:
    """``app.extensions["engage.mail"]``: the SMTP connections and the builders."""

    smtp: transport.Connections | None
    builders: dict[str, Builder]
    refused: dict[str, Refused]


def state(app: Flask) -> MailState:
    return app.extensions[EXTENSION]


def send(app: Flask, message: OutboxMessage) -> None:
    mail = state(app)
    kind = (message.payload or {}).get("kind")
    builder = mail.builders.get(kind)
    if builder is None:
        raise Undeliverable(f"no mail builder for {kind!r}")
    if mail.smtp is None:
        raise Undeliverable("ENGAGE_SMTP_URL is not set")
    try:
        outgoing = builder(app, db.session, message)
    finally:
        db.session.remove()  # no transaction stays open across the SMTP conversation
    if outgoing is None:
        return
    mail.smtp.send(outgoing.message)


def on_failed(app: Flask, message: OutboxMessage) -> None:
    mail = state(app)
    refused = mail.refused.get((message.payload or {}).get("kind"))
    if refused is None:
        return
    stored = db.session.get(OutboxMessage, message.id)
    if stored is not None and transport.REFUSED in (stored.last_error or ""):
        refused(app, db.session, message)
        db.session.commit()
