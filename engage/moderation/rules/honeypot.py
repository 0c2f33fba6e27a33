"""Honeypot: a form field hidden from people (``phone``); anything typed into it is a bot."""

from __future__ import annotations

from engage.moderation.pipeline import Action, Finding, History, RuleKind, Submission
from engage.moderation.rules.names import RuleName


class HoneypotRule:
    name = RuleName.HONEYPOT
    kind = RuleKind.SPAM

    def check(self, submission: Submission, history: History) -> Finding | None:
        if not submission.honeypot.strip():
            return None
        return Finding(self.name, "the hidden honeypot field was filled in",
                       evidence=submission.honeypot[:100], action=Action.SPAM)
