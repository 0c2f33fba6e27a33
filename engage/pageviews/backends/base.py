"""The one interface every view-count backend implements, and what they share."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, NamedTuple, Protocol

from engage.pageviews import store
from engage.sites import DEFAULT_SITE

if TYPE_CHECKING:
    from sqlalchemy import Engine


class Recorded(NamedTuple):
    """The answer to one view: did it count, and the article's total including it."""

    counted: bool
    total: int


class ViewCounter(Protocol):
    """Counts views. Every method is thread-safe; time is always passed in.

    ``record`` decides and answers at once (no database round trip on the embedded backend);
    ``totals`` includes views not yet flushed; ``daily`` and ``top`` read what was flushed, at
    most one flush interval behind. ``flush`` (called every flush interval) moves buffered counts
    to the database and returns how many views it stored; a backend may skip a call when it
    flushed recently, ``force_flush`` never skips. ``close`` force-flushes and stops background
    work.

    ``network`` (``visitors.network_key``) is the reader's network; with it, a backend applies
    the per-network limits it was built with: at most ``per_network`` counted views of one
    article per network and window, and at most ``new_per_network`` articles that do not
    exist yet brought in by one network per day (the network key changes daily). A view over
    a limit is answered like a repeat and leaves nothing behind. Without it, no limit applies.
    """

    def record(self, article_key: str, visitor_key: str, now: datetime,
               network: str | None = None) -> Recorded: ...

    def totals(self, keys: Iterable[str]) -> dict[str, int]: ...

    def daily(self, key: str, first: date, last: date) -> dict[date, int]: ...

    def top(self, first: date, last: date, limit: int,
            min_networks: int = 0, site: str = DEFAULT_SITE) -> list[tuple[str, int]]: ...

    def flush(self, now: datetime) -> int: ...

    def force_flush(self, now: datetime) -> int: ...

    def health(self) -> dict: ...

    def close(self, now: datetime) -> None: ...


class DatabaseReads:
    """The reads both backends serve from the database alone (``self._engine``)."""

    _engine: "Engine"

    def daily(self, key: str, first: date, last: date) -> dict[date, int]:
        with self._engine.connect() as conn:
            return store.daily(conn, key, first, last)

    def top(self, first: date, last: date, limit: int,
            min_networks: int = 0, site: str = DEFAULT_SITE) -> list[tuple[str, int]]:
        with self._engine.connect() as conn:
            return store.top(conn, first, last, limit, min_networks, site)

    def _load_totals(self, keys: list[str]) -> dict[str, int]:
        """Stored totals of the keys that are articles (``StoredTotals`` takes the others for
        keys no article has yet)."""
        with self._engine.connect() as conn:
            return store.known_totals(conn, keys)


class StoredTotals:
    """A per-process cache of stored totals, so recording a view needs no database read.

    An entry lives ``ttl`` seconds (monotonic clock: this is a cache age, not a domain time).
    ``put`` replaces entries right after this process's own flush, in the same step that clears
    the flushed views from its buffer, so a total never counts a view twice or drops it.
    ``expire_all`` marks every entry stale; the next read reloads the stale entries it needs
    together with up to ``batch`` other stale ones, in one query.

    ``load`` leaves out keys that are no article: those are cached apart, as *unknown* (total
    0), in at most ``max_unknown`` entries, so that invented keys cannot crowd out the articles
    (``lookup`` tells which a key is). Both parts are emptied when full: memory stays bounded
    whatever keys are asked for.
    """

    def __init__(self, load: Callable[[list[str]], dict[str, int]], ttl: float,
                 clock: Callable[[], float] = time.monotonic, max_entries: int = 20_000,
                 batch: int = 500, max_unknown: int = 2_000):
        self._load = load
        self._ttl = ttl
        self._clock = clock
        self._max = max_entries
        self._max_unknown = max_unknown
        self._batch = batch
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[int, float]] = {}
        self._unknown: dict[str, float] = {}  # key → when it was found to be no article

    def get_one(self, key: str) -> int:
        """``get([key])[key]``, without building a list and a dict when the entry is fresh
        (every view reads one)."""
        return self.lookup(key)[0]

    def lookup(self, key: str) -> tuple[int, bool]:
        """(stored total, whether ``key`` is an article) of one key."""
        entry = self._entries.get(key)
        if entry is not None and self._clock() - entry[1] < self._ttl:
            return entry[0], True
        at = self._unknown.get(key)
        if at is not None and self._clock() - at < self._ttl:
            return 0, False
        total = self.get([key])[key]
        return total, key in self._entries

    def get(self, keys: Iterable[str]) -> dict[str, int]:
        keys = list(dict.fromkeys(keys))
        now = self._clock()
        result, stale = {}, []
        # Fresh entries are read without the lock (every view reads one): entries are whole
        # tuples, replaced in one step, and a reference to a dict being replaced stays valid.
        entries, unknown = self._entries, self._unknown
        for key in keys:
            entry = entries.get(key)
            if entry is not None and now - entry[1] < self._ttl:
                result[key] = entry[0]
            elif now - unknown.get(key, -self._ttl - 1.0) < self._ttl:
                result[key] = 0
            else:
                stale.append(key)
        if stale:
            with self._lock:
                wanted = set(stale)
                for key, (_, at) in self._entries.items():
                    if len(stale) >= self._batch:
                        break
                    if now - at >= self._ttl and key not in wanted:
                        stale.append(key)
            loaded = self._load(stale)
            self.put(loaded, now)
            self._put_unknown([key for key in stale if key not in loaded], now)
            result.update({key: loaded.get(key, 0) for key in keys if key not in result})
        return result

    def put(self, totals: dict[str, int], at: float | None = None) -> None:
        at = self._clock() if at is None else at
        with self._lock:
            if len(self._entries) + len(totals) > self._max:
                self._entries.clear()
            for key, total in totals.items():
                self._entries[key] = (total, at)
                self._unknown.pop(key, None)

    def _put_unknown(self, keys: list[str], at: float) -> None:
        if not keys:
            return
        with self._lock:
            if len(self._unknown) + len(keys) > self._max_unknown:
                self._unknown = {}
            for key in keys:
                self._unknown[key] = at

    def expire_all(self) -> None:
        with self._lock:
            self._entries = {key: (total, float("-inf")) for key, (total, _) in self._entries.items()}
            self._unknown = {}
