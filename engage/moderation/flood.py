"""Flood limit: one reader (anonymised IP or reader key) may post once per ``flood_seconds``
on a site (each site has its own keys, since its settings may give it its own limit).

Never keyed on the email: a 429 for an address would tell anyone that it posted within the
window, and would let anyone block a reader by posting under their address. The reader key
(engage/readers.py) is the browser's secret, so only its holder can use up its slot; a client
that rotates keys or sends none is still limited per network.

``claim(keys, now, seconds)`` is atomic across processes: it either records ``now`` for every
key and returns 0, or changes nothing and returns how many seconds remain before the reader
may post again. A refused attempt does not restart the wait.

- Redis (``REDIS_URL`` set): one Lua script checks and sets every key with ``PX`` expiry
  (timed by the Redis server's clock, not the ``now`` passed in).
- Database: ``moderation_flood`` keeps the last post time per key; an upsert that only
  overwrites rows older than the window claims a key. On PostgreSQL, a concurrent claim of the
  same key waits for the first transaction and then sees its row, so two posts at once cannot
  both pass. Keys are claimed in sorted order (no lock-order deadlocks). The claim is part of
  the caller's transaction: a refused or failed submission rolls it back.

Keys are HMACs of ``ip:<prefix>`` and ``reader:<reader key>`` with the secret key, so neither
the table nor Redis holds a reader's network or key.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import math
from datetime import datetime, timedelta
from typing import Callable, Protocol

from sqlalchemy import String, bindparam, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engage.db import Base, UTCDateTime, dialect_insert
from engage.driver_statements import DriverStatement
from engage.errors import TooManyRequests
from engage.sites import DEFAULT_SITE
from engage.shared_store import prune, redis_or_database

MESSAGE = "You are posting comments too quickly. Wait a moment and try again."


class FloodMark(Base):
    __tablename__ = "moderation_flood"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


def flood_keys(ip_prefix: str | None, reader_key: str | None, secret: str,
               site: str = DEFAULT_SITE) -> list[str]:
    """The sorted keys that identify one reader on ``site``."""
    raw = []
    if ip_prefix:
        raw.append(f"ip:{ip_prefix}")
    if reader_key:
        raw.append(f"reader:{reader_key}")
    if site != DEFAULT_SITE:  # default's keys are those made before sites existed
        raw = [f"site:{site}:{item}" for item in raw]
    return sorted(hmac.new(secret.encode(), item.encode(), hashlib.sha256).hexdigest()[:40]
                  for item in raw)


class FloodGate(Protocol):
    # True when ``claim`` writes to the database: ``check_flood`` then reads first
    # (``remaining``) and leaves the claim for the comment's own writes.
    deferred: bool

    def claim(self, keys: list[str], now: datetime, seconds: float) -> float: ...

    def remaining(self, keys: list[str], now: datetime, seconds: float) -> float: ...


# Marks older than the window are deleted by one successful claim in this many per process
# (amortized: a DELETE on every post cost more than the claim). The table holds at most the
# marks of the window plus those of PRUNE_EVERY claims per process.
PRUNE_EVERY = 16
_claims_made = itertools.count(1)

# The claim's statements, on the driver's cursor in the session's transaction
# (engage/driver_statements.py): every post runs them, and SQLAlchemy's execution cost more
# than running them on SQLite (issue 22).
_LAST = DriverStatement(select(FloodMark.last_at).where(FloodMark.key == bindparam("key")))


def _claim(dialect: str):
    now = bindparam("now", type_=FloodMark.last_at.type)
    statement = dialect_insert(dialect, FloodMark.__table__).values(key=bindparam("key"),
                                                                   last_at=now)
    # RETURNING gives a row only when the key was inserted or its old mark replaced.
    return statement.on_conflict_do_update(
        index_elements=["key"], set_={"last_at": now},
        where=FloodMark.last_at <= bindparam("cutoff", type_=FloodMark.last_at.type),
    ).returning(FloodMark.key)


_CLAIM = DriverStatement(_claim)


class SqlFloodGate:
    deferred = True

    def __init__(self, session: Session):
        self.session = session

    def remaining(self, keys: list[str], now: datetime, seconds: float) -> float:
        """Seconds before the reader may post again, read only (no write lock)."""
        wait = 0.0
        for key in keys:
            last = _LAST.scalar(self.session, {"key": key})
            if last is not None:
                wait = max(wait, seconds - (now - last).total_seconds())
        return max(wait, 0.0)

    def claim(self, keys: list[str], now: datetime, seconds: float) -> float:
        cutoff = now - timedelta(seconds=seconds)
        wait = 0.0
        for key in sorted(keys):
            claimed = _CLAIM.first(self.session, {"key": key, "now": now, "cutoff": cutoff})
            if claimed is None:
                last = _LAST.scalar(self.session, {"key": key})
                if last is not None:
                    wait = max(wait, seconds - (now - last).total_seconds())
        if wait <= 0 and next(_claims_made) % PRUNE_EVERY == 0:
            prune(self.session, FloodMark, FloodMark.last_at, cutoff)
        return max(wait, 0.0)


# Returns 0 and sets every key, or the longest remaining TTL (ms) and sets nothing.
_CLAIM_SCRIPT = """
local longest = 0
for _, key in ipairs(KEYS) do
  local ttl = redis.call('PTTL', key)
  if ttl > longest then longest = ttl end
end
if longest > 0 then return longest end
for _, key in ipairs(KEYS) do redis.call('SET', key, '1', 'PX', ARGV[1]) end
return 0
"""


class RedisFloodGate:
    deferred = False  # atomic in Redis, no database lock: claimed at admission

    def __init__(self, client, prefix: str):
        self.prefix = prefix
        self._script = client.register_script(_CLAIM_SCRIPT)

    def claim(self, keys: list[str], now: datetime, seconds: float) -> float:
        remaining_ms = self._script(keys=[self.prefix + key for key in keys],
                                    args=[max(1, int(seconds * 1000))])
        return int(remaining_ms) / 1000


def flood_gate(session: Session) -> FloodGate:
    """Redis when ``REDIS_URL`` is set, the database otherwise (``shared_store``)."""
    return redis_or_database(
        lambda shared: RedisFloodGate(shared.client, shared.key("flood", "")),
        SqlFloodGate(session))


def check_flood(gate: FloodGate, ip_prefix: str | None, reader_key: str | None, now: datetime,
                seconds: float, secret: str, site: str = DEFAULT_SITE) -> Callable[[], None]:
    """Raise ``TooManyRequests`` (429, ``Retry-After``) when the reader's slot on ``site`` is
    taken; otherwise return the claim, to call in the comment's write transaction.

    A database claim is a write, and on SQLite the first write takes the database's single
    write lock until the commit: claimed here, before the rules and the filter ran, every
    other post of every process would wait for this one's judging too (issue 22). So a
    database gate only reads here, and the returned claim takes the slot with the comment's
    own writes; it raises the same 429 if a concurrent post took the slot in between (that
    post then is the one stored). A Redis gate claims here, atomically, and returns a no-op.
    """
    if not seconds:
        return _nothing
    keys = flood_keys(ip_prefix, reader_key, secret, site)
    if not gate.deferred:
        _refuse_after(gate.claim(keys, now, seconds))
        return _nothing
    _refuse_after(gate.remaining(keys, now, seconds))
    return lambda: _refuse_after(gate.claim(keys, now, seconds))


def _refuse_after(wait: float) -> None:
    if wait > 0:
        raise TooManyRequests(MESSAGE, retry_after=math.ceil(wait))


def _nothing() -> None:
    return None
