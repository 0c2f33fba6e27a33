"""Links: many links are the mark of spam, a few or a shortened one are worth a look.

Two rules share the counting: ``TooManyLinksRule`` (spam, a SPAM rule that trusted authors do
not skip) and ``LinksRule`` (held, a HOLD rule). Links are counted in the body only; the
author's website is the blocklist's business.
"""

from __future__ import annotations

from engage.moderation.links import find_links, host_matches, host_of
from engage.moderation.pipeline import Action, Finding, History, RuleKind, Submission
from engage.moderation.rules.names import RuleName


class TooManyLinksRule:
    name = RuleName.TOO_MANY_LINKS
    kind = RuleKind.SPAM

    def __init__(self, threshold: int):
        self.threshold = threshold

    def check(self, submission: Submission, history: History) -> Finding | None:
        links = find_links(submission.body)
        if not self.threshold or len(links) < self.threshold:
            return None
        return Finding(self.name, f"{len(links)} links (spam from {self.threshold})",
                       evidence=list(links[:10]), action=Action.SPAM)


class LinksRule:
    name = RuleName.LINKS
    kind = RuleKind.HOLD

    def __init__(self, threshold: int, shorteners: tuple[str, ...]):
        self.threshold = threshold
        self.shorteners = shorteners

    def check(self, submission: Submission, history: History) -> Finding | None:
        links = find_links(submission.body)
        if not links:
            return None
        shortened = [url for url in links
                     if any(host_matches(host_of(url), s) for s in self.shorteners)]
        if shortened:
            return Finding(self.name, "links through a URL shortener", evidence=shortened[:10],
                           action=Action.HOLD)
        if self.threshold and len(links) >= self.threshold:
            return Finding(self.name, f"{len(links)} links (held from {self.threshold})",
                           evidence=list(links[:10]), action=Action.HOLD)
        return None
