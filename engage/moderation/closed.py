"""Closed articles take no new comments: closed by a moderator, or older than the auto-close age.

The age counts from the article's ``created_at``, the moment engage first saw the article (its
first view or comment), which is as close to publication as engage can know.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from engage.articles import Article
from engage.errors import Forbidden

MESSAGE = "Comments are closed for this article."


def closed_reason(article: Article, now: datetime, auto_close_days: int) -> str | None:
    """Why ``article`` is closed at ``now`` ("closed", "auto_closed"), or None when it is open.
    ``article`` is an Article or a row with its ``closed_at`` and ``created_at``."""
    if article.closed_at is not None and article.closed_at <= now:
        return "closed"
    if auto_close_days and article.created_at + timedelta(days=auto_close_days) <= now:
        return "auto_closed"
    return None


def check_open(article: Article, now: datetime, auto_close_days: int) -> None:
    """Raise ``Forbidden`` (403) when ``article`` takes no comments at ``now``."""
    if closed_reason(article, now, auto_close_days) is not None:
        raise Forbidden(MESSAGE, code="comments_closed")
