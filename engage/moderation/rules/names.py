"""The name of every rule, as stored in a comment's reasons and shown to moderators.

Every rule ``build_rules`` can run has its name here, the spam filter's rule
(``engage.spamfilter.rule``) too, and nothing else has; the queue labels its chips by these
names (``engage.queue.items.RULE_LABELS``). ``tests/queue/test_rule_labels.py`` holds all three
to that.
"""

from __future__ import annotations

import enum


class RuleName(enum.StrEnum):
    HONEYPOT = "honeypot"
    BLOCKLIST = "blocklist"
    BLOCKED_WORDS = "blocked_words"
    TOO_MANY_LINKS = "too_many_links"
    SPAM_FILTER = "spam_filter"
    TOO_FAST = "too_fast"
    TRUSTED_AUTHOR = "trusted_author"
    MODERATION_WORDS = "moderation_words"
    PROFANITY = "profanity"
    LINKS = "links"
    SHOUTING = "shouting"
    REPETITION = "repetition"
    FIRST_COMMENT = "first_comment"
    PREMOD = "premod"
