"""The thread head of a public read, on SQLite without SQLAlchemy's per-query machinery.

Every thread read needs the article's thread version (``service.thread_head``), and for a
page served from the cache (``thread_cache``) it is the only query. Through SQLAlchemy it
cost about 100 µs of CPU (a pool checkout and return, an execution context, a result object)
for a query that SQLite answers in about 12. ``HeadReader.head`` gives exactly what
``service.thread_head(engine, …)`` gives, and on SQLite runs the same statement
(``service._HEAD``, compiled once, its rows converted by the columns' own types) on a DBAPI
connection of its own, one per OS thread, kept open.

Why that is as fresh as a pooled read: sqlite3 opens no transaction for a ``SELECT`` (legacy
transaction control), so every read is its own snapshot of the last commit in WAL mode; the
connection is only ever used for this statement. Why greenlets may share it: a ``SELECT`` in
WAL mode never waits in SQLite's busy handler (``engage.sqlite_writes``), and a call into
sqlite3 never yields, so no other greenlet can run on the connection mid-query.

A forked child never touches its parent's connection (SQLite forbids using one across fork):
it opens its own, and keeps the inherited objects referenced so that they are never closed
from the child either. If a read fails (a locked or unreadable file), the connection is
dropped and the read is done once more by ``service.thread_head``, which raises the error as
SQLAlchemy does (a 503 from the error handlers) or answers. ``engine.dispose()`` closes these
connections too, as it closes its pool's: after it, no connection of this process holds the
file open (a file copied over it is read as it is, not through an old write-ahead log).

Other databases use ``service.thread_head`` as they did: their driver's I/O may yield to
another greenlet, so a shared connection would not be safe there.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime

from sqlalchemy import Engine, event

from engage.comments.service import _HEAD, ThreadHead, thread_head
from engage.moderation.closed import closed_reason
from engage.serving.fork_hooks import call_after_fork
from engage.serving.worker_classes import os_thread_local
from engage.sites import DEFAULT_SITE


class _Row:
    """The columns ``closed_reason`` reads, with their stored types."""

    __slots__ = ("closed_at", "created_at")

    def __init__(self, closed_at, created_at):
        self.closed_at, self.created_at = closed_at, created_at


class HeadReader:
    """``head(…)``: ``service.thread_head`` of one engine (see the module docstring)."""

    def __init__(self, engine: Engine):
        self._engine = engine
        self._direct = engine.dialect.name == "sqlite" and engine.dialect.paramstyle == "qmark"
        if self._direct:
            compiled = _HEAD.compile(dialect=engine.dialect)
            self._sql = str(compiled)
            self._order = tuple(compiled.positiontup)  # bind names, in ``?`` order
            self._convert = tuple(
                column.type.dialect_impl(engine.dialect).result_processor(engine.dialect, None)
                for column in _HEAD.selected_columns)
        self._inherited: list = []
        self._lock = threading.Lock()
        self._start_afresh()
        call_after_fork(self._forked)
        if self._direct:
            event.listen(engine, "engine_disposed", self._close_all)

    def _start_afresh(self) -> None:
        self._local = os_thread_local()
        self._opened: list[sqlite3.Connection] = []  # every thread's, for ``_close_all``

    def _forked(self) -> None:
        # The parent's: never used, never closed here.
        self._inherited.append((self._local, self._opened))
        self._lock = threading.Lock()
        self._start_afresh()

    def _close_all(self, engine: Engine) -> None:
        """Close every thread's connection (``engine.dispose()`` was called); the next read
        of each thread opens a new one. A read racing the close fails with ``sqlite3.Error``
        and is answered by ``service.thread_head``."""
        with self._lock:
            opened = self._opened
            self._start_afresh()
        for connection in opened:
            try:
                connection.close()
            except sqlite3.Error:
                pass

    def head(self, article_key: str, now: datetime, auto_close_days: int = 0,
             site: str = DEFAULT_SITE) -> ThreadHead | None:
        """What ``service.thread_head(engine, article_key, now, auto_close_days, site)``
        answers."""
        if not self._direct:
            return thread_head(self._engine, article_key, now, auto_close_days, site)
        params = {"site": site, "key": article_key}
        try:
            row = self._connection().execute(
                self._sql, tuple(params[name] for name in self._order)).fetchone()
        except sqlite3.Error:
            self._drop()
            return thread_head(self._engine, article_key, now, auto_close_days, site)
        if row is None:
            return None
        article_id, key, version, closed_at, created_at = (
            value if convert is None or value is None else convert(value)
            for convert, value in zip(self._convert, row))
        closed = closed_reason(_Row(closed_at, created_at), now, auto_close_days) is not None
        return ThreadHead(article_id, key, version, closed)

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            # A connection the engine made (set up by its connect hooks: WAL, busy timeout),
            # taken out of its pool for good.
            fairy = self._engine.raw_connection()
            connection = fairy.dbapi_connection
            fairy.detach()
            with self._lock:  # both or neither seen by ``_close_all``
                self._local.connection = connection
                self._opened.append(connection)
        return connection

    def _drop(self) -> None:
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            with self._lock:
                if connection in self._opened:
                    self._opened.remove(connection)
            try:
                connection.close()
            except sqlite3.Error:
                pass
