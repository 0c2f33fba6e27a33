"""No public response carries a reader's email, a guessable hash of it, or a raw IP."""

import hashlib
import json

import pytest

from engage.privacy import avatar_token
from engage.readers import identify
from tests.conftest import BASE_TEST_CONFIG
from tests.factories import post_comment

EMAIL = "Private.Person+tag@Example.COM"
IP = "198.51.100.23"
READER_KEY = "Xr4nd0m-reader_key-only-the-browser-holds1"
SECRET = BASE_TEST_CONFIG["SECRET_KEY"]


def forbidden_strings() -> list[str]:
    """The email, its plain hashes and the keyed hash the server could compute from it for
    anyone (the old avatar); the reader key, its hashes and the author key; the raw IP."""
    values = []
    for variant in {EMAIL, EMAIL.lower(), EMAIL.strip().lower()}:
        values += [variant, avatar_token(variant, SECRET)]
        for algorithm in ("md5", "sha1", "sha256"):
            values.append(hashlib.new(algorithm, variant.encode()).hexdigest())
    values += [READER_KEY, identify(EMAIL, READER_KEY, SECRET).author_key]
    for algorithm in ("md5", "sha1", "sha256"):
        values.append(hashlib.new(algorithm, READER_KEY.encode()).hexdigest())
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
        document = response.json
        if isinstance(document, dict) and "fields" in document.get("error", {}):
            # A 422 names the input fields it refuses (author_email, reader_key): names, not
            # values; the values (messages) are scanned above with the rest of the text.
            error = {**document["error"], "fields": list(document["error"]["fields"].values())}
            document = {**document, "error": error}
        keys = {key.lower() for key in keys_of(document)}
        assert not {key for key in keys if "email" in key or "reader" in key}
        assert not keys & {"ip", "author_key", "ip_prefix"}


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


@pytest.mark.parametrize("config_overrides", [{"FLOOD_SECONDS": 60}])
def test_no_answer_to_a_post_leaks_them_either_errors_included(client):
    """Every answer a poster can provoke: published, held, spam, 409, 429, 422, 413, 404."""
    networks = iter(f"10.0.{n}.1" for n in range(1, 100))

    def send(network=None, **fields):
        payload = {"article": "/p", "author_name": "Private", "author_email": EMAIL,
                   "body": "hello", "reader_key": READER_KEY, **fields}
        return client.post("/api/v1/comments", json=payload,
                           environ_base={"REMOTE_ADDR": network or next(networks)})

    token = client.get("/api/v1/form-token?article=/p", environ_base={"REMOTE_ADDR": IP})
    responses = {
        "published": send(IP, form_token=token.json["form_token"]),
        "form token": token,
        "duplicate": send(),
        "flood": send(body="other"),
        "unproven held": send(body="x" * 10, reader_key=None, form_token="forged"),
        "spam": send(body="y", reader_key=None, phone="bot"),
        "bad reader key": send(reader_key="short"),
        "bad name and email": send(author_name="", author_email=EMAIL + "x" * 250),
        "too large": send(body="z" * 70_000),
        "thread": client.get("/api/v1/comments?article=/p"),
        "counts": client.get("/api/v1/counts?article=/p"),
        "no such avatar": client.get("/api/v1/avatars/not-a-token.svg"),
    }
    expected = {"published": 201, "duplicate": 409, "flood": 429, "unproven held": 202,
                "spam": 202, "bad reader key": 422, "bad name and email": 422,
                "too large": 413, "no such avatar": 404}
    assert {name: responses[name].status_code for name in expected} == expected
    for response in responses.values():
        assert_private(response)
