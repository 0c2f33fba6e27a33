"""Flood limit backends: same contract for the database and Redis, shared across processes."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from engage.db import db
from engage.moderation import flood
from engage.errors import TooManyRequests
from engage.moderation.flood import (FloodMark, RedisFloodGate, SqlFloodGate, check_flood,
                                     flood_keys)
from tests.moderation.builders import NOW


class Process:
    """One 'process': its own gate over the shared store; SQL claims commit like a request."""

    def __init__(self, kind, redis_url=None, prefix=""):
        self.kind = kind
        if kind == "sql":
            self.session = Session(db.engine)
            self.gate = SqlFloodGate(self.session)
        else:
            import redis

            self.client, self.prefix = redis.Redis.from_url(redis_url), prefix
            self.gate = RedisFloodGate(self.client, prefix)

    def claim(self, keys, seconds_later, window=15):
        wait = self.gate.claim(keys, NOW + timedelta(seconds=seconds_later), window)
        if self.kind == "sql":
            # a refused submission is rolled back, an accepted one committed
            (self.session.commit if wait == 0 else self.session.rollback)()
        return wait


@pytest.fixture(params=["sql", "redis"])
def make_process(request, app):
    if request.param == "sql":
        made = []
        yield lambda: made.append(Process("sql")) or made[-1]
        for process in made:
            process.session.close()
        return
    url = request.getfixturevalue("redis_url")
    prefix = request.getfixturevalue("redis_prefix")
    yield lambda: Process("redis", url, prefix)


def test_first_post_passes_and_a_second_within_the_window_waits(make_process):
    a, b = make_process(), make_process()
    assert a.claim(["k"], 0) == 0
    wait = b.claim(["k"], 4)
    if a.kind == "sql":
        assert wait == pytest.approx(11)
    else:  # Redis counts the TTL on its own clock, not the ``now`` passed in
        assert 0 < wait <= 15


def test_a_refused_attempt_does_not_restart_the_wait(make_process):
    a = make_process()
    assert a.claim(["k"], 0) == 0
    # Refused with a longer window: restarting the wait would make it last 100 s from now.
    assert a.claim(["k"], 10, window=100) > 0
    if a.kind == "sql":
        assert a.claim(["k"], 15) == 0  # 15 s after the post that passed
    else:  # Redis times marks by its own clock: read the mark's expiry instead of waiting
        assert 0 < a.client.pttl(a.prefix + "k") <= 15_000


def test_other_readers_are_not_affected(make_process):
    a = make_process()
    assert a.claim(["k1"], 0) == 0
    assert a.claim(["k2"], 1) == 0


def test_any_blocked_key_blocks_and_claims_nothing(make_process):
    a = make_process()
    a.claim(["reader"], 0)
    assert a.claim(["reader", "ip"], 5) > 0
    assert a.claim(["ip"], 6) == 0  # the refused attempt did not take the ip key


def test_sql_window_ends_exactly_after_the_interval(app):
    a = Process("sql")
    assert a.claim(["k"], 0) == 0
    assert a.claim(["k"], 14.9) == pytest.approx(0.1)
    assert a.claim(["k"], 15) == 0
    a.session.close()


def test_two_concurrent_posts_cannot_both_pass_the_database_limit(app):
    """The first claim is not yet committed; the second waits for it and is then refused."""
    first, second = Process("sql"), Process("sql")
    assert first.gate.claim(["k"], NOW, 15) == 0        # row locked / write lock held
    result = {}
    thread = threading.Thread(target=lambda: result.update(wait=second.claim(["k"], 1)))
    thread.start()
    thread.join(0.5)
    first.session.commit()
    thread.join(15)
    assert result["wait"] > 0
    first.session.close()
    second.session.close()


def test_old_marks_are_pruned(app, monkeypatch):
    monkeypatch.setattr(flood, "PRUNE_EVERY", 1)
    a = Process("sql")
    a.claim(["old"], 0)
    a.claim(["new"], 100)
    assert {row.key for row in a.session.query(FloodMark)} == {"new"}
    a.session.close()


def test_pruning_is_amortized_but_bounds_the_table(app):
    """One successful claim in PRUNE_EVERY prunes: old marks never outnumber that many."""
    a = Process("sql")
    a.claim(["old"], 0)
    for n in range(flood.PRUNE_EVERY):
        a.claim([f"new{n}"], 100 + n)
    keys = {row.key for row in a.session.query(FloodMark)}
    assert "old" not in keys and len(keys) <= flood.PRUNE_EVERY
    a.session.close()


def test_keys_hide_the_network_and_reader_key_and_differ_per_secret():
    key = "k" * 43
    keys = flood_keys("203.0.113.0/24", key, "secret")
    assert len(keys) == 2 and not any("203" in k or "kkk" in k for k in keys)
    assert keys == flood_keys("203.0.113.0/24", key, "secret")
    assert keys != flood_keys("203.0.113.0/24", key, "other")
    assert len(flood_keys(None, key, "s")) == 1
    assert len(flood_keys("203.0.113.0/24", None, "s")) == 1  # unproven: the network only


def test_check_flood_raises_429_with_retry_after(app):
    session = Session(db.engine)
    gate = SqlFloodGate(session)
    check_flood(gate, "203.0.113.0/24", "a" * 43, NOW, 15, "s")()  # checked, then claimed
    with pytest.raises(TooManyRequests) as raised:
        check_flood(gate, "203.0.113.0/24", "b" * 43, NOW + timedelta(seconds=2.5), 15, "s")
    assert raised.value.headers == {"Retry-After": "13"}
    check_flood(gate, "203.0.113.0/24", "a" * 43, NOW, 0, "s")()  # 0 = off
    session.close()


def test_database_claim_waits_for_the_writes_and_refuses_a_post_that_lost_the_race(app):
    """The database gate only reads at admission (no write lock while the comment is judged);
    two posts that both passed the check race at the claim: the second one gets the 429."""
    session = Session(db.engine)
    gate = SqlFloodGate(session)
    first = check_flood(gate, "203.0.113.0/24", None, NOW, 15, "s")
    second = check_flood(gate, "203.0.113.0/24", None, NOW + timedelta(seconds=1), 15, "s")
    assert session.query(FloodMark).count() == 0  # nothing written by the checks
    first()
    with pytest.raises(TooManyRequests) as raised:
        second()
    assert raised.value.headers == {"Retry-After": "14"}
    session.close()
