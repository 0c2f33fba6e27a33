"""Trained weights live in the database: a restarted process loads them instead of training,
one process trains while the others wait, and 50,000 examples train off the request path
(SQLite and PostgreSQL)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from engage.comments.models import CommentStatus
from engage.db import db
from engage.spamfilter import model_store
from engage.spamfilter.cache import ClassifierCache
from engage.spamfilter.learning import on_decision
from engage.spamfilter.model import LinearModel
from engage.spamfilter.model_store import SpamTrainedModel, claim_lease, load_stored
from engage.spamfilter.weights import decode_model, encode_model
from engage.spamfilter.store import add_labelled, read_version
from engage.spamfilter.training_data import LabelledComment
from tests.spamfilter.test_model import HAM, SPAM


def decide_all(db_session, make_comment):
    for text in SPAM:
        on_decision(db_session, make_comment(body=text), CommentStatus.PENDING, CommentStatus.SPAM)
    for text in HAM:
        on_decision(db_session, make_comment(body=text), CommentStatus.PENDING,
                    CommentStatus.APPROVED)
    db_session.commit()


def must_not_train(rows):
    raise AssertionError("a stored model for this training set must be loaded, not retrained")


def test_encoding_round_trips_and_rejects_anything_else():
    model = LinearModel({"subscribe": 1.25, " bias": -0.5}, 3, 4)
    assert decode_model(encode_model(model)) == model
    for blob in (b"", b"garbage", encode_model(model)[:-3]):
        with pytest.raises(ValueError):
            decode_model(blob)


def test_a_model_survives_a_restart_without_retraining(app, db_session, make_comment):
    decide_all(db_session, make_comment)
    trained = ClassifierCache(db.engine, refresh_seconds=3600).refresh_now()
    assert trained.spam_examples == len(SPAM)
    # a restart: a new process has a new engine and an empty cache
    engine = create_engine(db.engine.url)
    try:
        with Session(engine) as session:
            found = model_store.refresh(session, None, must_not_train, 1000)
        assert found is not None
        stamp, loaded = found
        assert stamp == read_version(db_session)
        assert loaded.weights == pytest.approx(trained.weights, abs=1e-6)
        assert (loaded.spam_examples, loaded.ham_examples) == (len(SPAM), len(HAM))
        # and the restarted process's cache holds it from its first refresh
        assert ClassifierCache(engine, refresh_seconds=3600).refresh_now().weights == \
            loaded.weights
    finally:
        engine.dispose()


def test_a_new_decision_makes_the_stored_model_stale_and_the_next_refresh_retrains(
        app, db_session, make_comment):
    decide_all(db_session, make_comment)
    process = ClassifierCache(db.engine, refresh_seconds=3600)
    process.refresh_now()
    on_decision(db_session, make_comment(body="free money here"), CommentStatus.PENDING,
                CommentStatus.SPAM)
    db_session.commit()
    with pytest.raises(AssertionError):  # the stored model is stale: this process must train
        model_store.refresh(db_session, None, must_not_train, 1000)
    assert process.refresh_now().spam_examples == len(SPAM) + 1
    assert load_stored(db_session)[1].spam_examples == len(SPAM) + 1


def test_while_one_process_holds_the_lease_another_keeps_its_model(app, db_session, make_comment):
    decide_all(db_session, make_comment)
    assert claim_lease(db_session)  # "another process" is training
    assert not claim_lease(db_session)
    with Session(db.engine) as session:
        assert model_store.refresh(session, None, must_not_train, 1000) is None  # nothing stored
    # a lease whose process died expires
    later = model_store.utcnow() + model_store.timedelta(seconds=model_store.LEASE_SECONDS + 1)
    assert claim_lease(db_session, now=later)


def test_a_failed_training_releases_the_lease(app, db_session, make_comment):
    decide_all(db_session, make_comment)
    with pytest.raises(AssertionError):
        model_store.refresh(db_session, None, must_not_train, 1000)
    lease = db_session.scalar(select(SpamTrainedModel.lease_until))
    assert lease is None


@pytest.mark.slow
def test_fifty_thousand_decisions_train_in_the_background_and_persist(app, db_session):
    rows = [LabelledComment(f"{(SPAM if n % 2 else HAM)[n % 6]} number {n}", bool(n % 2),
                            f"Reader {n % 977}") for n in range(50_000)]
    add_labelled(db_session, rows)
    db_session.commit()
    process = ClassifierCache(db.engine, refresh_seconds=0, max_examples=50_000)
    started = time.perf_counter()
    assert process.model() is None  # the request path returns at once; training has started
    assert process._busy
    deadline = time.monotonic() + 600
    while process.model() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    trained = process.model()
    print(f"50,000 examples: trained and stored in {time.perf_counter() - started:.1f} s")
    assert trained.spam_examples + trained.ham_examples == 50_000
    assert load_stored(db_session)[1].weights == pytest.approx(trained.weights, abs=1e-6)


def test_a_well_formed_but_damaged_model_is_a_value_error():
    import json
    import zlib

    for payload in ({"format": 1}, {"format": 1, "spam": 1, "ham": 1, "weights": []},
                    {"format": 1, "spam": "x", "ham": 1, "weights": {}}, [1, 2], {"format": 2}):
        with pytest.raises(ValueError):
            decode_model(zlib.compress(json.dumps(payload).encode()))
