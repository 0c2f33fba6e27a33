from engage.moderation.settings.options import ModerationMode, ModerationOptions
from engage.moderation.pipeline import Action, MemoryHistory
from tests.moderation.builders import ADA, run, rule_names, submission

TRUSTED = MemoryHistory(approved={ADA: 1})


def test_auto_publishes_a_clean_comment():
    assert run(submission()).action is None


def test_premod_holds_everything_even_trusted_authors():
    options = ModerationOptions(mode=ModerationMode.PREMOD)
    verdict = run(submission(), options, history=TRUSTED)
    assert verdict.action is Action.HOLD
    assert rule_names(verdict) == ["trusted_author", "premod"]


def test_premod_comes_last_so_specific_reasons_show():
    options = ModerationOptions(mode=ModerationMode.PREMOD)
    assert rule_names(run(submission(body="http://a.example http://b.example"), options)) \
        == ["links"]


def test_first_holds_until_one_comment_was_approved():
    options = ModerationOptions(mode=ModerationMode.FIRST)
    assert run(submission(), options).action is Action.HOLD
    assert run(submission(), options, history=TRUSTED).action is None
    # no token: no trust, but the approved comment still lets "first" mode pass
    assert run(submission(form_token_age=None), options, history=TRUSTED).action is None


def test_first_holds_every_unproven_post_whatever_its_email_did_before():
    options = ModerationOptions(mode=ModerationMode.FIRST)
    verdict = run(submission(author_key=None), options, history=TRUSTED)
    assert verdict.action is Action.HOLD
    assert rule_names(verdict) == ["first_comment"]
    assert run(submission(author_key="b" * 64), options, history=TRUSTED).action is Action.HOLD
