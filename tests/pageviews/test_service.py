"""Recording a view end to end below HTTP, with injected time: salts rotate at UTC midnight."""

from datetime import datetime, timedelta, timezone

from engage.db import db
from engage.pageviews.backends.buffered import BufferedCounter
from engage.pageviews.bots import NotCounted
from engage.pageviews.salts import SaltStore
from engage.pageviews.service import ViewRequest, record_view
from engage.pageviews.visitors import DailySalts

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
BEFORE_MIDNIGHT = datetime(2026, 3, 1, 23, 55, tzinfo=timezone.utc)


def _view(now, user_agent=FIREFOX, method="POST", headers=None):
    return ViewRequest(article="/a", method=method, headers=headers or {},
                       ip_prefix="203.0.113.0/24", user_agent=user_agent, now=now)


def test_a_new_day_makes_every_reader_a_new_visitor(app):
    counter = BufferedCounter(db.engine, window_seconds=1800, totals_ttl=0)
    salts = DailySalts(SaltStore(db.engine), "secret")
    assert record_view(counter, salts, _view(BEFORE_MIDNIGHT)).counted
    assert not record_view(counter, salts, _view(BEFORE_MIDNIGHT + timedelta(minutes=4))).counted
    # Ten minutes later is within the window, but yesterday's key cannot be linked to today's.
    after = record_view(counter, salts, _view(BEFORE_MIDNIGHT + timedelta(minutes=10)))
    assert after.counted and after.total == 2


def test_outcomes_say_why_a_view_did_not_count(app):
    counter = BufferedCounter(db.engine, window_seconds=1800, totals_ttl=0)
    salts = DailySalts(SaltStore(db.engine), "secret")
    now = BEFORE_MIDNIGHT
    assert record_view(counter, salts, _view(now, user_agent="Googlebot/2.1")).reason is NotCounted.BOT
    assert record_view(counter, salts, _view(now, method="HEAD")).reason is NotCounted.HEAD
    assert record_view(counter, salts, _view(now, headers={"Sec-Purpose": "prefetch"})).reason \
        is NotCounted.PREFETCH
    assert record_view(counter, salts, _view(now)).reason is None
    assert record_view(counter, salts, _view(now)).reason is NotCounted.REPEAT
    assert counter.totals(["/a"]) == {"/a": 1}
