"""engage: comments, moderation and view counts for news sites and blogs.

``create_app(config)`` builds one stateless Flask application; any number of processes can
serve the same site (state lives in the database and, when configured, Redis). It is the one
place that wires the app: it registers every blueprint and calls each feature's ``init_app``,
which keeps the feature's per-app objects in ``app.extensions["engage.<feature>"]``. Importing
a module registers nothing; the ``engage`` command's groups are added in ``engage.cli``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from flask import Flask
from flask_migrate import Migrate

from engage.config import load_config
from engage.db import db, engine_options, install_connection_setup
from engage.moderation.settings.options import options_from_config
from engage.version import __version__
from engage.web.proxy import TrustedProxyScheme
from engage.web.sessionless import SessionlessInterface

__all__ = ["MIGRATIONS_DIR", "__version__", "create_app"]

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
    install_connection_setup()
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    _init_features(app)
    if settings["TRUSTED_PROXIES"]:
        app.wsgi_app = TrustedProxyScheme(app.wsgi_app, tuple(settings["TRUSTED_PROXIES"]))
    return app


def _validate(settings: Mapping[str, Any]) -> None:
    """Fail at start, not at the first comment, when a moderation default is invalid."""
    try:
        options_from_config(settings)
    except (ValueError, TypeError) as error:
        raise ValueError(f"invalid moderation setting: {error}") from error


def _init_features(app: Flask) -> None:
    # Imported here, not at the top: `engage serve` imports this package before it patches the
    # standard library for gevent (engage.serving.worker_classes), and the features create
    # locks, threads and clients, which must be gevent's.
    from engage import avatars, counts, errors, health, observability, openapi, shared_store
    from engage import site_directory
    from engage.admin import article_routes, overview_routes, site_routes
    from engage import models  # noqa: F401  (every table in the metadata before any query)
    from engage.comments import feed_routes, routes as comments, thread_cache, thread_version
    from engage.demo import routes as demo
    from engage.live import hub as live, routes as live_routes
    from engage.moderation import form_token_routes
    from engage.moderation.settings import store as moderation_settings
    from engage.moderators import first_run, routes as auth_routes
    from engage.notifications import delivery_routes, extension as notifications
    from engage.notifications import webhook_routes
    from engage.notifications.alerts import extension as alerts, routes as alert_routes
    from engage.notifications.mail import extension as mail
    from engage.notifications.subscriptions import extension as subscriptions
    from engage.notifications.subscriptions import routes as subscription_routes
    from engage.participation import report_receipts, report_routes, routes as participation
    from engage.participation import staff_routes
    from engage.pageviews import routes as pageviews
    from engage.portability import retention, routes as portability
    from engage.queue import routes as moderation, search_index, settings_routes
    from engage.queue import suspension_routes
    from engage.queue.counts import status_counts
    from engage.spamfilter import cache as spam_filter
    from engage.web import body_limit, cors, security_headers
    from engage.widget import routes as widget

    thread_version.install_version_bump()
    errors.register_error_handlers(app)
    cors.init_app(app)
    security_headers.init_app(app)
    body_limit.init_app(app)
    for module in (comments, counts, avatars, health, openapi, pageviews, moderation,
                   settings_routes, form_token_routes, auth_routes, site_routes,
                   article_routes, overview_routes, feed_routes, live_routes, participation,
                   staff_routes, report_routes, suspension_routes, portability, widget,
                   webhook_routes, delivery_routes, subscription_routes, alert_routes,
                   demo):
        app.register_blueprint(module.bp)
    shared_store.init_app(app)
    site_directory.init_app(app)
    thread_cache.init_app(app)
    live.init_app(app)
    spam_filter.init_app(app)
    moderation_settings.init_app(app, classifier=spam_filter.classifier_rule(app))
    first_run.init_app(app)
    pageviews.init_app(app)
    retention.init_app(app)
    search_index.init_app(app)
    notifications.init_app(app)
    mail.init_app(app)
    subscriptions.init_app(app)
    alerts.init_app(app)
    report_receipts.init_app(app)
    observability.init_app(app, comment_counts=status_counts)
