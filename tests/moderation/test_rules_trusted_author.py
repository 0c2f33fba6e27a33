from engage.moderation.settings.options import ModerationOptions
from engage.moderation.pipeline import Action, MemoryHistory
from tests.moderation.builders import run, rule_names, submission

LOUD = "THIS IS A VERY LOUD COMMENT ABOUT THE LAUNCH"
TRUSTED = MemoryHistory(approved={"ada@example.org": 2})


def test_an_author_with_approved_comments_and_no_spam_skips_hold_rules():
    verdict = run(submission(body=LOUD), history=TRUSTED)
    assert verdict.action is None
    assert rule_names(verdict) == ["trusted_author"]


def test_trust_never_skips_spam_rules():
    body = LOUD + " " + " ".join(f"http://s{i}.example" for i in range(6))
    assert run(submission(body=body), history=TRUSTED).action is Action.SPAM


def test_any_spam_in_the_past_loses_the_trust():
    history = MemoryHistory(approved={"ada@example.org": 5}, spam={"ada@example.org": 1})
    assert run(submission(body=LOUD), history=history).action is Action.HOLD


def test_a_new_author_or_a_post_without_form_token_gets_no_trust():
    assert run(submission(body=LOUD)).action is Action.HOLD
    assert run(submission(body=LOUD, form_token_age=None), history=TRUSTED).action is Action.HOLD


def test_trust_can_be_switched_off():
    options = ModerationOptions(trust_approved_authors=False)
    assert run(submission(body=LOUD), options, history=TRUSTED).action is Action.HOLD
