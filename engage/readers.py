"""Who wrote a comment: proof by a reader key that only the reader's browser holds.

An email is a string anyone can type, and the server would compute anything derived from it
(a keyed hash, a history, a rate limit) for whoever sends it; every such answer is a test of
a guess. So nothing a reader's standing rests on is derived from the email alone:

- The widget creates a random secret once per browser (``crypto.getRandomValues``, 256 bits,
  kept in ``localStorage``) and sends it as ``reader_key`` with every comment. The server
  neither stores nor shows it: the comment keeps ``author_key`` = HMAC(secret key, email +
  reader key).
- A post with a reader key is *proven*: trust, first-comment standing, the double-submit
  check and the avatar belong to its ``author_key``. Someone who types a regular's email
  without that browser's key gets another ``author_key`` and shares nothing with them: no
  trust to use, no standing to spoil, no avatar to compare.
- A post without one (an API client, a browser without storage) is *unproven*: it has no
  history, gains no trust, changes nobody's standing, and its avatar is random per comment.

The key is a bearer secret: script running on the site's pages (an XSS hole) could read it.
Losing it (cleared storage, another browser) costs the reader their trust, not their comments.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

# At least 128 bits when random base64url (the widget sends 43 characters: 256 bits).
READER_KEY_MIN, READER_KEY_MAX = 22, 128
READER_KEY = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class ReaderIdentity:
    """What one post proves about its author.

    ``author_key``: 64 hex characters, None for an unproven post. ``reader_key``: the raw key
    (kept in memory only, for the flood limit of one browser), None when unproven.
    ``avatar_token``: the 32 hex characters of the public identicon.
    """

    author_key: str | None
    reader_key: str | None
    avatar_token: str

    @property
    def proven(self) -> bool:
        return self.author_key is not None


def random_avatar_token() -> str:
    """An identicon token that says nothing about anyone (unproven posts)."""
    return secrets.token_hex(16)


def identify(email: str, reader_key: str | None, secret: str) -> ReaderIdentity:
    """The identity of a post by ``email`` carrying ``reader_key`` (already validated)."""
    if not reader_key:
        return ReaderIdentity(None, None, random_avatar_token())
    message = f"author:{email.strip().lower()}\n{reader_key}".encode()
    author_key = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    avatar = hmac.new(secret.encode(), f"avatar-of:{author_key}".encode(),
                      hashlib.sha256).hexdigest()[:32]
    return ReaderIdentity(author_key, reader_key, avatar)
