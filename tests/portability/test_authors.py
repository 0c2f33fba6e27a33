"""A reader's data on request: export it, erase it; after erasure no public or moderator
answer holds a trace of the address, and replies to erased comments stay threaded."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import func, select

from engage.comments.models import Comment
from engage.db import db
from engage.moderators.accounts import create_moderator, issue_token
from engage.moderators.roles import Role
from engage.portability.models import PrivacyEvent
from engage.privacy import avatar_token
from engage.queue.events import ModerationEvent
from engage.readers import identify
from engage.spamfilter.model_store import SpamTrainedModel
from engage.spamfilter.store import SpamExample
from tests.conftest import BASE_TEST_CONFIG
from tests.factories import comment_payload, new_reader_key, post_comment
from tests.portability.helpers import run

EMAIL = "Erin.Erased+news@Example.ORG"
NAME = "Erin Quillfeather"
WEBSITE = "https://erin-quillfeather.example/"
IP, NETWORK = "198.51.100.77", "198.51.100.0/24"
USER_AGENT = "ErinBrowser/9.9 (unique)"
READER_KEY = new_reader_key()


def traces() -> list[str]:
    lower = EMAIL.lower()
    values = [EMAIL, lower, NAME, WEBSITE.rstrip("/"), NETWORK, USER_AGENT, READER_KEY,
              avatar_token(lower, BASE_TEST_CONFIG["SECRET_KEY"]),
              identify(lower, READER_KEY, BASE_TEST_CONFIG["SECRET_KEY"]).author_key]
    for algorithm in ("md5", "sha1", "sha256"):
        values += [hashlib.new(algorithm, lower.encode()).hexdigest(),
                   hashlib.new(algorithm, EMAIL.encode()).hexdigest()]
    return values


def _post(client, **fields):
    payload = {"author_name": NAME, "author_email": EMAIL, "author_url": WEBSITE,
               "reader_key": READER_KEY, **fields}
    return client.post("/api/v1/comments", json=comment_payload(**payload),
                       environ_base={"REMOTE_ADDR": IP, "HTTP_USER_AGENT": USER_AGENT})


@pytest.fixture
def admin(db_session, moderator, auth_headers):
    return auth_headers  # the first moderator is an admin


@pytest.fixture
def story(client, admin):
    """Erin's comment with a reply by Bob; two more of Erin's, one held; decisions taught."""
    first = _post(client, article="/story", body="Erin's first word.").json["comment"]
    reply = post_comment(client, article="/story", parent_id=first["id"], author_name="Bob",
                         author_email="bob@example.org", body="Bob answers Erin.").json
    lone = _post(client, article="/story", body="Erin again, unanswered.").json["comment"]
    held = _post(client, article="/story", body="Erin links http://a.example http://b.example "
                 "http://c.example").json
    assert held["status"] == "pending"
    for comment_id, action in ((lone["id"], "spam"), (lone["id"], "approve"),
                               (first["id"], "approve")):
        client.post(f"/api/v1/moderation/comments/{comment_id}", headers=admin,
                    json={"action": action, "note": "looked"})
    return {"first": first["id"], "reply": reply["comment"]["id"], "lone": lone["id"]}


def _answers(client, headers) -> dict:
    answers = {
        "thread": client.get("/api/v1/comments?article=/story"),
        "counts": client.get("/api/v1/counts?article=/story"),
        "feed": client.get("/feeds/comments.atom?site=default"),
        "article": client.get("/api/v1/moderation/articles?article=/story", headers=headers),
    }
    for status in ("pending", "approved", "spam", "rejected", "all"):
        answers[f"queue {status}"] = client.get(
            f"/api/v1/moderation/comments?status={status}&limit=100", headers=headers)
    answers["queue search"] = client.get("/api/v1/moderation/comments?status=all&q=erin",
                                         headers=headers)
    return answers


def _scan(answers) -> None:
    for name, response in answers.items():
        assert response.status_code == 200, (name, response.get_data(as_text=True))
        text = response.get_data(as_text=True).lower()
        for trace in traces():
            assert trace.lower() not in text, f"{name} still shows {trace!r}"


def test_export_lists_everything_stored_about_the_address(client, admin, story):
    answer = client.get("/api/v1/moderation/authors", query_string={"email": EMAIL},
                        headers=admin)
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    data = answer.json
    assert data["email"] == EMAIL.lower()
    assert [c["body"] for c in data["comments"]][:2] == ["Erin's first word.",
                                                        "Erin again, unanswered."]
    assert {c["ip_prefix"] for c in data["comments"]} == {NETWORK}
    assert data["comments"][1]["events"][0]["to"] == "spam"
    assert data["subscriptions"] == [] and data["reports"] == []
    event = db.session.scalars(select(PrivacyEvent)).one()
    assert event.action == "author_export" and event.comments == 3


def test_erasure_leaves_no_trace_and_keeps_replies_threaded(client, admin, story):
    before = _answers(client, admin)
    assert NAME.lower() in before["thread"].get_data(as_text=True).lower()  # the scan can fail
    assert db.session.scalar(select(func.count()).select_from(SpamExample)) == 2
    result = client.post("/api/v1/moderation/authors/erase", headers=admin,
                         json={"email": EMAIL, "keep_comments": False})
    assert result.status_code == 200, result.json
    assert result.json["erased"] == {"comments": 3, "deleted": 2, "anonymised": 1}
    _scan(_answers(client, admin))
    thread = client.get("/api/v1/comments?article=/story").json["comments"]
    assert [(c["author_name"], c["body_html"]) for c in thread] == [
        ("[deleted]", "<p>[deleted]</p>"), ("Bob", "<p>Bob answers Erin.</p>")]
    assert thread[1]["parent_id"] == thread[0]["id"] == story["first"]
    # the spam filter forgets: no example of theirs, no weights trained with them
    assert db.session.scalar(select(func.count()).select_from(SpamExample)) == 0
    assert db.session.scalar(select(SpamTrainedModel.weights)) is None
    # the audit log says it happened, without the address
    rows = db.session.execute(select(PrivacyEvent.action, PrivacyEvent.actor,
                                     PrivacyEvent.comments, PrivacyEvent.note)).all()
    assert [row[:3] for row in rows] == [("author_erase", "alice", 3)]
    assert not any(t.lower() in json.dumps([list(r) for r in rows]).lower() for t in traces())
    again = client.get("/api/v1/moderation/authors", query_string={"email": EMAIL},
                       headers=admin).json
    assert again["comments"] == []


def test_erasure_can_keep_every_comment_anonymised(client, admin, story):
    result = run(client.application, "author", "erase", EMAIL, "--keep-comments", "--yes")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "erased 3 comments (kept anonymised)"
    _scan(_answers(client, admin))
    names = [c["author_name"] for c in
             client.get("/api/v1/comments?article=/story").json["comments"]]
    assert names == ["[deleted]", "Bob", "[deleted]"]
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 4
    # the moderators' history of those comments stays (who decided what), as it was
    assert db.session.scalar(select(func.count()).select_from(ModerationEvent)) == 2


def test_cli_export_prints_json_and_erase_needs_yes(client, story):
    app = client.application
    exported = run(app, "author", "export", EMAIL)
    assert exported.exit_code == 0
    assert len(json.loads(exported.output)["comments"]) == 3
    refused = run(app, "author", "erase", EMAIL)
    assert refused.exit_code == 1
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 4
    for args in (("export", "not-an-address"), ("erase", "nobody", "--yes")):
        bad = run(app, "author", *args)
        assert bad.exit_code == 1 and isinstance(bad.exception, SystemExit)
        assert (bad.stderr or bad.output).strip() == "Error: an email address is required"


def test_only_admins_may_ask(client, db_session, admin):
    account = create_moderator(db_session, "mo", "a long enough password", role=Role.MODERATOR)
    token = issue_token(db_session, account)
    db_session.commit()
    moderator = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/moderation/authors?email=a@b.example").status_code == 401
    assert client.get("/api/v1/moderation/authors?email=a@b.example",
                      headers=moderator).status_code == 403
    assert client.post("/api/v1/moderation/authors/erase", json={"email": "a@b.example"},
                       headers=moderator).status_code == 403


@pytest.mark.parametrize("body, status", [
    ({}, 422), ({"email": "nobody"}, 422), ({"email": 5}, 422),
    ({"email": "a@b.example", "keep_comments": "yes"}, 422), ([], 422),
])
def test_bad_erase_requests_are_refused(client, admin, body, status):
    response = client.post("/api/v1/moderation/authors/erase", json=body, headers=admin)
    assert response.status_code == status
    assert set(response.json["error"]) >= {"code", "message"}
    assert client.get("/api/v1/moderation/authors", headers=admin).status_code == 422
    assert client.post("/api/v1/moderation/authors/erase", data="email=x",
                       headers=admin).status_code == 415


def test_erasure_takes_the_address_out_of_the_audit_notes_of_kept_comments(client, admin,
                                                                          story):
    blocked = client.post(f"/api/v1/moderation/comments/{story['first']}/block", headers=admin,
                          json={"kind": "email"})
    assert blocked.status_code == 200, blocked.json
    notes = db.session.scalars(select(ModerationEvent.note)).all()
    assert any(EMAIL.lower() in (note or "") for note in notes)  # the scan below can fail
    result = client.post("/api/v1/moderation/authors/erase", headers=admin,
                         json={"email": EMAIL, "keep_comments": True})
    assert result.status_code == 200
    _scan(_answers(client, admin))
    assert "blocked email [erased]" in db.session.scalars(select(ModerationEvent.note)).all()
