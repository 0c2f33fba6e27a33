"""Moderator accounts and API tokens: what is stored, and what the guards accept."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engage.moderators.accounts import (ApiToken, Moderator, authenticate, create_moderator, find_token,
                                    find_moderator, hash_password, issue_token, revoke_tokens,
                                    token_digest, verify_password)


def test_password_hash_is_salted_scrypt_and_verifies_only_the_right_password():
    first, second = hash_password("correct horse battery"), hash_password("correct horse battery")
    assert first.startswith("scrypt:32768:8:1$")  # werkzeug.security's format
    assert first != second  # fresh salt every time
    assert verify_password("correct horse battery", first)
    assert not verify_password("correct horse batterz", first)
    assert not verify_password("anything", "not-a-hash")


def test_the_database_never_holds_the_password(db_session):
    create_moderator(db_session, "bob", "a long enough password")
    db_session.commit()
    stored = db_session.scalar(select(Moderator.password_hash).where(Moderator.name == "bob"))
    assert "a long enough password" not in stored
    assert authenticate(db_session, "bob", "a long enough password").name == "bob"
    assert authenticate(db_session, "bob", "wrong password!!") is None
    assert authenticate(db_session, "nobody", "a long enough password") is None


@pytest.mark.parametrize("name, password, problem", [
    ("", "a long enough password", "name"),
    ("bad name", "a long enough password", "name"),
    ("<script>", "a long enough password", "name"),
    ("carol", "short", "password"),
])
def test_invalid_names_and_short_passwords_are_refused(db_session, name, password, problem):
    with pytest.raises(ValueError, match=problem):
        create_moderator(db_session, name, password)


def test_names_are_unique(db_session, moderator):
    with pytest.raises(ValueError, match="already exists"):
        create_moderator(db_session, moderator.name, "another good password")


def test_tokens_are_stored_only_as_sha256(db_session, moderator, moderator_token):
    stored = db_session.scalars(select(ApiToken)).one()
    assert moderator_token.startswith("eng_") and len(moderator_token) > 40
    assert stored.token_hash == token_digest(moderator_token)
    assert moderator_token not in (stored.token_hash, stored.hint)


def test_token_auth(client, auth_headers):
    assert client.get("/api/v1/moderation/comments", headers=auth_headers).status_code == 200


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer eng_not-a-real-token", "Basic abc",
                                    "Bearer not-even-the-format"])
def test_missing_or_unknown_token_is_401(client, moderator_token, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/moderation/comments", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_is_403_and_other_tokens_keep_working(client, db_session, moderator,
                                                            moderator_token):
    account = find_moderator(db_session, moderator.name)
    second = issue_token(db_session, account)
    db_session.commit()
    assert revoke_tokens(db_session, account, hint=moderator_token[:10]) == 1
    db_session.commit()
    revoked = client.get("/api/v1/moderation/comments",
                         headers={"Authorization": f"Bearer {moderator_token}"})
    assert revoked.status_code == 403
    assert revoked.get_json()["error"]["code"] == "token_revoked"
    live = client.get("/api/v1/moderation/comments", headers={"Authorization": f"Bearer {second}"})
    assert live.status_code == 200


def test_session_auth_needs_the_csrf_header_for_changes(logged_in, make_comment):
    comment = make_comment()
    url = f"/api/v1/moderation/comments/{comment.id}"
    assert logged_in.get("/api/v1/moderation/comments").status_code == 200
    refused = logged_in.post(url, json={"action": "approve"})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "csrf_failed"
    accepted = logged_in.post(url, json={"action": "approve"},
                              headers={"X-CSRF-Token": logged_in.csrf})
    assert accepted.status_code == 200


def test_token_use_is_recorded(client, db_session, auth_headers, moderator_token):
    assert find_token(db_session, moderator_token).last_used_at is None
    client.get("/api/v1/moderation/comments", headers=auth_headers)
    db_session.expire_all()
    assert find_token(db_session, moderator_token).last_used_at is not None
