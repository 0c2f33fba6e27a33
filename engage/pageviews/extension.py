"""The view counter's per-app object: what ``routes.init_app`` keeps in ``app.extensions``.

A module of its own so that ``engage views …`` (``cli.py``) can find the counter without
importing the routes: the ``engage`` command imports every command group before gevent patches
the standard library, and the routes bring the metrics' locks with them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, current_app

if TYPE_CHECKING:
    from engage.pageviews.backends import ViewCounter
    from engage.pageviews.visitors import DailySalts

EXTENSION = "engage.pageviews"


class Views:
    """The per-app pair the routes need: the counter and the daily salts."""

    def __init__(self, counter: ViewCounter, salts: DailySalts):
        self.counter = counter
        self.salts = salts


def app_views(app: Flask | None = None) -> Views:
    """The ``Views`` of ``app`` (default: the current app)."""
    return (app or current_app).extensions[EXTENSION]
