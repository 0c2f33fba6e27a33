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

A confirmed mailbox is proof too (issue 18), for the browser that proved it:

- The confirmation page of a reader subscription (engage/notifications/subscriptions) links
  back to the article with the confirmation token in the URL's fragment (never sent to a
  server, nor in a Referer). The widget on that page sends the token with *its own* reader
  key to ``POST /api/v1/readers/proof`` and keeps the answer, a ``reader_proof`` =
  HMAC(secret, address hash + reader key), which it sends with its comments.
- A post whose ``reader_proof`` matches its email and reader key is *mailbox-proven*: its
  ``author_key`` is the mailbox's (HMAC of the address hash alone), so every browser that
  proved the mailbox shares one history and one trust. The proof endpoint moves the
  browser's earlier comments (its browser ``author_key``) to the mailbox key, so a regular
  who proves their address keeps their standing.
- Why the clicking browser and not the posting one: anyone can post under a victim's address
  and ask for mail; if the victim's click bound *the poster's* key, the attacker's browser
  would become the victim, trusted. Here the click proves only the browser that holds the
  mailbox's link, and the poster's browser gains nothing.
- A wrong or missing ``reader_proof`` is ignored: the post is proven by its reader key alone,
  with the same answer and the same work (nothing is looked up by email on the post path).
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


PROOF_LENGTH = 64  # hex characters of a reader_proof


def address_hash(secret: str, email: str) -> str:
    """HMAC-SHA256 of the trimmed, lower-cased address (what subscriptions are keyed by)."""
    normalised = (email or "").strip().lower()
    return hmac.new(secret.encode(), b"engage.mail-address:" + normalised.encode(),
                    hashlib.sha256).hexdigest()


def reader_proof(secret: str, mailbox: str, reader_key: str) -> str:
    """The proof that the browser holding ``reader_key`` opened the mailbox ``mailbox``
    (an ``address_hash``)'s confirmation link."""
    message = f"engage.reader-proof:{mailbox}\n{reader_key}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def mailbox_author_key(secret: str, mailbox: str) -> str:
    """The ``author_key`` of every mailbox-proven post of the address ``mailbox``."""
    return hmac.new(secret.encode(), f"engage.mailbox-author:{mailbox}".encode(),
                    hashlib.sha256).hexdigest()


def browser_author_key(secret: str, email: str, reader_key: str) -> str:
    """The ``author_key`` of a post proven by its reader key alone."""
    message = f"author:{email.strip().lower()}\n{reader_key}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def identify(email: str, reader_key: str | None, secret: str,
             proof: str | None = None) -> ReaderIdentity:
    """The identity of a post by ``email`` carrying ``reader_key`` and ``proof`` (a
    ``reader_proof``; already validated as strings)."""
    if not reader_key:
        return ReaderIdentity(None, None, random_avatar_token())
    author_key = browser_author_key(secret, email, reader_key)
    if proof:
        mailbox = address_hash(secret, email)
        if hmac.compare_digest(proof, reader_proof(secret, mailbox, reader_key)):
            author_key = mailbox_author_key(secret, mailbox)
    avatar = hmac.new(secret.encode(), f"avatar-of:{author_key}".encode(),
                      hashlib.sha256).hexdigest()[:32]
    return ReaderIdentity(author_key, reader_key, avatar)
