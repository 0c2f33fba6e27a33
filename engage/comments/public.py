"""The public view of a comment: the only shape in which comments leave engage publicly."""

from __future__ import annotations

from functools import lru_cache

from flask import current_app

from engage.comments.websites import public_website
from engage.privacy import MASKED_EMAIL, avatar_token, mask_emails, mask_emails_in_html
from engage.web.request_info import public_base_url


@lru_cache(maxsize=65536)
def _avatar(email: str, secret: str) -> str:
    return avatar_token(email, secret)


def public_comments(comments) -> list[dict]:
    """``public_comment`` for many, reading the per-request settings once."""
    base, secret = public_base_url(), current_app.config["SECRET_KEY"]
    badge = current_app.config["STAFF_BADGE"]
    return [public_comment(comment, base, secret, badge) for comment in comments]


def public_comment(comment, base: str | None = None, secret: str | None = None,
                   badge: str | None = None) -> dict:
    """The allow-list of ``PublicCommentSchema``, built directly (a thread read makes hundreds).

    ``comment`` is a Comment or a row with its public columns. Every published text is masked
    here, as published, whatever was stored: emails in the name and the body (rows rendered
    before masking read rendered HTML are covered too); the website in its canonical form, or
    None when it is invalid or shows an email. The avatar is the comment's own token
    (engage/readers.py: from the reader key, or random); only comments stored before reader
    keys fall back to the keyed hash of their email, which is no oracle: the server computes
    it for stored comments only, never for an email that a client sends.

    ``staff`` is the badge text (``STAFF_BADGE``; ``badge`` when given) on a moderator's reply
    from the queue, None on a reader's comment; ``pinned`` says a moderator pinned it.
    """
    name = mask_emails(comment.author_name) or MASKED_EMAIL
    base = base if base is not None else public_base_url()
    token = comment.avatar_token or _avatar(comment.author_email,
                                            secret or current_app.config["SECRET_KEY"])
    return {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "author_name": name,
        "author_url": public_website(comment.author_url),
        "avatar_url": f"{base}/api/v1/avatars/{token}.svg",
        "body_html": mask_emails_in_html(comment.body_html),
        "created_at": comment.created_at.isoformat(),
        "score": (comment.up or 0) - (comment.down or 0),
        "up": comment.up or 0,
        "down": comment.down or 0,
        "edited": comment.edited_at is not None,
        "deleted": comment.deleted_at is not None,
        "pinned": comment.pinned_at is not None,
        "staff": (badge or current_app.config["STAFF_BADGE"]) if comment.staff else None,
    }
