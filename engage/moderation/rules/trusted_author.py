"""Trusted author: earlier approved comments and no spam under this email skip the HOLD rules.

Anyone can type anyone's email, so the bonus also needs a valid form token: a comment posted
through the widget, not straight to the API. SPAM and ALWAYS rules still run for trusted authors.
"""

from __future__ import annotations

from engage.moderation.pipeline import Finding, History, RuleKind, Submission
from engage.moderation.rules.names import RuleName


class TrustedAuthorRule:
    name = RuleName.TRUSTED_AUTHOR
    kind = RuleKind.ALWAYS

    def check(self, submission: Submission, history: History) -> Finding | None:
        if submission.form_token_age is None or submission.form_token_problem:
            return None
        approved = history.approved_count(submission.author_email)
        if approved == 0 or history.spam_count(submission.author_email) > 0:
            return None
        return Finding(self.name, f"the author has {approved} approved comments and no spam",
                       evidence=approved, skip_hold=True)
