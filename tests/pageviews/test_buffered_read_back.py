"""The embedded backend reads other processes' view keys back once per flush interval only."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from engage.db import db
from engage.pageviews.backends.buffered import BufferedCounter
from tests.pageviews.conftest import stored_views

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def _at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_early_flushes_skip_the_read_back_and_the_next_timed_flush_catches_up(app):
    with app.app_context():
        first, second = (BufferedCounter(db.engine, window_seconds=1800, flush_seconds=1,
                                         totals_ttl=0) for _ in range(2))
        second.flush(_at(0))  # its first read: nothing is live yet
        first.record("/b", "visitor-2", _at(0))
        first.flush(_at(0.1))
        second.flush(_at(0.3))  # sooner than the interval (a full buffer): no read-back
        # Not learned yet, so this worker's answer says "counted"; the database still stores
        # the view once (below).
        assert second.record("/b", "visitor-2", _at(0.4)).counted is True
        first.record("/a", "visitor-1", _at(0.5))
        first.flush(_at(0.6))
        second.flush(_at(1.2))  # the timed flush reads back everything since the last read
        assert second.record("/a", "visitor-1", _at(1.3)).counted is False
        second.flush(_at(1.4))
        assert (stored_views("/a"), stored_views("/b")) == (1, 1)


def test_memory_of_seen_visitors_is_bounded_and_stored_counts_stay_exact(app):
    with app.app_context():
        counter = BufferedCounter(db.engine, window_seconds=1800, flush_seconds=1,
                                  seen_capacity=10, totals_ttl=0)
        for n in range(50):
            counter.record("/c", f"visitor-{n}", _at(n / 100))
            if n % 7 == 6:
                counter.flush(_at(n / 100))
        counter.flush(_at(1))
        assert len(counter._seen) <= 10  # the oldest were forgotten
        # A forgotten visitor may be answered "counted" again; the database still says no.
        counter.record("/c", "visitor-0", _at(2))
        counter.flush(_at(3))
        assert stored_views("/c") == 50
