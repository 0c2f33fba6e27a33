"""Articles have a title and URL from the widget, correctable by moderators; moderators close,
reopen and set the mode of one article, through the API and the queue page."""

from __future__ import annotations

import re

import pytest

from tests.factories import comment_payload
from tests.moderator_fixtures import page_csrf

BLOG = "https://blog.example"
ARTICLE = "/2026/hello"


def post(client, **fields):
    return client.post("/api/v1/comments", json=comment_payload(**{"article": ARTICLE, **fields}))


def article(client, auth_headers, site="default", key=ARTICLE):
    return client.get(f"/api/v1/moderation/articles?site={site}&article={key}",
                      headers=auth_headers)


def patch(client, auth_headers, body, site="default", key=ARTICLE):
    return client.patch(f"/api/v1/moderation/articles?site={site}&article={key}",
                        headers=auth_headers, json=body)


def test_the_widget_names_the_article_and_a_moderator_can_correct_it(client, auth_headers):
    post(client, article_title="  Hello,\n world  ", article_url="https://news.example/2026/hello")
    assert article(client, auth_headers).json == {
        "site": "default", "article": ARTICLE, "title": "Hello, world",
        "url": "https://news.example/2026/hello", "closed": False, "closed_reason": None,
        "mode": None, "counts": {"approved": 1, "pending": 0, "spam": 0, "rejected": 0},
        "views": 0}
    post(client, article_title="Hello, world (updated)")
    assert article(client, auth_headers).json["title"] == "Hello, world (updated)"
    assert patch(client, auth_headers, {"title": "Hello, World"}).json["title"] == "Hello, World"
    post(client, article_title="A stale title")  # the correction stays
    assert article(client, auth_headers).json["title"] == "Hello, World"
    patch(client, auth_headers, {"title": None, "url": None})  # back to the widget's
    post(client, article_title="The page's title")
    assert article(client, auth_headers).json["title"] == "The page's title"


def test_the_queue_names_the_article_by_title_and_link(client, auth_headers, logged_in):
    post(client, article_title="Budget <b>day</b>", article_url="https://news.example/budget")
    item = client.get("/api/v1/moderation/comments?status=all", headers=auth_headers).json[
        "comments"][0]
    assert (item["article_title"], item["article_url"]) == (
        "Budget <b>day</b>", "https://news.example/budget")
    page = logged_in.get("/moderate?status=all").get_data(as_text=True)
    assert re.search(r'<a href="https://news.example/budget" class="article-title"[^>]*>'
                     r'Budget &lt;b&gt;day&lt;/b&gt;</a>', page)


@pytest.mark.parametrize("url", ["https://evil.example/x", "javascript:alert(1)", "/relative",
                                 "https://user@blog.example/x", "https://blog.example/a b"])
def test_a_url_off_the_sites_origins_is_a_422_and_stores_nothing(client, make_site, url):
    make_site("blog", origins=[BLOG])
    response = post(client, site="blog", article_url=url)
    assert response.status_code == 422 and "article_url" in response.json["error"]["fields"]
    assert client.get(f"/api/v1/comments?site=blog&article={ARTICLE}").json["count"] == 0
    assert post(client, site="blog", article_url=BLOG + ARTICLE).status_code == 201


def test_a_site_without_origins_takes_any_web_url_and_long_titles_are_refused(client):
    assert post(client, article_url="http://anywhere.example/x").status_code == 201
    long_title = post(client, article_title="t" * 301)
    assert long_title.status_code == 422 and "article_title" in long_title.json["error"]["fields"]


def test_a_closed_article_refuses_comments_until_reopened(client, auth_headers):
    post(client)
    closed = patch(client, auth_headers, {"closed": True})
    assert closed.json["closed"] is True and closed.json["closed_reason"] == "closed"
    refused = post(client, body="after closing")
    assert refused.status_code == 403 and refused.json["error"]["code"] == "comments_closed"
    assert client.get(f"/api/v1/comments?article={ARTICLE}").json["closed"] is True
    assert patch(client, auth_headers, {"closed": False}).json["closed"] is False
    assert post(client, body="after reopening").status_code == 201


