"""Trusted author: a proven reader with approved comments and no spam skips the HOLD rules.

Trust rests on proof, never on the email string: the post must carry the reader key of the
browser that wrote the approved comments (``submission.author_key``, see engage/readers.py).
Anyone can type a regular's email; without their browser's key the post is a stranger's. An
unproven post is never trusted, and asks nothing about any history (its answer and the work
behind it cannot depend on what an email did before). The bonus also needs a valid form
token: a comment posted through the widget. SPAM and ALWAYS rules still run for trusted authors.
"""

from __future__ import annotations

from engage.moderation.pipeline import Finding, History, RuleKind, Submission
from engage.moderation.rules.names import RuleName


class TrustedAuthorRule:
    name = RuleName.TRUSTED_AUTHOR
    kind = RuleKind.ALWAYS

    def check(self, submission: Submission, history: History) -> Finding | None:
        author = submission.author_key
        if author is None or submission.form_token_age is None or submission.form_token_problem:
            return None
        approved = history.approved_count(author)
        if approved == 0 or history.spam_count(author) > 0:
            return None
        return Finding(self.name, f"the author has {approved} approved comments and no spam",
                       evidence=approved, skip_hold=True)
