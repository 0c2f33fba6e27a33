"""The name of every rule, as stored in a comment's reasons and shown to moderators."""

from __future__ import annotations

import enum


class RuleName(enum.StrEnum):
    HONEYPOT = "honeypot"
    BLOCKLIST = "blocklist"
    BLOCKED_WORDS = "blocked_words"
    TOO_MANY_LINKS = "too_many_links"
    TOO_FAST = "too_fast"
    TRUSTED_AUTHOR = "trusted_author"
    MODERATION_WORDS = "moderation_words"
    PROFANITY = "profanity"
    LINKS = "links"
    SHOUTING = "shouting"
    REPETITION = "repetition"
    FIRST_COMMENT = "first_comment"
    PREMOD = "premod"
