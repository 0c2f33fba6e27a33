"""The thread's ETag says nothing that the thread does not (issue 15, #12).

On main the ETag hashed (article id, thread version, …): the version counts held and spam
comments too, so an empty thread's ETag changed when someone's comment was held, and differed
from the ETag of an article nobody had written about. Here against a running engage in
pre-moderation, where every new comment is held.
"""

from __future__ import annotations

import pytest

from tests.factories import comment_payload
from tests.scale.http import Http


@pytest.fixture(scope="module")
def live_server_config():
    return {"MODERATION_MODE": "premod"}


def _read(http, server, article):
    return http.get(server.url + f"/api/v1/comments?article={article}")


def test_a_held_comment_leaves_the_empty_threads_etag_unchanged(live_server):
    http = Http()
    before = _read(http, live_server, "/etag/held")
    held = http.post(live_server.url + "/api/v1/comments",
                     json_body=comment_payload(article="/etag/held"))
    assert held.status == 202
    after = _read(http, live_server, "/etag/held")
    assert after.body == before.body
    assert after.headers["etag"] == before.headers["etag"]


def test_caught_spam_leaves_it_unchanged_too(live_server):
    http = Http()
    before = _read(http, live_server, "/etag/spam")
    spam = http.post(live_server.url + "/api/v1/comments",
                     json_body=comment_payload(article="/etag/spam", phone="555-0100"))
    assert spam.status == 202
    assert _read(http, live_server, "/etag/spam").headers["etag"] == before.headers["etag"]


def test_a_revalidation_with_the_empty_threads_etag_is_still_a_304(live_server):
    http = Http()
    etag = _read(http, live_server, "/etag/revalidate").headers["etag"]
    http.post(live_server.url + "/api/v1/comments",
              json_body=comment_payload(article="/etag/revalidate"))
    again = http.get(live_server.url + "/api/v1/comments?article=/etag/revalidate",
                     headers={"If-None-Match": etag})
    assert again.status == 304
