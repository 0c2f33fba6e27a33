"""The embedded backend: decide in memory, store in batches.

``record`` answers from process memory (no database round trip): a map of view keys seen
within the window (bounded, least recently added first out) and a buffer of counted views. A
background flush, every ``VIEWS_FLUSH_SECONDS`` or after ``VIEWS_FLUSH_EVERY`` views, writes the
buffer in one transaction:

1. it takes the next *claim round* number (``store.next_claim_round``), which also makes
   concurrent flushes of several processes take turns;
2. it reads back the view keys other processes claimed since this process's previous round
   (with their expiry), so each process learns about repeats seen by the others within about
   one flush interval. Round numbers follow commit order, so this is exactly what is new: no
   key is read twice and none of this process's own come back (the first flush of a process
   reads every live key instead);
3. the buffer's view keys are *claimed* in ``view_visitors`` with an upsert that only succeeds
   when the key is new or expired; the database is the arbiter, so when two worker processes
   both counted one visitor's view, it is stored once;
4. the claimed views are added with one ``count = count + excluded.count`` upsert per
   (article, day).

Stored counts are therefore exact; the ``counted`` flag and total in a response can be off by a
repeat that went through another worker within the last flush interval. A crash loses at most
the views buffered since the last flush; a graceful stop flushes (``close``).

Memory is bounded whatever keys and visitors arrive: at most ``seen_capacity`` view keys,
``buffer_max`` buffered views (while the database cannot be written; later views are dropped
and counted in ``health``), the per-network counts of ``limits.NetworkLimits``, the bounded
``StoredTotals`` and the unflushed counts of about two flush intervals (``tally.Unflushed``).
"""

from __future__ import annotations

import logging
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from itertools import islice
from typing import NamedTuple

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from engage.config import DEFAULTS
from engage.pageviews import store
from engage.pageviews.backends.base import DatabaseReads, Recorded, StoredTotals
from engage.pageviews.backends.limits import NetworkLimits
from engage.pageviews.backends.tally import Generation, Unflushed
from engage.pageviews.visitors import utc_day, view_key

log = logging.getLogger(__name__)

PRUNE_EVERY = timedelta(seconds=60)
LEARN_CHUNK = 256  # pulled view keys remembered per hold of the lock
BATCH_IDS_KEPT = timedelta(days=7)


class _View(NamedTuple):
    key: int
    article: str
    day: date
    seen_ms: int      # epoch milliseconds, as view_visitors stores them
    expires_ms: int
    generation: Generation  # of the unflushed counts it was counted in
    network_bit: int  # store.network_bit of its network, 0 without one


