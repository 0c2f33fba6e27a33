"""Webhook requests against a real receiver: signature, stable id, retries, bounds, privacy."""

from __future__ import annotations

import json
import time

from sqlalchemy import func, select

from engage.comments.models import CommentStatus
from engage.db import db
from engage.notifications.delivery import deliver_due
from engage.notifications.models import DELIVERED, FAILED, OutboxMessage
from engage.notifications.signing import verify
from tests.factories import post_comment
from tests.notifications.conftest import due_now


def _messages():
    return list(db.session.scalars(select(OutboxMessage)))


def test_a_published_comment_posts_a_signed_request(app, client, webhook, receiver):
    hook = webhook()
    assert post_comment(client, author_name="Ada").status_code == 201
    assert deliver_due(app) == 1
    [request] = receiver.requests
    body = json.loads(request.body)
    assert request.headers["Engage-Event"] == "comment.created" == body["type"]
    assert request.headers["Engage-Delivery"] == body["id"] == _messages()[0].id
    assert body["comment"]["status"] == "approved"
    assert body["comment"]["author_name"] == "Ada"
    assert body["article"]["key"] == "/news/launch" and body["site"] == "default"
    signature = request.headers["Engage-Signature"]
    assert verify(hook["secret"], request.body, signature)
    assert not verify(hook["secret"], request.body.replace(b"Ada", b"Eve"), signature)
    assert not verify("whsec_wrong", request.body, signature)
    assert _messages()[0].state == DELIVERED


def test_the_payload_holds_no_email_and_no_network(app, client, webhook, receiver):
    webhook()
    post_comment(client, author_email="secret.reader@example.org",
                 body="mail me at other.reader@example.net please")
    deliver_due(app)
    raw = receiver.requests[0].body.decode()
    assert "@example" not in raw
    assert "127.0.0" not in raw and "ip" not in json.loads(raw)["comment"]


def test_a_receiver_failing_twice_gets_the_same_delivery_id_the_third_time(app, client,
                                                                             webhook, receiver):
    webhook()
    receiver.plan = [500, 500]
    post_comment(client)
    for _ in range(3):
        deliver_due(app)
        due_now()
    assert len(receiver.requests) == 3
    assert len(receiver.deliveries()) == 1
    [message] = _messages()
    assert message.state == DELIVERED and message.attempts == 3


def test_a_slow_receiver_times_out_and_is_retried(app, client, webhook, receiver):
    webhook()
    receiver.plan, receiver.slow_seconds = ["slow"], 3.0  # timeout is 1 s in these tests
    post_comment(client)
    deliver_due(app)
    [message] = _messages()
    assert message.state == "queued" and "timed out" in message.last_error.lower()
    due_now()
    deliver_due(app)
    db.session.expire_all()
    assert _messages()[0].state == DELIVERED and len(receiver.deliveries()) == 1


def test_a_garbage_answer_is_retried(app, client, webhook, receiver):
    webhook()
    receiver.plan = ["garbage"]
    post_comment(client)
    deliver_due(app)
    assert _messages()[0].state == "queued" and _messages()[0].attempts == 1
    due_now()
    deliver_due(app)
    db.session.expire_all()
    assert _messages()[0].state == DELIVERED


def test_a_4xx_answer_fails_at_once(app, client, webhook, receiver):
    webhook()
    receiver.plan = [410]
    post_comment(client)
    deliver_due(app)
    [message] = _messages()
    assert message.state == FAILED and "410" in message.last_error


def test_retrying_stops_at_the_deadline(app, client, webhook, receiver):
    app.config["OUTBOX_RETRY_SECONDS"] = 0.3
    webhook()
    receiver.plan = [503] * 100
    post_comment(client)
    deadline = time.monotonic() + 10
    while _messages()[0].state != FAILED and time.monotonic() < deadline:
        deliver_due(app)
        due_now()
        db.session.expire_all()
        time.sleep(0.05)
    assert _messages()[0].state == FAILED and "503" in _messages()[0].last_error


def test_a_rolled_back_comment_sends_nothing(app, receiver, webhook, make_comment):
    from engage.articles import get_or_create_article
    from engage.comments.models import Comment
    from engage.notifications.events import comment_event

    webhook()
    article = get_or_create_article(db.session, "/news/rollback", "default")
    comment = Comment(article_id=article.id, site_id="default", status=CommentStatus.APPROVED,
                      author_name="Ada", author_email="a@example.org", body="x", body_html="x")
    db.session.add(comment)
    db.session.flush()
    comment_event(db.session, "comment.created", comment)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    db.session.rollback()
    assert deliver_due(app) == 0 and receiver.requests == []
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_only_the_events_asked_for_are_sent(app, client, webhook, receiver):
    webhook(events=["comment.held"])
    post_comment(client)  # published: not asked for
    assert deliver_due(app) == 0 and _messages() == []


