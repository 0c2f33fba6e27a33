"""Webhook signatures: ``Engage-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``.

The timestamp is signed with the body so a receiver can refuse old replays (say, older than
five minutes); ``verify`` is the reference check the README's snippet mirrors.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

SECRET_BYTES = 24  # 192 bits; "whsec_" + 48 hex digits fits the 64-character column


def new_secret() -> str:
    return "whsec_" + secrets.token_hex(SECRET_BYTES)


def signature(secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, body: bytes, header: str, tolerance: int = 300,
           now: float | None = None) -> bool:
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = signature(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))
