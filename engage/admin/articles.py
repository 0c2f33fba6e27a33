"""One article as moderators see and control it: title, URL, closed, moderation mode, counts.

``details(session, article, ...)`` is the JSON of ``GET /api/v1/moderation/articles``:
``{"site", "article", "title", "url", "closed", "closed_reason", "mode", "counts", "views"}``
(``closed_reason``: ``closed`` by a moderator, ``auto_closed`` by the site's auto-close age, or
null). ``change(session, article, changes, now)`` applies what ``parse_changes`` accepted and
commits: ``closed`` true closes now, false reopens (an auto-closed article stays closed while
it is older than the site's auto-close age); ``mode`` ``auto|premod|first``, null for the
site's; ``title``/``url`` set by a moderator are kept against what later comments send, and
null gives that back to the widget.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Collection, Mapping

from sqlalchemy.orm import Session

from engage.articles import Article, check_article_url, normalize_title
from engage.errors import ValidationFailed
from engage.moderation.closed import closed_reason
from engage.moderation.settings.options import ModerationMode
from engage.queue.counts import status_counts

MODES = [mode.value for mode in ModerationMode]
_FIELDS = ("closed", "mode", "title", "url")


def details(session: Session, article: Article, now: datetime, auto_close_days: int,
            views: int) -> dict[str, Any]:
    reason = closed_reason(article, now, auto_close_days)
    return {"site": article.site_id, "article": article.key, "title": article.title,
            "url": article.url, "closed": reason is not None, "closed_reason": reason,
            "mode": article.mode, "counts": status_counts(session, article.id), "views": views}


def parse_changes(data: object, origins: Collection[str]) -> dict[str, Any]:
    """The changes a PATCH asks for, or ValidationFailed (422) naming every bad field;
    ``origins``: where the site's article URLs may point."""
    if not isinstance(data, Mapping):
        raise ValidationFailed("Expected a JSON object.")
    errors: dict[str, list[str]] = {f: ["Unknown field."] for f in data if f not in _FIELDS}
    changes: dict[str, Any] = {}
    checks: dict[str, Callable[[Any], Any]] = {
        "closed": _closed, "mode": _mode, "title": _title,
        "url": lambda value: check_article_url(_text(value, "url"), origins)}
    for field, check in checks.items():
        if field in data:
            try:
                changes[field] = check(data[field])
            except ValueError as error:
                errors[field] = [str(error)]
    if errors:
        raise ValidationFailed("Some fields are invalid.", fields=errors)
    return changes


def _closed(value) -> bool:
    if not isinstance(value, bool):
        raise ValueError("closed is true or false")
    return value


def _mode(value) -> str | None:
    if value is not None and value not in MODES:
        raise ValueError(f"mode is one of {', '.join(MODES)}, or null for the site's")
    return value


def _text(value, field: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{field} is a string or null")
    return value


def _title(value) -> str | None:
    return normalize_title(_text(value, "title"))


def change(session: Session, article: Article, changes: Mapping[str, Any], now: datetime) -> None:
    """Apply ``changes`` (from ``parse_changes``) and commit; see the module docstring."""
    if "closed" in changes:
        if changes["closed"] and article.closed_at is None:
            article.closed_at = now
        elif not changes["closed"]:
            article.closed_at = None
    if "mode" in changes:
        article.mode = changes["mode"]
    for field in ("title", "url"):
        if field in changes:
            setattr(article, field, changes[field])
    if "title" in changes or "url" in changes:
        article.details_locked = article.title is not None or article.url is not None
    session.commit()
