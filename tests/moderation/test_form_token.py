"""Form tokens: signed, time-stamped, bound to one article, single use across processes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from engage.db import db
from engage.errors import Conflict
from engage.moderation import form_token
from engage.moderation.form_token import (RedisReplayGuard, SqlReplayGuard, TokenCheck,
                                          TokenProblem)
from tests.moderation.builders import NOW

CONFIG = {"SECRET_KEY": "s3cret", "FORM_TOKEN_MAX_AGE": 7200}


class SetGuard:
    def __init__(self):
        self.seen = set()

    def first_use(self, nonce, now, ttl_seconds):
        if nonce in self.seen:
            return False
        self.seen.add(nonce)
        return True


def inspect(token, article="/a", seconds_later=10.0, guard=None, config=CONFIG):
    return form_token.inspect(token, article, NOW + timedelta(seconds=seconds_later), config,
                              guard or SetGuard())


def test_a_fresh_token_reports_its_age():
    token = form_token.issue("/a", "s3cret", NOW)
    assert inspect(token, seconds_later=4.25) == TokenCheck(4.25, None)


def test_no_token_is_no_problem_and_no_age():
    assert inspect(None) == TokenCheck(None, None)
    assert inspect("") == TokenCheck(None, None)


def test_tampered_token_or_other_secret_is_forged():
    token = form_token.issue("/a", "s3cret", NOW)
    assert inspect(token[:-2] + "xx").problem is TokenProblem.FORGED
    assert inspect(form_token.issue("/a", "other", NOW)).problem is TokenProblem.FORGED
    assert inspect("garbage").problem is TokenProblem.FORGED


def test_a_token_for_another_article_is_forged():
    assert inspect(form_token.issue("/b", "s3cret", NOW), "/a").problem is TokenProblem.FORGED


def test_a_token_from_the_future_beyond_clock_skew_is_forged():
    token = form_token.issue("/a", "s3cret", NOW + timedelta(seconds=60))
    assert inspect(token).problem is TokenProblem.FORGED
    small_skew = form_token.issue("/a", "s3cret", NOW + timedelta(seconds=12))
    assert inspect(small_skew) == TokenCheck(0.0, None)


def test_an_old_token_is_expired():
    token = form_token.issue("/a", "s3cret", NOW)
    assert inspect(token, seconds_later=7201) == TokenCheck(7201.0, TokenProblem.EXPIRED)


def test_a_token_works_once():
    guard = SetGuard()
    token = form_token.issue("/a", "s3cret", NOW)
    assert inspect(token, guard=guard).problem is None
    assert inspect(token, seconds_later=20, guard=guard).problem is TokenProblem.REUSED


def test_each_issued_token_is_different():
    assert form_token.issue("/a", "s3cret", NOW) != form_token.issue("/a", "s3cret", NOW)


# ------------------------------------------------------------------ shared replay guards


@pytest.fixture(params=["sql", "redis"])
def guard_factory(request, app):
    """Makes guards that act like separate processes sharing one store."""
    if request.param == "sql":
        def make():
            return SqlReplayGuard(Session(db.engine))
        return make
    import redis

    url = request.getfixturevalue("redis_url")
    prefix = request.getfixturevalue("redis_prefix")
    return lambda: RedisReplayGuard(redis.Redis.from_url(url), prefix + "ft:")


def _use(guard, nonce, now):
    first = guard.first_use(nonce, now, 60)
    if isinstance(guard, SqlReplayGuard):
        guard.session.commit()
        guard.session.close()
    return first


def test_replay_is_refused_across_processes(guard_factory):
    assert _use(guard_factory(), "nonce-1", NOW) is True
    assert _use(guard_factory(), "nonce-1", NOW + timedelta(seconds=1)) is False
    assert _use(guard_factory(), "nonce-2", NOW + timedelta(seconds=1)) is True


def test_sql_guard_drops_records_older_than_the_token_lifetime(app):
    session = Session(db.engine)
    guard = SqlReplayGuard(session)
    guard.first_use("old", NOW, 60)
    # pruning is amortized: one use in PRUNE_EVERY deletes what the token lifetime outlived
    for n in range(form_token.PRUNE_EVERY):
        guard.first_use(f"new{n}", NOW + timedelta(seconds=120), 60)
    session.commit()
    remaining = {row.nonce for row in session.query(form_token.FormTokenUse)}
    session.close()
    assert "old" not in remaining
    assert len(remaining) == form_token.PRUNE_EVERY


def test_database_guard_reads_first_and_refuses_the_second_of_two_racing_posts(app):
    """inspect_later with the database guard writes nothing until its spend runs; of two
    posts that both passed the check with one token, the second spend answers 409."""
    session = Session(db.engine)
    guard = SqlReplayGuard(session)
    token = form_token.issue("a", CONFIG["SECRET_KEY"], NOW)
    first, spend_first = form_token.inspect_later(token, "a", NOW, CONFIG, guard)
    second, spend_second = form_token.inspect_later(token, "a", NOW, CONFIG, guard)
    assert first.problem is None and second.problem is None
    assert session.query(form_token.FormTokenUse).count() == 0
    spend_first()
    with pytest.raises(Conflict):
        spend_second()
    again, _ = form_token.inspect_later(token, "a", NOW, CONFIG, guard)
    assert again.problem is form_token.TokenProblem.REUSED
    session.close()
