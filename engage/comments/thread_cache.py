"""Built thread pages, kept per process and keyed by the article's thread version.

A front-page crowd reads the same few threads over and over; the version in the key changes in
the same transaction as any comment of the article (``thread_version``), so a cached page is
never served after its thread changed in the database this process reads. The cache is small
and bounded (LRU), and holds only public data.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from typing import Hashable

MAX_PAGES = 128
EXTENSION = "engage.comments"


class PageCache:
    """A thread-safe LRU of serialized pages."""

    def __init__(self, max_pages: int = MAX_PAGES):
        self._pages: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_pages

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            body = self._pages.get(key)
            if body is not None:
                self._pages.move_to_end(key)
            return body

    def put(self, key: Hashable, body: bytes) -> None:
        with self._lock:
            self._pages[key] = body
            self._pages.move_to_end(key)
            while len(self._pages) > self._max:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


def init_app(app) -> None:
    """Give ``app`` its page cache (one per app, so apps over different databases never share)."""
    app.extensions[EXTENSION] = PageCache()


def pages_of(app) -> PageCache:
    """The app's page cache."""
    return app.extensions[EXTENSION]


def serialize(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def etag_for(key: tuple) -> str:
    """An ETag naming one version of one page (article, version, closed, cursor, limit, base)."""
    return hashlib.sha1(repr(key).encode()).hexdigest()[:32]


def etag_of(body: bytes) -> str:
    return hashlib.sha1(body).hexdigest()[:32]
