"""The DSA receipt mail: a reporter who left an address hears the decision and its reasons."""

from __future__ import annotations

from engage.comments.models import CommentStatus
from engage.notifications.delivery import deliver_due
from tests.notifications.smtp_sink import PUBLIC_URL, config_overrides, smtp_sink  # noqa: F401

NOTICE = {"reason": "illegal", "message": "This is a defamatory claim about a person.",
          "good_faith": True}
STATEMENT = {"ground": "law", "text": "Defamation (§ 186 StGB); the comment was removed."}


def _report(client, comment_id, ip, **body):
    answer = client.post(f"/api/v1/comments/{comment_id}/reports", json=body,
                         headers={"User-Agent": "Mozilla/5.0 (R)"},
                         environ_base={"REMOTE_ADDR": ip})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["reference"]


def _deliver(app) -> None:
    while deliver_due(app):
        pass


def test_the_reporter_gets_the_outcome_and_the_statement(app, client, make_comment,
                                                        auth_headers, smtp_sink):
    comment = make_comment(status=CommentStatus.APPROVED, author_email="author@example.com")
    reference = _report(client, comment.id, "203.0.113.7", **NOTICE, email="rep@example.org")
    _report(client, comment.id, "198.51.100.7", **NOTICE)  # no address: no receipt
    _deliver(app)
    assert smtp_sink.messages == []  # nothing before the decision
    decided = client.post(f"/api/v1/moderation/comments/{comment.id}", headers=auth_headers,
                          json={"action": "reject", "statement": STATEMENT})
    assert decided.status_code == 200, decided.get_json()
    _deliver(app)
    [mail] = smtp_sink.messages
    assert mail["To"] == "rep@example.org"
    text = mail.get_body(("plain",)).get_content()
    assert reference in text and "removed" in text and STATEMENT["text"] in text
    assert f"{PUBLIC_URL}/api/v1/reports/{reference}" in text
    assert "author@example.com" not in mail.as_string()


def test_an_erased_reporter_gets_no_receipt(app, client, make_comment, auth_headers,
                                            smtp_sink):
    comment = make_comment(status=CommentStatus.APPROVED)
    _report(client, comment.id, "203.0.113.7", **NOTICE, email="rep@example.org")
    client.post(f"/api/v1/moderation/comments/{comment.id}", headers=auth_headers,
                json={"action": "dismiss_reports"})
    erased = client.post("/api/v1/moderation/authors/erase", headers=auth_headers,
                         json={"email": "rep@example.org", "keep_comments": True})
    assert erased.status_code == 200, erased.get_json()
    _deliver(app)
    assert smtp_sink.messages == []
