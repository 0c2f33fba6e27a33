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
``SpamMemory(sketches).closest(s, at_least=0)`` → (similarity, position of that spam sketch)
or (0.0, -1) (also when the closest is less similar than ``at_least``).
"""

from __future__ import annotations

import heapq
import zlib
from collections import Counter
from itertools import chain
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

    def closest(self, values: Sequence[int], at_least: float = 0.0) -> tuple[float, int]:
        """(similarity, position) of the most similar remembered spam, or (0.0, -1).

        ``at_least``: only spam at least that similar counts (the answer is then the same as
        without it whenever that answer reaches ``at_least``, and (0.0, -1) otherwise); it
        lets most candidates be skipped on their count of shared values alone.
        """
        if not values:
            return 0.0, -1
        index = self._index
        # How many sketch values each candidate shares with ``values``, in first-met order.
        shared_counts = Counter(chain.from_iterable(index.get(value, ()) for value in values))
        if len(shared_counts) > MAX_CANDIDATES:
            shared_counts = self._capped(values)
        query = frozenset(values)
        size = len(query)
        # At most ``shared`` values of the union's bottom-k are in both, and the bottom-k has
        # min(SKETCH, |a ∪ b|) >= min(SKETCH, |a|) values: a candidate sharing fewer than
        # ``at_least * min(SKETCH, |a|)`` cannot reach ``at_least``; one whose bound does not
        # beat the best so far cannot win (ties keep the first, as a full comparison of every
        # candidate in turn does). Same answer, a fraction of the comparisons.
        need = max(1, at_least * min(SKETCH, size))
        best, where = 0.0, -1
        sets = self._sets
        for position, shared in shared_counts.items():
            if shared < need:
                continue
            other = sets[position]
            if shared / min(SKETCH, size + len(other) - shared) <= best:
                continue
            found = _similarity(query, other)
            if found > best:
                best, where = found, position
        if best < at_least:
            return 0.0, -1
        return best, where

    def _capped(self, values: Sequence[int]) -> dict[int, int]:
        """The first ``MAX_CANDIDATES`` candidates met and their shared counts (a very common
        value would otherwise make a lookup compare the whole memory)."""
        candidates: dict[int, int] = {}
        for value in values:
            for position in self._index.get(value, ()):
                if position not in candidates and len(candidates) >= MAX_CANDIDATES:
                    continue
                candidates[position] = candidates.get(position, 0) + 1
        return candidates
