"""POST /api/v1/comments: what is accepted, how it is stored, and how bad input is refused."""

import json

import pytest
from sqlalchemy import func, select

from engage.comments.models import Comment, CommentStatus
from tests.factories import comment_payload, post_comment


def stored_comments(db_session):
    return list(db_session.scalars(select(Comment).order_by(Comment.id)))


def test_a_clean_comment_is_published_with_201(client, db_session):
    response = post_comment(client, body="Hello *world*", author_url="https://ada.example")
    assert response.status_code == 201
    assert response.json["status"] == "approved"
    comment = response.json["comment"]
    assert comment["body_html"] == "<p>Hello <em>world</em></p>"
    assert comment["author_url"] == "https://ada.example"
    assert set(comment) == {"id", "parent_id", "author_name", "author_url", "avatar_url",
                            "body_html", "created_at", "score", "up", "down", "edited",
                            "deleted", "pinned", "staff"}
    assert (comment["score"], comment["edited"], comment["deleted"]) == (0, False, False)
    assert (comment["pinned"], comment["staff"]) == (False, None)
    [stored] = stored_comments(db_session)
    assert stored.status is CommentStatus.APPROVED
    assert stored.author_email == "ada.reader@example.org"
    assert stored.body == "Hello *world*"


def test_the_ip_is_stored_only_as_its_network(client, db_session):
    client.post("/api/v1/comments", json=comment_payload(),
                environ_base={"REMOTE_ADDR": "203.0.113.77"})
    client.post("/api/v1/comments", json=comment_payload(),
                environ_base={"REMOTE_ADDR": "2001:db8:1234:5678::1"})
    assert [c.ip_prefix for c in stored_comments(db_session)] == [
        "203.0.113.0/24", "2001:db8:1234::/48"]


@pytest.mark.parametrize("config_overrides", [{"TRUSTED_PROXIES": ("10.0.0.1",)}])
def test_forwarded_for_is_believed_only_from_a_trusted_proxy(client, db_session):
    headers = {"X-Forwarded-For": "198.51.100.9"}
    client.post("/api/v1/comments", json=comment_payload(), headers=headers,
                environ_base={"REMOTE_ADDR": "10.0.0.1"})
    client.post("/api/v1/comments", json=comment_payload(), headers=headers,
                environ_base={"REMOTE_ADDR": "192.0.2.50"})
    assert [c.ip_prefix for c in stored_comments(db_session)] == [
        "198.51.100.0/24", "192.0.2.0/24"]


@pytest.mark.parametrize("config_overrides", [{"MODERATION_MODE": "premod"}])
def test_premod_holds_every_comment_with_202(client, db_session):
    response = post_comment(client)
    assert response.status_code == 202
    assert response.json["status"] == "pending"
    assert stored_comments(db_session)[0].status is CommentStatus.PENDING
    assert client.get("/api/v1/comments?article=/news/launch").json["count"] == 0


def test_raw_html_is_shown_as_text_and_links_are_nofollow(client):
    body = ('<img src=x onerror=alert(1)> <script>alert(2)</script> '
            '[click](javascript:alert(3)) [site](https://example.com/x)')
    html = post_comment(client, body=body).json["comment"]["body_html"]
    assert "<img" not in html and "<script" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="javascript' not in html.lower()
    assert '<a href="https://example.com/x" rel="nofollow ugc noopener">site</a>' in html


def test_markdown_subset_renders_quotes_lists_and_code(client):
    html = post_comment(client, body="> quoted\n\n- one\n- two\n\n`code`").json["comment"]["body_html"]
    assert "<blockquote>" in html and "<ul>" in html and "<code>code</code>" in html


def test_a_reply_to_an_approved_comment_of_the_same_article(client):
    parent = post_comment(client).json["comment"]
    reply = post_comment(client, parent_id=parent["id"])
    assert reply.status_code == 201
    assert reply.json["comment"]["parent_id"] == parent["id"]


def test_a_reply_must_point_at_a_comment_of_the_same_article(client):
    parent = post_comment(client, article="/one").json["comment"]
    response = post_comment(client, article="/two", parent_id=parent["id"])
    assert response.status_code == 422
    assert "parent_id" in response.json["error"]["fields"]


def test_a_reply_to_an_unknown_comment_is_422(client):
    response = post_comment(client, parent_id=999999)
    assert response.status_code == 422
    assert "parent_id" in response.json["error"]["fields"]


