"""Reader notifications end to end: POST with notify, a real SMTP server, the mail's links."""

from __future__ import annotations

import re

from sqlalchemy import select

from engage.db import db
from engage.notifications.delivery import deliver_due
from engage.notifications.subscriptions.models import MailAddress, Subscription
from engage.notifications.subscriptions.service import is_confirmed
from tests.factories import post_comment
from tests.notifications.outbox_time import due_now
from tests.notifications.smtp_sink import PUBLIC_URL, config_overrides, smtp_sink  # noqa: F401

ADA, BOB = "ada@example.org", "bob@example.net"
HELD_BODY = "See https://one.example/a and https://two.example/b for more."  # two links: held


def deliver(app) -> None:
    while deliver_due(app):
        pass


def link(message, path: str) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(re.escape(PUBLIC_URL) + path + r"\S+", text).group(0)[len(PUBLIC_URL):]


def ada_asks(client, notify="replies", **extra):
    answer = post_comment(client, author_email=ADA, author_name="Ada", notify=notify, **extra)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["comment"]["id"]


def bob_replies(client, parent, **extra):
    return post_comment(client, author_email=BOB, author_name="Bob", parent_id=parent, **extra)


def confirmed_ada(app, client, smtp_sink):
    parent = ada_asks(client, lang="de-AT")
    deliver(app)
    [confirmation] = smtp_sink.messages
    assert client.get(link(confirmation, "/subscriptions/confirm/")).status_code == 200
    smtp_sink.messages.clear()
    return parent


