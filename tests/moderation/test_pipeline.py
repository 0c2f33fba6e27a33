"""Pipeline semantics: order decides, the first decision wins, flags add up, trust skips HOLD."""

from __future__ import annotations

from dataclasses import dataclass

from engage.moderation.pipeline import (Action, Finding, MemoryHistory, RuleKind, Verdict,
                                        moderate)
from tests.moderation.builders import submission


@dataclass
class Fixed:
    """A rule that always answers the same finding (None = nothing to say), and counts calls."""

    name: str
    kind: RuleKind
    finding: Finding | None
    calls: int = 0

    def check(self, sub, history):
        self.calls += 1
        return self.finding


def flag(name, **kw):
    return Fixed(name, RuleKind.HOLD, Finding(name, f"{name} noticed", **kw))


def decide(name, action, kind=None):
    kind = kind or (RuleKind.SPAM if action is Action.SPAM else RuleKind.HOLD)
    return Fixed(name, kind, Finding(name, f"{name} decided", action=action))


def test_no_rule_no_finding_means_publish():
    verdict = moderate(submission(), MemoryHistory(), [])
    assert verdict == Verdict(None, ())


def test_first_decision_wins_and_later_rules_are_not_asked():
    hold, spam = decide("hold", Action.HOLD), decide("spam", Action.SPAM)
    verdict = moderate(submission(), MemoryHistory(), [hold, spam])
    assert verdict.action is Action.HOLD
    assert [f.rule for f in verdict.findings] == ["hold"]
    assert spam.calls == 0


def test_order_of_the_list_is_the_order_of_decisions():
    hold, spam = decide("hold", Action.HOLD), decide("spam", Action.SPAM)
    assert moderate(submission(), MemoryHistory(), [spam, hold]).action is Action.SPAM


def test_flags_accumulate_before_and_up_to_the_decision():
    rules = [flag("a"), Fixed("quiet", RuleKind.HOLD, None), flag("b"),
             decide("hold", Action.HOLD), flag("after")]
    verdict = moderate(submission(), MemoryHistory(), rules)
    assert [f.rule for f in verdict.findings] == ["a", "b", "hold"]
    assert verdict.reasons() == [
        {"rule": "a", "reason": "a noticed", "evidence": None},
        {"rule": "b", "reason": "b noticed", "evidence": None},
        {"rule": "hold", "reason": "hold decided", "evidence": None},
    ]


def test_flags_alone_publish():
    verdict = moderate(submission(), MemoryHistory(), [flag("a"), flag("b")])
    assert verdict.action is None and len(verdict.findings) == 2


def test_trust_skips_later_hold_rules_but_never_spam_or_always_rules():
    trust = Fixed("trust", RuleKind.ALWAYS, Finding("trust", "trusted", skip_hold=True))
    hold = decide("hold", Action.HOLD)
    always = decide("premod", Action.HOLD, kind=RuleKind.ALWAYS)
    spam = decide("spam", Action.SPAM)
    assert moderate(submission(), MemoryHistory(), [trust, hold]).action is None
    assert hold.calls == 0
    assert moderate(submission(), MemoryHistory(), [trust, hold, spam]).action is Action.SPAM
    assert moderate(submission(), MemoryHistory(), [trust, always]).action is Action.HOLD


def test_trust_does_not_reach_back_to_rules_before_it():
    hold = decide("hold", Action.HOLD)
    trust = Fixed("trust", RuleKind.ALWAYS, Finding("trust", "trusted", skip_hold=True))
    assert moderate(submission(), MemoryHistory(), [hold, trust]).action is Action.HOLD


def test_spam_score_is_the_last_score_given():
    rules = [flag("a", score=0.2), flag("b"), flag("c", score=0.9)]
    assert moderate(submission(), MemoryHistory(), rules).spam_score == 0.9
    assert moderate(submission(), MemoryHistory(), [flag("a")]).spam_score is None


def test_rewritten_body_is_the_last_rewrite():
    rules = [flag("a", rewrite="first"), flag("b", rewrite="second")]
    assert moderate(submission(), MemoryHistory(), rules).rewritten_body == "second"
    assert moderate(submission(), MemoryHistory(), [flag("a")]).rewritten_body is None


def test_a_finding_that_clears_style_skips_later_style_rules_only():
    clear = Fixed("filter", RuleKind.SPAM, Finding("filter", "sure", clears_style=True))
    style = decide("shouting", Action.HOLD, kind=RuleKind.STYLE)
    hold = decide("profanity", Action.HOLD)
    verdict = moderate(submission(), MemoryHistory(), [clear, style, hold])
    assert verdict.action is Action.HOLD and verdict.findings[-1].rule == "profanity"
    assert style.calls == 0
    # without the clearing finding the style rule decides
    assert moderate(submission(), MemoryHistory(), [style, hold]).findings[-1].rule == "shouting"


def test_trust_skips_style_rules_as_it_skips_hold_rules():
    trust = Fixed("trust", RuleKind.ALWAYS, Finding("trust", "trusted", skip_hold=True))
    style = decide("repetition", Action.HOLD, kind=RuleKind.STYLE)
    assert moderate(submission(), MemoryHistory(), [trust, style]).action is None
    assert style.calls == 0
