"""SQLite writers never wait inside C holding a gevent worker (``engage.sqlite_writes``).

The gevent cases run in a child process (gevent must patch the standard library before
anything else runs, which pytest's process cannot have). They use engage's own engine
options on a real SQLite file.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from engage.db import engine_options
from tests.servers import ROOT

# Greenlet "holder" opens a write transaction and then yields (as a post does when it calls
# Redis or starts a thread); "second" of the same process writes meanwhile; "reader" reads.
# Without a gate, "second" waits in SQLite's busy handler in C: the loop stops, the holder
# never commits, and "second" fails when the busy timeout ends.
_SAME_PROCESS = r"""
from gevent import monkey; monkey.patch_all()
import json, sys, time, gevent
from sqlalchemy import create_engine, text
from engage.db import engine_options
url = sys.argv[1]
options = engine_options(url)
options["connect_args"]["timeout"] = 3  # a short busy timeout keeps a failure short
engine = create_engine(url, **options)
with engine.begin() as c:
    c.execute(text("CREATE TABLE t (who TEXT)"))
order = []
def holder():
    with engine.begin() as c:
        c.execute(text("INSERT INTO t VALUES ('holder')"))
        order.append("holder wrote")
        gevent.sleep(0.3)  # a yield inside the transaction
        order.append("holder commits")
def second():
    gevent.sleep(0.05)
    try:
        with engine.begin() as c:
            c.execute(text("INSERT INTO t VALUES ('second')"))
        order.append("second wrote")
    except Exception as error:
        order.append("second failed: " + type(error).__name__)
def reader():
    gevent.sleep(0.1)
    with engine.connect() as c:
        c.execute(text("SELECT count(*) FROM t")).scalar()
    order.append("reader read")
gevent.joinall([gevent.spawn(holder), gevent.spawn(second), gevent.spawn(reader)])
with engine.connect() as c:
    rows = sorted(r[0] for r in c.execute(text("SELECT who FROM t")))
print(json.dumps({"order": order, "rows": rows}))
"""

# One process holds the write lock; this gevent process writes (it must wait) while a
# ticker greenlet counts how often it ran during the wait.
_OTHER_PROCESS = r"""
from gevent import monkey; monkey.patch_all()
import json, sys, time, gevent
from sqlalchemy import create_engine, text
from engage.db import engine_options
url = sys.argv[1]
engine = create_engine(url, **engine_options(url))
ticks, done = [0], []
def ticker():
    while not done:
        ticks[0] += 1
        gevent.sleep(0.01)
def writer():
    print("ready", flush=True)
    with engine.begin() as c:
        c.execute(text("INSERT INTO t VALUES ('waiter')"))
    done.append(ticks[0])
gevent.joinall([gevent.spawn(ticker), gevent.spawn(writer)])
print(json.dumps({"ticks_while_waiting": done[0]}))
"""


def _run(script: str, *args: str, timeout: float = 60) -> dict:
    finished = subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, timeout=timeout,
                              capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout.strip().splitlines()[-1])


def test_a_second_greenlet_waits_for_the_first_ones_transaction_cooperatively(tmp_path):
    result = _run(_SAME_PROCESS, f"sqlite:///{tmp_path / 'gate.sqlite3'}")
    assert result["rows"] == ["holder", "second"]
    # The reader was served while the second writer waited, and the holder committed first.
    assert result["order"] == ["holder wrote", "reader read", "holder commits", "second wrote"]


def test_waiting_for_another_process_lock_lets_the_worker_serve_meanwhile(tmp_path):
    path = tmp_path / "other.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("CREATE TABLE t (who TEXT)")
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO t VALUES ('holder')")
    child = subprocess.Popen([sys.executable, "-c", _OTHER_PROCESS, f"sqlite:///{path}"],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        time.sleep(1.0)  # the child's writer is now waiting for this process's lock
        holder.execute("COMMIT")
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, err
    result = json.loads(out.strip().splitlines()[-1])
    # About 100 ticks in the second the writer waited; in C the loop would have run none.
    assert result["ticks_while_waiting"] >= 10
    rows = sorted(r[0] for r in holder.execute("SELECT who FROM t"))
    assert rows == ["holder", "waiter"]
    holder.close()


@pytest.fixture
def engine(tmp_path):
    """engage's engine options on a file with one table ``t (n INTEGER UNIQUE)``."""
    url = f"sqlite:///{tmp_path / 'in-process.sqlite3'}"
    engine = create_engine(url, **engine_options(url))
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER UNIQUE)"))
    yield engine
    engine.dispose()


def _rows(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM t")).scalar()


def test_writers_of_one_process_in_threads_take_turns_and_all_commit(engine):
    def write(n: int) -> None:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
            time.sleep(0.002)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _rows(engine) == 40


def test_a_failed_write_releases_the_gate_for_the_next_one(engine):
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO t VALUES (1)"))
    with pytest.raises(IntegrityError):
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (1)"))
    with engine.begin() as connection:  # would wait for the gate and fail if it were kept
        connection.execute(text("INSERT INTO t VALUES (2)"))
    assert _rows(engine) == 2
