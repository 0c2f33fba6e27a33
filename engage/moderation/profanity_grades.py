"""Graded profanity: which of better-profanity's words hold a news comment.

better-profanity's list mixes slurs with "omg", "god", "hell", "lmfao" (a band) and "drunk";
13 % of TubeSpam's legitimate comments contain one of its words. The shipped grading
(``data/profanity_grades.txt``: every entry of the list in exactly one of the sections
``ordinary`` < ``mild`` < ``abuse``) says how strong each word is, and a site holds (or
censors) from one grade up (``profanity_hold_grade``, default ``abuse``).

Contract:
- ``shipped_grades()`` → {entry: grade} of the data file (lower-cased entries);
- ``graded_words(overrides, hold_grade)`` → the entries at or above ``hold_grade`` after the
  moderators' ``overrides`` ((entry, grade) pairs; an entry the file lacks is a new word);
- ``matcher_for(overrides, hold_grade)`` → a ``ProfanityMatcher`` over exactly those entries
  (better-profanity's own matching and censoring, so "sh1t" and "b itch" still match an entry),
  or None when no entry is left. Matchers are cached per (overrides, grade): building one
  takes tens of milliseconds and settings change rarely.

Pure: no Flask, no database; the data file is read once per process.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Iterable

from engage.moderation.profanity import ProfanityMatcher
from engage.moderation.settings.options import ProfanityGrade

DATA_FILE = "profanity_grades.txt"
RANK = {grade: rank for rank, grade in enumerate(ProfanityGrade)}


def parse_grades(lines: Iterable[str]) -> dict[str, ProfanityGrade]:
    """{entry: grade} of a grades file; ValueError for an entry outside any section."""
    grades: dict[str, ProfanityGrade] = {}
    section: ProfanityGrade | None = None
    for number, raw in enumerate(lines, 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            section = ProfanityGrade(line[1:-1].strip())
            continue
        if section is None:
            raise ValueError(f"line {number}: {line!r} is not under a [grade] section")
        grades[line.lower()] = section
    return grades


@functools.cache
def shipped_grades() -> dict[str, ProfanityGrade]:
    """The grades shipped with engage (``engage/moderation/data/profanity_grades.txt``)."""
    text = resources.files("engage.moderation").joinpath("data", DATA_FILE).read_text("utf-8")
    return parse_grades(text.splitlines())


def graded_words(overrides: Iterable[tuple[str, str]] = (),
                 hold_grade: ProfanityGrade = ProfanityGrade.ABUSE) -> list[str]:
    """The entries that hold at ``hold_grade``, sorted (see the module docstring)."""
    grades = dict(shipped_grades())
    for entry, grade in overrides:
        grades[entry.strip().lower()] = ProfanityGrade(grade)
    floor = RANK[ProfanityGrade(hold_grade)]
    return sorted(entry for entry, grade in grades.items() if entry and RANK[grade] >= floor)


@functools.lru_cache(maxsize=16)
def matcher_for(overrides: tuple[tuple[str, str], ...] = (),
                hold_grade: ProfanityGrade = ProfanityGrade.ABUSE):
    """The matcher for these settings, or None when no word is left to match."""
    words = graded_words(overrides, hold_grade)
    # an empty list would make better-profanity fall back to its whole default list
    return ProfanityMatcher.from_words(words) if words else None
