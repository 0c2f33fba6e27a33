"""Prometheus metrics: what engage counts, and ``GET /metrics`` that exposes them.

Other modules count through the small functions at the bottom (``request_answered``,
``comment_judged``, ``view_recorded``, ``views_flushed``); they never touch prometheus_client
themselves. The per-request ones only queue an event, which a publisher thread applies within
``PUBLISH_SECONDS`` (why: the comment above them).

Processes: ``engage serve`` runs several gunicorn worker *processes*, and a scrape reaches
only one of them. Counters must therefore add up across workers, so under gunicorn engage uses
prometheus_client's multiprocess mode: ``enable_multiprocess(directory)`` (called by
``engage.serving.gunicorn_app`` in the gunicorn master, before it forks) makes every worker write its values
to memory-mapped files in that directory, and a scrape merges the files of every worker, living
or exited (so a counter never goes backwards when a worker is replaced). Without it (tests, the
Flask dev server, one process) the values live in this process's private registry. Metric
objects are created lazily on first use, after the mode is chosen, so a worker's metrics are
always of the right kind.

Labels are bounded: the route is the URL rule (``/api/v1/comments/<int:comment_id>``), never the
raw path; rules and reasons come from fixed sets.
"""

from __future__ import annotations

import bisect
import collections
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable

from prometheus_client import (CollectorRegistry, Counter, Gauge, Histogram, generate_latest,
                               multiprocess, values)
from prometheus_client.core import GaugeMetricFamily

from engage.observability.drained_queue import DrainedQueue

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
    # (metric field, label values) → the labelled child; see ``_child``
    children: dict = field(default_factory=dict, compare=False)


_lock = threading.Lock()
_metrics: Metrics | None = None
_registry: CollectorRegistry | None = None  # private registry in single-process mode
_multiprocess_dir: str | None = None


def enable_multiprocess(directory: str) -> None:
    """Write metrics to ``directory`` (shared by every worker) instead of process memory.

    Call it in the parent before any worker forks. prometheus_client picks its value class from
    ``PROMETHEUS_MULTIPROC_DIR`` when first imported; the app is built (and this module imported)
    before ``engage serve`` knows it will fork, so the class is switched here explicitly, and
    metric objects made earlier in this process are dropped so that each worker makes its own.
    """
    global _metrics, _registry, _multiprocess_dir
    os.makedirs(directory, exist_ok=True)
    with _lock:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
        values.ValueClass = values.MultiProcessValue()
        _multiprocess_dir = directory
        _metrics, _registry = None, None


def multiprocess_dir() -> str | None:
    return _multiprocess_dir


def process_exited(pid: int) -> None:
    """gunicorn ``child_exit``: drop the live gauges of a worker that is gone."""
    if _multiprocess_dir:
        multiprocess.mark_process_dead(pid, _multiprocess_dir)


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
                if _multiprocess_dir:
                    _metrics = _build(None)  # values go to files; scrapes merge them
                else:
                    _registry = CollectorRegistry(auto_describe=True)
                    _metrics = _build(_registry)
            current = _metrics
    return current


# --------------------------------------------------------------------------- scrape


class _ScrapeTime:
    """Gauges computed when Prometheus scrapes: the queue sizes and the flush lag."""

    def __init__(self, queue_counts: Callable[[], dict[str, int] | None],
                 last_flush: Callable[[], float | None], clock: Callable[[], float]):
        self._queue_counts = queue_counts
        self._last_flush = last_flush
        self._clock = clock

    def collect(self) -> Iterable[GaugeMetricFamily]:
        counts = self._queue_counts()
        if counts is not None:
            family = GaugeMetricFamily("engage_moderation_comments",
                                       "Comments by status; pending is the moderation queue.",
                                       labels=["status"])
            for status, total in sorted(counts.items()):
                family.add_metric([status], total)
            yield family
        last = self._last_flush()
        if last is not None:
            yield GaugeMetricFamily("engage_views_flush_lag_seconds",
                                    "Seconds since the least recent successful view-count "
                                    "flush of any living worker.",
                                    value=max(0.0, self._clock() - last))


def exposition(queue_counts: Callable[[], dict[str, int] | None],
               clock: Callable[[], float] = time.time) -> bytes:
    """The text format of every metric, merged over all workers in multiprocess mode."""
    publish_pending()  # this process's own latest events
    metrics()  # make sure this process's metrics exist, even before its first request
    if _multiprocess_dir:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=_multiprocess_dir)
    else:
        registry = _registry
    families = list(registry.collect())
    body = generate_latest(_Fixed(families))
    last = _min_sample(families, "engage_views_last_flush_timestamp_seconds")
    extra = CollectorRegistry(auto_describe=False)
    extra.register(_ScrapeTime(queue_counts, lambda: last, clock))
    return body + generate_latest(extra)


class _Fixed:
    """Already collected families, so that one scrape reads the worker files only once."""

    def __init__(self, families):
        self._families = families

    def collect(self):
        return self._families


def _min_sample(families, name: str) -> float | None:
    found = [sample.value for family in families for sample in family.samples
             if sample.name == name]
    return min(found) if found else None


