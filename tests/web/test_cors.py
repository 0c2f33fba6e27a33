"""Browsers may call the public API only from the configured site origins."""

import pytest

SITE = "https://news.example"


@pytest.fixture
def config_overrides():
    return {"ALLOWED_ORIGINS": (SITE,), "DEMO_ENABLED": False}


def test_an_allowed_origin_gets_cors_headers(client):
    response = client.get("/api/v1/comments?article=/a", headers={"Origin": SITE})
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    assert "Origin" in response.headers["Vary"]


def test_another_origin_gets_none(client):
    response = client.get("/api/v1/comments?article=/a", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_preflight_for_a_json_post_is_answered_for_allowed_origins_only(client):
    headers = {"Origin": SITE, "Access-Control-Request-Method": "POST",
               "Access-Control-Request-Headers": "content-type"}
    allowed = client.options("/api/v1/comments", headers=headers)
    assert allowed.status_code == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == SITE
    assert "Content-Type" in allowed.headers["Access-Control-Allow-Headers"]
    denied = client.options("/api/v1/comments", headers={**headers, "Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in denied.headers


def test_moderation_api_never_answers_cross_origin(client):
    response = client.get("/api/v1/moderation/comments", headers={"Origin": SITE})
    assert "Access-Control-Allow-Origin" not in response.headers
