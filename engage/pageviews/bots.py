"""Which requests are not a reader viewing a page: bots, prefetches, prerenders, HEAD.

Bots are recognised with the maintained ``crawler-user-agents`` list (about 1,500 patterns). The
patterns are compiled once, in chunks (one huge alternation is slower in Python's ``re``), and
answers are kept in an LRU cache because a site sees the same few hundred user agents all day.
"""

from __future__ import annotations

import enum
import re
from functools import lru_cache
from typing import Mapping

import crawleruseragents

_CHUNK = 25
_PATTERNS = [entry["pattern"] for entry in crawleruseragents.CRAWLER_USER_AGENTS_DATA]
_COMPILED = [re.compile("|".join(_PATTERNS[i:i + _CHUNK])) for i in range(0, len(_PATTERNS), _CHUNK)]
MAX_USER_AGENT = 1024  # longer user agents are cut before matching and hashing


class NotCounted(enum.Enum):
    """Why a request is not a view (``None`` when it is one)."""

    BOT = "bot"
    PREFETCH = "prefetch"
    HEAD = "head"
    REPEAT = "repeat"


@lru_cache(maxsize=8192)
def is_bot(user_agent: str | None) -> bool:
    """True for known crawlers and for requests without a user agent (no browser sends none)."""
    if not user_agent or not user_agent.strip():
        return True
    return any(pattern.search(user_agent) for pattern in _COMPILED)


def is_prefetch(headers: Mapping[str, str]) -> bool:
    """True for speculative loads the reader may never see.

    ``Sec-Purpose: prefetch`` / ``prefetch;prerender`` (current Chromium and Firefox),
    ``Purpose: prefetch`` (older Chromium, Safari) and ``X-Moz: prefetch`` (older Firefox).
    """
    for name in ("Sec-Purpose", "Purpose", "X-Purpose", "X-Moz"):
        value = headers.get(name)
        if value and ("prefetch" in value.lower() or "prerender" in value.lower()
                      or "preview" in value.lower()):
            return True
    return False


def classify(method: str, headers: Mapping[str, str], user_agent: str | None) -> NotCounted | None:
    """Why this request is not a view before any dedupe, or None if it may count."""
    if method.upper() == "HEAD":
        return NotCounted.HEAD
    if is_prefetch(headers):
        return NotCounted.PREFETCH
    if is_bot((user_agent or "")[:MAX_USER_AGENT]):
        return NotCounted.BOT
    return None
