"""Notifications tests: webhooks to a real receiver on loopback, delivery run by the test.

The in-process deliverer is off (``OUTBOX_IN_SERVER``): tests call ``deliver_due`` themselves,
so that what happens between two rounds is theirs to decide; backoff is tiny so retries come
due at once (``due_now`` moves them forward anyway).
"""

from __future__ import annotations

import pytest
from sqlalchemy import update

from engage.db import db, utcnow
from engage.moderators.accounts import create_moderator, issue_token
from engage.moderators.roles import Role
from engage.notifications.models import OutboxMessage, QUEUED
from tests.notifications.receiver import Receiver


@pytest.fixture
def config_overrides():
    return {"WEBHOOKS_ALLOW_PRIVATE": True, "OUTBOX_IN_SERVER": False,
            "OUTBOX_BACKOFF_SECONDS": 0.01, "OUTBOX_BACKOFF_MAX_SECONDS": 0.01,
            "WEBHOOKS_TIMEOUT_SECONDS": 1.0, "WEBHOOKS_CACHE_SECONDS": 0.0}


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


@pytest.fixture
def admin_headers(db_session, moderator, auth_headers):
    """The first moderator is an admin."""
    return auth_headers


@pytest.fixture
def moderator_headers(db_session, moderator):
    account = create_moderator(db_session, "bob", "another long password here",
                               role=Role.MODERATOR)
    token = issue_token(db_session, account)
    db_session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def webhook(client, admin_headers, receiver):
    def make(events=("comment.created", "comment.held", "comment.approved"), **extra):
        answer = client.post("/api/v1/moderation/webhooks", headers=admin_headers,
                             json={"url": receiver.url, "events": list(events), **extra})
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()
    return make


def due_now() -> None:
    """Make every queued message due (its backoff elapsed)."""
    db.session.execute(update(OutboxMessage).where(OutboxMessage.state == QUEUED)
                       .values(next_attempt_at=utcnow()))
    db.session.commit()
