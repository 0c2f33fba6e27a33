"""Password hashing for moderator accounts: scrypt through ``werkzeug.security``.

New hashes are werkzeug's (``scrypt:N:r:p$salt$hex``), so the cost can be raised later and old
hashes still verify. Hashes made before engage used werkzeug (``scrypt$N$r$p$salt$hash``,
url-safe base64, 32-byte key) keep verifying, so existing moderators still log in.
``verify_password`` compares in constant time and answers False (never raises) for anything
that is not a valid hash.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets

from werkzeug.security import check_password_hash, generate_password_hash

# scrypt cost: ~32 MiB and ~50-100 ms per hash on a small server. Slow enough to make offline
# guessing expensive, fast enough that a login does not feel slow.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
_LEGACY_MAXMEM = 128 * 1024 * 1024


def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """A self-describing scrypt hash of ``password`` with a fresh random salt."""
    return generate_password_hash(password, method=f"scrypt:{n}:{r}:{p}")


def verify_password(password: str, stored: str) -> bool:
    """True if ``password`` matches ``stored`` (constant-time compare); False for any bad hash."""
    try:
        if stored.startswith("scrypt$"):
            return _verify_legacy(password, stored)
        return check_password_hash(stored, password)
    except (ValueError, TypeError, OverflowError):  # unknown method, bad numbers, bad text
        return False


def _verify_legacy(password: str, stored: str) -> bool:
    """The format engage wrote before it used werkzeug (raises ValueError when malformed)."""
    _, n, r, p, salt, expected = stored.split("$")
    digest = hashlib.scrypt(password.encode(), salt=_unb64(salt), n=int(n), r=int(r), p=int(p),
                            maxmem=_LEGACY_MAXMEM, dklen=32)
    return hmac.compare_digest(digest, _unb64(expected))


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# Verified against when the name is unknown, so a login for a missing account takes as long as
# one for a real account and response times do not reveal which names exist.
@functools.cache
def dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def generate_password() -> str:
    """A random one-time password (about 120 bits), easy to copy."""
    return secrets.token_urlsafe(15)
