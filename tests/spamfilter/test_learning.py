"""The spam filter learns from moderator decisions, keeps its state in the database, and is
bootstrapped and evaluated from labelled CSV files (SQLite and PostgreSQL)."""

import csv

import pytest
from sqlalchemy import func, select

from engage.comments.models import CommentStatus
from engage.db import db
from engage.spamfilter.cache import ClassifierCache, classifier_cache
from engage.spamfilter.store import SpamExample, read_version
from engage.spamfilter.learning import on_decision
from engage.spamfilter.cli import spam
from tests.factories import post_comment
from tests.spamfilter.test_model import HAM, SPAM

Status = CommentStatus


@pytest.fixture
def config_overrides():
    # explicit refreshes only (refresh_now), and a model counts from three examples a class
    return {"CLASSIFIER_REFRESH_SECONDS": 3600, "CLASSIFIER_MIN_SPAM": 3,
            "CLASSIFIER_MIN_HAM": 3}


def examples(session) -> list[tuple[int | None, bool]]:
    return [tuple(row) for row in session.execute(
        select(SpamExample.comment_id, SpamExample.is_spam).order_by(SpamExample.id))]


def fresh_model(app):
    return classifier_cache(app).refresh_now()


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["COMMENT_ID", "AUTHOR", "DATE", "CONTENT", "CLASS"])
        for n, (text, label) in enumerate(rows):
            writer.writerow([f"c{n}", f"Author {n}", "2015-01-01T00:00:00", text, label])
    return str(path)


def test_a_spam_decision_teaches_spam_and_reversing_it_unlearns_it(db_session, make_comment):
    comment = make_comment(body="check out my channel")
    on_decision(db_session, comment, Status.PENDING, Status.SPAM)
    db_session.commit()
    assert examples(db_session) == [(comment.id, True)]
    on_decision(db_session, comment, Status.SPAM, Status.APPROVED)
    db_session.commit()
    assert examples(db_session) == [(comment.id, False)]  # replaced, not added


def test_reject_teaches_spam_and_back_to_pending_forgets(db_session, make_comment):
    comment = make_comment()
    on_decision(db_session, comment, Status.PENDING, Status.REJECTED)
    db_session.commit()
    assert examples(db_session) == [(comment.id, True)]
    on_decision(db_session, comment, Status.REJECTED, Status.PENDING)
    db_session.commit()
    assert examples(db_session) == []


def test_every_change_moves_the_training_set_version(db_session, make_comment):
    assert read_version(db_session) is None
    comment = make_comment()
    on_decision(db_session, comment, Status.PENDING, Status.SPAM)
    on_decision(db_session, comment, Status.SPAM, Status.APPROVED)
    db_session.commit()
    generation, version = read_version(db_session)
    assert version == 2 and generation


def test_moderation_api_decisions_train_the_filter(app, client, auth_headers, make_comment):
    spam_ids = [make_comment(body=text).id for text in SPAM]
    ham_ids = [make_comment(body=text).id for text in HAM]
    for ids, action in ((spam_ids, "spam"), (ham_ids, "approve")):
        response = client.post("/api/v1/moderation/comments/bulk",
                               json={"ids": ids, "action": action}, headers=auth_headers)
        assert response.status_code == 200, response.get_json()
    model = fresh_model(app)
    assert (model.spam_examples, model.ham_examples) == (len(SPAM), len(HAM))
    assert model.score(["subscribe"]).value > 0.5 > model.score(["song"]).value


def test_deleting_a_comment_deletes_what_it_taught(db_session, make_comment):
    comment = make_comment()
    on_decision(db_session, comment, Status.PENDING, Status.SPAM)
    db_session.commit()
    db_session.delete(comment)
    db_session.commit()
    assert examples(db_session) == []


def test_a_process_keeps_its_model_until_it_refreshes_then_sees_other_processes_decisions(
        app, db_session, make_comment):
    comments = [(make_comment(body=text), True) for text in SPAM]
    comments += [(make_comment(body=text), False) for text in HAM]
    for comment, is_spam in comments[:-1]:
        on_decision(db_session, comment, Status.PENDING,
                    Status.SPAM if is_spam else Status.APPROVED)
    db_session.commit()
    process = ClassifierCache(db.engine, refresh_seconds=3600)
    before = process.refresh_now()
    assert before.ham_examples == len(HAM) - 1
    # "another process" decides the last comment
    on_decision(db_session, comments[-1][0], Status.PENDING, Status.APPROVED)
    db_session.commit()
    assert process.model() is before
    assert process.refresh_now().ham_examples == len(HAM)


def test_a_stale_model_is_refreshed_in_the_background(app, db_session, make_comment):
    comment = make_comment(body="subscribe")
    on_decision(db_session, comment, Status.PENDING, Status.SPAM)
    db_session.commit()
    process = ClassifierCache(db.engine, refresh_seconds=0)
    process.model()  # schedules the refresh
    import time
    deadline = time.monotonic() + 30
    while process.model() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.model() is not None and process.model().spam_examples == 1


def test_cli_train_status_evaluate_and_reset(app, tmp_path):
    runner = app.test_cli_runner()
    path = write_csv(tmp_path / "labelled.csv",
                     [(text, 1) for text in SPAM] + [(text, 0) for text in HAM])
    result = runner.invoke(spam, ["train", path])
    assert result.exit_code == 0, result.output
    assert f"learned {len(SPAM) + len(HAM)} comments" in result.output
    result = runner.invoke(spam, ["status"])
    assert f"spam examples {len(SPAM)}, legitimate examples {len(HAM)}" in result.output
    result = runner.invoke(spam, ["evaluate", path])
    assert result.exit_code == 0, result.output
    assert "precision" in result.output and "recall" in result.output
    assert "actual spam" in result.output and "predicted ham" in result.output
    result = runner.invoke(spam, ["reset", "--yes"])
    assert result.exit_code == 0 and "forgot 12 examples" in result.output
    assert db.session.scalar(select(func.count()).select_from(SpamExample)) == 0


def test_cli_refuses_a_file_with_a_bad_label(app, tmp_path):
    path = write_csv(tmp_path / "bad.csv", [("hello", 2)])
    result = app.test_cli_runner().invoke(spam, ["train", path])
    assert result.exit_code != 0
    assert "CLASS must be 0 or 1" in result.output


def test_evaluate_says_so_when_nothing_was_learned(app, tmp_path):
    path = write_csv(tmp_path / "labelled.csv", [("hello", 0)])
    result = app.test_cli_runner().invoke(spam, ["evaluate", path])
    assert result.exit_code != 0 and "learned nothing" in result.output


def test_a_trained_filter_marks_a_new_spam_comment_and_publishes_a_clean_one(app, client,
                                                                               tmp_path):
    path = write_csv(tmp_path / "labelled.csv",
                     [(text, 1) for text in SPAM] + [(text, 0) for text in HAM])
    assert app.test_cli_runner().invoke(spam, ["train", path]).exit_code == 0
    fresh_model(app)
    spammy = post_comment(client, body="subscribe to my channel for free money")
    assert spammy.status_code == 202
    clean = post_comment(client, body="i love this song")
    assert clean.status_code == 201
    from engage.comments.models import Comment
    stored = db.session.get(Comment, spammy.get_json()["comment"]["id"])
    assert stored.status is Status.SPAM
    assert stored.spam_score > 0.9
    assert any(reason["rule"] == "spam_filter" for reason in stored.reasons)
