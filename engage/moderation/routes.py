"""Moderator queue page and moderation API (being written; see issue 5)."""

from flask import Blueprint

# Imported for their models, so that create_app knows every moderation table.
from engage.moderation import auth, events, login_limits, queue_counts, sessions  # noqa: F401

bp = Blueprint(__name__.replace(".", "_"), __name__)
