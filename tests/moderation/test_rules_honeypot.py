from engage.moderation.pipeline import Action
from engage.moderation.rules.honeypot import HoneypotRule
from tests.moderation.builders import run, submission


def test_filled_honeypot_is_spam_with_the_value_as_evidence():
    finding = HoneypotRule().check(submission(honeypot="+1 555 0100"), None)
    assert finding.action is Action.SPAM
    assert finding.evidence == "+1 555 0100"


def test_empty_or_blank_honeypot_says_nothing():
    assert HoneypotRule().check(submission(honeypot=""), None) is None
    assert HoneypotRule().check(submission(honeypot="  "), None) is None


def test_honeypot_beats_every_hold_rule():
    verdict = run(submission(honeypot="x", body="LOUD LOUD LOUD LOUD LOUD LOUD", form_token_age=0.1))
    assert verdict.action is Action.SPAM
    assert [str(f.rule) for f in verdict.findings] == ["honeypot"]
