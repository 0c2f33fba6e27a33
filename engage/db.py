"""Database plumbing: the declarative Base, the Flask-SQLAlchemy handle, ``utcnow()`` and
``upsert()``.

Models subclass ``Base`` (typed SQLAlchemy 2: ``Mapped[...]``, ``mapped_column``). The naming
convention gives every constraint and index a stable name, so Alembic's autogenerate and the
migrations agree on SQLite and PostgreSQL alike.

SQLite connections are set up for a web server: WAL (readers never wait for the writer), a
busy timeout (writers queue instead of failing), and foreign keys switched on. Writers queue
without holding a gevent worker's event loop: ``engage.sqlite_writes``.

``upsert(bind, table)`` is the one dialect switch for ``INSERT … ON CONFLICT``: SQLite and
PostgreSQL spell it alike, but SQLAlchemy builds it from each dialect's own ``insert``.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Connection, DateTime, MetaData, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session
from sqlalchemy.types import TypeDecorator

from engage.sqlite_writes import WriteGatedConnection

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 10_000


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(timezone.utc)


def upsert(bind: Session | Connection, table):
    """``INSERT INTO table`` of ``bind``'s dialect (a Session, scoped or not, or a Connection),
    which has ``on_conflict_do_nothing``, ``on_conflict_do_update`` and ``excluded``;
    NotImplementedError for other databases."""
    return dialect_insert((bind if isinstance(bind, Connection) else bind.get_bind()).dialect.name,
                          table)


def dialect_insert(dialect: str, table):
    """``upsert`` for the dialect named ``dialect``."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"engage needs SQLite or PostgreSQL, not {dialect}")


def commit_keeping_loaded(session: Session | scoped_session) -> None:
    """Commit without expiring the session's objects (its ``expire_on_commit`` for this one
    commit only). For a request that answers with what it just wrote: expiring would make
    the answer reload the row it inserted (one more query, after the write transaction).
    The objects keep the values they were written with; attributes never loaded still load
    on access."""
    real = session() if isinstance(session, scoped_session) else session
    keep = real.expire_on_commit
    real.expire_on_commit = False
    try:
        real.commit()
    finally:
        real.expire_on_commit = keep


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always returned timezone-aware.

    SQLite has no time zone type and hands back naive datetimes; this keeps comparisons and
    ISO output identical on both databases.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        if value is not None and dialect.name == "sqlite":
            return value.astimezone(timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


def install_connection_setup() -> None:
    """Set up every new SQLite connection of every engine (``_configure_sqlite``), once per
    process; ``create_app`` calls it."""
    if not event.contains(Engine, "connect", _configure_sqlite):
        event.listen(Engine, "connect", _configure_sqlite)


def _configure_sqlite(dbapi_connection, connection_record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def engine_options(url: str) -> dict:
    """Engine options per backend: a pre-ping pool for servers, a thread-shared file for SQLite."""
    if url.startswith("sqlite"):
        return {"connect_args": {"check_same_thread": False, "factory": WriteGatedConnection,
                                 "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}}
    return {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 10, "pool_timeout": 5}
