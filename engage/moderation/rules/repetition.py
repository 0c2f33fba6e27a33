"""Repetition: one character or one word repeated many times in a row → held.

A STYLE rule (``RuleKind.STYLE``): trusted authors skip it, and so does a comment the spam
filter is sure is legitimate (its score below ``CLASSIFIER_CLEAR_SHARE`` of the hold
threshold): on TubeSpam it held excited fans ("wowwwww", "I LOVE THIS SONG") far more often
than spam the filter had not already caught (README, "The spam filter")."""

from __future__ import annotations

import re

from engage.moderation.pipeline import Action, Finding, History, RuleKind, Submission
from engage.moderation.rules.names import RuleName


class RepetitionRule:
    name = RuleName.REPETITION
    kind = RuleKind.STYLE

    def __init__(self, char_run: int, word_run: int):
        self.char_run = char_run
        self.word_run = word_run
        self._chars = re.compile(r"(\S)\1{%d,}" % (char_run - 1)) if char_run > 1 else None
        self._words = (re.compile(r"\b(\w+)(?:\W+\1\b){%d,}" % (word_run - 1), re.IGNORECASE)
                       if word_run > 1 else None)

    def check(self, submission: Submission, history: History) -> Finding | None:
        body = submission.body
        if self._chars is not None and (match := self._chars.search(body)):
            return Finding(self.name, f"a character repeated {len(match.group(0))} times",
                           evidence=match.group(0)[:40], action=Action.HOLD)
        if self._words is not None and (match := self._words.search(body)):
            return Finding(self.name, f"the word {match.group(1)!r} repeated",
                           evidence=match.group(0)[:100], action=Action.HOLD)
        return None
