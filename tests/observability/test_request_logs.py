"""Request ids and JSON-lines logs: one record per request, and no email or raw IP in any line."""

from __future__ import annotations

import io
import json
import logging

import pytest

from engage.observability.logging import JsonFormatter, incoming_request_id, scrub


@pytest.fixture
def config_overrides():
    return {"TRUSTED_PROXIES": ("127.0.0.1",)}


@pytest.fixture
def log_lines():
    """Every record the app logs during the test, formatted as the server writes them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_each_request_is_one_json_line_with_its_id_route_status_and_duration(client, log_lines):
    response = client.get("/api/v1/comments?article=/a", headers={"X-Request-ID": "edge-1234abcd"})
    assert response.headers["X-Request-ID"] == "edge-1234abcd"
    [line] = [r for r in log_lines() if r["logger"] == "engage.request"]
    assert line["request_id"] == "edge-1234abcd"
    assert (line["event"], line["method"], line["route"], line["status"]) == (
        "request", "GET", "/api/v1/comments", 200)
    assert line["duration_ms"] >= 0 and line["client"] == "127.0.0.0/24"


def test_the_route_is_the_url_rule_not_the_raw_path(client, log_lines):
    client.post("/api/v1/moderation/comments/12345", json={"action": "approve"})  # 401
    client.get("/no/such/page/with/secret@example.com")
    routes = [r["route"] for r in log_lines() if r["logger"] == "engage.request"]
    assert routes == ["/api/v1/moderation/comments/<int:comment_id>", "<unmatched>"]


def test_a_missing_or_strange_request_id_is_replaced_by_a_new_one(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz", headers={"X-Request-ID": "bad id {json}"}).headers["X-Request-ID"]
    assert len(first) == 32 and len(second) == 32 and first != second
    assert incoming_request_id("x" * 200) != "x" * 200


def test_a_request_id_that_carries_an_email_or_an_address_is_not_logged(client, log_lines):
    for smuggled in ("reader@example.com", "198.51.100.23", "id-198.51.100.23"):
        answer = client.get("/healthz", headers={"X-Request-ID": smuggled})
        assert answer.headers["X-Request-ID"] != smuggled
    assert "198.51.100.23" not in json.dumps(log_lines())


def test_a_posted_email_and_the_client_address_never_reach_the_logs(client, log_lines):
    client.post("/api/v1/comments", json={
        "article": "/a", "author_name": "Ann", "author_email": "ann.private@example.com",
        "body": "Nice one"}, headers={"X-Forwarded-For": "198.51.100.23"})
    logging.getLogger("engage.somewhere").warning(
        "failed for ann.private@example.com from 198.51.100.23 and 2001:db8:aa:bb::1")
    text = json.dumps(log_lines())
    assert "ann.private" not in text and "198.51.100.23" not in text
    assert "2001:db8:aa:bb::1" not in text and "2001:db8:aa::/48" in text


def test_scrub_masks_emails_and_cuts_addresses_to_their_network():
    assert scrub("a@b.example 203.0.113.77 at 12:30:45") == \
        "[email hidden] 203.0.113.0/24 at 12:30:45"


def test_the_servers_own_bind_address_is_logged_as_is_and_reader_addresses_are_cut():
    from engage.observability.logging import scrub

    assert scrub("Listening at: http://127.0.0.1:8000 (42)") == "Listening at: http://127.0.0.1:8000 (42)"
    assert scrub("peer 203.0.113.77 said hi") == "peer 203.0.113.0/24 said hi"


def test_new_request_ids_differ_between_forked_workers():
    """ids come from ``random``, which must be reseeded in every worker gunicorn forks."""
    import os

    from engage.observability.logging import new_request_id

    new_request_id()  # the parent's generator is in use before the fork, as in gunicorn
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: report its first id and leave without running pytest's atexit
        os.write(write_end, new_request_id().encode())
        os._exit(0)
    os.close(write_end)
    child_id = os.read(read_end, 64).decode()
    os.close(read_end)
    os.waitpid(pid, 0)
    parent_id = new_request_id()
    assert len(child_id) == 32 and int(child_id, 16) >= 0
    assert child_id != parent_id
