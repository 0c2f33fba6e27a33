"""SQLite's queue search index takes new comments in batches (engage/queue/search_index.py).

The post no longer indexes its own comment; a batch, the serving process's thread or the
search itself does. What must hold whatever the moment: a search finds what the substring scan
finds on whole words (tests/queue/test_search.py's queries, on rows indexed by batches), the
FTS5 table holds exactly the rows up to ``indexed_through`` (FTS5's own integrity check and
the table compared), and edits and deletes of rows in either state keep it so.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from engage import create_app
from engage.comments.models import Comment
from engage.db import db
from engage.queue.search import FTS_TABLE
from engage.queue.search_index import index_pending
from engage.queue.service import QueueQuery
from tests.conftest import BASE_TEST_CONFIG
from tests.queue.test_search import QUERIES, fts_ids, scan, searched

pytestmark = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


def indexed_through() -> int:
    return db.session.scalar(text("SELECT indexed_through FROM comments_search_state"))


def assert_index_is_whole(then_index: bool = True) -> None:
    """The FTS5 table holds every comment up to ``indexed_through`` and no other, and once
    the pending rows are indexed it agrees with every comment's current text (FTS5 raises
    "database disk image is malformed" where it disagrees). ``then_index``: index what is
    pending and check the text too."""
    check = text(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rank) VALUES ('integrity-check', :rank)")
    db.session.execute(check, {"rank": 0})  # its own structure (pending rows are not in it)
    upto = indexed_through()
    in_index = set(db.session.scalars(text(f"SELECT id FROM {FTS_TABLE}_docsize")))
    below = set(db.session.scalars(text("SELECT id FROM comments WHERE id <= :upto"),
                                   {"upto": upto}))
    assert in_index == below
    db.session.rollback()
    if not then_index:
        return
    index_pending(db.session)
    db.session.execute(check, {"rank": 1})  # against the comments' text
    db.session.rollback()


def test_a_post_waits_for_the_batch_and_a_search_still_finds_it(app, client):
    response = client.post("/api/v1/comments", json={
        "article": "/news/tram", "author_name": "Ada", "author_email": "ada@example.org",
        "body": "The zeppelin timetable changed again."})
    assert response.status_code == 201, response.get_json()
    new = response.get_json()["comment"]["id"]
    assert fts_ids("zeppelin") == set() and indexed_through() < new  # not written by the post
    assert searched(QueueQuery(status=None, q="zeppelin")) == [new]
    assert fts_ids("zeppelin") == {new} and indexed_through() == new  # the search indexed it
    assert index_pending(db.session) == 0
    assert_index_is_whole()


def test_searches_agree_with_the_scan_on_rows_indexed_in_two_batches(app, make_comment):
    from tests.queue.test_search import CORPUS, STATUSES

    for n, (body, name, email) in enumerate(CORPUS):
        make_comment(article=f"/news/{n % 3}", status=STATUSES[n % 4], body=body,
                     author_name=name, author_email=email)
    assert index_pending(db.session) == len(CORPUS)
    for n, (body, name, email) in enumerate(CORPUS):  # these wait: the first search indexes them
        make_comment(article=f"/news/{n % 3}", status=STATUSES[n % 4], body=body,
                     author_name=name, author_email=email)
    for q in QUERIES:
        expected = scan(q)
        db.session.rollback()
        assert searched(QueueQuery(status=None, q=q, limit=7)) == expected, q
    assert_index_is_whole()


def test_edits_and_deletes_of_pending_and_indexed_rows_keep_the_index_whole(app, make_comment):
    indexed = make_comment(body="An indexed gondola.", author_email="old@example.org")
    index_pending(db.session)
    pending = make_comment(body="A pending gondola.", author_email="old@example.org")
    for comment in (indexed, pending):
        comment.body, comment.author_email = "A blimp now.", "new@example.org"
    db.session.commit()
    assert_index_is_whole(then_index=False)
    short_lived = make_comment(body="A short-lived gondola.")
    db.session.delete(short_lived)  # never indexed
    db.session.commit()
    assert_index_is_whole(then_index=False)
    assert_index_is_whole()
    assert searched(QueueQuery(status=None, q="gondola")) == []
    assert searched(QueueQuery(status=None, q="blimp")) == [pending.id, indexed.id]
    doomed = [make_comment(body="A doomed gondola."), make_comment(body="Another gondola.")]
    index_pending(db.session)
    db.session.delete(doomed[0])
    db.session.commit()
    assert_index_is_whole()
    assert searched(QueueQuery(status=None, q="gondola")) == [doomed[1].id]


def test_an_id_given_out_again_is_indexed_by_the_insert_itself(app, make_comment):
    """SQLite gives the newest comment's id out again once it is deleted, and an import may
    write an explicit id: such a row is at or below ``indexed_through``, where no batch looks,
    so the insert trigger indexes it."""
    first, newest = make_comment(body="An early orca."), make_comment(body="A walrus.")
    index_pending(db.session)
    first_id, reused_id = first.id, newest.id
    db.session.delete(newest)
    db.session.commit()
    again = make_comment(body="A narwhal arrives.")
    assert again.id == reused_id  # SQLite's rowid rule: max(rowid) + 1
    db.session.delete(first)
    db.session.commit()
    explicit = make_comment(id=first_id, body="An explicit beluga.")
    assert fts_ids("narwhal") == {again.id} and fts_ids("beluga") == {explicit.id}
    assert fts_ids("walrus") == set() == fts_ids("orca")
    assert_index_is_whole()


def test_batches_running_at_once_index_each_row_once(app, make_comment):
    for n in range(300):
        make_comment(body=f"Comment {n} about the harbour.")
    db.session.remove()
    counts, errors = [], []

    def run():
        try:
            with app.app_context():
                counts.append(index_pending(db.session, batch=25))
                db.session.remove()
        except Exception as error:  # reported below: the assertion names it
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and sum(counts) == 300
    assert_index_is_whole()


def test_a_serving_process_indexes_new_comments_without_a_search(database, tmp_path):
    app = create_app({**BASE_TEST_CONFIG, "DATABASE_URL": database,
                      "INSTANCE_PATH": str(tmp_path), "SEARCH_INDEX_INTERVAL_SECONDS": 0.05})
    client = app.test_client()
    try:
        for n in range(3):  # the first request starts the process's indexing thread
            response = client.post("/api/v1/comments", json={
                "article": "/news/quay", "author_name": f"Reader {n}",
                "author_email": f"r{n}@example.org", "body": f"Ferry number {n} is late."})
            assert response.status_code == 201
        with app.app_context():
            deadline = time.monotonic() + 10
            while indexed_through() < 3 and time.monotonic() < deadline:
                db.session.rollback()
                time.sleep(0.05)
            assert fts_ids("ferry") == {1, 2, 3}
            assert_index_is_whole()
    finally:
        app.extensions["engage.search_index"].stop()
        with app.app_context():
            db.engine.dispose()


def test_an_import_leaves_nothing_waiting_for_the_index(app):
    from tests.portability.helpers import FIXTURES, run

    result = run(app, "import", "wordpress", str(FIXTURES / "wordpress.xml"))
    assert result.exit_code == 0, result.output
    newest = db.session.scalar(text("SELECT max(id) FROM comments"))
    assert newest and indexed_through() == newest
    assert fts_ids("still")  # "Will the 7:10 still run?", indexed by the import itself
    assert_index_is_whole(then_index=False)
