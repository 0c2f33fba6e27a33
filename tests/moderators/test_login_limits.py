"""The login limiter contract, on the database and on Redis alike. Time is passed in."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

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


def fail(limiter, times, start=T0, step=timedelta(seconds=10), limits=LIMITS):
    for i in range(times):
        limiter.record_failure(limits, start + i * step)


def test_below_the_limit_nothing_is_locked(limiter):
    fail(limiter, 2)
    assert limiter.locked_until(LIMITS, T0 + timedelta(seconds=30)) is None


def test_reaching_the_limit_locks_until_the_oldest_counted_failure_leaves_the_window(limiter):
    fail(limiter, 3)  # at T0, T0+10s, T0+20s
    until = limiter.locked_until(LIMITS, T0 + timedelta(seconds=30))
    assert until == T0 + timedelta(seconds=600)
    assert limiter.locked_until(LIMITS, T0 + timedelta(seconds=600)) is None


def test_the_ip_limit_counts_failures_across_names(limiter):
    for i, name in enumerate(["a", "b", "c", "d", "e"]):
        keys = {f"name:{name}": Limit(3, 600), "ip:203.0.113.0/24": Limit(5, 600)}
        limiter.record_failure(keys, T0 + timedelta(seconds=i))
    fresh_name = {"name:zed": Limit(3, 600), "ip:203.0.113.0/24": Limit(5, 600)}
    assert limiter.locked_until(fresh_name, T0 + timedelta(seconds=10)) is not None
    other_ip = {"name:zed": Limit(3, 600), "ip:192.0.2.0/24": Limit(5, 600)}
    assert limiter.locked_until(other_ip, T0 + timedelta(seconds=10)) is None


def test_clear_forgets_only_that_key(limiter):
    fail(limiter, 5)
    limiter.clear("name:alice")
    assert limiter.locked_until({"name:alice": Limit(3, 600)}, T0 + timedelta(seconds=60)) is None
    assert limiter.locked_until({"ip:203.0.113.0/24": Limit(5, 600)},
                                T0 + timedelta(seconds=60)) is not None


def test_an_unreachable_redis_falls_back_to_the_database(db_session):
    import redis

    from engage.shared_store import RedisOrDatabase, RedisOutage
    from tests.servers import free_port

    dead = redis.Redis(port=free_port(), socket_connect_timeout=0.5)
    limiter = RedisOrDatabase(RedisLoginLimiter(dead), SqlLoginLimiter(db_session), RedisOutage())
    fail(limiter, 3)
    assert limiter.locked_until(LIMITS, T0 + timedelta(seconds=30)) == T0 + timedelta(seconds=600)
