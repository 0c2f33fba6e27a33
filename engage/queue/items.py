"""The moderator's view of a comment (API JSON and page cards), and queue argument parsing.

Unlike the public view this includes the email, anonymised IP, user agent, reasons and audit
events: it is only ever served to authenticated moderators.
"""

from __future__ import annotations

from typing import Any, Mapping

from engage.comments.models import Comment, CommentStatus
from engage.errors import ValidationFailed
from engage.moderation.rules.names import RuleName
from engage.queue.events import ModerationEvent
from engage.queue.service import MAX_PAGE_SIZE, MAX_QUERY_LENGTH, Order, QueueQuery
from engage.sites import validate_site_id

ALL = "all"

# Rules whose evidence is a list of words found in the body: the card highlights them.
WORD_RULES = frozenset({RuleName.BLOCKED_WORDS, RuleName.MODERATION_WORDS, RuleName.PROFANITY})
# How each rule is labelled on a card's chips (a reason stored under another name shows it).
RULE_LABELS = {
    RuleName.HONEYPOT: "honeypot", RuleName.BLOCKLIST: "blocklist",
    RuleName.BLOCKED_WORDS: "blocked words", RuleName.TOO_MANY_LINKS: "too many links",
    RuleName.SPAM_FILTER: "spam filter", RuleName.TOO_FAST: "too fast",
    RuleName.TRUSTED_AUTHOR: "trusted", RuleName.MODERATION_WORDS: "review words",
    RuleName.PROFANITY: "profanity", RuleName.LINKS: "links", RuleName.SHOUTING: "shouting",
    RuleName.REPETITION: "repetition", RuleName.FIRST_COMMENT: "first comment",
    RuleName.PREMOD: "pre-moderation",
}
# Rules whose evidence is a list of links.
LINK_RULES = frozenset({RuleName.LINKS, RuleName.TOO_MANY_LINKS})


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def moderation_item(comment: Comment, events: list[ModerationEvent],
                    edits: list[dict] | None = None) -> dict[str, Any]:
    """Everything a moderator needs about one comment, JSON-ready; ``edits`` is its author's
    edit history (``participation.edits.edits_for``), earlier texts oldest first."""
    return {
        "id": comment.id,
        "site": comment.site_id,
        "article": comment.article.key,
        "article_title": comment.article.title,
        "article_url": comment.article.url,
        "parent_id": comment.parent_id,
        "status": comment.status.value,
        "author_name": comment.author_name,
        "author_email": comment.author_email,
        "author_url": comment.author_url,
        "ip_prefix": comment.ip_prefix,
        "user_agent": comment.user_agent,
        "body": comment.body,
        "body_html": comment.body_html,
        "reasons": list(comment.reasons or []),
        "spam_score": comment.spam_score,
        "created_at": _iso(comment.created_at),
        "decided_by": comment.decided_by,
        "decided_at": _iso(comment.decided_at),
        "events": [event.as_dict() for event in events],
        "score": comment.up - comment.down, "up": comment.up, "down": comment.down,
        "edited_at": _iso(comment.edited_at),
        "edits": list(edits or []),
        "staff": comment.staff, "pinned_at": _iso(comment.pinned_at),
    }


def highlight_words(comment: Comment) -> list[str]:
    """Words the rules matched, for highlighting in the body."""
    words: list[str] = []
    for reason in comment.reasons or []:
        evidence = reason.get("evidence")
        if reason.get("rule") in WORD_RULES and isinstance(evidence, list):
            words.extend(str(word) for word in evidence if word)
    return sorted(set(words))


def parse_queue_args(args: Mapping[str, str], default_limit: int) -> QueueQuery:
    """A QueueQuery from query-string values; ValidationFailed (422) naming each bad field."""
    errors: dict[str, list[str]] = {}
    raw_status = (args.get("status") or CommentStatus.PENDING.value).strip().lower()
    status = None
    if raw_status != ALL:
        try:
            status = CommentStatus(raw_status)
        except ValueError:
            errors["status"] = ["must be one of: " + ", ".join([*(s.value for s in CommentStatus), ALL])]
    try:
        order = Order((args.get("order") or Order.NEWEST.value).strip().lower())
    except ValueError:
        order = Order.NEWEST
        errors["order"] = ["must be 'newest' or 'oldest'"]
    cursor = _int(args.get("cursor"), "cursor", errors, minimum=0)
    limit = _int(args.get("limit"), "limit", errors, minimum=1, maximum=MAX_PAGE_SIZE)
    q = (args.get("q") or "").strip()
    if len(q) > MAX_QUERY_LENGTH:
        errors["q"] = [f"at most {MAX_QUERY_LENGTH} characters"]
    site = (args.get("site") or "").strip() or None
    if site is not None:
        try:
            validate_site_id(site)
        except ValueError as error:
            errors["site"] = [str(error)]
    if errors:
        raise ValidationFailed("Some parameters are invalid.", fields=errors)
    return QueueQuery(status=status, article=(args.get("article") or "").strip() or None,
                      site=site, q=q or None, order=order, cursor=cursor,
                      limit=limit if limit is not None else default_limit)


def _int(raw: str | None, name: str, errors: dict, minimum: int, maximum: int | None = None):
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError:
        errors[name] = ["must be an integer"]
        return None
    if value < minimum or (maximum is not None and value > maximum):
        errors[name] = [f"must be between {minimum} and {maximum}" if maximum is not None
                        else f"must be at least {minimum}"]
        return None
    return value
