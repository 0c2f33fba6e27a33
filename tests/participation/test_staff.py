"""Staff replies from the queue: published at once past every rule, threaded under the comment
they answer, shown with the staff badge and the moderator's name, audited; and refused off the
moderator's sites, for a comment that is not published, or without the session's CSRF token."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engage.comments.models import Comment, CommentStatus
from engage.queue.events import ModerationEvent
from tests.factories import post_comment

ARTICLE = "/news/staffed"
# Pre-moderation holds every reader's comment, and two links hold one anyway: a staff reply
# must be published past both.
LINKY = "See https://example.org/a and https://example.net/b for the details."


@pytest.fixture
def config_overrides():
    return {"MODERATION_MODE": "premod", "MODERATION_LINKS_HOLD": 2, "STAFF_BADGE": "Newsroom"}


@pytest.fixture
def published(make_comment):
    return make_comment(article=ARTICLE, status=CommentStatus.APPROVED, body="Who checked this?")


def reply(client, comment_id, body=LINKY, **kwargs):
    kwargs.setdefault("headers", {})
    return client.post(f"/api/v1/moderation/comments/{comment_id}/reply", json={"body": body},
                       **kwargs)


def thread(client, **params):
    query = "&".join(f"{k}={v}" for k, v in {"article": ARTICLE, **params}.items())
    return client.get(f"/api/v1/comments?{query}").json["comments"]


def test_a_staff_reply_is_published_at_once_with_the_badge_under_its_comment(
        client, auth_headers, moderator, published):
    assert thread(client)[0]["staff"] is None  # a reader's comment: no badge
    held = post_comment(client, article=ARTICLE, body=LINKY)
    assert held.status_code == 202  # the rules hold this text from a reader...
    answer = reply(client, published.id, headers=auth_headers)
    assert answer.status_code == 201, answer.json
    staff = answer.json["comment"]
    assert staff["staff"] == "Newsroom" and staff["author_name"] == moderator.name
    assert staff["parent_id"] == published.id and staff["pinned"] is False
    assert answer.json["item"]["status"] == "approved"  # ...and publishes it from staff
    assert answer.json["item"]["reasons"] == [] and answer.json["item"]["staff"] is True
    for sort in ("oldest", "newest", "best"):
        shown = thread(client, sort=sort)
        assert [c["id"] for c in shown] == [published.id, staff["id"]], sort
        assert shown[1]["staff"] == "Newsroom" and shown[1]["parent_id"] == published.id


def test_the_cached_thread_page_shows_the_reply_and_the_audit_log_names_its_author(
        client, db_session, auth_headers, moderator, published):
    before = client.get(f"/api/v1/comments?article={ARTICLE}")
    staff_id = reply(client, published.id, body="We did.", headers=auth_headers).json["comment"]["id"]
    after = client.get(f"/api/v1/comments?article={ARTICLE}",
                       headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and len(after.json["comments"]) == 2
    [event] = db_session.scalars(select(ModerationEvent).where(
        ModerationEvent.comment_id == staff_id)).all()
    assert (event.moderator, event.to_status, event.note) == (
        moderator.name, "approved", f"staff reply to #{published.id}")
    stored = db_session.get(Comment, staff_id)
    assert stored.author_email == "" and stored.ip_prefix is None and stored.staff is True


def test_a_reader_cannot_make_a_staff_comment(client, db_session):
    answer = post_comment(client, article=ARTICLE, staff=True, pinned=True)
    comment = db_session.get(Comment, answer.json["comment"]["id"])
    assert comment.staff is False and comment.pinned_at is None


@pytest.mark.parametrize("body,status", [({"body": ""}, 422), ({"body": "   "}, 422),
                                         ({"body": "x" * 10001}, 422), ({}, 422),
                                         ([1, 2], 422)])
def test_a_bad_body_is_a_422(client, auth_headers, published, body, status):
    answer = client.post(f"/api/v1/moderation/comments/{published.id}/reply", json=body,
                         headers=auth_headers)
    assert answer.status_code == status
    assert answer.json["error"]["code"] == "validation_error"


def test_only_a_published_comment_can_be_answered(client, auth_headers, make_comment):
    held = make_comment(article=ARTICLE, status=CommentStatus.PENDING)
    answer = reply(client, held.id, headers=auth_headers)
    assert answer.status_code == 422
    assert "Publish the comment" in answer.json["error"]["message"]
    for missing in (999999, 2**31, 2**40):
        assert reply(client, missing, headers=auth_headers).status_code == 404


def test_no_credentials_no_csrf_or_another_site_is_refused(client, app, db_session, published,
                                                           logged_in, blog_moderator_headers):
    assert reply(app.test_client(), published.id).status_code == 401
    no_csrf = reply(logged_in, published.id)
    assert no_csrf.status_code == 403 and no_csrf.json["error"]["code"] == "csrf_failed"
    assert reply(logged_in, published.id, headers={"X-CSRF-Token": logged_in.csrf}).status_code == 201
    refused = reply(client, published.id, headers=blog_moderator_headers)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "forbidden_site"
    assert db_session.scalar(select(Comment.id).where(Comment.author_name == "blogger")) is None


def test_the_queue_page_form_publishes_a_reply(logged_in, db_session, published):
    answer = logged_in.post("/moderate/reply", data={
        "csrf_token": logged_in.csrf, "view": "status=approved", "reply": str(published.id),
        f"reply-{published.id}": "Thanks, fixed."})
    assert answer.status_code == 302 and "done=reply" in answer.headers["Location"]
    staff = db_session.scalar(select(Comment).where(Comment.parent_id == published.id))
    assert staff.staff and staff.body == "Thanks, fixed."
    card = logged_in.get("/moderate?status=approved").get_data(as_text=True)
    own = card[card.index(f'id="c{staff.id}"'):card.index(f'id="c{published.id}"')]
    assert "badge staff" in own and "Block author" not in own and "Suspend author" not in own
    assert logged_in.post("/moderate/reply", data={
        "reply": str(published.id), f"reply-{published.id}": "No token."}).status_code == 403
    empty = logged_in.post("/moderate/reply", data={
        "csrf_token": logged_in.csrf, "reply": str(published.id)})
    assert empty.status_code == 422