def test_a_confirmation_mail_first_and_nothing_before_it_is_confirmed(app, client, smtp_sink):
    parent = ada_asks(client, lang="de-AT")
    ada_asks(client)  # a second request the same day: no second confirmation mail
    assert bob_replies(client, parent).status_code == 201
    deliver(app)
    [confirmation] = smtp_sink.messages
    assert confirmation["To"] == ADA and "Bestätigen" in confirmation["Subject"]
    assert confirmation["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert confirmation.get_body(("html",)) is not None
    assert not is_confirmed(db.session, ADA)


def test_one_reply_mail_after_confirmation_with_both_unsubscribe_headers(app, client, smtp_sink):
    parent = confirmed_ada(app, client, smtp_sink)
    assert is_confirmed(db.session, ADA) and is_confirmed(db.session, " Ada@Example.org ")
    bob_replies(client, parent, body="Bob's answer, in words.")
    deliver(app)
    [mail] = smtp_sink.messages
    assert mail["To"] == ADA and "Bob" in mail["Subject"]
    assert mail["List-Unsubscribe"].startswith(f"<{PUBLIC_URL}/subscriptions/unsubscribe/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Bob's answer" in mail.get_body(("plain",)).get_content()
    assert BOB not in mail.as_string()  # no other reader's address, anywhere
    assert re.fullmatch(r"<[0-9a-f]{32}@comments\.example>", mail["Message-ID"])
    html = mail.get_body(("html",)).get_content()
    assert 'lang="de"' in html


def test_a_confirmed_address_is_active_at_once_for_later_requests(app, client, smtp_sink):
    confirmed_ada(app, client, smtp_sink)
    second = ada_asks(client)
    bob_replies(client, second)
    deliver(app)
    assert [m["To"] for m in smtp_sink.messages] == [ADA]  # the reply, no new confirmation


def test_no_mail_for_held_replies_until_approved_then_published_mail(app, client, smtp_sink,
                                                                     auth_headers):
    parent = confirmed_ada(app, client, smtp_sink)
    held = bob_replies(client, parent, body=HELD_BODY, notify="replies")
    assert held.status_code == 202
    deliver(app)
    assert [m["To"] for m in smtp_sink.messages] == [BOB]  # Bob's own confirmation only
    bob_link = link(smtp_sink.messages[0], "/subscriptions/confirm/")
    assert client.get(bob_link).status_code == 200
    smtp_sink.messages.clear()
    comment_id = held.get_json()["comment"]["id"]
    decided = client.post(f"/api/v1/moderation/comments/{comment_id}", headers=auth_headers,
                          json={"action": "approve"})
    assert decided.status_code == 200
    deliver(app)
    by_recipient = {m["To"]: m for m in smtp_sink.messages}
    assert set(by_recipient) == {ADA, BOB} and len(smtp_sink.messages) == 2
    assert "published" in by_recipient[BOB]["Subject"]
    assert ADA not in by_recipient[BOB].as_string() and BOB not in by_recipient[ADA].as_string()
    client.post(f"/api/v1/moderation/comments/{comment_id}", headers=auth_headers,
                json={"action": "pending"})
    client.post(f"/api/v1/moderation/comments/{comment_id}", headers=auth_headers,
                json={"action": "approve"})
    deliver(app)
    assert len(smtp_sink.messages) == 2  # approving again mails nobody twice


def test_no_mail_for_a_self_reply(app, client, smtp_sink):
    parent = confirmed_ada(app, client, smtp_sink)
    post_comment(client, author_email="ADA@example.org", parent_id=parent)
    deliver(app)
    assert smtp_sink.messages == []


def test_article_subscribers_hear_of_every_new_comment_but_their_own(app, client, smtp_sink):
    confirmed_ada(app, client, smtp_sink)
    ada_asks(client, notify="article")
    post_comment(client, author_email=BOB)
    post_comment(client, author_email=ADA)
    deliver(app)
    [mail] = smtp_sink.messages
    assert mail["To"] == ADA


def test_unsubscribe_get_changes_nothing_and_post_unsubscribes(app, client, smtp_sink):
    parent = confirmed_ada(app, client, smtp_sink)
    bob_replies(client, parent)
    deliver(app)
    path = smtp_sink.messages[0]["List-Unsubscribe"].strip("<>")[len(PUBLIC_URL):]
    page = client.get(path)
    assert page.status_code == 200 and b"<form method=\"post\"" in page.data
    assert "no-referrer" == page.headers["Referrer-Policy"]
    bob_replies(client, parent)
    deliver(app)
    assert len(smtp_sink.messages) == 2  # the GET unsubscribed nobody
    one_click = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200
    bob_replies(client, parent)
    deliver(app)
    assert len(smtp_sink.messages) == 2
    again = client.post(path)
    assert again.status_code == 200 and client.get(path).status_code == 200  # calm, not 404
    assert client.get(path[:-3] + "xyz").status_code == 404
    assert client.post(path[:-3] + "xyz").status_code == 404
    assert client.get("/subscriptions/confirm/" + "x" * 40).status_code == 404
    assert client.get("/subscriptions/unsubscribe/" + "%00" * 600).status_code == 404


def test_a_recipient_the_server_refuses_becomes_undeliverable(app, client, smtp_sink):
    parent = confirmed_ada(app, client, smtp_sink)
    smtp_sink.set_mode("refuse")
    bob_replies(client, parent)
    deliver(app)
    states = set(db.session.scalars(select(Subscription.state)))
    assert states == {"undeliverable"}
    smtp_sink.set_mode("accept")
    bob_replies(client, parent)
    deliver(app)
    assert smtp_sink.messages == []


def test_a_dropped_connection_is_retried_with_the_same_message_id(app, client, smtp_sink):
    ada_asks(client)
    smtp_sink.set_mode("drop")
    deliver_due(app)
    assert smtp_sink.messages == []
    smtp_sink.set_mode("accept")
    due_now()
    deliver(app)
    [mail] = smtp_sink.messages
    assert mail["To"] == ADA
    assert db.session.scalar(select(MailAddress.confirm_sent_at)) is not None


def test_invalid_notify_is_a_422_and_mail_off_stores_nothing(app, client, smtp_sink):
    answer = post_comment(client, notify="everything")
    assert answer.status_code == 422 and "notify" in answer.get_json()["error"]["fields"]
    app.config["PUBLIC_URL"] = ""
    assert post_comment(client, notify="replies").status_code == 201
    assert db.session.scalars(select(Subscription)).all() == []


def test_an_erased_author_loses_subscriptions_and_confirmation(app, client, smtp_sink):
    from engage.portability.authors import erase_author, export_author  # imported here: only this test erases

    parent = confirmed_ada(app, client, smtp_sink)
    exported = export_author(db.session, ADA, actor="admin")
    assert [s["kind"] for s in exported["subscriptions"]] == ["replies"]
    erase_author(db.session, ADA, keep_comments=True, actor="admin")
    assert db.session.scalars(select(Subscription)).all() == []
    assert not is_confirmed(db.session, ADA)
    bob_replies(client, parent)
    deliver(app)
    assert smtp_sink.messages == []
