"""The publisher: request threads queue metric events, one thread per process writes them.

Why: prometheus_client's multiprocess values take a process-wide lock on every write (and each
labelled metric has its own), which every request thread would take several times per request
(the lock convoy ``engage.observability.drained_queue`` describes). ``defer`` only queues an
event; the queue's thread applies the events every ``PUBLISH_SECONDS``. A scrape of this process
and its shutdown publish what is pending first; the other workers' latest events may reach a
scrape up to ``PUBLISH_SECONDS`` late.
"""

from __future__ import annotations

import bisect
import collections
import logging
from typing import Callable

from engage.observability.drained_queue import DrainedQueue
from engage.observability.metric_registry import Metrics, metrics

PUBLISH_SECONDS = 0.25
# (metric field, label values) → amount, summed over one batch of events
Increments = collections.Counter
Observations = collections.defaultdict  # (metric field, label values) -> amounts to observe


def _apply_events(events: list[tuple[Callable, tuple]]) -> None:
    """Apply one batch of events: counter increments are summed first, so a batch of a
    thousand requests writes each (metric, labels) value once instead of a thousand times."""
    m = metrics()
    increments: Increments = collections.Counter()
    observations: Observations = collections.defaultdict(list)
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


def defer(apply: Callable, args: tuple) -> None:
    """Queue ``apply(metrics, increments, observations, *args)`` for the publisher thread."""
    _events.put((apply, args))


def publish_pending() -> None:
    """Apply every event counted so far in this process (scrapes, shutdown, tests)."""
    _events.drain()
