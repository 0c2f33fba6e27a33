"""First comment (mode ``first``): a reader's comments are held until one has been approved.

"A reader" is a proven one (``submission.author_key``, engage/readers.py): an unproven post is
always a first comment, whatever email it names, so that typing a regular's email neither
publishes straight away nor tells the sender that the address has been approved before.
"""

from __future__ import annotations

from engage.moderation.pipeline import Action, Finding, History, RuleKind, Submission
from engage.moderation.rules.names import RuleName


class FirstCommentRule:
    name = RuleName.FIRST_COMMENT
    kind = RuleKind.HOLD

    def check(self, submission: Submission, history: History) -> Finding | None:
        author = submission.author_key
        if author is None:
            return Finding(self.name, "nothing proves who the author is (no reader key; "
                           "first-comment mode)", action=Action.HOLD)
        if history.approved_count(author) > 0:
            return None
        return Finding(self.name, "the author has no approved comment yet (first-comment mode)",
                       action=Action.HOLD)
