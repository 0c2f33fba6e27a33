"""decide(): the audit trail, the learning hook, and "block this author"."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from engage.comments.models import Comment, CommentStatus
from engage.errors import NotFound, ValidationFailed
from engage.moderators.accounts import find_moderator
from engage.queue.events import ModerationEvent
from engage.moderation.settings.options import BlockKind
from engage.queue.service import Decision, decide
from engage.queue.counts import status_counts
from engage.moderation.settings.store import list_blocked

NOON = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def account(db_session, moderator):
    return find_moderator(db_session, moderator.name)


def test_each_change_appends_an_event_with_who_when_from_to_and_note(db_session, account,
                                                                     make_comment):
    comment = make_comment()
    decide(db_session, [comment.id], "spam", account, note="casino links", now=NOON)
    decide(db_session, [comment.id], Decision.APPROVE, account, now=NOON.replace(hour=13))
    events = db_session.scalars(select(ModerationEvent).order_by(ModerationEvent.id)).all()
    assert [(e.moderator, e.from_status, e.to_status, e.note, e.created_at) for e in events] == [
        ("alice", "pending", "spam", "casino links", NOON),
        ("alice", "spam", "approved", None, NOON.replace(hour=13)),
    ]
    db_session.refresh(comment)
    assert (comment.status, comment.decided_by, comment.decided_at) == (
        CommentStatus.APPROVED, "alice", NOON.replace(hour=13))


def test_the_learning_hook_sees_changes_and_confirmations_but_only_changes_are_events(
        db_session, account, make_comment):
    calls = []
    learn = lambda session, comment, previous, new: calls.append((comment.id, previous, new))
    first, second = make_comment(), make_comment(status=CommentStatus.SPAM)
    decide(db_session, [first.id, second.id], "spam", account, learn=learn)
    # Confirming spam as spam is still a judgement the filter learns from ...
    assert calls == [(first.id, CommentStatus.PENDING, CommentStatus.SPAM),
                     (second.id, CommentStatus.SPAM, CommentStatus.SPAM)]
    # ... but only the real change is an audit event.
    events = db_session.scalars(select(ModerationEvent)).all()
    assert [(e.comment_id, e.from_status, e.to_status) for e in events] == [
        (first.id, "pending", "spam")]


def test_unknown_ids_and_actions_change_nothing(db_session, account, make_comment):
    comment = make_comment()
    with pytest.raises(NotFound):
        decide(db_session, [comment.id, 12345], "approve", account)
    db_session.rollback()
    with pytest.raises(ValidationFailed):
        decide(db_session, [comment.id], "obliterate", account)
    db_session.refresh(comment)
    assert comment.status is CommentStatus.PENDING
    assert db_session.scalar(select(func.count()).select_from(ModerationEvent)) == 0


def test_counts_follow_every_write(db_session, account, make_comment):
    comments = [make_comment() for _ in range(5)] + [make_comment(status=CommentStatus.APPROVED)]
    decide(db_session, [c.id for c in comments[:3]], "spam", account)
    decide(db_session, [comments[0].id], "reject", account)
    db_session.delete(comments[4])
    db_session.commit()
    expected = {status.value: 0 for status in CommentStatus}
    for status, n in db_session.execute(select(Comment.status, func.count()).group_by(Comment.status)):
        expected[status.value] = n
    assert status_counts(db_session) == expected == {
        "approved": 1, "pending": 1, "spam": 2, "rejected": 1}


@pytest.mark.parametrize("kind, author, hits, misses", [
    ("email", {"author_email": "spammer@bad.example"},
     [{"author_email": "spammer@bad.example", "ip_prefix": "192.0.2.0/24"}],
     [{"author_email": "friend@bad.example"}]),
    ("domain", {"author_email": "one@bad.example"},
     [{"author_email": "two@bad.example"}, {"author_email": "three@mail.bad.example"}],
     [{"author_email": "one@notbad.example"}, {"author_email": "bad.example@good.example"}]),
    ("ip", {"ip_prefix": "203.0.113.0/24"},
     [{"ip_prefix": "203.0.113.0/24", "author_email": "other@else.example"}],
     [{"ip_prefix": "203.0.114.0/24"}]),
])
def test_block_author_blocks_and_marks_their_comments_spam(client, auth_headers, db_session,
                                                           make_comment, kind, author, hits,
                                                           misses):
    target = make_comment(**author)
    hit_ids = [make_comment(status=CommentStatus.APPROVED, **fields).id for fields in hits]
    miss_ids = [make_comment(**fields).id for fields in misses]
    response = client.post(f"/api/v1/moderation/comments/{target.id}/block",
                           headers=auth_headers, json={"kind": kind})
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()
    assert data["marked"] == 1 + len(hit_ids)
    blocked = list_blocked(db_session, BlockKind(kind))
    assert [entry.value for entry in blocked] == [data["blocked"]["value"]]
    db_session.expire_all()
    statuses = {c.id: c.status for c in db_session.scalars(select(Comment))}
    assert all(statuses[i] is CommentStatus.SPAM for i in [target.id, *hit_ids])
    assert all(statuses[i] is not CommentStatus.SPAM for i in miss_ids)
    note = db_session.scalars(select(ModerationEvent.note).where(
        ModerationEvent.comment_id == target.id)).one()
    assert note.startswith("blocked ")


def test_blocked_authors_new_comments_are_spam(client, auth_headers, make_comment):
    target = make_comment(author_email="spammer@bad.example")
    client.post(f"/api/v1/moderation/comments/{target.id}/block", headers=auth_headers,
                json={"kind": "email"})
    response = client.post("/api/v1/comments", json={
        "article": "/news/launch", "author_name": "Spammer", "author_email": "spammer@bad.example",
        "body": "Another great offer for you"})
    assert response.status_code == 202
    listing = client.get("/api/v1/moderation/comments?status=spam", headers=auth_headers)
    assert any(c["body"] == "Another great offer for you" for c in listing.get_json()["comments"])


def test_blocking_twice_reuses_the_entry(client, auth_headers, db_session, make_comment):
    first = make_comment(author_email="x@bad.example")
    second = make_comment(author_email="x@bad.example")
    for comment in (first, second):
        response = client.post(f"/api/v1/moderation/comments/{comment.id}/block",
                               headers=auth_headers, json={"kind": "email"})
        assert response.status_code == 200
    assert len(list_blocked(db_session, BlockKind.EMAIL)) == 1


@pytest.mark.parametrize("body, status", [({"kind": "word"}, 422), ({"kind": "host"}, 422),
                                          ({}, 422)])
def test_block_needs_a_supported_kind(client, auth_headers, make_comment, body, status):
    comment = make_comment()
    response = client.post(f"/api/v1/moderation/comments/{comment.id}/block",
                           headers=auth_headers, json=body)
    assert response.status_code == status


def test_blocking_an_ip_that_was_never_recorded_is_422(client, auth_headers, make_comment):
    comment = make_comment(ip_prefix=None)
    response = client.post(f"/api/v1/moderation/comments/{comment.id}/block",
                           headers=auth_headers, json={"kind": "ip"})
    assert response.status_code == 422


def test_block_unknown_comment_is_404(client, auth_headers):
    response = client.post("/api/v1/moderation/comments/999/block", headers=auth_headers,
                           json={"kind": "email"})
    assert response.status_code == 404


def test_simultaneous_identical_decisions_log_one_event(app, db_session, moderator,
                                                        make_comment):
    """Two moderators press "spam" on the same comment at the same moment."""
    import threading

    from engage.db import db

    comment_id = make_comment().id
    barrier, errors = threading.Barrier(2), []

    def press():
        with app.app_context():
            session = db.session
            try:
                account = find_moderator(session, moderator.name)
                session.get(Comment, comment_id)  # both have read "pending" before deciding
                barrier.wait(timeout=10)
                decide(session, [comment_id], "spam", account)
            except Exception as error:  # collected: the assertion below names it
                errors.append(error)
            finally:
                session.remove()

    threads = [threading.Thread(target=press) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    events = db_session.scalars(select(ModerationEvent)).all()
    assert [(e.from_status, e.to_status) for e in events] == [("pending", "spam")]
