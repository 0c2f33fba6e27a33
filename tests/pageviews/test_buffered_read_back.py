"""The embedded backend reads back, at each flush, exactly the view keys other processes
claimed since its previous flush."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

from engage.db import db
from engage.pageviews import store
from engage.pageviews.backends.buffered import BufferedCounter
from tests.pageviews.conftest import stored_views

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
A, B, C = 3, 2**62 + 5, 2**63 - 1  # view keys are 63-bit integers


def _at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_each_flush_learns_the_views_other_processes_stored_since_its_last(app):
    with app.app_context():
        first, second = (BufferedCounter(db.engine, window_seconds=1800, flush_seconds=1,
                                         totals_ttl=0) for _ in range(2))
        second.flush(_at(0))  # its first read: nothing is live yet
        first.record("/b", "visitor-2", _at(0))
        # Not flushed by the first process yet, so the second one answers "counted"; the
        # database still stores the view once (below).
        assert second.record("/b", "visitor-2", _at(0.05)).counted is True
        first.flush(_at(0.1))
        second.flush(_at(0.3))
        first.record("/a", "visitor-1", _at(0.5))
        first.flush(_at(0.6))
        second.flush(_at(0.7))  # an early flush (a full buffer) learns as much as a timed one
        assert second.record("/a", "visitor-1", _at(0.8)).counted is False
        second.flush(_at(0.9))
        assert (stored_views("/a"), stored_views("/b")) == (1, 1)


def test_claimed_after_a_round_is_exactly_what_later_rounds_stored_with_its_expiry(app):
    with app.app_context():
        rounds = []
        for views in ([(A, 1000, 2000, "s"), (C, 1000, 2000, "s")], [(B, 1500, 2500, "s")],
                      [(A, 2100, 3100, "s"), (C, 1900, 2900, "s")]):
            with db.engine.begin() as conn:
                rounds.append(store.next_claim_round(conn))
                claimed = store.claim_views(conn, views, rounds[-1])
        # In the last round A had expired (renewed, counted again) and C had not (refused).
        assert claimed == Counter({"s": 1})
        first, second, third = rounds
        assert first < second < third
        with db.engine.connect() as conn:
            assert sorted(store.claimed_after(conn, first, limit=100)) == [(A, 3100), (B, 2500)]
            assert store.claimed_after(conn, second, limit=100) == [(A, 3100)]
            assert store.claimed_after(conn, third, limit=100) == []
            assert store.claimed_after(conn, first, limit=1) == [(A, 3100)]  # latest first


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
