"""The "best" order: the Wilson score lower bound of the share of up votes.

A comment with one up vote and none down has a lower bound of 0.21; one with 90 up and 10 down,
0.83: a single vote cannot beat a comment many readers liked. Stored as an integer in
millionths (``comments.vote_rank``), so SQLite, which has no square root, orders by it too, and
a thread cursor compares it exactly.
"""

from __future__ import annotations

import math

Z = 1.959964  # 95 % confidence
SCALE = 1_000_000


def wilson_lower_bound(up: int, down: int) -> float:
    """The lower bound of the 95 % Wilson interval of up / (up + down); 0 without votes."""
    n = up + down
    if n <= 0:
        return 0.0
    p = up / n
    z2 = Z * Z
    centre = p + z2 / (2 * n)
    margin = Z * math.sqrt((p * (1 - p) + z2 / (4 * n)) / n)
    return max(0.0, (centre - margin) / (1 + z2 / n))


def vote_rank(up: int, down: int) -> int:
    """``wilson_lower_bound`` in millionths, as stored."""
    return int(wilson_lower_bound(up, down) * SCALE)
