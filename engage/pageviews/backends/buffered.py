"""The embedded backend: decide in memory, store in batches.

``record`` answers from process memory (no database round trip): a map of view keys seen
within the window (bounded, least recently added first out) and a buffer of counted views. A
background flush, every ``VIEWS_FLUSH_SECONDS`` or after ``VIEWS_FLUSH_EVERY`` views, writes the
buffer in one transaction:

1. the buffer's view keys are *claimed* in ``view_visitors`` with an upsert that only succeeds
   when the key is new or expired; the database is the arbiter, so when two worker processes
   both counted one visitor's view, it is stored once;
2. the claimed views are added with one ``count = count + excluded.count`` upsert per
   (article, day);
3. the view keys other processes claimed recently are read back into memory, so each process
   learns about repeats seen by the others within about one flush interval.

Stored counts are therefore exact; the ``counted`` flag and total in a response can be off by a
repeat that went through another worker within the last flush interval. A crash loses at most
the views buffered since the last flush; a graceful stop flushes (``close``).
"""

from __future__ import annotations

import logging
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from engage.pageviews import store
from engage.pageviews.backends.base import DatabaseReads, Recorded, StoredTotals
from engage.pageviews.visitors import utc_day, view_key

log = logging.getLogger(__name__)

PRUNE_EVERY = timedelta(seconds=60)
BATCH_IDS_KEPT = timedelta(days=7)


class _View(NamedTuple):
    key: str
    article: str
    day: date
    seen_ms: int      # epoch milliseconds, as view_visitors stores them
    expires_ms: int