def test_a_decision_sends_its_event(app, client, webhook, receiver, auth_headers, make_comment):
    webhook(events=["comment.approved", "comment.spam"])
    comment = make_comment()
    other = make_comment()
    answer = client.post(f"/api/v1/moderation/comments/{comment.id}", headers=auth_headers,
                         json={"action": "approve"})
    assert answer.status_code == 200, answer.get_json()
    answer = client.post("/api/v1/moderation/comments/bulk", headers=auth_headers,
                         json={"action": "spam", "ids": [comment.id, other.id]})
    assert answer.status_code == 200, answer.get_json()
    deliver_due(app)
    sent = sorted((json.loads(r.body)["type"], json.loads(r.body)["comment"]["id"])
                  for r in receiver.requests)
    assert sent == sorted([("comment.approved", comment.id), ("comment.spam", comment.id),
                           ("comment.spam", other.id)])


def test_the_slack_format_posts_text(app, client, webhook, receiver):
    webhook(format="slack")
    post_comment(client, author_name="Ada <b>", body="Hello & welcome")
    deliver_due(app)
    body = json.loads(receiver.requests[0].body)
    assert list(body) == ["text"]
    assert "Ada &lt;b&gt;" in body["text"] and "Hello &amp;amp; welcome" not in body["text"]
    assert "comment.created" in body["text"]


def test_a_deleted_webhook_sends_nothing(app, client, webhook, receiver, admin_headers):
    hook = webhook()
    post_comment(client)
    assert client.delete(f"/api/v1/moderation/webhooks/{hook['id']}",
                         headers=admin_headers).status_code == 204
    deliver_due(app)
    assert receiver.requests == [] and _messages()[0].state == FAILED


def test_a_claim_whose_claimer_died_is_taken_again_after_its_lease(app, client, webhook,
                                                                   receiver):
    from engage.db import utcnow
    from engage.notifications import claims

    webhook()
    post_comment(client)
    [taken] = claims.claim(db.session, ("webhook",), utcnow(), 10, lease_seconds=0.2)
    db.session.remove()  # the claimer "crashes": it never sends nor records anything
    assert deliver_due(app) == 0  # still leased
    time.sleep(0.3)
    assert deliver_due(app) == 1
    assert receiver.deliveries() == {taken.id: 1}
    db.session.expire_all()
    assert _messages()[0].state == DELIVERED


def test_the_server_process_delivers_right_after_the_commit(app, client, webhook, receiver):
    app.config["OUTBOX_IN_SERVER"] = True  # read at each commit
    app.config["OUTBOX_POLL_SECONDS"] = 60.0  # only the commit's wake-up can be this quick
    from engage.notifications.worker import EXTENSION, Deliverer

    app.extensions[EXTENSION] = Deliverer(app)  # built with the long poll above
    webhook()
    post_comment(client)
    receiver.wait_for(1, timeout=20)
    assert len(receiver.deliveries()) == 1


def test_posts_with_the_webhook_list_cached_send_their_article(app, client, webhook, receiver):
    """With the list cached no query flushes the new comment first: the event must still
    find its article (it once answered 500 here)."""
    app.config["WEBHOOKS_CACHE_SECONDS"] = 60.0
    webhook()
    for title in ("First", "Second"):
        assert post_comment(client, article="/news/cached", article_title=title).status_code == 201
    deliver_due(app)
    bodies = [json.loads(r.body) for r in receiver.requests]
    assert [b["article"]["key"] for b in bodies] == ["/news/cached", "/news/cached"]


def test_a_reader_report_sends_comment_reported(app, client, webhook, receiver):
    webhook(events=["comment.reported"])
    published = post_comment(client).get_json()["comment"]
    answer = client.post(f"/api/v1/comments/{published['id']}/reports",
                         json={"reason": "abuse"}, headers={"User-Agent": "Mozilla/5.0 (R)"},
                         environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert answer.status_code == 201, answer.get_json()
    assert deliver_due(app) == 1
    [request] = receiver.requests
    body = json.loads(request.body)
    assert (body["type"], body["comment"]["id"]) == ("comment.reported", published["id"])


def test_old_delivered_and_failed_messages_are_deleted(app, client, webhook, receiver):
    from datetime import timedelta

    from sqlalchemy import update

    from engage.db import utcnow
    from engage.notifications.cleanup import purge

    webhook()
    receiver.plan = ["ok", 400, "ok"]
    for _ in range(3):
        post_comment(client)
    deliver_due(app)
    assert sorted(m.state for m in _messages()) == [DELIVERED, DELIVERED, FAILED]
    db.session.execute(update(OutboxMessage).values(created_at=utcnow() - timedelta(days=8)))
    db.session.commit()
    assert purge(db.session, utcnow(), 7, 30) == 2
    assert [m.state for m in _messages()] == [FAILED]
    assert purge(db.session, utcnow() + timedelta(days=30), 7, 30) == 1
