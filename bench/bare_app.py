"""The baseline: a bare Flask app served by gunicorn exactly as ``engage serve`` serves engage
(the same worker class: ``ENGAGE_WORKER_CLASS`` or the default).

Started by ``tests.servers.BareServer`` (``python bench/bare_app.py PORT WORKERS THREADS``).
Endpoints: ``GET /healthz`` (tiny JSON), ``GET /bare`` (a JSON body), ``POST /bare`` (parses
JSON, answers 201), ``POST /bare/204`` and ``POST /api/v1/views`` (204, for view-count
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


@app.post("/bare/204")
@app.post("/api/v1/views")
def bare_204():
    return "", 204


if __name__ == "__main__":
    port, workers, threads = (int(arg) for arg in sys.argv[1:4])
    serve_wsgi(app, gunicorn_options("127.0.0.1", port, workers, threads, 10,
                                    worker_class=WORKER_CLASS))
