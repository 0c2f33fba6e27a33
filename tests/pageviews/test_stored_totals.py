"""The per-process cache of stored totals: fresh for its TTL, reloaded in batches when stale."""

from engage.pageviews.backends.base import StoredTotals


class Database:
    def __init__(self):
        self.totals = {"/a": 1, "/b": 2, "/c": 3}
        self.queries: list[list[str]] = []

    def load(self, keys):
        self.queries.append(sorted(keys))
        return {key: self.totals.get(key, 0) for key in keys}


def test_entries_are_served_from_memory_until_they_are_older_than_the_ttl():
    database, now = Database(), [0.0]
    cache = StoredTotals(database.load, ttl=3, clock=lambda: now[0])
    assert cache.get(["/a"]) == {"/a": 1}
    database.totals["/a"] = 10
    now[0] = 2.9
    assert cache.get(["/a"]) == {"/a": 1}
    now[0] = 3.0
    assert cache.get(["/a"]) == {"/a": 10}
    assert len(database.queries) == 2


def test_after_expire_all_one_query_reloads_every_stale_entry():
    database = Database()
    cache = StoredTotals(database.load, ttl=60, clock=lambda: 0.0)
    cache.get(["/a"]), cache.get(["/b"]), cache.get(["/c"])
    database.totals.update({"/a": 11, "/b": 12, "/c": 13})
    cache.expire_all()
    assert cache.get(["/a"]) == {"/a": 11}
    assert cache.get(["/b", "/c"]) == {"/b": 12, "/c": 13}
    assert database.queries[-1] == ["/a", "/b", "/c"] and len(database.queries) == 4


def test_put_refreshes_entries_without_a_query():
    database = Database()
    cache = StoredTotals(database.load, ttl=60, clock=lambda: 0.0)
    cache.put({"/a": 42})
    assert cache.get(["/a"]) == {"/a": 42}
    assert database.queries == []


def test_get_one_reads_a_fresh_entry_from_memory_and_reloads_a_stale_one():
    database, now = Database(), [0.0]
    cache = StoredTotals(database.load, ttl=3, clock=lambda: now[0])
    assert cache.get_one("/a") == 1
    database.totals["/a"] = 10
    now[0] = 2.9
    assert cache.get_one("/a") == 1 and len(database.queries) == 1
    now[0] = 3.0
    assert cache.get_one("/a") == 10 and len(database.queries) == 2
    cache.expire_all()
    database.totals["/a"] = 20
    assert cache.get_one("/a") == 20
