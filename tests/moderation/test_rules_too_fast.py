from engage.moderation.pipeline import Action, MemoryHistory
from engage.moderation.rules.too_fast import TooFastRule
from tests.moderation.builders import ADA, run, submission


def test_posting_sooner_than_the_minimum_after_the_token_is_held():
    finding = TooFastRule(3).check(submission(form_token_age=1.25), None)
    assert finding.action is Action.HOLD and finding.evidence == 1.25
    assert TooFastRule(3).check(submission(form_token_age=3.0), None) is None


def test_a_forged_reused_or_expired_token_is_held_with_the_problem_as_evidence():
    for problem in ("forged", "reused", "expired"):
        finding = TooFastRule(3).check(submission(form_token_problem=problem,
                                                  form_token_age=None), None)
        assert finding.action is Action.HOLD and finding.evidence == problem


def test_no_token_is_allowed_and_zero_turns_the_timer_off():
    assert TooFastRule(3).check(submission(form_token_age=None), None) is None
    assert TooFastRule(0).check(submission(form_token_age=0.0), None) is None


def test_a_trusted_author_does_not_escape_the_bot_signal():
    history = MemoryHistory(approved={ADA: 3})
    assert run(submission(form_token_age=0.5), history=history).action is Action.HOLD
