"""CORS answers a site's own origins: a page of one site gets no grant on another site."""

from __future__ import annotations

import pytest

from tests.factories import comment_payload

NEWS, BLOG, EVIL = "https://news.example", "https://blog.example", "https://evil.example"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture
def config_overrides():
    return {"ALLOWED_ORIGINS": (NEWS,), "DEMO_ENABLED": False}


def granted(response) -> str | None:
    return response.headers.get("Access-Control-Allow-Origin")


def test_each_site_answers_its_own_origins(client, make_site):
    make_site("blog", origins=[BLOG])
    blog_read = "/api/v1/comments?site=blog&article=/a"
    assert granted(client.get(blog_read, headers={"Origin": BLOG})) == BLOG
    assert granted(client.get(blog_read, headers={"Origin": NEWS})) is None
    default_read = "/api/v1/comments?article=/a"
    assert granted(client.get(default_read, headers={"Origin": NEWS})) == NEWS
    assert granted(client.get(default_read, headers={"Origin": BLOG})) is None


def test_a_post_from_an_origin_of_another_site_gets_no_grant(client, make_site):
    make_site("blog", origins=[BLOG])
    payload = {**comment_payload(), "site": "blog"}
    foreign = client.post("/api/v1/comments", json=payload, headers={"Origin": NEWS})
    assert foreign.status_code == 201 and granted(foreign) is None
    own = client.post("/api/v1/comments", json={**payload, "body": "another"},
                      headers={"Origin": BLOG})
    assert granted(own) == BLOG
    # a 422 about other fields is readable by the site's page
    bad = client.post("/api/v1/comments", json={**payload, "author_email": "x"},
                      headers={"Origin": BLOG})
    assert bad.status_code == 422 and granted(bad) == BLOG


def test_the_view_beacon_answers_the_sites_origins(client, make_site):
    make_site("blog", origins=[BLOG])
    beacon = "/api/v1/views?site=blog&article=/a"
    assert granted(client.post(beacon, headers={"Origin": BLOG, "User-Agent": FIREFOX})) == BLOG
    assert granted(client.post(beacon, headers={"Origin": NEWS, "User-Agent": FIREFOX})) is None


def test_preflights_name_the_site_or_answer_every_known_origin(client, make_site):
    make_site("blog", origins=[BLOG])
    ask = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    assert granted(client.options("/api/v1/comments?site=blog",
                                  headers={**ask, "Origin": BLOG})) == BLOG
    assert granted(client.options("/api/v1/comments?site=blog",
                                  headers={**ask, "Origin": NEWS})) is None
    # without ?site= the body may name any site: every site's origins, and no other
    assert granted(client.options("/api/v1/comments", headers={**ask, "Origin": BLOG})) == BLOG
    assert granted(client.options("/api/v1/comments", headers={**ask, "Origin": EVIL})) is None


def test_the_admin_api_never_answers_cross_origin(client, auth_headers):
    response = client.get("/api/v1/admin/sites", headers={**auth_headers, "Origin": NEWS})
    assert response.status_code == 200 and granted(response) is None
