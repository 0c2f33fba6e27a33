"""The Redis backend: every process and machine shares one dedupe set and one set of counters.

Recording a view is one round trip: a Lua script (atomic on the server) does the dedupe with
``SET key expiry NX EX window`` and, only when the view counts, ``HINCRBY`` on the article's
pending counts per day. A plain pipeline cannot make the increment conditional on the ``SET``;
the script can, without a second round trip. The stored value is the expiry in the caller's
time, so an expired-but-not-yet-evicted key (or a test that injects time) is judged by the
caller's clock.

Persisting (every ``VIEWS_FLUSH_SECONDS``, from any process) moves all pending counts into a
uniquely named batch in one atomic script, adds the batch to the database with the same upserts
as the embedded backend, and records the batch id in the same transaction. A crash between the
commit and deleting the batch from Redis is harmless: the batch is replayed later and its id
says it is already stored. Views acknowledged by Redis are therefore never lost while Redis
keeps its data (use AOF persistence for crash safety of Redis itself), and never stored twice.

The per-network limits (``base.ViewCounter``) are decided in the same script, for every
process and machine at once: a view over a limit leaves nothing in Redis, so a flood of
invented visitors or keys costs Redis no memory beyond the limits.

Keys (all under ``REDIS_PREFIX``): ``v:seen:<view key>``, ``v:pending:<article>`` (hash day →
count), ``v:nets:<article>`` (a field "day:bit" per network bit of the day, ``store.network_bit``),
``v:dirty`` (articles with pending counts), ``v:batch:<id>`` (hash "day\\narticle" → count and
"mday\\narticle" → network mask), ``v:batches`` (ids not yet deleted), ``v:gen`` (bumped after
every persist so that processes drop their cached stored totals), ``v:net:<key>`` (views of
one article from one network in one window) and ``v:new:<network>`` (articles a network
brought in today).
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta

import redis
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from engage.config import DEFAULTS
from engage.pageviews import store
from engage.pageviews.backends.base import DatabaseReads, Recorded, StoredTotals
from engage.pageviews.backends.redis_wire import Commands, IdleConnections, pack
from engage.pageviews.visitors import utc_day, view_key
from engage.serving.worker_classes import is_patched
from engage.shared_store import redis_client

ORPHAN_AFTER_SECONDS = 60  # a batch this old was left by a process that died while persisting
BATCH_IDS_KEPT = timedelta(days=7)

_RECORD = """
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local per_network, new_per_network = tonumber(ARGV[5]), tonumber(ARGV[7])
local counted = 0
local previous = tonumber(redis.call('GET', KEYS[1]))
if previous == nil or previous <= now then
  counted = 1
  -- the network's limits: new articles today, then views of this article in this window
  local brings_in = new_per_network > 0 and ARGV[6] == '0'
                    and redis.call('EXISTS', KEYS[2]) == 0
  if brings_in and tonumber(redis.call('GET', KEYS[6]) or '0') >= new_per_network then
    counted = 0
  elseif per_network > 0 and not redis.call('SET', KEYS[5], 1, 'NX', 'EX', window)
         and redis.call('INCR', KEYS[5]) > per_network then
    redis.call('DECR', KEYS[5])
    counted = 0
  end
  if counted == 1 then
    redis.call('SET', KEYS[1], now + window, 'EX', window)
    if brings_in and redis.call('INCR', KEYS[6]) == 1 then
      redis.call('EXPIRE', KEYS[6], 172800)
    end
  end
end
if counted == 1 then
  if redis.call('HINCRBY', KEYS[2], ARGV[3], 1) == 1 then
    redis.call('SADD', KEYS[3], ARGV[4])  -- a new day field: the article may not be marked yet
  end
  if ARGV[8] ~= '0' then  -- the network's bit of the day's mask, as a field "day:bit"
    redis.call('HSET', KEYS[7], ARGV[3] .. ':' .. ARGV[8], 1)
  end
