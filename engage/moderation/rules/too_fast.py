"""Too fast: a form token that is forged, reused or expired, or a post sooner than people type.

The token (``engage.moderation.form_token``) is checked by the comments service, which puts its
age and any problem in the submission. No token at all (API clients) is allowed here; such
comments only lose the trusted-author bonus (see ``trusted_author``).
"""

from __future__ import annotations

from engage.moderation.pipeline import Action, Finding, History, RuleKind, Submission
from engage.moderation.rules.names import RuleName


class TooFastRule:
    name = RuleName.TOO_FAST
    # A bot signal, not a content signal: even a trusted author's email must not escape it.
    kind = RuleKind.ALWAYS

    def __init__(self, min_seconds: float):
        self.min_seconds = min_seconds

    def check(self, submission: Submission, history: History) -> Finding | None:
        if submission.form_token_problem:
            return Finding(self.name, f"the form token is {submission.form_token_problem}",
                           evidence=submission.form_token_problem, action=Action.HOLD)
        age = submission.form_token_age
        if age is None or not self.min_seconds or age >= self.min_seconds:
            return None
        return Finding(self.name,
                       f"sent {age:.1f} s after the form opened (minimum {self.min_seconds:g} s)",
                       evidence=round(age, 3), action=Action.HOLD)
