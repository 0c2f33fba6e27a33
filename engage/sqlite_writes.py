"""SQLite write transactions that never make a gevent worker wait inside C.

SQLite waits for its write lock in its busy handler, in C: under gevent (``engage serve``'s
default) that holds the worker's whole event loop. Two things went wrong with that:

- a greenlet that opened a write transaction and then yielded (a Redis call, a thread start)
  let a second greenlet of the same worker wait in the busy handler for the lock the first
  one holds; the first could never run again to commit, so both waited the whole busy timeout
  (and the second answered 503);
- a request waiting for another process's transaction froze every other request of its worker
  (``/healthz`` included) for as long as it waited.

So every connection engage opens to SQLite is a ``WriteGatedConnection``. Contract:

- Its first writing statement (``INSERT``/``UPDATE``/``DELETE``/``REPLACE``, the statements
  that make ``sqlite3`` open a transaction) first takes this process's *write gate* for the
  database file: a lock made when first used in the process, so under gevent it is a
  greenlet lock and the worker's other writers wait for it cooperatively.
- Holding the gate, it opens the transaction with ``BEGIN IMMEDIATE`` (the write lock up
  front, never an upgrade from a read) with SQLite's busy timeout at 0, and while another
  process holds the lock it retries after ``time.sleep`` (gevent's sleep once patched), so the
  wait yields to the worker's other requests.
- The gate is released when the transaction ends (commit, rollback, close). One process
  therefore never has two greenlets or threads in SQLite's lock wait, by construction, however
  long a transaction stays open.
- Waiting for the gate and the lock together is bounded by the connection's ``timeout`` (the
  busy timeout it had before); after it, ``sqlite3.OperationalError("database is locked")``,
  as SQLite itself would raise.

A script (``executescript``) is not gated: sqlite3 commits before it runs, and engage runs
none while serving. Reads take no gate and keep the busy timeout: in WAL mode they never wait for a writer (only,
briefly, for a WAL recovery or the last connection's closing checkpoint). In-memory databases
are private to one connection and are not gated.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import threading
import time

# What sqlite3 (legacy transaction control) opens a transaction for: the same leading words.
_WRITING = ("INSERT", "UPDATE", "DELETE", "REPLACE")
# Retry delays while another process holds the lock (SQLite's own busy handler starts the
# same way); short, so that a transaction ending in another process is noticed quickly.
_RETRY_DELAYS = (0.001, 0.002, 0.003, 0.005)

_gates: dict[tuple[int, str], threading.Lock] = {}


def write_gate(database: str):
    """This process's write gate for ``database`` (a file path), made on first use.

    Made lazily, and anew in a forked child (the key has the process id), so that it is
    created after gevent patched ``threading`` (``engage serve`` imports this module before it
    patches). ``setdefault`` keeps two threads asking at once to one gate.
    """
    key = (os.getpid(), database)
    gate = _gates.get(key)
    if gate is None:
        gate = _gates.setdefault(key, threading.Lock())
    return gate


def _is_writing(sql: str) -> bool:
    return sql.lstrip()[:7].upper().startswith(_WRITING)


def _is_busy(error: sqlite3.OperationalError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF == sqlite3.SQLITE_BUSY
    return "locked" in str(error)


def _private(database) -> bool:
    name = os.fspath(database) if not isinstance(database, str) else database
    return name in ("", ":memory:") or "mode=memory" in name


class WriteGatedCursor(sqlite3.Cursor):
    """A cursor whose writing statements open their transaction through the gate."""

    def execute(self, sql, parameters=()):
        self.connection.before(sql)
        try:
            return super().execute(sql, parameters)
        finally:
            self.connection.after()

    def executemany(self, sql, seq_of_parameters):
        self.connection.before(sql)
        try:
            return super().executemany(sql, seq_of_parameters)
        finally:
            self.connection.after()


    def executescript(self, sql_script):
        try:
            return super().executescript(sql_script)  # commits first: may end our transaction
        finally:
            self.connection.after()


class WriteGatedConnection(sqlite3.Connection):
    """``sqlite3.connect(..., factory=WriteGatedConnection)``; see the module docstring."""

    def __init__(self, database, timeout=5.0, *args, **kwargs):
        super().__init__(database, timeout, *args, **kwargs)
        self._wait = float(timeout)
        self._gate = None if _private(database) else write_gate(os.fspath(database))
        self._holds_gate = False

    def cursor(self, factory=WriteGatedCursor):
        return super().cursor(factory)

    # sqlite3's shortcuts make their cursor in C, past ``cursor()``: route them through it.
    def execute(self, sql, parameters=()):
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql, seq_of_parameters):
        return self.cursor().executemany(sql, seq_of_parameters)

    def executescript(self, sql_script):
        return self.cursor().executescript(sql_script)

    def before(self, sql: str) -> None:
        """Open the write transaction through the gate if ``sql`` writes and none is open."""
        if self._gate is not None and not self.in_transaction and _is_writing(sql):
            self._begin_write()

    def after(self) -> None:
        """Release the gate once no transaction is open (a ``COMMIT`` sent as SQL, a failed
        ``BEGIN``)."""
        if self._holds_gate and not self._open():
            self._holds_gate = False
            self._gate.release()

    def _open(self) -> bool:
        try:
            return self.in_transaction
        except sqlite3.ProgrammingError:  # closed
            return False

    def _begin_write(self) -> None:
        deadline = time.monotonic() + self._wait
        if not self._gate.acquire(timeout=max(self._wait, 0.001)):
            raise sqlite3.OperationalError("database is locked (by this process's writers)")
        self._holds_gate = True
        try:
            self._begin_immediate(deadline)
        except BaseException:
            self.after()
            raise

    def _begin_immediate(self, deadline: float) -> None:
        begin = super().execute  # sqlite3's own: this statement must not come back here
        begin("PRAGMA busy_timeout = 0")
        try:
            for attempt in itertools.count():
                try:
                    begin("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as error:
                    if not _is_busy(error) or time.monotonic() >= deadline:
                        raise
                time.sleep(_RETRY_DELAYS[min(attempt, len(_RETRY_DELAYS) - 1)])
        finally:
            begin(f"PRAGMA busy_timeout = {int(self._wait * 1000)}")

    def commit(self):
        try:
            super().commit()
        finally:
            self.after()

    def rollback(self):
        try:
            super().rollback()
        finally:
            self.after()

    def close(self):
        try:
            super().close()
        finally:
            if self._holds_gate:
                self._holds_gate = False
                self._gate.release()
