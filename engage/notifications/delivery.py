"""Channels and the delivery of due messages: claim, send outside any transaction, record.

Contracts
- ``register_channel(name, send, on_failed=None)``: ``send(app, message)`` is called with an app
  context pushed and no transaction open; it returns on success, raises ``RetryLater``
  (transient) or ``Undeliverable`` (permanent); any other exception counts as ``RetryLater``.
  ``on_failed(app, message)`` runs once when the message is finally marked ``failed``.
  Call it from an ``init_app`` (importing a module registers nothing, tests/test_layout.py);
  registering a name again replaces it.
- ``deliver_due(app, waited=None)`` delivers up to ``OUTBOX_BATCH`` due messages of the
  channels registered in this process, ``OUTBOX_CONCURRENCY`` at a time, and returns how many
  it claimed; ``waited(seconds)``, when given, is told how long ago the oldest of them was
  queued (the deliverer's measure of falling behind). At-least-once: a message is marked
  delivered after its send returned; a process killed in between sends it again after the
  lease (``OUTBOX_LEASE_SECONDS``) ran out, with the same id.
- Transient failures wait ``OUTBOX_BACKOFF_SECONDS · 2^(attempts-1)`` (at most
  ``OUTBOX_BACKOFF_MAX_SECONDS``), times a random 0.5–1 (jitter: many failing messages do not
  come back in step), until ``OUTBOX_RETRY_SECONDS`` after the first failure; then ``failed``.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

from flask import Flask

from engage.db import db, utcnow
from engage.notifications import claims
from engage.notifications.models import DELIVERED, FAILED, MAX_ERROR_CHARS, QUEUED, OutboxMessage

log = logging.getLogger(__name__)


class RetryLater(Exception):
    """A transient failure: try again later (exponential backoff, for OUTBOX_RETRY_SECONDS)."""


class Undeliverable(Exception):
    """A permanent failure: mark the message failed now, no retry."""


Send = Callable[[Flask, OutboxMessage], None]


@dataclass(frozen=True)
class Channel:
    name: str
    send: Send
    on_failed: Send | None = None


_CHANNELS: dict[str, Channel] = {}


def register_channel(name: str, send: Send, on_failed: Send | None = None) -> None:
    _CHANNELS[name] = Channel(name, send, on_failed)


def channel_names() -> tuple[str, ...]:
    return tuple(_CHANNELS)


def deliver_due(app: Flask, waited: Callable[[float], None] | None = None) -> int:
    """Claim and deliver one batch of due messages; returns the number claimed."""
    config = app.config
    if not _CHANNELS:
        return 0
    with app.app_context():
        now = utcnow()
        try:
            claimed = claims.claim(db.session, channel_names(), now,
                                   int(config["OUTBOX_BATCH"]),
                                   float(config["OUTBOX_LEASE_SECONDS"]))
        finally:
            db.session.remove()
        if waited is not None:
            waited(max(((now - m.created_at).total_seconds() for m in claimed),
                       default=0.0))
        delivered = _deliver_all(app, claimed, int(config["OUTBOX_CONCURRENCY"]))
        # one write for the batch's successes (SQLite has one writer for the POSTs too); a
        # crash before it sends them again: at-least-once
        by_attempts: dict[int, list[OutboxMessage]] = {}
        for message in delivered:
            by_attempts.setdefault(message.attempts, []).append(message)
        for attempts, messages in by_attempts.items():
            claims.finish_many(db.session, messages, state=DELIVERED, attempts=attempts + 1,
                               delivered_at=utcnow(), last_error=None)
        db.session.remove()
    return len(claimed)


def _deliver_all(app: Flask, messages: list[OutboxMessage], concurrency: int) -> list:
    """Send ``messages``, up to ``concurrency`` at once (one slow receiver must not hold the
    others back); returns the delivered ones."""
    if concurrency <= 1 or len(messages) <= 1:
        return [message for message in messages if _deliver(app, message)]

    # imported here: concurrent.futures.thread makes a lock at import, and `engage serve`
    # loads this module before gevent patched threading
    from concurrent.futures import ThreadPoolExecutor

    def deliver_in_context(message: OutboxMessage) -> bool:
        with app.app_context():  # each sender its own app context, hence its own session
            return _deliver(app, message)

    with ThreadPoolExecutor(max_workers=min(concurrency, len(messages)),
                            thread_name_prefix="engage-outbox-send") as pool:
        outcomes = list(pool.map(deliver_in_context, messages))
    return [message for message, ok in zip(messages, outcomes) if ok]


def _deliver(app: Flask, message: OutboxMessage) -> bool:
    """Send one message; True when it was delivered (recorded by the caller), False when its
    failure was recorded here."""
    channel = _CHANNELS.get(message.channel)
    try:
        channel.send(app, message)
    except Undeliverable as error:
        _fail(app, channel, message, _describe(error))
        return False
    except Exception as error:  # RetryLater, or any bug or outage of the channel: try again
        if not isinstance(error, RetryLater):
            log.warning("outbox %s: %s", message.id, _describe(error), exc_info=True)
        _retry_later(app, channel, message, _describe(error))
        return False
    finally:
        db.session.remove()
    return True


def _retry_later(app: Flask, channel: Channel, message: OutboxMessage, error: str) -> None:
    now, config = utcnow(), app.config
    deadline = message.retry_until or now + timedelta(seconds=float(config["OUTBOX_RETRY_SECONDS"]))
    attempts = message.attempts + 1
    if now >= deadline:
        _fail(app, channel, message, error)
        return
    delay = backoff_seconds(attempts, float(config["OUTBOX_BACKOFF_SECONDS"]),
                            float(config["OUTBOX_BACKOFF_MAX_SECONDS"]))
    claims.finish(db.session, message, state=QUEUED, attempts=attempts, last_error=error,
                  retry_until=deadline, next_attempt_at=min(now + timedelta(seconds=delay),
                                                            deadline))


def _fail(app: Flask, channel: Channel, message: OutboxMessage, error: str) -> None:
    if not claims.finish(db.session, message, state=FAILED, attempts=message.attempts + 1,
                         last_error=error):
        return  # another deliverer took the message over meanwhile: it decides
    log.warning("outbox %s (%s) failed: %s", message.id, message.channel, error)
    if channel.on_failed is not None:
        try:
            channel.on_failed(app, message)
        except Exception:
            log.exception("on_failed of channel %s", channel.name)
        finally:
            db.session.remove()


def backoff_seconds(attempts: int, base: float, ceiling: float, rng=random.random) -> float:
    """The wait after the ``attempts``-th failure: exponential, capped, jittered (0.5–1×)."""
    delay = min(ceiling, base * (2 ** min(attempts - 1, 40)))
    return delay * (0.5 + rng() / 2)


def _describe(error: BaseException) -> str:
    """The error for admins: a receiver's words can be anything, so only printable
    characters (PostgreSQL refuses NUL in text) and at most MAX_ERROR_CHARS of them."""
    if isinstance(error, (RetryLater, Undeliverable)) and str(error):
        text = str(error)
    else:
        text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return "".join(c if c.isprintable() else "?" for c in text[:MAX_ERROR_CHARS])
