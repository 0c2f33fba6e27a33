"""Fast training of the spam filter's logistic regression, vectorised with numpy.

Same model and the same stochastic gradient descent as ``engage.spamfilter.model.train``
(weights per token plus a bias, each comment a binary token vector scaled to unit length, a
small decay of the weights each step touches, seeded shuffles), but in mini-batches: the
pure-Python loop touches every token of every example one at a time (about a second per
thousand examples, so most of a minute at 50,000); here one batch is a few array operations.
Batches of 1 to 16 and rates of 1 to 2 did equally well on the inner folds; a decay of 1e-3
(instead of 1e-4) did best (bench/spam_choose.py). At 50,000 examples a batch grows so that
an epoch stays at ``steps_per_epoch`` steps.

Contract: ``fit(examples, params)`` → ``LinearModel``; deterministic for equal inputs on one
machine (fixed seed, fixed order of operations), so every process that trains the same
examples gets the same weights. Tokens seen fewer than ``min_count`` times get no weight (they
cannot generalise, and they would bloat the stored model). Weights whose magnitude is below
``prune`` are dropped from the returned model: scoring skips unknown tokens, so a dropped tiny
weight changes a score by less than ``prune / sqrt(n)`` in the logit. The model also keeps the
near-duplicate sketches of the newest ``memory`` spam examples (``near_duplicates``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from engage.spamfilter.model import BIAS, Example, LinearModel
from engage.spamfilter.near_duplicates import sketch


@dataclass(frozen=True)
class FitParams:
    """Training constants; chosen on inner folds of the training videos (bench/spam_choose.py)."""

    epochs: int = 20
    visits: int = 200_000    # fewer epochs over big sets: at most this many example visits ...
    min_epochs: int = 4      # ... but at least this many passes (50,000 examples: 4)
    learning_rate: float = 1.0
    decay: float = 1e-3      # shrinks the weights a batch touches (1e-4 … 1e-2 tried)
    min_batch: int = 8       # examples per step; more when there are many (see ``batch_size``)
    steps_per_epoch: int = 256
    min_count: int = 1
    prune: float = 1e-3
    memory: int = 5_000      # newest spam examples whose sketches the model keeps (0: none)
    seed: int = 0

    def epochs_for(self, examples: int) -> int:
        """``epochs`` for small sets; over big ones SGD needs fewer passes (each pass already
        sees many examples per token), which bounds the time of a retrain at 50,000."""
        return max(self.min_epochs, min(self.epochs, self.visits // max(examples, 1)))

    def batch_size(self, examples: int) -> int:
        """At least ``min_batch``, and big enough that an epoch is at most ``steps_per_epoch``
        steps: the cost of a step is mostly fixed, so this bounds the time at 50,000 examples."""
        return max(self.min_batch, -(-examples // self.steps_per_epoch))


def encode(examples: Sequence[Example], min_count: int = 1):
    """(vocabulary list, CSR index arrays, row scales, labels) of ``examples``."""
    counts: dict[str, int] = {}
    for example in examples:
        for token in example.tokens:
            counts[token] = counts.get(token, 0) + 1
    vocabulary = sorted(token for token, count in counts.items() if count >= min_count)
    index = {token: n for n, token in enumerate(vocabulary)}
    lengths, columns = [], []
    for example in examples:
        known = [index[token] for token in example.tokens if token in index]
        known.sort()  # set order varies between processes (hash seed); the sum must not
        columns.extend(known)
        lengths.append(len(known))
    lengths_array = np.asarray(lengths, dtype=np.int64)
    indptr = np.zeros(len(examples) + 1, dtype=np.int64)
    np.cumsum(lengths_array, out=indptr[1:])
    # the scale counts every token of the comment (known or not) plus the bias, as scoring does
    scale = 1.0 / np.sqrt(np.asarray([len(e.tokens) for e in examples], dtype=np.float64) + 1.0)
    labels = np.asarray([1.0 if e.is_spam else 0.0 for e in examples])
    return vocabulary, indptr, np.asarray(columns, dtype=np.int64), scale, labels


def fit(examples: Sequence[Example], params: FitParams = FitParams()) -> LinearModel:
    """Fit a model to ``examples`` (see the module docstring)."""
    if not examples:
        return LinearModel({}, 0, 0)
    return fit_encoded(*encode(examples, params.min_count), params)


def fit_encoded(vocabulary: Sequence[str], indptr: np.ndarray, columns: np.ndarray,
                scale: np.ndarray, labels: np.ndarray, params: FitParams = FitParams()
                ) -> LinearModel:
    """``fit`` over examples already encoded as ``encode`` returns them (or ``TokenMemo``)."""
    spam = int(labels.sum())
    if not len(labels):
        return LinearModel({}, 0, 0)
    bias_column = len(vocabulary)
    weights = np.zeros(len(vocabulary) + 1)
    rng = np.random.default_rng(params.seed)
    rows = len(labels)
    batch_size = params.batch_size(rows)
    keep = 1.0 - params.decay
    for _ in range(params.epochs_for(rows)):
        order = rng.permutation(rows)
        for start in range(0, rows, batch_size):
            batch = order[start:start + batch_size]
            starts, lengths = indptr[batch], indptr[batch + 1] - indptr[batch]
            # the columns of the batch's rows, concatenated (plus the bias), and their row
            offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
            cols = np.concatenate([columns[np.arange(lengths.sum()) + offsets],
                                   np.full(len(batch), bias_column)])
            owner = np.concatenate([np.repeat(np.arange(len(batch)), lengths),
                                    np.arange(len(batch))])
            row_scale = scale[batch]
            logit = row_scale * np.bincount(owner, weights=weights[cols], minlength=len(batch))
            predicted = 1.0 / (1.0 + np.exp(-np.clip(logit, -30.0, 30.0)))
            step = params.learning_rate * (labels[batch] - predicted) * row_scale
            weights[cols] *= keep  # fancy assignment: a token repeated in the batch decays once
            np.add.at(weights, cols, step[owner])
    kept = {token: float(weight) for token, weight in zip(vocabulary, weights[:-1])
            if abs(weight) >= params.prune}
    kept[BIAS] = float(weights[bias_column])
    return LinearModel(kept, spam, rows - spam,
                       spam_sketches(vocabulary, indptr, columns, labels, params.memory))


def spam_sketches(vocabulary: Sequence[str], indptr: np.ndarray, columns: np.ndarray,
                  labels: np.ndarray, limit: int) -> list[tuple[int, ...]]:
    """Near-duplicate sketches of the newest ``limit`` spam rows (rows are oldest first),
    without comments too short to have one and without repeats (a few tenths of a second at
    5,000)."""
    found: dict[tuple[int, ...], None] = {}
    for row in np.flatnonzero(labels > 0.5)[::-1][:limit]:
        values = sketch(vocabulary[c] for c in columns[indptr[row]:indptr[row + 1]])
        if values:
            found[values] = None
    return list(reversed(found))
