"""X-Forwarded-Proto is believed only from a trusted proxy (cookies keep Secure behind TLS)."""

import pytest


@pytest.fixture
def config_overrides():
    return {"TRUSTED_PROXIES": ("10.0.0.1",)}


def login_cookie(client, remote_addr):
    client.get("/", environ_base={"REMOTE_ADDR": remote_addr})  # fresh jar per call below
    response = client.get("/login", environ_base={"REMOTE_ADDR": remote_addr},
                          headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    return " ".join(response.headers.getlist("Set-Cookie"))


def test_https_behind_a_trusted_proxy_gives_secure_cookies(app):
    assert "Secure" in login_cookie(app.test_client(), "10.0.0.1")


def test_a_client_cannot_claim_https_itself(app):
    assert "Secure" not in login_cookie(app.test_client(), "203.0.113.9")
