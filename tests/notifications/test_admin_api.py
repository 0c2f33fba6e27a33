"""The webhooks and deliveries admin API and page: roles, bad input, SSRF refusals, retry."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import select

from engage.db import db
from engage.notifications.delivery import deliver_due
from engage.notifications.models import DELIVERED, FAILED, OutboxMessage
from engage.notifications.url_guard import RefusedUrl, check
from tests.factories import post_comment

HOOKS = "/api/v1/moderation/webhooks"


def test_admins_create_list_and_delete_webhooks(client, admin_headers, receiver):
    made = client.post(HOOKS, headers=admin_headers,
                       json={"url": receiver.url, "events": ["comment.held", "comment.held"]})
    assert made.status_code == 201
    hook = made.get_json()
    assert hook["secret"].startswith("whsec_") and hook["events"] == ["comment.held"]
    assert hook["format"] == "engage" and hook["site"] == "default"
    listed = client.get(HOOKS, headers=admin_headers).get_json()["webhooks"]
    assert [h["id"] for h in listed] == [hook["id"]] and "secret" not in listed[0]
    assert client.delete(f"{HOOKS}/{hook['id']}", headers=admin_headers).status_code == 204
    assert client.delete(f"{HOOKS}/{hook['id']}", headers=admin_headers).status_code == 404
    assert client.get(HOOKS, headers=admin_headers).get_json()["webhooks"] == []


def test_moderators_may_not_touch_webhooks_or_deliveries(client, moderator_headers, receiver):
    assert client.get(HOOKS, headers=moderator_headers).status_code == 403
    assert client.post(HOOKS, headers=moderator_headers,
                       json={"url": receiver.url, "events": ["comment.held"]}).status_code == 403
    assert client.get("/api/v1/moderation/deliveries",
                      headers=moderator_headers).status_code == 403
    assert client.get(HOOKS).status_code == 401


@pytest.mark.parametrize("body, field", [
    ({"url": "http://x.example/", "events": []}, "events"),
    ({"url": "http://x.example/", "events": ["comment.deleted"]}, "events"),
    ({"url": "http://x.example/", "events": ["comment.held"], "format": "xml"}, "format"),
    ({"url": "http://x.example/", "events": ["comment.held"], "site": "nowhere"}, "site"),
    ({"url": 5, "events": ["comment.held"]}, "url"),
    ({"events": ["comment.held"]}, "url"),
    ({"url": "http://x.example/", "events": ["comment.held"], "extra": 1}, "extra"),
])
def test_bad_fields_are_422(client, admin_headers, body, field):
    answer = client.post(HOOKS, headers=admin_headers, json=body)
    assert answer.status_code == 422 and field in answer.get_json()["error"]["fields"]


@pytest.fixture
def private_refused(app):
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = False


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9/hook", "http://10.1.2.3/hook", "http://169.254.169.254/latest/meta-data",
    "http://[::1]:8080/", "http://localhost/hook", "http://192.168.0.1/", "http://0.0.0.0/",
    "http://[::ffff:127.0.0.1]/", "http://100.64.0.1/", "http://224.0.0.1/",
    "ftp://example.org/hook", "file:///etc/passwd", "gopher://example.org/", "http:///nohost",
    "http://user:pass@example.org/", "javascript:alert(1)", "http://exa mple.org/",
])
def test_urls_that_are_not_public_http_are_refused(client, admin_headers, private_refused, url):
    answer = client.post(HOOKS, headers=admin_headers, json={"url": url, "events": ["comment.held"]})
    assert answer.status_code == 422, answer.get_json()
    assert "url" in answer.get_json()["error"]["fields"]


def test_a_public_address_passes_the_guard():
    # no lookup needed: an IP literal resolves to itself
    assert check("https://93.184.215.14/hook").address == "93.184.215.14"
    with pytest.raises(RefusedUrl):
        check("https://10.0.0.1/hook")
    assert check("https://10.0.0.1/hook", allow_private=True).address == "10.0.0.1"


def test_a_url_that_turns_private_after_registration_is_undeliverable(app, client, admin_headers,
                                                                      receiver, webhook):
    webhook()
    post_comment(client)
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = False  # as if DNS now answered a loopback address
    deliver_due(app)
    [message] = db.session.scalars(select(OutboxMessage))
    assert message.state == FAILED and "non-public" in message.last_error
    assert receiver.requests == []


def test_the_number_of_webhooks_per_site_is_bounded(app, client, admin_headers, receiver):
    app.config["WEBHOOKS_MAX_PER_SITE"] = 2
    for status in (201, 201, 409):
        assert client.post(HOOKS, headers=admin_headers, json={
            "url": receiver.url, "events": ["comment.held"]}).status_code == status


def _failed_delivery(app, client, receiver, webhook) -> str:
    webhook()
    receiver.plan = [400]
    post_comment(client)
    deliver_due(app)
    [message] = db.session.scalars(select(OutboxMessage))
    assert message.state == FAILED
    return message.id


def test_admins_list_failed_deliveries_and_retry_them(app, client, admin_headers, receiver,
                                                      webhook):
    message_id = _failed_delivery(app, client, receiver, webhook)
    listed = client.get("/api/v1/moderation/deliveries?state=failed", headers=admin_headers)
    [shown] = listed.get_json()["deliveries"]
    assert shown["id"] == message_id and shown["event"] == "comment.created"
    assert "payload" not in shown and "400" in shown["last_error"]
    retried = client.post(f"/api/v1/moderation/deliveries/{message_id}/retry",
                          headers=admin_headers)
    assert retried.status_code == 200 and retried.get_json()["state"] == "queued"
    assert client.post(f"/api/v1/moderation/deliveries/{message_id}/retry",
                       headers=admin_headers).status_code == 404  # not failed any more
    deliver_due(app)
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message_id).state == DELIVERED
    assert len(receiver.requests) == 2 and len(receiver.deliveries()) == 1


@pytest.mark.parametrize("query", ["state=lost", "limit=0", "limit=x", "limit=501"])
def test_bad_delivery_queries_are_422(client, admin_headers, query):
    assert client.get(f"/api/v1/moderation/deliveries?{query}",
                      headers=admin_headers).status_code == 422


def test_the_page_lists_failures_and_its_button_retries(app, logged_in, receiver, webhook):
    message_id = _failed_delivery(app, logged_in, receiver, webhook)
    page = logged_in.get("/moderate/deliveries")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and message_id in html and ">Retry</button>" in html
    assert "Deliveries</a>" in logged_in.get("/moderate").get_data(as_text=True)
    refused = logged_in.post(f"/moderate/deliveries/{message_id}/retry",
                             data={"csrf_token": "wrong"})
    assert refused.status_code == 403
    done = logged_in.post(f"/moderate/deliveries/{message_id}/retry",
                          data={"csrf_token": logged_in.csrf})
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message_id).state == "queued"
    assert message_id not in logged_in.get("/moderate/deliveries").get_data(as_text=True)


def test_localhost_resolves_to_loopback_here():
    """The SSRF case above is only meaningful where localhost is loopback."""
    assert {info[4][0] for info in socket.getaddrinfo("localhost", 80)} <= {"127.0.0.1", "::1"}


def test_every_notifications_route_is_in_the_openapi_document(app):
    import re

    from engage.notifications.openapi import PATHS

    routes = {re.sub(r"<(?:\w+:)?\w+>", "{id}", rule.rule) for rule in app.url_map.iter_rules()
              if rule.rule.startswith(("/api/v1/moderation/webhooks",
                                       "/api/v1/moderation/deliveries"))}
    assert routes == set(PATHS)
