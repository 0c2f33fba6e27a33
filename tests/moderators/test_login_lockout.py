"""Who a lockout locks out: the networks that guessed, never a moderator's known browser.

Each test client is one browser; ``REMOTE_ADDR`` says which network it is on.
"""

from __future__ import annotations

import secrets

import pytest

from engage.moderators.login_devices import COOKIE
from tests.moderator_fixtures import login_form_token

GUESSER, OFFICE, HOME = "203.0.113.7", "198.51.100.20", "192.0.2.44"


@pytest.fixture
def config_overrides():
    return {"LOGIN_MAX_FAILURES": 3, "LOGIN_MAX_FAILURES_PER_IP": 6,
            "LOGIN_MAX_FAILURES_PER_NAME": 8}


def attempt(browser, name: str, password: str, network: str) -> int:
    token = secrets.token_urlsafe(16)  # the form's double-submit token: cookie == field
    browser.set_cookie("engage_login_csrf", token, path="/login")
    return browser.post("/login", data={"name": name, "password": password,
                                        "csrf_token": token},
                        environ_base={"REMOTE_ADDR": network}).status_code


def guess(app, name: str, network: str, times: int) -> list[int]:
    browser = app.test_client()
    return [attempt(browser, name, "not the password", network) for _ in range(times)]


def test_failures_lock_the_name_on_that_network_only(app, moderator):
    assert guess(app, moderator.name, GUESSER, 3) == [401, 401, 429]
    assert attempt(app.test_client(), moderator.name, moderator.password, GUESSER) == 429
    assert attempt(app.test_client(), moderator.name, moderator.password, OFFICE) == 302


def test_a_known_browser_is_not_locked_out_by_failures_on_its_own_network(app, moderator):
    browser = app.test_client()
    assert attempt(browser, moderator.name, moderator.password, OFFICE) == 302
    assert browser.get_cookie(COOKIE, path="/login") is not None
    guess(app, moderator.name, OFFICE, 6)  # someone else in the office: network locked
    assert attempt(app.test_client(), moderator.name, moderator.password, OFFICE) == 429
    assert attempt(browser, moderator.name, moderator.password, OFFICE) == 302


def test_guessing_from_many_networks_locks_new_browsers_but_not_known_ones(app, moderator):
    browser = app.test_client()
    assert attempt(browser, moderator.name, moderator.password, HOME) == 302
    for n in range(4):  # 2 failures from each of 4 networks: 8 for the name
        guess(app, moderator.name, f"10.0.{n}.1", 2)
    assert attempt(app.test_client(), moderator.name, moderator.password, OFFICE) == 429
    assert attempt(browser, moderator.name, moderator.password, OFFICE) == 302


def test_a_known_browser_has_its_own_limit(app, moderator):
    browser = app.test_client()
    assert attempt(browser, moderator.name, moderator.password, HOME) == 302
    assert [attempt(browser, moderator.name, "wrong password", HOME) for _ in range(3)] == \
        [401, 401, 429]
    assert attempt(browser, moderator.name, moderator.password, HOME) == 429
    # its failures are its own: another browser on the same network is not locked out
    assert attempt(app.test_client(), moderator.name, moderator.password, HOME) == 302


def test_a_browser_cookie_counts_only_for_its_name_and_only_when_genuine(app, moderator):
    browser = app.test_client()
    assert attempt(browser, moderator.name, moderator.password, HOME) == 302
    guess(app, "someone-else", HOME, 3)
    assert attempt(browser, "someone-else", "not the password", HOME) == 429  # not exempt
    forged = app.test_client()
    forged.set_cookie(COOKIE, "eyJuIjoiYWxpY2UiLCJiIjoieCJ9.forged", path="/login")
    guess(app, moderator.name, GUESSER, 3)
    assert attempt(forged, moderator.name, moderator.password, GUESSER) == 429


def test_the_browser_cookie_is_http_only_and_sent_to_the_login_form_only(app, moderator):
    browser = app.test_client()
    login_form_token(browser)
    token = browser.get_cookie("engage_login_csrf", path="/login").value
    response = browser.post("/login", data={"name": moderator.name, "csrf_token": token,
                                            "password": moderator.password})
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE)]
    assert "HttpOnly" in header and "Path=/login" in header and "SameSite=Lax" in header
