"""The "webhook" channel (being built)."""

from __future__ import annotations

from flask import Flask

from engage.notifications.delivery import RetryLater, register_channel


def send(app: Flask, message) -> None:
    raise RetryLater("webhook sending is not built yet")


def init_app(app: Flask) -> None:
    register_channel("webhook", send)
