"""``engage views …``: maintenance of the view counter."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from engage.db import utcnow
from engage.pageviews.extension import app_views


@click.group("views")
def views() -> None:
    """View counter maintenance."""


@views.command("flush")
@with_appcontext
def flush() -> None:
    """Store pending view counts in the database now.

    With Redis, this persists every pending count and any batch a crashed process left behind.
    In embedded mode each server process holds its own buffer and flushes it every
    VIEWS_FLUSH_SECONDS and when it stops (SIGTERM); this command cannot reach those buffers and
    stores nothing then.
    """
    stored = app_views().counter.force_flush(utcnow())
    click.echo(f"stored {stored} views")
