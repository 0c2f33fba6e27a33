"""Run a built Flask app under gunicorn, in-process (no separate config file).

Each worker is a fork of this process with the app already built (``preload_app``), so
database engines are disposed after fork and every worker opens its own connections. When a
worker exits (graceful stop on SIGTERM), the app's shutdown callbacks flush what it buffered.
"""

from __future__ import annotations

from flask import Flask
from gunicorn.app.base import BaseApplication

from engage.db import db
from engage.lifecycle import shutdown


class _Gunicorn(BaseApplication):
    def __init__(self, app: Flask, options: dict):
        self._app = app
        self._options = options
        super().__init__()

    def load_config(self):
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        return self._app


def run_gunicorn(app: Flask, host: str, port: int, workers: int, threads: int,
                 graceful_timeout: int) -> None:
    def post_fork(server, worker):
        with app.app_context():
            db.engine.dispose(close=False)
        for hook in app.extensions.get("engage_post_fork", []):
            hook()

    def worker_exit(server, worker):
        shutdown(app)

    options = {
        "bind": f"{host}:{port}",
        "workers": max(1, workers),
        "threads": max(1, threads),
        "worker_class": "gthread",
        "graceful_timeout": graceful_timeout,
        "timeout": 60,
        "keepalive": 5,
        "preload_app": True,
        "accesslog": None,
        "post_fork": post_fork,
        "worker_exit": worker_exit,
    }
    _Gunicorn(app, options).run()
