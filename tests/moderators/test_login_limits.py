"""The login limiter contract, on the database and on Redis alike. Time is passed in."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.orm import Session

from engage.db import db
from engage.moderators.login_limits import Limit, RedisLoginLimiter, SqlLoginLimiter

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)
LIMITS = {"name:alice": Limit(3, 600), "ip:203.0.113.0/24": Limit(5, 600)}


@pytest.fixture(params=["sql", "redis"])
def limiter(request, db_session):
    if request.param == "sql":
        return SqlLoginLimiter(db_session)
    import redis

    url = request.getfixturevalue("redis_url")
    prefix = request.getfixturevalue("redis_prefix")
    return RedisLoginLimiter(redis.Redis.from_url(url), prefix)


def claim(limiter, times, start=T0, step=timedelta(seconds=10), limits=LIMITS):
    return [limiter.claim(limits, start + i * step) for i in range(times)]


def test_claims_below_the_limit_are_allowed_and_counted(limiter):
    assert all(c.allowed for c in claim(limiter, 2))
    assert limiter.locked_until(LIMITS, T0 + timedelta(seconds=30)) is None
    assert claim(limiter, 1, start=T0 + timedelta(seconds=20))[0].allowed  # the third
    assert limiter.locked_until(LIMITS, T0 + timedelta(seconds=30)) == T0 + timedelta(seconds=600)


def test_a_claim_over_the_limit_is_refused_until_the_oldest_counted_one_leaves_the_window(
        limiter):
    claim(limiter, 3)  # at T0, T0+10s, T0+20s
    refused = limiter.claim(LIMITS, T0 + timedelta(seconds=30))
    assert not refused.allowed and refused.locked_until == T0 + timedelta(seconds=600)
    # the refused claim recorded nothing: the lock ends when the first claim leaves the window
    assert limiter.claim(LIMITS, T0 + timedelta(seconds=601)).allowed


def test_forgive_takes_a_successful_attempt_out_of_every_count(limiter):
    claim(limiter, 2)
    success = limiter.claim(LIMITS, T0 + timedelta(seconds=20))
    success.forgive(LIMITS)
    assert limiter.locked_until(LIMITS, T0 + timedelta(seconds=30)) is None
    assert limiter.claim(LIMITS, T0 + timedelta(seconds=30)).allowed


def test_the_ip_limit_counts_attempts_across_names(limiter):
    for i, name in enumerate(["a", "b", "c", "d", "e"]):
        keys = {f"name:{name}": Limit(3, 600), "ip:203.0.113.0/24": Limit(5, 600)}
        assert limiter.claim(keys, T0 + timedelta(seconds=i)).allowed
    fresh_name = {"name:zed": Limit(3, 600), "ip:203.0.113.0/24": Limit(5, 600)}
    assert not limiter.claim(fresh_name, T0 + timedelta(seconds=10)).allowed
    other_ip = {"name:zed": Limit(3, 600), "ip:192.0.2.0/24": Limit(5, 600)}
    assert limiter.claim(other_ip, T0 + timedelta(seconds=10)).allowed


def test_clear_forgets_only_that_key(limiter):
    claim(limiter, 3)
    limiter.clear("name:alice")
    assert limiter.locked_until({"name:alice": Limit(3, 600)}, T0 + timedelta(seconds=60)) is None
    assert limiter.locked_until({"ip:203.0.113.0/24": Limit(3, 600)},
                                T0 + timedelta(seconds=60)) is not None


def test_an_unreachable_redis_falls_back_to_the_database(db_session):
    import redis

    from engage.shared_store import RedisOrDatabase, RedisOutage
    from tests.servers import free_port

    dead = redis.Redis(port=free_port(), socket_connect_timeout=0.5)
    limiter = RedisOrDatabase(RedisLoginLimiter(dead), SqlLoginLimiter(db_session), RedisOutage())
    success = claim(limiter, 3)[-1]
    assert limiter.locked_until(LIMITS, T0 + timedelta(seconds=30)) == T0 + timedelta(seconds=600)
    success.forgive(LIMITS)  # taken back where it was recorded: the database
    assert limiter.locked_until(LIMITS, T0 + timedelta(seconds=30)) is None


def _at_once(count: int, attempt) -> list[bool]:
    """``attempt()`` on ``count`` threads released together; their answers."""
    start, outcomes = threading.Barrier(count), []

    def run() -> None:
        start.wait()
        outcomes.append(attempt())

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_parallel_claims_get_exactly_the_limit(app):
    """Each thread has its own connection (SQLite serialises the claims with its write lock,
    PostgreSQL with advisory locks)."""
    limits = {"net:alice@203.0.113.0/24": Limit(5, 600), "ip:203.0.113.0/24": Limit(20, 600)}

    def attempt() -> bool:
        with app.app_context(), Session(db.engine) as session:
            return SqlLoginLimiter(session).claim(limits, T0).allowed

    assert sorted(_at_once(12, attempt)) == [False] * 7 + [True] * 5


def test_parallel_claims_on_redis_get_exactly_the_limit(redis_url, redis_prefix):
    import redis

    limiter = RedisLoginLimiter(redis.Redis.from_url(redis_url), redis_prefix)
    limits = {"net:alice@203.0.113.0/24": Limit(5, 600)}
    assert sorted(_at_once(12, lambda: limiter.claim(limits, T0).allowed)) == \
        [False] * 7 + [True] * 5
