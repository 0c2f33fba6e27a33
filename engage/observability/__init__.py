"""Observability: Prometheus metrics at ``GET /metrics`` and JSON-lines request logs.

``init_app(app, comment_counts)`` wires both (``comment_counts(session)`` gives the comments per
status that ``/metrics`` reports):

- every request gets an ``X-Request-ID`` and one log line (``engage.observability.logging``)
  and is counted by route and status with its latency (``engage.observability.metrics``;
  request threads only queue these events, a publisher thread writes them, see there);
- view-count flushes are timed and counted (flush lag): the view counter is built wrapped in
  ``observed_flush`` (``engage.pageviews.routes.init_app``);
- ``GET /metrics`` serves the Prometheus text format.

Who may read ``/metrics`` (``METRICS_TOKEN``):
- set: only requests with ``Authorization: Bearer <METRICS_TOKEN>``;
- empty (default): only direct connections from the loopback address that do not come through
  a proxy (no ``X-Forwarded-For``/``Forwarded`` header), so that a Prometheus on the same host
  can scrape, and nginx on the same host does not publish the metrics to the world.
``METRICS_ENABLED`` off removes the endpoint (404) and the request metrics.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging as _logging  # not "logging": that name is this package's submodule
import time
from typing import Callable

from flask import Blueprint, Flask, Response, current_app, request
from sqlalchemy.orm import Session

from engage.db import db
from engage.errors import ApiError
from engage.observability import logging as request_logging
from engage.observability import metrics
from engage.serving.lifecycle import on_shutdown

log = _logging.getLogger(__name__)
bp = Blueprint("observability", __name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
EXTENSION = "engage.observability"


class MetricsForbidden(ApiError):
    status, code = 403, "forbidden"


def init_app(app: Flask, comment_counts: Callable[[Session], dict[str, int]]) -> None:
    """Wire request ids, request logs, metrics and ``/metrics`` into ``app``."""
    enabled = app.config["METRICS_ENABLED"]
    request_logging.init_app(app, on_response=metrics.request_answered if enabled else None)
    if not enabled:
        return
    app.extensions[EXTENSION] = comment_counts
    app.register_blueprint(bp)
    on_shutdown(app, metrics.publish_pending)  # a stopping worker's last events


def observed_flush(app: Flask, counter, backend: str):
    """``counter`` with its flushes timed and counted when ``app`` has metrics on, else
    ``counter`` itself."""
    if not app.config["METRICS_ENABLED"]:
        return counter
    return ObservedFlush(counter, backend)


class ObservedFlush:
    """A view counter whose ``flush`` is timed and counted; everything else passes through."""

    def __init__(self, counter, backend: str, clock=time.time):
        self._counter = counter
        self._backend = backend
        self._clock = clock

    def flush(self, now):
        started = time.perf_counter()
        try:
            stored = self._counter.flush(now)
        except Exception:
            metrics.views_flushed(self._backend, None, time.perf_counter() - started, False,
                                  self._clock())
            raise
        metrics.views_flushed(self._backend, stored, time.perf_counter() - started, True,
                              self._clock())
        return stored

    def __getattr__(self, name):
        return getattr(self._counter, name)


def _allowed() -> bool:
    token = current_app.config["METRICS_TOKEN"]
    if token:
        sent = request.headers.get("Authorization", "")
        return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
    if request.headers.get("X-Forwarded-For") or request.headers.get("Forwarded"):
        return False
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


def _queue_counts() -> dict[str, int] | None:
    """Comments per status from the maintained counts table, or None if the database fails."""
    try:
        return current_app.extensions[EXTENSION](db.session)
    except Exception as error:  # a scrape still reports everything else
        db.session.rollback()
        log.warning("metrics: comment counts unavailable (%s)", type(error).__name__)
        return None


@bp.get("/metrics")
def metrics_endpoint() -> Response:
    if not _allowed():
        raise MetricsForbidden("Metrics are readable with the metrics token or from localhost.")
    response = Response(metrics.exposition(_queue_counts), content_type=CONTENT_TYPE)
    response.headers["Cache-Control"] = "no-store"
    return response
