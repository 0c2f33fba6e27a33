"""Word lists: a listed word or phrase in the body or the author's name decides.

Two rules, one matching: ``BlockedWordsRule`` (the blocklist's words → spam, a SPAM rule that
trusted authors do not skip) and ``ModerationWordsRule`` (the settings' words → held, a HOLD
rule). The evidence is the words found, which the queue highlights in the body.
"""

from __future__ import annotations

from engage.moderation.pipeline import Action, Finding, History, RuleKind, Submission
from engage.moderation.rules.names import RuleName
from engage.moderation.wordlist import WordMatcher


class _WordListRule:
    name: RuleName
    kind: RuleKind
    action: Action
    reason: str

    def __init__(self, words: WordMatcher):
        self.words = words

    def check(self, submission: Submission, history: History) -> Finding | None:
        found = self.words.find(submission.body) + self.words.find(submission.author_name)
        if not found:
            return None
        return Finding(self.name, self.reason, evidence=sorted(set(found)), action=self.action)


class BlockedWordsRule(_WordListRule):
    name = RuleName.BLOCKED_WORDS
    kind = RuleKind.SPAM
    action = Action.SPAM
    reason = "contains blocked words"


class ModerationWordsRule(_WordListRule):
    name = RuleName.MODERATION_WORDS
    kind = RuleKind.HOLD
    action = Action.HOLD
    reason = "contains words that moderators review"
