"""Hostile request bodies get the right error in the one JSON shape, never a 500 (issue 15, #10).

The attacks go over raw sockets to a running gunicorn (``engage serve``): a chunked body is
something only a real server's parser decides about; the test client cannot reproduce it.
The siblings (every JSON endpoint, other ways JSON can be hostile) use the test client.
"""

from __future__ import annotations

import json

import pytest

from tests import raw_http
from tests.factories import comment_payload

LIMIT = 64 * 1024  # MAX_BODY_BYTES's default
JSON = {"Content-Type": "application/json"}


def _post(server, path: str, body: bytes, **kwargs) -> raw_http.RawAnswer:
    return raw_http.request(server.port, "POST", path, body=body,
                            headers=kwargs.pop("headers", JSON), **kwargs)


def _error_code(answer: raw_http.RawAnswer) -> str:
    return answer.json["error"]["code"]


def test_json_nested_30000_levels_is_a_400_not_a_500(live_server):
    deep = b"[" * 30_000 + b"]" * 30_000
    answer = _post(live_server, "/api/v1/comments", deep)
    assert answer.status == 400
    assert _error_code(answer) == "malformed_json"
    assert "nested" in answer.json["error"]["message"]


def test_a_70_kb_chunked_body_is_a_413(live_server):
    body = json.dumps(comment_payload(body="x" * 70_000)).encode()
    answer = _post(live_server, "/api/v1/comments", body, chunked=True)
    assert answer.status == 413
    assert _error_code(answer) == "payload_too_large"


def _padded_comment(size: int) -> bytes:
    """A valid comment whose JSON text is exactly ``size`` bytes (trailing whitespace)."""
    body = json.dumps(comment_payload(article="/chunked/limit")).encode()
    return body + b" " * (size - len(body))


def test_a_chunked_body_of_exactly_the_limit_is_read_whole(live_server):
    answer = _post(live_server, "/api/v1/comments", _padded_comment(LIMIT), chunked=True)
    assert answer.status == 201, answer.body
    over = _post(live_server, "/api/v1/comments", _padded_comment(LIMIT + 1), chunked=True)
    assert over.status == 413


def test_a_small_chunked_comment_is_accepted(live_server):
    body = json.dumps(comment_payload(article="/chunked/small")).encode()
    answer = _post(live_server, "/api/v1/comments", body, chunked=True)
    assert answer.status == 201
    assert answer.json["comment"]["body_html"].startswith("<p>A thoughtful remark")


def test_an_oversized_chunked_form_is_a_413_too(live_server):
    form = b"name=alice&password=" + b"p" * 70_000
    answer = _post(live_server, "/login", form, chunked=True,
                   headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status == 413


def test_a_content_length_over_the_limit_is_still_a_413(live_server):
    answer = _post(live_server, "/api/v1/comments", b" " * (LIMIT + 1))
    assert answer.status == 413
    assert _error_code(answer) == "payload_too_large"


# ----------------------------------------------------------------- siblings (test client)

HOSTILE_JSON = {
    "nested beyond the limit": b'{"article": ' + b"[" * 40 + b"]" * 40 + b"}",
    "nested 8,000 levels of objects": b"{\"a\": " * 8_000 + b"1" + b"}" * 8_000,
    "duplicate member names": b'{"article": "/a", "article": "/b"}',
    "NaN": b'{"parent_id": NaN}',
    "Infinity": b'{"parent_id": -Infinity}',
    "a float that overflows": b'{"parent_id": 1e400}',
    "an integer of 5,000 digits": b'{"parent_id": 1' + b"0" * 5000 + b"}",
    "invalid UTF-8": b'{"article": "\xff\xfe"}',
    "UTF-16": '{"article": "/a"}'.encode("utf-16"),
    "a byte order mark": b'\xef\xbb\xbf{"article": "/a"}',
    "nothing": b"",
}

ENDPOINTS = [
    ("POST", "/api/v1/comments"),
    ("POST", "/api/v1/moderation/comments/1"),
    ("POST", "/api/v1/moderation/comments/bulk"),
    ("POST", "/api/v1/moderation/comments/1/block"),
    ("PATCH", "/api/v1/moderation/settings"),
    ("POST", "/api/v1/moderation/blocklist"),
    ("DELETE", "/api/v1/moderation/blocklist"),
]


@pytest.mark.parametrize("method, path", ENDPOINTS)
@pytest.mark.parametrize("what", list(HOSTILE_JSON))
def test_every_json_endpoint_answers_hostile_json_with_a_400(client, auth_headers, method, path,
                                                            what):
    response = client.open(path, method=method, data=HOSTILE_JSON[what],
                           headers={**auth_headers, **JSON})
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.json["error"]["code"] == "malformed_json"


def test_nesting_up_to_the_limit_is_still_json(client):
    # 32 levels parse; the schema then says what is wrong with the field (422, not 400).
    body = json.dumps({**comment_payload(), "article": [[[]]]}).encode()
    response = client.post("/api/v1/comments", data=body, headers=JSON)
    assert response.status_code == 422
    assert "article" in response.json["error"]["fields"]
