"""Atom feeds of a site and of one article: valid Atom (read with feedparser), newest first,
approved comments only, no email anywhere, links to the article's URL."""

from __future__ import annotations

import hashlib

import feedparser
import pytest

from tests.factories import comment_payload

EMAIL = "secret.reader@example.org"
URL = "https://blog.example/2026/feeds"


@pytest.fixture
def config_overrides():
    return {"MODERATION_WORDS": ("casino",)}


def post(client, **fields):
    payload = comment_payload(author_email=EMAIL, **fields)
    return client.post("/api/v1/comments", json=payload)


def feed(client, query):
    response = client.get(f"/feeds/comments.atom?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.get_data())
    assert not parsed.bozo, parsed.bozo_exception  # well-formed, and Atom 1.0
    assert parsed.version == "atom10"
    return response, parsed


def test_the_article_feed_is_valid_atom_newest_first_and_links_to_the_article(client,
                                                                            make_site):
    make_site("blog", name="The Blog")
    post(client, site="blog", article="/2026/feeds", article_title="Feeds are here",
         article_url=URL, author_name=f"Ada <{EMAIL}>", body="First, with *emphasis*.",
         author_url="https://ada.example/")
    post(client, site="blog", article="/2026/feeds", body="Second \x07 with a bell.")
    post(client, site="blog", article="/2026/feeds", body="a casino link, held")
    post(client, site="blog", article="/other", body="another article")
    _, parsed = feed(client, "site=blog&article=/2026/feeds")
    assert parsed.feed.title == "Comments on Feeds are here"
    assert parsed.feed.link == URL
    entries = parsed.entries
    assert [e.content[0].value for e in entries] == ["<p>Second  with a bell.</p>",
                                                     "<p>First, with <em>emphasis</em>.</p>"]
    assert entries[1].link.startswith(URL + "#engage-comment-")
    assert entries[1].author_detail.name == "Ada <[email hidden]>"
    assert entries[1].author_detail.href == "https://ada.example/"
    assert entries[0].title == "Ada Reader on Feeds are here"
    assert len({e.id for e in entries}) == 2 and all(e.id.startswith("tag:") for e in entries)


def test_the_site_feed_holds_the_sites_comments_only(client, make_site):
    make_site("blog", name="The Blog")
    post(client, site="blog", article="/a", body="on the blog")
    post(client, article="/a", body="on the newsroom")
    _, blog = feed(client, "site=blog")
    assert blog.feed.title == "Comments on The Blog"
    assert [e.content[0].value for e in blog.entries] == ["<p>on the blog</p>"]
    _, newsroom = feed(client, "")
    assert [e.content[0].value for e in newsroom.entries] == ["<p>on the newsroom</p>"]


def test_no_feed_holds_an_email_or_its_hashes(client, make_site):
    make_site("blog")
    post(client, site="blog", article="/a", author_name=EMAIL, body=f"mail me at {EMAIL}")
    digests = [hashlib.new(name, EMAIL.encode()).hexdigest() for name in ("md5", "sha1",
                                                                          "sha256")]
    for query in ("site=blog", "site=blog&article=/a"):
        text = feed(client, query)[0].get_data(as_text=True)
        assert EMAIL not in text and "email" not in text.replace("[email hidden]", "")
        assert not any(digest in text for digest in digests)


def test_feeds_of_unknown_things(client):
    _, empty = feed(client, "article=/never-seen")
    assert empty.entries == [] and empty.feed.title == "Comments on /never-seen"
    missing = client.get("/feeds/comments.atom?site=nope")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    bad = client.get("/feeds/comments.atom?article=")
    assert bad.status_code == 422 and "article" in bad.json["error"]["fields"]


def test_feeds_are_cacheable(client):
    post(client, article="/a")
    response, _ = feed(client, "article=/a")
    assert "public" in response.headers["Cache-Control"]
    again = client.get("/feeds/comments.atom?article=/a",
                       headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
