"""Redis when it answers, the embedded buffer when it does not.

A Redis error marks Redis down for ``retry_seconds``; meanwhile views go straight to the
buffered backend (no per-request timeout), which stores them in the database on its own.
Health reports ``degraded`` while Redis is down. Counts are never lost by the switch; a visitor
may count once more than they should across the switch, since the two dedupe sets are separate.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import date, datetime

from redis.exceptions import RedisError

from engage.pageviews.backends.base import Recorded
from engage.sites import DEFAULT_SITE
from engage.pageviews.backends.buffered import BufferedCounter
from engage.pageviews.backends.redis import RedisCounter

log = logging.getLogger(__name__)

FAILURES = (RedisError, OSError)


class FailoverCounter:
    def __init__(self, primary: RedisCounter, fallback: BufferedCounter, *,
                 retry_seconds: float = 5.0, clock: Callable[[], float] = time.monotonic):
        self.primary = primary
        self.fallback = fallback
        self._retry = retry_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._down_until: float | None = None
        self._error: str | None = None

    @property
    def degraded(self) -> bool:
        return self._down_until is not None

    def _usable(self) -> bool:
        down_until = self._down_until
        return down_until is None or self._clock() >= down_until

    def _failed(self, error: Exception) -> None:
        with self._lock:
            if self._down_until is None:
                log.warning("Redis unavailable (%s): counting views in the embedded buffer",
                            type(error).__name__)
            self._down_until = self._clock() + self._retry
            self._error = type(error).__name__

    def _recovered(self) -> None:
        if self._down_until is not None:
            with self._lock:
                self._down_until, self._error = None, None
            log.warning("Redis is back: counting views in Redis again")

    def record(self, article_key: str, visitor_key: str, now: datetime,
               network: str | None = None) -> Recorded:
        if self._usable():
            try:
                result = self.primary.record(article_key, visitor_key, now, network)
            except FAILURES as error:
                self._failed(error)
            else:
                self._recovered()
                if not self.fallback.in_use:  # the common case: Redis never failed here
                    return result
                extra = self.fallback.unflushed([article_key])[article_key]
                return Recorded(result.counted, result.total + extra)
        return self.fallback.record(article_key, visitor_key, now, network)

    def totals(self, keys: Iterable[str]) -> dict[str, int]:
        keys = list(dict.fromkeys(keys))
        if self._usable():
            try:
                totals = self.primary.totals(keys)
            except FAILURES as error:
                self._failed(error)
            else:
                extra = self.fallback.unflushed(keys)
                return {key: totals[key] + extra[key] for key in keys}
        return self.fallback.totals(keys)

    def daily(self, key: str, first: date, last: date) -> dict[date, int]:
        return self.fallback.daily(key, first, last)

    def top(self, first: date, last: date, limit: int,
            min_networks: int = 0, site: str = DEFAULT_SITE) -> list[tuple[str, int]]:
        return self.fallback.top(first, last, limit, min_networks, site)

    def flush(self, now: datetime, force: bool = False) -> int:
        # The fallback touches the database only once it has been used (Redis was down once).
        stored = self.fallback.flush(now) if self.fallback.in_use else 0
        if self._usable():
            try:
                stored += self.primary.flush(now, force=force)
            except FAILURES as error:
                self._failed(error)
        return stored

    def force_flush(self, now: datetime) -> int:
        return self.flush(now, force=True)

    def health(self) -> dict:
        report = {"backend": "redis", "fallback": self.fallback.health()}
        try:
            self.primary.health()
        except FAILURES as error:
            self._failed(error)
            return {**report, "status": "degraded", "redis": "down", "error": type(error).__name__}
        self._recovered()
        return {**report, "status": "ok", "redis": "ok"}

    def after_fork(self) -> None:
        self.fallback.after_fork()

    def close(self, now: datetime) -> None:
        self.fallback.close(now)
        try:
            self.primary.close(now)  # force-flushes
        except FAILURES as error:
            log.warning("could not persist Redis view counts at shutdown (%s); they stay in "
                        "Redis for the next persist", type(error).__name__)
