"""Counting per key from many threads without a lock on the counting path.

Why no lock: every view is counted by one of gunicorn's request threads. With one lock shared
by all of them, a thread that the interpreter preempts while holding it stalls every other
thread, and the stall repeats (a lock convoy); on this project's 2-core machine that doubled
the cost of a view with 8 threads (``bench/views.py``). Here each thread adds only to its own
``Counter`` (one writer per counter, so no update is lost), and a reader sums the counters of
every thread. Totals only grow; "how many are not stored yet" is a total minus what the single
flushing thread has recorded as stored. ``Unflushed`` keeps such counts per flush interval
(``Generation``) so that they are dropped once stored.

Under gevent (``engage.serving.worker_classes``) the counters are per OS thread, not per greenlet:
a greenlet is only switched out where it waits on I/O, never inside ``add``, so the greenlets
of a thread can share one counter, and a server that starts a greenlet per connection does not
register a counter per connection.
"""

from __future__ import annotations

import threading
import weakref
from collections import Counter

from engage.serving.worker_classes import os_thread_local


class _Owner:
    """Kept only in a thread's local storage: it dies with the thread (the weakref says so)."""

    __slots__ = ("__weakref__",)


class PerThreadTally:
    """Monotonic counts per key; ``add`` is lock-free, ``get`` sums over threads."""

    def __init__(self):
        self._local = os_thread_local()
        self._lock = threading.Lock()  # only to register a thread, and to retire dead ones
        self._counters: list[tuple[weakref.ref, Counter]] = []
        self._retired: Counter = Counter()  # counts of threads that have exited

    def add(self, key: str) -> None:
        try:
            mine = self._local.counts
        except AttributeError:
            mine = self._register()
        mine[key] += 1

    def get(self, key: str) -> int:
        """The count of ``key`` over every thread (a read may miss an ``add`` in progress)."""
        total = self._retired.get(key, 0)
        for _, counts in self._counters:  # the list may grow while we read it: that is safe
            total += counts.get(key, 0)
        return total

    @property
    def registered(self) -> int:
        """How many threads' counters are kept apart (not yet retired)."""
        return len(self._counters)

    def retire_dead_threads(self) -> None:
        """Fold the counters of exited threads into one (keeps ``get`` short in a server that
        replaces its threads). A ``get`` running meanwhile may briefly see a lower count."""
        with self._lock:
            alive, dead = [], []
            for entry in self._counters:
                (alive if entry[0]() is not None else dead).append(entry)
            if not dead:
                return
            self._counters = alive
            retired = Counter(self._retired)
            for _, counts in dead:
                retired.update(counts)
            self._retired = retired

    def _register(self) -> Counter:
        owner = self._local.owner = _Owner()
        counts = self._local.counts = Counter()
        with self._lock:
            self._counters = self._counters + [(weakref.ref(owner), counts)]
        return counts


class Generation:
    """The views counted during one flush interval: per article, counted (by any thread) and,
    of those, stored (by the flushing thread only)."""

    __slots__ = ("counted", "stored")

    def __init__(self):
        self.counted = PerThreadTally()
        self.stored: Counter = Counter()


class Unflushed:
    """Views counted here and not stored yet, per article, in bounded memory.

    Monotonic counts kept forever would hold every article key ever viewed (an attacker's
    invented keys included). Instead each view is counted in the *current* generation and
    carries it to the flush, which marks it stored in that same generation. ``rotate`` (at the
    start of a flush whose predecessor succeeded) starts a new generation and drops the one
    before the previous: by then every view of it has been stored by a successful flush. Only
    two generations are kept, so memory is bounded by the articles viewed in about two flush
    intervals. A view whose request thread was paused across two whole flushes could be
    dropped from the count for a moment; it is still in the buffer and stored all the same.
    """

    def __init__(self):
        self.current = Generation()
        self._previous = Generation()

    def get(self, key: str) -> int:
        current, previous = self.current, self._previous
        return (current.counted.get(key) - current.stored[key]
                + previous.counted.get(key) - previous.stored[key])

    def rotate(self) -> None:
        self._previous, self.current = self.current, Generation()

    @staticmethod
    def stored(views) -> None:
        """Mark ``views`` (objects with ``generation`` and ``article``) stored. Flusher only."""
        for view in views:
            view.generation.stored[view.article] += 1
