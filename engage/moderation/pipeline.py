"""The moderation pipeline: ordered rules turn a submission into a verdict.

Semantics (after Coral Talk's phases):
- rules run in the order of the list they are given;
- a finding with an ``action`` decides the status (SPAM or HOLD) and ends the run: the
  first decision wins, later rules are not asked;
- findings without an action are flags: they are kept as reasons but decide nothing;
- a finding with ``skip_hold`` (the trusted-author rule) makes later HOLD-kind and STYLE-kind
  rules be skipped, never SPAM-kind or ALWAYS-kind rules (ALWAYS: rules that only hold but that
  a trusted author must not escape, such as premoderation);
- a finding with ``clears_style`` (the spam filter, sure that a comment is legitimate) makes
  later STYLE-kind rules be skipped: shouting and repetition are stand-ins for "this looks like
  spam", and a filter that has read the text and is sure it is not needs no stand-in;
- a finding may carry ``rewrite``, a replacement body (the profanity rule in "censor" mode);
  ``Verdict.rewritten_body`` is the last one, and the caller stores it instead of the body.

This module is pure: no Flask, no database, no comments package. Rules receive an immutable
``Submission`` and a read-only ``History`` and return ``Finding | None``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Protocol


class Action(str, enum.Enum):
    """What a finding decides. SPAM and HOLD both look like "pending" to the submitter."""

    SPAM = "spam"
    HOLD = "hold"


class RuleKind(str, enum.Enum):
    """Which rules a trusted author skips: HOLD and STYLE rules; SPAM and ALWAYS rules always
    run. STYLE rules (how a comment looks: shouting, repetition) are also skipped after a
    finding that ``clears_style``."""

    SPAM = "spam"
    HOLD = "hold"
    ALWAYS = "always"
    STYLE = "style"


@dataclass(frozen=True)
class Submission:
    """Everything a rule may look at about one incoming comment. Never mutated."""

    article: str
    body: str
    author_name: str
    author_email: str
    now: datetime
    author_url: str | None = None
    parent_id: int | None = None
    ip_prefix: str | None = None
    user_agent: str | None = None
    honeypot: str = ""
    # Seconds since the form token was issued; None when the client sent no token.
    form_token_age: float | None = None
    # Why the token is unusable ("forged", "expired", "reused"), None when it is fine or absent.
    form_token_problem: str | None = None
    # Proof of authorship (engage/readers.py: HMAC of the email and the browser's reader key);
    # None for an unproven post. Rules ask about an author's past only with this, never with
    # the email: anyone can type an email, and an answer that depends on its past is an oracle.
    author_key: str | None = None


class History(Protocol):
    """Read-only facts about the earlier comments of one proven author (``author_key``)."""

    def approved_count(self, author_key: str) -> int: ...

    def spam_count(self, author_key: str) -> int: ...


@dataclass(frozen=True)
class Finding:
    """One rule's observation: why, with evidence a moderator can read."""

    rule: str
    reason: str
    evidence: Any = None
    action: Action | None = None
    skip_hold: bool = False
    clears_style: bool = False
    score: float | None = None
    # A replacement body to publish instead of the submitted one (e.g. censored text).
    rewrite: str | None = None

    def as_reason(self) -> dict[str, Any]:
        """The stored and moderator-visible form: ``{rule, reason, evidence}``."""
        return {"rule": self.rule, "reason": self.reason, "evidence": self.evidence}


@dataclass(frozen=True)
class Verdict:
    """The pipeline's outcome: the decisive action (None = publish) and every finding."""

    action: Action | None
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def spam_score(self) -> float | None:
        scores = [f.score for f in self.findings if f.score is not None]
        return scores[-1] if scores else None

    @property
    def rewritten_body(self) -> str | None:
        """The body to store instead of the submitted one, or None to keep it."""
        rewrites = [f.rewrite for f in self.findings if f.rewrite is not None]
        return rewrites[-1] if rewrites else None

    def reasons(self) -> list[dict[str, Any]]:
        return [finding.as_reason() for finding in self.findings]


class Rule(Protocol):
    name: str
    kind: RuleKind

    def check(self, submission: Submission, history: History) -> Finding | None: ...


def moderate(submission: Submission, history: History, rules: Iterable[Rule]) -> Verdict:
    """Run ``rules`` in order over ``submission``; see the module docstring for semantics."""
    findings: list[Finding] = []
    trusted = cleared = False
    for rule in rules:
        if trusted and rule.kind in (RuleKind.HOLD, RuleKind.STYLE):
            continue
        if cleared and rule.kind is RuleKind.STYLE:
            continue
        finding = rule.check(submission, history)
        if finding is None:
            continue
        findings.append(finding)
        trusted = trusted or finding.skip_hold
        cleared = cleared or finding.clears_style
        if finding.action is not None:
            return Verdict(finding.action, tuple(findings))
    return Verdict(None, tuple(findings))


@dataclass
class MemoryHistory:
    """A ``History`` held in memory (tests, benchmarks): counts per author key."""

    approved: dict[str, int] = field(default_factory=dict)
    spam: dict[str, int] = field(default_factory=dict)

    def approved_count(self, author_key: str) -> int:
        return self.approved.get(author_key, 0)

    def spam_count(self, author_key: str) -> int:
        return self.spam.get(author_key, 0)
