"""Where limits shared by every process live: Redis when ``REDIS_URL`` is set, else the database.

``redis_client(config)`` returns one client per URL and process (the client pools its
connections and is thread-safe), or None when Redis is not configured. ``prune`` deletes old
rows of a small bookkeeping table without ever waiting for another transaction's row locks
(``SKIP LOCKED`` on PostgreSQL), so that concurrent cleanups cannot deadlock.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Mapping

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

_clients: dict[str, Any] = {}
_lock = threading.Lock()

# After Redis fails, limits go straight to the database for this long before Redis is tried
# again, so an outage costs one slow request per process and period, not one per request.
REDIS_RETRY_SECONDS = 5.0


def redis_client(config: Mapping[str, Any]):
    url = config.get("REDIS_URL") or ""
    if not url:
        return None
    client = _clients.get(url)
    if client is None:
        import redis

        with _lock:
            client = _clients.get(url)
            if client is None:
                client = _clients[url] = redis.Redis.from_url(
                    url, socket_timeout=2, socket_connect_timeout=1)
    return client


class RedisOrDatabase:
    """A limit store that uses its Redis implementation while Redis answers and its database
    implementation when it does not: flood limits and form-token replay protection keep
    holding through a Redis outage (shared through the database instead), never a 500.

    Method calls are forwarded to the Redis implementation; a ``redis.RedisError`` sends that
    call, and every call for ``REDIS_RETRY_SECONDS`` after it, to the database one. The
    ``outage`` record is shared by every store that uses the same Redis server.
    """

    def __init__(self, redis_store, database_store, outage: "RedisOutage"):
        self._redis = redis_store
        self._database = database_store
        self._outage = outage

    def __getattr__(self, name: str):
        from redis import RedisError

        primary, fallback = getattr(self._redis, name), getattr(self._database, name)

        def call(*args, **kwargs):
            if self._outage.ongoing():
                return fallback(*args, **kwargs)
            try:
                return primary(*args, **kwargs)
            except RedisError as error:
                log.warning("Redis unavailable (%s); limits use the database for %.0f s",
                            type(error).__name__, REDIS_RETRY_SECONDS)
                self._outage.begin()
                return fallback(*args, **kwargs)

        return call


class RedisOutage:
    """When this process last saw one Redis server fail, and whether to skip it for now."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._until = 0.0

    def begin(self) -> None:
        self._until = self._clock() + REDIS_RETRY_SECONDS

    def ongoing(self) -> bool:
        return self._clock() < self._until


_outages: dict[str, RedisOutage] = {}


def redis_outage(config: Mapping[str, Any]) -> RedisOutage:
    """The outage record of the configured Redis server (one per URL and process)."""
    url = config.get("REDIS_URL") or ""
    with _lock:
        return _outages.setdefault(url, RedisOutage())


def redis_key(config: Mapping[str, Any], *parts: str) -> str:
    return str(config.get("REDIS_PREFIX", "engage:")) + ":".join(parts)


def prune(session: Session, model, timestamp_column, before) -> None:
    """Delete rows of ``model`` whose ``timestamp_column`` is older than ``before``."""
    key = model.__mapper__.primary_key[0]
    if session.get_bind().dialect.name == "postgresql":
        stale = (select(key).where(timestamp_column < before)
                 .with_for_update(skip_locked=True))
        session.execute(delete(model).where(key.in_(stale)))
    else:
        session.execute(delete(model).where(timestamp_column < before))
