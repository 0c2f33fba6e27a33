"""The ``engage`` command: ``serve``, ``db …`` (Flask-Migrate), and every feature's group.

``engage serve`` runs gunicorn (a production WSGI server) with settings from ``ENGAGE_*``,
applies migrations first unless told not to, and flushes counters when workers stop.

This module is the one place that adds command groups (``moderator``, ``site``, ``spam``,
``views``, ``import``, ``export``, ``author``, ``purge``, ``worker``).
It is imported before ``engage serve`` patches the standard library for gevent, so it and the
groups it adds import no feature that makes locks, threads or clients (``tests/test_layout.py``
checks); the app, which does, is built when a command needs it.
"""

from __future__ import annotations

import click
from flask.cli import FlaskGroup, ScriptInfo
from flask_migrate import upgrade

from engage import create_app
from engage.admin.cli import site
from engage.config import load_config, shared_secret_warning
from engage.moderators.cli import moderator
from engage.notifications.cli import worker_command
from engage.pageviews.cli import views
from engage.portability.cli import author, export_command, import_command, purge_command
from engage.serving.worker_classes import WORKER_CLASSES, prepare_process
from engage.spamfilter.cli import spam


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=False,
             add_version_option=False, load_dotenv=False)
def main() -> None:
    """engage: comments, moderation and view counts for news sites and blogs."""


main.add_command(moderator)
main.add_command(site)
main.add_command(spam)
main.add_command(views)
main.add_command(import_command)
main.add_command(export_command)
main.add_command(author)
main.add_command(purge_command)
main.add_command(worker_command)


def upgrade_schema() -> None:
    """Bring the database schema to the newest revision of every migration branch."""
    upgrade(revision="heads")


@main.command("serve", with_appcontext=False)  # the app is built after prepare_process
@click.option("--host", default=None, help="Bind address (ENGAGE_HOST, default 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (ENGAGE_PORT, default 8000).")
@click.option("--workers", default=None, type=int, help="Worker processes (ENGAGE_WORKERS).")
@click.option("--threads", default=None, type=int,
              help="Threads per worker, gthread only (ENGAGE_THREADS).")
@click.option("--worker-class", default=None, type=click.Choice(WORKER_CLASSES),
              help="gevent or gthread (ENGAGE_WORKER_CLASS, default gevent).")
@click.option("--migrate/--no-migrate", default=True, show_default=True,
              help="Upgrade the database schema before serving.")
@click.pass_context
def serve(ctx, host, port, workers, threads, worker_class, migrate) -> None:
    """Run engage with gunicorn until SIGTERM/SIGINT, then stop gracefully.

    The process is prepared for the worker class before the app is built (gevent must patch
    the standard library first), so this command is the group's own: the group finds it
    without building the app.
    """
    worker_class = worker_class or load_config()["WORKER_CLASS"]
    try:
        prepare_process(worker_class)
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    # only now: gunicorn and the app's features must load after gevent patched the process
    from engage.serving.gunicorn_app import run_gunicorn

    app = ctx.ensure_object(ScriptInfo).load_app()
    config = app.config
    host = host or config["HOST"]
    port = port if port is not None else config["PORT"]
    with app.app_context():
        if migrate:
            upgrade_schema()
        for line in _startup_messages(app):
            click.echo(line)
        click.echo(f"engage listening on http://{host}:{port}/ "
                   f"(database: {config['SQLALCHEMY_DATABASE_URI'].split(':', 1)[0]}, "
                   f"{worker_class} workers)")
        if config["DEMO_ENABLED"]:
            click.echo(f"demo article: http://{host}:{port}/demo")
    run_gunicorn(app, host, port, workers or config["WORKERS"], threads or config["THREADS"],
                 config["GRACEFUL_TIMEOUT"], worker_class=worker_class)


def _startup_messages(app) -> list[str]:
    """Lines features want printed at start (how to create the first moderator, …)."""
    lines = [line for line in [shared_secret_warning(app.config)] if line]
    for producer in app.extensions.get("engage_startup_messages", []):
        message = producer()
        if message:
            lines.append(message)
    return lines
