"""Premoderation (mode ``premod``): every comment is held for a moderator, trusted or not."""

from __future__ import annotations

from engage.moderation.pipeline import Action, Finding, History, RuleKind, Submission
from engage.moderation.rules.names import RuleName


class PremodRule:
    name = RuleName.PREMOD
    kind = RuleKind.ALWAYS

    def check(self, submission: Submission, history: History) -> Finding | None:
        return Finding(self.name, "every comment is held for a moderator (premod mode)",
                       action=Action.HOLD)
