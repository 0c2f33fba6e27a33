"""One name per rule: every rule the pipeline can run has a RuleName and a label on the queue's
cards, and neither the names nor the labels speak of a rule that does not exist."""

from engage.moderation.profanity import ProfanityMatcher
from engage.moderation.rules import build_rules
from engage.moderation.rules.names import RuleName
from engage.moderation.settings.options import Blocklist, ModerationMode, ModerationOptions
from engage.queue.items import LINK_RULES, RULE_LABELS, WORD_RULES
from engage.spamfilter.rule import ClassifierRule


class Untrained:
    def model(self):
        return None


def every_rule():
    """The rules of settings that switch every rule on, in each moderation mode (the modes'
    rules exclude each other), with the spam filter's rule."""
    blocklist = Blocklist.from_entries([("email", "spammer@example.org"), ("word", "casino")])
    options = ModerationOptions(moderation_words=("idiot",))
    rules = []
    for mode in ModerationMode:
        rules += build_rules(options.updated({"mode": mode}), blocklist,
                             ProfanityMatcher.default(), ClassifierRule(Untrained()))
    return rules


def test_every_rule_is_named_by_the_rule_name_enum():
    assert [rule for rule in every_rule() if not isinstance(rule.name, RuleName)] == []


def test_every_rule_name_is_a_rule_that_exists_and_has_a_queue_label():
    names = {rule.name for rule in every_rule()}
    assert set(RuleName) == names
    assert set(RULE_LABELS) == names
    assert all(RULE_LABELS.values())


def test_the_queue_highlights_evidence_only_of_rules_that_exist():
    names = {rule.name for rule in every_rule()}
    assert WORD_RULES <= names and LINK_RULES <= names
    assert not WORD_RULES & LINK_RULES
