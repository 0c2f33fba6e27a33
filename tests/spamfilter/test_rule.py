"""The spam-filter rule in the pipeline: spam, held, a note, or nothing (pure, no app)."""

from engage.config import DEFAULTS
from engage.spamfilter.model import Example, LinearModel, train
from engage.spamfilter.features import features
from engage.moderation.pipeline import Action, MemoryHistory, RuleKind, moderate
from engage.spamfilter.rule import ClassifierRule, ClassifierSettings
from tests.moderation.builders import submission
from tests.spamfilter.test_model import corpus


class Fixed:
    """A model source that always returns the same model."""

    def __init__(self, model):
        self._model = model

    def model(self):
        return self._model


def rule(model, **settings) -> ClassifierRule:
    defaults = {"spam_threshold": 0.9, "hold_threshold": 0.2, "min_spam": 1, "min_ham": 1,
                "starter_enabled": False}  # the starter's own tests: test_starter.py
    return ClassifierRule(Fixed(model), ClassifierSettings(**{**defaults, **settings}))


def check(the_rule, body):
    return the_rule.check(submission(body=body), MemoryHistory())


def test_no_model_no_finding():
    assert check(rule(None), "subscribe to my channel") is None


def test_cold_start_stays_out_of_the_way_until_both_classes_have_enough_examples():
    model = train(corpus())  # 6 spam, 6 legitimate
    assert check(rule(model, min_spam=7), "subscribe to my channel") is None
    assert check(rule(model, min_ham=7), "subscribe to my channel") is None
    assert check(rule(model, min_spam=6, min_ham=6), "subscribe to my channel") is not None


def test_a_confident_score_marks_spam_with_the_score_and_the_heaviest_tokens():
    finding = check(rule(train(corpus())), "subscribe to my channel for free money")
    assert finding.action is Action.SPAM
    assert finding.score > 0.9
    assert finding.evidence["score"] == round(finding.score, 4)
    assert finding.evidence["tokens"] and "token" in finding.evidence["tokens"][0]
    assert finding.evidence["trained_on"] == {"spam": 6, "legitimate": 6}


def test_the_uncertain_band_holds_for_a_moderator():
    model = LinearModel({" bias": 0.0}, spam_examples=1, ham_examples=1)  # always 0.5
    finding = check(rule(model, spam_threshold=0.9, hold_threshold=0.4), "hello")
    assert finding.action is Action.HOLD
    assert finding.score == 0.5


def test_a_low_score_is_a_note_that_decides_nothing():
    finding = check(rule(train(corpus())), "i love this song")
    assert finding.action is None
    assert finding.score < 0.2


def test_the_score_reaches_the_verdict_and_trusted_authors_do_not_skip_it():
    the_rule = rule(train(corpus()))
    assert the_rule.kind is RuleKind.SPAM
    verdict = moderate(submission(body="subscribe to my channel for free money"),
                       MemoryHistory(), [the_rule])
    assert verdict.action is Action.SPAM
    assert verdict.spam_score > 0.9


def test_the_rule_reads_the_newest_model_on_every_check():
    source = Fixed(None)
    the_rule = ClassifierRule(source, ClassifierSettings(min_spam=1, min_ham=1, starter_enabled=False))
    assert check(the_rule, "subscribe to my channel") is None
    source._model = train(corpus())
    assert check(the_rule, "subscribe to my channel") is not None


def test_settings_come_from_config_keys_and_default_to_the_config_defaults():
    settings = ClassifierSettings.from_config({**DEFAULTS, "CLASSIFIER_SPAM_THRESHOLD": "0.97",
                                               "CLASSIFIER_MIN_HAM": 5})
    assert settings.spam_threshold == 0.97 and settings.min_ham == 5
    assert settings.hold_threshold == ClassifierSettings().hold_threshold
    assert ClassifierSettings() == ClassifierSettings.from_config(DEFAULTS)


def test_features_of_the_submission_include_author_and_links():
    # the rule classifies what the pipeline sees: body, name, email, website
    sub = submission(body="hi", author_name="Promo Channel", author_url="http://spam.example")
    assert {"name:promo", "site:host:spam.example"} <= features(
        sub.body, sub.author_name, sub.author_email, sub.author_url)


def test_a_score_well_below_the_hold_threshold_clears_the_style_rules():
    from engage.moderation.rules.repetition import RepetitionRule
    from engage.moderation.rules.shouting import ShoutingRule

    model = train(corpus())
    style = [ShoutingRule(0.7, 20), RepetitionRule(10, 5)]
    sure = rule(model, hold_threshold=0.2, clear_share=0.5)
    finding = check(sure, "i love this song")
    assert finding.score < 0.1 and finding.clears_style and "sure" in finding.reason
    # an excited fan is published once the filter is sure; with the share at 0 it is held
    fan = submission(body="I LOVE THIS SONG SO MUCH, BEST VIDEO EVER")
    assert moderate(fan, MemoryHistory(), [sure, *style]).action is None
    never = rule(model, hold_threshold=0.2, clear_share=0)
    assert not check(never, "i love this song").clears_style
    assert moderate(fan, MemoryHistory(), [never, *style]).action is Action.HOLD


def test_an_unsure_score_leaves_shouting_to_hold():
    model = LinearModel({" bias": 0.0}, spam_examples=1, ham_examples=1)  # always 0.5
    unsure = rule(model, spam_threshold=0.9, hold_threshold=0.6, clear_share=0.5)
    finding = check(unsure, "hello")
    assert finding.action is None and not finding.clears_style
