"""The moderation settings and blocklist API, and what they do to comments posted through
the public API: every status, every refusal (403/409/429), and spam that looks like held."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engage.articles import get_or_create_article
from engage.comments.models import Comment, CommentStatus
from engage.db import db, utcnow
from tests.factories import comment_payload, new_reader_key, post_comment

SETTINGS = "/api/v1/moderation/settings"
BLOCKLIST = "/api/v1/moderation/blocklist"


@pytest.fixture
def configure(client, auth_headers):
    """PATCH the moderation settings through the API (as a moderator would)."""
    def patch(**changes):
        response = client.patch(SETTINGS, json=changes, headers=auth_headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()["settings"]
    return patch


@pytest.fixture
def block(client, auth_headers):
    def add(kind, value):
        response = client.post(BLOCKLIST, json={"kind": kind, "value": value},
                               headers=auth_headers)
        assert response.status_code in (200, 201), response.get_json()
        return response.get_json()["entry"]
    return add


def stored(response) -> Comment:
    return db.session.get(Comment, response.get_json()["comment"]["id"])


def comment_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Comment))


def form_token(client, article="/news/launch") -> str:
    return client.get(f"/api/v1/form-token?article={article}").get_json()["form_token"]


# ------------------------------------------------------------------------ settings API


def test_settings_need_a_moderator(client):
    assert client.get(SETTINGS).status_code == 401
    assert client.patch(SETTINGS, json={"links_hold": 3}).status_code == 401
    assert client.get(BLOCKLIST).status_code == 401
    assert client.post(BLOCKLIST, json={"kind": "word", "value": "x"}).status_code == 401


def test_get_settings_shows_effective_values_and_defaults(client, auth_headers):
    body = client.get(SETTINGS, headers=auth_headers).get_json()
    assert body["settings"]["mode"] == "auto"
    assert body["settings"]["links_hold"] == 2 and body["settings"]["links_spam"] == 6
    assert body["settings"]["profanity"] == "hold"
    assert body["defaults"] == body["settings"]


def test_patch_changes_only_the_given_fields_and_null_resets(client, configure):
    assert configure(links_hold=3, moderation_words=["Idiot", " idiot "])["links_hold"] == 3
    after = configure(mode="premod")
    assert after["links_hold"] == 3 and after["mode"] == "premod"
    assert after["moderation_words"] == ["idiot"]
    assert configure(links_hold=None)["links_hold"] == 2


@pytest.mark.parametrize("patch,field", [
    ({"mode": "sometimes"}, "mode"),
    ({"links_hold": "two"}, "links_hold"),
    ({"links_hold": -1}, "links_hold"),
    ({"links_hold": 4, "links_spam": 3}, "links_spam"),
    ({"shouting_ratio": 1.5}, "shouting_ratio"),
    ({"profanity": "maybe"}, "profanity"),
    ({"moderation_words": "idiot"}, "moderation_words"),
    ({"link_shorteners": ["not a host"]}, "link_shorteners"),
    ({"colour": "blue"}, "colour"),
])
def test_invalid_settings_are_a_422_naming_the_field(client, auth_headers, patch, field):
    response = client.patch(SETTINGS, json=patch, headers=auth_headers)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and field in error["fields"]


def test_settings_patch_must_be_json(client, auth_headers):
    response = client.patch(SETTINGS, data="links_hold=3", headers=auth_headers,
                            content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


# ------------------------------------------------------------------------ blocklist API


def test_blocklist_add_list_and_delete(client, auth_headers):
    created = client.post(BLOCKLIST, json={"kind": "email", "value": " Spam@Example.COM "},
                          headers=auth_headers)
    assert created.status_code == 201
    entry = created.get_json()["entry"]
    assert entry["kind"] == "email" and entry["value"] == "spam@example.com"
    assert entry["created_by"] == "alice"
    again = client.post(BLOCKLIST, json={"kind": "email", "value": "spam@example.com"},
                        headers=auth_headers)
    assert again.status_code == 200 and again.get_json()["entry"]["id"] == entry["id"]
    client.post(BLOCKLIST, json={"kind": "ip", "value": "198.51.100.7"}, headers=auth_headers)

    listed = client.get(BLOCKLIST, headers=auth_headers).get_json()["entries"]
    assert [(e["kind"], e["value"]) for e in listed] == [("email", "spam@example.com"),
                                                         ("ip", "198.51.100.7/32")]
    only_ip = client.get(BLOCKLIST + "?kind=ip", headers=auth_headers).get_json()["entries"]
    assert [e["kind"] for e in only_ip] == ["ip"]

    assert client.delete(f"{BLOCKLIST}/{entry['id']}", headers=auth_headers).status_code == 204
    assert client.delete(f"{BLOCKLIST}/{entry['id']}", headers=auth_headers).status_code == 404
    by_value = client.delete(BLOCKLIST, json={"kind": "ip", "value": "198.51.100.7"},
                             headers=auth_headers)
    assert by_value.status_code == 204
    assert client.get(BLOCKLIST, headers=auth_headers).get_json()["entries"] == []


@pytest.mark.parametrize("payload,field", [
    ({"kind": "phone", "value": "x"}, "kind"),
    ({"kind": "email", "value": "not-an-email"}, "value"),
    ({"kind": "ip", "value": "999.1.1.1"}, "value"),
    ({"kind": "domain"}, "value"),
    ({"kind": "word", "value": "x", "extra": 1}, "extra"),
])
def test_invalid_blocklist_entries_are_a_422(client, auth_headers, payload, field):
    response = client.post(BLOCKLIST, json=payload, headers=auth_headers)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


# ------------------------------------------------------------------------ verdicts via API


def test_a_clean_comment_is_published(client):
    response = post_comment(client)
    assert response.status_code == 201 and response.get_json()["status"] == "approved"


def test_honeypot_is_stored_as_spam_but_answered_as_pending(client):
    response = post_comment(client, phone="555-0100")
    assert response.status_code == 202 and response.get_json()["status"] == "pending"
    comment = stored(response)
    assert comment.status is CommentStatus.SPAM
    assert comment.reasons[0]["rule"] == "honeypot"


def test_blocklist_changes_apply_to_the_next_comment(client, block):
    block("email", "ada.reader@example.org")
    assert stored(post_comment(client)).status is CommentStatus.SPAM
    block("word", "casino")
    comment = stored(post_comment(client, author_email="b@example.org", body="Casino night!"))
    assert comment.status is CommentStatus.SPAM
    assert comment.reasons == [{"rule": "blocked_words", "reason": "contains blocked words",
                                "evidence": ["casino"]}]


def test_moderation_words_hold(client, configure):
    configure(moderation_words=["idiot"])
    comment = stored(post_comment(client, body="What an idiot."))
    assert comment.status is CommentStatus.PENDING
    assert comment.reasons[0]["evidence"] == ["idiot"]


def test_profanity_is_held_with_censored_evidence_or_published_censored(client, configure):
    held = stored(post_comment(client, body="What a bitch she is"))
    assert held.status is CommentStatus.PENDING
    assert held.reasons[0] == {"rule": "profanity", "reason": "contains profanity",
                               "evidence": "What a **** she is"}
    configure(profanity="censor")
    response = post_comment(client, body="Such a bastard")
    assert response.status_code == 201
    assert "bastard" not in response.get_json()["comment"]["body_html"]
    assert stored(response).body == "Such a ****"


def test_links_hold_and_spam(client):
    two = " ".join(f"https://s{i}.example/" for i in range(2))
    six = " ".join(f"https://s{i}.example/" for i in range(6))
    assert stored(post_comment(client, body="see " + two)).status is CommentStatus.PENDING
    assert stored(post_comment(client, body="see " + six)).status is CommentStatus.SPAM


def test_premod_and_first_comment_modes(client, configure):
    configure(mode="premod")
    assert stored(post_comment(client)).status is CommentStatus.PENDING
    configure(mode="first")
    key = new_reader_key()
    first = stored(post_comment(client, author_email="new@example.org", reader_key=key))
    assert first.status is CommentStatus.PENDING
    first.status = CommentStatus.APPROVED
    db.session.commit()
    assert stored(post_comment(client, author_email="new@example.org", reader_key=key)).status \
        is CommentStatus.APPROVED
    # The same email without that browser's key is a first comment again.
    assert stored(post_comment(client, author_email="new@example.org")).status \
        is CommentStatus.PENDING


def test_a_trusted_author_with_a_form_token_skips_hold_rules(client, make_comment):
    key = new_reader_key()
    assert post_comment(client, reader_key=key).status_code == 201
    loud = "I REALLY THINK THIS IS THE BEST ARTICLE THIS YEAR"
    with_token = post_comment(client, body=loud, form_token=form_token(client), reader_key=key)
    assert with_token.status_code == 201
    assert stored(with_token).reasons[0]["rule"] == "trusted_author"
    without = post_comment(client, body=loud + "!", reader_key=key)
    assert stored(without).status is CommentStatus.PENDING
    # An approved comment under the email proves nothing without the browser's key.
    make_comment(status=CommentStatus.APPROVED, author_email="ada.reader@example.org")
    for other in (None, new_reader_key()):
        unproven = post_comment(client, body=loud + "?", form_token=form_token(client),
                                reader_key=other)
        assert stored(unproven).status is CommentStatus.PENDING


def test_spam_and_held_answers_are_identical_apart_from_id_and_time(client):
    key = new_reader_key()  # one reader, so one avatar
    spam = post_comment(client, article="/a1", body="Same words.", phone="bot", reader_key=key)
    held = post_comment(client, article="/a2", body="Same words.", form_token="forged",
                        reader_key=key)
    assert stored(spam).status is CommentStatus.SPAM
    assert stored(held).status is CommentStatus.PENDING

    def scrub(response):
        raw = response.get_data()
        raw = re.sub(rb'"id":\s*\d+', b'"id":0', raw)
        # per comment: its time, its edit key and the key's deadline (the same length for all)
        return re.sub(rb'"(created_at|edit_key|edit_until)":\s*"[^"]*"', rb'"\1":""', raw)

    assert (spam.status_code, scrub(spam)) == (held.status_code, scrub(held))
    per_request = {"Content-Length", "X-Request-ID"}  # differ for any two responses
    headers = lambda r: sorted((k, v) for k, v in r.headers.items() if k not in per_request)
    assert headers(spam) == headers(held)


# ------------------------------------------------------------------------ refusals


def test_a_closed_article_refuses_comments_with_403(client):
    article = get_or_create_article(db.session, "/news/closed")
    article.closed_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = post_comment(client, article="/news/closed")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "comments_closed"
    assert comment_count() == 0


def test_articles_auto_close_after_the_configured_days(client, configure):
    article = get_or_create_article(db.session, "/news/old")
    article.created_at = utcnow() - timedelta(days=3)
    db.session.commit()
    assert post_comment(client, article="/news/old").status_code == 201
    configure(auto_close_days=2)
    assert post_comment(client, article="/news/old").status_code == 403
    assert post_comment(client, article="/news/new").status_code == 201


def test_the_same_text_by_the_same_reader_on_the_same_article_is_a_409(client):
    payload = comment_payload(body="Only once, please.", reader_key=new_reader_key())
    assert client.post("/api/v1/comments", json=payload).status_code == 201
    again = client.post("/api/v1/comments", json=payload,
                        environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "duplicate"
    assert comment_count() == 1
    elsewhere = client.post("/api/v1/comments", json={**payload, "article": "/other"})
    assert elsewhere.status_code == 201
    other_reader = client.post("/api/v1/comments", json={**payload,
                                                          "reader_key": new_reader_key()})
    assert other_reader.status_code == 201


def test_an_unproven_repeat_is_a_409_by_network_whatever_the_email(client):
    payload = comment_payload(body="Sent by a script, twice.")
    assert client.post("/api/v1/comments", json=payload).status_code == 201
    for email in (payload["author_email"], "someone.else@example.org"):
        again = client.post("/api/v1/comments", json={**payload, "author_email": email})
        assert again.status_code == 409
    other_network = client.post("/api/v1/comments", json=payload,
                                environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert other_network.status_code == 201
    assert comment_count() == 2


def test_a_duplicate_of_a_spam_comment_gets_the_same_409(client):
    assert post_comment(client, body="Buy now", phone="x").status_code == 202
    assert post_comment(client, body="Buy now", phone="x").status_code == 409


def test_flood_is_a_429_with_retry_after_and_stores_nothing(client, configure):
    configure(flood_seconds=15)
    key = new_reader_key()
    assert post_comment(client, reader_key=key).status_code == 201
    same_ip = post_comment(client, author_email="someone.else@example.org")
    assert same_ip.status_code == 429
    assert 1 <= int(same_ip.headers["Retry-After"]) <= 15
    assert same_ip.get_json()["error"]["code"] == "too_many_requests"
    same_browser = client.post("/api/v1/comments", json=comment_payload(reader_key=key),
                               environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert same_browser.status_code == 429
    assert comment_count() == 1
    # The email is no key of the limit: a 429 for it would say that the address just posted.
    same_email = client.post("/api/v1/comments", json=comment_payload(),
                             environ_base={"REMOTE_ADDR": "192.0.2.9"})
    assert same_email.status_code == 201


# ------------------------------------------------------------------------ form tokens


def test_form_token_route_is_never_cached_and_validates_the_article(client):
    response = client.get("/api/v1/form-token?article=https://site.example/news/launch/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert set(response.get_json()) == {"form_token"}
    assert client.get("/api/v1/form-token").status_code == 422


def test_a_token_for_a_url_works_for_its_normalised_article(client):
    token = form_token(client, "https://site.example/news/launch/")
    assert post_comment(client, form_token=token).status_code == 201


def test_too_fast_reused_and_forged_tokens_are_held(client, configure):
    configure(min_submit_seconds=3)
    fast = stored(post_comment(client, form_token=form_token(client)))
    assert fast.status is CommentStatus.PENDING and fast.reasons[0]["rule"] == "too_fast"

    configure(min_submit_seconds=0)
    token = form_token(client)
    assert post_comment(client, form_token=token).status_code == 201
    reused = stored(post_comment(client, form_token=token))
    assert reused.status is CommentStatus.PENDING and reused.reasons[0]["evidence"] == "reused"
    forged = stored(post_comment(client, form_token=token[:-3] + "abc"))
    assert forged.reasons[0]["evidence"] == "forged"
    other_article = stored(post_comment(client, form_token=form_token(client, "/elsewhere")))
    assert other_article.reasons[0]["evidence"] == "forged"


def test_a_refused_post_leaves_the_token_usable(client):
    payload = comment_payload(body="Twice?")
    assert client.post("/api/v1/comments", json=payload).status_code == 201
    token = form_token(client)
    assert client.post("/api/v1/comments", json={**payload, "form_token": token}).status_code \
        == 409
    assert post_comment(client, form_token=token).status_code == 201