@pytest.mark.parametrize("config_overrides", [{"MODERATION_MODE": "premod"}])
def test_a_reply_to_a_held_comment_is_refused(client):
    held = post_comment(client).json["comment"]
    assert post_comment(client, parent_id=held["id"]).status_code == 422


@pytest.mark.parametrize("field, value", [
    ("author_email", "not-an-email"),
    ("author_email", "a" * 250 + "@example.org"),
    ("author_email", ...),
    ("author_name", ""),
    ("author_name", "n" * 101),
    ("author_name", ...),
    ("author_url", "javascript:alert(1)"),
    ("author_url", "ftp://example.org/"),
    ("author_url", "https://example.org/" + "p" * 200),
    ("body", ""),
    ("body", "   \n  "),
    ("body", "x" * 10_001),
    ("body", ...),
    ("article", ""),
    ("article", "/" + "k" * 512),
    ("article", ...),
    ("parent_id", "12"),
    ("parent_id", True),
    ("parent_id", 2**31),
    ("author_name", 42),
    ("author_name", "nul\x00byte"),
    ("author_url", "http://[broken/"),
])
def test_each_invalid_field_gets_a_422_naming_it(client, db_session, field, value):
    response = post_comment(client, **{field: value})
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"] and error["fields"][field]
    assert db_session.scalar(select(func.count()).select_from(Comment)) == 0


def test_text_that_no_database_can_store_is_422(client):
    # A lone UTF-16 surrogate is valid JSON but not valid Unicode text.
    raw = json.dumps(comment_payload(body="lone \ud800 surrogate"))
    response = client.post("/api/v1/comments", data=raw, content_type="application/json")
    assert response.status_code == 422
    assert "body" in response.json["error"]["fields"]


def test_limits_are_inclusive(client):
    long_body = " ".join(f"word{i}" for i in range(2000))[:10_000]
    assert len(long_body) == 10_000
    response = post_comment(client, author_name="n" * 100, body=long_body,
                            author_url="https://e.org/" + "p" * 186)
    assert response.status_code in (201, 202), response.json


def test_a_form_post_is_415(client):
    response = client.post("/api/v1/comments", data=comment_payload())
    assert response.status_code == 415
    assert response.json["error"]["code"] == "unsupported_media_type"


def test_text_plain_is_415_even_when_it_holds_json(client):
    response = client.post("/api/v1/comments", data='{"article": "/a"}',
                           content_type="text/plain")
    assert response.status_code == 415


def test_malformed_json_is_400(client):
    response = client.post("/api/v1/comments", data="{nope",
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "malformed_json"


@pytest.mark.parametrize("body", ["[]", '"text"', "17", "null"])
def test_json_that_is_not_an_object_is_422(client, body):
    response = client.post("/api/v1/comments", data=body, content_type="application/json")
    assert response.status_code == 422


def test_a_body_over_the_limit_is_413(client):
    huge = comment_payload(body="x" * 70_000)
    response = client.post("/api/v1/comments", json=huge)
    assert response.status_code == 413
    assert response.json["error"]["code"] == "payload_too_large"


def test_unknown_api_paths_and_methods_answer_json(client):
    assert client.get("/api/v1/nothing-here").json["error"]["code"] == "not_found"
    response = client.delete("/api/v1/comments")
    assert response.status_code == 405
    assert response.json["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize("config_overrides", [{"FLOOD_SECONDS": 60}])
def test_a_refused_post_leaves_no_write_open_behind_it(client, app):
    """The 429 comes after the flood claim's statement: the refusal must end that transaction
    at once, not at teardown, or every other writer waits (SQLite's write lock, PostgreSQL's
    lock on the claimed row) for as long as the request's session lives."""
    import sqlite3

    from engage.db import db
    from sqlalchemy import text

    assert post_comment(client).status_code == 201
    assert post_comment(client).status_code == 429
    if db.engine.dialect.name == "sqlite":
        other = sqlite3.connect(db.engine.url.database, timeout=0)
        other.execute("BEGIN IMMEDIATE")  # "database is locked" while a write is open
        other.rollback()
        other.close()
        return
    with db.engine.connect() as other:
        other.exec_driver_sql("SET lock_timeout = '200ms'")
        other.execute(text("UPDATE moderation_flood SET last_at = last_at"))
        other.commit()