class BufferedCounter(DatabaseReads):
    """Embedded view counter over a SQLAlchemy engine (SQLite or PostgreSQL).

    Recording takes no lock in the common case (a view key never seen, or seen within the
    window): request threads share a gunicorn worker, and one lock taken by all of them on
    every view stalled them (see ``tally.py``). A new key is claimed in memory with one
    ``dict.setdefault``; the buffer is a deque; unflushed counts are per-thread tallies minus
    what the flushing thread has stored. Only the rare paths lock: a key whose window ran out,
    keys read back from the database, and trimming the memory of seen keys.
    """

    def __init__(self, engine: Engine, *, window_seconds: float,
                 flush_seconds: float = DEFAULTS["VIEWS_FLUSH_SECONDS"],
                 flush_every: int = DEFAULTS["VIEWS_FLUSH_EVERY"], seen_capacity: int = 200_000,
                 totals_ttl: float | None = None,
                 per_network: int = DEFAULTS["VIEWS_PER_NETWORK"],
                 new_per_network: int = DEFAULTS["VIEWS_NEW_ARTICLES_PER_NETWORK"],
                 buffer_max: int = DEFAULTS["VIEWS_BUFFER_MAX"],
                 on_full: Callable[[], None] | None = None):
        self._engine = engine
        self._window_ms = int(window_seconds * 1000)
        self._flush_every = max(1, int(flush_every))
        self._capacity = seen_capacity
        self._buffer_max = max(1, int(buffer_max))
        self._limit_settings = (per_network, new_per_network)
        self.dropped = 0  # views not kept because the buffer was full
        self._recorded = False
        self._pruned_at: datetime | None = None
        self._last_error: str | None = None
        # Every flush refreshes the stored totals of the articles it wrote, so the totals of
        # articles this process is counting never go stale; the TTL (a bit over two flush
        # intervals) only bounds how far behind other processes' flushes a total may lag.
        self._stored = StoredTotals(self._load_totals, ttl=2 * flush_seconds + 1
                                    if totals_ttl is None else totals_ttl)
        self.on_full = on_full  # called when the buffer reaches flush_every views
        self._new_buffer()

    def _new_buffer(self) -> None:
        self._lock = threading.Lock()  # the rare paths only (see the class docstring)
        self._flush_lock = threading.Lock()
        self._seen: dict[int, int] = {}  # view key → expiry (epoch ms), oldest first
        self._pending: deque[_View] = deque()  # counted here, not handed to a flush yet
        self._retry: list[_View] = []  # taken by a flush that failed; the flusher's own
        self._unflushed = Unflushed()  # views counted here and not stored yet, per article
        self._claim_round: int | None = None  # of this process's last flush; None: none yet
        self._limits = NetworkLimits(*self._limit_settings, window_ms=self._window_ms)

    # --- recording -----------------------------------------------------------------------
    def record(self, article_key: str, visitor_key: str, now: datetime,
               network: str | None = None) -> Recorded:
        key = view_key(article_key, visitor_key)
        now_ms = store.epoch_ms(now)
        self._recorded = True
        stored, known = self._stored.lookup(article_key)
        unflushed = self._unflushed
        previous = self._seen.get(key)
        counted = False
        if previous is None or previous <= now_ms:  # new, or seen before the window
            counted = self._count(key, previous, article_key, network, now, now_ms,
                                  known or unflushed.get(article_key) > 0)
        return Recorded(counted, stored + unflushed.get(article_key))

    def _count(self, key: int, previous: int | None, article_key: str, network: str | None,
               now: datetime, now_ms: int, known: bool) -> bool:
        """Count the view unless a limit or a full buffer refuses it (then nothing is kept)."""
        if len(self._pending) + len(self._retry) >= self._buffer_max:
            self.dropped += 1
            return False
        if network is not None and not self._limits.take(article_key, network, now_ms, known):
            return False
        expires = now_ms + self._window_ms
        if previous is None:
            counted = _added(self._seen, key, expires)
        else:
            with self._lock:
                counted = self._seen.get(key, now_ms) <= now_ms
                if counted:
                    self._seen[key] = expires
        if counted:
            generation = self._unflushed.current
            self._pending.append(_View(key, article_key, utc_day(now), now_ms, expires,
                                       generation, store.network_bit(network) if network else 0))
            generation.counted.add(article_key)
            if len(self._pending) >= self._flush_every and self.on_full is not None:
                self.on_full()
        return counted

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
        unflushed = self._unflushed
        return {key: unflushed.get(key) for key in keys}

    # --- flushing ------------------------------------------------------------------------
    def flush(self, now: datetime) -> int:
        """Store the buffered views (one transaction); return how many were stored.

        On a database error the views are kept for the next flush and the error is raised.
        """
        with self._flush_lock:
            if not self._retry:  # the last flush stored everything it took
                self._unflushed.rotate()
            batch, self._retry = self._retry, []
            take = self._pending.popleft
            for _ in range(len(self._pending)):  # views added meanwhile wait for the next one
                batch.append(take())
            now_ms = store.epoch_ms(now)
            try:
                stored, totals, pulled = self._write(batch, now)
            except SQLAlchemyError as error:
                self._retry = batch
                self._last_error = f"{type(error).__name__} at {now.isoformat()}"
                self._trim(now_ms)  # memory stays bounded while the database cannot be written
                raise
            # Back to back, so that a total read meanwhile is off for a moment at most.
            self._stored.put(totals)
            Unflushed.stored(batch)
            self._learn(pulled, now_ms)
            self._trim(now_ms)
            self._last_error = None
            return stored

    def _learn(self, pulled: list[tuple[int, int]], now_ms: int) -> None:
        """Remember the view keys read back from the database (other processes' views).

        Pulled keys are remembered no longer than they truly live, so a reader is never
        wrongly refused here (the database knows the exact expiry). Keys this process saw
        itself meanwhile (a visitor whose views went to several workers) are filtered out
        without the lock, and the rest are added a chunk at a time.
        """
        seen = self._seen
        fresh = [(key, expires) for key, expires in pulled
                 if expires > now_ms and seen.get(key, now_ms) < expires]
        for start in range(0, len(fresh), LEARN_CHUNK):
            with self._lock:
                for key, expires in fresh[start:start + LEARN_CHUNK]:
                    if seen.get(key, now_ms) < expires:
                        seen[key] = expires

    def _trim(self, now_ms: int) -> None:
        self._trim_seen(now_ms)
        self._limits.trim()

    def _trim_seen(self, now_ms: int) -> None:
        """Keep at most ``seen_capacity`` keys by dropping the oldest tenth when it is full.

        Keys are in the order they were added, which is about the order they expire in, so
        the oldest go first and only they are looked at (a busy process reaches the capacity
        within a minute and trims every few seconds after that). Runs on the flushing thread
        while request threads add keys; a key is dropped only if it still holds the value that
        was read, so a renewal is not undone.
        """
        excess = len(self._seen) - int(self._capacity * 0.9)
        if len(self._seen) <= self._capacity or excess <= 0:
            return
        with self._lock:
            seen = self._seen
            oldest = list(islice(seen.items(), excess))  # one step: nobody adds meanwhile
            for key, expires in oldest:
                if seen.get(key) == expires:
                    del seen[key]

    force_flush = flush

    def _write(self, batch: list[_View], now: datetime):
        now_ms = store.epoch_ms(now)
        with self._engine.begin() as conn:
            claim_round = store.next_claim_round(conn)  # first: see store.next_claim_round
            if self._claim_round is None:  # first flush: every unexpired key, with its expiry
                pulled = store.live_view_keys(conn, now_ms, limit=self._capacity)
            else:
                pulled = store.claimed_after(conn, self._claim_round, limit=self._capacity)
            counted: Counter[tuple[str, date]] = Counter()
            for part in _parts_with_unique_keys(batch):
                counted.update(store.claim_views(conn, [
                    (v.key, v.seen_ms, v.expires_ms, (v.article, v.day)) for v in part],
                    claim_round))
            store.add_counts(conn, counted, now, _network_masks(batch))
            totals = store.known_totals(conn, {v.article for v in batch})
            if batch and (self._pruned_at is None or now - self._pruned_at >= PRUNE_EVERY):
                store.prune(conn, now, now - BATCH_IDS_KEPT)
                self._pruned_at = now
        self._claim_round = claim_round  # committed: the next read-back starts after it
        return sum(counted.values()), totals, pulled

    def after_fork(self) -> None:
        """Called in a forked child before its first use."""
        self._engine.dispose(close=False)
        self._new_buffer()  # views buffered before the fork are the parent's to flush

    # --- lifecycle -----------------------------------------------------------------------
    def health(self) -> dict:
        return {"backend": "buffered", "pending": len(self._pending) + len(self._retry),
                "flush_error": self._last_error, "dropped": self.dropped,
                "refused_by_limits": self._limits.refused}

    def close(self, now: datetime) -> None:
        if self._pending or self._retry:
            self.flush(now)


def _added(seen: dict[int, int], key: int, expires: int) -> bool:
    """Add ``key`` to ``seen`` unless present; True if this call added it.

    ``dict.setdefault`` is one step under the interpreter lock, so of two threads adding the
    same key at once exactly one wins; ``expires`` is an int made for this call (not a cached
    small int), so identity tells whether the stored value is ours.
    """
    return seen.setdefault(key, expires) is expires


def _network_masks(batch: list[_View]) -> dict[tuple[str, date], int]:
    """The OR of the network bits of ``batch``'s views, per (article, day)."""
    masks: dict[tuple[str, date], int] = {}
    for view in batch:
        if view.network_bit:
            slot = (view.article, view.day)
            masks[slot] = masks.get(slot, 0) | view.network_bit
    return masks


def _parts_with_unique_keys(batch: list[_View]) -> list[list[_View]]:
    """Split ``batch`` so that no view key occurs twice in one part (one upsert statement may
    touch a row once); a key repeats only when its window passed within one flush interval."""
    parts: list[list[_View]] = []
    occurrences: Counter[int] = Counter()
    for view in batch:
        index = occurrences[view.key]
        occurrences[view.key] += 1
        if index == len(parts):
            parts.append([])
        parts[index].append(view)
    return parts
