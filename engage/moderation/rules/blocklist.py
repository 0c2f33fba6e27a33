"""Blocklist: an author email, email domain, IP network or linked host that moderators blocked."""

from __future__ import annotations

import ipaddress

from engage.moderation.links import find_links, host_matches, host_of
from engage.moderation.settings.options import Blocklist
from engage.moderation.pipeline import Action, Finding, History, RuleKind, Submission
from engage.moderation.rules.names import RuleName


class BlocklistRule:
    name = RuleName.BLOCKLIST
    kind = RuleKind.SPAM

    def __init__(self, blocklist: Blocklist):
        self.blocklist = blocklist

    def check(self, submission: Submission, history: History) -> Finding | None:
        hit = self._hit(submission)
        if hit is None:
            return None
        what, value = hit
        return Finding(self.name, f"the {what} is on the blocklist", evidence=value,
                       action=Action.SPAM)

    def _hit(self, submission: Submission) -> tuple[str, str] | None:
        blocked = self.blocklist
        email = submission.author_email.strip().lower()
        if email in blocked.emails:
            return "email", email
        domain = email.rpartition("@")[2]
        for entry in blocked.domains:
            if domain and host_matches(domain, entry):
                return "email domain", entry
        if blocked.networks and submission.ip_prefix:
            network = _network(submission.ip_prefix)
            for entry in blocked.networks:
                if network is not None and network.version == entry.version \
                        and network.overlaps(entry):
                    return "IP network", str(entry)
        if blocked.hosts:
            urls = list(find_links(submission.body))
            if submission.author_url:
                urls.append(submission.author_url)
            for host in {host_of(url) for url in urls}:
                for entry in blocked.hosts:
                    if host_matches(host, entry):
                        return "linked host", host
        return None


def _network(prefix: str):
    try:
        return ipaddress.ip_network(prefix, strict=False)
    except ValueError:
        return None
