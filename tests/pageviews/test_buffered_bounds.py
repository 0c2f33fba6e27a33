"""The embedded backend's memory is bounded whatever arrives: invented keys leave no per-key
count behind once flushed, and while the database cannot be written the buffer holds at most
``buffer_max`` views (later ones are dropped and reported). Failing writes are reported by the
flush thread, and what could not be stored is stored once writes work (both backends)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from engage.db import db
from engage.pageviews.backends.buffered import BufferedCounter
from tests.pageviews.conftest import stored_views

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def _tallied_keys(counter: BufferedCounter) -> int:
    """Article keys held by the unflushed counts (both generations, every thread)."""
    generations = (counter._unflushed.current, counter._unflushed._previous)
    return sum(len(counts) for generation in generations
               for _, counts in generation.counted._counters) + \
        sum(len(generation.stored) for generation in generations)


def test_counts_of_flushed_articles_are_dropped(app):
    counter = BufferedCounter(db.engine, window_seconds=1800, totals_ttl=0)
    for n in range(500):
        counter.record(f"/invented-{n}", "visitor", T0)
    assert _tallied_keys(counter) == 500
    counter.flush(T0)
    counter.record("/news", "visitor", T0 + timedelta(seconds=1))
    counter.flush(T0 + timedelta(seconds=1))
    counter.flush(T0 + timedelta(seconds=2))
    assert _tallied_keys(counter) <= 2
    assert counter.totals(["/invented-7", "/news"]) == {"/invented-7": 1, "/news": 1}
    assert stored_views() == 501


@pytest.fixture
def daily_counts_away(app):
    """``away(True)`` makes every flush fail (the daily-counts table is renamed), ``away(False)``
    puts the table back (done at the end in any case: later tests need it)."""
    state = {"away": False}

    def away(gone: bool) -> None:
        if state["away"] != gone:
            old, new = ("article_views", "article_views_away")[::1 if gone else -1]
            with db.engine.begin() as conn:
                conn.execute(text(f"ALTER TABLE {old} RENAME TO {new}"))
            state["away"] = gone

    yield away
    away(False)


@pytest.fixture
def unwritable(daily_counts_away):
    """Flushes fail from the start; calling the fixture's value makes them work again."""
    daily_counts_away(True)
    return lambda: daily_counts_away(False)


def test_while_writes_fail_the_buffer_is_bounded_and_then_stored(app, unwritable):
    counter = BufferedCounter(db.engine, window_seconds=1800, totals_ttl=60, buffer_max=5,
                              seen_capacity=10)
    counter._stored.put({"/a": 0})  # its total was read before the database failed
    answers = [counter.record("/a", f"visitor-{n}", T0) for n in range(30)]
    assert [answer.counted for answer in answers] == [True] * 5 + [False] * 25
    with pytest.raises(SQLAlchemyError):
        counter.flush(T0 + timedelta(seconds=1))
    health = counter.health()
    assert health["pending"] == 5 and health["dropped"] == 25 and health["flush_error"]
    assert len(counter._seen) <= 10
    unwritable()
    assert counter.flush(T0 + timedelta(seconds=2)) == 5
    assert stored_views("/a") == 5 and counter.health()["flush_error"] is None


def test_the_flush_thread_reports_failing_writes_and_their_end(app, unwritable):
    from engage.health import database_check, register_write_monitor
    from engage.pageviews.backends.flusher import AutoFlush
    from tests.pageviews.abuse import wait_for

    counter = BufferedCounter(db.engine, window_seconds=1800, totals_ttl=60)
    counter._stored.put({"/a": 0})
    auto = AutoFlush(counter, interval=0.05, clock=lambda: T0)
    register_write_monitor(app, lambda: auto.write_error)
    try:
        auto.record("/a", "visitor", T0)
        assert wait_for(lambda: auto.write_error)
        status, detail = database_check()
        assert status == "degraded" and detail.startswith("writes failing: ")
        unwritable()
        assert wait_for(lambda: auto.write_error is None)
        assert database_check() == ("ok", None)
    finally:
        auto.close(T0)
    assert stored_views("/a") == 1


def test_a_redis_batch_that_could_not_be_stored_is_stored_by_the_next_flush(
        app, daily_counts_away, redis_url, redis_prefix):
    from engage.pageviews.backends.redis import RedisCounter, connect

    counter = RedisCounter(connect(redis_url), db.engine, prefix=redis_prefix,
                           window_seconds=1800, totals_ttl=60, persist_seconds=0)
    try:
        for n in range(3):
            counter.record("/a", f"visitor-{n}", T0)
        daily_counts_away(True)
        with pytest.raises(SQLAlchemyError):
            counter.flush(T0)
        counter.record("/a", "visitor-3", T0)
        with pytest.raises(SQLAlchemyError):  # the failed batch first; no new one meanwhile
            counter.flush(T0 + timedelta(seconds=1))
        daily_counts_away(False)
        # Not an orphan yet (that takes a minute), but this process knows it failed.
        assert counter.flush(T0 + timedelta(seconds=2)) == 3
        assert counter.flush(T0 + timedelta(seconds=3)) == 1
        assert stored_views("/a") == 4
    finally:
        counter._redis.close()
