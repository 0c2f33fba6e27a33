"""Reader reports through the API: one per visitor, bounded per network, a hold at the
threshold, the Reported tab and its dismissal, DSA notices with receipts, and erasure."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from engage.comments.models import Comment, CommentStatus
from engage.moderators.accounts import create_moderator, find_moderator, issue_token
from engage.moderators.roles import Role
from engage.participation.report_models import CommentReport
from engage.queue.events import ModerationEvent

NOTICE = {"reason": "illegal", "message": "This is a defamatory claim about a person.",
          "good_faith": True}


@pytest.fixture
def config_overrides():
    return {"REPORTS_HOLD": 3, "REPORTS_PER_NETWORK_HOUR": 5}


def report(client, comment_id, ip="203.0.113.7", agent="Mozilla/5.0 (A)", **body):
    body.setdefault("reason", "spam")
    return client.post(f"/api/v1/comments/{comment_id}/reports", json=body,
                       headers={"User-Agent": agent}, environ_base={"REMOTE_ADDR": ip})


def queue(client, headers, **args):
    answer = client.get("/api/v1/moderation/comments", query_string=args, headers=headers)
    assert answer.status_code == 200, answer.json
    return answer.json


def status_of(db_session, comment_id):
    db_session.expire_all()
    return db_session.get(Comment, comment_id).status


def count_reports(db_session):
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(CommentReport))


def test_a_report_answers_a_reference_and_a_repeat_the_same_one(client, db_session,
                                                                make_comment):
    comment = make_comment(status=CommentStatus.APPROVED)
    first = report(client, comment.id, reason="abuse", message="insults a reader")
    assert first.status_code == 201
    assert first.headers["Cache-Control"] == "no-store"
    reference = first.json["reference"]
    assert len(reference) >= 20
    again = report(client, comment.id, reason="off_topic")
    assert (again.status_code, again.json) == (200, {"reference": reference})
    assert count_reports(db_session) == 1
    row = db_session.scalars(select(CommentReport)).one()
    assert (row.reason, row.message) == ("abuse", "insults a reader")
    assert "203.0.113" not in row.reporter + row.network  # no stored IP
    # another browser on the same network is another visitor
    assert report(client, comment.id, agent="Mozilla/5.0 (B)").status_code == 201


def test_three_reports_from_three_networks_send_the_comment_to_pending(client, db_session,
                                                                       make_comment,
                                                                       auth_headers):
    comment = make_comment(status=CommentStatus.APPROVED)
    for n, reason in enumerate(("spam", "abuse")):
        assert report(client, comment.id, ip=f"192.0.{n}.1", reason=reason).status_code == 201
    assert status_of(db_session, comment.id) is CommentStatus.APPROVED
    report(client, comment.id, ip="192.0.0.9", reason="other")  # same network, same agent
    assert status_of(db_session, comment.id) is CommentStatus.APPROVED  # a repeat: one
    assert report(client, comment.id, ip="198.51.100.1", reason="spam").status_code == 201
    stored = db_session.get(Comment, comment.id)
    assert stored.status is CommentStatus.PENDING
    held = [r for r in stored.reasons if r["rule"] == "reported"]
    assert held == [{"rule": "reported", "reason": "reported by 3 readers",
                     "evidence": ["spam", "abuse", "spam"]}]
    event = db_session.scalars(select(ModerationEvent)).one()
    assert (event.moderator, event.from_status, event.to_status) == (
        "[reports]", "approved", "pending")
    # no longer public, and no longer reportable
    assert client.get("/api/v1/comments?article=/news/launch").json["comments"] == []
    assert report(client, comment.id, ip="100.64.0.1").status_code == 404
    item = queue(client, auth_headers, status="pending")["comments"][0]
    assert item["report_count"] == 3
    assert [r["reason"] for r in item["reports"]] == ["spam", "abuse", "spam"]


def test_a_burst_from_one_network_is_bounded_with_429(client, make_comment):
    comments = [make_comment(status=CommentStatus.APPROVED) for _ in range(6)]
    answers = [report(client, c.id, agent=f"Bot {n}") for n, c in enumerate(comments)]
    assert [a.status_code for a in answers] == [201] * 5 + [429]
    assert int(answers[-1].headers["Retry-After"]) > 0
    assert answers[-1].json["error"]["code"] == "too_many_requests"
    assert report(client, comments[0].id, agent="Bot 0").status_code == 200  # a repeat is free
    assert report(client, comments[5].id, ip="192.0.2.1").status_code == 201  # another network


@pytest.mark.parametrize("status", [CommentStatus.PENDING, CommentStatus.SPAM,
                                    CommentStatus.REJECTED])
def test_reporting_an_unpublished_comment_is_404(client, make_comment, status):
    comment = make_comment(status=status)
    answer = report(client, comment.id)
    assert answer.status_code == 404
    assert answer.json["error"]["code"] == "not_found"


def test_unknown_comment_other_site_and_huge_ids_are_404(client, make_comment):
    comment = make_comment(status=CommentStatus.APPROVED)
    assert report(client, 999999).status_code == 404
    assert report(client, 2**31).status_code == 404
    assert report(client, 2**63).status_code == 404
    assert report(client, comment.id, site="nosuchsite").status_code == 404


@pytest.mark.parametrize("body,field", [
    ({"reason": "rude"}, "reason"), ({"reason": 1}, "reason"), ({}, "reason"),
    ({"reason": "spam", "message": "x" * 2001}, "message"),
    ({"reason": "spam", "message": 5}, "message"),
    ({"reason": "illegal", "good_faith": True}, "message"),
    ({"reason": "illegal", "message": "   ", "good_faith": True}, "message"),
    ({"reason": "illegal", "message": "It is illegal."}, "good_faith"),
    ({"reason": "illegal", "message": "It is illegal.", "good_faith": "yes"}, "good_faith"),
    ({**NOTICE, "email": "not an email"}, "email"),
    ({**NOTICE, "email": "a" * 250 + "@example.org"}, "email"),
])
def test_bad_reports_are_422_and_store_nothing(client, db_session, make_comment, body, field):
    comment = make_comment(status=CommentStatus.APPROVED)
    answer = client.post(f"/api/v1/comments/{comment.id}/reports", json=body)
    assert answer.status_code == 422, answer.json
    assert field in answer.json["error"]["fields"]
    assert count_reports(db_session) == 0


def test_malformed_bodies_get_the_api_errors(client, make_comment):
    comment = make_comment(status=CommentStatus.APPROVED)
    url = f"/api/v1/comments/{comment.id}/reports"
    assert client.post(url, data="reason=spam").status_code == 415
    assert client.post(url, data="{", content_type="application/json").status_code == 400
    assert client.post(url, json=["spam"]).status_code == 422


def test_the_reported_tab_lists_open_reports_and_dismissing_clears_it(client, db_session,
                                                                      make_comment,
                                                                      auth_headers):
    quiet, reported = (make_comment(status=CommentStatus.APPROVED) for _ in range(2))
    first = report(client, reported.id, reason="off_topic", message="about football").json
    tab = queue(client, auth_headers, reported=1)
    assert [c["id"] for c in tab["comments"]] == [reported.id]  # below the threshold too
    assert tab["counts"]["reported"] == 1
    item = tab["comments"][0]
    assert item["report_count"] == 1
    assert item["reports"][0]["reason"] == "off_topic"
    assert item["reports"][0]["message"] == "about football"
    assert {"reason", "message", "created_at"} == set(item["reports"][0])
    assert quiet.id not in [c["id"] for c in tab["comments"]]

    answer = client.post(f"/api/v1/moderation/comments/{reported.id}", headers=auth_headers,
                         json={"action": "dismiss_reports", "note": "fine"})
    assert answer.status_code == 200, answer.json
    assert answer.json["comment"]["status"] == "approved"
    assert answer.json["comment"]["report_count"] == 0
    assert answer.json["counts"]["reported"] == 0
    assert queue(client, auth_headers, reported=1)["comments"] == []
    # the same visitor cannot report it again: their reference, nothing counted
    again = report(client, reported.id, reason="abuse")
    assert (again.status_code, again.json) == (200, first)
    assert queue(client, auth_headers, reported=1)["counts"]["reported"] == 0
    event = db_session.scalars(select(ModerationEvent)).one()
    assert (event.moderator, event.note) == ("alice", "dismissed 1 reports: fine")
    assert client.get(f"/api/v1/reports/{first['reference']}").json["outcome"] == "kept"


def test_dismissing_a_held_comment_publishes_it_again_in_bulk(client, db_session,
                                                              make_comment, auth_headers):
    held, other = (make_comment(status=CommentStatus.APPROVED) for _ in range(2))
    for n in range(3):
        report(client, held.id, ip=f"10.{n}.0.1")
    report(client, other.id)
    assert status_of(db_session, held.id) is CommentStatus.PENDING
    answer = client.post("/api/v1/moderation/comments/bulk", headers=auth_headers,
                         json={"ids": [held.id, other.id], "action": "dismiss_reports"})
    assert answer.status_code == 200, answer.json
    assert [c["status"] for c in answer.json["comments"]] == ["approved", "approved"]
    stored = db_session.get(Comment, held.id)
    assert stored.status is CommentStatus.APPROVED
    assert not [r for r in stored.reasons if r["rule"] == "reported"]
    assert queue(client, auth_headers, reported=1)["comments"] == []
    ids = [c["id"] for c in client.get("/api/v1/comments?article=/news/launch").json["comments"]]
    assert held.id in ids


def test_dismissing_unknown_ids_is_404_and_changes_nothing(client, db_session, make_comment,
                                                           auth_headers):
    comment = make_comment(status=CommentStatus.APPROVED)
    report(client, comment.id)
    answer = client.post("/api/v1/moderation/comments/bulk", headers=auth_headers,
                         json={"ids": [comment.id, 987654], "action": "dismiss_reports"})
    assert answer.status_code == 404
    assert queue(client, auth_headers, reported=1)["counts"]["reported"] == 1
    assert client.post(f"/api/v1/moderation/comments/{comment.id}",
                       json={"action": "dismiss_reports"}).status_code == 401


def test_a_decision_closes_the_reports(client, make_comment, auth_headers):
    comment = make_comment(status=CommentStatus.APPROVED)
    reference = report(client, comment.id, reason="spam").json["reference"]
    answer = client.post(f"/api/v1/moderation/comments/{comment.id}", headers=auth_headers,
                         json={"action": "spam"})
    assert answer.status_code == 200
    assert queue(client, auth_headers, reported=1)["comments"] == []
    receipt = client.get(f"/api/v1/reports/{reference}").json
    assert (receipt["status"], receipt["outcome"], receipt["statement"]) == (
        "decided", "removed", None)


def test_a_notice_returns_a_reference_and_its_statement_reaches_the_receipt(
        client, db_session, make_comment, auth_headers):
    comment = make_comment(status=CommentStatus.APPROVED)
    answer = report(client, comment.id, **NOTICE, email="Reporter@Example.org")
    assert answer.status_code == 201
    reference = answer.json["reference"]
    receipt = client.get(f"/api/v1/reports/{reference}")
    assert receipt.status_code == 200
    assert receipt.headers["Cache-Control"] == "no-store"
    assert receipt.json["status"] == "open" and receipt.json["outcome"] is None
    assert "reporter@example.org" not in receipt.get_data(as_text=True).lower()
    assert "defamatory" not in receipt.get_data(as_text=True)
    item = queue(client, auth_headers, reported=1)["comments"][0]
    assert item["reports"][0]["reason"] == "illegal"
    assert "reporter@example.org" not in str(item).lower()  # not even to moderators

    statement = {"ground": "law", "text": "Defamation (§ 186 StGB); the comment was removed."}
    bad = client.post(f"/api/v1/moderation/comments/{comment.id}", headers=auth_headers,
                      json={"action": "reject", "statement": {"ground": "mood", "text": ""}})
    assert bad.status_code == 422
    assert status_of(db_session, comment.id) is CommentStatus.APPROVED  # nothing changed
    decided = client.post(f"/api/v1/moderation/comments/{comment.id}", headers=auth_headers,
                          json={"action": "reject", "statement": statement})
    assert decided.status_code == 200, decided.json
    receipt = client.get(f"/api/v1/reports/{reference}").json
    assert receipt["status"] == "decided"
    assert receipt["outcome"] == "removed"
    assert receipt["statement"] == statement
    assert receipt["decided_at"]
    assert "reporter@example.org" not in str(receipt).lower()
    stored = db_session.scalars(select(CommentReport)).one()
    assert stored.email == "reporter@example.org"


def test_an_email_is_kept_only_for_a_notice(client, db_session, make_comment):
    comment = make_comment(status=CommentStatus.APPROVED)
    report(client, comment.id, reason="spam", email="someone@example.org")
    report(client, comment.id, ip="192.0.2.1", **NOTICE, email="")  # the widget's empty field
    assert [row.email for row in db_session.scalars(select(CommentReport))] == [None, None]


def test_unknown_and_malformed_references_are_404(client):
    assert client.get("/api/v1/reports/nosuchreference").status_code == 404
    assert client.get("/api/v1/reports/" + "x" * 40).status_code == 404
    assert client.get("/api/v1/reports/a%27b").status_code == 404


def test_admins_export_notices_and_decisions_as_csv(client, db_session, make_comment,
                                                    auth_headers):
    comment = make_comment(status=CommentStatus.APPROVED)
    report(client, comment.id, ip="192.0.2.1", **{**NOTICE, "message": "=HYPERLINK(1)"},
           email="r@example.org")
    report(client, comment.id, ip="192.0.3.1", reason="spam")  # not a notice
    client.post(f"/api/v1/moderation/comments/{comment.id}", headers=auth_headers,
                json={"action": "approve",
                      "statement": {"ground": "rules", "text": "Not illegal; kept."}})
    answer = client.get("/api/v1/moderation/reports/notices.csv", headers=auth_headers)
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert len(rows) == 1
    row = rows[0]
    assert row["explanation"] == "'=HYPERLINK(1)"  # no formula for a spreadsheet to run
    assert (row["decision"], row["ground"], row["statement"], row["decided_by"]) == (
        "kept", "rules", "Not illegal; kept.", "alice")
    assert row["has_email"] == "True"
    assert "r@example.org" not in answer.get_data(as_text=True)
    # moderators who are not admins, and strangers, may not
    account = create_moderator(db_session, "bob", "another long password", role=Role.MODERATOR)
    db_session.commit()
    token = issue_token(db_session, find_moderator(db_session, account.name))
    db_session.commit()
    assert client.get("/api/v1/moderation/reports/notices.csv",
                      headers={"Authorization": f"Bearer {token}"}).status_code == 403
    assert client.get("/api/v1/moderation/reports/notices.csv").status_code == 401


def test_author_export_lists_and_erase_removes_the_reporter_email(client, db_session,
                                                                  make_comment, auth_headers):
    comment = make_comment(status=CommentStatus.APPROVED)
    reference = report(client, comment.id, **NOTICE, email="rita@example.org").json["reference"]
    exported = client.get("/api/v1/moderation/authors?email=rita@example.org",
                          headers=auth_headers).json
    assert [r["reference"] for r in exported["reports"]] == [reference]
    assert exported["reports"][0]["email"] == "rita@example.org"
    answer = client.post("/api/v1/moderation/authors/erase", headers=auth_headers,
                         json={"email": "rita@example.org"})
    assert answer.status_code == 200
    db_session.expire_all()
    assert db_session.scalars(select(CommentReport)).one().email is None
    assert client.get(f"/api/v1/reports/{reference}").status_code == 200  # the notice stays
    assert client.get("/api/v1/moderation/authors?email=rita@example.org",
                      headers=auth_headers).json["reports"] == []


def test_a_deleted_comment_keeps_its_notices(client, db_session, make_comment):
    comment = make_comment(status=CommentStatus.APPROVED)
    reference = report(client, comment.id, **NOTICE).json["reference"]
    db_session.delete(db_session.get(Comment, comment.id))
    db_session.commit()
    receipt = client.get(f"/api/v1/reports/{reference}").json
    assert receipt["comment_id"] is None


def test_the_reported_tab_page_shows_chips_and_dismisses_without_javascript(logged_in,
                                                                           make_comment):
    comment = make_comment(status=CommentStatus.APPROVED, body="Buy followers here.")
    report(logged_in, comment.id, reason="spam")
    report(logged_in, comment.id, ip="192.0.2.1", reason="spam", message="an ad")
    html = logged_in.get("/moderate?reported=1").get_data(as_text=True)
    assert 'data-count="reported">1<' in html
    assert 'aria-current="page" class="current"' in html.split('data-status="reported"')[1][:80]
    assert "Reported 2×" in html and "×2" in html and "an ad" in html
    assert f'value="{comment.id}:dismiss_reports"' in html
    filtered = logged_in.get("/moderate?reported=1&q=followers").get_data(as_text=True)
    assert f'id="c{comment.id}"' in filtered
    assert 'href="/moderate?reported=1">Clear</a>' in filtered
    pending_tab = re.search(r'<a href="([^"]*)" data-status="pending"', filtered).group(1)
    assert "status=pending" in pending_tab and "reported" not in pending_tab  # leaves the tab
    answer = logged_in.post("/moderate/actions", data={
        "csrf_token": logged_in.csrf, "one": f"{comment.id}:dismiss_reports",
        "view": "reported=1"})
    assert answer.status_code == 302
    assert "reported=1" in answer.headers["Location"]
    after = logged_in.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Dismissed the reports of 1." in after
    assert 'data-count="reported">0<' in after
    assert f'id="c{comment.id}"' not in after


def test_a_moderator_of_another_site_sees_no_reports_of_this_one(client, db_session,
                                                                 make_comment, auth_headers):
    comment = make_comment(status=CommentStatus.APPROVED)
    report(client, comment.id)
    created = client.post("/api/v1/admin/sites", headers=auth_headers,
                          json={"id": "other", "name": "Other", "origins": []})
    assert created.status_code == 201, created.json
    create_moderator(db_session, "carol", "yet another long password", role=Role.MODERATOR,
                     sites=["other"])
    db_session.commit()
    token = issue_token(db_session, find_moderator(db_session, "carol"))
    db_session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    tab = queue(client, headers, reported=1)
    assert tab["comments"] == [] and tab["counts"]["reported"] == 0
    assert queue(client, auth_headers, reported=1)["counts"]["reported"] == 1
    answer = client.post(f"/api/v1/moderation/comments/{comment.id}", headers=headers,
                         json={"action": "dismiss_reports"})
    assert answer.status_code == 403
    assert queue(client, auth_headers, reported=1)["counts"]["reported"] == 1
