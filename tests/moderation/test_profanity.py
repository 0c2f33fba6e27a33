"""ProfanityMatcher censors exactly as better-profanity 0.7.0 does, on any text.

Every test compares with the real ``better_profanity.Profanity`` in the same run, so a divergence
in tokenisation, leetspeak, joined words or any quirk fails here. better-profanity is slow
(~12 ms per comment, seconds per long text), which is why the hypothesis budgets stay modest.
"""

from __future__ import annotations

import csv
import random
import threading
from pathlib import Path

import pytest
from better_profanity import Profanity
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engage.moderation.profanity import ProfanityMatcher

TUBESPAM = Path("/work/shared/data/tubespam")
REFERENCE = Profanity()
MATCHER = ProfanityMatcher.default()
ENTRIES = sorted(str(entry) for entry in REFERENCE.CENSOR_WORDSET)
LEET = REFERENCE.CHARS_MAPPING

# --- spelled-out behaviour (each also checked against better-profanity) ----------------------

SPECIFIED = [
    ("", ""),
    ("hello world", "hello world"),
    ("fuck", "****"),
    ("FuCk you", "**** you"),
    ("you fuck", "you ****"),
    ("  fuck.", "  ****."),
    ("f*ck 5h1t a$$", "**** **** ****"),  # leetspeak substitutes
    ("class assignment", "class assignment"),  # whole words, never substrings
    ("sh!t", "sh!t"),  # "!" is a separator, not a letter
    ("b itch", "****"),  # a word joined directly with the next
    ("\tblow\t\tjob\t", "\t****\t"),  # joined with its separators; inner ones disappear
    ("2 girls 1 cup!", "****!"),
    ("hello p.u.s.s.y. x", "hello ****.y. x"),  # the shortest joined entry ("puss") wins
    ("f u c k", "f u c k"),  # a one-character last word is never joined
    ("f u c k!", "****!"),
    ("s-o-b", "s-o-b"),
    ("😀fuck😀", "😀****😀"),
    ("x", "x"),
    ("!x", "!x"),  # first word character is the last character: text comes back unparsed
]


@pytest.mark.parametrize(("text", "censored"), SPECIFIED)
def test_censor_follows_better_profanity_rules(text: str, censored: str) -> None:
    assert REFERENCE.censor(text) == censored
    assert MATCHER.censor(text) == censored


def test_censor_char_is_repeated_four_times() -> None:
    assert MATCHER.censor("oh fuck", "#") == REFERENCE.censor("oh fuck", "#") == "oh ####"


def test_non_string_input_is_converted_like_better_profanity() -> None:
    assert MATCHER.censor(12345) == REFERENCE.censor(12345) == "12345"


def test_censoring_twice_matches_better_profanity_twice() -> None:
    text = "fuck this sh1t, b itch. ****"
    assert MATCHER.censor(MATCHER.censor(text)) == REFERENCE.censor(REFERENCE.censor(text))


def test_find_returns_the_censored_spans_as_written() -> None:
    assert MATCHER.find("Hey F*CK you, blow  job! fine") == ["F*CK", "blow  job"]
    assert MATCHER.find("nothing to see") == []


def test_contains_profanity_matches_better_profanity() -> None:
    for text in ("clean text", "a$$hole", "f u c k", "f u c k!", ""):
        assert MATCHER.contains_profanity(text) == REFERENCE.contains_profanity(text)


def test_default_matcher_is_built_once_per_process_even_under_threads() -> None:
    ProfanityMatcher._default = None  # start from a cold cache to race the first build
    built: list[ProfanityMatcher] = []
    threads = [threading.Thread(target=lambda: built.append(ProfanityMatcher.default()))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(matcher) for matcher in built}) == 1
    assert ProfanityMatcher.default() is built[0]


# --- real comments ---------------------------------------------------------------------------


