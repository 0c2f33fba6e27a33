"""Who is acting, for reader actions that must count once per person without an account.

The same visitor key as views (engage/pageviews/visitors.py: the day's salt, the anonymised
network and the user agent; no cookie, no stored IP), narrowed to one comment before it is
stored, so that stored rows cannot be linked across comments, nor across days.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from flask import request

from engage.pageviews.extension import app_views
from engage.web.request_info import client_ip_prefix

KEY_CHARS = 32  # hex characters of a stored key


@dataclass(frozen=True)
class Visitor:
    """The day's keys of the request's reader: ``per(comment)`` to store, ``network`` to bound."""

    key: str
    network: str

    def per(self, comment_id: int, purpose: str) -> str:
        """The visitor's key for ``purpose`` ("vote", "report") on one comment (hex)."""
        digest = hashlib.blake2b(digest_size=KEY_CHARS // 2, person=b"engage-action")
        digest.update(f"{purpose}\0{comment_id}\0{self.key}".encode())
        return digest.hexdigest()


def request_visitor(now: datetime) -> Visitor:
    """The visitor of the current request on the day of ``now``."""
    visitor, network = app_views().salts.keys(now, client_ip_prefix(),
                                              request.headers.get("User-Agent"))
    return Visitor(visitor, network[:KEY_CHARS])
