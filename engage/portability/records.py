"""What every importer yields, and the checks that turn a source's fields into engage's.

A parser (``wordpress``, ``disqus``, ``isso``, ``engage_format``) yields ``Batch`` objects: a
group of comments the loader writes in one transaction, each comment an ``ImportedComment``
or a ``Skipped`` (counted in the summary with its reason). Parsers read the source; they never
touch the database. ``clean_*`` functions are the one place source values become engage's:
text without NUL bytes, UTC dates, names, emails and websites in engage's limits, IPs cut to
their network (``engage.privacy.anonymize_ip``) before anything keeps them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from datetime import datetime, timedelta, timezone
from typing import Any

from engage.articles import MAX_TITLE, check_article_url
from engage.comments.models import CommentStatus
from engage.comments.websites import normalize_website
from engage.privacy import anonymize_ip

MAX_NAME = 100
MAX_EMAIL = 254
MAX_WEBSITE = 200
MAX_USER_AGENT = 512
MAX_BODY = 100_000  # characters; a longer comment is no reader's comment
# A comment dated more than this after the import runs is a broken date, not a clock skew.
FUTURE_SLACK = timedelta(days=1)
ANONYMOUS = "Anonymous"


class BadSource(Exception):
    """The file is not what the command named, or cannot be read: one line for the operator."""


@dataclass(frozen=True)
class ArticleInfo:
    """An article as the source names it; None fields leave the stored article's alone."""

    key: str                  # normalized (engage.articles.normalize_article_key)
    title: str | None = None
    url: str | None = None
    # only engage's own exports carry these
    mode: str | None = None
    closed_at: datetime | None = None
    created_at: datetime | None = None
    details_locked: bool | None = None


@dataclass
class ImportedComment:
    """One comment as engage will store it; ``parent`` is the source id of its parent."""

    source_id: str
    article: ArticleInfo
    parent: str | None
    status: CommentStatus
    author_name: str
    author_email: str          # "" when the source has none
    author_url: str | None
    body: str
    body_html: str
    created_at: datetime
    ip_prefix: str | None = None
    user_agent: str | None = None
    decided_at: datetime | None = None
    decided_by: str | None = None
    reasons: list[dict[str, Any]] = field(default_factory=list)
    spam_score: float | None = None
    avatar_token: str | None = None
    # engage exports only
    events: list[dict[str, Any]] = field(default_factory=list)
    edits: list[dict[str, Any]] = field(default_factory=list)  # {"body", "edited_at"}
    extra: dict[str, Any] = field(default_factory=dict)  # up, down, vote_rank, edited/deleted


@dataclass(frozen=True)
class Skipped:
    source_id: str
    reason: str


@dataclass
class Batch:
    """Comments written together: all or nothing (see ``loader``)."""

    items: list  # ImportedComment | Skipped
    articles: list[ArticleInfo] = field(default_factory=list)  # articles even without comments
    views: dict[str, dict[str, int]] = field(default_factory=dict)  # key → {day: count}
    site: str | None = None  # None: the import's site


def clean_text(value: str | None) -> str:
    """Text with NUL bytes refused (``ValueError``): a NUL is never part of a comment."""
    text = value or ""
    if "\x00" in text:
        raise ValueError("NUL byte in text")
    return text


def clean_name(value: str | None) -> str:
    name = " ".join(clean_text(value).split())[:MAX_NAME]
    return name or ANONYMOUS


def clean_email(value: str | None) -> str:
    """The email lower-cased, or "" when there is none or it is no address."""
    email = clean_text(value).strip().lower()
    if len(email) > MAX_EMAIL or "@" not in email or any(ch.isspace() for ch in email):
        return ""
    return email


@lru_cache(maxsize=16384)  # readers come back: one canonical form per website, not per comment
def clean_website(value: str | None) -> str | None:
    text = clean_text(value).strip()
    if not text:
        return None
    try:
        website = normalize_website(text)
    except ValueError:
        return None
    return website if len(website) <= MAX_WEBSITE else None


def clean_ip(value: str | None) -> str | None:
    """The network of an address (/24, /48), never the address itself."""
    return anonymize_ip((value or "").strip() or None)


def clean_user_agent(value: str | None) -> str | None:
    return clean_text(value).strip()[:MAX_USER_AGENT] or None


def check_date(value: datetime, now: datetime) -> datetime:
    """``value`` in UTC; ValueError when it lies in the future."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    value = value.astimezone(timezone.utc)
    if value > now + FUTURE_SLACK:
        raise ValueError("date in the future")
    if value.year < 1990:
        raise ValueError("unparseable date")
    return value


def parse_date(text: str | None, now: datetime) -> datetime:
    """An ISO 8601 or ``YYYY-MM-DD HH:MM:SS`` date (UTC unless it says otherwise)."""
    raw = (text or "").strip()
    if raw.endswith("Z"):
        raw = raw[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError("unparseable date") from None
    return check_date(value, now)


def article_info(key: str, title: str | None, url: str | None,
                 origins: tuple[str, ...]) -> ArticleInfo:
    """An article of an import: the title's whitespace folded and cut to engage's limit, the
    URL kept only when it is on the site's origins (``check_article_url``)."""
    try:
        checked = check_article_url(url, origins)
    except ValueError:
        checked = None
    return ArticleInfo(key=key, title=" ".join((title or "").split())[:MAX_TITLE] or None,
                       url=checked)
