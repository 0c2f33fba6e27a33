"""Prometheus metrics: what engage counts, and the exposition ``GET /metrics`` serves.

Other modules count through the small functions below (``request_answered``,
``comment_judged``, ``view_recorded``, ``views_flushed``); they never touch prometheus_client
themselves. The per-request ones only queue an event, which the publisher thread applies within
``PUBLISH_SECONDS`` (why: ``engage.observability.metric_events``). The metric objects and the
process mode (the values of every gunicorn worker add up) are in
``engage.observability.metric_registry``.
"""

from __future__ import annotations

import time
from typing import Callable, Iterable

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

from engage.observability.metric_events import Increments, Observations, defer, publish_pending
from engage.observability.metric_registry import Metrics, collect, metrics

# --------------------------------------------------------------------------- counting API


def request_answered(method: str, route: str, status: int, seconds: float) -> None:
    defer(_apply_request, (method, route, status, seconds))


def comment_judged(status: str, rules: Iterable[str]) -> None:
    """A new comment was stored with ``status``; ``rules`` are the rules that found something."""
    defer(_apply_comment, (str(status), tuple(set(rules))))


def view_recorded(counted: bool, reason: str | None) -> None:
    """One POST /api/v1/views: counted, or dropped for ``reason`` (bot, prefetch, repeat, …)."""
    if counted:
        defer(_apply_view, ("counted", ""))
    else:
        reason = getattr(reason, "value", reason)  # an enum member or a plain string
        defer(_apply_view, ("dropped", str(reason or "unknown")))


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


def _apply_request(m: Metrics, increments: Increments, observations: Observations,
                   method: str, route: str, status: int, seconds: float) -> None:
    increments["requests", (method, route, str(status))] += 1
    observations["latency", (method, route)].append(seconds)


def _apply_comment(m: Metrics, increments: Increments, observations: Observations,
                   status: str, rules: tuple[str, ...]) -> None:
    increments["comments", (status,)] += 1
    for rule in rules:
        increments["rule_hits", (str(rule),)] += 1


def _apply_view(m: Metrics, increments: Increments, observations: Observations,
                outcome: str, reason: str) -> None:
    increments["views", (outcome, reason)] += 1


# --------------------------------------------------------------------------- scrape


def exposition(queue_counts: Callable[[], dict[str, int] | None],
               clock: Callable[[], float] = time.time) -> bytes:
    """The text format of every metric, merged over all workers in multiprocess mode."""
    publish_pending()  # this process's own latest events
    families = collect()
    body = generate_latest(_Fixed(families))
    last = _min_sample(families, "engage_views_last_flush_timestamp_seconds")
    extra = CollectorRegistry(auto_describe=False)
    extra.register(_ScrapeTime(queue_counts, lambda: last, clock))
    return body + generate_latest(extra)


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