# --------------------------------------------------------------------------- counting API
#
# Request threads never write a metric themselves: prometheus_client's multiprocess values take
# a process-wide lock on every write (and each labelled metric has its own), which every request
# thread would take several times per request (the lock convoy ``engage.observability.drained_queue``
# describes). Each call below only queues an event; the queue's thread applies the events every
# PUBLISH_SECONDS. A scrape of this process and its shutdown publish what is pending first; the
# other workers' latest events may reach a scrape up to PUBLISH_SECONDS late.

PUBLISH_SECONDS = 0.25
# (metric field, label values) → amount, summed over one batch of events
_Increments = collections.Counter
_Observations = collections.defaultdict  # (metric field, label values) -> amounts to observe


def _apply_events(events: list[tuple[Callable, tuple]]) -> None:
    """Apply one batch of events: counter increments are summed first, so a batch of a
    thousand requests writes each (metric, labels) value once instead of a thousand times."""
    m = metrics()
    increments: _Increments = collections.Counter()
    observations: _Observations = collections.defaultdict(list)
    for apply, args in events:
        try:
            apply(m, increments, observations, *args)
        except Exception:  # a broken metric must not stop the others from being published
            logging.getLogger(__name__).exception("publishing a metric failed")
    for (name, labels), amount in increments.items():
        try:
            _child(m, name, labels).inc(amount)
        except Exception:
            logging.getLogger(__name__).exception("publishing a metric failed")
    for (name, labels), amounts in observations.items():
        try:
            observe_all(_child(m, name, labels), amounts)
        except Exception:
            logging.getLogger(__name__).exception("publishing a metric failed")


def observe_all(histogram, amounts: list[float]) -> None:
    """``histogram.observe(a)`` for each of ``amounts``, with one write per bucket touched and
    one for the sum, instead of two writes per amount.

    In multiprocess mode every write checks the process id (a system call) and packs a value
    into the shared file; at a few thousand requests a second that was most of the publisher's
    work. This relies on the attributes ``Histogram.observe`` itself uses (``_upper_bounds``,
    ``_buckets`` with one non-cumulative count per bucket, ``_sum``); where they are missing it
    observes one amount at a time. ``tests/observability/test_metric_events.py`` checks that
    both ways expose the same samples.
    """
    bounds = getattr(histogram, "_upper_bounds", None)
    buckets = getattr(histogram, "_buckets", None)
    total = getattr(histogram, "_sum", None)
    if bounds is None or buckets is None or total is None or len(bounds) != len(buckets):
        for amount in amounts:
            histogram.observe(amount)
        return
    per_bucket = [0] * len(bounds)
    for amount in amounts:
        per_bucket[bisect.bisect_left(bounds, amount)] += 1  # the first bound >= amount
    total.inc(sum(amounts))
    for bucket, count in zip(buckets, per_bucket):
        if count:
            bucket.inc(count)


def _child(m: Metrics, name: str, labels: tuple[str, ...]):
    """``getattr(m, name).labels(*labels)``, remembered: prometheus_client's ``labels``
    validates the values and takes the metric's lock on every call, and it cost the publisher
    more than writing the values did (py-spy, ``bench/views.py`` load)."""
    key = (name, labels)
    child = m.children.get(key)
    if child is None:
        child = m.children[key] = getattr(m, name).labels(*labels)
    return child


_events: DrainedQueue[tuple[Callable, tuple]] = DrainedQueue(
    _apply_events, PUBLISH_SECONDS, "engage-metrics")


def request_answered(method: str, route: str, status: int, seconds: float) -> None:
    _defer(_apply_request, (method, route, status, seconds))


def comment_judged(status: str, rules: Iterable[str]) -> None:
    """A new comment was stored with ``status``; ``rules`` are the rules that found something."""
    _defer(_apply_comment, (str(status), tuple(set(rules))))


def view_recorded(counted: bool, reason: str | None) -> None:
    """One POST /api/v1/views: counted, or dropped for ``reason`` (bot, prefetch, repeat, …)."""
    if counted:
        _defer(_apply_view, ("counted", ""))
    else:
        reason = getattr(reason, "value", reason)  # an enum member or a plain string
        _defer(_apply_view, ("dropped", str(reason or "unknown")))


def views_flushed(backend: str, stored: int | None, seconds: float, ok: bool, at: float) -> None:
    """A flush of ``backend``'s buffered view counts finished (``ok``) or failed.

    Written at once: flushes happen about once a second, on the flush thread, not per request.
    """
    m = metrics()
    m.flush_duration.observe(seconds)
    m.flushes.labels("ok" if ok else "failed").inc()
    if ok:
        m.flushed_views.inc(stored or 0)
        m.last_flush.labels(backend).set(at)


def publish_pending() -> None:
    """Apply every event counted so far in this process (scrapes, shutdown, tests)."""
    _events.drain()


def _apply_request(m: Metrics, increments: _Increments, observations: _Observations,
                   method: str, route: str, status: int, seconds: float) -> None:
    increments["requests", (method, route, str(status))] += 1
    observations["latency", (method, route)].append(seconds)


def _apply_comment(m: Metrics, increments: _Increments, observations: _Observations,
                   status: str, rules: tuple[str, ...]) -> None:
    increments["comments", (status,)] += 1
    for rule in rules:
        increments["rule_hits", (str(rule),)] += 1


def _apply_view(m: Metrics, increments: _Increments, observations: _Observations,
                outcome: str, reason: str) -> None:
    increments["views", (outcome, reason)] += 1


def _defer(apply: Callable, args: tuple) -> None:
    _events.put((apply, args))
