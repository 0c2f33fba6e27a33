"""New comments join SQLite's queue search index in batches, off the post (migration 0031).

A post used to add its comment to the FTS5 table ``comments_search`` in its own transaction.
FTS5 wrote a segment for that single row, about a quarter of the pages a post wrote. Now
``comments_search_state.indexed_through`` marks how far the index goes: every comment up to
that id is in it, and none above it. ``index_pending`` adds the comments above it, ``BATCH``
to a transaction, at 4-7 µs a row instead of about 160 µs a post.

Contract
- ``index_pending(session)`` indexes every comment above ``indexed_through`` and returns how
  many it indexed. It commits ``session`` after each batch, so call it where nothing else is
  waiting in the session. On other databases it does nothing and returns 0, because
  PostgreSQL keeps its word index itself. Any number of processes may run it at once. Each
  batch reads ``indexed_through`` inside its own write transaction, so no row is indexed twice.
- Every queue search calls it first (``engage.queue.service.queue_page``), so a search finds
  comments posted a moment ago, as it did when every post indexed its own row. It costs about
  the comments posted since the last batch.
- ``init_app(app)``: on SQLite, with ``SEARCH_INDEX_INTERVAL_SECONDS`` > 0, each serving
  process runs ``index_pending`` on a daemon thread at that interval. The thread starts with
  the process's first request, so CLI commands never start it. This bounds the work a search
  does, even on a site where nobody searches. ``engage import`` indexes what it imported
  before it ends.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import text
from sqlalchemy.orm import Session

from engage.db import db

BATCH = 500  # rows per write transaction: a few ms of holding SQLite's write lock

_ANY_PENDING = text("SELECT (SELECT max(id) FROM comments) > indexed_through "
                    "FROM comments_search_state")
_NEXT = ("SELECT id FROM comments WHERE id > (SELECT indexed_through FROM comments_search_state)"
         " ORDER BY id LIMIT :batch")
# The first statement writes, so the transaction (and SQLite's write lock) starts before it
# reads indexed_through; the second finds the same rows, nothing having changed in between.
_INDEX = text("INSERT INTO comments_search (rowid, body, author_name, author_email) "
              f"SELECT id, body, author_name, author_email FROM comments WHERE id IN ({_NEXT})")
_ADVANCE = text(f"UPDATE comments_search_state SET indexed_through = "
                f"coalesce((SELECT max(id) FROM ({_NEXT})), indexed_through)")


def index_pending(session: Session, batch: int = BATCH) -> int:
    if session.get_bind().dialect.name != "sqlite":
        return 0
    total = 0
    while session.scalar(_ANY_PENDING):
        indexed = session.execute(_INDEX, {"batch": batch}).rowcount
        session.execute(_ADVANCE, {"batch": batch})
        session.commit()
        total += max(indexed, 0)
    return total


def init_app(app: Flask) -> None:
    interval = float(app.config["SEARCH_INDEX_INTERVAL_SECONDS"])
    if interval <= 0 or not app.config["DATABASE_URL"].startswith("sqlite"):
        return
    # imported here: serving imports nothing at module level that engage.cli loads
    from engage.serving.lifecycle import on_shutdown
    from engage.serving.periodic import PeriodicJob

    # a failed round leaves the comments to the next round, or to the next search
    indexer = PeriodicJob(app, interval, lambda: index_pending(db.session),
                          "engage-search-index")
    app.extensions["engage.search_index"] = indexer
    app.before_request(indexer.ensure_running)
    on_shutdown(app, indexer.stop)
