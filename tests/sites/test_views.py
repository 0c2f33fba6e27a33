"""Two sites with the same article key have separate views, badges and top lists, with the
embedded and the Redis counter."""

from __future__ import annotations

import pytest

from engage.db import utcnow
from engage.pageviews.extension import app_views

ABOUT = "/about"
PER_NETWORK = 2  # views of one article counted per network and window
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture(params=["embedded", "redis"])
def config_overrides(request):
    # One test client is one network: let the top list show it, and give it a small limit (the several-networks rule
    # has its own tests in tests/pageviews/test_api.py).
    if request.param == "embedded":
        return {"VIEWS_TOP_MIN_NETWORKS": 1, "VIEWS_PER_NETWORK": PER_NETWORK}
    return {"REDIS_URL": request.getfixturevalue("redis_url"),
            "REDIS_PREFIX": request.getfixturevalue("redis_prefix"),
            "VIEWS_TOP_MIN_NETWORKS": 1, "VIEWS_PER_NETWORK": PER_NETWORK}


def test_the_same_key_on_two_sites_has_separate_views_and_badges(app, client, make_site):
    make_site("blog")
    headers = {"User-Agent": FIREFOX}
    assert client.post(f"/api/v1/views?site=blog&article={ABOUT}", headers=headers).json == {
        "article": ABOUT, "views": 1, "counted": True}
    # the same visitor on the other site's /about is a first view there
    assert client.post(f"/api/v1/views?article={ABOUT}", headers=headers).json["counted"] is True
    client.post(f"/api/v1/views?site=blog&article={ABOUT}",
                headers={"User-Agent": FIREFOX + " other"})
    app_views(app).counter.force_flush(utcnow())
    assert client.get(f"/api/v1/views?site=blog&article={ABOUT}").json == {"views": {ABOUT: 2}}
    assert client.get(f"/api/v1/views?article={ABOUT}").json == {"views": {ABOUT: 1}}
    assert client.get(f"/api/v1/counts?site=blog&article={ABOUT}").json["counts"][ABOUT][
        "views"] == 2
    assert ">2<" in client.get(f"/api/v1/badge.svg?site=blog&article={ABOUT}").get_data(
        as_text=True)
    assert ">1<" in client.get(f"/api/v1/badge.svg?article={ABOUT}").get_data(as_text=True)
    top = client.get("/api/v1/views/top?site=blog").json["articles"]
    assert top == [{"article": ABOUT, "views": 2}]
    daily = client.get(f"/api/v1/views/daily?site=blog&article={ABOUT}&days=1").json
    assert daily["days"][0]["views"] == 2


def test_the_per_network_limit_counts_each_sites_article_apart(app, client, make_site):
    """VIEWS_PER_NETWORK keys on (site, key): one network using up ``/about`` on one site
    leaves the other site's ``/about`` its own allowance."""
    make_site("blog")
    limit = PER_NETWORK

    def views(site: str, n: int) -> int:
        query = f"site={site}&" if site else ""
        for i in range(n):
            client.post(f"/api/v1/views?{query}article={ABOUT}",
                        headers={"User-Agent": f"{FIREFOX} reader {site} {i}"})
        app_views(app).counter.force_flush(utcnow())
        return client.get(f"/api/v1/views?{query}article={ABOUT}").json["views"][ABOUT]
    assert views("blog", limit + 3) == limit
    assert views("", limit + 3) == limit
