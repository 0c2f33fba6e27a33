"""Observability: Prometheus metrics at ``GET /metrics`` and JSON-lines request logs.

``init_app(app)`` wires both; call it last in ``create_app`` (after the view counter exists):

- every request gets an ``X-Request-ID`` and one log line (``engage.observability.logging``)
  and is counted by route and status with its latency (``engage.observability.metrics``;
  request threads only queue these events, a publisher thread writes them, see there);
- view-count flushes are timed and counted (flush lag) by observing the counter's ``flush``;
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

from flask import Blueprint, Flask, Response, current_app, request

from engage.errors import ApiError
from engage.observability import logging as request_logging
from engage.observability import metrics

log = _logging.getLogger(__name__)
bp = Blueprint("observability", __name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class MetricsForbidden(ApiError):
    status, code = 403, "forbidden"


def init_app(app: Flask) -> None:
    """Wire request ids, request logs, metrics and ``/metrics`` into ``app``."""
    enabled = app.config["METRICS_ENABLED"]
    request_logging.init_app(app, on_response=metrics.request_answered if enabled else None)
    if not enabled:
        return
    app.register_blueprint(bp)
    from engage.serving.lifecycle import on_shutdown

    on_shutdown(app, metrics.publish_pending)  # a stopping worker's last events
    views = app.extensions.get("engage_pageviews")
    if views is not None and hasattr(views.counter, "counter"):
        backend = "redis" if app.config["REDIS_URL"] else "buffered"
        views.counter.counter = ObservedFlush(views.counter.counter, backend)


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
    from engage.db import db
    from engage.queue.counts import status_counts

    try:
        return status_counts(db.session)
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
