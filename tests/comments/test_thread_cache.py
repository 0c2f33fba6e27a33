"""The per-process page cache: bounded by bytes, and its pages are the pages a build gives."""

from __future__ import annotations

import pytest

from engage.comments import thread_cache
from engage.comments.models import CommentStatus
from engage.comments.thread_cache import Page, PageCache


def page(size: int) -> Page:
    return Page(b"x" * size, str(size))


def test_the_cache_keeps_pages_up_to_its_bytes_least_recently_used_out_first():
    cache = PageCache(max_bytes=100)
    for key in "abcd":
        cache.put(key, page(25))
    assert cache.size == (4, 100)
    cache.get("a")  # now the most recently used
    cache.put("e", page(30))  # 130 bytes: b then c go
    assert [key for key in "abcde" if cache.get(key)] == ["a", "d", "e"]
    assert cache.size == (3, 80)
    cache.put("e", page(10))  # a new page under a known key replaces the old one's bytes
    assert cache.size == (3, 60)


def test_a_page_larger_than_the_cache_is_not_kept_and_evicts_nothing():
    cache = PageCache(max_bytes=100)
    cache.put("a", page(60))
    cache.put("big", page(101))
    assert cache.get("big") is None and cache.get("a") is not None
    assert cache.size == (1, 60)


def test_the_number_of_pages_is_bounded_too():
    cache = PageCache(max_bytes=10**6, max_pages=3)
    for key in "abcd":
        cache.put(key, page(1))
    assert [key for key in "abcd" if cache.get(key)] == ["b", "c", "d"]
    cache.clear()
    assert cache.size == (0, 0)


def walk(client, article: str, limit: int) -> list[tuple[bytes, str]]:
    """Every page of the thread as (body, ETag), following ``next``."""
    pages, cursor = [], None
    while True:
        query = {"article": article, "limit": limit, **({"cursor": cursor} if cursor else {})}
        response = client.get("/api/v1/comments", query_string=query)
        assert response.status_code == 200
        pages.append((response.get_data(), response.headers["ETag"]))
        cursor = response.get_json()["next"]
        if cursor is None:
            return pages


@pytest.mark.parametrize("config_overrides", [{"COMMENTS_PAGE_CACHE_BYTES": 8 * 1024 * 1024}])
def test_a_long_thread_stays_cached_and_cached_pages_equal_built_ones(app, client, make_comment):
    """150 one-comment pages: more than the 128 pages the cache used to hold, so a reader
    walking a long thread was served rebuilt pages only."""
    article = "/news/long"
    ids = [make_comment(article=article, status=CommentStatus.APPROVED).id for _ in range(150)]
    make_comment(article=article)  # held: in no page, but in the thread version
    cache = thread_cache.pages_of(app)
    built = walk(client, article, 1)
    assert len(built) == 150 and cache.size[0] == 150  # every page kept
    assert walk(client, article, 1) == built  # served from the cache: the same bytes
    try:
        app.extensions[thread_cache.EXTENSION] = PageCache(max_bytes=0)  # nothing kept
        assert walk(client, article, 1) == built  # built again, each read: the same bytes
    finally:
        app.extensions[thread_cache.EXTENSION] = cache
    assert [int(body.split(b'"id":')[1].split(b",")[0]) for body, _ in built] == ids

    make_comment(article=article, status=CommentStatus.APPROVED)  # a new version
    after = walk(client, article, 1)
    assert len(after) == 151 and b'"count":151' in after[0][0]
    assert all(b'"count":150' in body for body, _ in built)
