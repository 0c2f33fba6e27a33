"""View-count backends behind one interface (``base.ViewCounter``), chosen by configuration:
``BufferedCounter`` (embedded, no Redis) or, with ``REDIS_URL`` set, ``RedisCounter`` wrapped in
``FailoverCounter`` so that views keep counting in the embedded buffer while Redis is down.
``build_counter`` wraps the choice in ``AutoFlush`` (the background flush thread)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from engage.pageviews.backends.base import Recorded, ViewCounter
from engage.pageviews.backends.buffered import BufferedCounter
from engage.pageviews.backends.failover import FailoverCounter
from engage.pageviews.backends.flusher import AutoFlush
from engage.pageviews.backends.redis import RedisCounter, connect

__all__ = ["Recorded", "ViewCounter", "build_counter"]


def build_counter(config: Mapping[str, Any], engine: Engine, clock: Callable[[], datetime],
                  observe: Callable[[ViewCounter], ViewCounter] | None = None) -> AutoFlush:
    """The counter the settings ask for: buffered SQL, or Redis with the buffer as fallback;
    ``observe`` may wrap that counter (to time its flushes) before ``AutoFlush`` drives it."""
    limits = {"per_network": config["VIEWS_PER_NETWORK"],
              "new_per_network": config["VIEWS_NEW_ARTICLES_PER_NETWORK"]}
    buffered = BufferedCounter(
        engine, window_seconds=config["VIEWS_WINDOW_SECONDS"],
        flush_seconds=config["VIEWS_FLUSH_SECONDS"], flush_every=config["VIEWS_FLUSH_EVERY"],
        buffer_max=config["VIEWS_BUFFER_MAX"], **limits)
    counter: ViewCounter = buffered
    if config["REDIS_URL"]:
        counter = FailoverCounter(
            RedisCounter(connect(config["REDIS_URL"]), engine, prefix=config["REDIS_PREFIX"],
                         window_seconds=config["VIEWS_WINDOW_SECONDS"],
                         persist_seconds=config["VIEWS_PERSIST_SECONDS"], **limits),
            buffered)
    auto = AutoFlush(observe(counter) if observe else counter, config["VIEWS_FLUSH_SECONDS"],
                     clock)
    buffered.on_full = auto.wake
    return auto
