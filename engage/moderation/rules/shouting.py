"""Shouting: a comment written mostly in capital letters → held.

A STYLE rule (``RuleKind.STYLE``): trusted authors skip it, and so does a comment the spam
filter is sure is legitimate (its score below ``CLASSIFIER_CLEAR_SHARE`` of the hold
threshold): on TubeSpam it held excited fans ("wowwwww", "I LOVE THIS SONG") far more often
than spam the filter had not already caught (README, "The spam filter")."""

from __future__ import annotations

from engage.moderation.pipeline import Action, Finding, History, RuleKind, Submission
from engage.moderation.rules.names import RuleName


class ShoutingRule:
    name = RuleName.SHOUTING
    kind = RuleKind.STYLE

    def __init__(self, ratio: float, min_letters: int):
        self.ratio = ratio
        self.min_letters = max(1, min_letters)

    def check(self, submission: Submission, history: History) -> Finding | None:
        body = submission.body
        upper = sum(1 for ch in body if ch.isupper())
        if upper < self.min_letters * self.ratio:
            return None
        # Only letters with case count: Chinese or Arabic text is neither loud nor quiet.
        cased = upper + sum(1 for ch in body if ch.islower())
        if cased < self.min_letters or upper < self.ratio * cased:
            return None
        return Finding(self.name, f"{upper * 100 // cased}% of the letters are capitals",
                       evidence=round(upper / cased, 2), action=Action.HOLD)
