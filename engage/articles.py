"""Articles: the things readers comment on and view, identified by (site, key).

``normalize_article_key`` is the one definition of "the same article" in engage: comments,
views, counts and badges all go through it. Two sites' ``/about`` are two articles.

``article_ref(site, key)`` names an article in one string, for what keys things by a string
(the view counter's buffers and Redis keys, form tokens): the key itself on ``default``, so
everything stored before sites keeps its name, and ``site`` + U+001F + key elsewhere (a
normalized key never holds a control character, so no key of ``default`` looks like that).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import ForeignKey, String, UniqueConstraint, bindparam, false, select
from sqlalchemy.orm import Mapped, Session, make_transient_to_detached, mapped_column
from sqlalchemy.orm.util import identity_key

from engage.db import Base, UTCDateTime, upsert, utcnow
from engage.driver_statements import DriverStatement
from engage.sites import DEFAULT_SITE, MAX_SITE_ID, url_origin

MAX_ARTICLE_KEY = 512
MAX_TITLE = 300
MAX_URL = 2000
REF_SEPARATOR = "\x1f"


class Article(Base):
    __tablename__ = "articles"
    # also the index of every lookup of an article by its site and key
    __table_args__ = (UniqueConstraint("site_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(String(MAX_SITE_ID), ForeignKey("sites.id"),
                                         server_default=DEFAULT_SITE)
    key: Mapped[str] = mapped_column(String(MAX_ARTICLE_KEY))
    # The page's title and canonical URL as the widget last sent them, or as a moderator set
    # them (then ``details_locked``: a comment from a page with a stale title changes nothing).
    title: Mapped[str | None] = mapped_column(String(MAX_TITLE), nullable=True)
    url: Mapped[str | None] = mapped_column(String(MAX_URL), nullable=True)
    details_locked: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The article's own moderation mode (auto, premod, first); None: the site's.
    mode: Mapped[str | None] = mapped_column(String(16), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Bumped in the same transaction as any change to the article's comments (see
    # engage.comments.thread_version), so a thread read can be validated with one small query.
    thread_version: Mapped[int] = mapped_column(default=0, server_default="0")


def normalize_article_key(raw: str) -> str:
    """Return the canonical key for ``raw``, or raise ValueError with a reader-facing reason.

    The key as sent may be up to ``MAX_ARTICLE_KEY`` characters. A full URL counts as its path,
    so ``https://site/a/`` and ``/a`` are one article; query strings and fragments are dropped
    (they select views of the page, not another article); a trailing slash is dropped except
    for the root; surrounding whitespace is ignored.

    One article has one key however a site spells its path: a browser's ``location.pathname``
    sends ``/caf%C3%A9`` where the site's templates write ``/café``, macOS may write it
    decomposed (NFD), and a CMS may leave zero-width or other invisible format characters in
    a slug. So percent-escapes are decoded (UTF-8), the text is NFC-normalised and format
    characters (Unicode category Cf) are removed. What would change the key's meaning when read
    again stays escaped, in upper case: ``%25`` (%), ``%3F`` (?), ``%23`` (#), control
    characters and bytes that are not UTF-8. The result is a fixed point: normalising a
    canonical key returns it unchanged.
    """
    if raw and len(raw) > MAX_ARTICLE_KEY:
        raise ValueError(f"article must be at most {MAX_ARTICLE_KEY} characters")
    key = raw or ""
    for _ in range(4):  # decoding can reveal a URL ("https%3A%2F%2F…"); at most a few rounds
        canonical = _canonical_once(key)
        if canonical == key:
            break
        key = canonical
    if not key:
        raise ValueError("article is required")
    if len(key) > MAX_ARTICLE_KEY:
        raise ValueError(f"article must be at most {MAX_ARTICLE_KEY} characters")
    return key


_ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_KEEP_ESCAPED = frozenset("%?#")


def _is_control(ch: str) -> bool:
    return ord(ch) < 32 or 127 <= ord(ch) < 160


def _canonical_once(key: str) -> str:
    key = key.strip()
    if key[:8].lower().startswith(("http://", "https://")):
        key = urlsplit(key).path or "/"
    key = key.split("#", 1)[0].split("?", 1)[0]
    if any(_is_control(ch) for ch in key):
        raise ValueError("article must not contain control characters")
    key = _ESCAPES.sub(_decode_escapes, key)
    key = "".join(ch for ch in unicodedata.normalize("NFC", key)
                  if unicodedata.category(ch) != "Cf").strip()
    while len(key) > 1 and key.endswith("/"):
        key = key.rstrip("/").rstrip() or "/"
    return key


def _decode_escapes(match: re.Match) -> str:
    """A run of percent-escapes as text, except what must stay escaped (see above)."""
    text = bytes.fromhex(match.group(0).replace("%", "")).decode("utf-8", "surrogateescape")
    out = []
    for ch in text:
        if 0xDC80 <= ord(ch) <= 0xDCFF:  # a byte that is not part of valid UTF-8
            out.append(f"%{ord(ch) - 0xDC00:02X}")
        elif ch in _KEEP_ESCAPED or _is_control(ch):
            out.append("".join(f"%{byte:02X}" for byte in ch.encode()))
        else:
            out.append(ch)
    return "".join(out)
def normalize_title(raw: str | None) -> str | None:
    """A title as stored: whitespace runs made one space, trimmed; None when empty.
    ValueError when it is longer than ``MAX_TITLE``."""
    title = " ".join((raw or "").split())
    if len(title) > MAX_TITLE:
        raise ValueError(f"a title is at most {MAX_TITLE} characters")
    return title or None


def check_article_url(raw: str | None, origins: Collection[str]) -> str | None:
    """``raw`` if it is an absolute http(s) URL on one of ``origins`` (any origin when there
    are none: a site that names no origins cannot tell its own URLs); None when empty.
    ValueError with the reason otherwise."""
    url = (raw or "").strip()
    if not url:
        return None
    if len(url) > MAX_URL or any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise ValueError(f"an article URL is at most {MAX_URL} characters, without spaces")
    origin = url_origin(url)
    if origin is None:
        raise ValueError("an article URL is an absolute http:// or https:// address")
    if origins and origin not in origins:
        raise ValueError(f"{origin} is not one of the site's origins")
    return url


def article_ref(site: str, key: str) -> str:
    """One string for the article (``site``, ``key``): see the module docstring."""
    return key if site == DEFAULT_SITE else f"{site}{REF_SEPARATOR}{key}"


def split_ref(ref: str) -> tuple[str, str]:
    """(site, key) of an ``article_ref``."""
    site, separator, key = ref.partition(REF_SEPARATOR)
    return (site, key) if separator else (DEFAULT_SITE, ref)


# Every post looks its article up: read on the driver's cursor (engage/driver_statements.py),
# where the ORM's select and loading cost more than the query.
_COLUMNS = tuple(Article.__table__.columns)
_FIND = DriverStatement(select(*_COLUMNS).where(Article.site_id == bindparam("site"),
                                                Article.key == bindparam("key")))


def find_article(session: Session, key: str, site: str = DEFAULT_SITE) -> Article | None:
    """The stored article (``site``, ``key``; the key already normalized), or None. Reads only.

    As the ORM's select would: an article added to ``session`` and not flushed yet is flushed
    and found (autoflush), and one already in the session is returned as it is there.
    """
    if session.autoflush:
        session.flush()
    row = _FIND.first(session, {"site": site, "key": key})
    if row is None:
        return None
    values = {column.key: value for column, value in zip(_COLUMNS, row)}
    present = session.identity_map.get(identity_key(Article, values["id"]))
    if present is not None:
        return present
    article = Article(**values)
    make_transient_to_detached(article)  # every column is set: persistent, nothing to reload
    session.add(article)
    return article


def unsaved_article(key: str, now: datetime, site: str = DEFAULT_SITE) -> Article:
    """An article not stored yet (``id`` None): what the checks before its first comment see.

    It is never added to a session; ``get_or_create_article`` stores the real one when the
    comment is written.
    """
    return Article(site_id=site, key=key, created_at=now, closed_at=None, thread_version=0)


def get_or_create_article(session: Session, key: str, site: str = DEFAULT_SITE) -> Article:
    """The article (``site``, ``key``; the key already normalized), created atomically if it
    is new.

    Creating it opens a write transaction: call it where the caller writes, not before work
    that can wait (DESIGN.md §2, rule 12).

    ``INSERT … ON CONFLICT DO NOTHING`` then ``SELECT`` is race-free across processes, unlike a
    select-then-insert that two first comments on a new article would both take.
    """
    article = find_article(session, key, site)
    if article is not None:
        return article
    session.execute(upsert(session, Article).values(site_id=site, key=key, created_at=utcnow())
                    .on_conflict_do_nothing(index_elements=["site_id", "key"]))
    return session.scalars(select(Article).where(Article.site_id == site,
                                                 Article.key == key)).one()
