"""The public view of a comment: the only shape in which comments leave engage publicly."""

from __future__ import annotations

from flask import current_app

from engage.comments.models import Comment
from engage.comments.schemas import PublicCommentSchema
from engage.privacy import MASKED_EMAIL, avatar_token, mask_emails
from engage.request_info import public_base_url

_schema = PublicCommentSchema()


def public_comment(comment: Comment) -> dict:
    """Allow-listed fields; emails typed into name or website masked; keyed avatar URL."""
    author_url = comment.author_url
    if author_url and mask_emails(author_url) != author_url:
        author_url = None  # a website that contains an email would publish it
    token = avatar_token(comment.author_email, current_app.config["SECRET_KEY"])
    return _schema.dump({
        "id": comment.id,
        "parent_id": comment.parent_id,
        "author_name": mask_emails(comment.author_name) or MASKED_EMAIL,
        "author_url": author_url,
        "avatar_url": f"{public_base_url()}/api/v1/avatars/{token}.svg",
        "body_html": comment.body_html,
        "created_at": comment.created_at,
    })
