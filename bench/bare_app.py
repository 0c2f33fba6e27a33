"""The baseline: a bare Flask app served by gunicorn exactly as ``engage serve`` serves engage
(the same worker class: ``ENGAGE_WORKER_CLASS`` or the default).

Started by ``tests.servers.BareServer`` (``python bench/bare_app.py PORT WORKERS THREADS``).
Endpoints: ``GET /healthz`` (tiny JSON), ``GET /bare`` (a JSON body), ``POST /bare`` (parses
JSON, answers 201), ``POST /bare/commit`` (parses JSON, inserts one row into a SQLite file in WAL
mode and commits, through engage's own write-gated connection, answers 201; the file is
``BARE_SQLITE`` or ``bare.db`` in the temporary folder), ``POST /bare/204`` and ``POST /api/v1/views`` (204, for view-count
comparisons: ``bench/views.py`` sends its wrk load to both servers on engage's path).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Replace the script's own folder on the path: bench/queue.py would shadow the stdlib queue.
sys.path[0] = str(Path(__file__).resolve().parent.parent)
from engage.serving.worker_classes import configured_worker_class, prepare_process  # noqa: E402

WORKER_CLASS = configured_worker_class()  # as `engage serve` would use
prepare_process(WORKER_CLASS)  # before anything else exists, as `engage serve` does

from flask import Flask, jsonify, request  # noqa: E402

from engage.serving.gunicorn_app import gunicorn_options, serve_wsgi  # noqa: E402
from engage.sqlite_writes import WriteGatedConnection  # noqa: E402

import json  # noqa: E402
import os  # noqa: E402
import sqlite3  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402

app = Flask("bare")


@app.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@app.get("/bare")
def bare_get():
    return jsonify({"ok": True})


@app.post("/bare")
def bare_post():
    data = request.get_json(force=True)
    return jsonify({"status": "approved", "comment": {"id": 1, "keys": sorted(data)}}), 201


_local = threading.local()


def _connection() -> sqlite3.Connection:
    """This thread's (greenlet's, under gevent) connection, set up as engage sets up its own."""
    connection = getattr(_local, "connection", None)
    if connection is None:
        path = os.environ.get("BARE_SQLITE") or os.path.join(tempfile.gettempdir(), "bare.db")
        connection = sqlite3.connect(path, timeout=10, factory=WriteGatedConnection,
                                     check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, body TEXT)")
        connection.commit()
        _local.connection = connection
    return connection


@app.post("/bare/commit")
def bare_commit():
    data = request.get_json(force=True)
    connection = _connection()
    cursor = connection.execute("INSERT INTO rows (body) VALUES (?)", (json.dumps(data),))
    connection.commit()
    return jsonify({"status": "approved", "comment": {"id": cursor.lastrowid}}), 201


@app.post("/bare/204")
@app.post("/api/v1/views")
def bare_204():
    return "", 204


if __name__ == "__main__":
    port, workers, threads = (int(arg) for arg in sys.argv[1:4])
    serve_wsgi(app, gunicorn_options("127.0.0.1", port, workers, threads, 10,
                                    worker_class=WORKER_CLASS))
