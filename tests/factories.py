"""Builders for test data: valid payloads with overridable fields."""

from __future__ import annotations

import itertools
import secrets

_counter = itertools.count(1)


def new_reader_key() -> str:
    """A reader key as the widget makes one: 32 random bytes, base64url (43 characters)."""
    return secrets.token_urlsafe(32)


def comment_payload(**overrides) -> dict:
    """A valid POST /api/v1/comments body; each call has a distinct body."""
    n = next(_counter)
    payload = {
        "article": "/news/launch",
        "author_name": "Ada Reader",
        "author_email": "ada.reader@example.org",
        "body": f"A thoughtful remark number {n}.",
    }
    payload.update(overrides)
    return {key: value for key, value in payload.items() if value is not ...}


def post_comment(client, **overrides):
    """POST a comment (JSON) and return the response."""
    return client.post("/api/v1/comments", json=comment_payload(**overrides))
