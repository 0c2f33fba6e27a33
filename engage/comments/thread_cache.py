"""Built thread pages, kept per process and keyed by the article's thread version.

A front-page crowd reads the same few threads over and over; the version in the key changes in
the same transaction as any comment of the article (``thread_version``), so a cached page is
never served after its thread changed in the database this process reads. The cache is bounded
by the bytes it holds (``COMMENTS_PAGE_CACHE_BYTES``, least recently used out first), not by a
number of pages: a 10,000-comment thread is 200 widget pages, and a bound of a few hundred pages
would have a reader walking it (or a crowd on its later pages) rebuild every page, each time,
while small threads stayed cached. It holds only public data.

The ETag is a hash of the page's bytes and nothing else. The thread version also counts held,
spam and rejected comments, so an ETag derived from it (or from the article's id) would tell
anyone watching an empty thread that unpublished comments exist or just arrived; a hash of the
public bytes changes exactly when what the public sees changes. Revalidation stays cheap: the
page cache keeps each page's ETag beside its bytes.

``init_app`` also gives the app its ``thread_heads.HeadReader``: the one query a cached read
still makes (the article's thread version), on SQLite without SQLAlchemy's per-query cost.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Hashable

from engage.comments.thread_heads import HeadReader
from engage.db import db

MAX_BYTES = 32 * 1024 * 1024  # as config.COMMENTS_PAGE_CACHE_BYTES
# Many tiny pages (a cursor per page of each thread) also cost their keys: bound their number.
MAX_PAGES = 16384
EXTENSION = "engage.comments"
HEADS_EXTENSION = "engage.comments.heads"


@dataclass(frozen=True)
class Page:
    """A serialized page and its ETag (``etag_of(body)``)."""

    body: bytes
    etag: str

    @property
    def quoted_etag(self) -> str:
        """The ``ETag`` header's value (a strong tag)."""
        return f'"{self.etag}"'

    @classmethod
    def of(cls, document: dict) -> "Page":
        body = serialize(document)
        return cls(body, etag_of(body))


class PageCache:
    """A thread-safe LRU of serialized pages, bounded by their bytes and their number.

    A page larger than the whole budget is not kept (it would evict everything else)."""

    def __init__(self, max_bytes: int = MAX_BYTES, max_pages: int = MAX_PAGES):
        self._pages: OrderedDict[Hashable, Page] = OrderedDict()
        self._lock = threading.Lock()
        self._max_bytes = max_bytes
        self._max_pages = max_pages
        self._bytes = 0

    def get(self, key: Hashable) -> Page | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: Hashable, page: Page) -> None:
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            if len(page.body) > self._max_bytes:
                return
            self._pages[key] = page
            self._bytes += len(page.body)
            while self._bytes > self._max_bytes or len(self._pages) > self._max_pages:
                _, evicted = self._pages.popitem(last=False)
                self._bytes -= len(evicted.body)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._bytes = 0

    @property
    def size(self) -> tuple[int, int]:
        """(pages, bytes) held now."""
        with self._lock:
            return len(self._pages), self._bytes


def init_app(app) -> None:
    """Give ``app`` its page cache (one per app, so apps over different databases never share)
    and its reader of thread heads (``thread_heads``)."""
    app.extensions[EXTENSION] = PageCache(int(app.config.get("COMMENTS_PAGE_CACHE_BYTES",
                                                             MAX_BYTES)))
    with app.app_context():
        engine = db.engine
    app.extensions[HEADS_EXTENSION] = HeadReader(engine)


def pages_of(app) -> PageCache:
    """The app's page cache."""
    return app.extensions[EXTENSION]


def heads_of(app) -> HeadReader:
    """The app's reader of thread heads."""
    return app.extensions[HEADS_EXTENSION]


def serialize(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def etag_of(body: bytes) -> str:
    """The ETag of a page: derived from its public bytes only."""
    return hashlib.sha256(body).hexdigest()[:32]
