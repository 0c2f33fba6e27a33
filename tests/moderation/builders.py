"""Builders for moderation tests: a plain submission with overridable fields, and a runner."""

from __future__ import annotations

from datetime import datetime, timezone

from engage.moderation.settings.options import Blocklist, ModerationOptions
from engage.moderation.pipeline import MemoryHistory, Submission, Verdict, moderate
from engage.moderation.rules import build_rules

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
# The author key of Ada's browser (engage/readers.py); histories are keyed by it.
ADA = "a" * 64


def submission(**overrides) -> Submission:
    """A clean comment sent through the widget (reader key: ``ADA``) 30 s after the form
    token was issued."""
    fields = {
        "article": "/news/launch",
        "body": "A thoughtful remark about the launch.",
        "author_name": "Ada Reader",
        "author_email": "ada@example.org",
        "now": NOW,
        "ip_prefix": "203.0.113.0/24",
        "form_token_age": 30.0,
        "author_key": ADA,
    }
    fields.update(overrides)
    return Submission(**fields)


def run(sub: Submission, options: ModerationOptions | None = None,
        blocklist: Blocklist | None = None, history: MemoryHistory | None = None,
        profanity=None) -> Verdict:
    """Moderate ``sub`` with the full rule list built from these settings."""
    rules = build_rules(options or ModerationOptions(), blocklist or Blocklist(), profanity)
    return moderate(sub, history or MemoryHistory(), rules)


def rule_names(verdict: Verdict) -> list[str]:
    return [str(finding.rule) for finding in verdict.findings]
