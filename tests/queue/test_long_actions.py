"""Long moderator actions work in chunks: the worker keeps answering while it blocks a prolific
author, and the outcome and the audit log are those of one action.

Before, blocking an author with 1,500 comments was one transaction whose statements held a
gevent worker's event loop (and SQLite's write lock) for about 3 s; with about 30,000 it
passed gunicorn's timeout and was rolled back.
"""

from __future__ import annotations

import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from engage import create_app
from engage.articles import Article
from engage.comments.models import Comment, CommentStatus
from engage.db import db, utcnow
from engage.moderators.accounts import create_moderator, issue_token
from engage.queue.events import ModerationEvent
from engage.spamfilter.store import SpamExample
from tests.conftest import BASE_TEST_CONFIG
from tests.scale.http import Http
from tests.servers import EngageServer, free_port

PROLIFIC = "prolific@spam.example"
AUTHOR_COMMENTS = 2500


def _seed(settings: dict, comments: int) -> tuple[str, int]:
    """A moderator's token and the id of the first of ``comments`` pending comments by one
    author (stored directly: the action under test is the block, not the posting)."""
    app = create_app(settings)
    with app.app_context():
        token = issue_token(db.session, create_moderator(db.session, "mod", "a long password 1"))
        article = db.session.scalar(insert(Article).values(key="/spammed", created_at=utcnow())
                                    .returning(Article.id))
        start = utcnow() - timedelta(days=1)
        db.session.execute(insert(Comment), [
            {"article_id": article, "status": CommentStatus.PENDING, "author_name": "Prolific",
             "author_email": PROLIFIC, "body": f"Buy now, offer {n}", "body_html": "<p>…</p>",
             "ip_prefix": "198.51.100.0/24", "reasons": [],
             "created_at": start + timedelta(seconds=n)} for n in range(comments)])
        first = db.session.scalar(select(func.min(Comment.id)))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return token, first


@pytest.fixture
def server(tmp_path):
    settings = {**BASE_TEST_CONFIG, "INSTANCE_PATH": str(tmp_path), "DEMO_ENABLED": False}
    server = EngageServer(settings, port=free_port(), workers=1)
    server.start()  # migrates the database
    yield server
    server.stop()


def _spam_count(path: Path) -> int:
    with closing(sqlite3.connect(path)) as connection:
        spam = connection.execute("SELECT count(*) FROM comments WHERE status = 'spam'")
        return spam.fetchone()[0]


@pytest.mark.slow
def test_blocking_a_prolific_author_lets_the_worker_answer_meanwhile(server):
    token, first = _seed(server.settings, AUTHOR_COMMENTS)
    path = Path(server.settings["INSTANCE_PATH"]) / "engage.sqlite3"
    started = time.monotonic()
    with ThreadPoolExecutor(1) as pool:
        blocked = pool.submit(Http(timeout=120).post,
                              f"{server.url}/api/v1/moderation/comments/{first}/block",
                              json_body={"kind": "email"},
                              headers={"Authorization": f"Bearer {token}"})
        # Once the first chunk is committed, ask for /healthz: it must be answered while the
        # block is still going on (some of the author's comments not yet marked). In one
        # transaction nothing is visible before the end, and the worker answers nothing else.
        while _spam_count(path) == 0 and not blocked.done():
            time.sleep(0.01)
        health = Http(timeout=120).get(f"{server.url}/healthz")
        marked_when_answered = _spam_count(path)
        answer = blocked.result(timeout=120)
    print(f"blocked {AUTHOR_COMMENTS} comments in {time.monotonic() - started:.1f} s")
    assert health.status == 200
    assert answer.status == 200, answer.body
    assert 0 < marked_when_answered < AUTHOR_COMMENTS
    assert answer.json["marked"] == AUTHOR_COMMENTS
    assert answer.json["blocked"] == {"kind": "email", "value": PROLIFIC}
    # The same outcome as one transaction: every comment spam, one audit event and one
    # training example each.
    with closing(sqlite3.connect(path)) as connection:
        assert _spam_count(path) == AUTHOR_COMMENTS
        events = connection.execute(
            "SELECT count(DISTINCT comment_id), count(*) FROM moderation_events "
            "WHERE note = ? AND from_status = 'pending' AND to_status = 'spam'",
            (f"blocked email {PROLIFIC}",)).fetchone()
        assert events == (AUTHOR_COMMENTS, AUTHOR_COMMENTS)
        examples = connection.execute("SELECT count(*) FROM spam_examples WHERE is_spam")
        assert examples.fetchone()[0] == AUTHOR_COMMENTS


def test_a_bulk_decision_over_several_chunks_is_complete(client, db_session, auth_headers,
                                                         make_comment):
    comments = [make_comment(body=f"Comment number {n}") for n in range(250)]
    ids = [comment.id for comment in reversed(comments)]  # any order: answered in that order
    answer = client.post("/api/v1/moderation/comments/bulk", headers=auth_headers,
                         json={"ids": ids, "action": "approve", "note": "all good"})
    assert answer.status_code == 200, answer.json
    assert [item["id"] for item in answer.json["comments"]] == ids
    assert {item["status"] for item in answer.json["comments"]} == {"approved"}
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(Comment).where(
        Comment.status == CommentStatus.APPROVED)) == 250
    assert db_session.scalar(select(func.count(func.distinct(ModerationEvent.comment_id))).where(
        ModerationEvent.note == "all good")) == 250
    assert db_session.scalar(select(func.count()).select_from(SpamExample)) == 250


def test_a_bulk_decision_with_an_unknown_id_changes_nothing(client, db_session, auth_headers,
                                                            make_comment):
    ids = [make_comment().id for _ in range(150)] + [999_999]
    answer = client.post("/api/v1/moderation/comments/bulk", headers=auth_headers,
                         json={"ids": ids, "action": "spam"})
    assert answer.status_code == 404
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(ModerationEvent)) == 0
    assert db_session.scalar(select(func.count()).select_from(Comment).where(
        Comment.status == CommentStatus.SPAM)) == 0
