"""Core statements run on the driver's cursor: the small statements every comment POST runs.

SQLAlchemy's execution of a prebuilt Core statement (cache key, compiled-cache lookup,
execution context, result object) cost two to three times the SQLite work of the small
statements of the post path: the outbox row of a reply notification took 97 µs in
``Connection.execute`` against 26 µs in SQLite (``bench/notify_cpu.py``'s path), the
live-stream row 33 µs against 11 µs. ``DriverStatement`` compiles a statement once per
dialect, with SQLAlchemy's own compiler and the dialect's own bind and result processors (UTC
timestamps, JSON, enums and booleans as the driver and the models want them), and then runs it
on the cursor of the session's connection: in the session's transaction, through the same
DBAPI connection (on SQLite, a ``WriteGatedConnection``: its write gate still opens the
transaction).

Contract: ``execute(session, params)`` runs the statement with ``params`` (a dict with every
bound name, except values fixed when the statement was built, such as a ``LIMIT``; no column
is left to its default) and returns the DBAPI cursor; ``first`` and ``scalar`` return the
first row of a select or a ``RETURNING``, or its first column, with every value processed as
SQLAlchemy would (a timestamp read
from SQLite's text, a boolean from its integer). Only for statements whose values are all
bound parameters and whose SQL is the same on every call (no expanding ``IN``: refused with
ValueError). A driver error is raised as SQLAlchemy's (``OperationalError``, ``IntegrityError``,
…), and a lost server invalidates the connection, as SQLAlchemy's execution does. The ORM
does not see these statements: no autoflush (callers flush first where
pending objects matter, see ``articles.find_article``), and SQLAlchemy's
``before_cursor_execute`` events do not fire (engage listens to none).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement


class _Compiled:
    __slots__ = ("sql", "names", "positional", "fixed", "plan", "results")

    def __init__(self, statement: ClauseElement, dialect):
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        if "POSTCOMPILE" in self.sql:  # an expanding IN: its SQL differs by call
            raise ValueError("a statement compiled per call cannot run on the driver")
        self.positional = compiled.positional
        # the bound names as the SQL has them: in order (SQLite's "?"), or each once (named)
        by_name = {name: bind for bind, name in compiled.bind_names.items()}
        self.names = tuple(compiled.positiontup) if compiled.positional else tuple(by_name)
        # values given when the statement was built (a LIMIT's): used when params lack them
        binds = {name: by_name[name] for name in self.names}
        self.fixed = {name: bind.value for name, bind in binds.items()
                      if bind.value is not None and not bind.required}
        # (name, the dialect's bind processor or None) in the order the driver takes them
        processors = {name: bind.type.dialect_impl(dialect).bind_processor(dialect)
                      for name, bind in binds.items()}
        self.plan = tuple((name, processors[name]) for name in self.names)
        # what SQLAlchemy makes of each selected or returned column (a timestamp stored as
        # text, a boolean)
        if hasattr(statement, "selected_columns"):
            types = [column.type for column in statement.selected_columns]
        else:
            types = [column["type"] for column in statement.returning_column_descriptions]
        self.results = tuple(type_.dialect_impl(dialect).result_processor(dialect, None)
                             for type_ in types)

    def parameters(self, params: dict[str, Any]):
        if self.fixed:
            params = {**self.fixed, **params}
        values = [params[name] if process is None else process(params[name])
                  for name, process in self.plan]
        return tuple(values) if self.positional else dict(zip(self.names, values))


class DriverStatement:
    """``statement`` (Core, every value a bound parameter), compiled once per dialect; or
    ``statement(dialect_name)`` where the statement differs by dialect (``ON CONFLICT``)."""

    def __init__(self, statement: ClauseElement | Callable[[str], ClauseElement]):
        self._statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def execute(self, session: Session, params: dict[str, Any]):
        return self._run(session, params)[1]

    def scalar(self, session: Session, params: dict[str, Any]):
        """The first column of the first row (None without a row), as SQLAlchemy's
        ``scalar`` would give it."""
        row = self.first(session, params)
        return None if row is None else row[0]

    def first(self, session: Session, params: dict[str, Any]) -> tuple | None:
        """The first row of a select or a ``RETURNING`` (None without one), each value as
        SQLAlchemy would give it."""
        connection, cursor, compiled = self._run(session, params)
        try:
            row = cursor.fetchone()
        except connection.dialect.loaded_dbapi.Error as error:
            raise _as_sqlalchemy(connection, cursor, error, compiled.sql, params) from error
        cursor.close()  # a statement left stepping would hold SQLite's read snapshot
        if row is None:
            return None
        return tuple(value if process is None else process(value)
                     for process, value in zip(compiled.results, row))

    def _run(self, session: Session, params: dict[str, Any]):
        connection = session.connection()
        dialect = connection.dialect
        compiled = self._for(dialect)
        cursor = connection.connection.cursor()
        try:
            cursor.execute(compiled.sql, compiled.parameters(params))
        except dialect.loaded_dbapi.Error as error:
            raise _as_sqlalchemy(connection, cursor, error, compiled.sql, params) from error
        return connection, cursor, compiled

    def sql(self, dialect) -> str:
        """The SQL text run on ``dialect`` (an ``EXPLAIN`` in a test, say)."""
        return self._for(dialect).sql

    def _for(self, dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            statement = self._statement
            if not isinstance(statement, ClauseElement):
                statement = statement(dialect.name)
            compiled = self._compiled[dialect.name] = _Compiled(statement, dialect)
        return compiled


def _as_sqlalchemy(connection, cursor, error, sql: str, params) -> DBAPIError:
    """The driver's ``error`` as SQLAlchemy's execution raises it: a lost server invalidates
    the connection (the pool replaces it), and the exception is SQLAlchemy's subclass for the
    driver's class (engage/errors.py answers ``OperationalError``, a database down or locked,
    with 503)."""
    dialect = connection.dialect
    lost = dialect.is_disconnect(error, connection.connection.dbapi_connection, cursor)
    if lost:
        connection.invalidate(error)
    return DBAPIError.instance(sql, params, error, dialect.loaded_dbapi.Error,
                               connection_invalidated=lost, dialect=dialect)
