"""The day's salt never needs a write on a view's path once prepared, and a view is never
refused for want of a salt: without one from the database, a salt derived from the secret and
the day stands in (the same in every process) until the database can be asked again."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.exc import OperationalError

from engage.db import db
from engage.pageviews.models import ViewSalt
from engage.pageviews.salts import SaltStore
from engage.pageviews.visitors import DailySalts

NOON = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
NET = "203.0.113.0/24"


class Failing:
    """A salt source whose database is out of reach until ``works`` is set."""

    def __init__(self):
        self.works = False
        self.calls = 0

    def __call__(self, day: date) -> bytes:
        self.calls += 1
        if not self.works:
            raise OperationalError("INSERT", {}, Exception("database or disk is full"))
        return b"stored" * 5


def test_without_a_stored_salt_every_process_derives_the_same_one():
    one, two = DailySalts(Failing(), "secret"), DailySalts(Failing(), "secret")
    assert one.visitor(NOON, NET, FIREFOX) == two.visitor(NOON, NET, FIREFOX)
    assert one.visitor(NOON, NET, FIREFOX) != one.visitor(NOON + timedelta(days=1), NET, FIREFOX)
    assert DailySalts(Failing(), "other").visitor(NOON, NET, FIREFOX) != \
        one.visitor(NOON, NET, FIREFOX)


def test_the_database_is_asked_again_after_the_retry_interval():
    source, now = Failing(), [0.0]
    salts = DailySalts(source, "secret", retry_seconds=60, clock=lambda: now[0])
    derived = salts.visitor(NOON, NET, FIREFOX)
    now[0] = 59
    assert salts.visitor(NOON, NET, FIREFOX) == derived and source.calls == 1
    source.works = True
    now[0] = 60
    stored = salts.visitor(NOON, NET, FIREFOX)
    assert stored != derived and source.calls == 2
    now[0] = 10_000
    assert salts.visitor(NOON, NET, FIREFOX) == stored and source.calls == 2


def test_prepared_salts_of_today_and_tomorrow_are_read_without_a_write(sqlite_template, tmp_path):
    path = tmp_path / "engage.sqlite3"
    shutil.copyfile(sqlite_template, path)
    writable = create_engine(f"sqlite:///{path}")
    read_only = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    today = NOON.date()
    try:
        SaltStore(writable).prepare(today)
        store = SaltStore(read_only)
        assert store(today) != store(today + timedelta(days=1))
        with pytest.raises(OperationalError):  # a day nobody prepared needs a write
            store(today + timedelta(days=2))
    finally:
        writable.dispose()
        read_only.dispose()


def test_preparing_tomorrow_keeps_today_and_drops_the_days_before(app):
    first, second = SaltStore(db.engine), SaltStore(db.engine)
    yesterday, today = date(2026, 3, 1), date(2026, 3, 2)
    kept = first(yesterday)
    second.prepare(yesterday)
    assert second(yesterday) == kept
    second.prepare(today)
    with db.engine.connect() as conn:
        assert sorted(conn.execute(select(ViewSalt.day)).scalars()) == [
            today, today + timedelta(days=1)]
