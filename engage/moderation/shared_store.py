"""Where limits shared by every process live: Redis when ``REDIS_URL`` is set, else the database.

``redis_client(config)`` returns one client per URL and process (the client pools its
connections and is thread-safe), or None when Redis is not configured. ``prune`` deletes old
rows of a small bookkeeping table without ever waiting for another transaction's row locks
(``SKIP LOCKED`` on PostgreSQL), so that concurrent cleanups cannot deadlock.
"""

from __future__ import annotations

import threading
from typing import Any, Mapping

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

_clients: dict[str, Any] = {}
_lock = threading.Lock()


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
                client = _clients[url] = redis.Redis.from_url(url, socket_timeout=2)
    return client


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
