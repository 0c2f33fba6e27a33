"""The metrics engage keeps, and where their values live.

Processes: ``engage serve`` runs several gunicorn worker *processes*, and a scrape reaches
only one of them, so under gunicorn the values are prometheus_client's multiprocess ones, in the
directory ``engage.serving.metrics_directory`` chose before the app was built; ``collect``
merges the files of every worker. Without it (tests, the Flask dev server, one process) the
values live in this process's private registry. Metric objects are created on first use.

Labels are bounded: the route is the URL rule (``/api/v1/comments/<int:comment_id>``), never the
raw path; rules and reasons come from fixed sets.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, multiprocess

from engage.serving.metrics_directory import prepared_directory

LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
FLUSH_BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0)


@dataclass(frozen=True)
class Metrics:
    """Every metric this process writes to."""

    requests: Counter
    latency: Histogram
    comments: Counter
    rule_hits: Counter
    views: Counter
    flushes: Counter
    flushed_views: Counter
    flush_duration: Histogram
    last_flush: Gauge
    # (metric field, label values) → the labelled child; see ``metric_events._child``
    children: dict = field(default_factory=dict, compare=False)


_lock = threading.Lock()
_metrics: Metrics | None = None
_registry: CollectorRegistry | None = None  # private registry in single-process mode


def multiprocess_dir() -> str | None:
    """Where every worker writes its values, or None when they stay in this process."""
    return prepared_directory()


def process_exited(pid: int) -> None:
    """gunicorn ``child_exit``: drop the live gauges of a worker that is gone."""
    directory = multiprocess_dir()
    if directory:
        multiprocess.mark_process_dead(pid, directory)


def _build(registry: CollectorRegistry | None) -> Metrics:
    kw = {"registry": registry}
    return Metrics(
        requests=Counter("engage_http_requests", "HTTP requests answered, by route and status.",
                         ["method", "route", "status"], **kw),
        latency=Histogram("engage_http_request_duration_seconds",
                          "Time from request start to response, by route.",
                          ["method", "route"], buckets=LATENCY_BUCKETS, **kw),
        comments=Counter("engage_comments", "New comments by stored status (the verdict).",
                         ["status"], **kw),
        rule_hits=Counter("engage_comment_rule_findings",
                          "Findings of each moderation rule on new comments.", ["rule"], **kw),
        views=Counter("engage_views", "View requests: counted, or dropped and why.",
                      ["outcome", "reason"], **kw),
        flushes=Counter("engage_views_flushes", "View-count flushes to the database.",
                        ["result"], **kw),
        flushed_views=Counter("engage_views_flushed", "Views stored in the database by flushes.",
                              **kw),
        flush_duration=Histogram("engage_views_flush_duration_seconds",
                                 "Time one flush of buffered view counts takes.",
                                 buckets=FLUSH_BUCKETS, **kw),
        # The oldest last-flush time of the living workers; its age is the flush lag.
        # Labelled so that a worker that never flushed has no sample (not a 0 that would win
        # the min); the oldest last flush of the living workers gives the flush lag.
        last_flush=Gauge("engage_views_last_flush_timestamp_seconds",
                         "Unix time of the last successful view-count flush.", ["backend"],
                         multiprocess_mode="livemin", **kw),
    )


def metrics() -> Metrics:
    """This process's metrics, created on first use (see the module docstring)."""
    global _metrics, _registry
    current = _metrics
    if current is None:
        with _lock:
            if _metrics is None:
                if multiprocess_dir():
                    _metrics = _build(None)  # values go to files; scrapes merge them
                else:
                    _registry = CollectorRegistry(auto_describe=True)
                    _metrics = _build(_registry)
            current = _metrics
    return current


def collect() -> list:
    """Every metric family, merged over all workers in multiprocess mode."""
    metrics()  # make sure this process's metrics exist, even before its first request
    directory = multiprocess_dir()
    if directory:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=directory)
    else:
        registry = _registry
    return list(registry.collect())