class BufferedCounter(DatabaseReads):
    """Embedded view counter over a SQLAlchemy engine (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine, *, window_seconds: float, flush_seconds: float = 1.0,
                 flush_every: int = 500, seen_capacity: int = 200_000,
                 pull_overlap_seconds: float | None = None, totals_ttl: float | None = None,
                 on_full: Callable[[], None] | None = None):
        self._engine = engine
        self._window_ms = int(window_seconds * 1000)
        self._flush_every = max(1, int(flush_every))
        self._capacity = seen_capacity
        # A view is claimed up to one flush interval (plus the flush's own time) after it
        # happened, so each read-back overlaps the previous one by that much and a margin.
        self._overlap_ms = int(1000 * (pull_overlap_seconds if pull_overlap_seconds is not None
                                       else flush_seconds + 2))
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._seen: OrderedDict[str, int] = OrderedDict()  # view key → expiry (epoch ms)
        self._pending: list[_View] = []
        self._pending_counts: Counter[str] = Counter()
        self._inflight_counts: Counter[str] = Counter()
        self._pulled_ms: int | None = None
        self._recorded = False
        self._pruned_at: datetime | None = None
        self._last_error: str | None = None
        # Every flush refreshes the stored totals of the articles it wrote, so the totals of
        # articles this process is counting never go stale; the TTL (a bit over two flush
        # intervals) only bounds how far behind other processes' flushes a total may lag.
        self._stored = StoredTotals(self._load_totals, ttl=2 * flush_seconds + 1
                                    if totals_ttl is None else totals_ttl)
        self.on_full = on_full  # called when the buffer reaches flush_every views

    # --- recording -----------------------------------------------------------------------
    def record(self, article_key: str, visitor_key: str, now: datetime) -> Recorded:
        key = view_key(article_key, visitor_key)
        now_ms = store.epoch_ms(now)
        with self._lock:
            self._recorded = True
            expires = self._seen.get(key)
            counted = expires is None or expires <= now_ms
            if counted:
                self._remember(key, now_ms + self._window_ms)
                self._pending.append(_View(key, article_key, utc_day(now), now_ms,
                                           now_ms + self._window_ms))
                self._pending_counts[article_key] += 1
            unflushed = self._pending_counts[article_key] + self._inflight_counts[article_key]
            full = len(self._pending) >= self._flush_every
        if full and self.on_full is not None:
            self.on_full()
        return Recorded(counted, self._stored.get([article_key])[article_key] + unflushed)

    def _remember(self, key: str, expires: int) -> None:
        self._seen[key] = expires
        self._seen.move_to_end(key)
        while len(self._seen) > self._capacity:
            self._seen.popitem(last=False)

    # --- reading -------------------------------------------------------------------------
    def totals(self, keys: Iterable[str]) -> dict[str, int]:
        keys = list(dict.fromkeys(keys))
        stored = self._stored.get(keys)
        unflushed = self.unflushed(keys)
        return {key: stored[key] + unflushed[key] for key in keys}

    @property
    def in_use(self) -> bool:
        """Whether this counter ever recorded a view (the Redis backend's fallback may not)."""
        return self._recorded

    def unflushed(self, keys: Iterable[str]) -> dict[str, int]:
        """Views of ``keys`` counted here and not stored yet."""
        with self._lock:
            return {key: self._pending_counts[key] + self._inflight_counts[key] for key in keys}

    # --- flushing ------------------------------------------------------------------------
    def flush(self, now: datetime) -> int:
        """Store the buffered views (one transaction); return how many were stored.

        On a database error the views go back to the buffer for the next flush and the error
        is raised.
        """
        with self._flush_lock:
            with self._lock:
                batch, self._pending = self._pending, []
                self._inflight_counts, self._pending_counts = self._pending_counts, Counter()
            try:
                stored, totals, pulled = self._write(batch, now)
            except SQLAlchemyError as error:
                with self._lock:
                    self._pending[:0] = batch
                    self._pending_counts.update(self._inflight_counts)
                    self._inflight_counts = Counter()
                self._last_error = f"{type(error).__name__} at {now.isoformat()}"
                raise
            with self._lock:
                self._stored.put(totals)
                self._inflight_counts = Counter()
                # Pulled keys are remembered no longer than they truly live, so a reader is
                # never wrongly refused here (the database knows the exact expiry).
                now_ms = store.epoch_ms(now)
                for key, expires in pulled:
                    if expires > now_ms and self._seen.get(key, now_ms) < expires:
                        self._remember(key, expires)
            self._last_error = None
            return stored

    force_flush = flush

    def _write(self, batch: list[_View], now: datetime):
        with self._engine.begin() as conn:
            counted: list[_View] = []
            for round_ in _rounds(batch):
                claimed = store.claim_views(conn, [(v.key, v.seen_ms, v.expires_ms) for v in round_])
                counted.extend(v for v in round_ if v.key in claimed)
            store.add_counts(conn, Counter((v.article, v.day) for v in counted), now)
            totals = store.totals(conn, {v.article for v in batch})
            now_ms = store.epoch_ms(now)
            if self._pulled_ms is None:  # first flush: every unexpired key, with its expiry
                pulled = store.live_view_keys(conn, now_ms, limit=self._capacity)
            else:  # later: the keys claimed since the previous flush, remembered until ``since``
                since = self._pulled_ms - self._overlap_ms + self._window_ms
                pulled = [(key, since) for key in
                          store.recent_view_keys(conn, since, limit=self._capacity)]
            self._pulled_ms = now_ms
            if batch and (self._pruned_at is None or now - self._pruned_at >= PRUNE_EVERY):
                store.prune(conn, now, now - BATCH_IDS_KEPT)
                self._pruned_at = now
        return len(counted), totals, pulled

    def after_fork(self) -> None:
        """Called in a forked child before its first use."""
        self._engine.dispose(close=False)
        self._flush_lock = threading.Lock()
        self._lock = threading.Lock()
        # Views buffered before the fork are the parent's to flush.
        self._pending, self._pending_counts, self._inflight_counts = [], Counter(), Counter()

    # --- lifecycle -----------------------------------------------------------------------
    def health(self) -> dict:
        with self._lock:
            pending = len(self._pending)
        return {"backend": "buffered", "pending": pending, "flush_error": self._last_error}

    def close(self, now: datetime) -> None:
        with self._lock:
            pending = bool(self._pending)
        if pending:
            self.flush(now)


def _rounds(batch: list[_View]) -> list[list[_View]]:
    """Split ``batch`` so that no view key occurs twice in one round (one upsert statement may
    touch a row once); a key repeats only when its window passed within one flush interval."""
    rounds: list[list[_View]] = []
    occurrences: Counter[str] = Counter()
    for view in batch:
        index = occurrences[view.key]
        occurrences[view.key] += 1
        if index == len(rounds):
            rounds.append([])
        rounds[index].append(view)
    return rounds
