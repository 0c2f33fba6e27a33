"""GET /api/v1/stream in one process: what a stream says, and the bad input it refuses.

The app runs with ``LIVE_STREAMS=on`` (the test process is not gevent-patched, where ``auto``
would answer 204) and a short poll, so the listener is a real thread reading the change log.
Cross-process delivery through real servers is in ``test_stream_servers.py``.
"""

from __future__ import annotations

import json

import pytest

from engage.live.hub import live_hub

EMAIL = "reader.secret@example.org"


@pytest.fixture
def config_overrides():
    return {"LIVE_STREAMS": "on", "LIVE_POLL_SECONDS": 0.05, "LIVE_HEARTBEAT_SECONDS": 0.5,
            "LIVE_MAX_STREAMS_PER_NETWORK": 2, "MODERATION_MODE": "auto"}


def open_stream(client, article="/live", **headers):
    response = client.get(f"/api/v1/stream?article={article}", headers=headers,
                          buffered=False)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def events(response, wanted: int = 1, max_chunks: int = 40) -> list[tuple[str, dict, str]]:
    """The next ``wanted`` events (name, data, id) of a streamed response; heartbeats are
    skipped (at most ``max_chunks`` chunks are read, so a silent stream fails the test)."""
    found, chunks = [], iter(response.response)
    for _ in range(max_chunks):
        chunk = next(chunks).decode()
        for block in chunk.split("\n\n"):
            fields = dict(line.split(": ", 1) for line in block.splitlines()
                          if ": " in line and not line.startswith(":"))
            if "event" in fields:
                found.append((fields["event"], json.loads(fields["data"]), fields.get("id")))
        if len(found) >= wanted:
            return found
    raise AssertionError(f"only {found} after {max_chunks} chunks")


def post(client, body="Hello live", article="/live", **extra):
    answer = client.post("/api/v1/comments", json={
        "article": article, "author_name": "Reader", "author_email": EMAIL, "body": body,
        **extra})
    assert answer.status_code in (201, 202), answer.json
    return answer.json


def test_a_published_comment_reaches_an_open_stream_with_its_public_json(client):
    stream = open_stream(client)
    first = next(iter(stream.response)).decode()
    assert first.startswith("retry: ")
    posted = post(client)
    [(name, data, event_id)] = events(stream)
    stream.close()
    assert name == "comment"
    assert data == posted["comment"]
    assert int(event_id) > 0
    assert stream.headers["Content-Type"].startswith("text/event-stream")
    assert stream.headers["Cache-Control"] == "no-store"


def test_a_moderator_approval_is_an_event_and_a_rejection_removes_it(app, client,
                                                                     auth_headers):
    app.config["MODERATION_MODE"] = "premod"
    held = post(client, body="Held first")["comment"]
    stream = open_stream(client)
    decide = f"/api/v1/moderation/comments/{held['id']}"
    assert client.post(decide, json={"action": "approve"}, headers=auth_headers).status_code == 200
    got = events(stream)
    assert client.post(decide, json={"action": "reject"}, headers=auth_headers).status_code == 200
    got += events(stream)
    stream.close()
    assert [(name, data["id"]) for name, data, _ in got] == [("comment", held["id"]),
                                                             ("remove", held["id"])]
    assert got[0][1]["body_html"] == "<p>Held first</p>"
    assert got[1][1] == {"id": held["id"]}


def test_held_comments_and_other_articles_say_nothing(client):
    stream = open_stream(client)
    next(iter(stream.response))
    held = post(client, body="Held: https://a.example/1 and https://b.example/2")
    assert held["status"] == "pending"
    post(client, body="Published elsewhere", article="/other")
    post(client, body="Published here")
    [(name, data, _)] = events(stream)
    stream.close()
    assert data["body_html"] == "<p>Published here</p>"


def test_a_resuming_client_gets_what_it_missed(client):
    first = post(client, body="Seen before the drop")
    stream = open_stream(client)
    next(iter(stream.response))
    post(client, body="Seen live")
    [(_, _, seen_id)] = events(stream)
    stream.close()
    missed = post(client, body="Missed while away")
    resumed = open_stream(client, **{"Last-Event-ID": seen_id})
    [(name, data, event_id)] = events(resumed)
    resumed.close()
    assert data == missed["comment"] and int(event_id) > int(seen_id)
    assert first["comment"]["id"] != data["id"]


def test_a_stream_for_an_unknown_site_is_404(client):
    answer = client.get("/api/v1/stream?site=nope&article=/live")
    assert answer.status_code == 404
    assert answer.json["error"]["code"] == "not_found"


@pytest.mark.parametrize("query, headers, field", [
    ("", {}, "article"),
    ("article=", {}, "article"),
    ("article=/x&last_event_id=-1", {}, "last_event_id"),
    ("article=/x&last_event_id=abc", {}, "last_event_id"),
    ("article=/x", {"Last-Event-ID": "1; DROP"}, "Last-Event-ID"),
    ("article=/x", {"Last-Event-ID": "9" * 40}, "Last-Event-ID"),
])
def test_bad_stream_input_is_422(client, query, headers, field):
    answer = client.get(f"/api/v1/stream?{query}", headers=headers)
    assert answer.status_code == 422, answer.get_data(as_text=True)
    assert field in answer.json["error"]["fields"]


def test_more_streams_from_one_network_than_allowed_is_429(app, client):
    first, second = open_stream(client), open_stream(client, article="/elsewhere")
    refused = client.get("/api/v1/stream?article=/live")
    assert refused.status_code == 429
    assert refused.json["error"]["code"] == "too_many_requests"
    assert int(refused.headers["Retry-After"]) > 0
    first.close()  # the browser went away: its place is given back
    third = open_stream(client)
    assert live_hub(app).count == 2
    second.close(), third.close()
    assert live_hub(app).count == 0


def test_a_stopping_worker_ends_its_streams(app, client):
    stream = open_stream(client)
    chunks = iter(stream.response)
    next(chunks)
    live_hub(app).stop()
    assert list(chunks) == []
    assert client.get("/api/v1/stream?article=/live").status_code == 429


@pytest.mark.parametrize("mode", ["off", "auto"])
def test_without_streams_the_answer_is_204(app, client, mode):
    live_hub(app).mode = mode  # auto: this test process is not patched by gevent
    answer = client.get("/api/v1/stream?article=/live")
    assert answer.status_code == 204
    assert answer.get_data() == b""
