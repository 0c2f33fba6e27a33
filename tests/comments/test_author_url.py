"""A reader's website is published in one canonical, harmless form (issue 15, #12).

Against a running engage: what a reader types and what every other reader then gets.
"""

from __future__ import annotations

import pytest

from engage.comments.websites import normalize_website, public_website
from tests.factories import comment_payload
from tests.scale.http import Http

CANONICAL = [
    ("HTTPS://Example.ORG", "https://example.org"),
    ("https://example.org:443/path", "https://example.org/path"),
    ("http://example.org:8080/", "http://example.org:8080/"),
    ("https://B\u00fccher.Example/", "https://xn--bcher-kva.example/"),
    ("https://fa\u00df.de/", "https://xn--fa-hia.de/"),  # IDNA 2008: not fass.de
    ("https://\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com/", "https://example.com/"),
    ("https://example.org/caf\u00e9?q=\u00fc#f", "https://example.org/caf%C3%A9?q=%C3%BC#f"),
    ("https://[2001:DB8::0001]/", "https://[2001:db8::1]/"),
    ("  https://example.org/a  ", "https://example.org/a"),
]

REFUSED = [
    "https://trusted.example@evil.example/",
    "https://user:pass@example.org/",
    "https://evil.example\\@trusted.example/",
    "javascript:alert(1)",
    "data:text/html,hi",
    "https://",
    "https:///example.org",
    "https://exa\u200bmple.org/",
    "https://example.org:99999/",
    "https://-bad-.example/",
    "https://[v1.evil]/",
    "https://ex%41mple.org/",
]


@pytest.mark.parametrize("typed, published", CANONICAL)
def test_the_website_is_published_in_its_canonical_form(live_server, typed, published):
    http = Http()
    answer = http.post(live_server.url + "/api/v1/comments",
                       json_body=comment_payload(article="/website", author_url=typed))
    assert answer.status == 201, answer.body
    assert answer.json["comment"]["author_url"] == published
    thread = http.get(live_server.url + "/api/v1/comments?article=/website&limit=200").json
    assert {c["author_url"] for c in thread["comments"] if c["id"] == answer.json["comment"]["id"]} \
        == {published}


@pytest.mark.parametrize("typed", REFUSED)
def test_a_website_that_cannot_be_made_safe_is_refused(live_server, typed):
    answer = Http().post(live_server.url + "/api/v1/comments",
                         json_body=comment_payload(article="/website", author_url=typed))
    assert answer.status == 422
    assert "author_url" in answer.json["error"]["fields"]


@pytest.mark.parametrize("typed, published", CANONICAL)
def test_normalising_is_stable(typed, published):
    assert normalize_website(typed) == published
    assert normalize_website(published) == published


@pytest.mark.parametrize("stored", REFUSED + ["https://example.org/?m=a%40example.org"])
def test_stored_websites_that_are_no_longer_valid_are_not_published(stored):
    assert public_website(stored) is None
