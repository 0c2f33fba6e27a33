"""Near-duplicates of decided spam: the memory that catches a campaign's next copy.

Spam is posted in campaigns: the same text, lightly edited, under many names and on many
articles ("Check out this video on YouTube: …", the same "I'm a human but …" story). Once
moderators marked one copy spam, the next is known, even when the learned weights alone put it
in the uncertain band. On TubeSpam's inner folds (bench/spam_choose.py --only pipeline) this
memory moved spam from "held" to "spam" with no legitimate comment marked spam at the chosen
similarity (README, "The spam filter").

How: a comment's shingles are its ``c:`` tokens (``features``: character 4-grams of each word,
so "subscribe" and "subscibe" share most of them). Its sketch is the ``SKETCH`` smallest CRC-32
values of those shingles (a bottom-k MinHash sketch: the same for every process, no seed). The
Jaccard similarity of two comments' shingle sets is estimated from their sketches alone: among
the ``SKETCH`` smallest values of the union of both sketches, the share present in both.
``SpamMemory`` indexes the sketches of the newest decided spam by each value, so a lookup
compares a new comment only with the spam that shares a sketch value with it.

Contract: pure. ``sketch(tokens)`` → tuple of ints, empty when the comment has fewer than
``MIN_SHINGLES`` shingles (too short to call anything a copy); ``similarity(a, b)`` in [0, 1];
``SpamMemory(sketches).closest(s)`` → (similarity, position of that spam sketch) or (0.0, -1).
"""

from __future__ import annotations

import heapq
import zlib
from typing import Iterable, Sequence

SKETCH = 24          # values kept per comment: estimates within about ±0.1 of the true Jaccard
MIN_SHINGLES = 12    # shorter comments ("subscribe!") are left to the learned weights
MAX_CANDIDATES = 400  # spam sketches compared per lookup at most (a very common shingle
                      # value would otherwise make a lookup scan the whole memory)
PREFIX = "c:"


def sketch(tokens: Iterable[str]) -> tuple[int, ...]:
    """The bottom-``SKETCH`` CRC-32 values of the comment's shingles, ascending."""
    values = {zlib.crc32(token.encode("utf-8")) for token in tokens if token.startswith(PREFIX)}
    if len(values) < MIN_SHINGLES:
        return ()
    return tuple(heapq.nsmallest(SKETCH, values))


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity of the shingle sets behind sketches ``a`` and ``b``."""
    if not a or not b:
        return 0.0
    return _similarity(frozenset(a), frozenset(b))


def _similarity(a: frozenset, b: frozenset) -> float:
    # sorted() of at most 2 * SKETCH values is the same bottom-k as heapq.nsmallest, in C.
    union = sorted(a | b)[:SKETCH]
    last = union[-1]
    return sum(1 for value in a & b if value <= last) / len(union)


class SpamMemory:
    """Sketches of decided spam, indexed by value (see the module docstring)."""

    def __init__(self, sketches: Sequence[Sequence[int]]):
        self.sketches = [tuple(s) for s in sketches]
        self._sets = [frozenset(s) for s in self.sketches]
        self._index: dict[int, list[int]] = {}
        for position, values in enumerate(self.sketches):
            for value in values:
                self._index.setdefault(value, []).append(position)

    def __len__(self) -> int:
        return len(self.sketches)

    def closest(self, values: Sequence[int]) -> tuple[float, int]:
        """(similarity, position) of the most similar remembered spam, or (0.0, -1)."""
        if not values:
            return 0.0, -1
        candidates: dict[int, None] = {}
        for value in values:
            for position in self._index.get(value, ()):
                candidates[position] = None
                if len(candidates) >= MAX_CANDIDATES:
                    break
            if len(candidates) >= MAX_CANDIDATES:
                break
        # Only a candidate whose bound beats the best so far is compared in full: at most
        # ``shared`` values of the union's bottom-k are in both, and the bottom-k has
        # min(SKETCH, |a ∪ b|) values. Same answer as comparing every candidate (the bound
        # is never below the similarity; ties keep the first, as ``>`` did), at a fraction
        # of the cost: most candidates share one or two values with a legitimate comment.
        query = frozenset(values)
        size = len(query)
        best, where = 0.0, -1
        sets = self._sets
        for position in candidates:
            other = sets[position]
            shared = len(query & other)
            if not shared or shared / min(SKETCH, size + len(other) - shared) <= best:
                continue
            found = _similarity(query, other)
            if found > best:
                best, where = found, position
        return best, where
