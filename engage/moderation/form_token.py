"""Form tokens: signed, time-stamped proof that a comment came through the comment form.

``GET /api/v1/form-token?article=K`` hands the widget a token when a reader starts writing;
the widget sends it back with the comment. ``inspect`` tells the comments service how old the
token is and what is wrong with it, if anything; the ``too_fast`` rule turns that into a hold.

- Signed with ``SECRET_KEY`` (itsdangerous, own salt): a token cannot be made or altered
  without the secret, and a token for one article does not fit another ("forged").
- Time-stamped with the issue time in milliseconds, from the ``now`` passed in (so tests never
  patch the clock). Older than ``FORM_TOKEN_MAX_AGE`` → "expired".
- Single use: its random nonce is recorded at first use, in Redis (``SET NX EX``) when
  configured, else in the ``moderation_form_tokens`` table (insert-or-nothing); shared by every
  process. A second use → "reused". Records are dropped once the token would be expired anyway.
"""

from __future__ import annotations

import enum
import itertools
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Mapping, Protocol

from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import String, bindparam, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engage.db import Base, UTCDateTime, upsert
from engage.errors import Conflict
from engage.shared_store import prune, redis_or_database

SALT = "engage.form-token.v1"
# A token "from the future" within this margin is clock skew between processes, not forgery.
CLOCK_SKEW_SECONDS = 5.0
DEFAULT_MAX_AGE = 2 * 3600


class TokenProblem(enum.StrEnum):
    FORGED = "forged"
    EXPIRED = "expired"
    REUSED = "reused"


@dataclass(frozen=True)
class TokenCheck:
    """``age`` in seconds (None without a usable token) and what is wrong (None = fine/absent)."""

    age: float | None = None
    problem: TokenProblem | None = None


class FormTokenUse(Base):
    __tablename__ = "moderation_form_tokens"

    nonce: Mapped[str] = mapped_column(String(32), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=SALT)


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def issue(article_key: str, secret: str, now: datetime) -> str:
    """A new token for ``article_key`` (already normalised), issued at ``now``."""
    payload = {"a": article_key, "t": _millis(now), "n": secrets.token_urlsafe(16)}
    return _serializer(secret).dumps(payload)


class ReplayGuard(Protocol):
    # True when ``first_use`` writes to the database: ``inspect_later`` reads (``seen``) first
    deferred: bool

    def first_use(self, nonce: str, now: datetime, ttl_seconds: int) -> bool: ...


def inspect(token: str | None, article_key: str, now: datetime, config: Mapping[str, Any],
            guard: ReplayGuard) -> TokenCheck:
    """Check ``token`` for a comment on ``article_key`` at ``now``; records its use if valid."""
    check, nonce, ttl = _verify(token, article_key, now, config)
    if nonce is not None and not guard.first_use(nonce, now, ttl):
        return TokenCheck(check.age, TokenProblem.REUSED)
    return check


def inspect_later(token: str | None, article_key: str, now: datetime, config: Mapping[str, Any],
                  guard: ReplayGuard) -> tuple[TokenCheck, Callable[[], None]]:
    """``inspect``, with the nonce recorded by the returned callable, in the comment's write
    transaction: a database guard only reads here (``seen``; the first write of a SQLite
    transaction takes the database's write lock until the commit), and the callable raises
    ``Conflict`` (409) if a concurrent post spent the same token in between (one form, sent
    twice at once: the first one is stored). A Redis guard records at once (no lock)."""
    check, nonce, ttl = _verify(token, article_key, now, config)
    if nonce is None:
        return check, _nothing
    if not guard.deferred:
        if not guard.first_use(nonce, now, ttl):
            return TokenCheck(check.age, TokenProblem.REUSED), _nothing
        return check, _nothing
    if guard.seen(nonce):
        return TokenCheck(check.age, TokenProblem.REUSED), _nothing

    def spend() -> None:
        if not guard.first_use(nonce, now, ttl):
            raise Conflict(RACED)
    return check, spend


RACED = "This comment form was already sent; it is stored once."


def _nothing() -> None:
    return None


def _verify(token: str | None, article_key: str, now: datetime,
            config: Mapping[str, Any]) -> tuple[TokenCheck, str | None, int]:
    """The token's check without its single use; the nonce to record (None: nothing to
    record, the token is absent or already has a problem) and how long to keep it."""
    max_age = int(config.get("FORM_TOKEN_MAX_AGE", DEFAULT_MAX_AGE))
    ttl = max_age + int(CLOCK_SKEW_SECONDS)
    if not token:
        return TokenCheck(), None, ttl
    try:
        payload = _serializer(config["SECRET_KEY"]).loads(token)
    except BadData:
        return TokenCheck(problem=TokenProblem.FORGED), None, ttl
    if (not isinstance(payload, dict) or payload.get("a") != article_key
            or not isinstance(payload.get("t"), int) or not isinstance(payload.get("n"), str)
            or len(payload["n"]) > 32):
        return TokenCheck(problem=TokenProblem.FORGED), None, ttl
    age = (_millis(now) - payload["t"]) / 1000
    if age < -CLOCK_SKEW_SECONDS:
        return TokenCheck(problem=TokenProblem.FORGED), None, ttl
    age = max(age, 0.0)
    if age > max_age:
        return TokenCheck(age, TokenProblem.EXPIRED), None, ttl
    return TokenCheck(age), payload["n"], ttl


class SqlReplayGuard:
    """Nonces in ``moderation_form_tokens``; part of the caller's transaction."""

    deferred = True  # first_use writes: inspect_later reads with ``seen`` first

    def __init__(self, session: Session):
        self.session = session

    def seen(self, nonce: str) -> bool:
        return self.session.connection().scalar(_SEEN, {"nonce": nonce}) is not None

    def first_use(self, nonce: str, now: datetime, ttl_seconds: int) -> bool:
        # RETURNING, not rowcount: psycopg 3 reports -1 for this statement.
        first = self.session.execute(
            upsert(self.session, FormTokenUse).values(nonce=nonce, used_at=now)
            .on_conflict_do_nothing(index_elements=["nonce"])
            .returning(FormTokenUse.nonce)).first() is not None
        if next(_uses) % PRUNE_EVERY == 0:
            prune(self.session, FormTokenUse, FormTokenUse.used_at,
                  now - timedelta(seconds=ttl_seconds))
        return first


# Expired nonces are deleted by one use in this many per process (amortized, as the flood
# marks are: a DELETE on every post cost more than the insert).
PRUNE_EVERY = 16
_uses = itertools.count(1)
_SEEN = select(FormTokenUse.nonce).where(FormTokenUse.nonce == bindparam("nonce"))


class RedisReplayGuard:
    def __init__(self, client, prefix: str):
        self.client = client
        self.prefix = prefix

    deferred = False  # atomic in Redis, no database lock: recorded at admission

    def first_use(self, nonce: str, now: datetime, ttl_seconds: int) -> bool:
        return bool(self.client.set(self.prefix + nonce, b"1", nx=True, ex=max(1, ttl_seconds)))


def replay_guard(session: Session) -> ReplayGuard:
    """Redis when ``REDIS_URL`` is set, the database otherwise (``shared_store``)."""
    return redis_or_database(
        lambda shared: RedisReplayGuard(shared.client, shared.key("form-token", "")),
        SqlReplayGuard(session))
