"""The rule list: one ordered place, spam before bot signal before trust before hold before modes."""

from engage.moderation.settings.options import (Blocklist, ModerationMode, ModerationOptions,
                                       ProfanityMode)
from engage.moderation.rules import build_rules


class NoCensor:
    def censor(self, text):
        return text


def names(options=ModerationOptions(), blocklist=Blocklist(), profanity=NoCensor()):
    return [str(rule.name) for rule in build_rules(options, blocklist, profanity)]


def test_everything_on_runs_in_the_documented_order():
    options = ModerationOptions(mode=ModerationMode.FIRST, moderation_words=("x",))
    blocklist = Blocklist(emails=frozenset({"a@b.c"}), words=("w",))
    assert names(options, blocklist) == [
        "honeypot", "blocklist", "blocked_words", "too_many_links",
        "too_fast", "trusted_author",
        "moderation_words", "profanity", "links", "shouting", "repetition",
        "first_comment",
    ]
    assert names(ModerationOptions(mode=ModerationMode.PREMOD))[-1] == "premod"


def test_rules_that_are_off_cost_nothing():
    options = ModerationOptions(links_spam=0, links_hold=0, link_shorteners=(),
                                profanity=ProfanityMode.OFF, shouting_ratio=0,
                                repeat_char_run=0, repeat_word_run=0,
                                trust_approved_authors=False)
    assert names(options) == ["honeypot", "too_fast"]
