"""The profanity rule with the real matcher: held (censored evidence), censored, or off."""

import pytest

from engage.moderation.settings.options import ModerationOptions, ProfanityMode
from engage.moderation.pipeline import Action, MemoryHistory
from engage.moderation.rules.profanity import ProfanityRule
from tests.moderation.builders import ADA, run, submission


@pytest.fixture(scope="module")
def matcher():
    from engage.moderation.profanity import ProfanityMatcher

    return ProfanityMatcher.default()


def test_profanity_is_held_with_the_censored_text_as_evidence(matcher):
    finding = ProfanityRule(matcher, ProfanityMode.HOLD).check(submission(body="what the shit"),
                                                               None)
    assert finding.action is Action.HOLD
    assert finding.evidence == "what the ****"


def test_leetspeak_is_caught_like_better_profanity_does(matcher):
    finding = ProfanityRule(matcher, ProfanityMode.HOLD).check(submission(body="you sh1t"), None)
    assert finding is not None and finding.action is Action.HOLD


def test_clean_text_and_substrings_pass(matcher):
    assert ProfanityRule(matcher, ProfanityMode.HOLD).check(
        submission(body="a classic class assessment"), None) is None


def test_censor_mode_publishes_the_censored_body_even_for_trusted_authors(matcher):
    options = ModerationOptions(profanity=ProfanityMode.CENSOR)
    trusted = MemoryHistory(approved={ADA: 1})
    for history in (MemoryHistory(), trusted):
        verdict = run(submission(body="what the shit"), options, history=history,
                      profanity=matcher)
        assert verdict.action is None
        assert verdict.rewritten_body == "what the ****"


def test_off_mode_leaves_the_rule_out(matcher):
    options = ModerationOptions(profanity=ProfanityMode.OFF)
    assert run(submission(body="what the shit"), options, profanity=matcher).findings == ()


def test_trusted_authors_skip_the_hold(matcher):
    trusted = MemoryHistory(approved={ADA: 1})
    assert run(submission(body="what the shit"), history=trusted, profanity=matcher).action \
        is None
