"""Two sites with the same article key are two articles: separate threads, counts, form
tokens and queues (views and badges: ``test_views.py``); a site's settings apply to its
articles alone."""

from __future__ import annotations

import pytest

from tests.factories import comment_payload

ABOUT = "/about"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def post(client, site=None, **fields):
    payload = comment_payload(article=ABOUT, **fields)
    if site is not None:
        payload["site"] = site
    return client.post("/api/v1/comments", json=payload)


def test_the_same_key_on_two_sites_is_two_threads(client, make_site):
    make_site("blog")
    assert post(client, body="on the newsroom").status_code == 201
    assert post(client, site="blog", body="on the blog").status_code == 201
    assert post(client, site="blog", body="again on the blog").status_code == 201
    newsroom = client.get(f"/api/v1/comments?article={ABOUT}").json
    blog = client.get(f"/api/v1/comments?site=blog&article={ABOUT}").json
    assert [c["body_html"] for c in newsroom["comments"]] == ["<p>on the newsroom</p>"]
    assert blog["count"] == 2 and newsroom["count"] == 1
    counts = client.get(f"/api/v1/counts?site=blog&article={ABOUT}").json["counts"]
    assert counts[ABOUT]["comments"] == 2
    assert client.get(f"/api/v1/counts?article={ABOUT}").json["counts"][ABOUT]["comments"] == 1


def test_a_reply_must_answer_a_comment_of_the_same_site(client, make_site):
    make_site("blog")
    parent = post(client, body="parent on default").json["comment"]["id"]
    reply = post(client, site="blog", body="reply", parent_id=parent)
    assert reply.status_code == 422 and "parent_id" in reply.json["error"]["fields"]


def test_a_form_token_of_one_site_is_forged_on_another(client, make_site):
    make_site("blog")
    token = client.get(f"/api/v1/form-token?site=blog&article={ABOUT}").json["form_token"]
    assert post(client, form_token=token, body="wrong site").json["status"] == "pending"
    other = client.get(f"/api/v1/form-token?site=blog&article={ABOUT}").json["form_token"]
    assert post(client, site="blog", form_token=other, body="right site").status_code == 201


def test_the_queue_keeps_sites_apart(client, make_site, auth_headers):
    make_site("blog")
    post(client, body="newsroom")
    post(client, site="blog", body="blog one")
    post(client, site="blog", body="blog two")
    everything = client.get("/api/v1/moderation/comments?status=all", headers=auth_headers).json
    assert {c["site"] for c in everything["comments"]} == {"default", "blog"}
    assert everything["counts"]["approved"] == 3
    blog = client.get("/api/v1/moderation/comments?status=all&site=blog",
                      headers=auth_headers).json
    assert sorted(c["body"] for c in blog["comments"]) == ["blog one", "blog two"]
    assert blog["counts"]["approved"] == 2
    article = client.get(f"/api/v1/moderation/comments?status=all&article={ABOUT}",
                         headers=auth_headers).json
    assert [c["body"] for c in article["comments"]] == ["newsroom"]
    bad = client.get("/api/v1/moderation/comments?site=Not%20a%20slug", headers=auth_headers)
    assert bad.status_code == 422 and "site" in bad.json["error"]["fields"]


def test_premod_on_one_site_holds_that_sites_comments_alone(client, make_site):
    make_site("strict", settings={"mode": "premod"})
    assert post(client, site="strict", body="held here").json["status"] == "pending"
    assert post(client, body="published there").json["status"] == "approved"


def test_a_site_override_follows_changes_of_the_site(client, make_site, auth_headers):
    make_site("blog")
    assert post(client, site="blog", body="before").json["status"] == "approved"
    changed = client.patch("/api/v1/admin/sites/blog", headers=auth_headers,
                           json={"settings": {"mode": "premod"}})
    assert changed.status_code == 200 and changed.json["settings"] == {"mode": "premod"}
    assert post(client, site="blog", body="after").json["status"] == "pending"
    client.patch("/api/v1/admin/sites/blog", headers=auth_headers,
                 json={"settings": {"mode": None}})
    assert post(client, site="blog", body="reset").json["status"] == "approved"


@pytest.mark.parametrize("config_overrides", [{"FLOOD_SECONDS": 15}])
def test_the_flood_limit_counts_per_site(client, make_site):
    make_site("blog")
    assert post(client, body="one").status_code == 201
    assert post(client, body="two").status_code == 429
    assert post(client, site="blog", body="three").status_code == 201


@pytest.mark.parametrize("request_path", [
    "/api/v1/comments?site=nope&article=/a", "/api/v1/form-token?site=nope&article=/a",
    "/api/v1/counts?site=nope&article=/a", "/api/v1/views?site=nope&article=/a",
    "/api/v1/views/top?site=nope", "/api/v1/views/daily?site=nope&article=/a",
    "/api/v1/badge.svg?site=nope&article=/a"])
def test_an_unknown_site_is_a_404_and_a_malformed_one_a_422(client, request_path):
    missing = client.get(request_path)
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    malformed = client.get(request_path.replace("site=nope", "site=No_Such!"))
    assert malformed.status_code == 422 and "site" in malformed.json["error"]["fields"]


def test_posts_to_an_unknown_site_are_404_and_store_nothing(client):
    assert post(client, site="nope").status_code == 404
    assert client.post("/api/v1/views?site=nope&article=/a",
                       headers={"User-Agent": FIREFOX}).status_code == 404
    assert client.get("/api/v1/comments?article=/about").json["count"] == 0
    conflicting = client.post("/api/v1/comments?site=default",
                              json={**comment_payload(), "site": "blog"})
    assert conflicting.status_code == 422 and "site" in conflicting.json["error"]["fields"]
