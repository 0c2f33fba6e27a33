"""Wiring of moderator alerts into an app: the mail builders and the comment listener."""

from __future__ import annotations

from flask import Flask

from engage.notifications.alerts import mails, service
from engage.notifications.events import add_listener


def init_app(app: Flask) -> None:
    mails.init_app(app)
    add_listener(service.on_comment_event)
