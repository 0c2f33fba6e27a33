"""The public view of a comment: the only shape in which comments leave engage publicly."""

from __future__ import annotations

from functools import lru_cache

from flask import current_app

from engage.privacy import MASKED_EMAIL, avatar_token, mask_emails
from engage.web.request_info import public_base_url


@lru_cache(maxsize=65536)
def _avatar(email: str, secret: str) -> str:
    return avatar_token(email, secret)


def public_comments(comments) -> list[dict]:
    """``public_comment`` for many, reading the per-request settings once."""
    base, secret = public_base_url(), current_app.config["SECRET_KEY"]
    return [public_comment(comment, base, secret) for comment in comments]


def public_comment(comment, base: str | None = None, secret: str | None = None) -> dict:
    """The allow-list of ``PublicCommentSchema``, built directly (a thread read makes hundreds).

    ``comment`` is a Comment or a row with its public columns. Emails typed into the name are
    masked; a website that contains an email is dropped; the avatar is a keyed hash.
    """
    author_url = comment.author_url
    if author_url and "@" in author_url and mask_emails(author_url) != author_url:
        author_url = None
    name = comment.author_name
    if "@" in name:
        name = mask_emails(name) or MASKED_EMAIL
    base = base if base is not None else public_base_url()
    token = _avatar(comment.author_email, secret or current_app.config["SECRET_KEY"])
    return {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "author_name": name,
        "author_url": author_url,
        "avatar_url": f"{base}/api/v1/avatars/{token}.svg",
        "body_html": comment.body_html,
        "created_at": comment.created_at.isoformat(),
    }
