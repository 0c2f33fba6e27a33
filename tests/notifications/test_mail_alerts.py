"""Moderator alerts against a real SMTP server: what they show, one-click links, digests."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

from sqlalchemy import select

from engage.comments.models import Comment, CommentStatus
from engage.cli import main
from engage.db import db, utcnow
from engage.moderators.accounts import create_moderator, find_moderator
from engage.moderators.roles import Role
from engage.notifications.alerts import links
from engage.notifications.alerts.preferences import set_preference
from engage.notifications.delivery import deliver_due
from engage.queue.events import ModerationEvent
from engage.sites import create_site
from tests.factories import post_comment
from tests.notifications.outbox_time import due_now
from tests.notifications.smtp_sink import PUBLIC_URL, config_overrides, smtp_sink  # noqa: F401

HELD_BODY = "See https://one.example/a and https://two.example/b for more."
ALICE_MAIL = "alice@newsroom.example"
_bodies = itertools.count(1)


def deliver(app) -> None:
    while deliver_due(app):
        pass


def alerts_for(moderator_name: str, events=("held", "reported"), every="now", site=None,
               email=ALICE_MAIL):
    account = find_moderator(db.session, moderator_name)
    account.email = email
    set_preference(db.session, account, events, every, site)
    db.session.commit()
    return account


def held(client, **extra):
    answer = post_comment(client, author_email="carol@example.org", author_name="Carol",
                          body=f"{HELD_BODY} ({next(_bodies)})", article_title="Launch day",
                          **extra)
    assert answer.status_code == 202
    return answer.get_json()["comment"]["id"]


def action_links(mail) -> dict[str, str]:
    text = mail.get_body(("plain",)).get_content()
    return {action: url[len(PUBLIC_URL):] for action, url in
            re.findall(r"^(Approve|Reject|Spam): (\S+)", text, re.M)}


def test_a_held_comment_alerts_with_article_author_text_reasons_and_links(
        app, client, smtp_sink, moderator):
    alerts_for(moderator.name)
    held(client)
    deliver(app)
    [mail] = smtp_sink.messages
    assert mail["To"] == ALICE_MAIL and "Launch day" in mail["Subject"]
    text = mail.get_body(("plain",)).get_content()
    assert "carol@example.org" in text and "Carol" in text and "one.example/a" in text
    assert "links" in text  # the reason the link rule gave
    assert set(action_links(mail)) == {"Approve", "Reject", "Spam"}
    assert mail.get_body(("html",)) is not None


def test_a_link_get_changes_nothing_its_post_decides_once(app, client, smtp_sink, moderator):
    alerts_for(moderator.name)
    comment_id = held(client)
    deliver(app)
    approve = action_links(smtp_sink.messages[0])["Approve"]
    page = client.get(approve)
    assert page.status_code == 200 and b"<form method=\"post\"" in page.data
    assert db.session.get(Comment, comment_id).status == CommentStatus.PENDING
    assert client.post(approve).status_code == 200
    db.session.expire_all()
    assert db.session.get(Comment, comment_id).status == CommentStatus.APPROVED
    [event] = db.session.scalars(select(ModerationEvent).where(
        ModerationEvent.comment_id == comment_id))
    assert event.moderator == moderator.name and event.to_status == "approved"
    assert client.post(approve).status_code == 410
    assert client.get(approve).status_code == 410


def test_tampered_mismatched_and_expired_links_change_nothing(app, client, smtp_sink, moderator):
    alerts_for(moderator.name)
    comment_id = held(client)
    deliver(app)
    spam = action_links(smtp_sink.messages[0])["Spam"]
    path, _, query = spam.partition("?")
    assert client.post(path[:-4] + "AAAA?" + query).status_code == 404
    assert client.post(path + "?action=approve").status_code == 404
    assert client.get("/moderate/act/" + "A" * 900).status_code == 404
    old = links.issue(app.config["SECRET_KEY"], moderator.id, comment_id, "approve",
                      utcnow() - timedelta(days=8))
    assert client.get(f"/moderate/act/{old}?action=approve").status_code == 410
    assert client.post(f"/moderate/act/{old}?action=approve").status_code == 410
    db.session.expire_all()
    assert db.session.get(Comment, comment_id).status == CommentStatus.PENDING
    assert db.session.scalars(select(ModerationEvent)).all() == []


def test_a_decision_someone_else_took_is_shown_not_repeated(app, client, smtp_sink, moderator,
                                                             auth_headers):
    alerts_for(moderator.name)
    comment_id = held(client)
    deliver(app)
    reject = action_links(smtp_sink.messages[0])["Reject"]
    create_moderator(db.session, "bob", "another long password", role=Role.MODERATOR)
    db.session.commit()
    assert client.post(f"/api/v1/moderation/comments/{comment_id}", headers=auth_headers,
                       json={"action": "approve"}).status_code == 200
    answer = client.post(reject)
    assert answer.status_code == 200 and b"already approved" in answer.data
    db.session.expire_all()
    assert db.session.get(Comment, comment_id).status == CommentStatus.APPROVED


def test_a_moderator_limited_to_another_site_gets_no_alert(app, client, smtp_sink, moderator):
    create_site(db.session, "blog", "The Blog")
    bob = create_moderator(db.session, "bob", "another long password", role=Role.MODERATOR,
                           sites=["blog"])
    db.session.commit()
    alerts_for("bob", email="bob@newsroom.example")
    held(client)
    deliver(app)
    assert smtp_sink.messages == []
    token = links.issue(app.config["SECRET_KEY"], bob.id,
                        db.session.scalar(select(Comment.id)), "approve", utcnow())
    assert client.post(f"/moderate/act/{token}?action=approve").status_code == 403


def test_digest_lists_what_waits_once_the_period_ends(app, client, smtp_sink, moderator):
    alerts_for(moderator.name, every="hourly")
    first, second = held(client), held(client)
    deliver(app)
    assert smtp_sink.messages == []  # not before the hour
    due_now()
    deliver(app)
    [digest] = smtp_sink.messages
    assert "2 comments" in digest["Subject"]
    text = digest.get_body(("plain",)).get_content()
    assert f"comment {first}" in text and f"comment {second}" in text


def test_nothing_when_the_moderator_chose_none(app, client, smtp_sink, moderator):
    alerts_for(moderator.name, events=())
    held(client)
    deliver(app)
    assert smtp_sink.messages == []


def test_the_notify_command_sets_preferences(app, smtp_sink, moderator):
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["moderator", "update", moderator.name, "--email",
                                 "Alice@Newsroom.example"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["moderator", "notify", moderator.name, "--on",
                                 "held,reported", "--every", "daily"])
    assert result.exit_code == 0 and "daily" in result.output, result.output
    bad = runner.invoke(main, ["moderator", "notify", moderator.name, "--on", "everything"])
    assert bad.exit_code != 0 and "held" in bad.output
    created = runner.invoke(main, ["moderator", "create", "bob", "--email", "bob@x.example",
                                  "--password-stdin"], input="a long enough password\n")
    assert created.exit_code == 0, created.output
    assert find_moderator(db.session, "bob").email == "bob@x.example"
    assert find_moderator(db.session, moderator.name).email == "alice@newsroom.example"
