"""Wiring of reader subscriptions into an app: the mail builders and the comment listener."""

from __future__ import annotations

from flask import Flask

from engage.notifications.events import add_listener
from engage.notifications.subscriptions import mails, service


def init_app(app: Flask) -> None:
    mails.init_app(app)
    add_listener(service.on_comment_event)
