"""No public response carries a reader's email, a guessable hash of it, or a raw IP."""

import hashlib
import json

import pytest

from tests.factories import post_comment

EMAIL = "Private.Person+tag@Example.COM"
IP = "198.51.100.23"


def forbidden_strings() -> list[str]:
    values = []
    for variant in {EMAIL, EMAIL.lower(), EMAIL.strip().lower()}:
        values.append(variant)
        for algorithm in ("md5", "sha1", "sha256"):
            values.append(hashlib.new(algorithm, variant.encode()).hexdigest())
    return values + [IP]


def keys_of(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | set().union(*(keys_of(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(keys_of(v) for v in value)) if value else set()
    return set()


def assert_private(response, check_keys=True):
    text = response.get_data(as_text=True)
    for needle in forbidden_strings():
        assert needle.lower() not in text.lower(), f"public response leaks {needle!r}"
    if response.is_json and check_keys:
        assert not {key for key in keys_of(response.json) if "email" in key.lower()}
        assert "ip" not in keys_of(response.json)


def test_no_public_response_leaks_the_email_its_hashes_or_the_ip(client):
    env = {"REMOTE_ADDR": IP}
    first = client.post("/api/v1/comments", environ_base=env, json={
        "article": "/p", "author_name": "Private", "author_email": EMAIL, "body": "hello"})
    reply = client.post("/api/v1/comments", environ_base=env, json={
        "article": "/p", "author_name": "Private", "author_email": EMAIL, "body": "again",
        "parent_id": first.json["comment"]["id"]})
    responses = [first, reply,
                 client.get("/api/v1/comments?article=/p"),
                 client.get("/api/v1/counts?article=/p")]
    avatar_path = first.json["comment"]["avatar_url"].split("localhost", 1)[1]
    responses.append(client.get(avatar_path))
    for response in responses:
        assert response.status_code < 400
        assert_private(response)
    # The API document names the input field author_email; it must still carry no value.
    assert_private(client.get("/api/v1/openapi.json"), check_keys=False)


def test_an_email_typed_into_public_fields_is_masked(client):
    response = post_comment(client, author_name="write me at bob@example.net",
                            author_url="https://example.net/?contact=bob@example.net",
                            body="My address is bob@example.net, write!")
    comment = response.json["comment"]
    assert "bob@example.net" not in json.dumps(comment)
    assert "[email hidden]" in comment["author_name"]
    assert "[email hidden]" in comment["body_html"]
    assert comment["author_url"] is None


def _hostile_requests(client):
    """Requests that carry the email and are refused, or published with parts dropped."""
    valid = {"article": "/p", "author_name": "Private", "author_email": EMAIL, "body": "hi"}
    raw = json.dumps(valid)
    env = {"REMOTE_ADDR": IP}
    post = lambda data, **kw: client.post("/api/v1/comments", data=data, environ_base=env,  # noqa: E731
                                          content_type="application/json", **kw)
    return [
        post(raw[:-1] + f', "author_email": "{EMAIL}"' + "}"),        # duplicate member: 400
        post(raw[:-1] + ', "parent_id": NaN}'),                       # NaN: 400
        post('{"x": ' + "[" * 50 + json.dumps(EMAIL) + "]" * 50 + "}"),  # too deep: 400
        post(json.dumps({**valid, "body": "x" * 70_000})),            # 413
        post(json.dumps({**valid, "author_url": f"https://{EMAIL.split('@')[0]}@evil.example/"})),
        post(json.dumps({**valid, "author_url": "javascript:" + EMAIL})),          # 422
        post(json.dumps({**valid, "author_name": EMAIL.replace("@", "&#64;")})),   # 201, masked
        post(json.dumps({**valid, "body": f"me: {EMAIL.replace('@', '＠')}"})),     # 201, masked
        post(json.dumps({**valid, "body": "site", "author_url": "https://e.org/?m="
                         + EMAIL.replace("@", "%40")})),                          # 201, no url
        client.get("/api/v1/comments?article=/p", headers={"Host": "bad host/" + EMAIL}),
    ]


def test_no_error_answer_or_masked_publication_leaks_the_email(client):
    responses = _hostile_requests(client)
    assert [r.status_code for r in responses] == [400, 400, 400, 413, 422, 422, 201, 201, 201, 400]
    thread = client.get("/api/v1/comments?article=/p")
    etag = thread.headers["ETag"]
    responses += [thread, client.get("/api/v1/comments?article=/p",
                                     headers={"If-None-Match": etag})]
    for response in responses:
        assert_private(response)
    # what the masking leaves must not be testable against the address either
    published = json.dumps(thread.json).lower()
    assert EMAIL.split("@")[0].lower() not in published
