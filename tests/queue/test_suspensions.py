"""Suspensions: bans that expire. A suspended author's new comments are spam (as a blocked
author's) or, in shadow mode, held silently; the author's answer is that of any held comment;
suspensions end by themselves at their time, are listed with who set them and why, and lift."""

from __future__ import annotations

from datetime import timedelta

import pytest
from engage.comments import service
from engage.comments.models import Comment, CommentStatus
from engage.db import utcnow
from engage.moderators.accounts import find_moderator
from engage.queue import suspensions
from engage.queue.suspension_models import SuspensionKind
from tests.factories import comment_payload, post_comment

EMAIL = "troll@example.org"
URL = "/api/v1/moderation/suspensions"


def suspend(client, headers, **fields):
    body = {"kind": "email", "value": EMAIL, "hours": 24, "reason": "insults", **fields}
    return client.post(URL, json=body, headers=headers)


def stored(db_session, answer):
    db_session.expire_all()
    return db_session.get(Comment, answer.json["comment"]["id"])


def test_a_suspended_email_posts_spam_with_the_answer_of_a_held_comment(client, db_session,
                                                                        auth_headers, moderator):
    made = suspend(client, auth_headers)
    assert made.status_code == 201, made.json
    assert made.json["suspension"]["created_by"] == moderator.name
    answer = post_comment(client, author_email="Troll@Example.org")
    ordinary_hold = post_comment(client, body="BUY NOW http://a.example http://b.example "
                                               "http://c.example")
    assert answer.status_code == ordinary_hold.status_code == 202
    assert set(answer.json) == set(ordinary_hold.json)
    assert answer.json["status"] == "pending" and "suspen" not in answer.get_data(as_text=True)
    comment = stored(db_session, answer)
    assert comment.status is CommentStatus.SPAM
    assert comment.reasons[0]["rule"] == "suspension"
    assert comment.reasons[0]["evidence"]["why"] == "insults"
    assert post_comment(client, author_email="someone.else@example.org").status_code == 201


def test_a_shadow_suspension_holds_silently_and_moderators_see_why(client, db_session,
                                                                   auth_headers):
    suspend(client, auth_headers, shadow=True, reason="keeps derailing")
    answer = post_comment(client, author_email=EMAIL)
    assert answer.status_code == 202 and answer.json["status"] == "pending"
    assert stored(db_session, answer).status is CommentStatus.PENDING
    queue = client.get("/api/v1/moderation/comments?status=pending", headers=auth_headers).json
    [item] = queue["comments"]
    assert item["reasons"][0]["rule"] == "suspension"
    assert "shadow-suspended" in item["reasons"][0]["reason"]
    # the public sees nothing of it
    thread = client.get("/api/v1/comments?article=/news/launch").get_data(as_text=True)
    assert "suspen" not in thread and EMAIL not in thread


def test_a_network_suspension_catches_the_anonymised_prefix_and_one_address(client, db_session,
                                                                            auth_headers):
    made = suspend(client, auth_headers, kind="network", value="203.0.113.99")
    assert made.json["suspension"]["value"] == "203.0.113.99/32"
    suspend(client, auth_headers, kind="network", value="2001:db8::/32")
    for ip, status in (("203.0.113.7", CommentStatus.SPAM), ("198.51.100.7", CommentStatus.APPROVED),
                       ("2001:db8::1", CommentStatus.SPAM)):
        answer = client.post("/api/v1/comments", json=comment_payload(),
                             environ_base={"REMOTE_ADDR": ip})
        assert stored(db_session, answer).status is status, ip


def test_a_suspension_ends_by_itself_at_its_time(app, db_session, moderator):
    """Injected time: the same submit a moment before and after ``until``."""
    account = find_moderator(db_session, moderator.name)
    now = utcnow()
    request = suspensions.parse_request(
        {"kind": "email", "value": EMAIL, "hours": 2, "reason": "cool off"}, 8760)
    suspensions.suspend(db_session, request, account, now)
    client_info = service.ClientInfo("198.51.100.0/24", "Mozilla/5.0")
    config = app.config

    def submit(at):
        data = {"article": "/news/later", "author_name": "T", "author_email": EMAIL,
                "body": f"posted at {at.isoformat()}"}
        return service.submit(db_session, data, client_info, at, config).status

    assert submit(now + timedelta(hours=1, minutes=59)) is CommentStatus.SPAM
    assert [s.value for s in suspensions.active(db_session, now + timedelta(hours=1))] == [EMAIL]
    assert submit(now + timedelta(hours=2)) is CommentStatus.APPROVED
    assert suspensions.active(db_session, now + timedelta(hours=2)) == []
    assert suspensions.suspension_for(db_session, EMAIL, None, now + timedelta(hours=3)) is None