def _tubespam_contents(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [row["CONTENT"] for row in csv.DictReader(handle)]


@pytest.mark.parametrize("path", sorted(TUBESPAM.glob("*.csv")), ids=lambda path: path.name)
def test_every_tubespam_comment_is_censored_like_better_profanity(path: Path) -> None:
    contents = _tubespam_contents(path)
    assert len(contents) > 300
    mismatches = [text for text in contents if MATCHER.censor(text) != REFERENCE.censor(text)]
    assert mismatches == []


def test_tubespam_has_profanity_to_compare() -> None:
    """Guards the parity test above against passing on data where nothing ever matches."""
    contents = [text for path in TUBESPAM.glob("*.csv") for text in _tubespam_contents(path)]
    assert sum(MATCHER.find(text) != [] for text in contents) >= 10


# --- generated text --------------------------------------------------------------------------

SEPARATORS = list(" \t\n\r.,;:!?-_+/()[]<>#%&=~`|\\^") + ["  ", "\u00a0", "\u2028", "...", " - "]
UNICODE = ["é", "É", "ß", "Σ", "σς", "ΑΣ", "İ", "ǅ", "ﬀ", "ñ", "и", "日本", "😀", "\u0301", "\u200b"]
WORD_CHARS = list("abcdefghijklmnopqrstuvwxyzAEIOSU0123456789@$*\"'")
PLAIN_WORDS = ["the", "a", "I", "is", "class", "assess", "hello", "b", "it", "ch", "cup", "job"]


def _leetspeak(word: str) -> st.SearchStrategy[str]:
    return st.tuples(*(st.sampled_from(LEET.get(ch, (ch,))) for ch in word)).map("".join)


def _cased(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(strategy, st.sampled_from([str, str.upper, str.title])).map(
        lambda pair: pair[1](pair[0])
    )


FRAGMENTS = st.one_of(
    _cased(st.sampled_from(ENTRIES)),
    st.sampled_from(ENTRIES).flatmap(_leetspeak),
    st.sampled_from(PLAIN_WORDS),
    st.sampled_from(SEPARATORS),
    st.sampled_from(UNICODE),
    st.lists(st.sampled_from(WORD_CHARS + SEPARATORS + UNICODE), max_size=4).map("".join),
)
TEXTS = st.lists(FRAGMENTS, max_size=24).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS, censor_char=st.sampled_from(["*", "#", "", "xy"]))
def test_generated_text_is_censored_like_better_profanity(text: str, censor_char: str) -> None:
    assert MATCHER.censor(text, censor_char) == REFERENCE.censor(text, censor_char)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=40))
def test_arbitrary_unicode_is_censored_like_better_profanity(text: str) -> None:
    assert MATCHER.censor(text) == REFERENCE.censor(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS)
def test_find_is_empty_exactly_when_nothing_is_censored(text: str) -> None:
    found = MATCHER.find(text)
    assert (found == []) == (REFERENCE.censor(text, "#") == text)
    assert all(span in text for span in found)


# Small custom lists make matches dense. Without separators in any entry, better-profanity joins
# only one following word (MAX_NUMBER_COMBINATIONS == 1), which has its own look-ahead quirk.
CUSTOM_LISTS = [
    ["ab", "ba", "abc", "cab", "a"],
    ["ab", "a b", "b-a-b", "bad", "cat", "ca"],
    ["st", "s7", "ta", "a"],
]
CUSTOM_TEXTS = st.lists(
    st.sampled_from(["a", "b", "c", "ab", "ba", "cab", "s", "t", "@", "$", "7", "A", "B", "ta"]
                    + [" ", "-", ".", "  ", "!"]),
    max_size=30,
).map("".join)


@pytest.mark.parametrize("words", CUSTOM_LISTS, ids=lambda words: ",".join(words))
@settings(max_examples=300, deadline=None)
@given(text=CUSTOM_TEXTS)
def test_custom_word_lists_are_censored_like_better_profanity(words: list[str], text: str) -> None:
    matcher, reference = ProfanityMatcher.from_words(words), Profanity(words)
    assert matcher.censor(text) == reference.censor(text)


def test_whitelisted_words_are_not_censored_unless_another_entry_spells_them() -> None:
    text = "fuck this shit, motherfucker"
    for whitelist, censored in ((["shit"], "**** this shit, ****"),
                                (["fuck"], "**** this ****, ****")):  # "fvck": v stands for u
        reference = Profanity()
        reference.load_censor_words(whitelist_words=whitelist)
        matcher = ProfanityMatcher.from_words(whitelist=whitelist)
        assert matcher.censor(text) == reference.censor(text) == censored


def test_a_fully_whitelisted_list_falls_back_to_the_default_like_better_profanity() -> None:
    reference = Profanity(["darn"])
    reference.load_censor_words(["darn"], whitelist_words=["darn"])
    matcher = ProfanityMatcher.from_words(["darn"], whitelist=["darn"])
    assert matcher.censor("darn fuck") == reference.censor("darn fuck") == "darn ****"


# --- long text -------------------------------------------------------------------------------


def _long_text(seed: int, words: int) -> str:
    rng = random.Random(seed)
    vocabulary = PLAIN_WORDS + ["video", "song", "really", "love", "check", "channel"]
    parts = []
    for _ in range(words):
        roll = rng.random()
        word = rng.choice(ENTRIES) if roll < 0.05 else rng.choice(vocabulary)
        parts.append(word + rng.choice([" ", " ", " ", ", ", ". ", "!\n", " - "]))
    return "".join(parts)


def test_a_5000_word_text_is_censored_like_better_profanity() -> None:
    text = _long_text(seed=5000, words=5000)
    censored = MATCHER.censor(text)
    assert censored != text
    assert censored == REFERENCE.censor(text)
