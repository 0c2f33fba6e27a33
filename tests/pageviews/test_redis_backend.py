"""Redis specifics: batches survive crashes without double counting; a down Redis degrades to
the embedded buffer instead of failing."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

import pytest
import redis

from engage.db import db
from engage.pageviews import store
from engage.pageviews.backends.buffered import BufferedCounter
from engage.pageviews.backends.failover import FailoverCounter
from engage.pageviews.backends.redis import RedisCounter, connect, new_batch_id
from tests.pageviews.conftest import stored_views

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
NOBODY_LISTENS = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_counter(app, redis_url, redis_prefix):
    counter = RedisCounter(connect(redis_url), db.engine, prefix=redis_prefix,
                           window_seconds=1800, totals_ttl=0, persist_seconds=0)
    yield counter
    counter._redis.close()


def _three_views(counter):
    for n in range(3):
        counter.record("/a", f"visitor-{n}", T0)


def test_a_batch_left_by_a_crash_before_the_commit_is_persisted_later(redis_counter):
    _three_views(redis_counter)
    redis_counter.snapshot(new_batch_id(started=0))  # that process died right after this
    assert stored_views() == 0
    assert redis_counter.flush(T0) == 3
    assert stored_views("/a") == 3


def test_a_batch_left_by_a_crash_after_the_commit_is_not_counted_twice(redis_counter):
    _three_views(redis_counter)
    batch = new_batch_id(started=0)
    redis_counter.snapshot(batch)
    with db.engine.begin() as conn:  # the dead process committed, but never cleaned Redis up
        assert store.mark_batch(conn, batch, T0)
        store.add_counts(conn, Counter({("/a", T0.date()): 3}), T0)
    assert redis_counter.flush(T0) == 0
    assert stored_views("/a") == 3
    assert redis_counter.flush(T0) == 0


def test_two_processes_persisting_at_once_store_each_view_once(app, redis_url, redis_prefix):
    counters = [RedisCounter(connect(redis_url), db.engine, prefix=redis_prefix,
                             window_seconds=1800, totals_ttl=0, persist_seconds=0)
                for _ in range(2)]
    _three_views(counters[0])
    batch = new_batch_id(started=0)
    counters[0].snapshot(batch)
    assert counters[0].persist_batch(batch, T0) + counters[1].persist_batch(batch, T0) == 3
    assert stored_views("/a") == 3


def _degraded_counter(clock=None):
    fallback = BufferedCounter(db.engine, window_seconds=1800, totals_ttl=0)
    primary = RedisCounter(connect(NOBODY_LISTENS), db.engine, prefix="engage-test:down:",
                           window_seconds=1800)
    kwargs = {"clock": clock} if clock else {}
    return FailoverCounter(primary, fallback, **kwargs)


def test_with_redis_down_views_still_count_in_the_embedded_buffer(app):
    counter = _degraded_counter()
    assert counter.record("/a", "visitor-1", T0) == (True, 1)
    assert counter.record("/a", "visitor-1", T0) == (False, 1)
    assert counter.totals(["/a"]) == {"/a": 1}
    assert counter.flush(T0) == 1
    assert stored_views("/a") == 1


def test_with_redis_down_health_says_degraded(app):
    counter = _degraded_counter()
    report = counter.health()
    assert report["status"] == "degraded" and report["redis"] == "down"


class UnreachableRedis:
    """A primary that fails like a Redis that does not answer, counting how often it is tried."""

    def __init__(self):
        self.tries = 0

    def record(self, *args):
        self.tries += 1
        raise redis.exceptions.ConnectionError("Connection refused")


def test_redis_is_retried_only_after_a_pause(app):
    now = [100.0]
    primary = UnreachableRedis()
    counter = FailoverCounter(primary, BufferedCounter(db.engine, window_seconds=1800),
                              retry_seconds=5.0, clock=lambda: now[0])
    counter.record("/a", "visitor-1", T0)
    counter.record("/a", "visitor-2", T0)
    now[0] += 4.9
    counter.record("/a", "visitor-3", T0)
    assert primary.tries == 1
    now[0] += 0.1
    assert counter.record("/a", "visitor-4", T0).counted
    assert primary.tries == 2


def test_views_buffered_during_an_outage_show_in_totals_once_redis_is_back(app, redis_counter):
    fallback = BufferedCounter(db.engine, window_seconds=1800, totals_ttl=0)
    fallback.record("/a", "counted-while-redis-was-down", T0)
    counter = FailoverCounter(redis_counter, fallback)
    assert counter.record("/a", "visitor-1", T0) == (True, 2)
    assert counter.totals(["/a"]) == {"/a": 2}
    counter.flush(T0)
    assert stored_views("/a") == 2


def test_periodic_persists_are_spaced_but_a_forced_one_is_not(app, redis_url, redis_prefix):
    ticks = [0.0]
    counter = RedisCounter(connect(redis_url), db.engine, prefix=redis_prefix,
                           window_seconds=1800, persist_seconds=5, clock=lambda: ticks[0])
    counter.record("/a", "visitor-1", T0)
    assert counter.flush(T0) == 1
    counter.record("/a", "visitor-2", T0)
    ticks[0] = 4.9
    assert counter.flush(T0) == 0
    assert counter.totals(["/a"]) == {"/a": 2}  # still counted, from Redis
    assert counter.force_flush(T0) == 1
    counter.record("/a", "visitor-3", T0)
    ticks[0] = 10.0
    assert counter.flush(T0) == 1
    assert stored_views("/a") == 3
