"""Where limits shared by every process live: Redis when ``REDIS_URL`` is set, else the database.

- ``redis_client(url)`` is the one place engage makes a Redis client (the view counter asks for
  a ``fail_fast`` one); a client pools its connections and is thread-safe.
- ``init_app(app)`` keeps the app's ``SharedStore`` in ``app.extensions["engage.shared_store"]``:
  its Redis client for limits (None when Redis is not configured), the outage record of that
  server and the key prefix.
- ``redis_or_database(redis_store, database_store)`` is the one Redis-or-database helper: the
  limit store of the current app (flood limits, form-token replay, login throttling).
- ``prune`` deletes old rows of a small bookkeeping table without ever waiting for another
  transaction's row locks (``SKIP LOCKED`` on PostgreSQL), so that concurrent cleanups cannot
  deadlock.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable, Mapping, TypeVar

import redis
from flask import Flask, current_app
from redis import RedisError
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

EXTENSION = "engage.shared_store"
T = TypeVar("T")

# After Redis fails, limits go straight to the database for this long before Redis is tried
# again, so an outage costs one slow request per process and period, not one per request.
REDIS_RETRY_SECONDS = 5.0


def redis_client(url: str, *, fail_fast: bool = False) -> redis.Redis:
    """A client for ``url``. ``fail_fast`` (the view counter): a down Redis must cost a view
    milliseconds, not seconds, so shorter timeouts, one retry and no backoff."""
    if fail_fast:
        return redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=1.0,
                                    retry=Retry(NoBackoff(), 1), health_check_interval=30)
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=1)


class RedisOrDatabase:
    """A limit store that uses its Redis implementation while Redis answers and its database
    implementation when it does not: flood limits, form-token replay protection and login
    throttling keep holding through a Redis outage (shared through the database instead),
    never a 500, and an unreachable Redis neither locks moderators out nor switches
    throttling off.

    Method calls are forwarded to the Redis implementation; a ``redis.RedisError`` (or an
    ``OSError`` from the socket) sends that call, and every call for ``REDIS_RETRY_SECONDS``
    after it, to the database one. The ``outage`` record is shared by every store of the app.
    """

    # Stores whose database writes can wait for the caller's own writes say ``deferred``
    # (engage/moderation/admission.py); through this wrapper every call is made at once,
    # whichever side answers it.
    deferred = False

    def __init__(self, redis_store, database_store, outage: "RedisOutage"):
        self._redis = redis_store
        self._database = database_store
        self._outage = outage

    def __getattr__(self, name: str):
        primary, fallback = getattr(self._redis, name), getattr(self._database, name)

        def call(*args, **kwargs):
            if self._outage.ongoing():
                return fallback(*args, **kwargs)
            try:
                return primary(*args, **kwargs)
            except (RedisError, OSError) as error:
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


class SharedStore:
    """One app's way to its shared limits (see the module docstring)."""

    def __init__(self, config: Mapping[str, Any]):
        url = config["REDIS_URL"]
        self.client = redis_client(url) if url else None
        self.outage = RedisOutage()
        self.prefix = str(config["REDIS_PREFIX"])

    def key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = SharedStore(app.config)


def shared_store(app: Flask | None = None) -> SharedStore:
    return (app or current_app).extensions[EXTENSION]


def redis_or_database(redis_store: Callable[[SharedStore], T], database_store: T) -> T:
    """The current app's limit store: ``redis_store(shared)`` (given the app's ``SharedStore``)
    with ``database_store`` as its fallback when Redis is configured, else ``database_store``."""
    store = shared_store()
    if store.client is None:
        return database_store
    return RedisOrDatabase(redis_store(store), database_store, store.outage)


def prune(session: Session, model, timestamp_column, before) -> None:
    """Delete rows of ``model`` whose ``timestamp_column`` is older than ``before``."""
    key = model.__mapper__.primary_key[0]
    if session.get_bind().dialect.name == "postgresql":
        stale = (select(key).where(timestamp_column < before)
                 .with_for_update(skip_locked=True))
        session.execute(delete(model).where(key.in_(stale)))
    else:
        session.execute(delete(model).where(timestamp_column < before))
