"""The ``engage`` command: ``serve``, ``db …`` (Flask-Migrate), and the feature groups.

``engage serve`` runs gunicorn (a production WSGI server) with settings from ``ENGAGE_*``,
applies migrations first unless told not to, and flushes counters when workers stop.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext


def _create_app():
    from engage import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False,
             add_version_option=False, load_dotenv=False)
def main() -> None:
    """engage: comments, moderation and view counts for news sites and blogs."""


def upgrade_schema() -> None:
    """Bring the database schema to the newest revision of every migration branch."""
    from flask_migrate import upgrade

    upgrade(revision="heads")


@click.command("serve")
@click.option("--host", default=None, help="Bind address (ENGAGE_HOST, default 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (ENGAGE_PORT, default 8000).")
@click.option("--workers", default=None, type=int, help="Worker processes (ENGAGE_WORKERS).")
@click.option("--threads", default=None, type=int, help="Threads per worker (ENGAGE_THREADS).")
@click.option("--migrate/--no-migrate", default=True, show_default=True,
              help="Upgrade the database schema before serving.")
@with_appcontext
def serve(host, port, workers, threads, migrate) -> None:
    """Run engage with gunicorn until SIGTERM/SIGINT, then stop gracefully."""
    from engage.server import run_gunicorn

    app = current_app._get_current_object()
    config = app.config
    host = host or config["HOST"]
    port = port if port is not None else config["PORT"]
    if migrate:
        upgrade_schema()
    for line in _startup_messages(app):
        click.echo(line)
    click.echo(f"engage listening on http://{host}:{port}/ "
               f"(database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':', 1)[0]})")
    if config["DEMO_ENABLED"]:
        click.echo(f"demo article: http://{host}:{port}/demo")
    run_gunicorn(app, host, port, workers or config["WORKERS"], threads or config["THREADS"],
                 config["GRACEFUL_TIMEOUT"])


def _startup_messages(app) -> list[str]:
    """Lines features want printed at start (how to create the first moderator, …)."""
    from engage.config import shared_secret_warning

    lines = [line for line in [shared_secret_warning(app.config)] if line]
    for producer in app.extensions.get("engage_startup_messages", []):
        message = producer()
        if message:
            lines.append(message)
    return lines
