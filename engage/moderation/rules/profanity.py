"""Profanity: better-profanity's word list and leetspeak rules, through the fast matcher.

Mode HOLD holds the comment with the censored text as evidence; mode CENSOR publishes it with
the censored text as its body (a flag, no decision); mode OFF leaves this rule out of the list.
"""

from __future__ import annotations

from typing import Protocol

from engage.moderation.settings.options import ProfanityMode
from engage.moderation.pipeline import Action, Finding, History, RuleKind, Submission
from engage.moderation.rules.names import RuleName


class Censor(Protocol):
    def censor(self, text: str) -> str: ...


class ProfanityRule:
    name = RuleName.PROFANITY

    def __init__(self, matcher: Censor, mode: ProfanityMode):
        self.matcher = matcher
        self.mode = mode
        # Censoring is a publishing policy for everyone; holding is a review that trust skips.
        self.kind = RuleKind.ALWAYS if mode is ProfanityMode.CENSOR else RuleKind.HOLD

    def check(self, submission: Submission, history: History) -> Finding | None:
        # better-profanity defines "contains profanity" as "censoring changes the text".
        censored = self.matcher.censor(submission.body)
        if censored == submission.body:
            return None
        if self.mode is ProfanityMode.CENSOR:
            return Finding(self.name, "profanity was censored before publishing",
                           evidence=censored, rewrite=censored)
        return Finding(self.name, "contains profanity", evidence=censored, action=Action.HOLD)
