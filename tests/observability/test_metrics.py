"""``GET /metrics``: who may read it, and what the app counts (single-process mode; the
multiprocess mode under gunicorn is covered end to end in tests/scale)."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from engage.observability import metrics

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
TOKEN = "metrics-token-for-tests"


def _samples(response) -> dict:
    assert response.status_code == 200, response.data
    found = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _get(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_loopback_without_a_proxy_may_read_metrics_others_may_not(client):
    assert client.get("/metrics").status_code == 200
    proxied = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.5"})
    assert proxied.status_code == 403 and proxied.json["error"]["code"] == "forbidden"
    remote = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.5"})
    assert remote.status_code == 403


class TestWithAToken:
    @pytest.fixture
    def config_overrides(self):
        return {"METRICS_TOKEN": TOKEN}

    def test_only_the_bearer_token_opens_metrics(self, client):
        assert client.get("/metrics").status_code == 403
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
        remote = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"},
                            environ_base={"REMOTE_ADDR": "203.0.113.5"})
        assert remote.status_code == 200


class TestDisabled:
    @pytest.fixture
    def config_overrides(self):
        return {"METRICS_ENABLED": False}

    def test_no_endpoint(self, client):
        assert client.get("/metrics").status_code == 404


def test_requests_views_and_comments_are_counted_by_route_outcome_and_verdict(client):
    before = _samples(client.get("/metrics"))
    client.post("/api/v1/views?article=/m", headers={"User-Agent": FIREFOX})
    client.post("/api/v1/views?article=/m", headers={"User-Agent": FIREFOX})
    client.post("/api/v1/views?article=/m", headers={"User-Agent": "Googlebot/2.1"})
    client.post("/api/v1/comments", json={"article": "/m", "author_name": "Ann",
                                          "author_email": "ann@example.com", "body": "Fine."})
    client.post("/api/v1/comments", json={"article": "/m", "author_name": "Bob", "phone": "1",
                                          "author_email": "bob@example.com", "body": "Spam?"})
    client.post("/api/v1/moderation/comments/42", json={"action": "approve"})  # no token
    after = _samples(client.get("/metrics"))

    def delta(name, **labels):
        return _get(after, name, **labels) - _get(before, name, **labels)

    assert delta("engage_views_total", outcome="counted", reason="") == 1
    assert delta("engage_views_total", outcome="dropped", reason="repeat") == 1
    assert delta("engage_views_total", outcome="dropped", reason="bot") == 1
    assert delta("engage_http_requests_total", method="POST", route="/api/v1/views",
                 status="200") == 3
    assert delta("engage_http_requests_total", method="POST", status="401",
                 route="/api/v1/moderation/comments/<int:comment_id>") == 1
    assert delta("engage_comments_total", status="approved") == 1
    assert delta("engage_comments_total", status="spam") == 1
    assert delta("engage_comment_rule_findings_total", rule="honeypot") == 1
    assert _get(after, "engage_moderation_comments", status="spam") == 1
    assert _get(after, "engage_moderation_comments", status="approved") == 1


def test_flush_lag_is_the_age_of_the_oldest_last_flush():
    metrics.views_flushed("test-backend", 3, 0.01, True, at=1000.0)
    try:
        body = metrics.exposition(lambda: None, clock=lambda: 1012.5).decode()
    finally:
        metrics.metrics().last_flush.remove("test-backend")
    lag = [line for line in body.splitlines()
           if line.startswith("engage_views_flush_lag_seconds ")]
    assert lag == ["engage_views_flush_lag_seconds 12.5"]
