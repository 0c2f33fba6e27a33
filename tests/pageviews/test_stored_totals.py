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


class Articles(Database):
    """A database that, like ``store.known_totals``, answers only for keys that are articles."""

    def load(self, keys):
        self.queries.append(sorted(keys))
        return {key: self.totals[key] for key in keys if key in self.totals}


def test_lookup_tells_articles_from_keys_that_are_none_and_caches_both():
    database = Articles()
    cache = StoredTotals(database.load, ttl=60, clock=lambda: 0.0)
    assert cache.lookup("/a") == (1, True)
    assert cache.lookup("/invented") == (0, False)
    assert cache.get(["/a", "/invented"]) == {"/a": 1, "/invented": 0}
    assert len(database.queries) == 2
    cache.put({"/invented": 0})  # it became an article (a flush wrote it)
    assert cache.lookup("/invented") == (0, True)


def test_keys_that_are_no_article_cannot_grow_the_cache_without_bound():
    database = Articles()
    cache = StoredTotals(database.load, ttl=60, clock=lambda: 0.0, max_entries=10,
                         max_unknown=5)
    cache.get_one("/a")
    for n in range(1000):
        assert cache.lookup(f"/invented-{n}") == (0, False)
        assert len(cache._unknown) <= 5
    assert cache.lookup("/a") == (1, True) and len(database.queries) == 1001  # still cached
