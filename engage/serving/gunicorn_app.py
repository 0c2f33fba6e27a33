"""Run a built Flask app under gunicorn, in-process (no separate config file).

Each worker is a fork of this process with the app already built (``preload_app``), so
database engines are disposed after fork and every worker opens its own connections. When a
worker exits (graceful stop on SIGTERM), the app's shutdown callbacks flush what it buffered.

Metrics and logs: every worker writes its Prometheus values to the directory that
``prepare_process`` chose before the app was built (``engage.serving.metrics_directory``), so
that ``/metrics`` adds up every worker. Logs are JSON lines on stderr
(``engage.observability.logging``), at ``LOG_LEVEL``.
"""

from __future__ import annotations

import threading
import time

from flask import Flask, has_app_context
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger as GunicornLogger

from engage.config import DEFAULTS
from engage.db import db
from engage.serving import metrics_directory
from engage.serving.coalesced_response import install as install_coalesced_response
from engage.serving.lifecycle import shutdown, stop_serving
from engage.observability.logging import gunicorn_log_config
from engage.observability.metric_registry import process_exited


class NoAccessLogLogger(GunicornLogger):
    """gunicorn's logger without its access log.

    Its lines would carry raw client addresses, so engage never writes them (the
    ``engage.request`` record replaces them). Switching the ``gunicorn.access`` logger off is
    not enough: with a logging configuration given, gunicorn works out every field of a line
    for every request before the logger drops it, which cost as much as a bare Flask request's
    routing.
    """

    @property
    def access_log_enabled(self) -> bool:
        return False

    def access(self, resp, req, environ, request_time) -> None:
        return None


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


def gunicorn_options(host: str, port: int, workers: int, threads: int,
                     graceful_timeout: int, *, worker_class: str,
                     worker_connections: int = DEFAULTS["WORKER_CONNECTIONS"]) -> dict:
    """The gunicorn settings engage runs with (benchmarks serve their baselines the same way).

    The process must have been prepared for ``worker_class`` before the app was built
    (``engage.serving.worker_classes.prepare_process``). ``worker_connections`` bounds the
    connections one gevent worker holds at once (gunicorn's default, 1000, would queue the
    1001st live stream in the listen backlog).
    """
    return {
        "bind": f"{host}:{port}",
        "workers": max(1, workers),
        "threads": max(1, threads),
        "worker_class": worker_class,
        "worker_connections": max(1, worker_connections),
        "graceful_timeout": graceful_timeout,
        "timeout": 60,
        "keepalive": 5,
        "preload_app": True,
        "accesslog": None,
        "logger_class": NoAccessLogLogger,
    }


def serve_wsgi(app, options: dict) -> None:
    """Serve any WSGI ``app`` with gunicorn ``options`` until stopped (headers and body of an
    answer in one write: ``engage.serving.coalesced_response``)."""
    install_coalesced_response()
    _Gunicorn(app, options).run()


def _watch_stopping(app: Flask, worker, interval: float = 0.25) -> None:
    """Run the app's ``stop_serving`` callbacks as soon as ``worker`` is told to stop.

    gunicorn only flips ``worker.alive`` (in its signal handler) and then waits up to
    ``graceful_timeout`` for open connections; a worker has no hook for that moment, so a
    daemon thread (a greenlet under gevent) looks four times a second.
    """
    def watch():
        while worker.alive:
            time.sleep(interval)
        stop_serving(app)

    threading.Thread(target=watch, name="engage-stop-watch", daemon=True).start()


def run_gunicorn(app: Flask, host: str, port: int, workers: int, threads: int,
                 graceful_timeout: int, *, worker_class: str) -> None:
    """Serve ``app`` until stopped; ``prepare_process(worker_class)`` must have run before
    ``app`` was built."""
    def post_fork(server, worker):
        with app.app_context():
            db.engine.dispose(close=False)
        for hook in app.extensions.get("engage_post_fork", []):
            hook()

    def post_worker_init(worker):  # after gevent's hub is set up in the worker
        _watch_stopping(app, worker)

    def worker_exit(server, worker):
        shutdown(app)

    metrics_directory.prepare()  # done by prepare_process; raises if the app came first

    def child_exit(server, worker):
        process_exited(worker.pid)

    options = gunicorn_options(host, port, workers, threads, graceful_timeout,
                               worker_class=worker_class,
                               worker_connections=app.config["WORKER_CONNECTIONS"])
    # No control socket: its default path is one per user, so several instances on one
    # machine would take it from each other, and engage does not use it.
    options.update(post_fork=post_fork, post_worker_init=post_worker_init,
                   worker_exit=worker_exit, child_exit=child_exit,
                   control_socket_disable=True,
                   logconfig_dict=gunicorn_log_config(app.config["LOG_LEVEL"]))
    # Hand no database connection down to the workers: the startup checks ran in this
    # process's session, whose connection a forked worker would otherwise roll back over the
    # socket it shares with the master and its siblings when it exits (exit code 1 after a
    # database outage, interleaved protocol in the worst case).
    if has_app_context():  # a caller may still be inside an app context
        db.session.remove()
    with app.app_context():
        db.engine.dispose()
    serve_wsgi(app, options)