end
local pending = 0
for _, n in ipairs(redis.call('HVALS', KEYS[2])) do pending = pending + tonumber(n) end
return {counted, pending, tonumber(redis.call('GET', KEYS[4]) or '0')}
"""

_SNAPSHOT = """
local articles = redis.call('SMEMBERS', KEYS[1])
if #articles == 0 then return 0 end
for _, article in ipairs(articles) do
  local pending = ARGV[1] .. article
  local fields = redis.call('HGETALL', pending)
  for i = 1, #fields, 2 do
    redis.call('HINCRBY', KEYS[2], fields[i] .. '\\n' .. article, fields[i + 1])
  end
  local networks = ARGV[3] .. article
  local masks = {}
  for _, field in ipairs(redis.call('HKEYS', networks)) do
    local day, one = string.match(field, '^(.*):(%d+)$')
    masks[day] = bit.bor(masks[day] or 0, tonumber(one))
  end
  for day, mask in pairs(masks) do
    redis.call('HSET', KEYS[2], 'm' .. day .. '\\n' .. article, mask)
  end
  redis.call('DEL', pending, networks)
end
redis.call('DEL', KEYS[1])
redis.call('SADD', KEYS[3], ARGV[2])
return #articles
"""


def connect(url: str) -> redis.Redis:
    """A client that fails fast: a down Redis must cost a request milliseconds, not seconds."""
    return redis_client(url, fail_fast=True)


def commands_for_this_process(shared: redis.Redis) -> Commands:
    """Pipelined on one connection when gevent serves (``redis_pipeline.py``: greenlets hand
    off cheaply), otherwise a connection per concurrent thread (``redis_wire.py``)."""
    if is_patched():
        # gevent's own module: processes that serve with threads never load gevent
        from engage.pageviews.backends.redis_pipeline import PipelinedConnection

        return PipelinedConnection(shared)
    return IdleConnections(shared)


class RedisCounter(DatabaseReads):
    """View counter over a Redis client and the database that keeps the counts for good."""

    def __init__(self, client: redis.Redis, engine: Engine, *, prefix: str,
                 window_seconds: float, totals_ttl: float = 3.0,
                 persist_seconds: float = DEFAULTS["VIEWS_PERSIST_SECONDS"],
                 per_network: int = DEFAULTS["VIEWS_PER_NETWORK"],
                 new_per_network: int = DEFAULTS["VIEWS_NEW_ARTICLES_PER_NETWORK"],
                 clock=time.monotonic):
        self._redis = client
        self._wire = commands_for_this_process(client)
        self._engine = engine
        self._p = prefix + "v:"
        self._dirty_key, self._generation_key = self._p + "dirty", self._p + "gen"
        self._window = max(1, int(window_seconds))
        self._limits = (str(max(0, int(per_network))), str(max(0, int(new_per_network))))
        self._record = client.register_script(_RECORD)
        self._snapshot = client.register_script(_SNAPSHOT)
        self._stored = StoredTotals(self._load_totals, ttl=totals_ttl)
        self._generation = -1
        self._persist_seconds = persist_seconds
        self._clock = clock
        self._persisted_at: float | None = None
        self._unstored: set[str] = set()  # batches of this process whose persist failed

    def record(self, article_key: str, visitor_key: str, now: datetime,
               network: str | None = None) -> Recorded:
        seconds = int(now.timestamp())
        per_network, new_per_network = self._limits if network is not None else ("0", "0")
        if network is None:
            group = new = bit = ""
        else:
            window_no = seconds // self._window
            group = f"{self._p}net:{view_key(article_key, f'{network}:{window_no}'):x}"
            new, bit = self._p + "new:" + network, str(store.network_bit(network))
        known = "1" if self._stored.lookup(article_key)[1] else "0"
        keys = [f"{self._p}seen:{view_key(article_key, visitor_key):x}",
                self._p + "pending:" + article_key, self._dirty_key, self._generation_key,
                group, new, self._p + "nets:" + article_key]
        counted, pending, generation = self._wire.script(
            self._record.sha, _RECORD, keys,
            [seconds, self._window, utc_day(now).isoformat(), article_key, per_network, known,
             new_per_network, bit or "0"])
        self._observe(generation)
        return Recorded(bool(counted), self._stored.get_one(article_key) + pending)

    def _observe(self, generation: int) -> None:
        if generation != self._generation:  # someone persisted: cached stored totals are old
            self._stored.expire_all()
            self._generation = generation

    def totals(self, keys: Iterable[str]) -> dict[str, int]:
        keys = list(dict.fromkeys(keys))
        *pending, generation = self._wire.run(
            [pack("HVALS", self._p + "pending:" + key) for key in keys]
            + [pack("GET", self._p + "gen")])
        self._observe(int(generation or 0))
        stored = self._stored.get(keys)
        return {key: stored[key] + sum(int(n) for n in values)
                for key, values in zip(keys, pending)}

    def unflushed(self, keys: Iterable[str]) -> dict[str, int]:
        return dict.fromkeys(keys, 0)  # pending counts live in Redis and are in totals()

    def flush(self, now: datetime, force: bool = False) -> int:
        """Persist pending counts (this call's batch, this process's batches that failed, and
        any orphaned ones); return views stored.

        Called every flush interval, it persists at most every ``persist_seconds`` (Redis keeps
        the counts meanwhile; each persist makes every process re-read stored totals) unless
        ``force`` is given (shutdown, ``engage views flush``).
        """
        started = self._clock()
        if not force and self._persisted_at is not None \
                and started - self._persisted_at < self._persist_seconds:
            return 0
        self._persisted_at = started
        # A batch this process could not store (the database failed) is tried again first, and
        # no new one is made meanwhile: the counts wait in their pending hashes instead.
        batch_id = None if self._unstored else new_batch_id()
        if batch_id is not None:
            self.snapshot(batch_id)
        stored = 0
        for candidate in sorted(b.decode() for b in self._redis.smembers(self._p + "batches")):
            if candidate == batch_id or candidate in self._unstored or _is_orphan(candidate):
                try:
                    stored += self.persist_batch(candidate, now)
                except SQLAlchemyError:
                    self._unstored.add(candidate)
                    raise
                self._unstored.discard(candidate)
        return stored

    def snapshot(self, batch_id: str) -> int:
        """Move every pending count into batch ``batch_id`` (atomic); return how many articles."""
        return self._snapshot(keys=[self._p + "dirty", self._p + "batch:" + batch_id,
                                    self._p + "batches"],
                              args=[self._p + "pending:", batch_id, self._p + "nets:"])

    def persist_batch(self, batch_id: str, now: datetime) -> int:
        """Store batch ``batch_id`` in the database unless it already is, then delete it from
        Redis; return how many views this call stored."""
        raw = self._redis.hgetall(self._p + "batch:" + batch_id)
        counts: Counter[tuple[str, date]] = Counter()
        masks: dict[tuple[str, date], int] = {}
        for field, value in raw.items():
            day, article = field.decode().split("\n", 1)
            if day.startswith("m"):
                masks[(article, date.fromisoformat(day[1:]))] = int(value)
            else:
                counts[(article, date.fromisoformat(day))] += int(value)
        with self._engine.begin() as conn:
            fresh = store.mark_batch(conn, batch_id, now)
            if fresh:
                store.add_counts(conn, counts, now, masks)
                store.prune(conn, now, now - BATCH_IDS_KEPT)
        pipe = self._redis.pipeline(transaction=True)
        pipe.delete(self._p + "batch:" + batch_id)
        pipe.srem(self._p + "batches", batch_id)
        pipe.incr(self._p + "gen")
        pipe.execute()
        return sum(counts.values()) if fresh else 0

    def health(self) -> dict:
        self._redis.ping()
        return {"backend": "redis"}

    def force_flush(self, now: datetime) -> int:
        return self.flush(now, force=True)

    def close(self, now: datetime) -> None:
        self.force_flush(now)


def new_batch_id(started: float | None = None) -> str:
    """A unique batch id that starts with its creation time (ms), so orphans can be told."""
    started = time.time() if started is None else started
    return f"{int(started * 1000):014d}-{uuid.uuid4().hex[:12]}"


def _is_orphan(batch_id: str) -> bool:
    started_ms = int(batch_id.split("-", 1)[0])
    return time.time() * 1000 - started_ms > ORPHAN_AFTER_SECONDS * 1000
