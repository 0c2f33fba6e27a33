"""The signed tokens in reader mail links (itsdangerous, keyed by the secret key).

- unsubscribe: ``[subscription id, nonce]``, no expiry (an old mail's link must keep working);
  a valid signature for a row that is gone is "already unsubscribed", not an error.
- confirm: the address hash, time-stamped; valid ``MAIL_CONFIRM_MAX_AGE_DAYS``.
A token that does not verify is ``None``: the pages answer 404, never 500.
"""

from __future__ import annotations

from itsdangerous import BadData, URLSafeSerializer, URLSafeTimedSerializer

_UNSUBSCRIBE = "engage.subscriptions.unsubscribe"
_CONFIRM = "engage.subscriptions.confirm"


def unsubscribe_token(secret: str, subscription_id: int, nonce: str) -> str:
    return URLSafeSerializer(secret, salt=_UNSUBSCRIBE).dumps([subscription_id, nonce])


def read_unsubscribe(secret: str, token: str) -> tuple[int, str] | None:
    try:
        value = URLSafeSerializer(secret, salt=_UNSUBSCRIBE).loads(token)
    except BadData:
        return None
    if (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int)
            and isinstance(value[1], str)):
        return value[0], value[1]
    return None


def confirm_token(secret: str, address_hash: str) -> str:
    return URLSafeTimedSerializer(secret, salt=_CONFIRM).dumps(address_hash)


def read_confirm(secret: str, token: str, max_age_seconds: float) -> str | None:
    try:
        value = URLSafeTimedSerializer(secret, salt=_CONFIRM).loads(token, max_age=max_age_seconds)
    except BadData:
        return None
    return value if isinstance(value, str) else None
