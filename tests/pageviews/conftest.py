"""Fixtures of the view-counter tests: counters of every backend over the test database.

``make_counter`` is parametrized over ``buffered`` (embedded) and ``redis``; each call builds one
more counter over the same database (and the same Redis key prefix), as another worker process
of the same instance would (keyword arguments such as ``per_network`` go to the backend).
Stored totals are never cached here (``totals_ttl=0``), so what a test reads is what the
database holds at that moment.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from engage.db import db
from engage.pageviews.backends.buffered import BufferedCounter
from engage.pageviews.backends.redis import RedisCounter, connect
from engage.pageviews.models import ArticleViews

WINDOW = 1800


@pytest.fixture(params=["buffered", "redis"])
def backend(request) -> str:
    return request.param


@pytest.fixture
def make_counter(request, backend, app) -> Callable[..., object]:
    redis_settings = None
    if backend == "redis":
        redis_settings = (request.getfixturevalue("redis_url"),
                          request.getfixturevalue("redis_prefix"))
    made = []

    def make(window: int = WINDOW, **limits):
        if backend == "buffered":
            counter = BufferedCounter(db.engine, window_seconds=window, totals_ttl=0, **limits)
        else:
            url, prefix = redis_settings
            counter = RedisCounter(connect(url), db.engine, prefix=prefix,
                                   window_seconds=window, totals_ttl=0, persist_seconds=0,
                                   **limits)
        made.append(counter)
        return counter

    yield make
    for counter in made:
        if backend == "redis":
            counter._redis.close()


def stored_views(key: str | None = None) -> int:
    """What the database holds (all articles, or one)."""
    from engage.articles import Article

    query = select(func.coalesce(func.sum(ArticleViews.count), 0))
    if key is not None:
        query = query.join(Article, Article.id == ArticleViews.article_id).where(Article.key == key)
    with db.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())