def test_listing_and_lifting(client, auth_headers, moderator):
    first = suspend(client, auth_headers).json["suspension"]
    other = suspend(client, auth_headers, kind="network", value="192.0.2.0/24",
                    reason="bot farm", hours=8760, shadow=True).json["suspension"]
    listed = client.get(URL, headers=auth_headers).json["suspensions"]
    assert [s["id"] for s in listed] == [other["id"], first["id"]]
    assert listed[0]["reason"] == "bot farm" and listed[0]["created_by"] == moderator.name
    assert listed[0]["shadow"] is True and listed[0]["until"] > listed[1]["until"]
    lifted = client.delete(f"{URL}/{first['id']}", headers=auth_headers)
    assert lifted.status_code == 200 and lifted.json["suspension"]["lifted_by"] == moderator.name
    assert client.delete(f"{URL}/{first['id']}", headers=auth_headers).status_code == 404
    assert client.delete(f"{URL}/99999999999", headers=auth_headers).status_code == 404
    assert post_comment(client, author_email=EMAIL).status_code == 201
    assert [s["id"] for s in client.get(URL, headers=auth_headers).json["suspensions"]] == [
        other["id"]]


def test_suspending_again_replaces_the_active_suspension(client, auth_headers):
    suspend(client, auth_headers, hours=1)
    again = suspend(client, auth_headers, hours=48, reason="again").json["suspension"]
    assert [s["id"] for s in client.get(URL, headers=auth_headers).json["suspensions"]] == [
        again["id"]]


@pytest.mark.parametrize("fields,bad", [
    ({"kind": "domain"}, "kind"), ({"value": "not an address"}, "value"),
    ({"kind": "network", "value": "300.1.2.3"}, "value"), ({"value": 7}, "value"),
    ({"value": "a" * 250 + "@example.org"}, "value"),
    ({"hours": 0}, "hours"), ({"hours": 8761}, "hours"), ({"hours": 1.5}, "hours"),
    ({"hours": True}, "hours"), ({"hours": "24"}, "hours"), ({"shadow": "yes"}, "shadow"),
    ({"reason": ""}, "reason"), ({"reason": "  "}, "reason"), ({"reason": "x" * 501}, "reason"),
])
def test_bad_fields_are_422_naming_the_field(client, auth_headers, fields, bad):
    answer = suspend(client, auth_headers, **fields)
    assert answer.status_code == 422
    assert bad in answer.json["error"]["fields"]


def test_malformed_requests_and_other_roles(client, auth_headers, blog_moderator_headers):
    assert client.post(URL, data="{", headers={**auth_headers,
                                               "Content-Type": "application/json"}).status_code == 400
    assert client.post(URL, json=[1], headers=auth_headers).status_code == 422
    assert client.get(URL).status_code == 401
    headers = blog_moderator_headers
    for answer in (suspend(client, headers), client.get(URL, headers=headers),
                   client.delete(f"{URL}/1", headers=headers)):
        assert answer.status_code == 403 and answer.json["error"]["code"] == "forbidden_site"


def test_the_queue_page_suspends_from_a_card_and_lifts(logged_in, db_session, make_comment):
    comment = make_comment(author_email=EMAIL, ip_prefix="198.51.100.0/24")
    page = logged_in.get("/moderate").get_data(as_text=True)
    assert f'name="suspend-hours-{comment.id}"' in page and "Active suspensions" not in page
    answer = logged_in.post("/moderate/suspensions", data={
        "csrf_token": logged_in.csrf, "view": "status=pending", "suspend": f"{comment.id}:network",
        f"suspend-hours-{comment.id}": "168", f"suspend-shadow-{comment.id}": "1",
        f"suspend-reason-{comment.id}": "flooding"})
    assert answer.status_code == 302 and "done=suspended" in answer.headers["Location"]
    page = logged_in.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Suspended network 198.51.100.0/24 for 168 h." in page
    assert "Active suspensions (1)" in page and "flooding" in page
    [active] = suspensions.active(db_session, utcnow())
    assert active.kind is SuspensionKind.NETWORK and active.shadow
    assert logged_in.post("/moderate/suspensions", data={
        "csrf_token": logged_in.csrf, "suspend": f"{comment.id}:email",
        f"suspend-hours-{comment.id}": "24"}).status_code == 422  # no reason
    assert logged_in.post("/moderate/suspensions", data={
        "suspend": f"{comment.id}:email"}).status_code == 403  # no CSRF token
    lifted = logged_in.post("/moderate/suspensions/lift", data={
        "csrf_token": logged_in.csrf, "lift": str(active.id)})
    assert lifted.status_code == 302
    assert suspensions.active(db_session, utcnow()) == []
    assert logged_in.post("/moderate/suspensions/lift", data={
        "csrf_token": logged_in.csrf, "lift": str(active.id)}).status_code == 404
    db_session.expire_all()  # the comment itself is untouched by suspending its author
    assert db_session.get(Comment, comment.id).status is CommentStatus.PENDING
