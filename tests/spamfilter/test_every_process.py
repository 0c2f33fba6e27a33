"""A moderator's decision reaches the spam filter of every process: two ``engage serve``
processes share the database with this one, which decides (SQLite and PostgreSQL)."""

from __future__ import annotations

import itertools
import json
import time
import urllib.request

import pytest

from engage.comments.models import Comment
from engage.db import db
from tests.conftest import BASE_TEST_CONFIG
from tests.servers import EngageServer, free_port
from tests.spamfilter.test_model import HAM, SPAM

pytestmark = pytest.mark.slow

FILTER = {"CLASSIFIER_MIN_SPAM": 3, "CLASSIFIER_MIN_HAM": 3, "CLASSIFIER_REFRESH_SECONDS": 0.2}
_probes = itertools.count()


@pytest.fixture
def config_overrides():
    return dict(FILTER)


@pytest.fixture
def servers(app, database, tmp_path):
    started = []
    try:
        for n in range(2):
            instance = tmp_path / f"server-{n}"
            instance.mkdir()
            server = EngageServer({**BASE_TEST_CONFIG, **FILTER, "INSTANCE_PATH": str(instance),
                                   "DATABASE_URL": database, "DEMO_ENABLED": False},
                                  port=free_port(), workers=1, threads=4, migrate=False)
            server.start()
            started.append(server)
        yield started
    finally:
        for server in started:
            server.stop()


def trained_on(server: EngageServer) -> dict | None:
    """What the server's filter was trained on, read from a probe comment it just judged."""
    body = json.dumps({"article": "/probe", "author_name": "Probe", "body": f"probe {next(_probes)}",
                       "author_email": "probe@example.org"}).encode()
    request = urllib.request.Request(f"{server.url}/api/v1/comments", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        comment_id = json.loads(response.read())["comment"]["id"]
    db.session.rollback()  # see what the server committed
    reasons = db.session.get(Comment, comment_id).reasons
    return next((r["evidence"]["trained_on"] for r in reasons if r["rule"] == "spam_filter"), None)


def wait_until_trained_on(server: EngageServer, expected: dict, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    seen = None
    while time.monotonic() < deadline:
        seen = trained_on(server)
        if seen == expected:
            return
        time.sleep(0.2)
    raise AssertionError(f"{server.url} still had {seen}, not {expected}")


def decide(client, auth_headers, comment_id: int, action: str) -> None:
    response = client.post(f"/api/v1/moderation/comments/{comment_id}", json={"action": action},
                           headers=auth_headers)
    assert response.status_code == 200, response.get_json()


def test_a_decision_reaches_the_model_of_every_process(client, auth_headers, make_comment,
                                                        servers):
    for server in servers:
        assert trained_on(server) is None  # cold start: nothing learned, no starter
    spam = [make_comment(body=text).id for text in SPAM]
    ham = [make_comment(body=text).id for text in HAM]
    for comment_id in spam:
        decide(client, auth_headers, comment_id, "spam")
    for comment_id in ham:
        decide(client, auth_headers, comment_id, "approve")
    for server in servers:
        wait_until_trained_on(server, {"spam": len(SPAM), "legitimate": len(HAM)})
    decide(client, auth_headers, spam[0], "approve")  # one reversed decision
    for server in servers:
        wait_until_trained_on(server, {"spam": len(SPAM) - 1, "legitimate": len(HAM) + 1})
