"""Blocked words (spam) and moderation words (held) match whole words, Unicode-aware."""

from engage.moderation.settings.options import Blocklist, ModerationOptions
from engage.moderation.pipeline import Action
from engage.moderation.rules.words import BlockedWordsRule, ModerationWordsRule
from engage.moderation.wordlist import WordMatcher
from tests.moderation.builders import run, submission


def test_word_boundaries_not_substrings():
    words = WordMatcher(["ass"])
    assert words.find("a class of its own, passing by") == []
    assert words.find("what an ass!") == ["ass"]
    assert words.find("ASS") == ["ass"]


def test_unicode_letters_are_word_characters():
    words = WordMatcher(["öl", "straße"])
    assert words.find("Heizöl und Öl") == ["öl"]          # "Heizöl" is one word
    assert words.find("die Straße.") == ["straße"]


def test_phrases_match_across_any_separator_and_wildcards_match_endings():
    words = WordMatcher(["free money", "viagr*"])
    assert words.find("get FREE-money now") == ["free-money"]
    assert words.find("cheap viagra and viagras") == ["viagra", "viagras"]
    assert words.find("freemoney") == []


def test_compatibility_forms_cannot_dodge_the_list():
    assert WordMatcher(["casino"]).find("ｃａｓｉｎｏ night") == ["casino"]


def test_blocked_word_in_body_or_name_is_spam():
    rule = BlockedWordsRule(WordMatcher(["casino"]))
    assert rule.check(submission(body="Best Casino bonus"), None).action is Action.SPAM
    assert rule.check(submission(author_name="casino king"), None).evidence == ["casino"]
    assert rule.check(submission(body="occasional"), None) is None


def test_moderation_word_is_held():
    rule = ModerationWordsRule(WordMatcher(["idiot"]))
    finding = rule.check(submission(body="You idiot, and you, IDIOT."), None)
    assert finding.action is Action.HOLD and finding.evidence == ["idiot"]


def test_blocked_words_come_from_the_blocklist_and_moderation_words_from_the_settings():
    blocked = Blocklist(words=("casino",))
    options = ModerationOptions(moderation_words=("idiot",))
    assert run(submission(body="idiot casino"), options, blocked).action is Action.SPAM
    assert run(submission(body="idiot"), options, blocked).action is Action.HOLD
    assert run(submission(body="fine"), options, blocked).action is None


import unicodedata  # noqa: E402

from hypothesis import given, strategies as st  # noqa: E402

# Letters that stay letters under NFKC (U+013F "Ŀ" becomes "L·", and "·" ends a word).
letters = st.text(alphabet=st.characters(categories=["Ll", "Lu"]), min_size=1, max_size=5).filter(
    lambda text: unicodedata.normalize("NFKC", text).isalpha())
separators = st.text(alphabet=" .,;:!?-()\n'\"", min_size=1, max_size=3)


@given(word=st.sampled_from(["ass", "idiot", "öl"]), before=letters, after=letters)
def test_a_listed_word_inside_a_longer_word_never_matches(word, before, after):
    assert WordMatcher([word]).find(before + word + " " + word + after) == []


@given(word=st.sampled_from(["ass", "idiot", "öl"]), left=separators, right=separators)
def test_a_listed_word_between_separators_always_matches(word, left, right):
    assert WordMatcher([word]).find("x" + left + word.upper() + right + "y") == [word]
