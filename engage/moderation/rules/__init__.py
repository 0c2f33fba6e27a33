"""The ordered rule list: the one place where the order of moderation rules is decided.

``build_rules(options, blocklist, profanity)`` turns the current settings into the list that
``pipeline.moderate`` runs. The first rule that decides (SPAM or HOLD) ends the run, so the
order says which reason a moderator sees first and which decision wins:

1. spam rules first, so that spam is never merely "held" because a hold rule ran earlier;
2. then the bot signal (form token), which no trust may skip;
3. then trust, which lets an established author skip the hold rules after it;
4. then the hold rules, cheapest and most specific first;
5. then the modes, which hold whatever got this far.

A rule whose setting is off (0, empty list, mode "off") is left out of the list, so it costs
nothing. To add a rule: one file in this package, one line below, in the right group.
"""

from __future__ import annotations

from engage.moderation.settings.options import Blocklist, ModerationMode, ModerationOptions, ProfanityMode
from engage.moderation.pipeline import Rule
from engage.moderation.rules.blocklist import BlocklistRule
from engage.moderation.rules.first_comment import FirstCommentRule
from engage.moderation.rules.honeypot import HoneypotRule
from engage.moderation.rules.links import LinksRule, TooManyLinksRule
from engage.moderation.rules.premod import PremodRule
from engage.moderation.rules.profanity import Censor, ProfanityRule
from engage.moderation.rules.repetition import RepetitionRule
from engage.moderation.rules.shouting import ShoutingRule
from engage.moderation.rules.too_fast import TooFastRule
from engage.moderation.rules.trusted_author import TrustedAuthorRule
from engage.moderation.rules.words import BlockedWordsRule, ModerationWordsRule
from engage.moderation.wordlist import WordMatcher


def build_rules(options: ModerationOptions, blocklist: Blocklist,
                profanity: Censor | None, classifier: Rule | None = None) -> list[Rule]:
    """The rules for these settings, in order. ``profanity`` is None when no matcher is wanted;
    ``classifier`` is the learned spam filter's rule, None when it is switched off."""
    rules: list[Rule] = []
    add = rules.append

    # --- spam: decide SPAM; trusted authors never skip these ---------------------------------
    add(HoneypotRule())                                   # a bot filled the hidden field
    if blocklist.emails or blocklist.domains or blocklist.networks or blocklist.hosts:
        add(BlocklistRule(blocklist))                     # moderators blocked this sender/host
    if blocklist.words:
        add(BlockedWordsRule(WordMatcher(blocklist.words)))
    if options.links_spam:
        add(TooManyLinksRule(options.links_spam))         # link farms
    if classifier is not None:
        add(classifier)                                   # learned from moderator decisions

    # --- bot signal: holds, and runs before trust is granted -----------------------------------
    add(TooFastRule(options.min_submit_seconds))          # forged/reused/expired token, too fast

    # --- trust: an established author skips the HOLD rules below -------------------------------
    if options.trust_approved_authors:
        add(TrustedAuthorRule())

    # --- hold: worth a moderator's look ---------------------------------------------------------
    if options.moderation_words:
        add(ModerationWordsRule(WordMatcher(options.moderation_words)))
    if profanity is not None and options.profanity is not ProfanityMode.OFF:
        add(ProfanityRule(profanity, options.profanity))  # CENSOR mode: rewrites, runs always
    if options.links_hold or options.link_shorteners:
        add(LinksRule(options.links_hold, options.link_shorteners))
    if options.shouting_ratio and options.shouting_min_letters:
        add(ShoutingRule(options.shouting_ratio, options.shouting_min_letters))
    if options.repeat_char_run > 1 or options.repeat_word_run > 1:
        add(RepetitionRule(options.repeat_char_run, options.repeat_word_run))

    # --- modes: hold what is left; premod is last so specific reasons come first ---------------
    if options.mode is ModerationMode.FIRST:
        add(FirstCommentRule())
    if options.mode is ModerationMode.PREMOD:
        add(PremodRule())
    return rules
