"""The /demo pages: a news article that embeds the widget cross-origin under a strict CSP."""

from __future__ import annotations

import re

import pytest

from engage.demo import content
from engage.demo.routes import widget_origin


def _script_srcs(html: str) -> list[str]:
    return re.findall(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", html)


def test_demo_page_loads_the_widget_from_the_other_loopback_name(client):
    response = client.get("/demo", base_url="http://127.0.0.1:5000")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    [src] = _script_srcs(html)
    assert re.fullmatch(r"http://localhost:5000/widget/v[0-9a-f]{12}/engage\.js", src)
    back = client.get("/demo", base_url="http://localhost:5000").get_data(as_text=True)
    assert _script_srcs(back)[0].startswith("http://127.0.0.1:5000/widget/")


def test_demo_article_has_the_news_page_parts(client):
    html = client.get("/demo").get_data(as_text=True)
    key = content.FEATURED.key
    assert f"<h1>{content.FEATURED.title}</h1>" in html
    assert content.FEATURED.author in html
    assert f'data-engage-views="{key}"' in html
    assert "/api/v1/badge.svg?article=" in html
    assert "Related posts" in html
    for other in content.related(content.FEATURED):
        assert f'data-engage-views="{other.key}"' in html
        assert f'data-engage-comments="{other.key}"' in html
    assert f'<div id="engage-comments" data-article="{key}"' in html


def test_demo_page_has_no_inline_script_and_a_csp_without_unsafe_inline(client):
    response = client.get("/demo", base_url="http://127.0.0.1:5000")
    html = response.get_data(as_text=True)
    assert len(re.findall(r"<script\b", html)) == len(_script_srcs(html)) == 1
    assert not re.search(r"\son[a-z]+=", html), "no inline event handlers"
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src http://localhost:5000;" in csp
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert f'<style nonce="{nonce}">' in html


def test_every_demo_article_and_the_list_page_render(client):
    for article in content.ARTICLES:
        page = client.get(f"/demo/articles/{article.slug}")
        assert page.status_code == 200
        assert f'data-article="{article.key}"' in page.get_data(as_text=True)
    listing = client.get("/demo/articles").get_data(as_text=True)
    assert 'id="engage-comments"' not in listing
    assert listing.count("data-engage-views=") == len(content.ARTICLES)
    assert client.get("/demo/articles/no-such-story").status_code == 404


def test_theme_and_language_options_reach_the_widget_and_bad_ones_fall_back(client):
    html = client.get("/demo?theme=dark&lang=de").get_data(as_text=True)
    assert 'data-lang="de" data-theme="dark"' in html
    html = client.get("/demo?theme=%22%3E&lang=xx").get_data(as_text=True)
    assert 'data-lang="en" data-theme="auto"' in html


@pytest.mark.parametrize("config_overrides", [{"DEMO_ENABLED": False}])
@pytest.mark.parametrize("path", ["/demo", "/demo/articles", "/demo/articles/library-late-fees"])
def test_demo_is_off_when_disabled(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("host,expected", [
    ("127.0.0.1:8000", "http://localhost:8000"),
    ("localhost:8000", "http://127.0.0.1:8000"),
    ("LOCALHOST", "http://127.0.0.1"),
    ("[::1]:8000", "http://localhost:8000"),
    ("comments.example.com", "http://comments.example.com"),
    ("comments.example.com:8443", "http://comments.example.com:8443"),
])
def test_widget_origin_swaps_only_loopback_names(host, expected):
    assert widget_origin("http", host) == expected
