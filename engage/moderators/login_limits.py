"""Login throttling: too many failed logins lock a name, or an IP prefix, for a while.

Contracts
- Failures are counted per key within a sliding window of ``window`` seconds. Keys are
  ``name:<moderator name>`` and ``ip:<anonymised IP prefix>``; each key has its own limit.
- ``locked_until(keys, now)`` is the earliest time every key is below its limit again, or None
  when login may be tried now. While locked, even a correct password is refused (otherwise the
  lock would only slow a guesser down, not stop them).
- ``clear(key)`` forgets a key's failures (the name's, after a successful login; never the IP's,
  so one valid account does not reset a guesser's budget across other accounts).
- Two backends with the same behaviour: ``SqlLoginLimiter`` (the ``login_failures`` table,
  shared by every process through the database) and ``RedisLoginLimiter`` (a sorted set per key,
  used when ``REDIS_URL`` is configured). Time is passed in, never read here.
- With Redis configured the routes wrap the two in ``shared_store.redis_or_database``: Redis
  while it answers, the database when it does not, so an unreachable Redis neither locks
  moderators out nor switches throttling off.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Protocol

from sqlalchemy import Index, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engage.db import Base, UTCDateTime


class LoginFailure(Base):
    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key", "key", "failed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(128))
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


@dataclass(frozen=True)
class Limit:
    """At most ``failures`` failed logins per key within ``window`` seconds."""

    failures: int
    window: int


class LoginLimiter(Protocol):
    def record_failure(self, keys: dict[str, Limit], now: datetime) -> None: ...

    def locked_until(self, keys: dict[str, Limit], now: datetime) -> datetime | None: ...

    def clear(self, key: str) -> None: ...


def _unlock_time(failures: list[datetime], limit: Limit) -> datetime:
    """When the oldest failure that keeps the key at its limit leaves the window."""
    failures = sorted(failures)
    return failures[len(failures) - limit.failures] + timedelta(seconds=limit.window)


class SqlLoginLimiter:
    def __init__(self, session: Session):
        self.session = session

    def record_failure(self, keys: dict[str, Limit], now: datetime) -> None:
        longest = max((limit.window for limit in keys.values()), default=0)
        # Old rows are useless for every key; dropping them here keeps the table small.
        self.session.execute(delete(LoginFailure).where(
            LoginFailure.failed_at < now - timedelta(seconds=max(longest, 86400))))
        for key in keys:
            self.session.add(LoginFailure(key=key, failed_at=now))
        self.session.flush()

    def locked_until(self, keys: dict[str, Limit], now: datetime) -> datetime | None:
        latest = None
        for key, limit in keys.items():
            since = now - timedelta(seconds=limit.window)
            count = self.session.scalar(select(func.count()).select_from(LoginFailure).where(
                LoginFailure.key == key, LoginFailure.failed_at > since))
            if count < limit.failures:
                continue
            times = self.session.scalars(
                select(LoginFailure.failed_at)
                .where(LoginFailure.key == key, LoginFailure.failed_at > since)
                .order_by(LoginFailure.failed_at.desc()).limit(limit.failures)).all()
            until = _unlock_time(list(times), limit)
            latest = until if latest is None or until > latest else latest
        return latest if latest is not None and latest > now else None

    def clear(self, key: str) -> None:
        self.session.execute(delete(LoginFailure).where(LoginFailure.key == key))


class RedisLoginLimiter:
    """Same contract on Redis: one sorted set per key, scored by failure time."""

    def __init__(self, client, prefix: str = "engage:"):
        self.client = client
        self.prefix = prefix + "login-failures:"

    def record_failure(self, keys: dict[str, Limit], now: datetime) -> None:
        stamp = now.timestamp()
        pipe = self.client.pipeline()
        for key, limit in keys.items():
            name = self.prefix + key
            # members must be unique, or two failures in the same instant would count once
            pipe.zadd(name, {f"{stamp}:{secrets.token_hex(6)}": stamp})
            pipe.zremrangebyscore(name, "-inf", stamp - limit.window)
            pipe.expire(name, limit.window)
        pipe.execute()

    def locked_until(self, keys: dict[str, Limit], now: datetime) -> datetime | None:
        latest = None
        stamp = now.timestamp()
        for key, limit in keys.items():
            scores = [score for _, score in self.client.zrangebyscore(
                self.prefix + key, stamp - limit.window, "+inf", withscores=True)]
            scores = [s for s in scores if s > stamp - limit.window]
            if len(scores) < limit.failures:
                continue
            times = [datetime.fromtimestamp(s, timezone.utc) for s in scores]
            until = _unlock_time(times, limit)
            latest = until if latest is None or until > latest else latest
        return latest if latest is not None and latest > now else None

    def clear(self, key: str) -> None:
        self.client.delete(self.prefix + key)
