"""`engage moderator …` and the first-run message."""

from __future__ import annotations

from engage.cli import main
from engage.moderators.accounts import authenticate, find_token
from engage.moderators.first_run import first_run_message


def run(app, *args, input=None):
    """``engage moderator ARGS`` against the test app."""
    result = app.test_cli_runner().invoke(main, ["moderator", *args], input=input)
    return result


def test_create_with_password_stdin_then_log_in(app, db_session):
    result = run(app, "create", "dora", "--password-stdin", input="a very good password\n")
    assert result.exit_code == 0, result.output
    assert "a very good password" not in result.output
    assert authenticate(db_session, "dora", "a very good password").name == "dora"


def test_create_without_a_terminal_generates_a_one_time_password(app, db_session):
    result = run(app, "create", "eve", input="")
    assert result.exit_code == 0, result.output
    password = result.output.strip().splitlines()[-1]
    assert len(password) >= 16
    assert authenticate(db_session, "eve", password) is not None


def test_create_refuses_duplicates_and_bad_input(app, moderator):
    duplicate = run(app, "create", moderator.name, "--password-stdin", input="another password1\n")
    assert duplicate.exit_code != 0 and "already exists" in duplicate.output
    short = run(app, "create", "frank", "--password-stdin", input="short\n")
    assert short.exit_code != 0 and "at least" in short.output


def test_token_prints_the_token_on_its_last_line_and_it_works(app, client, moderator):
    result = run(app, "token", moderator.name)
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("eng_")
    response = client.get("/api/v1/moderation/comments",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_revoke_turns_tokens_into_403(app, client, db_session, moderator, moderator_token):
    result = run(app, "revoke", moderator.name)
    assert result.exit_code == 0 and "Revoked 1" in result.output
    response = client.get("/api/v1/moderation/comments",
                          headers={"Authorization": f"Bearer {moderator_token}"})
    assert response.status_code == 403
    assert find_token(db_session, moderator_token).revoked_at is not None


def test_list_shows_names_and_token_hints_never_tokens(app, moderator, moderator_token):
    result = run(app, "list")
    assert moderator.name in result.output
    assert moderator_token[:10] in result.output and moderator_token not in result.output


def test_unknown_moderator_is_an_error(app):
    assert run(app, "token", "ghost").exit_code != 0


def test_password_change_ends_sessions(app, logged_in, moderator):
    result = run(app, "password", moderator.name, "--password-stdin",
                 input="a brand new password\n")
    assert result.exit_code == 0, result.output
    assert logged_in.get("/moderate").status_code == 302


def test_first_run_message_until_a_moderator_exists(app, db_session):
    message = first_run_message(db_session)
    assert message and "engage moderator create NAME" in message
    run(app, "create", "gina", "--password-stdin", input="a very good password\n")
    assert first_run_message(db_session) is None


def test_serve_prints_the_first_run_message(app):
    producers = app.extensions["engage_startup_messages"]
    assert any(p() and "engage moderator create" in p() for p in producers)
