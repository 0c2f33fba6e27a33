"""Visitor keys: recognising a repeat view without cookies or stored IP addresses.

A visitor key is ``HMAC(secret, daily_salt) → BLAKE2b(ip_prefix, user_agent)``. The daily salt is
random, shared by every process through the database (``salts.py``) and deleted once its day is
over, so keys of different days cannot be linked, not even by someone holding the server secret.
Mixing in the secret means a database dump alone (salt included) is not enough to test guesses
of a reader's network and browser against today's keys.

A *view key* narrows the visitor key to one article; only view keys are ever stored (for the
dedupe window), so stored rows cannot be linked across articles either.

A *network key* is the same keyed hash of the anonymised network alone: the per-network limits
(``VIEWS_PER_NETWORK``, ``VIEWS_NEW_ARTICLES_PER_NETWORK``) count by it, and the top list's
"read from several networks" test uses one bit of it (``store.network_bit``).

When the day's salt cannot be had from the database (down, or a full disk before anyone stored
it), a view is not refused: ``DailySalts`` uses a salt derived from the secret and the day,
the same in every process, and asks the database again a minute later. Keys made with it can
be tested against guesses by someone holding the secret; they live for one window at most.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from datetime import date, datetime, timezone
from typing import Callable

log = logging.getLogger(__name__)

KEY_BYTES = 16  # 128 bits: collisions between visitors are negligible
FALLBACK_RETRY_SECONDS = 60.0  # how soon a process on the derived salt asks the database again


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


def network_key(salt: bytes, ip_prefix: str | None) -> str:
    """The key of the anonymised network ``ip_prefix`` for the day of ``salt`` (hex)."""
    digest = hashlib.blake2b(key=salt[:64], digest_size=KEY_BYTES, person=b"engage-network")
    digest.update((ip_prefix or "").encode())
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
    The current day's salt is cached, so the store is read once a day per process. If ``load``
    fails, the salt derived from the secret and the day stands in (module docstring) and
    ``load`` is tried again after ``retry_seconds``.
    """

    def __init__(self, load: Callable[[date], bytes], secret: str, *,
                 retry_seconds: float = FALLBACK_RETRY_SECONDS,
                 clock: Callable[[], float] = time.monotonic):
        self._load = load
        self._secret = secret.encode()
        self._retry = retry_seconds
        self._clock = clock
        self._lock = threading.Lock()
        # (day, keyed salt, monotonic time to ask the database again or None when stored)
        self._today: tuple[date | None, bytes, float | None] = (None, b"", None)

    def for_time(self, now: datetime) -> bytes:
        day = utc_day(now)
        # One atomic read of the tuple: every view asks, and only a new day needs the lock.
        cached_day, salt, retry_at = self._today
        if cached_day == day and (retry_at is None or self._clock() < retry_at):
            return salt
        with self._lock:
            cached_day, salt, retry_at = self._today
            if cached_day != day or (retry_at is not None and self._clock() >= retry_at):
                self._today = self._fetch(day, fallback_in_use=cached_day == day)
            return self._today[1]

    def _fetch(self, day: date, fallback_in_use: bool) -> tuple[date, bytes, float | None]:
        try:
            stored = self._load(day)
        except Exception as error:  # noqa: BLE001 - any failure: count with the derived salt
            if not fallback_in_use:
                log.warning("no stored view salt for %s (%s): using the derived one", day,
                            type(error).__name__)
            stored = hmac.new(self._secret, b"views-fallback-salt:" + day.isoformat().encode(),
                              hashlib.sha256).digest()
            return day, self._keyed(stored), self._clock() + self._retry
        return day, self._keyed(stored), None

    def _keyed(self, stored: bytes) -> bytes:
        return hmac.new(self._secret, b"views-salt:" + stored, hashlib.sha256).digest()

    def visitor(self, now: datetime, ip_prefix: str | None, user_agent: str | None) -> str:
        """The visitor key of (``ip_prefix``, ``user_agent``) on the day of ``now``."""
        return visitor_key(self.for_time(now), ip_prefix, user_agent)

    def keys(self, now: datetime, ip_prefix: str | None,
             user_agent: str | None) -> tuple[str, str]:
        """(visitor key, network key) of a request on the day of ``now``."""
        salt = self.for_time(now)
        return visitor_key(salt, ip_prefix, user_agent), network_key(salt, ip_prefix)
