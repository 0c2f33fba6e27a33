"""Login throttling: every password check is counted first, atomically, against its keys' limits.

Contracts
- Attempts are counted per key within a sliding window of ``window`` seconds; each key has its
  own limit. Which keys an attempt counts against is the caller's choice (``routes``).
- ``claim(keys, now)`` is the check and the record in one atomic step: either every key is
  below its limit and the attempt is recorded against all of them (``Claim.allowed``), or
  nothing is recorded and ``Claim.locked_until`` says when the last full key frees up. So
  parallel attempts, in any number of processes, get at most ``limit`` password checks per key
  and window: the SQL limiter serialises the claims of one key (PostgreSQL: a transaction-level
  advisory lock per key; SQLite: its write lock, taken by the claim's first statement) and
  commits the claim before the password is checked; Redis does it in one Lua script.
- ``claim.forgive(keys)`` takes a successful attempt back out of the counts (it was no
  failure), in the store that recorded it; ``locked_until(keys, now)`` says whether the keys
  are now at their limit (after a failure, to answer 429 at once); ``clear(key)`` forgets a
  key's attempts.
- Two backends with the same behaviour: ``SqlLoginLimiter`` (the ``login_failures`` table,
  shared by every process through the database) and ``RedisLoginLimiter`` (a sorted set per key,
  used when ``REDIS_URL`` is configured). Time is passed in, never read here.
- With Redis configured the routes wrap the two in ``shared_store.redis_or_database``: Redis
  while it answers, the database when it does not, so an unreachable Redis neither locks
  moderators out nor switches throttling off.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from sqlalchemy import Index, String, delete, func, insert, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from engage.db import Base, UTCDateTime
from engage.shared_store import prune

log = logging.getLogger(__name__)


class LoginFailure(Base):
    """One counted login attempt (a failure, or a check still under way) of one key."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key", "key", "failed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(128))
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


@dataclass(frozen=True)
class Limit:
    """At most ``failures`` counted attempts per key within ``window`` seconds."""

    failures: int
    window: int


@dataclass(frozen=True)
class Claim:
    """The outcome of ``claim``: allowed (``locked_until`` None) or refused until then."""

    locked_until: datetime | None
    records: Any = None  # what ``forgive`` removes: row ids or a Redis member
    source: Any = field(default=None, compare=False)  # the limiter that recorded it

    @property
    def allowed(self) -> bool:
        return self.locked_until is None

    def forgive(self, keys: dict[str, Limit]) -> None:
        """The attempt succeeded: take it back out, where it was recorded (the database when
        Redis was out at the time of the claim)."""
        if self.source is not None:
            self.source.forgive(keys, self)


class LoginLimiter(Protocol):
    def claim(self, keys: dict[str, Limit], now: datetime) -> Claim: ...

    def forgive(self, keys: dict[str, Limit], claim: Claim) -> None: ...

    def locked_until(self, keys: dict[str, Limit], now: datetime) -> datetime | None: ...

    def clear(self, key: str) -> None: ...


def _unlock_time(failures: list[datetime], limit: Limit) -> datetime:
    """When the oldest failure that keeps the key at its limit leaves the window."""
    failures = sorted(failures)
    return failures[len(failures) - limit.failures] + timedelta(seconds=limit.window)


def _latest(times: list[datetime | None]) -> datetime | None:
    known = [moment for moment in times if moment is not None]
    return max(known) if known else None


def _advisory_key(key: str) -> int:
    return int.from_bytes(hashlib.sha256(b"engage-login:" + key.encode()).digest()[:8], "big",
                          signed=True)


