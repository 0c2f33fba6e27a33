"""Password hashing for moderator accounts: scrypt from the standard library.

Hashes are self-describing (``scrypt$N$r$p$salt$hash``, url-safe base64), so the cost can be
raised later and old hashes still verify. ``verify_password`` compares in constant time and
answers False (never raises) for anything that is not a valid hash.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets

# scrypt cost: ~32 MiB and ~50-100 ms per hash on a small server. Slow enough to make offline
# guessing expensive, fast enough that a login does not feel slow.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
_SCRYPT_MAXMEM = 128 * 1024 * 1024


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """A self-describing scrypt hash of ``password`` with a fresh random salt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=_SCRYPT_MAXMEM,
                            dklen=32)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """True if ``password`` matches ``stored`` (constant-time compare); False for any bad hash."""
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(password.encode(), salt=_unb64(salt), n=int(n), r=int(r),
                                p=int(p), maxmem=_SCRYPT_MAXMEM, dklen=32)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, _unb64(expected))


# Verified against when the name is unknown, so a login for a missing account takes as long as
# one for a real account and response times do not reveal which names exist.
@functools.cache
def dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def generate_password() -> str:
    """A random one-time password (about 120 bits), easy to copy."""
    return secrets.token_urlsafe(15)
