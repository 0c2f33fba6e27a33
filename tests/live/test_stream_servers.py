"""Live updates across real server processes: a comment a moderator approves on one
``engage serve`` reaches a stream that another one serves, within 2 seconds (the promise of
issue 20: one poll of the change log without Redis, a pub/sub message with it), and a
stopping server ends its streams at once instead of holding its graceful stop.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from engage import create_app
from engage.db import db
from engage.moderators.accounts import create_moderator, issue_token
from tests.conftest import BASE_TEST_CONFIG, _truncate_all
from tests.live.sse import EventReader
from tests.scale.http import Http
from tests.servers import EngageServer, free_port, start_all, stop_all

PROMISED_SECONDS = 2.0


def _token(settings: dict) -> str:
    app = create_app(settings)
    with app.app_context():
        token = issue_token(db.session, create_moderator(db.session, "mod", "a long password 1"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return token


@pytest.fixture(params=[("sqlite", False), ("postgresql", False), ("postgresql", True)],
                ids=["sqlite-database", "postgresql-database", "postgresql-redis"])
def servers(request, tmp_path):
    """Two ``engage serve`` processes on one database (and Redis), holding new comments."""
    kind, with_redis = request.param
    settings = {**BASE_TEST_CONFIG, "INSTANCE_PATH": str(tmp_path), "DEMO_ENABLED": False,
                "MODERATION_MODE": "premod"}
    if kind == "sqlite":
        settings["DATABASE_URL"] = f"sqlite:///{tmp_path / 'engage.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_database")
        _truncate_all(url)
        settings["DATABASE_URL"] = url
    if with_redis:
        settings["REDIS_URL"] = request.getfixturevalue("redis_url")
        settings["REDIS_PREFIX"] = request.getfixturevalue("redis_prefix")
    first = EngageServer(settings, port=free_port())
    first.start()  # migrates the database, once
    second = EngageServer(settings, port=free_port(), migrate=False)
    second.start()
    yield first, second, _token(settings)
    stop_all([first, second])


def test_an_approval_on_one_server_reaches_a_stream_on_another(servers):
    """Then the streaming server stops: it ends the stream at once and exits cleanly."""
    streaming, deciding, token = servers
    http = Http(timeout=30)
    held = http.post(f"{deciding.url}/api/v1/comments", json_body={
        "article": "/live", "author_name": "Reader", "author_email": "reader@example.org",
        "body": "Approved elsewhere"})
    assert held.status == 202, held.body
    comment_id = held.json["comment"]["id"]
    reader = EventReader("127.0.0.1", streaming.port, "/api/v1/stream?article=/live")
    assert reader.status == 200
    assert reader.headers["Content-Type"].startswith("text/event-stream")
    # The stream is open once its first bytes (the retry line) arrived.
    assert reader.response.readline().startswith(b"retry: ")
    approved = http.post(f"{deciding.url}/api/v1/moderation/comments/{comment_id}",
                         json_body={"action": "approve"},
                         headers={"Authorization": f"Bearer {token}"})
    assert approved.status == 200, approved.body
    name, data, event_id = reader.next_event(time.monotonic() + PROMISED_SECONDS)
    assert name == "comment"
    assert data["id"] == comment_id and data["body_html"] == "<p>Approved elsewhere</p>"
    assert "reader@example.org" not in repr(data) and int(event_id) > 0

    streaming.terminate()
    # Ended by the worker: the read sees the end, long before the 20 s graceful timeout
    # would have cut the connection.
    reader.read_to_end(time.monotonic() + 10)
    reader.close()
    assert streaming.stop() == 0
    assert "graceful timeout" not in Path(streaming.log_path).read_text().lower()
