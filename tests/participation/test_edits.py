"""Editing and deleting one's own comment with the post's edit key."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engage.comments.models import Comment, CommentStatus
from engage.db import utcnow
from engage.participation.models import CommentEdit
from tests.factories import post_comment


@pytest.fixture
def config_overrides():
    return {"EDIT_WINDOW_SECONDS": 600}


def posted(client, **fields):
    answer = post_comment(client, **fields)
    assert answer.status_code == 201, answer.json
    return answer.json["comment"]["id"], answer.json["edit_key"]


def patch(client, comment_id, key, body, **extra):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return client.patch(f"/api/v1/comments/{comment_id}", json={"body": body, **extra},
                        headers=headers)


def delete(client, comment_id, key):
    return client.delete(f"/api/v1/comments/{comment_id}",
                         headers={"Authorization": f"Bearer {key}"})


def thread(client, article="/news/launch"):
    return client.get(f"/api/v1/comments?article={article}").json["comments"]


def test_the_post_answer_carries_a_key_that_is_stored_hashed(client, db_session):
    answer = post_comment(client)
    key, until = answer.json["edit_key"], answer.json["edit_until"]
    assert len(key) >= 40 and until > answer.json["comment"]["created_at"]
    stored = db_session.get(Comment, answer.json["comment"]["id"])
    assert stored.edit_key_hash and key not in stored.edit_key_hash
    assert key not in client.get("/api/v1/comments?article=/news/launch").get_data(as_text=True)


def test_an_edit_within_the_window_is_published_marked_edited_with_history(client,
                                                                           db_session):
    comment_id, key = posted(client, body="Teh first version.")
    answer = patch(client, comment_id, key, "The *second* version.")
    assert answer.status_code == 200
    assert answer.json["status"] == "approved"
    assert answer.json["comment"]["body_html"] == "<p>The <em>second</em> version.</p>"
    assert answer.json["comment"]["edited"] is True
    [shown] = thread(client)
    assert shown["edited"] is True and "second" in shown["body_html"]
    history = db_session.scalars(select(CommentEdit)).all()
    assert [row.body for row in history] == ["Teh first version."]


def test_moderators_see_the_edit_history(client, auth_headers):
    comment_id, key = posted(client, body="Before the edit.")
    patch(client, comment_id, key, "After the edit.")
    items = client.get("/api/v1/moderation/comments?status=approved",
                       headers=auth_headers).json["comments"]
    [item] = [item for item in items if item["id"] == comment_id]
    assert [edit["body"] for edit in item["edits"]] == ["Before the edit."]
    assert item["edited_at"] is not None


def test_an_edit_that_adds_links_goes_back_to_pending_and_leaves_the_thread(client,
                                                                            db_session):
    comment_id, key = posted(client, body="Nothing to see.")
    links = " ".join(f"https://spam{n}.example/buy" for n in range(4))
    answer = patch(client, comment_id, key, f"Cheap pills {links}")
    assert answer.status_code == 202
    assert answer.json["status"] == "pending"
    assert thread(client) == []
    stored = db_session.get(Comment, comment_id)
    db_session.refresh(stored)
    assert stored.status in (CommentStatus.PENDING, CommentStatus.SPAM)
    assert any(reason["rule"] == "edited" for reason in stored.reasons)


def test_an_edit_never_publishes_a_held_comment(client, db_session):
    answer = post_comment(client, body="Held for review.", form_token="forged")
    assert answer.status_code == 202
    comment_id, key = answer.json["comment"]["id"], answer.json["edit_key"]
    assert patch(client, comment_id, key, "Harmless now.").status_code == 202
    assert db_session.get(Comment, comment_id).status is CommentStatus.PENDING


def test_after_the_window_or_with_another_key_403(client, db_session):
    first_id, first_key = posted(client)
    second_id, second_key = posted(client)
    assert patch(client, first_id, second_key, "Hijack").status_code == 403
    assert patch(client, first_id, None, "No key").status_code == 403
    assert delete(client, first_id, second_key).status_code == 403
    stored = db_session.get(Comment, first_id)
    stored.created_at = utcnow() - timedelta(seconds=601)
    db_session.commit()
    late = patch(client, first_id, first_key, "Too late")
    assert late.status_code == 403
    assert late.json["error"]["code"] == "forbidden"
    assert delete(client, first_id, first_key).status_code == 403
    assert "Too late" not in str(thread(client))


@pytest.mark.parametrize("body", ["", "   ", "x" * 10_001, None, 5])
def test_an_empty_or_overlong_body_is_422(client, body):
    comment_id, key = posted(client)
    answer = patch(client, comment_id, key, body)
    assert answer.status_code == 422
    assert "body" in answer.json["error"]["fields"]


def test_unknown_comment_is_404(client):
    assert patch(client, 999999, "whatever", "text").status_code == 404
    assert delete(client, 999999, "whatever").status_code == 404


def test_deleting_a_comment_without_replies_removes_it(client, db_session):
    comment_id, key = posted(client)
    answer = delete(client, comment_id, key)
    assert answer.json == {"deleted": True, "kept_for_replies": False}
    assert thread(client) == []
    assert db_session.get(Comment, comment_id) is None
    assert delete(client, comment_id, key).status_code == 404


def test_deleting_a_comment_with_replies_leaves_deleted_and_keeps_the_thread(client,
                                                                             db_session):
    parent_id, key = posted(client, author_name="Ada Lovelace", body="The original point.",
                            author_url="https://ada.example")
    reply_id, _ = posted(client, parent_id=parent_id, body="A reply to it.")
    patch(client, parent_id, key, "The edited point.")
    assert delete(client, parent_id, key).json["kept_for_replies"] is True
    shown = thread(client)
    assert [c["id"] for c in shown] == [parent_id, reply_id]
    assert shown[0]["deleted"] is True and shown[0]["author_name"] == "[deleted]"
    assert shown[0]["author_url"] is None and shown[0]["body_html"] == "<p>[deleted]</p>"
    assert shown[1]["parent_id"] == parent_id
    stored = db_session.get(Comment, parent_id)
    db_session.refresh(stored)
    assert (stored.author_email, stored.ip_prefix, stored.user_agent) == ("", None, None)
    assert db_session.scalars(select(CommentEdit)).all() == []
    raw = client.get("/api/v1/comments?article=/news/launch").get_data(as_text=True)
    assert "Lovelace" not in raw and "original point" not in raw and "edited point" not in raw
    # a deleted comment takes no votes and no edits
    assert client.post(f"/api/v1/comments/{parent_id}/votes",
                       json={"value": 1}).status_code == 404
    assert patch(client, parent_id, key, "Back?").status_code == 404


def test_the_preflight_allows_patch_delete_and_the_authorization_header(client):
    answer = client.options("/api/v1/comments/1", headers={
        "Origin": "https://site.example", "Access-Control-Request-Method": "PATCH",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert answer.status_code in (200, 204)
