"""Login lockouts against a real ``engage serve`` with two gevent workers, on SQLite and
PostgreSQL (and Redis): parallel guesses get no more password checks than the limit, and
they lock out the guesser's network, not the moderator.

engage runs behind a "proxy" here: the test is the proxy, trusted as a CIDR network
(``127.0.0.0/8``), and says which network each attempt comes from in ``X-Forwarded-For``.
"""

from __future__ import annotations

import http.client
import secrets
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, func, select

from engage import create_app
from engage.config import database_url
from engage.db import db
from engage.moderators.accounts import create_moderator
from engage.moderators.login_limits import LoginFailure
from tests.conftest import BASE_TEST_CONFIG
from tests.servers import EngageServer, free_port

pytestmark = pytest.mark.slow

NAME, PASSWORD = "editor", "the editor's long password"
GUESSER, MODERATOR = "203.0.113.7", "198.51.100.20"
ATTEMPTS = 30
LIMIT = 5


def _start(database: str, tmp_path: Path, **settings) -> EngageServer:
    settings = {**BASE_TEST_CONFIG, "INSTANCE_PATH": str(tmp_path), "DATABASE_URL": database,
                "DEMO_ENABLED": False, "TRUSTED_PROXIES": "127.0.0.0/8",
                "LOGIN_MAX_FAILURES": LIMIT, **settings}
    app = create_app(settings)
    with app.app_context():
        create_moderator(db.session, NAME, PASSWORD)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    server = EngageServer({**settings, "WORKER_CLASS": "gevent"}, port=free_port(), workers=2)
    server.start()
    return server


@pytest.fixture(params=["database", "redis"])
def server(request, database, tmp_path):
    shared = {}
    if request.param == "redis":
        shared = {"REDIS_URL": request.getfixturevalue("redis_url"),
                  "REDIS_PREFIX": request.getfixturevalue("redis_prefix")}
    server = _start(database, tmp_path, **shared)
    yield server
    server.stop()


@pytest.fixture
def sql_server(database, tmp_path):
    server = _start(database, tmp_path)
    yield server
    server.stop()


def log_in(server: EngageServer, password: str, network: str,
           cookie: str = "") -> tuple[int, str]:
    """One login form post from ``network``: the status (302: logged in) and the browser
    cookie it set, as a ``Cookie`` header part ("" if none)."""
    token = secrets.token_urlsafe(16)  # the form's double-submit token: cookie == field
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        connection.request("POST", "/login", body=urlencode(
            {"name": NAME, "password": password, "csrf_token": token}), headers={
            "Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": network,
            "Cookie": f"engage_login_csrf={token}; {cookie}"})
        response = connection.getresponse()
        response.read()
        browser = [value.split(";", 1)[0] for name, value in response.getheaders()
                   if name.lower() == "set-cookie" and value.startswith("engage_login_browser=")]
        return response.status, "; ".join(browser)
    finally:
        connection.close()


def guess_in_parallel(server: EngageServer, network: str) -> list[int]:
    with ThreadPoolExecutor(ATTEMPTS) as pool:
        return list(pool.map(lambda _: log_in(server, "a wrong guess!", network)[0],
                             range(ATTEMPTS)))


def password_checks(server: EngageServer) -> int:
    """How many attempts were let through to a password check: each is counted against its
    network's key, whatever network that is."""
    if server.settings.get("REDIS_URL"):
        import redis

        client = redis.Redis.from_url(server.settings["REDIS_URL"])
        pattern = f"{server.settings['REDIS_PREFIX']}login-failures:ip:*"
        return sum(client.zcard(key) for key in client.scan_iter(match=pattern))
    engine = create_engine(database_url(server.settings["DATABASE_URL"], Path(".")))
    with engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(LoginFailure)
                                  .where(LoginFailure.key.like("ip:%")))
    engine.dispose()
    return count


def test_parallel_guesses_get_no_more_password_checks_than_the_limit(server):
    statuses = guess_in_parallel(server, GUESSER)
    # 401 for a failed check that left room, 429 for the rest (also for a failed check that
    # filled the limit: in parallel, usually all of them)
    assert set(statuses) <= {401, 429} and statuses.count(401) <= LIMIT - 1
    assert password_checks(server) == LIMIT


def test_a_lockout_costs_the_guessers_network_not_the_moderator(sql_server):
    status, browser = log_in(sql_server, PASSWORD, MODERATOR)  # the moderator's own browser
    assert status == 302
    guess_in_parallel(sql_server, GUESSER)
    guess_in_parallel(sql_server, MODERATOR)  # even from the moderator's own network
    # Each network that guessed is locked out, even with the right password ...
    assert log_in(sql_server, PASSWORD, GUESSER)[0] == 429
    assert log_in(sql_server, PASSWORD, MODERATOR)[0] == 429
    # ... but not the moderator: from a network that did not guess, or in their browser.
    assert log_in(sql_server, PASSWORD, "192.0.2.44")[0] == 302
    assert log_in(sql_server, PASSWORD, MODERATOR, cookie=browser)[0] == 302
