"""What operators see of a running cluster: /metrics adds up every gunicorn worker of an
instance, and the logs are JSON lines, one per request, with an id and no email or raw IP."""

from __future__ import annotations

import http.client
import json
import re
import time
import uuid

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.scale.http import FIREFOX
from tests.scale.readers import comment_from, reader, reader_ip
from tests.servers import connection_split

pytestmark = pytest.mark.slow

VIEWS = 40


def _samples(cluster, server) -> dict[tuple[str, tuple], float]:
    answer = cluster.http.get(f"{server.url}/metrics")
    assert answer.status == 200, answer.body
    assert answer.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(answer.body.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def _value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def _connections_on_both_workers(server, most: int = 32) -> list[http.client.HTTPConnection]:
    """Keep-alive connections to ``server`` until each of its two workers holds one.

    gunicorn's workers race to accept, so one worker may take every connection of a quiet
    client; a check of "adds up every worker" means nothing unless both answered."""
    connections = []
    for _ in range(most):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        connection.connect()
        connections.append(connection)
        deadline = time.monotonic() + 2
        split = connection_split(server)
        while split is not None and sum(split) < len(connections) and time.monotonic() < deadline:
            time.sleep(0.02)  # accepted a moment after connect returns
            split = connection_split(server)
        if split is not None and len(split) == 2 and min(split) > 0:
            return connections
    pytest.fail(f"both workers never held a connection: {connection_split(server)}")


def _post_view(connection, article: str, visitor) -> None:
    connection.request("POST", f"/api/v1/views?article={article}", body=b"",
                       headers={"X-Forwarded-For": reader_ip(visitor), "User-Agent": FIREFOX})
    response = connection.getresponse()
    response.read()
    assert response.status == 200


def test_metrics_add_up_every_worker_of_an_instance(cluster):
    article = f"/scale/metrics-{uuid.uuid4().hex[:8]}"
    before = _samples(cluster, cluster.a)
    connections = _connections_on_both_workers(cluster.a)
    visitors = [reader() for _ in range(max(VIEWS, len(connections)))]
    # Round-robin: every connection, so both workers, answers some of the views; each view
    # once, and the first five twice.
    for number, visitor in enumerate(visitors + visitors[:5]):
        _post_view(connections[number % len(connections)], article, visitor)
    for connection in connections:
        connection.close()
    views = len(visitors)
    after = _samples(cluster, cluster.a)

    def delta(name, **labels):
        return _value(after, name, **labels) - _value(before, name, **labels)

    # Workers publish their request metrics every quarter second (engage.observability.metrics);
    # a scrape answered by one worker may see the other's latest requests a little later.
    deadline = time.monotonic() + 10
    while (delta("engage_http_requests_total", method="POST", route="/api/v1/views",
                 status="200") < views + 5 and time.monotonic() < deadline):
        time.sleep(0.1)
        after = _samples(cluster, cluster.a)
    assert delta("engage_views_total", outcome="counted", reason="") == views
    assert delta("engage_views_total", outcome="dropped", reason="repeat") == 5
    assert delta("engage_http_requests_total", method="POST", route="/api/v1/views",
                 status="200") == views + 5
    assert delta("engage_http_request_duration_seconds_count", method="POST",
                 route="/api/v1/views") == views + 5
    assert ("engage_moderation_comments", (("status", "pending"),)) in after
    # Each worker flushes its counts about once a second; then the flush lag is reported.
    deadline = time.monotonic() + 10
    while ("engage_views_flush_lag_seconds", ()) not in after and time.monotonic() < deadline:
        time.sleep(0.25)
        after = _samples(cluster, cluster.a)
    assert 0 <= after[("engage_views_flush_lag_seconds", ())] < 60
    assert _value(after, "engage_views_flushes_total", result="ok") > 0
    # Routes are URL rules: the article (or any raw path) never becomes a label.
    assert not any(article in str(key) for key in after)


def test_metrics_are_refused_through_a_proxy_without_the_token(cluster):
    answer = cluster.http.get(f"{cluster.a.url}/metrics",
                              headers={"X-Forwarded-For": "203.0.113.9"})
    assert answer.status == 403
    assert answer.json["error"]["code"] == "forbidden"


def test_logs_are_json_lines_with_request_ids_and_no_email_or_raw_ip(cluster):
    number = reader()
    body, headers = comment_from(number, f"/scale/logs-{uuid.uuid4().hex[:8]}")
    request_id = f"test-{uuid.uuid4().hex}"
    posted = cluster.http.post(f"{cluster.a.url}/api/v1/comments", json_body=body,
                               headers={**headers, "X-Request-ID": request_id})
    assert posted.status in (201, 202)
    assert posted.headers["x-request-id"] == request_id
    generated = cluster.http.get(f"{cluster.a.url}/healthz").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)

    # INFO lines are written in batches, a tenth of a second apart (BatchedStreamHandler).
    deadline = time.monotonic() + 10
    while True:
        log = cluster.a.log_path.read_text()
        records = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
        mine = [r for r in records if r.get("request_id") == request_id]
        if mine or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(mine) == 1
    assert mine[0] | {"duration_ms": 0} == {
        "ts": mine[0]["ts"], "level": "info", "logger": "engage.request",
        "msg": f"POST /api/v1/comments {posted.status}", "request_id": request_id,
        "event": "request", "method": "POST", "route": "/api/v1/comments",
        "status": posted.status, "duration_ms": 0, "client": reader_ip(number)[:-1] + "0/24"}
    # Across everything both instances logged in this run (outages included): JSON lines
    # only, besides the startup banner, and no reader's email or address.
    for server in cluster.servers:
        text = server.log_path.read_text()
        # the banner: where it listens, and why no mail goes out (no ENGAGE_SMTP_URL here)
        assert [line for line in text.splitlines() if line and not line.startswith("{")
                and not line.startswith(("engage listening on", "Mail is off:"))] == []
        assert "@example.org" not in text
        assert not re.search(r"\b10\.\d+\.\d+\.7\b", text)
