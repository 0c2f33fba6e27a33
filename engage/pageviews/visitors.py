"""Visitor keys: recognising a repeat view without cookies or stored IP addresses.

A visitor key is ``HMAC(secret, daily_salt) → BLAKE2b(ip_prefix, user_agent)``. The daily salt is
random, shared by every process through the database (``salts.py``) and deleted once its day is
over, so keys of different days cannot be linked, not even by someone holding the server secret.
Mixing in the secret means a database dump alone (salt included) is not enough to test guesses
of a reader's network and browser against today's keys.

A *view key* narrows the visitor key to one article; only view keys are ever stored (for the
dedupe window), so stored rows cannot be linked across articles either.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from datetime import date, datetime, timezone
from typing import Callable

KEY_BYTES = 16  # 128 bits: collisions between visitors are negligible


def utc_day(now: datetime) -> date:
    """The UTC calendar day of the aware datetime ``now`` (salts and daily counts use UTC days)."""
    return now.astimezone(timezone.utc).date()


def visitor_key(salt: bytes, ip_prefix: str | None, user_agent: str | None) -> str:
    """The visitor's key for the day of ``salt`` (hex). Pure: same inputs, same key."""
    digest = hashlib.blake2b(key=salt[:64], digest_size=KEY_BYTES)
    digest.update((ip_prefix or "").encode())
    digest.update(b"\0")
    digest.update((user_agent or "").encode("utf-8", "replace"))
    return digest.hexdigest()


def view_key(article_key: str, visitor: str) -> int:
    """The key of one visitor's view of one article, used for the dedupe window.

    A 63-bit integer, so that it is the row id of its ``view_visitors`` row (SQLite's
    ``INTEGER PRIMARY KEY``; PostgreSQL ``BIGINT``): a 32-character text key needed a table
    and an index beside it, and storing the keys was the largest part of a flush
    (``bench/views.py``). Two of ten million views within one window share a key with a
    probability of about 5 in a million; the later one is then taken for a repeat.
    """
    digest = hashlib.blake2b(digest_size=8, person=b"engage-view")
    digest.update(visitor.encode())
    digest.update(b"\0")
    digest.update(article_key.encode())
    return int.from_bytes(digest.digest(), "big") >> 1


class DailySalts:
    """Today's salt, keyed with the server secret; the random part comes from ``load(day)``.

    ``load`` must return the same bytes for a day in every process (see ``salts.SaltStore``).
    The current day's salt is cached, so the store is read once a day per process.
    """

    def __init__(self, load: Callable[[date], bytes], secret: str):
        self._load = load
        self._secret = secret.encode()
        self._lock = threading.Lock()
        self._today: tuple[date | None, bytes] = (None, b"")

    def for_time(self, now: datetime) -> bytes:
        day = utc_day(now)
        # One atomic read of (day, salt): every view asks, and only a new day needs the lock.
        cached_day, salt = self._today
        if cached_day == day:
            return salt
        with self._lock:
            if self._today[0] != day:
                stored = self._load(day)
                self._today = (day, hmac.new(self._secret, b"views-salt:" + stored,
                                             hashlib.sha256).digest())
            return self._today[1]

    def visitor(self, now: datetime, ip_prefix: str | None, user_agent: str | None) -> str:
        """The visitor key of (``ip_prefix``, ``user_agent``) on the day of ``now``."""
        return visitor_key(self.for_time(now), ip_prefix, user_agent)
