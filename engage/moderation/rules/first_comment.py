"""First comment (mode ``first``): a reader's comments are held until one has been approved."""

from __future__ import annotations

from engage.moderation.pipeline import Action, Finding, History, RuleKind, Submission
from engage.moderation.rules.names import RuleName


class FirstCommentRule:
    name = RuleName.FIRST_COMMENT
    kind = RuleKind.HOLD

    def check(self, submission: Submission, history: History) -> Finding | None:
        if history.approved_count(submission.author_email) > 0:
            return None
        return Finding(self.name, "the author has no approved comment yet (first-comment mode)",
                       action=Action.HOLD)
