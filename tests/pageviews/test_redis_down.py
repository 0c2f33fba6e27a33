"""With Redis configured but down, nothing fails: views count in the embedded buffer and
/healthz says the counter is degraded."""

import pytest

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture
def config_overrides():
    return {"REDIS_URL": "redis://127.0.0.1:1/0"}


def test_views_are_counted_and_read_without_redis(client):
    response = client.post("/api/v1/views?article=/a", headers={"User-Agent": FIREFOX})
    assert response.status_code == 200 and response.json["counted"] is True
    assert client.post("/api/v1/views?article=/a", headers={"User-Agent": FIREFOX}).json == {
        "article": "/a", "views": 1, "counted": True}
    for path in ("/api/v1/views?article=/a", "/api/v1/badge.svg?article=/a",
                 "/api/v1/views/daily?article=/a", "/api/v1/views/top", "/api/v1/counts?article=/a"):
        assert client.get(path).status_code == 200, path


def test_health_is_degraded_but_up(client):
    client.post("/api/v1/views?article=/a", headers={"User-Agent": FIREFOX})
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["checks"]["views"]["status"] == "degraded"