class SqlLoginLimiter:
    def __init__(self, session: Session):
        self.session = session

    def claim(self, keys: dict[str, Limit], now: datetime) -> Claim:
        """See the module docstring. Commits (or rolls back) the session."""
        session = self.session
        if session.get_bind().dialect.name == "postgresql":
            for key in sorted(keys):  # one lock order: claims of overlapping keys cannot deadlock
                session.execute(text("SELECT pg_advisory_xact_lock(:k)"),
                                {"k": _advisory_key(key)})
        # On SQLite this INSERT takes the write lock: the counts below see every other claim.
        ids = list(session.scalars(insert(LoginFailure).returning(LoginFailure.id),
                                   [{"key": key, "failed_at": now} for key in sorted(keys)]))
        until = _latest([self._until(key, limit, now) for key, limit in keys.items()])
        if until is not None:
            session.rollback()
            return Claim(until)
        longest = max((limit.window for limit in keys.values()), default=0)
        # Old rows are useless for every key; dropping them here keeps the table small.
        prune(session, LoginFailure, LoginFailure.failed_at,
              now - timedelta(seconds=max(longest, 86400)))
        session.commit()
        return Claim(None, tuple(ids), self)

    def _until(self, key: str, limit: Limit, now: datetime) -> datetime | None:
        """When ``key`` is below its limit again, counting this claim; None if it is now."""
        since = now - timedelta(seconds=limit.window)
        times = self.session.scalars(
            select(LoginFailure.failed_at)
            .where(LoginFailure.key == key, LoginFailure.failed_at > since)
            .order_by(LoginFailure.failed_at.desc()).limit(limit.failures + 1)).all()
        if len(times) <= limit.failures:
            return None
        # over the limit with this claim: locked until one of the others leaves the window
        return max(_unlock_time(list(times[1:]), limit), now + timedelta(seconds=1))

    def forgive(self, keys: dict[str, Limit], claim: Claim) -> None:
        if claim.records:
            self.session.execute(delete(LoginFailure).where(LoginFailure.id.in_(claim.records)))

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


# KEYS: the keys; ARGV: now, member, then limit and window of each key. Records the member in
# every key and returns "" when each is below its limit; else records nothing and returns when
# the last full key frees up (a string: Lua numbers would come back truncated to integers).
_CLAIM_SCRIPT = """
local now, member, latest = tonumber(ARGV[1]), ARGV[2], nil
for i, key in ipairs(KEYS) do
  local limit, window = tonumber(ARGV[1 + 2 * i]), tonumber(ARGV[2 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) >= limit then
    local oldest = redis.call('ZRANGE', key, -limit, -limit, 'WITHSCORES')
    local frees = tonumber(oldest[2]) + window
    if latest == nil or frees > latest then latest = frees end
  end
end
if latest ~= nil then return string.format('%.6f', latest) end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, member)
  redis.call('EXPIRE', key, tonumber(ARGV[2 + 2 * i]))
end
return ''
"""


class RedisLoginLimiter:
    """Same contract on Redis: one sorted set per key, scored by attempt time."""

    def __init__(self, client, prefix: str = "engage:"):
        self.client = client
        self.prefix = prefix + "login-failures:"
        self._claim = client.register_script(_CLAIM_SCRIPT)

    def claim(self, keys: dict[str, Limit], now: datetime) -> Claim:
        stamp = now.timestamp()
        # members must be unique, or two attempts in the same instant would count once
        member = f"{stamp}:{secrets.token_hex(6)}"
        ordered = sorted(keys)
        args: list = [repr(stamp), member]
        for key in ordered:
            args += [keys[key].failures, keys[key].window]
        answer = self._claim(keys=[self.prefix + key for key in ordered], args=args)
        if answer in (b"", ""):
            return Claim(None, member, self)
        frees = datetime.fromtimestamp(float(answer), timezone.utc)
        return Claim(max(frees, now + timedelta(seconds=1)))

    def forgive(self, keys: dict[str, Limit], claim: Claim) -> None:
        from redis import RedisError  # here: only this store needs Redis (like its client)

        pipe = self.client.pipeline()
        for key in keys:
            pipe.zrem(self.prefix + key, claim.records)
        try:
            pipe.execute()
        except RedisError as error:  # the attempt stays counted: one failure too many, no harm
            log.warning("a successful login stays counted: %s", type(error).__name__)

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
