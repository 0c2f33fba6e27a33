"""Request threads queue metric events; the publisher thread and scrapes apply them."""

from __future__ import annotations

import time

from engage.observability import metric_events, metrics


def _requests(route: str) -> float:
    return metrics.metrics().requests.labels("GET", route, "200")._value.get()


def test_events_reach_the_metrics_without_a_scrape():
    route = "/test/published-by-thread"
    metrics.publish_pending()
    before = _requests(route)
    metrics.request_answered("GET", route, 200, 0.01)
    deadline = time.monotonic() + 5
    while _requests(route) == before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _requests(route) == before + 1


def test_a_scrape_publishes_this_processes_pending_events_first():
    route = "/test/published-by-scrape"
    metrics.publish_pending()
    metrics.request_answered("GET", route, 200, 0.01)
    metrics.request_answered("GET", route, 200, 0.02)
    text = metrics.exposition(lambda: None).decode()
    assert f'engage_http_requests_total{{method="GET",route="{route}",status="200"}} 2.0' in text


def test_events_from_many_threads_are_all_counted():
    import threading

    route = "/test/many-threads"
    metrics.publish_pending()
    before = _requests(route)

    def answer():
        for _ in range(1000):
            metrics.request_answered("GET", route, 200, 0.001)

    threads = [threading.Thread(target=answer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    metrics.publish_pending()
    assert _requests(route) == before + 8000


def test_a_batch_of_mixed_events_adds_each_label_its_own_count():
    """The publisher sums a batch's increments per (metric, labels) before writing them."""
    route = "/test/mixed-batch"
    metrics.publish_pending()
    m = metrics.metrics()
    before = {status: m.requests.labels("POST", route, status)._value.get()
              for status in ("200", "422")}
    views_before = {reason: m.views.labels("dropped", reason)._value.get()
                    for reason in ("bot", "repeat")}
    latency_before = m.latency.labels("POST", route)._sum.get()
    for status, seconds in ((200, 0.5), (422, 0.25), (200, 0.125)):
        metrics.request_answered("POST", route, status, seconds)
    for reason in ("bot", "repeat", "repeat"):
        metrics.view_recorded(False, reason)
    metrics.publish_pending()
    assert m.requests.labels("POST", route, "200")._value.get() == before["200"] + 2
    assert m.requests.labels("POST", route, "422")._value.get() == before["422"] + 1
    assert m.views.labels("dropped", "bot")._value.get() == views_before["bot"] + 1
    assert m.views.labels("dropped", "repeat")._value.get() == views_before["repeat"] + 2
    assert m.latency.labels("POST", route)._sum.get() == latency_before + 0.875


def test_a_batch_of_observations_exposes_what_observing_one_by_one_would():
    from prometheus_client import CollectorRegistry, Histogram

    amounts = [0.0, 0.001, 0.0049, 0.005, 0.0051, 0.07, 0.1, 0.3, 2.5, 2.5, 11.0, 1e6]
    exposed = []
    for observe in (lambda child: metric_events.observe_all(child, amounts),
                    lambda child: [child.observe(amount) for amount in amounts]):
        registry = CollectorRegistry()
        histogram = Histogram("probe_seconds", "probe", ["route"], registry=registry,
                              buckets=(0.005, 0.01, 0.1, 0.5, 2.5, 10.0))
        observe(histogram.labels("/r"))
        exposed.append(sorted((sample.name, tuple(sorted(sample.labels.items())), sample.value)
                              for family in registry.collect() for sample in family.samples
                              if not sample.name.endswith("_created")))
    batched, one_by_one = exposed
    assert batched == one_by_one
    assert ("probe_seconds_bucket", (("le", "0.005"), ("route", "/r")), 4.0) in batched
