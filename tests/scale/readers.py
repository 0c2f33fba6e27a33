"""Distinct readers for the scale tests: each has its own /24 network and email address, so
that the flood limit, which keys on both, never mixes two of them up."""

from __future__ import annotations

import itertools
import threading
import uuid

_next = itertools.count(1)
_lock = threading.Lock()
_run = uuid.uuid4().hex[:6]


def reader() -> int:
    with _lock:
        return next(_next)


def reader_ip(number: int) -> str:
    """A /24 of its own per reader (up to 65,535 readers)."""
    return f"10.{(number >> 8) & 255}.{number & 255}.7"


def comment_from(number: int, article: str) -> tuple[dict, dict]:
    """The JSON body and headers of one comment by reader ``number``."""
    body = {"article": article, "author_name": f"Reader {number}",
            "author_email": f"reader{number}.{_run}@example.org",
            "body": f"Thanks for this piece, reader {number} found it a good read."}
    return body, {"X-Forwarded-For": reader_ip(number)}
