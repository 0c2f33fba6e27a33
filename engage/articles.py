"""Articles: the things readers comment on and view, identified by a key the site chooses.

``normalize_article_key`` is the one definition of "the same article" in engage: comments,
views, counts and badges all go through it.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engage.db import Base, UTCDateTime, upsert, utcnow

MAX_ARTICLE_KEY = 512


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(MAX_ARTICLE_KEY), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Bumped in the same transaction as any change to the article's comments (see
    # engage.comments.thread_version), so a thread read can be validated with one small query.
    thread_version: Mapped[int] = mapped_column(default=0, server_default="0")


def normalize_article_key(raw: str) -> str:
    """Return the canonical key for ``raw``, or raise ValueError with a reader-facing reason.

    The key as sent may be up to ``MAX_ARTICLE_KEY`` characters. A full URL counts as its path, so ``https://site/a/`` and ``/a`` are one article; query
    strings and fragments are dropped (they select views of the page, not another article);
    a trailing slash is dropped except for the root; surrounding whitespace is ignored.
    """
    if raw and len(raw) > MAX_ARTICLE_KEY:
        raise ValueError(f"article must be at most {MAX_ARTICLE_KEY} characters")
    key = (raw or "").strip()
    if not key:
        raise ValueError("article is required")
    if key.startswith(("http://", "https://")):
        key = urlsplit(key).path or "/"
    key = key.split("#", 1)[0].split("?", 1)[0]
    if len(key) > 1:
        key = key.rstrip("/") or "/"
    if not key:
        raise ValueError("article is required")
    if len(key) > MAX_ARTICLE_KEY:
        raise ValueError(f"article must be at most {MAX_ARTICLE_KEY} characters")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in key):
        raise ValueError("article must not contain control characters")
    return key


def get_or_create_article(session: Session, key: str) -> Article:
    """The article with ``key`` (already normalized), created atomically if it is new.

    ``INSERT … ON CONFLICT DO NOTHING`` then ``SELECT`` is race-free across processes, unlike a
    select-then-insert that two first comments on a new article would both take.
    """
    article = session.scalar(select(Article).where(Article.key == key))
    if article is not None:
        return article
    session.execute(upsert(session, Article).values(key=key, created_at=utcnow())
                    .on_conflict_do_nothing(index_elements=["key"]))
    return session.scalars(select(Article).where(Article.key == key)).one()


def find_articles(session: Session, keys: list[str]) -> dict[str, Article]:
    """Map each existing key in ``keys`` to its article."""
    if not keys:
        return {}
    rows = session.scalars(select(Article).where(Article.key.in_(keys)))
    return {article.key: article for article in rows}
