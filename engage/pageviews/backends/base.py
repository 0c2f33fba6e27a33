"""The one interface every view-count backend implements, and what they share."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, NamedTuple, Protocol

from engage.pageviews import store

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
    """

    def record(self, article_key: str, visitor_key: str, now: datetime) -> Recorded: ...

    def totals(self, keys: Iterable[str]) -> dict[str, int]: ...

    def daily(self, key: str, first: date, last: date) -> dict[date, int]: ...

    def top(self, first: date, last: date, limit: int) -> list[tuple[str, int]]: ...

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

    def top(self, first: date, last: date, limit: int) -> list[tuple[str, int]]:
        with self._engine.connect() as conn:
            return store.top(conn, first, last, limit)

    def _load_totals(self, keys: list[str]) -> dict[str, int]:
        with self._engine.connect() as conn:
            return store.totals(conn, keys)


class StoredTotals:
    """A per-process cache of stored totals, so recording a view needs no database read.

    An entry lives ``ttl`` seconds (monotonic clock: this is a cache age, not a domain time).
    ``put`` replaces entries right after this process's own flush, in the same step that clears
    the flushed views from its buffer, so a total never counts a view twice or drops it.
    ``expire_all`` marks every entry stale; the next read reloads the stale entries it needs
    together with up to ``batch`` other stale ones, in one query.
    """

    def __init__(self, load: Callable[[list[str]], dict[str, int]], ttl: float,
                 clock: Callable[[], float] = time.monotonic, max_entries: int = 50_000,
                 batch: int = 500):
        self._load = load
        self._ttl = ttl
        self._clock = clock
        self._max = max_entries
        self._batch = batch
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[int, float]] = {}

    def get_one(self, key: str) -> int:
        """``get([key])[key]``, without building a list and a dict when the entry is fresh
        (every view reads one)."""
        entry = self._entries.get(key)
        if entry is not None and self._clock() - entry[1] < self._ttl:
            return entry[0]
        return self.get([key])[key]

    def get(self, keys: Iterable[str]) -> dict[str, int]:
        keys = list(dict.fromkeys(keys))
        now = self._clock()
        result, stale = {}, []
        # Fresh entries are read without the lock (every view reads one): entries are whole
        # tuples, replaced in one step, and a reference to a dict being replaced stays valid.
        entries = self._entries
        for key in keys:
            entry = entries.get(key)
            if entry is not None and now - entry[1] < self._ttl:
                result[key] = entry[0]
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
            result.update({key: loaded[key] for key in keys if key in loaded})
        return result

    def put(self, totals: dict[str, int], at: float | None = None) -> None:
        at = self._clock() if at is None else at
        with self._lock:
            if len(self._entries) + len(totals) > self._max:
                self._entries.clear()
            for key, total in totals.items():
                self._entries[key] = (total, at)

    def expire_all(self) -> None:
        with self._lock:
            self._entries = {key: (total, float("-inf")) for key, (total, _) in self._entries.items()}
