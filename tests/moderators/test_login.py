"""Login and logout pages: sessions, cookie flags, CSRF, lockout."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engage.moderators.sessions import COOKIE_NAME, ModeratorSession
from tests.moderator_fixtures import log_in, login_form_token, page_csrf


def cookie_header(response, name: str) -> str:
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]
    assert headers, f"no {name} cookie set"
    return headers[-1]


def test_pages_redirect_to_login_when_logged_out(client):
    response = client.get("/moderate?status=spam")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_login_starts_a_server_side_session_with_safe_cookie_flags(client, db_session, moderator):
    response = log_in(client, moderator.name, moderator.password)
    assert response.status_code == 302 and response.headers["Location"] == "/moderate"
    header = cookie_header(response, COOKIE_NAME)
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Path=/" in header
    assert "Secure" not in header  # plain HTTP in this test
    cookie_value = header.split(";", 1)[0].split("=", 1)[1]
    stored = db_session.scalars(select(ModeratorSession)).one()
    assert cookie_value != stored.id_hash and len(cookie_value) >= 40  # only a hash is stored
    assert client.get("/moderate").status_code == 200


def test_cookie_is_secure_over_https(client, moderator):
    client.get("/login", base_url="https://moderate.example")
    token = client.get_cookie("engage_login_csrf", domain="moderate.example", path="/login").value
    response = client.post("/login", base_url="https://moderate.example",
                           data={"name": moderator.name, "password": moderator.password,
                                 "csrf_token": token})
    assert response.status_code == 302
    assert "Secure" in cookie_header(response, COOKIE_NAME)


def test_wrong_password_says_so_without_naming_which_part(client, moderator):
    for name in (moderator.name, "nobody"):
        response = log_in(client, name, "not the password")
        assert response.status_code == 401
        assert "Wrong name or password." in response.get_data(as_text=True)
    assert client.get("/moderate").status_code == 302


def test_login_form_without_its_csrf_token_is_refused(client, moderator):
    client.get("/login")
    response = client.post("/login", data={"name": moderator.name,
                                           "password": moderator.password})
    assert response.status_code == 400
    assert COOKIE_NAME not in str(response.headers.getlist("Set-Cookie"))


def test_lockout_after_five_failures_refuses_even_the_right_password_and_says_when(client,
                                                                                   moderator):
    for _ in range(4):
        assert log_in(client, moderator.name, "guess guess guess").status_code == 401
    fifth = log_in(client, moderator.name, "guess guess guess")
    assert fifth.status_code == 429
    text = fifth.get_data(as_text=True)
    assert re.search(r"Try again at \d\d:\d\d UTC \(in 15 minutes\)", text)
    assert 890 <= int(fifth.headers["Retry-After"]) <= 900
    right = log_in(client, moderator.name, moderator.password)
    assert right.status_code == 429
    assert client.get("/moderate").status_code == 302


@pytest.fixture
def config_overrides():
    return {"LOGIN_MAX_FAILURES_PER_IP": 9}


def test_the_ip_prefix_is_locked_across_names(client, moderator):
    for i in range(9):
        log_in(client, f"guess{i}", "guess guess guess")
    response = log_in(client, moderator.name, moderator.password)
    assert response.status_code == 429


def test_a_successful_login_resets_the_name_counter(client, moderator):
    for _ in range(4):
        log_in(client, moderator.name, "guess guess guess")
    assert log_in(client, moderator.name, moderator.password).status_code == 302
    client.delete_cookie(COOKIE_NAME)
    for _ in range(4):
        assert log_in(client, moderator.name, "guess guess guess").status_code == 401


@pytest.mark.parametrize("target, expected", [
    ("/moderate?status=spam", "/moderate?status=spam"),
    ("https://evil.example/", "/moderate"),
    ("//evil.example/", "/moderate"),
    ("/\\evil.example", "/moderate"),
])
def test_next_only_redirects_within_the_site(client, moderator, target, expected):
    response = log_in(client, moderator.name, moderator.password, next=target)
    assert response.headers["Location"] == expected


def test_logout_needs_the_csrf_token_and_kills_the_session(logged_in, db_session):
    forged = logged_in.post("/logout")
    assert forged.status_code == 403
    assert logged_in.get("/moderate").status_code == 200
    response = logged_in.post("/logout", data={"csrf_token": logged_in.csrf})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert db_session.scalars(select(ModeratorSession)).all() == []
    assert logged_in.get("/moderate").status_code == 302


def test_a_kept_cookie_is_useless_after_logout(client, moderator):
    log_in(client, moderator.name, moderator.password)
    stolen = client.get_cookie(COOKIE_NAME).value
    client.post("/logout", data={"csrf_token": page_csrf(client.get("/moderate").get_data(as_text=True))})
    client.set_cookie(COOKIE_NAME, stolen)
    assert client.get("/moderate").status_code == 302


def test_login_page_carries_a_fresh_form_token(client):
    assert login_form_token(client)


def test_the_login_page_is_never_cached_or_framed(client):
    response = client.get("/login")
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


class TestWithRedis:
    """The lockout is shared through Redis when it is configured."""

    @pytest.fixture
    def config_overrides(self, redis_url, redis_prefix):
        return {"REDIS_URL": redis_url, "REDIS_PREFIX": redis_prefix}

    def test_lockout_through_redis(self, client, db_session, moderator):
        from engage.moderators.login_limits import LoginFailure

        for _ in range(4):
            assert log_in(client, moderator.name, "guess guess guess").status_code == 401
        assert log_in(client, moderator.name, "guess guess guess").status_code == 429
        assert db_session.scalars(select(LoginFailure)).all() == []  # counted in Redis
