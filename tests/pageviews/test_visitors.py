"""Visitor keys: same reader same day → same key; another day → unlinkable key; no raw data."""

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from engage.db import db
from engage.pageviews.models import ViewSalt
from engage.pageviews.salts import SaltStore
from engage.pageviews.visitors import DailySalts, view_key, visitor_key

NOON = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


class RandomSaltsByDay:
    """A salt source like the database's: a fresh random salt per day, remembered."""

    def __init__(self):
        self.loads: list[date] = []
        self.salts: dict[date, bytes] = {}

    def __call__(self, day: date) -> bytes:
        import secrets

        self.loads.append(day)
        return self.salts.setdefault(day, secrets.token_bytes(32))


def test_same_reader_on_the_same_day_has_one_key():
    salts = DailySalts(RandomSaltsByDay(), "secret")
    morning = salts.visitor(NOON - timedelta(hours=11), "203.0.113.0/24", FIREFOX)
    evening = salts.visitor(NOON + timedelta(hours=11), "203.0.113.0/24", FIREFOX)
    assert morning == evening


def test_keys_of_different_days_differ_and_the_salt_rotates_at_utc_midnight():
    source = RandomSaltsByDay()
    salts = DailySalts(source, "secret")
    before = salts.visitor(datetime(2026, 3, 1, 23, 59, 59, tzinfo=timezone.utc), "203.0.113.0/24", FIREFOX)
    after = salts.visitor(datetime(2026, 3, 2, 0, 0, 0, tzinfo=timezone.utc), "203.0.113.0/24", FIREFOX)
    assert before != after
    assert source.loads == [date(2026, 3, 1), date(2026, 3, 2)]


def test_the_salt_is_loaded_once_per_day():
    source = RandomSaltsByDay()
    salts = DailySalts(source, "secret")
    for minute in range(100):
        salts.visitor(NOON + timedelta(minutes=minute), "203.0.113.0/24", FIREFOX)
    assert source.loads == [NOON.date()]


def test_time_zone_of_now_does_not_change_the_day():
    source = RandomSaltsByDay()
    salts = DailySalts(source, "secret")
    tokyo = timezone(timedelta(hours=9))
    assert salts.visitor(NOON, "198.51.100.0/24", FIREFOX) == salts.visitor(
        NOON.astimezone(tokyo), "198.51.100.0/24", FIREFOX)


def test_network_and_browser_both_distinguish_visitors():
    salt = b"s" * 32
    base = visitor_key(salt, "203.0.113.0/24", FIREFOX)
    assert visitor_key(salt, "198.51.100.0/24", FIREFOX) != base
    assert visitor_key(salt, "203.0.113.0/24", FIREFOX + " x") != base
    assert visitor_key(b"t" * 32, "203.0.113.0/24", FIREFOX) != base


def test_the_server_secret_is_part_of_the_key():
    source = RandomSaltsByDay()
    one = DailySalts(source, "secret-one").visitor(NOON, "203.0.113.0/24", FIREFOX)
    two = DailySalts(source, "secret-two").visitor(NOON, "203.0.113.0/24", FIREFOX)
    assert one != two


def test_keys_reveal_neither_address_nor_user_agent():
    key = visitor_key(b"s" * 32, "203.0.113.0/24", FIREFOX)
    assert len(key) == 32 and all(ch in "0123456789abcdef" for ch in key)
    assert "203" not in key or "203.0.113" not in key
    assert view_key("/a", key) != view_key("/b", key)


def test_stored_salts_are_shared_by_processes_and_past_days_are_deleted(app):
    first_process, second_process = SaltStore(db.engine), SaltStore(db.engine)
    today = date(2026, 3, 2)
    assert first_process(today - timedelta(days=1)) == second_process(today - timedelta(days=1))
    shared = first_process(today)
    assert second_process(today) == shared
    with db.engine.connect() as conn:
        days = conn.execute(select(ViewSalt.day)).scalars().all()
    assert days == [today]


def test_salts_from_the_database_rotate_keys_across_processes(app):
    one = DailySalts(SaltStore(db.engine), "secret")
    two = DailySalts(SaltStore(db.engine), "secret")
    assert one.visitor(NOON, "203.0.113.0/24", FIREFOX) == two.visitor(NOON, "203.0.113.0/24", FIREFOX)
    tomorrow = NOON + timedelta(days=1)
    assert one.visitor(tomorrow, "203.0.113.0/24", FIREFOX) != one.visitor(NOON, "203.0.113.0/24", FIREFOX)
