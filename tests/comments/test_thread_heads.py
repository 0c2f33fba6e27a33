"""The thread head of public reads (``thread_heads``) answers as ``service.thread_head`` does,
and a cached page is never served after its thread changed, even when the change is made on
another connection (another process) while the head reader's connection stays open."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text

from engage.comments import service, thread_cache
from engage.comments.models import CommentStatus
from engage.db import db, utcnow
from tests.factories import post_comment


def test_heads_equal_the_service_heads_open_closed_and_unknown(app, make_comment, db_session):
    make_comment(article="/news/open", status=CommentStatus.APPROVED)
    make_comment(article="/news/closed", status=CommentStatus.APPROVED)
    db_session.execute(text("UPDATE articles SET closed_at = :t WHERE key = '/news/closed'"),
                       {"t": (utcnow() - timedelta(hours=1)).replace(tzinfo=None)
                        if db.engine.dialect.name == "sqlite" else utcnow() - timedelta(hours=1)})
    db_session.commit()
    reader = thread_cache.heads_of(app)
    now = utcnow()
    for key in ("/news/open", "/news/closed", "/news/unknown"):
        for days in (0, 1, 3650):
            expected = service.thread_head(db.engine, key, now, days)
            assert reader.head(key, now, days) == expected
    assert reader.head("/news/closed", now).closed is True
    assert reader.head("/news/open", now).closed is False
    assert reader.head("/news/open", now + timedelta(days=2), 1).closed is True  # auto-closed
    assert reader.head("/news/unknown", now) is None


def test_a_comment_committed_elsewhere_shows_on_the_next_cached_read(app, client, database):
    first = post_comment(client, body="first").json["comment"]
    read = client.get("/api/v1/comments?article=/news/launch")
    assert [c["id"] for c in read.json["comments"]] == [first["id"]]
    assert client.get("/api/v1/comments?article=/news/launch").get_data() == read.get_data()
    # Another process approves a held comment: only the database tells this one.
    other = create_engine(database)
    with other.begin() as conn:
        article_id = conn.execute(text("SELECT id FROM articles WHERE key = '/news/launch'")
                                  ).scalar_one()
        conn.execute(text("UPDATE comments SET body_html = '<p>edited elsewhere</p>' "
                          "WHERE id = :id"), {"id": first["id"]})
        conn.execute(text("UPDATE articles SET thread_version = thread_version + 1 "
                          "WHERE id = :id"), {"id": article_id})
    other.dispose()
    again = client.get("/api/v1/comments?article=/news/launch",
                       headers={"If-None-Match": read.headers["ETag"]})
    assert again.status_code == 200  # the old ETag no longer matches
    assert again.json["comments"][0]["body_html"] == "<p>edited elsewhere</p>"
    assert again.headers["ETag"] != read.headers["ETag"]
    same = client.get("/api/v1/comments?article=/news/launch",
                      headers={"If-None-Match": again.headers["ETag"]})
    assert same.status_code == 304 and same.headers["ETag"] == again.headers["ETag"]


# The direct read is SQLite's (other databases go through service.thread_head, tested above).
@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_failing_read_drops_the_connection_and_answers_through_sqlalchemy(app, client):
    reader = thread_cache.heads_of(app)
    post_comment(client, body="first")
    assert reader.head("/news/launch", utcnow()) is not None
    reader._local.connection.close()  # as if the file went away under it
    with pytest.raises(sqlite3.ProgrammingError):
        reader._local.connection.execute("SELECT 1")
    head = reader.head("/news/launch", utcnow())  # answered by service.thread_head
    assert head == service.thread_head(db.engine, "/news/launch", utcnow())
    assert reader._local.connection is None
    assert reader.head("/news/launch", utcnow()) == head  # a new connection next time
    assert reader._local.connection is not None


def test_cached_read_headers_are_the_ones_werkzeug_wrote(client):
    post_comment(client, body="first")
    response = client.get("/api/v1/comments?article=/news/launch")
    assert response.headers["Cache-Control"] == "private, max-age=10"
    assert response.headers["ETag"].startswith('"') and len(response.headers["ETag"]) == 34
    assert response.headers["Content-Type"] == "application/json"
    assert response.cache_control.private and response.cache_control.max_age == 10


# The direct read is SQLite's (other databases go through service.thread_head, tested above).
@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_disposing_the_engine_closes_the_kept_connection_so_a_copied_file_reads_as_copied(
        app, client, database, tmp_path):
    # As the round-trip test and an operator restoring a backup under a paused server do.
    path = database.removeprefix("sqlite:///")
    empty = tmp_path / "empty.sqlite3"
    db.session.remove()
    db.engine.dispose()
    source, target = sqlite3.connect(path), sqlite3.connect(empty)
    source.backup(target)  # the schema, before any comment
    source.close(), target.close()
    reader = thread_cache.heads_of(app)
    post_comment(client, body="first")
    assert reader.head("/news/launch", utcnow()) is not None
    kept = reader._local.connection
    db.session.remove()
    db.engine.dispose()
    with pytest.raises(sqlite3.ProgrammingError):
        kept.execute("SELECT 1")  # closed with the pool's connections
    shutil.copyfile(empty, path)
    assert reader.head("/news/launch", utcnow()) is None
    assert client.get("/api/v1/comments?article=/news/launch").json["comments"] == []
