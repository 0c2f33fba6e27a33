"""engage: comments, moderation and view counts for news sites and blogs.

``create_app(config)`` builds one stateless Flask application; any number of processes can
serve the same site (state lives in the database and, when configured, Redis).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from flask import Flask
from flask_migrate import Migrate

from engage.config import load_config
from engage.db import db, engine_options
from engage.web.sessionless import SessionlessInterface

__version__ = "0.1.0"

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")

migrate = Migrate()


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application from defaults, ``ENGAGE_*`` variables and ``config``."""
    settings = load_config(config)
    _validate(settings)
    app = Flask(__name__, instance_path=settings["INSTANCE_PATH"])
    app.config.update(settings)
    app.config.update(
        SQLALCHEMY_DATABASE_URI=settings["DATABASE_URL"],
        SQLALCHEMY_ENGINE_OPTIONS=engine_options(settings["DATABASE_URL"]),
        MAX_CONTENT_LENGTH=settings["MAX_BODY_BYTES"],
        JSON_SORT_KEYS=False,
    )
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    app.session_interface = SessionlessInterface()
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    _register_web(app)
    _register_cli(app)
    if settings["TRUSTED_PROXIES"]:
        from engage.web.proxy import TrustedProxyScheme

        app.wsgi_app = TrustedProxyScheme(app.wsgi_app, tuple(settings["TRUSTED_PROXIES"]))
    return app


def _validate(settings: Mapping[str, Any]) -> None:
    """Fail at start, not at the first comment, when a moderation default is invalid."""
    from engage.moderation.settings.options import options_from_config

    try:
        options_from_config(settings)
    except (ValueError, TypeError) as error:
        raise ValueError(f"invalid moderation setting: {error}") from error


def _register_web(app: Flask) -> None:
    from engage import avatars, counts, errors, health, observability, openapi
    from engage.web import cors, security_headers
    from engage.comments import routes as comments
    from engage.demo import routes as demo
    from engage.moderators import routes as auth_routes
    from engage.queue import routes as moderation, settings_routes
    from engage.pageviews import routes as pageviews
    from engage.widget import routes as widget

    errors.register_error_handlers(app)
    cors.init_app(app)
    security_headers.init_app(app)
    for module in (comments, counts, avatars, health, openapi, pageviews, moderation,
                   settings_routes, auth_routes, widget, demo):
        app.register_blueprint(module.bp)
    pageviews.init_app(app)
    observability.init_app(app)  # last: it observes the view counter built just above


def _register_cli(app: Flask) -> None:
    from engage.spamfilter.cli import spam

    # `serve` is the `engage` group's own command (engage.cli): it must run before the app is
    # built, so the app does not carry it.
    app.cli.add_command(spam)
