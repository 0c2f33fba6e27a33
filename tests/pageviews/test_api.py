"""The view-count HTTP API, against the embedded and the Redis backend."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engage.db import utcnow
from engage.pageviews.routes import EXTENSION

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
SITE = "https://news.example"


@pytest.fixture(params=["embedded", "redis"])
def config_overrides(request):
    settings = {"ALLOWED_ORIGINS": (SITE,), "TRUSTED_PROXIES": ("127.0.0.1",)}
    if request.param == "redis":
        settings.update(REDIS_URL=request.getfixturevalue("redis_url"),
                        REDIS_PREFIX=request.getfixturevalue("redis_prefix"))
    return settings


def view(client, article="/news/1", ua=FIREFOX, ip="203.0.113.7", **headers):
    return client.post(f"/api/v1/views?article={article}",
                       headers={"User-Agent": ua, "X-Forwarded-For": ip, **headers})


def flush(app):
    app.extensions[EXTENSION].counter.flush(utcnow())


def test_a_view_counts_once_per_visitor(client):
    assert view(client).json == {"article": "/news/1", "views": 1, "counted": True}
    # A repeat leaves the total; "counted" does not say so (it could be a neighbour's view).
    assert view(client).json == {"article": "/news/1", "views": 1, "counted": True}
    assert view(client, ua=CHROME).json["views"] == 2
    assert view(client, ip="198.51.100.7").json == {"article": "/news/1", "views": 3, "counted": True}


def test_the_same_network_and_browser_is_one_visitor(client):
    view(client, ip="203.0.113.7")
    assert view(client, ip="203.0.113.99").json["views"] == 1


def test_forwarded_for_is_ignored_from_untrusted_peers(client):
    view(client, ip="198.51.100.1")
    response = client.post("/api/v1/views?article=/news/1",
                           headers={"User-Agent": FIREFOX, "X-Forwarded-For": "192.0.2.1"},
                           environ_base={"REMOTE_ADDR": "10.9.9.9"})
    again = client.post("/api/v1/views?article=/news/1",
                        headers={"User-Agent": FIREFOX, "X-Forwarded-For": "192.0.2.200"},
                        environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert response.json["views"] == again.json["views"] == 2


def test_bots_and_prefetches_do_not_count(client):
    assert view(client, ua="Mozilla/5.0 (compatible; Googlebot/2.1)").json["counted"] is False
    assert view(client, ua="").json["counted"] is False
    assert view(client, **{"Sec-Purpose": "prefetch;prerender"}).json["counted"] is False
    assert view(client, **{"Purpose": "prefetch"}).json["counted"] is False
    assert view(client, **{"X-Moz": "prefetch"}).json["counted"] is False
    assert view(client).json == {"article": "/news/1", "views": 1, "counted": True}


def test_head_never_counts(client):
    response = client.head("/api/v1/views?article=/news/1", headers={"User-Agent": FIREFOX})
    assert response.status_code == 200
    assert client.get("/api/v1/views?article=/news/1").json == {"views": {"/news/1": 0}}


def test_recording_is_a_cors_simple_request(client):
    response = client.post("/api/v1/views?article=/news/1", data="",
                           headers={"User-Agent": FIREFOX, "Origin": SITE,
                                    "Content-Type": "text/plain;charset=UTF-8"})
    assert response.status_code == 200 and response.json["counted"] is True
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    assert response.headers["Cache-Control"] == "no-store"


def test_a_beacon_may_send_the_article_as_form_data(client):
    response = client.post("/api/v1/views", data={"article": "/news/2"},
                           headers={"User-Agent": FIREFOX})
    assert response.json == {"article": "/news/2", "views": 1, "counted": True}


def test_article_keys_are_normalized(client):
    view(client, article="https://news.example/news/1/")
    assert view(client, article="/news/1").json == {"article": "/news/1", "views": 1, "counted": True}


@pytest.mark.parametrize("query", ["", "?article=", "?article=%20", "?article=/" + "x" * 600])
def test_missing_or_overlong_articles_are_rejected(client, query):
    response = client.post("/api/v1/views" + query, headers={"User-Agent": FIREFOX})
    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_error"
    assert "article" in response.json["error"]["fields"]


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_not_allowed(client, method):
    response = getattr(client, method)("/api/v1/views?article=/news/1")
    assert response.status_code == 405
    assert response.json["error"]["code"] == "method_not_allowed"


def test_many_articles_are_read_in_one_call(client):
    view(client, article="/a")
    view(client, article="/a", ua=CHROME)
    view(client, article="/b")
    response = client.get("/api/v1/views?article=/a&article=/b&article=/c")
    assert response.json == {"views": {"/a": 2, "/b": 1, "/c": 0}}


def test_comment_counts_endpoint_includes_views(client):
    view(client, article="/a")
    assert client.get("/api/v1/counts?article=/a").json["counts"]["/a"]["views"] == 1


def test_daily_counts_cover_the_last_n_days_ending_today(client, app):
    view(client, article="/a")
    flush(app)
    days = client.get("/api/v1/views/daily?article=/a&days=3").json["days"]
    today = utcnow().date()
    assert [d["date"] for d in days] == [(today - timedelta(days=n)).isoformat() for n in (2, 1, 0)]
    assert [d["views"] for d in days] == [0, 0, 1]


def test_top_lists_the_most_viewed_articles(client, app):
    # Eight networks: each sets one of 31 bits, so at least three differ (VIEWS_TOP_MIN_NETWORKS)
    # but with a chance of about one in ten million.
    for n in range(8):
        view(client, article="/popular", ip=f"198.51.{n}.1")
    for n in range(7):
        view(client, article="/quiet", ip=f"198.51.{n}.1")
    flush(app)
    response = client.get("/api/v1/views/top?days=7&limit=1")
    assert response.json == {"days": 7, "articles": [{"article": "/popular", "views": 8}]}


def test_top_leaves_out_articles_read_from_one_network_only(client, app):
    for ua in (FIREFOX, CHROME, FIREFOX + " (another reader)"):
        view(client, article="/one-network", ip="203.0.113.7", ua=ua)
    for n in range(8):
        view(client, article="/everywhere", ip=f"198.51.{n}.1")
    flush(app)
    assert client.get("/api/v1/views/top?days=7").json["articles"] == [
        {"article": "/everywhere", "views": 8}]
    assert client.get("/api/v1/views?article=/one-network").json["views"] == {"/one-network": 3}


@pytest.mark.parametrize("query", ["days=0", "days=367", "days=x", "days=", "days=%207",
                                   "days=1_0", "limit=0", "limit=101"])
def test_top_rejects_bad_ranges(client, query):
    assert client.get(f"/api/v1/views/top?{query}").status_code == 422


def test_the_badge_shows_the_total_and_never_counts(client):
    for ip in ("192.0.2.1", "198.51.100.1"):
        view(client, article="/a", ip=ip)
    first = client.get("/api/v1/badge.svg?article=/a", headers={"User-Agent": FIREFOX})
    assert first.status_code == 200 and first.mimetype == "image/svg+xml"
    assert "<title>2 views</title>" in first.get_data(as_text=True)
    assert "max-age" in first.headers["Cache-Control"]
    again = client.get("/api/v1/badge.svg?article=/a", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/api/v1/views?article=/a").json == {"views": {"/a": 2}}


def test_badge_without_article_is_rejected(client):
    assert client.get("/api/v1/badge.svg").status_code == 422


def test_health_reports_the_view_counter(client):
    assert client.get("/healthz").json["checks"]["views"]["status"] == "ok"