def test_an_article_can_be_closed_before_its_first_comment(client, auth_headers):
    assert article(client, auth_headers, key="/later").status_code == 404
    assert patch(client, auth_headers, {"closed": True}, key="/later").status_code == 200
    assert client.post("/api/v1/comments", json=comment_payload(article="/later")
                       ).status_code == 403


def test_an_articles_own_mode_overrides_its_sites(client, auth_headers, make_site):
    make_site("strict", settings={"mode": "premod"})
    assert patch(client, auth_headers, {"mode": "premod"}).json["mode"] == "premod"
    assert post(client, body="held by the article's mode").json["status"] == "pending"
    assert post(client, article="/other", body="other article").json["status"] == "approved"
    patch(client, auth_headers, {"mode": "auto"}, site="strict")
    assert post(client, site="strict", body="published by the article's mode").json[
        "status"] == "approved"
    patch(client, auth_headers, {"mode": None}, site="strict")
    assert post(client, site="strict", body="the site's mode again").json["status"] == "pending"


@pytest.mark.parametrize("body, field", [
    ({"closed": "yes"}, "closed"), ({"mode": "sometimes"}, "mode"), ({"title": 5}, "title"),
    ({"title": "t" * 301}, "title"), ({"url": "ftp://x.example/"}, "url"),
    ({"colour": "red"}, "colour")])
def test_bad_changes_are_a_422_naming_the_field_and_change_nothing(client, auth_headers,
                                                                   body, field):
    post(client)
    response = patch(client, auth_headers, body)
    assert response.status_code == 422 and field in response.json["error"]["fields"]
    assert article(client, auth_headers).json["closed"] is False


def test_unknown_sites_and_bad_keys(client, auth_headers):
    assert article(client, auth_headers, site="nope").status_code == 404
    assert patch(client, auth_headers, {"closed": True}, site="nope").status_code == 404
    assert article(client, auth_headers, key="").status_code == 422
    assert client.get(f"/api/v1/moderation/articles?article={ARTICLE}").status_code == 401


def _article_id(client, auth_headers) -> int:
    page = client.get("/api/v1/moderation/comments?status=all", headers=auth_headers).json
    return page["comments"][0]["id"]


def test_the_queue_page_closes_reopens_and_sets_the_mode(client, auth_headers, logged_in):
    post(client)
    page = logged_in.get("/moderate?status=all").get_data(as_text=True)
    close = re.search(r'name="article" value="(\d+):close"', page).group(1)
    form = {"csrf_token": page_csrf(page), "view": "status=all"}
    done = logged_in.post("/moderate/articles", data={**form, "article": f"{close}:close"})
    assert done.status_code == 302 and "done=closed" in done.headers["Location"]
    assert article(client, auth_headers).json["closed"] is True
    page = logged_in.get(done.headers["Location"]).get_data(as_text=True)
    assert "Closed comments on" in page and f'value="{close}:reopen"' in page
    logged_in.post("/moderate/articles", data={**form, "article": f"{close}:reopen"})
    assert article(client, auth_headers).json["closed"] is False
    card = re.search(r'name="mode-(\d+)"', page).group(1)
    logged_in.post("/moderate/articles", data={**form, "article": f"{close}:mode:{card}",
                                               f"mode-{card}": "first"})
    assert article(client, auth_headers).json["mode"] == "first"


def test_the_queue_page_refuses_a_post_without_the_csrf_token(client, auth_headers, logged_in):
    post(client)
    page = logged_in.get("/moderate?status=all").get_data(as_text=True)
    close = re.search(r'name="article" value="(\d+):close"', page).group(1)
    refused = logged_in.post("/moderate/articles", data={"article": f"{close}:close"})
    assert refused.status_code == 403
    assert article(client, auth_headers).json["closed"] is False
    malformed = logged_in.post("/moderate/articles", data={
        "csrf_token": page_csrf(page), "article": "x:close"})
    assert malformed.status_code == 400
