"""A fast matcher that censors text exactly as better-profanity 0.7.0 does.

better-profanity compares every word, and every run of up to ``MAX_NUMBER_COMBINATIONS`` following
words, against ~900 ``VaryingString`` objects one after another: about 12 ms for an ordinary
comment and seconds for a long text. ``ProfanityMatcher`` keeps better-profanity as the source of
the word list, the leetspeak map and the word characters, and replaces the linear scans with one
dictionary lookup per word, built once per process.

Contract: for every ``better_profanity.Profanity`` instance ``p``, text ``t`` and censor char ``c``,
``ProfanityMatcher.from_profanity(p).censor(t, c) == p.censor(t, c)``. The behaviour it reproduces,
quirks included (the parity tests pin every one of them):

- A word is a maximal run of better-profanity's ``ALLOWED_CHARACTERS`` (ASCII letters and digits,
  ``@ $ * " '`` and ~5,800 Unicode letters and marks); anything else is a separator, so ``sh!t``
  is the two words ``sh`` and ``t``.
- A word matches an entry when, lowercased, it has the entry's length and each character is the
  entry's character or one of its leetspeak substitutes (``a`` → ``@ * 4``, ``s`` → ``$ 5`` …).
- A word followed by a separator is first joined with each of the next 1..N words, both directly
  (``b itch`` → ``bitch``) and with the separators as typed (``blow job``); the first hit replaces
  the whole span, inner separators included, by four censor chars. Otherwise the word alone is
  checked. The last word of the text is only ever checked alone.
- A one-character word that ends the text is never joined to the words before it.
- Text whose first word character is its last character comes back unchanged.
- When N == 1 (custom word lists without separators in any entry) better-profanity's look-ahead
  cache empties on every second word, so only the words at even positions (0, 2, 4 …) are joined
  to their successor; a joined match then spans two words, which keeps the parity.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Iterable, Mapping, Sequence

from better_profanity import Profanity
from better_profanity.constants import ALLOWED_CHARACTERS

#: Joins words so one C-level ``lower()`` serves them all; it is not a word character, and it
#: stops Unicode's final-sigma context, so each word lowercases exactly as it would alone.
_JOIN = "\n"


class ProfanityMatcher:
    """better-profanity's ``censor()`` with O(1) word lookups; immutable and thread-safe."""

    _default: ProfanityMatcher | None = None
    _default_lock = threading.Lock()

    def __init__(
        self,
        words: Iterable[str],
        char_map: Mapping[str, Sequence[str]],
        max_combinations: int,
        word_characters: Iterable[str] = ALLOWED_CHARACTERS,
    ) -> None:
        """Index ``words`` (as better-profanity stores them, i.e. already lowercased).

        ``char_map`` maps a character of an entry to all characters that may stand for it
        (itself included), like ``Profanity.CHARS_MAPPING``; ``max_combinations`` is how many
        following words are joined to a word (``Profanity.MAX_NUMBER_COMBINATIONS``).
        """
        if any(len(sub) != 1 for subs in char_map.values() for sub in subs):
            raise ValueError("only single-character substitutions are supported")
        word_characters = set(word_characters)
        if _JOIN in word_characters:
            raise ValueError("the newline cannot be a word character")
        self._max_combinations = max_combinations
        self._word_split = re.compile(f"({_character_class(word_characters)}+)")
        self._skeleton = _skeleton_table(char_map)
        self._entries: dict[str, list[tuple[str, ...]]] = {}
        for word in words:
            options = tuple("".join(char_map.get(ch, (ch,))) for ch in word)
            self._entries.setdefault(word.translate(self._skeleton), []).append(options)
        self._prefixes = frozenset(s[:i] for s in self._entries for i in range(1, len(s) + 1))
        self._proper_prefixes = frozenset(s[:i] for s in self._entries for i in range(1, len(s)))

    @classmethod
    def from_profanity(cls, profanity: Profanity) -> ProfanityMatcher:
        """Mirror a configured ``Profanity`` (custom words, whitelist, added words)."""
        words = [str(entry) for entry in profanity.CENSOR_WORDSET]
        max_combinations = profanity.MAX_NUMBER_COMBINATIONS
        if not words:  # censor() then loads the default list, keeping the raised maximum
            fallback = Profanity()
            words = [str(entry) for entry in fallback.CENSOR_WORDSET]
            max_combinations = max(max_combinations, fallback.MAX_NUMBER_COMBINATIONS)
        return cls(words, profanity.CHARS_MAPPING, max_combinations, ALLOWED_CHARACTERS)

    @classmethod
    def from_words(
        cls, words: Iterable[str] | None = None, whitelist: Iterable[str] | None = None
    ) -> ProfanityMatcher:
        """Same as ``Profanity(words)`` followed by ``load_censor_words(words, whitelist_words=…)``.

        ``words=None`` (or empty) means better-profanity's default list.
        """
        words = None if words is None else list(words)
        profanity = Profanity(words)
        if whitelist is not None:
            profanity.load_censor_words(words, whitelist_words=list(whitelist))
        return cls.from_profanity(profanity)

    @classmethod
    def default(cls) -> ProfanityMatcher:
        """The matcher for better-profanity's default list, built on first use once per process."""
        if cls._default is None:
            with cls._default_lock:
                if cls._default is None:
                    cls._default = cls.from_profanity(Profanity())
        return cls._default

    def censor(self, text: str, censor_char: str = "*") -> str:
        """``Profanity.censor(text, censor_char)``: each match becomes four censor chars."""
        text, censor_char = str(text), str(censor_char)
        pieces, matches = self._scan(text)
        if not matches:
            return text
        replacement = censor_char * 4
        for first, last in matches:
            pieces[1 + 2 * first] = replacement
            for i in range(2 + 2 * first, 2 + 2 * last):
                pieces[i] = ""  # the inner separators and the joined words
        return "".join(pieces)

    def contains_profanity(self, text: str) -> bool:
        """``Profanity.contains_profanity(text)``, defined like it as "censoring changes it"."""
        return text != self.censor(text)

    def find(self, text: str) -> list[str]:
        """The censored spans as they appear in ``text``, in order (evidence for moderators)."""
        text = str(text)
        pieces, matches = self._scan(text)
        starts = list(itertools.accumulate(map(len, pieces), initial=0))
        return [text[starts[1 + 2 * first] : starts[2 + 2 * last]] for first, last in matches]

    def _scan(self, text: str) -> tuple[list[str], list[tuple[int, int]]]:
        """Split ``text`` into ``[lead, word0, sep0, word1, sep1, …]`` and find the matches.

        A match ``(first, last)`` censors words ``first..last`` and the separators between them.
        """
        pieces = self._word_split.split(text)
        words, seps = pieces[1::2], pieces[2::2]
        if not words or (len(words) == 1 and len(words[0]) == 1 and not seps[0]):
            return pieces, []  # better-profanity returns such text unparsed
        lowered = _JOIN.join(words).lower()
        lower_words = lowered.split(_JOIN)
        skeletons = lowered.translate(self._skeleton).split(_JOIN)
        # Index of the last word that may be joined to an earlier one.
        last_joinable = len(words) - (2 if len(words[-1]) == 1 and not seps[-1] else 1)
        matches: list[tuple[int, int]] = []
        k = 0
        while k < len(words):
            skeleton = skeletons[k]
            if skeleton not in self._prefixes:
                k += 1
                continue
            if (
                seps[k]
                and skeleton in self._proper_prefixes
                and (self._max_combinations > 1 or k % 2 == 0)
            ):
                last = self._joined_match(k, min(k + self._max_combinations, last_joinable),
                                          words, seps, lower_words, skeletons)
                if last is not None:
                    matches.append((k, last))
                    k = last + 1
                    continue
            if self._is_entry(lower_words[k], skeleton):
                matches.append((k, k))
            k += 1
        return pieces, matches

    def _joined_match(self, k, until, words, seps, lower_words, skeletons) -> int | None:
        """The first ``m`` in ``k+1..until`` whose words ``k..m`` joined form an entry."""
        direct = with_seps = lower_words[k]
        direct_skel = with_seps_skel = skeletons[k]
        for m in range(k + 1, until + 1):
            direct += lower_words[m]
            direct_skel += skeletons[m]
            piece = (seps[m - 1] + words[m]).lower()
            with_seps += piece
            with_seps_skel += piece.translate(self._skeleton)
            if self._is_entry(direct, direct_skel) or self._is_entry(with_seps, with_seps_skel):
                return m
            if direct_skel not in self._prefixes and with_seps_skel not in self._prefixes:
                return None  # no longer join can match either
        return None

    def _is_entry(self, lowered: str, skeleton: str) -> bool:
        """``lowered in Profanity.CENSOR_WORDSET`` (``VaryingString.__eq__``)."""
        for options in self._entries.get(skeleton, ()):
            if all(ch in allowed for ch, allowed in zip(lowered, options)):
                return True
        return False


def _skeleton_table(char_map: Mapping[str, Sequence[str]]) -> dict[int, str]:
    """Map every character that a substitution links to another onto one representative.

    A word can only match an entry whose skeleton equals its own, so skeletons index the entries.
    """
    parent: dict[str, str] = {}

    def root(ch: str) -> str:
        while parent.setdefault(ch, ch) != ch:
            ch = parent[ch]
        return ch

    for ch, subs in char_map.items():
        for sub in subs:
            parent[root(sub)] = root(ch)
    table = {ord(ch): root(ch) for ch in parent}
    if ord(_JOIN) in table or _JOIN in table.values():
        raise ValueError("the newline cannot be a substitute")
    return table


def _character_class(characters: set[str]) -> str:
    """A regex character class matching exactly ``characters`` (as code point ranges)."""
    points = sorted(ord(ch) for ch in characters)
    ranges = []
    for _, run in itertools.groupby(enumerate(points), key=lambda pair: pair[1] - pair[0]):
        run = [point for _, point in run]
        ranges.append(f"\\U{run[0]:08x}" + (f"-\\U{run[-1]:08x}" if len(run) > 1 else ""))
    return "[" + "".join(ranges) + "]"
