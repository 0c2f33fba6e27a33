"""The shipped starter model: a fresh install classifies from its first comment, the site's
own model takes over as it learns, and a site can turn the starter off (SQLite, PostgreSQL)."""

from __future__ import annotations

import pytest

from engage.comments.models import Comment, CommentStatus
from engage.db import db
from engage.spamfilter.model import LinearModel
from engage.spamfilter.starter import Blend, blend, load_starter
from engage.spamfilter.features import features
from tests.factories import post_comment

SPAM_TEXT = "Check out my new channel and subscribe, I subscribe back! http://my-channel.example.com"
HAM_TEXT = "The chorus of this song still gives me chills, what a video."


@pytest.fixture
def config_overrides(request):
    # the starter is on in this module unless a test parametrizes it off
    return {"CLASSIFIER_STARTER_ENABLED": getattr(request, "param", True),
            "CLASSIFIER_REFRESH_SECONDS": 3600}


def stored(response) -> Comment:
    return db.session.get(Comment, response.get_json()["comment"]["id"])


def filter_reason(comment: Comment) -> dict:
    return next(reason for reason in comment.reasons if reason["rule"] == "spam_filter")


def test_the_shipped_starter_model_loads_and_was_trained_on_both_classes():
    starter = load_starter()
    assert starter.spam_examples > 500 and starter.ham_examples > 500
    assert starter.score(features(SPAM_TEXT)).value > 0.9
    assert starter.score(features(HAM_TEXT)).value < 0.2


def test_a_fresh_database_classifies_the_first_comments_with_the_starter(client):
    spam = stored(post_comment(client, body=SPAM_TEXT, author_name="Promo Channel"))
    assert spam.status is CommentStatus.SPAM
    evidence = filter_reason(spam)["evidence"]
    assert evidence["starter_share"] == 1.0
    assert evidence["trained_on"] == {"spam": 0, "legitimate": 0}  # no decision yet
    ham = stored(post_comment(client, body=HAM_TEXT))
    assert ham.status is CommentStatus.APPROVED
    assert filter_reason(ham)["evidence"]["score"] < 0.24


@pytest.mark.parametrize("config_overrides", [False], indirect=True)
def test_a_site_can_turn_the_starter_off(client):
    comment = stored(post_comment(client, body=SPAM_TEXT))
    assert comment.status is CommentStatus.APPROVED
    assert not any(reason["rule"] == "spam_filter" for reason in comment.reasons)


def model(bias: float, spam: int = 50, ham: int = 50) -> LinearModel:
    return LinearModel({" bias": bias}, spam, ham)


def test_the_starter_decides_alone_until_the_site_is_ready_then_blends():
    site, starter = model(4.0), model(-4.0)
    assert blend(None, None, False, 300) is None
    alone = blend(site, starter, False, 300)
    assert alone.site_share == 0.0 and alone.score(set()).value == starter.score(set()).value
    mixed = blend(site, starter, True, 300)
    assert isinstance(mixed, Blend) and mixed.site_share == pytest.approx(100 / 400)
    assert starter.score(set()).value < mixed.score(set()).value < site.score(set()).value
    assert blend(site, starter, True, 0) is site  # 0: the site's model replaces the starter
    assert blend(site, None, True, 300) is site


def test_the_site_share_grows_with_its_decisions():
    starter = model(0.0)
    shares = [blend(model(0.0, n, n), starter, True, 300).site_share for n in (20, 200, 2000)]
    assert shares == sorted(shares) and shares[-1] > 0.9


def test_a_blended_score_explains_itself_with_the_tokens_of_both_models():
    site = LinearModel({"subscribe": 2.0, " bias": 0.0}, 30, 30)
    starter = LinearModel({"channel": 3.0, " bias": 0.0}, 800, 700)
    score = blend(site, starter, True, 60).score(features("subscribe channel"))
    assert {"subscribe", "channel"} <= {clue.token for clue in score.clues}


def test_build_starter_writes_a_file_the_app_can_load(app, tmp_path):
    from engage.spamfilter.cli import spam
    from tests.spamfilter.test_learning import write_csv
    from tests.spamfilter.test_model import HAM, SPAM

    data = write_csv(tmp_path / "labelled.csv", [(t, 1) for t in SPAM] + [(t, 0) for t in HAM])
    out = tmp_path / "starter.json.z"
    result = app.test_cli_runner().invoke(spam, ["build-starter", data, "--out", str(out)])
    assert result.exit_code == 0, result.output
    loaded = load_starter(str(out))
    assert (loaded.spam_examples, loaded.ham_examples) == (len(SPAM), len(HAM))
    assert loaded.score(features("subscribe to my channel")).value > 0.5


def test_a_broken_starter_file_leaves_the_filter_running_without_it(tmp_path):
    from engage.spamfilter.rule import ClassifierRule, ClassifierSettings

    broken = tmp_path / "broken.z"
    broken.write_bytes(b"not a model")
    rule = ClassifierRule(type("Empty", (), {"model": lambda self: None})(),
                          ClassifierSettings(starter_enabled=True, starter_path=str(broken)))
    assert rule.starter is None


class Source:
    def __init__(self, site):
        self.site = site

    def model(self):
        return self.site


def test_the_starter_alone_uses_its_own_band_and_a_ready_site_the_site_band():
    from engage.moderation.pipeline import Action
    from engage.spamfilter.rule import ClassifierRule, ClassifierSettings
    from tests.moderation.builders import submission

    settings = ClassifierSettings(spam_threshold=0.9, hold_threshold=0.2, min_spam=3, min_ham=3,
                                  starter_spam_threshold=0.9, starter_hold_threshold=0.6)
    even = {" bias": 0.0}  # every comment scores 0.5
    fresh = ClassifierRule(Source(LinearModel(even, 2, 2)), settings)  # 2 + 2: not ready
    fresh.starter = LinearModel(even, 800, 700)
    finding = fresh.check(submission(body="anything"), None)
    assert finding.action is None and finding.evidence["starter_share"] == 1.0
    ready = ClassifierRule(Source(LinearModel(even, 5, 5)), settings)
    ready.starter = fresh.starter
    finding = ready.check(submission(body="anything"), None)
    assert finding.action is Action.HOLD and 0 < finding.evidence["starter_share"] < 1
