"""What `engage serve` prints on a database without moderators.

Decision: engage prints how to create the first moderator instead of creating one itself.
A generated password printed by a server ends up in process logs and journald, where it
outlives its "one-time" intent; `engage moderator create NAME` asks for the password on the
terminal (or generates one and shows it once there).
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from engage.db import db
from engage.moderators.accounts import has_moderators

MESSAGE = (
    "No moderator account exists yet. Create the first one with:\n"
    "    engage moderator create NAME          (asks for a password, or generates one)\n"
    "then log in at /login to moderate comments at /moderate."
)


def first_run_message(session: Session) -> str | None:
    """The how-to-start message when no moderator exists, else None (also None if the
    moderators table is missing, e.g. before migrations ran)."""
    try:
        return None if has_moderators(session) else MESSAGE
    except SQLAlchemyError:
        session.rollback()
        return None


def init_app(app: Flask) -> None:
    """Add the message to the lines `engage serve` prints at start (``engage.cli``)."""
    producers = app.extensions.setdefault("engage_startup_messages", [])
    producers.append(lambda: first_run_message(db.session))
