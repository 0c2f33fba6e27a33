"""Migration 0012_sites moves a database made by the earlier revisions to the site "default"
without losing a row, on SQLite and PostgreSQL (comments, replies, views, audit events, counts
and closed articles all survive; foreign keys are enforced again afterwards)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from engage import MIGRATIONS_DIR, create_app
from engage.cli import upgrade_schema
from engage.config import database_url
from engage.db import db
from flask_migrate import upgrade
from tests.conftest import BASE_TEST_CONFIG, PG_URL, _missing

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)
BEFORE = ScriptDirectory(MIGRATIONS_DIR).get_revision("0012_sites").down_revision


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    """The URL of a database with no tables at all."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    if not PG_URL:
        _missing("PostgreSQL (ENGAGE_TEST_DATABASE_URL)")
    admin = create_engine(database_url(PG_URL, Path(".")), isolation_level="AUTOCOMMIT")
    name = f"engage_migration_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield admin.url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _seed(connection) -> None:
    """Rows as the revisions before sites stored them."""
    run = lambda sql, **values: connection.execute(text(sql), values)  # noqa: E731
    for n, key in enumerate(["/news/one", "/news/two", "/about"], start=1):
        run("INSERT INTO articles (id, key, created_at, closed_at, thread_version) "
            "VALUES (:id, :key, :at, :closed, 3)", id=n, key=key, at=T0,
            closed=T0 if key == "/about" else None)
    statuses = ["approved", "approved", "pending", "spam", "rejected", "approved"]
    for n, status in enumerate(statuses, start=1):
        run("INSERT INTO comments (id, article_id, parent_id, status, author_name, author_email,"
            " body, body_html, reasons, created_at) VALUES (:id, :article, :parent, :status,"
            " 'Ada', :email, :body, :html, '[]', :at)",
            id=n, article=1 if n < 5 else 2, parent=1 if n == 2 else None, status=status,
            email=f"r{n}@example.org", body=f"comment {n}", html=f"<p>comment {n}</p>", at=T0)
    run("INSERT INTO moderation_events (comment_id, moderator, from_status, to_status, "
        "created_at) VALUES (4, 'alice', 'pending', 'spam', :at)", at=T0)
    for article, day, count in [(1, date(2026, 5, 1), 10), (1, date(2026, 5, 2), 5),
                                (3, date(2026, 5, 1), 7)]:
        run("INSERT INTO article_views (article_id, day, count) VALUES (:a, :d, :c)",
            a=article, d=day, c=count)


def _snapshot(connection) -> dict:
    query = lambda sql: [tuple(row) for row in connection.execute(text(sql))]  # noqa: E731
    return {
        "articles": query("SELECT id, key, closed_at IS NOT NULL, thread_version FROM articles "
                          "ORDER BY id"),
        "comments": query("SELECT id, article_id, parent_id, status, author_email, body "
                          "FROM comments ORDER BY id"),
        "events": query("SELECT comment_id, moderator, to_status FROM moderation_events"),
        "views": query("SELECT article_id, day, count FROM article_views "
                       "ORDER BY article_id, day"),
    }


def test_every_row_moves_to_the_default_site(empty_database, tmp_path):
    app = create_app({**BASE_TEST_CONFIG, "INSTANCE_PATH": str(tmp_path),
                      "DATABASE_URL": empty_database})
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            _seed(connection)
            before = _snapshot(connection)
        upgrade_schema()
        with db.engine.begin() as connection:
            assert _snapshot(connection) == before
            assert {row[0] for row in connection.execute(
                text("SELECT DISTINCT site_id FROM articles"))} == {"default"}
            assert {row[0] for row in connection.execute(
                text("SELECT DISTINCT site_id FROM comments"))} == {"default"}
            counts = dict(connection.execute(text(
                "SELECT status, total FROM comment_status_counts WHERE site_id = 'default'")).all())
            assert counts == {"approved": 3, "pending": 1, "spam": 1, "rejected": 1}
            # the same key on another site is another article, and the triggers count by site
            connection.execute(text("INSERT INTO sites (id, name, origins, settings, created_at,"
                                    " updated_at) VALUES ('blog', 'Blog', '[]', '{}', :t, :t)"),
                               {"t": T0})
            # (explicit ids: the seed's explicit ids did not move PostgreSQL's sequences)
            connection.execute(text("INSERT INTO articles (id, site_id, key, created_at, "
                                    "thread_version) VALUES (100, 'blog', '/about', :t, 0)"),
                               {"t": T0})
            connection.execute(text(
                "INSERT INTO comments (id, article_id, site_id, status, author_name, author_email,"
                " body, body_html, reasons, created_at) VALUES (100, 100, 'blog', 'pending', 'B',"
                " 'b@example.org', 'x', '<p>x</p>', '[]', :t)"), {"t": T0})
            assert dict(connection.execute(text(
                "SELECT site_id, total FROM comment_status_counts WHERE status = 'pending'"
            )).all()) == {"default": 1, "blog": 1}
        _assert_foreign_keys_enforced()
        db.engine.dispose()


def _assert_foreign_keys_enforced() -> None:
    """A comment of an article that does not exist is refused (on every pooled connection)."""
    from sqlalchemy.exc import IntegrityError

    for _ in range(2):
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO comments (article_id, status, author_name, author_email, body, "
                "body_html, reasons, created_at) VALUES (999, 'pending', 'X', 'x@example.org',"
                " 'x', 'x', '[]', :t)"), {"t": T0})
    assert "sites" in inspect(db.engine).get_table_names()


def test_existing_moderators_and_their_tokens_become_admins(empty_database, tmp_path):
    before_roles = ScriptDirectory(MIGRATIONS_DIR).get_revision(
        "0014_moderator_roles").down_revision
    app = create_app({**BASE_TEST_CONFIG, "INSTANCE_PATH": str(tmp_path),
                      "DATABASE_URL": empty_database})
    with app.app_context():
        upgrade(revision=before_roles)
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO moderators (id, name, password_hash, created_at)"
                                    " VALUES (1, 'old', 'x', :t)"), {"t": T0})
            connection.execute(text(
                "INSERT INTO moderator_tokens (moderator_id, token_hash, hint, created_at) "
                "VALUES (1, 'h', 'eng_abc', :t)"), {"t": T0})
        upgrade_schema()
        with db.engine.begin() as connection:
            assert connection.execute(text("SELECT role FROM moderators")).scalar_one() == "admin"
            assert connection.execute(text(
                "SELECT role FROM moderator_tokens")).scalar_one() == "admin"
            assert connection.execute(text("SELECT count(*) FROM moderator_sites")).scalar() == 0
        db.engine.dispose()
