"""Fault tests with real processes: a server killed between commit and send, two workers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engage.db import db
from engage.notifications.models import DELIVERED, OutboxMessage, Webhook
from engage.notifications.outbox import enqueue
from tests.factories import comment_payload
from tests.notifications.receiver import Receiver
from tests.servers import ROOT, EngageServer, engage_env, free_port

pytestmark = pytest.mark.slow


def _settings(app, tmp_path: Path, **extra) -> dict:
    return {"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": app.config["SECRET_KEY"],
            "FLOOD_SECONDS": 0, "MIN_SUBMIT_SECONDS": 0, "CLASSIFIER_STARTER_ENABLED": False,
            "WEBHOOKS_ALLOW_PRIVATE": True, "WEBHOOKS_TIMEOUT_SECONDS": 2.0,
            "OUTBOX_POLL_SECONDS": 0.2, "WORKER_CLASS": "gthread", **extra}


def _kill_tree(process: subprocess.Popen) -> None:
    """SIGKILL gunicorn's master and its workers: nothing gets to clean up."""
    try:
        with open(f"/proc/{process.pid}/task/{process.pid}/children") as f:
            children = [int(pid) for pid in f.read().split()]
    except OSError:
        children = []
    for pid in [process.pid, *children]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait()


def _post(url: str) -> int:
    request = urllib.request.Request(url + "/api/v1/comments", method="POST",
                                     data=json.dumps(comment_payload()).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return answer.status


def _state_counts() -> dict[str, int]:
    db.session.expire_all()
    rows = db.session.execute(select(OutboxMessage.state, func.count())
                              .group_by(OutboxMessage.state)).all()
    db.session.rollback()
    return dict(rows)


def test_a_message_committed_before_a_kill_is_sent_once_after_the_restart(app, client,
                                                                          admin_headers,
                                                                          tmp_path):
    port = free_port()
    hook_url = f"http://127.0.0.1:{port}/hook"  # nothing listens there yet
    assert client.post("/api/v1/moderation/webhooks", headers=admin_headers, json={
        "url": hook_url, "events": ["comment.created"]}).status_code == 201
    db.session.remove()
    first = EngageServer(_settings(app, tmp_path, OUTBOX_IN_SERVER=False), free_port(),
                         migrate=False)
    first.start()
    try:
        assert _post(first.url) == 201
    finally:
        _kill_tree(first.process)
    assert _state_counts() == {"queued": 1}
    with Receiver(port=port) as receiver:
        second = EngageServer(_settings(app, tmp_path), free_port(), migrate=False)
        second.start()
        try:
            receiver.wait_for(1, timeout=30)
            time.sleep(1.5)  # a second send would come within the poll interval
        finally:
            second.stop()
        assert len(receiver.requests) == 1
    assert _state_counts() == {DELIVERED: 1}


def test_two_workers_deliver_each_message_exactly_once(app, client, admin_headers, tmp_path):
    messages = 200
    with Receiver() as receiver:
        made = client.post("/api/v1/moderation/webhooks", headers=admin_headers, json={
            "url": receiver.url, "events": ["comment.created"]})
        hook = db.session.get(Webhook, made.get_json()["id"])
        event = {"type": "comment.created", "created_at": "2026-01-01T00:00:00+00:00",
                 "site": "default", "article": {"key": "/k", "title": None, "url": None},
                 "comment": {"id": 1, "status": "approved"}}
        for _ in range(messages):
            enqueue(db.session, channel="webhook",
                    payload={"webhook": hook.id, "format": "engage", "event": event})
        db.session.commit()
        db.session.remove()
        env = engage_env(_settings(app, tmp_path, OUTBOX_BATCH=5))
        workers = [subprocess.Popen([sys.executable, "-m", "engage", "worker"], env=env,
                                    cwd=ROOT, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL) for _ in range(2)]
        try:
            deadline = time.monotonic() + 120
            while _state_counts().get(DELIVERED, 0) < messages and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                assert worker.wait(30) == 0
        counts = receiver.deliveries()
    assert _state_counts() == {DELIVERED: messages}
    assert len(counts) == messages and set(counts.values()) == {1}
