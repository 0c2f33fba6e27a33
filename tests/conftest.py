"""Shared fixtures: real databases, real Redis, real servers, real Chromium.

- ``app`` is parametrized over every database this run has: SQLite always, PostgreSQL when
  ``ENGAGE_TEST_DATABASE_URL`` is set. Each test gets a freshly migrated, empty database: SQLite
  copies a template file migrated once per session; PostgreSQL uses a private database created
  for this session (so parallel runs never meet) and truncates every table between tests.
- ``redis_url`` is ``ENGAGE_TEST_REDIS_URL``, with a key prefix unique to the test.
- ``ENGAGE_TEST_REQUIRE_BACKENDS=1`` (set by ``.ci/run``) turns a missing or unreachable
  PostgreSQL or Redis into a failure instead of a skip.
- ``live_server`` runs ``engage serve`` (gunicorn) in a subprocess; ``browser`` is Debian's
  Chromium driven by Playwright.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from engage import create_app
from engage.cli import upgrade_schema
from engage.config import database_url
from engage.db import db
from tests.servers import EngageServer, free_port

# Moderator fixtures (a moderator, tokens, a logged-in client, stored comments) serve the
# moderation, queue, moderators and spam-filter tests alike.
pytest_plugins = ["tests.moderator_fixtures"]

PG_URL = os.environ.get("ENGAGE_TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("ENGAGE_TEST_REDIS_URL", "")
REQUIRE_BACKENDS = os.environ.get("ENGAGE_TEST_REQUIRE_BACKENDS") == "1"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

# Settings every test app starts from. The flood limit is off so that tests can post several
# comments from one address; the tests of the flood rule switch it back on. The spam filter's
# starter model is off too (it scores, and notes its score on, every comment): the tests of
# the other rules state their reasons without it; tests/spamfilter/test_starter.py turns it on.
BASE_TEST_CONFIG = {
    "SECRET_KEY": "test-secret-key",
    "FLOOD_SECONDS": 0,
    "MIN_SUBMIT_SECONDS": 0,
    "REDIS_URL": "",
    "CLASSIFIER_STARTER_ENABLED": False,
    # No queue search indexing thread per test app (every app would keep one running); a
    # search indexes what is pending itself, and tests/queue/test_search_index.py runs one.
    "SEARCH_INDEX_INTERVAL_SECONDS": 0,
}


def _missing(what: str) -> None:
    message = f"{what} is not available for this test run"
    if REQUIRE_BACKENDS:
        pytest.fail(message + " (ENGAGE_TEST_REQUIRE_BACKENDS=1)")
    pytest.skip(message)


def database_params() -> list[str]:
    return ["sqlite", "postgresql"]


# --------------------------------------------------------------------------- databases


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file migrated once; each test copies it."""
    directory = tmp_path_factory.mktemp("sqlite-template")
    path = directory / "template.sqlite3"
    app = create_app({**BASE_TEST_CONFIG, "INSTANCE_PATH": str(directory),
                      "DATABASE_URL": f"sqlite:///{path}"})
    with app.app_context():
        upgrade_schema()
        db.engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_database():
    """A private PostgreSQL database for this session, migrated once; dropped at the end."""
    if not PG_URL:
        _missing("PostgreSQL (ENGAGE_TEST_DATABASE_URL)")
    admin_url = database_url(PG_URL, Path("."))
    name = f"engage_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # unreachable server: fail or skip with the reason
        _missing(f"PostgreSQL at {PG_URL} ({type(error).__name__}: {error})")
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    app = create_app({**BASE_TEST_CONFIG, "DATABASE_URL": url})
    with app.app_context():
        upgrade_schema()
        db.engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"
        ), {"name": name})
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        tables = [row[0] for row in connection.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'"))]
        if tables:
            quoted = ", ".join(f'"{table}"' for table in tables)
            connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        # What the migrations store, as on a freshly migrated database: the site "default".
        connection.execute(text(
            "INSERT INTO sites (id, name, origins, settings, created_at, updated_at) "
            "VALUES ('default', 'default', '[]', '{}', now(), now())"))
    engine.dispose()


@pytest.fixture(params=database_params())
def database(request, tmp_path) -> str:
    """The URL of an empty, migrated database of the parametrized kind."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "engage.sqlite3"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_database")
    _truncate_all(url)
    return url


@pytest.fixture
def config_overrides() -> dict:
    """Override in a test module to give the app other settings."""
    return {}


@pytest.fixture
def app(database, tmp_path, config_overrides):
    application = create_app({**BASE_TEST_CONFIG, "INSTANCE_PATH": str(tmp_path),
                              "DATABASE_URL": database, **config_overrides})
    with application.app_context():
        yield application
        db.session.remove()
        from engage.serving.lifecycle import shutdown
        shutdown(application)
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db_session(app):
    return db.session


# --------------------------------------------------------------------------- redis


@pytest.fixture
def redis_url() -> str:
    """ENGAGE_TEST_REDIS_URL after checking the server answers."""
    if not REDIS_URL:
        _missing("Redis (ENGAGE_TEST_REDIS_URL)")
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except Exception as error:
        _missing(f"Redis at {REDIS_URL} ({type(error).__name__})")
    return REDIS_URL


@pytest.fixture
def redis_prefix(redis_url) -> str:
    """A key prefix unique to this test; its keys are deleted afterwards."""
    import redis

    prefix = f"engage-test:{uuid.uuid4().hex[:10]}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=prefix + "*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


# --------------------------------------------------------------------------- servers


@pytest.fixture(scope="module")
def live_server_config() -> dict:
    """Override in a test module to start its live server with other ENGAGE_* settings."""
    return {}


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, live_server_config):
    """``engage serve`` on a free port over a fresh SQLite database, for one test module."""
    instance = tmp_path_factory.mktemp("live-instance")
    settings = {**BASE_TEST_CONFIG, "INSTANCE_PATH": str(instance), "DEMO_ENABLED": True,
                **live_server_config}
    server = EngageServer(settings, port=free_port())
    server.start()
    yield server
    server.stop()


# --------------------------------------------------------------------------- browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright (no browser download)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                              headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def artifacts_dir() -> Path:
    """Where tests write screenshots for people to look at (not committed)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
