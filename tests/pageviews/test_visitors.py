"""Visitor keys: same reader same day → same key; another day → unlinkable key; no raw data."""

import ipaddress
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from engage.db import db, utcnow
from engage.pageviews.models import ArticleViews, ViewSalt
from engage.pageviews.routes import EXTENSION
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


def test_keys_have_a_fixed_size_and_differ_per_article():
    key = visitor_key(b"s" * 32, "203.0.113.0/24", FIREFOX)
    assert len(key) == 32 and all(ch in "0123456789abcdef" for ch in key)
    assert len(visitor_key(b"s" * 32, "2001:db8:1234::/48", FIREFOX * 10)) == 32
    assert view_key("/a", key) != view_key("/b", key)


ADDRESS, NEIGHBOUR = "203.0.113.7", "203.0.113.250"  # one /24


def _forbidden() -> list[str]:
    """Every form of the reader's address or network that a stored value could hold."""
    address = ipaddress.ip_address(ADDRESS)
    network = ipaddress.ip_network(f"{ADDRESS}/24", strict=False)
    forms = [ADDRESS, NEIGHBOUR, "203.0.113", str(network), FIREFOX,
             str(int(address)), str(int(network.network_address)), f"{int(address):x}"]
    return forms + [form.encode().hex() for form in (ADDRESS, "203.0.113", FIREFOX)]


def _database_values() -> list[str]:
    """Every value of every row of every table, as text (bytes also as hex)."""
    values = []
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            for row in conn.execute(table.select()):
                for value in row:
                    values.append(value.hex() if isinstance(value, bytes) else str(value))
                    if isinstance(value, bytes):
                        values.append(value.decode("latin-1"))
    return values


def _redis_values(url: str, prefix: str) -> list[str]:
    """Every key under ``prefix`` and everything it holds, as text."""
    import redis

    client = redis.Redis.from_url(url)
    values = []
    for key in client.scan_iter(match=prefix + "*", count=1000):
        kind = client.type(key).decode()
        held = {"string": lambda: [client.get(key)],
                "hash": lambda: [item for pair in client.hgetall(key).items() for item in pair],
                "set": lambda: list(client.smembers(key)),
                "list": lambda: client.lrange(key, 0, -1),
                "zset": lambda: [member for member, _ in client.zrange(key, 0, -1,
                                                                        withscores=True)]}[kind]()
        values += [item.decode("latin-1") for item in [key, *held]]
    client.close()
    return values


@pytest.fixture
def config_overrides(request):
    """Default settings, unless a test asks for a view backend (indirect parameter)."""
    if getattr(request, "param", "embedded") == "redis":
        return {"REDIS_URL": request.getfixturevalue("redis_url"),
                "REDIS_PREFIX": request.getfixturevalue("redis_prefix")}
    return {}


@pytest.mark.parametrize("config_overrides", ["embedded", "redis"], indirect=True)
def test_what_counting_stores_holds_neither_the_address_nor_its_network(app, client):
    def view(address: str, article: str = "/news/1") -> int:
        """The article's total after the view."""
        return client.post(f"/api/v1/views?article={article}", headers={"User-Agent": FIREFOX},
                           environ_base={"REMOTE_ADDR": address}).json["views"]

    assert view(ADDRESS) == 1
    # One key for the whole /24: the host part of the address never reaches the key.
    assert view(NEIGHBOUR) == 1
    assert view(ADDRESS, "/news/2") == 1
    app.extensions[EXTENSION].counter.force_flush(utcnow())
    stored = _database_values()
    if app.config["REDIS_URL"]:
        stored += _redis_values(app.config["REDIS_URL"], app.config["REDIS_PREFIX"])
    with db.engine.connect() as conn:  # the scan below looked at real, stored views
        assert conn.execute(select(func.sum(ArticleViews.count))).scalar_one() == 2
    leaks = [(form, value) for value in stored for form in _forbidden() if form in value]
    assert leaks == []


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
