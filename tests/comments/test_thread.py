"""GET /api/v1/comments and /api/v1/counts: what the public reads."""

import pytest

from tests.factories import new_reader_key, post_comment


def read(client, query):
    return client.get(f"/api/v1/comments?{query}")


@pytest.mark.parametrize("config_overrides", [{"MODERATION_MODE": "premod"}])
def test_only_approved_comments_are_public(client, app):
    post_comment(client, body="held")
    thread = read(client, "article=/news/launch").json
    assert thread["count"] == 0 and thread["comments"] == []


def test_the_thread_is_oldest_first_with_replies_after_their_parents(client):
    first = post_comment(client, body="first").json["comment"]
    second = post_comment(client, body="second").json["comment"]
    reply = post_comment(client, body="reply", parent_id=first["id"]).json["comment"]
    thread = read(client, "article=/news/launch").json
    assert [c["id"] for c in thread["comments"]] == [first["id"], second["id"], reply["id"]]
    assert thread["comments"][2]["parent_id"] == first["id"]
    assert thread["count"] == 3 and thread["next"] is None


def test_keyset_pages_cover_the_thread_exactly_once(client):
    ids = [post_comment(client, body=f"c{i}").json["comment"]["id"] for i in range(7)]
    seen, cursor = [], None
    while True:
        page = read(client, "article=/news/launch&limit=3" + (f"&cursor={cursor}" if cursor else "")).json
        seen += [c["id"] for c in page["comments"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == ids


def test_the_article_key_is_normalized(client):
    post_comment(client, article="https://news.example/politics/vote/?utm=x#comments")
    assert read(client, "article=/politics/vote").json["count"] == 1
    assert read(client, "article=/politics/vote/").json["count"] == 1


def test_unknown_article_is_an_empty_thread(client):
    thread = read(client, "article=/never-commented").json
    assert thread == {"article": "/never-commented", "count": 0, "comments": [], "next": None,
                      "closed": False}


def test_a_closed_article_says_so_in_its_thread(client, db_session):
    from engage.articles import Article
    from engage.db import utcnow
    from sqlalchemy import select

    post_comment(client, article="/closing")
    article = db_session.scalars(select(Article).where(Article.key == "/closing")).one()
    article.closed_at = utcnow()
    db_session.commit()
    thread = read(client, "article=/closing").json
    assert thread["closed"] is True and thread["count"] == 1
    assert post_comment(client, article="/closing").status_code == 403


@pytest.mark.parametrize("config_overrides", [{"PUBLIC_URL": "https://comments.example"}])
def test_thread_reads_are_cacheable_and_revalidate_with_etag(client):
    post_comment(client)
    response = read(client, "article=/news/launch")
    assert "public" in response.headers["Cache-Control"]
    assert "max-age=" in response.headers["Cache-Control"]
    etag = response.headers["ETag"]
    again = client.get("/api/v1/comments?article=/news/launch", headers={"If-None-Match": etag})
    assert again.status_code == 304
    post_comment(client)
    changed = client.get("/api/v1/comments?article=/news/launch", headers={"If-None-Match": etag})
    assert changed.status_code == 200


@pytest.mark.parametrize("query", ["", "article=", "article=/a&limit=0", "article=/a&limit=201",
                                   "article=/a&limit=x", "article=/a&cursor=-1",
                                   "article=/a&cursor=abc", "article=" + "k" * 600])
def test_bad_thread_queries_are_422(client, query):
    response = read(client, query)
    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_error"


def test_counts_answer_for_many_articles_in_one_call(client):
    post_comment(client, article="/a")
    post_comment(client, article="/a")
    post_comment(client, article="/b")
    counts = client.get("/api/v1/counts?article=/a&article=/b&article=/c").json["counts"]
    assert counts["/a"]["comments"] == 2
    assert counts["/b"]["comments"] == 1
    assert counts["/c"] == {"comments": 0, "views": 0}


def test_counts_keep_the_keys_as_sent(client):
    post_comment(client, article="/a")
    counts = client.get("/api/v1/counts?article=/a/").json["counts"]
    assert counts == {"/a/": {"comments": 1, "views": 0}}


def test_counts_without_articles_is_422(client):
    assert client.get("/api/v1/counts").status_code == 422


def test_avatars_are_identicons_served_by_engage(client):
    comment = post_comment(client).json["comment"]
    path = comment["avatar_url"].split("localhost", 1)[1]
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.data.startswith(b"<svg")
    assert client.get("/api/v1/avatars/not-a-token.svg").status_code == 404


def test_one_readers_comments_share_an_avatar_and_others_differ(client):
    def avatar(email, key):
        return post_comment(client, author_email=email, reader_key=key).json["comment"]["avatar_url"]

    key, other_key = new_reader_key(), new_reader_key()
    a1, a2 = avatar("same@example.org", key), avatar("SAME@example.org", key)
    assert a1 == a2
    # Another browser, or another address from the same browser (a second pseudonym), differs.
    assert len({a1, avatar("same@example.org", other_key), avatar("other@example.org", key)}) == 3


def test_without_a_reader_key_every_comment_has_its_own_avatar(client):
    avatars = {post_comment(client, author_email="same@example.org").json["comment"]["avatar_url"]
               for _ in range(3)}
    assert len(avatars) == 3


def test_a_moderator_decision_changes_the_etag_and_the_cached_page(client, db_session):
    from engage.comments.models import Comment, CommentStatus

    first = post_comment(client, body="stays").json["comment"]
    second = post_comment(client, body="goes").json["comment"]
    before = read(client, "article=/news/launch")
    assert before.json["count"] == 2
    comment = db_session.get(Comment, second["id"])
    comment.status = CommentStatus.REJECTED
    db_session.commit()
    after = client.get("/api/v1/comments?article=/news/launch",
                       headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert [c["id"] for c in after.json["comments"]] == [first["id"]]
