"""Signed one-click decision links: ``/moderate/act/{token}?action=approve|reject|spam``.

A token binds the moderator, the comment, the action and its issue time (unix seconds),
signed with the secret key (itsdangerous, its own salt). ``read`` returns the ``Link`` or
raises ``BadLink`` (forged or malformed: 404) or ``ExpiredLink`` (older than
``MAIL_LINK_MAX_AGE_DAYS``: 410). Time is passed in, so tests issue tokens in the past.
Using a link is recorded by the SHA-256 of its token (``models.LinkUse``): it works once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from itsdangerous import BadData, URLSafeSerializer

ACTIONS = ("approve", "reject", "spam")
_SALT = "engage.moderate.act"


class BadLink(Exception):
    """Forged, malformed or for another action: the page answers 404."""


class ExpiredLink(Exception):
    """Too old: the page answers 410."""


@dataclass(frozen=True)
class Link:
    moderator_id: int
    comment_id: int
    action: str
    issued_at: datetime
    token_hash: str


def issue(secret: str, moderator_id: int, comment_id: int, action: str, now: datetime) -> str:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return URLSafeSerializer(secret, salt=_SALT).dumps(
        [moderator_id, comment_id, action, int(now.timestamp())])


def read(secret: str, token: str, action: str | None, now: datetime, max_age_days: int) -> Link:
    try:
        value = URLSafeSerializer(secret, salt=_SALT).loads(token)
    except BadData:
        raise BadLink() from None
    if not (isinstance(value, list) and len(value) == 4
            and all(isinstance(part, int) for part in (value[0], value[1], value[3]))
            and value[2] in ACTIONS):
        raise BadLink()
    if action is not None and action != value[2]:
        raise BadLink()  # the query names another action than the signed one
    issued = datetime.fromtimestamp(value[3], timezone.utc)
    if now - issued > timedelta(days=max_age_days) or issued - now > timedelta(minutes=5):
        raise ExpiredLink()
    return Link(value[0], value[1], value[2], issued, hashlib.sha256(token.encode()).hexdigest())
