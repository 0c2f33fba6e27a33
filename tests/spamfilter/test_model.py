"""The spam filter's model and threshold rule (pure, no app)."""

import pytest

from engage.spamfilter.model import Example, LinearModel, train
from engage.spamfilter.evaluation import (Outcome, Thresholds, choose_thresholds,
                                               status_for_score)
from engage.spamfilter.features import features

SPAM = ["check out my channel and subscribe", "subscribe to my channel please",
        "free money at http://win.example.com", "check out my new video, subscribe!",
        "please subscribe to my youtube channel", "visit http://win.example.com for money"]
HAM = ["this song is great", "i love this song so much", "best video ever",
       "the chorus gives me chills", "who is still listening in 2015", "great song, great video"]


def corpus() -> list[Example]:
    return ([Example(features(text), True) for text in SPAM]
            + [Example(features(text), False) for text in HAM])


def test_a_trained_model_scores_unseen_spam_high_and_unseen_comments_low():
    model = train(corpus())
    assert model.score(features("subscribe to my channel for free money")).value > 0.8
    assert model.score(features("i love this song")).value < 0.2


def test_training_is_deterministic_so_every_process_holds_the_same_weights():
    assert train(corpus()).weights == train(corpus()).weights


def test_the_model_counts_the_examples_of_each_class():
    model = train(corpus())
    assert (model.spam_examples, model.ham_examples) == (len(SPAM), len(HAM))


def test_top_tokens_explain_the_score_heaviest_first():
    score = train(corpus()).score(features("subscribe to my channel"))
    top = score.top_tokens(3)
    assert len(top) == 3
    weights = [abs(item["weight"]) for item in top]
    assert weights == sorted(weights, reverse=True)
    assert all(item["token"] in features("subscribe to my channel") for item in top)


def test_an_untrained_model_cannot_tell():
    assert LinearModel().score(features("anything")).value == pytest.approx(0.5)


def test_thresholds_follow_the_stated_rule():
    ham = [(n / 1000, False) for n in range(1000)]       # 0.000 … 0.999
    spam = [(0.5 + n / 200, True) for n in range(100)]   # 0.500 … 0.995
    chosen = choose_thresholds(ham + spam, max_false_spam=0.005, min_caught=0.98)
    # at most 5 of 1000 legitimate at or above the spam threshold
    assert sum(score >= chosen.spam for score, _ in ham) <= 5
    # at least 98 of 100 spam at or above the hold threshold
    assert sum(score >= chosen.hold for score, _ in spam) >= 98
    assert chosen.hold <= chosen.spam


def test_status_and_outcome_shares():
    thresholds = Thresholds(spam=0.9, hold=0.2)
    assert [status_for_score(s, thresholds) for s in (0.95, 0.5, 0.1)] == \
        ["spam", "pending", "approved"]
    outcome = Outcome()
    for is_spam, status in [(True, "spam"), (True, "pending"), (False, "approved"),
                            (False, "spam")]:
        outcome.add(is_spam, status)
    assert (outcome.spam_marked, outcome.spam_caught, outcome.ham_published,
            outcome.ham_marked) == (1, 2, 1, 1)
    assert outcome.accuracy == pytest.approx(0.5)


def test_outcome_precision_recall_and_confusion_table_count_only_spam_as_predicted_spam():
    outcome = Outcome()
    for is_spam, status in [(True, "spam"), (True, "spam"), (True, "pending"), (False, "spam"),
                            (False, "approved"), (False, "pending")]:
        outcome.add(is_spam, status)
    assert outcome.precision == pytest.approx(2 / 3)
    assert outcome.recall == pytest.approx(2 / 3)
    assert outcome.table().splitlines()[1:] == [
        f"{'actual spam':>16}{2:>16}{1:>16}", f"{'actual ham':>16}{1:>16}{2:>16}"]


def test_a_looser_caught_margin_never_holds_more_and_the_spam_line_does_not_move():
    ham = [(n / 1000, False) for n in range(1000)]
    spam = [(0.2 + n / 125, True) for n in range(100)]   # 0.200 … 0.992
    strict = choose_thresholds(ham + spam, min_caught=0.98)
    loose = choose_thresholds(ham + spam, min_caught=0.97)
    assert loose.hold >= strict.hold
    assert sum(score >= loose.hold for score, _ in spam) >= 97
    assert loose.spam == strict.spam

