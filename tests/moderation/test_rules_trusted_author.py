from engage.moderation.settings.options import ModerationOptions
from engage.moderation.pipeline import Action, MemoryHistory
from tests.moderation.builders import ADA, run, rule_names, submission

LOUD = "THIS IS A VERY LOUD COMMENT ABOUT THE LAUNCH"
TRUSTED = MemoryHistory(approved={ADA: 2})


def test_an_author_with_approved_comments_and_no_spam_skips_hold_rules():
    verdict = run(submission(body=LOUD), history=TRUSTED)
    assert verdict.action is None
    assert rule_names(verdict) == ["trusted_author"]


def test_trust_never_skips_spam_rules():
    body = LOUD + " " + " ".join(f"http://s{i}.example" for i in range(6))
    assert run(submission(body=body), history=TRUSTED).action is Action.SPAM


def test_any_spam_in_the_past_loses_the_trust():
    history = MemoryHistory(approved={ADA: 5}, spam={ADA: 1})
    assert run(submission(body=LOUD), history=history).action is Action.HOLD


def test_a_new_author_or_a_post_without_form_token_gets_no_trust():
    assert run(submission(body=LOUD)).action is Action.HOLD
    assert run(submission(body=LOUD, form_token_age=None), history=TRUSTED).action is Action.HOLD


def test_trust_can_be_switched_off():
    options = ModerationOptions(trust_approved_authors=False)
    assert run(submission(body=LOUD), options, history=TRUSTED).action is Action.HOLD


def test_trust_rests_on_the_author_key_never_on_the_email():
    # Ada's email typed by someone without her browser's key: no trust, no history asked for.
    unproven = submission(body=LOUD, author_key=None)
    assert run(unproven, history=TRUSTED).action is Action.HOLD
    stranger = submission(body=LOUD, author_key="b" * 64)
    assert run(stranger, history=TRUSTED).action is Action.HOLD


def test_an_unproven_post_asks_nothing_about_any_history():
    class Untouchable:
        def approved_count(self, author_key):
            raise AssertionError("an unproven post must not depend on any history")

        spam_count = approved_count

    from engage.moderation.pipeline import moderate
    from engage.moderation.rules import build_rules
    from engage.moderation.settings.options import Blocklist, ModerationMode

    for mode in ModerationMode:
        rules = build_rules(ModerationOptions(mode=mode), Blocklist(), None)
        moderate(submission(body=LOUD, author_key=None), Untouchable(), rules)


def test_spam_under_another_key_leaves_the_trust_alone():
    history = MemoryHistory(approved={ADA: 5}, spam={"b" * 64: 3})
    assert run(submission(body=LOUD), history=history).action is None
