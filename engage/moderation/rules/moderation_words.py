"""Moderation words: a word or phrase from the settings' list in the body or name → held."""

from __future__ import annotations

from engage.moderation.pipeline import Action, Finding, History, RuleKind, Submission
from engage.moderation.rules.names import RuleName
from engage.moderation.wordlist import WordMatcher


class ModerationWordsRule:
    name = RuleName.MODERATION_WORDS
    kind = RuleKind.HOLD

    def __init__(self, words: WordMatcher):
        self.words = words

    def check(self, submission: Submission, history: History) -> Finding | None:
        found = self.words.find(submission.body) + self.words.find(submission.author_name)
        if not found:
            return None
        return Finding(self.name, "contains words that moderators review",
                       evidence=sorted(set(found)), action=Action.HOLD)
