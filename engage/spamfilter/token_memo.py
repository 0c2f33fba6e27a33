"""The training process's memory of each stored example's tokens, so a retrain only
tokenises what is new.

Turning a comment into tokens (``features``) costs about 100-250 µs, so 50,000 examples cost
5-10 s before training even starts; a retrain after one more decision would pay it all again.
``TokenMemo.encode(rows)`` keeps, per example, its token ids (a small int32 array against a
vocabulary shared by all examples) keyed by the example's id and a hash of its text, and only
tokenises rows it has not seen in that form. Rows that are no longer loaded are forgotten; the
vocabulary is rebuilt from scratch when it outgrows ``max_vocabulary`` (old tokens of deleted
examples would otherwise pile up). Memory: about 300 bytes per example plus the vocabulary.

Contract: ``encode(rows)`` with ``store.load_example_rows`` rows returns exactly what
``trainer.encode`` returns for the same examples, up to the order of the vocabulary, which
is that of first sight instead of sorted (the fitted weights do not depend on it beyond
floating-point summation order). Not thread-safe: one refresh thread uses it at a time.
"""

from __future__ import annotations

import numpy as np

from engage.spamfilter.store import example_tokens


class TokenMemo:
    def __init__(self, max_vocabulary: int = 2_000_000):
        self.max_vocabulary = max_vocabulary
        self._index: dict[str, int] = {}
        self._vocabulary: list[str] = []
        self._rows: dict[tuple, tuple[np.ndarray, int]] = {}

    def encode(self, rows: list[tuple]):
        """(vocabulary, indptr, columns, scale, labels) of ``rows`` (see the module doc)."""
        if len(self._vocabulary) > self.max_vocabulary:
            self.__init__(self.max_vocabulary)
        index, vocabulary, kept = self._index, self._vocabulary, {}
        encoded, labels = [], []
        for row in rows:
            key = (row[0], hash(row[2:]))
            entry = self._rows.get(key)
            if entry is None:
                tokens = example_tokens(row[1:])
                ids = []
                for token in tokens:
                    column = index.get(token)
                    if column is None:
                        column = index[token] = len(vocabulary)
                        vocabulary.append(token)
                    ids.append(column)
                entry = (np.asarray(sorted(ids), dtype=np.int64), len(tokens))
            kept[key] = entry
            encoded.append(entry)
            labels.append(1.0 if row[1] else 0.0)
        self._rows = kept
        lengths = np.asarray([len(ids) for ids, _ in encoded], dtype=np.int64)
        indptr = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        columns = (np.concatenate([ids for ids, _ in encoded]) if encoded
                   else np.zeros(0, dtype=np.int64))
        scale = 1.0 / np.sqrt(np.asarray([count for _, count in encoded], dtype=np.float64) + 1.0)
        return vocabulary, indptr, columns, scale, np.asarray(labels)
