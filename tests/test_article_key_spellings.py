"""One article has one key however a site spells it (issue 15, #12).

A browser's ``location.pathname`` percent-encodes (``/caf%C3%A9``), the site's template writes
``/café``, macOS may hand over NFD, and a CMS may leave zero-width characters in a slug. On
main these were four articles with four threads and four view counts. Against a running
engage; the stored-key migration is tested on every database.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import text

from tests.factories import comment_payload
from tests.scale.http import FIREFOX, Http

SPELLINGS = [
    "/news/caf\u00e9-prices",            # NFC, as a template writes it
    "/news/cafe\u0301-prices",           # NFD
    "/news/caf%C3%A9-prices",            # location.pathname
    "/news/caf%c3%a9-prices/",           # lower-case escapes, a trailing slash
    "/news/caf\u00e9\u200b-prices",      # a zero-width space left by a CMS
    "https://site.example/news/caf%C3%A9-prices?utm_source=x",
]


def _url(server, path, article):
    return f"{server.url}{path}?article={quote(article, safe='')}"


def test_every_spelling_reads_the_same_thread_and_count(live_server):
    http = Http()
    for n, spelling in enumerate(SPELLINGS):
        posted = http.post(live_server.url + "/api/v1/comments",
                           json_body=comment_payload(article=spelling, body=f"remark {n}"))
        assert posted.status == 201
    for spelling in SPELLINGS:
        thread = http.get(_url(live_server, "/api/v1/comments", spelling)).json
        assert thread["article"] == "/news/caf\u00e9-prices"
        assert thread["count"] == len(SPELLINGS)


def test_every_spelling_counts_views_of_one_article(live_server):
    http = Http()
    for n, spelling in enumerate(SPELLINGS):
        answer = http.post(_url(live_server, "/api/v1/views", spelling),
                           headers={"User-Agent": f"{FIREFOX} reader/{n}"})
        assert answer.status == 200 and answer.json["counted"] is True
    views = http.get(_url(live_server, "/api/v1/views", SPELLINGS[0])).json["views"]
    assert list(views.values()) == [len(SPELLINGS)]


# ------------------------------------------------------------------- the stored keys


def _migration():
    path = Path(__file__).resolve().parent.parent / "migrations/versions/0008_canonical_article_keys.py"
    spec = importlib.util.spec_from_file_location("migration_0008", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run_migration(engine) -> None:
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    with engine.begin() as connection:
        with Operations.context(MigrationContext.configure(connection)):
            _migration().upgrade()


def test_the_migration_renames_old_spellings_and_merges_articles_they_split(app, db_session):
    """Rows written by main under old spellings; after the migration one article holds all."""
    from engage.db import db

    rows = {1: "/caf%C3%A9", 2: "/caf\u00e9", 3: "/cafe\u0301", 4: "/plain", 5: "/solo%20key",
            6: "/q%3fx"}
    with db.engine.begin() as connection:
        for article_id, key in rows.items():
            connection.execute(text(
                "INSERT INTO articles (id, key, created_at, thread_version) "
                "VALUES (:id, :key, :created, :version)"),
                {"id": article_id, "key": key, "created": f"2024-01-0{article_id} 00:00:00",
                 "version": article_id})
        for article_id in (1, 2, 3, 4):
            connection.execute(text(
                "INSERT INTO comments (article_id, status, author_name, author_email, body, "
                "body_html, reasons, created_at) VALUES (:a, 'approved', 'n', 'e@x.org', 'b', "
                "'<p>b</p>', '[]', '2024-02-01 00:00:00')"), {"a": article_id})
        for article_id, day, count in ((1, "2024-03-01", 3), (2, "2024-03-01", 2),
                                       (3, "2024-03-02", 7), (4, "2024-03-01", 1)):
            connection.execute(text(
                "INSERT INTO article_views (article_id, day, count) VALUES (:a, :d, :c)"),
                {"a": article_id, "d": day, "c": count})
    _run_migration(db.engine)
    with db.engine.connect() as connection:
        keys = dict(connection.execute(text("SELECT key, id FROM articles")).all())
        assert set(keys) == {"/caf\u00e9", "/plain", "/solo key", "/q%3Fx"}
        merged = keys["/caf\u00e9"]
        comments = connection.execute(text(
            "SELECT article_id, count(*) FROM comments GROUP BY article_id")).all()
        assert dict(comments) == {merged: 3, keys["/plain"]: 1}
        views = connection.execute(text(
            "SELECT day, count FROM article_views WHERE article_id = :a ORDER BY day"),
            {"a": merged}).all()
        assert [(str(day), count) for day, count in views] == [("2024-03-01", 5), ("2024-03-02", 7)]
        version = connection.execute(text("SELECT thread_version FROM articles WHERE id = :a"),
                                     {"a": merged}).scalar_one()
        assert version > 3  # bumped: cached pages and ETags of the merged thread change
    _run_migration(db.engine)  # a second run changes nothing
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM articles")).scalar_one() == 4
